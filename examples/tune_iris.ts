/**
 * Tunes the Iris classifier (learning rate, hidden layer size, momentum, batch size) on the
 * embedded SQLite storage with TPE, the median pruner and the tuning plug-in, then recovers from a
 * crash the way a long study would:
 *
 * 1. A first worker runs trials; each trial checkpoints its training under its own name and
 *    the sampler right after its suggestions. Trial 3 "crashes" in epoch 12 (a power cut):
 *    the worker dies with the trial left FAIL.
 * 2. A second worker restores the sampler, calls `resumeStudy` (the study is backed up, trial 3
 *    becomes a WAITING re-run at its own number) and finishes the study; trial 3 resumes from
 *    its last checkpoint instead of starting again.
 *
 * Run: `deno run -A examples/tune_iris.ts`
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  categorical,
  createStudy,
  float,
  getBestTrial,
  getTrials,
  int,
  left,
  medianPruner,
  type Objective,
  optimize,
  right,
  runOrThrow,
  type Sampler,
  suggest,
  tpeSampler,
} from "@hyperion/tune";
import { sqliteStorage } from "@hyperion/tune/sqlite";
import {
  createTrainer,
  fit,
  getOrThrow,
  type Plugin,
  registerPlugin,
} from "@hyperion/tune/trainer";
import {
  checkpointSampler,
  optunaPlugin,
  restoreSampler,
  resumeStudy,
} from "@hyperion/tune/plugins/optuna";
import { irisData, irisModel } from "./_iris.ts";

const root = await Deno.makeTempDir({ prefix: "hyperion-tune-iris-" });
const dbPath = join(root, "iris.db");
const chkptRoot = join(root, "chkpt");
const samplerRoot = join(root, "samplers");
const STUDY = "iris";
const N_TRIALS = 10;

const space = {
  learningRate: float(1e-3, 0.3, { log: true }),
  hidden: int(4, 32, { log: true }),
  momentum: float(0.5, 0.95),
  batchSize: categorical([8, 16, 32]),
};

/** The objective: suggest, checkpoint the sampler, train with the plug-in, return accuracy. */
function objective(crashAt?: { trial: number; epoch: number }): Objective {
  return (trial) => async () => {
    const hp = await suggest(trial, space)();
    if (hp._tag === "Left") return hp;
    const saved = await checkpointSampler(trial, samplerRoot)();
    if (saved._tag === "Left") return saved;
    const plugin = optunaPlugin(trial, "accuracy");
    const crash: Plugin = {
      id: "power-cut",
      onTrainingEpochStart: (ctx) =>
        crashAt && trial.number === crashAt.trial && ctx.epoch === crashAt.epoch
          ? left({ _tag: "PowerCut", message: `power cut in epoch ${ctx.epoch}` })
          : right(undefined),
    };
    const base = getOrThrow(createTrainer({
      trainUnit: "epoch",
      totalSteps: 20,
      validationFrequency: 2,
      checkpointFrequency: 2,
      seed: 7,
      chkptRoot,
    }));
    const trainer = plugin.configureTrainer(base);
    if (trainer._tag === "Left") return trainer;
    const withCrash = crashAt ? getOrThrow(registerPlugin(trainer.right, crash)) : trainer.right;
    const model = plugin.configureModel(irisModel(hp.right));
    const result = await fit(withCrash, model, irisData(hp.right.batchSize))();
    if (result._tag === "Left") return result;
    if (result.right.resumedFrom) {
      console.log(
        `  trial ${trial.number} resumed from ${result.right.resumedFrom.slice(root.length + 1)}`,
      );
    }
    return right(result.right.metrics.accuracy ?? 0);
  };
}

try {
  const storage = await runOrThrow(sqliteStorage(dbPath));
  const study = await runOrThrow(createStudy({
    storage,
    studyName: STUDY,
    direction: "maximize",
    sampler: tpeSampler({ seed: 42, nStartupTrials: 4 }),
    pruner: medianPruner({ nStartupTrials: 3, nWarmupSteps: 1 }),
  }));

  console.log("Worker 1: tuning until a power cut in trial 3");
  const first = await optimize(study, objective({ trial: 3, epoch: 12 }), { nTrials: N_TRIALS })();
  console.log(`  optimize stopped: ${first._tag === "Left" ? first.left.message : "no crash?"}`);
  await runOrThrow(storage.close());

  console.log("Worker 2: restore the sampler, resume the study, finish it");
  const sampler: Sampler | undefined = await runOrThrow(
    restoreSampler(samplerRoot, { studyName: STUDY }),
  );
  const resumed = await runOrThrow(resumeStudy({
    storage: `sqlite:///${dbPath}`,
    studyName: STUDY,
    loadIfExists: true,
    direction: "maximize",
    ...(sampler ? { sampler } : {}),
    pruner: medianPruner({ nStartupTrials: 3, nWarmupSteps: 1 }),
  }));
  const done = (await runOrThrow(getTrials(resumed))).filter((t) =>
    t.state === "COMPLETE" || t.state === "PRUNED"
  ).length;
  const summary = await runOrThrow(optimize(resumed, objective(), { nTrials: N_TRIALS - done }));
  console.log(`  counts: ${JSON.stringify(summary.counts)}`);

  const trials = await runOrThrow(getTrials(resumed));
  for (const t of trials) {
    console.log(
      `  trial ${t.number}: ${t.state.padEnd(8)} ${t.values?.[0]?.toFixed(3) ?? "-"}  ${
        JSON.stringify(t.params)
      }`,
    );
  }
  const best = await runOrThrow(getBestTrial(resumed));
  console.log(
    `Best trial ${best.number}: accuracy ${best.values?.[0]} with ${JSON.stringify(best.params)}`,
  );
  console.log(`Backups: ${
    (await readdir(root)).filter((f) => f.includes("_backup-")).join(", ")
  }`);
  await runOrThrow(resumed.storage.close());
} finally {
  await Deno.remove(root, { recursive: true });
}
