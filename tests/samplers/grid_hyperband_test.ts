/**
 * Grid and brute-force samplers under Hyperband: they see every trial, not only the live
 * trial's bracket (Optuna's issue #2327), so the grid is covered exactly once and the study
 * stops at its end.
 */
import assert from "node:assert/strict";
import {
  bruteForceSampler,
  createStudy,
  getTrials,
  gridSampler,
  hyperbandPruner,
  optimize,
  report,
  runOrThrow,
  type Sampler,
  shouldPrune,
  suggestInt,
  type Trial,
  trialPruned,
} from "../../mod.ts";

const objective = (trial: Trial) => async () => {
  const x = await suggestInt(trial, "x", 0, 11)();
  if (x._tag === "Left") return x;
  for (let step = 0; step < 9; step++) {
    const r = await report(trial, x.right + 1 / (step + 1), step)();
    if (r._tag === "Left") return r;
    const p = await shouldPrune(trial)();
    if (p._tag === "Right" && p.right) return { _tag: "Left" as const, left: trialPruned() };
  }
  return { _tag: "Right" as const, right: x.right };
};

async function coverage(sampler: Sampler): Promise<void> {
  const study = await runOrThrow(createStudy({
    sampler,
    pruner: hyperbandPruner({ minResource: 1, maxResource: 9, reductionFactor: 3 }),
  }));
  const summary = await runOrThrow(optimize(study, objective, { nTrials: 40 }));
  const xs = (await runOrThrow(getTrials(study))).map((t) => t.params.x as number);
  assert.deepEqual([...xs].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(summary.nTrials, 12);
  assert.equal(summary.stoppedBy, "sampler");
}

Deno.test("gridSampler() under hyperbandPruner() covers the grid exactly once and stops", async () => {
  await coverage(gridSampler({ x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }, { seed: 1 }));
});

Deno.test("bruteForceSampler() under hyperbandPruner() covers the space exactly once and stops", async () => {
  await coverage(bruteForceSampler({ seed: 1 }));
});
