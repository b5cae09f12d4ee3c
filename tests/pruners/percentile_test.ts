import assert from "node:assert/strict";
import fc from "fast-check";
import { createStudy, medianPruner, percentilePruner, randomSampler, right } from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";
import {
  checkCaseSet,
  checkHandBuiltCases,
  checkSimulations,
  decisionCases,
  expectInvalidPruner,
  handContext,
  handTrial,
  prunes,
  prunesCase,
  randomCases,
} from "../_helpers/pruner_fixtures.ts";
import { prunedStudyTrials } from "../_helpers/pruner_study.ts";

const FIXTURES = decisionCases("percentile.json");

// -------------------------------------------------------------------------------------
// parity with Optuna 5.0
// -------------------------------------------------------------------------------------

Deno.test("medianPruner() and percentilePruner() match Optuna 5.0 on hand-built histories", (t) =>
  checkHandBuiltCases(t, FIXTURES));

Deno.test("medianPruner() and percentilePruner() match Optuna 5.0 on random histories with NaN, infinities, missing and out-of-order steps", () => {
  checkCaseSet(randomCases(FIXTURES), 400, prunesCase, (c) => !prunesCase(c));
});

Deno.test("medianPruner() and percentilePruner() replay Optuna 5.0 studies step by step", () => {
  assert.equal(checkSimulations("median"), 1);
  assert.equal(checkSimulations("percentile"), 1);
});

// -------------------------------------------------------------------------------------
// behaviour
// -------------------------------------------------------------------------------------

const done = [handTrial(0, [1, 1]), handTrial(1, [2, 2]), handTrial(2, [3, 3])];
const running = (curve: ReadonlyArray<number | undefined>) =>
  handTrial(3, curve, { state: "RUNNING" });

Deno.test("medianPruner() prunes a trial worse than the median at the same step", () => {
  const pruner = medianPruner({ nStartupTrials: 3 });
  assert.equal(prunes(pruner, handContext([...done, running([4, 4])])), true);
  assert.equal(prunes(pruner, handContext([...done, running([1.5, 1.5])])), false);
});

Deno.test("medianPruner() compares the trial's best value so far, not its latest", () => {
  const pruner = medianPruner({ nStartupTrials: 3 });
  assert.equal(prunes(pruner, handContext([...done, running([0.5, 9])])), false);
});

Deno.test("medianPruner() mirrors the comparison when maximising", () => {
  const pruner = medianPruner({ nStartupTrials: 3 });
  assert.equal(prunes(pruner, handContext([...done, running([0, 1.5])], "maximize")), true);
  assert.equal(prunes(pruner, handContext([...done, running([0, 2.5])], "maximize")), false);
});

Deno.test("medianPruner() waits for nStartupTrials completed trials (5 by default)", () => {
  const ctx = handContext([...done, running([9, 9])]);
  assert.equal(prunes(medianPruner(), ctx), false);
  assert.equal(prunes(medianPruner({ nStartupTrials: 3 }), ctx), true);
  const pruned = handTrial(3, [0, 0], { state: "PRUNED" });
  const withPruned = handContext([...done, pruned, handTrial(4, [9, 9], { state: "RUNNING" })]);
  assert.equal(prunes(medianPruner({ nStartupTrials: 4 }), withPruned), false);
});

Deno.test("medianPruner() holds off during warm-up and checks only on the interval grid", () => {
  const long = [0, 1, 2].map((n) => handTrial(n, [1, 1, 1, 1, 1, 1]));
  const at = (n: number) => handTrial(3, Array(n).fill(9), { state: "RUNNING" });
  const warm = medianPruner({ nStartupTrials: 0, nWarmupSteps: 2 });
  assert.equal(prunes(warm, handContext([...long, at(2)])), false);
  assert.equal(prunes(warm, handContext([...long, at(3)])), true);
  const grid = medianPruner({ nStartupTrials: 0, nWarmupSteps: 1, intervalSteps: 2 });
  const decisions = [1, 2, 3, 4, 5, 6].map((n) => prunes(grid, handContext([...long, at(n)])));
  assert.deepEqual(decisions, [false, true, false, true, false, true]);
});

Deno.test("medianPruner() keeps a trial when fewer than nMinTrials completed trials reported the step", () => {
  const ctx = handContext([...done, running([9, 9])]);
  assert.equal(prunes(medianPruner({ nStartupTrials: 0, nMinTrials: 3 }), ctx), true);
  assert.equal(prunes(medianPruner({ nStartupTrials: 0, nMinTrials: 4 }), ctx), false);
});

Deno.test("medianPruner() prunes a trial whose reported values are all NaN", () => {
  const ctx = handContext([...done, running([NaN, NaN])]);
  assert.equal(prunes(medianPruner({ nStartupTrials: 0 }), ctx), true);
});

Deno.test("medianPruner() never prunes a trial that has reported nothing", () => {
  assert.equal(
    prunes(medianPruner({ nStartupTrials: 0 }), handContext([...done, running([])])),
    false,
  );
});

