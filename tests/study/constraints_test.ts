/**
 * The study's constraints function: written to the `constraints` system attribute by `tell`
 * for COMPLETE and PRUNED trials, read by every sampler and by the best-trial queries.
 */
import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  getBestTrial,
  getTrials,
  gridSampler,
  isFeasible,
  optimize,
  qmcSampler,
  randomSampler,
  runOrThrow,
  type Sampler,
  suggestFloat,
  tell,
  tpeSampler,
  type Trial,
} from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";

const objective = async (trial: Trial) => {
  const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
  return -x; // best at x = 1, but x > 0.5 is infeasible
};
const constraintsFunc = (t: { params: Record<string, unknown> }) => [(t.params.x as number) - 0.5];

const samplers: ReadonlyArray<Sampler> = [
  tpeSampler({ seed: 1, nStartupTrials: 5 }),
  randomSampler({ seed: 1 }),
  qmcSampler({ seed: 1 }),
  gridSampler({ x: [0, 0.25, 0.5, 0.75, 1] }),
];

for (const sampler of samplers) {
  Deno.test(`constraintsFunc writes 'constraints' for every trial with ${sampler.kind}, and the best trial is feasible`, async () => {
    const study = await runOrThrow(createStudy({ sampler, constraintsFunc }));
    await runOrThrow(optimize(study, objective, { nTrials: 20 }));
    const trials = await runOrThrow(getTrials(study));
    for (const t of trials) {
      assert.deepEqual(t.systemAttrs["constraints"], [(t.params.x as number) - 0.5]);
    }
    const best = await runOrThrow(getBestTrial(study));
    assert.ok(isFeasible(best) && (best.params.x as number) <= 0.5);
  });
}

Deno.test("constraintsFunc sees the final state and values, and runs for PRUNED but not FAIL trials", async () => {
  const seen: Array<[string, unknown]> = [];
  const study = await runOrThrow(createStudy({
    constraintsFunc: (t) => {
      seen.push([t.state, t.values]);
      return [0];
    },
  }));
  await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: 3 }));
  await runOrThrow(tell(study, await runOrThrow(ask(study)), { state: "PRUNED" }));
  await runOrThrow(tell(study, await runOrThrow(ask(study)), { state: "FAIL" }));
  assert.deepEqual(seen, [["COMPLETE", [3]], ["PRUNED", null]]);
  const attrs = (await runOrThrow(getTrials(study))).map((t) => t.systemAttrs["constraints"]);
  assert.deepEqual(attrs, [[0], [0], undefined]);
});

Deno.test("a constraintsFunc giving NaN or throwing fails tell after the trial is finished, constraints null", async () => {
  for (
    const fn of [() => [NaN], () => "no" as never, () => {
      throw new Error("boom");
    }]
  ) {
    const study = await runOrThrow(createStudy({ constraintsFunc: fn }));
    const trial = await runOrThrow(ask(study));
    const e = expectLeft(await tell(study, trial, { values: 1 })(), "InvalidArgument");
    assert.match(e.message, /'constraintsFunc'/);
    const [t] = await runOrThrow(getTrials(study));
    assert.equal(t?.state, "COMPLETE");
    assert.equal(t?.systemAttrs["constraints"], null);
  }
  expectLeft(await createStudy({ constraintsFunc: 3 as never })(), "InvalidStudyArgs");
});

Deno.test("infinite constraint values are stored (as Optuna allows them)", async () => {
  const study = await runOrThrow(createStudy({ constraintsFunc: () => [Infinity, -Infinity] }));
  await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: 1 }));
  const [t] = await runOrThrow(getTrials(study));
  assert.deepEqual(t?.systemAttrs["constraints"], [Infinity, -Infinity]);
  expectLeft(await getBestTrial(study)(), "NoCompletedTrials");
});
