/** The QMC sampler's seed: it scrambles the sequence, and only a scrambled one. */
import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  flatMap,
  floatDistribution,
  getOrThrow,
  getTrials,
  map,
  optimize,
  qmcSampler,
  runOrThrow,
  suggestFloat,
  type Trial,
} from "../../mod.ts";
import { makeQmcSamplerImpl } from "../../lib/samplers/qmc/mod.ts";

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

Deno.test("qmcSampler()'s engines are kept per scrambling seed: one workspace serving two seeds gives each its own points", async () => {
  const impl = makeQmcSamplerImpl();
  const workspace = impl.createWorkspace();
  const space = {
    x: getOrThrow(floatDistribution(0, 1)),
    y: getOrThrow(floatDistribution(0, 1)),
  };
  const study = await runOrThrow(createStudy({ sampler: qmcSampler({ seed: 1 }) }));
  const trial = await runOrThrow(ask(study));
  const record = await runOrThrow(study.storage.getStudyById(study.studyId));
  const frozen = (await runOrThrow(getTrials(study)))[0]!;
  const ctx = { study: record, directions: study.directions, trials: [frozen], trial: frozen };
  const pointOf = (seed: number) =>
    getOrThrow(impl.sampleRelative!(qmcSampler({ seed, scramble: true }), ctx, space, workspace))
      .value;
  const a = pointOf(1);
  const b = pointOf(2);
  assert.notDeepEqual(b, a);
  // a fresh workspace gives seed 2 the same point: the engine depends on the seed alone
  assert.deepEqual(
    getOrThrow(
      impl.sampleRelative!(
        qmcSampler({ seed: 2, scramble: true }),
        ctx,
        space,
        impl.createWorkspace(),
      ),
    ).value,
    b,
  );
  assert.ok(trial.number === 0);
});
