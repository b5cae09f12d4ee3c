/**
 * The tuning plug-in across the ranks of `fitParallel` (real Workers, a real SQLite file):
 * rank 0 reports through the main thread's trial handle (one intermediate value per cycle,
 * one storage write each), and a pruned trial stops every rank after the same batch, `fitParallel`
 * returns normally and `checkPruned()` gives `TrialPruned`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ask,
  createStudy,
  getTrials,
  nopPruner,
  type Pruner,
  right,
  runOrThrow,
  type Storage,
} from "../../../mod.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";
import { createTrainer, fitParallel, getOrThrow } from "../../../lib/trainer/mod.ts";
import { optunaPlugin, PRUNED_CYCLE_KEY, PRUNED_KEY } from "../../../lib/plugins/optuna/mod.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { regressionPoints } from "../../fixtures/parallel_models.ts";

const MODEL = {
  url: new URL("../../fixtures/parallel_models.ts", import.meta.url),
  exportName: "regression",
};
const { train, validation } = regressionPoints();

/** Prunes once the trial has reported step `step`. */
function pruneFrom(step: number): Pruner {
  return {
    kind: "prune-from",
    options: { step },
    prune: ({ trial }) => right({ prune: Object.keys(trial.intermediateValues).length > step }),
  };
}

/** The SQLite storage, counting the intermediate values written through it. */
function counting(storage: Storage, writes: number[]): Storage {
  return {
    ...storage,
    setTrialIntermediateValue: (args) => {
      writes.push(args.step);
      return storage.setTrialIntermediateValue(args);
    },
  };
}

async function tuneOnce(dir: string, pruner: Pruner, worldSize: number) {
  const sqlite = await runOrThrow(sqliteStorage(join(dir, "study.db")));
  const writes: number[] = [];
  const study = await runOrThrow(
    createStudy({ storage: counting(sqlite, writes), studyName: "ddp", pruner }),
  );
  const trial = await runOrThrow(ask(study));
  const plugin = optunaPlugin(trial, "mse");
  const trainer = getOrThrow(plugin.configureTrainer(getOrThrow(createTrainer({
    totalSteps: 6,
    validationFrequency: 1,
    checkpointFrequency: 1,
    chkptRoot: join(dir, "chkpt"),
    seed: 5,
  }))));
  const result = await fitParallel(
    trainer,
    MODEL,
    { train, validation, batchSize: 16 / worldSize },
    { worldSize, saveName: plugin.trialSaveName("regression") },
  )();
  const pruned = await plugin.checkPruned()();
  const [stored] = await runOrThrow(getTrials(study));
  await runOrThrow(sqlite.close());
  return { result, pruned, stored: stored!, writes };
}

Deno.test("fitParallel() with the plug-in: rank 0 alone reports, once per validation cycle", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { result, pruned, stored, writes } = await tuneOnce(dir, nopPruner(), 2);
    const run = getOrThrow(result);
    assert.equal(run.stopReason, "completed");
    assert.deepEqual(writes, [0, 1, 2, 3, 4, 5], "one write per cycle, from the main thread");
    assert.deepEqual(Object.keys(stored.intermediateValues).map(Number), [0, 1, 2, 3, 4, 5]);
    assert.equal(stored.intermediateValues[5], run.metrics.mse);
    assert.equal(pruned._tag, "Right");
    // rank 0 wrote the trial's checkpoints, named after the trial
    assert.match(run.checkpoints.at(-1) ?? "", /regression_ddp_trial-0_epoch_6_iter_36\.json$/);
    assert.deepEqual(run.ranks[1]?.checkpoints, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a pruned trial stops every rank at the same cycle; fitParallel returns, checkPruned gives TrialPruned", async () => {
  for (const worldSize of [2, 4]) {
    const dir = await Deno.makeTempDir();
    try {
      const { result, pruned, stored, writes } = await tuneOnce(dir, pruneFrom(2), worldSize);
      const run = getOrThrow(result);
      assert.deepEqual(writes, [0, 1, 2]);
      for (const r of run.ranks) {
        assert.equal(r.stopReason, "requested");
        assert.equal(r.stoppedBy, "plug-in 'optuna'");
        assert.deepEqual(r.training, run.training, `rank ${r.rank} stopped elsewhere`);
      }
      assert.equal(run.training.validationCycles, 3);
      assert.equal(run.training.epoch, 3);
      const e = expectLeft(pruned, "TrialPruned");
      assert.match(e.message, /Pruned on validation cycle 2/);
      assert.equal(stored.userAttrs[PRUNED_KEY], true);
      assert.equal(stored.userAttrs[PRUNED_CYCLE_KEY], 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});
