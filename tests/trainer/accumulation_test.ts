/**
 * Gradient accumulation, checked on the update it produces: a model that sums its batches'
 * gradients and applies their mean when the trainer says `optimizerStep`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  arrayDataModule,
  createTrainer,
  fit,
  getOrThrow,
  type Model,
  type Plugin,
  registerPlugin,
  type TrainerConfig,
} from "../../lib/trainer/mod.ts";

/** w, the gradients summed since the last step, and the groups applied so far. */
interface AccState {
  readonly w: number;
  readonly acc: number;
  readonly pending: number;
  readonly groups: ReadonlyArray<ReadonlyArray<number>>;
  readonly batches: ReadonlyArray<number>;
}

/** Each batch (one number `g`) is a gradient; a step applies `w -= lr · mean(group)`. */
function accumulating(k: number, lr = 0.5): Model<AccState, ReadonlyArray<number>> {
  return {
    saveName: "acc",
    setup: () => ({ w: 10, acc: 0, pending: 0, groups: [], batches: [] }),
    trainStep: (s, batch, ctx) => {
      const g = batch[0]!;
      const acc = s.acc + g, batches = [...s.batches, g];
      if (!ctx.optimizerStep) return { state: { ...s, acc, pending: s.pending + 1, batches } };
      const group = batches.slice(batches.length - s.pending - 1);
      return {
        state: { w: s.w - lr * acc / k, acc: 0, pending: 0, groups: [...s.groups, group], batches },
      };
    },
  };
}

async function train(config: TrainerConfig, data: ReadonlyArray<number>, plugins: Plugin[] = []) {
  let trainer = getOrThrow(createTrainer(config));
  for (const p of plugins) trainer = getOrThrow(registerPlugin(trainer, p));
  const k = config.accumulationSteps ?? 1;
  const module = arrayDataModule(data, { batchSize: 1, shuffle: false });
  return getOrThrow(await fit(trainer, accumulating(k), module)());
}

Deno.test("fit() with accumulationSteps applies the mean gradient of each group of batches once", async () => {
  const r = await train({ totalSteps: 2, accumulationSteps: 3 }, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(r.state.groups, [[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]);
  // w = 10 − 0.5·(2 + 5 + 2 + 5)
  assert.equal(r.state.w, 3);
  assert.equal(r.state.acc, 0);
  assert.equal(r.training.globalIteration, 12);
  assert.equal(r.training.iteration, 4);
});

Deno.test("fit() accumulates across an epoch's end when the epoch is not a whole number of groups", async () => {
  const r = await train({ totalSteps: 2, accumulationSteps: 2 }, [1, 2, 3, 4, 5]);
  assert.deepEqual(r.state.groups, [[1, 2], [3, 4], [5, 1], [2, 3], [4, 5]]);
  assert.equal(r.state.w, 10 - 0.5 * (1.5 + 3.5 + 3 + 2.5 + 4.5));
  assert.equal(r.training.iteration, 5);
});

Deno.test("fit() with accumulationSteps 1 steps on every batch", async () => {
  const r = await train({ totalSteps: 1 }, [1, 2, 3]);
  assert.deepEqual(r.state.groups, [[1], [2], [3]]);
  assert.equal(r.state.w, 10 - 0.5 * 6);
  assert.equal(r.training.iteration, 3);
});

Deno.test("fit() resumed after a failure inside a group finishes the group with the saved gradients", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = [1, 2, 3, 4, 5, 6, 7];
    const config: TrainerConfig = {
      trainUnit: "iteration",
      totalSteps: 6,
      accumulationSteps: 3,
      checkpointFrequency: 1,
      chkptRoot: join(dir, "chkpt"),
    };
    const reference = await train({ ...config, chkptRoot: join(dir, "ref") }, data);
    // fails at the 8th batch: the last checkpoint (after the 2nd step) is mid-epoch
    const crash: Plugin = {
      id: "crash",
      onTrainingBatchStart: (ctx) => {
        if (ctx.globalIteration === 8) throw new Error("power cut");
      },
    };
    let trainer = getOrThrow(createTrainer(config));
    trainer = getOrThrow(registerPlugin(trainer, crash));
    const module = arrayDataModule(data, { batchSize: 1, shuffle: false });
    const failed = await fit(trainer, accumulating(3), module)();
    assert.equal(failed._tag, "Left");
    const resumed = await train(config, data);
    assert.ok(resumed.resumedFrom !== undefined);
    assert.deepEqual(resumed.state.groups, reference.state.groups);
    assert.equal(resumed.state.w, reference.state.w);
    assert.deepEqual(reference.state.groups.slice(0, 3), [[1, 2, 3], [4, 5, 6], [7, 1, 2]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
