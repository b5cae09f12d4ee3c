/** Which trials use up a grid point: every finished one, pruned and failed included. */
import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  enqueueTrial,
  getTrials,
  gridSampler,
  left,
  optimize,
  right,
  runOrThrow,
  studySampler,
  suggestInt,
  tell,
  type Trial,
  trialPruned,
} from "../../mod.ts";
import { gridExhausted } from "../../lib/samplers/grid.ts";

Deno.test("gridSampler() counts a pruned trial's point as visited and stops after the last point", async () => {
  const study = await runOrThrow(createStudy({ sampler: gridSampler({ x: [1, 2, 3] }) }));
  // x = 2 is pruned (a Left holding trialPruned() is the pruning signal)
  const prunes = async (t: Trial) => {
    const x = await runOrThrow(suggestInt(t, "x", 1, 3));
    return x === 2 ? left(trialPruned()) : right(x * x);
  };
  const summary = await runOrThrow(optimize(study, prunes, { nTrials: 10 }));
  assert.equal(summary.nTrials, 3);
  assert.equal(summary.stoppedBy, "sampler");
  assert.deepEqual(summary.counts, { COMPLETE: 2, PRUNED: 1, FAIL: 0 });
  const trials = await runOrThrow(getTrials(study));
  assert.ok(gridExhausted(studySampler(study), trials));
});

Deno.test("gridSampler() past the first points never gives a trial a point a pruned trial visited", async () => {
  const study = await runOrThrow(createStudy({ sampler: gridSampler({ x: [1, 2, 3, 4] }) }));
  // trials 0–3 take grid points 0–3 by number (in a shuffled order of the values); 1 and 2 are pruned, 3 stays running
  const asked: Trial[] = [];
  for (let i = 0; i < 4; i++) asked.push(await runOrThrow(ask(study)));
  const xs: number[] = [];
  for (const t of asked) xs.push(await runOrThrow(suggestInt(t, "x", 1, 4)));
  await runOrThrow(tell(study, asked[0]!, { values: [0] }));
  await runOrThrow(tell(study, asked[1]!, { state: "PRUNED" }));
  await runOrThrow(tell(study, asked[2]!, { state: "PRUNED" }));
  // every point is visited or running: a later trial re-evaluates the running one only
  for (let i = 0; i < 5; i++) {
    const t = await runOrThrow(ask(study));
    assert.equal(t.number, 4 + i);
    assert.equal(await runOrThrow(suggestInt(t, "x", 1, 4)), xs[3], `trial ${t.number}`);
  }
});

Deno.test("gridSampler() past the first points prefers an unvisited point no other trial is running", async () => {
  for (let seed = 0; seed < 8; seed++) {
    const study = await runOrThrow(
      createStudy({ sampler: gridSampler({ x: [1, 2, 3] }, { seed }) }),
    );
    // trial 0 is enqueued (no grid point), trial 1 runs point 1, trial 2 completes point 2
    await runOrThrow(enqueueTrial(study, { x: 1 }));
    const t0 = await runOrThrow(ask(study));
    await runOrThrow(suggestInt(t0, "x", 1, 3));
    await runOrThrow(suggestInt(await runOrThrow(ask(study)), "x", 1, 3));
    const t2 = await runOrThrow(ask(study));
    await runOrThrow(tell(study, t2, { values: [await runOrThrow(suggestInt(t2, "x", 1, 3))] }));
    await runOrThrow(tell(study, t0, { values: [0] }));
    // trial 3 gets point 0, the only one neither visited nor running
    const t3 = await runOrThrow(ask(study));
    await runOrThrow(suggestInt(t3, "x", 1, 3));
    const stored = (await runOrThrow(getTrials(study)))[3]!;
    assert.equal(stored.systemAttrs["grid_id"], 0, `seed ${seed}`);
  }
});
