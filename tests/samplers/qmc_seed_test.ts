/** The QMC sampler's seed: it scrambles the sequence, and only a scrambled one. */
import assert from "node:assert/strict";
import {
  createStudy,
  flatMap,
  getTrials,
  map,
  optimize,
  qmcSampler,
  runOrThrow,
  suggestFloat,
  type Trial,
} from "../../mod.ts";

const objective = (t: Trial) =>
  flatMap(suggestFloat(t, "x", 0, 1), (x) => map(suggestFloat(t, "y", 0, 1), (y) => x + y));

/** The points of trials 1–8 (trial 0 is drawn at random to find the search space). */
async function points(seed: number, scramble: boolean): Promise<string[]> {
  const study = await runOrThrow(createStudy({ sampler: qmcSampler({ seed, scramble }) }));
  await runOrThrow(optimize(study, objective, { nTrials: 9 }));
  return (await runOrThrow(getTrials(study))).slice(1).map((t) => `${t.params.x},${t.params.y}`);
}

Deno.test("qmcSampler() with scrambling gives other points for another seed, the same for the same seed", async () => {
  const a = await points(1, true);
  assert.deepEqual(await points(1, true), a);
  for (const seed of [2, 3]) {
    const b = await points(seed, true);
    // a scrambled point set shares no point with another seed's
    assert.equal(b.filter((p) => a.includes(p)).length, 0, `seed ${seed}: ${b} vs ${a}`);
  }
});

Deno.test("qmcSampler() without scrambling gives the same sequence whatever the seed", async () => {
  const a = await points(1, false);
  assert.deepEqual(await points(2, false), a);
  assert.deepEqual(a.slice(0, 2), ["0,0", "0.5,0.5"]);
  assert.notDeepEqual(await points(1, true), a);
});