Deno.test("percentilePruner() keeps the best percentile with linear interpolation", () => {
  const four = [...done, handTrial(3, [5, 5])];
  const live = (v: number) => handTrial(4, [v, v], { state: "RUNNING" });
  const p25 = percentilePruner(25, { nStartupTrials: 0 });
  assert.equal(prunes(p25, handContext([...four, live(1.76)])), true); // p25 = 1.75
  assert.equal(prunes(p25, handContext([...four, live(1.75)])), false);
});

Deno.test("medianPruner() refuses multi-objective studies with NotSupported", () => {
  const ctx = handContext([...done, running([9, 9])], ["minimize", "maximize"]);
  const err = expectLeft(medianPruner({ nStartupTrials: 0 }).prune(ctx), "NotSupported");
  assert.match(err.message, /single-objective/);
});

// -------------------------------------------------------------------------------------
// options
// -------------------------------------------------------------------------------------

Deno.test("medianPruner() has Optuna's defaults and records its options as JSON", () => {
  const defaults = { nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1, nMinTrials: 1 };
  const m = medianPruner();
  assert.equal(m.kind, "median");
  assert.deepEqual(m.options, defaults);
  assert.deepEqual(m.validate?.(), right(undefined));
  const p = percentilePruner(25, { nWarmupSteps: 3 });
  assert.equal(p.kind, "percentile");
  assert.deepEqual(p.options, { percentile: 25, ...defaults, nWarmupSteps: 3 });
  assert.deepEqual(JSON.parse(JSON.stringify(p.options)), p.options);
});

Deno.test("percentilePruner() reports invalid options as InvalidArgument naming the field, without throwing", () => {
  const cases: Array<[() => ReturnType<typeof medianPruner>, string, unknown]> = [
    [() => percentilePruner(101), "percentile", 101],
    [() => percentilePruner(-1), "percentile", -1],
    [() => percentilePruner(NaN), "percentile", NaN],
    [() => medianPruner({ nStartupTrials: -1 }), "nStartupTrials", -1],
    [() => medianPruner({ nStartupTrials: 1.5 }), "nStartupTrials", 1.5],
    [() => medianPruner({ nWarmupSteps: -1 }), "nWarmupSteps", -1],
    [() => medianPruner({ intervalSteps: 0 }), "intervalSteps", 0],
    [() => medianPruner({ nMinTrials: 0 }), "nMinTrials", 0],
  ];
  for (const [make, field, value] of cases) {
    const pruner = make();
    const err = expectInvalidPruner(pruner, field, handContext([...done, running([9, 9])]));
    assert.ok(Object.is((err as { value: unknown }).value, value));
    assert.match(err.message, new RegExp(`'${field}'`));
  }
});

Deno.test("createStudy() refuses a medianPruner with invalid options up front", async () => {
  const result = await createStudy({ pruner: medianPruner({ intervalSteps: 0 }) })();
  const err = expectLeft(result, "InvalidArgument");
  assert.match(err.message, /Invalid 'intervalSteps': expected an integer >= 1, got 0/);
});

// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

const curve = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 6 });

Deno.test("percentilePruner() prunes at least as often with a lower percentile (minimise)", () => {
  fc.assert(fc.property(
    fc.array(curve, { minLength: 1, maxLength: 8 }),
    curve,
    fc.constantFrom(0, 25, 50, 75, 100),
    fc.constantFrom(0, 25, 50, 75, 100),
    (others, live, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const trials = [
        ...others.map((c, i) => handTrial(i, c)),
        handTrial(others.length, live, { state: "RUNNING" }),
      ];
      const ctx = handContext(trials);
      const strict = prunes(percentilePruner(lo, { nStartupTrials: 0 }), ctx);
      const loose = prunes(percentilePruner(hi, { nStartupTrials: 0 }), ctx);
      return !loose || strict;
    },
  ));
});

Deno.test("percentilePruner() at 100 never prunes a trial that is no worse than every completed trial at the step", () => {
  fc.assert(fc.property(
    fc.array(curve, { minLength: 1, maxLength: 8 }),
    curve,
    (others, live) => {
      const step = live.length - 1;
      const atStep = others.filter((c) => c.length > step).map((c) => c[step] as number);
      fc.pre(atStep.length > 0 && Math.min(...live) <= Math.max(...atStep));
      const trials = [
        ...others.map((c, i) => handTrial(i, c)),
        handTrial(others.length, live, { state: "RUNNING" }),
      ];
      return !prunes(percentilePruner(100, { nStartupTrials: 0 }), handContext(trials));
    },
  ));
});

// -------------------------------------------------------------------------------------
// in a study
// -------------------------------------------------------------------------------------

Deno.test("medianPruner() prunes trials of a real study through shouldPrune", async () => {
  const trials = await prunedStudyTrials({
    sampler: randomSampler({ seed: 3 }),
    pruner: medianPruner({ nStartupTrials: 3 }),
  }, { steps: 10, nTrials: 25, returnLastReport: true });
  const pruned = trials.filter((t) => t.state === "PRUNED");
  assert.ok(pruned.length > 0, "some trials are pruned");
  assert.ok(trials.slice(0, 3).every((t) => t.state === "COMPLETE"), "startup trials run fully");
});
