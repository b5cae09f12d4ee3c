import assert from "node:assert/strict";
import fc from "fast-check";
import {
  medianPruner,
  nopPruner,
  patientPruner,
  right,
  successiveHalvingPruner,
  thresholdPruner,
} from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";
import {
  checkCaseSet,
  checkSimulations,
  decisionCases,
  expectInvalidPruner,
  liveContext as live,
  prunes,
  prunesCase,
} from "../_helpers/pruner_fixtures.ts";

Deno.test("patientPruner() matches Optuna 5.0 on random histories around median, percentile and threshold pruners", () => {
  checkCaseSet(decisionCases("patient.json"), 300, prunesCase);
});

Deno.test("patientPruner() replays an Optuna 5.0 study step by step", () => {
  assert.equal(checkSimulations("patient"), 1);
});

Deno.test("patientPruner() needs more than patience + 1 reports before deciding", () => {
  const pruner = patientPruner(null, 2);
  assert.equal(prunes(pruner, live([1, 2, 3])), false);
  assert.equal(prunes(pruner, live([1, 2, 3, 4])), true);
});

Deno.test("patientPruner() compares the recent window with the best value before it", () => {
  const pruner = patientPruner(null, 2);
  assert.equal(prunes(pruner, live([5, 4, 3, 3.5, 3.2])), false);
  assert.equal(prunes(pruner, live([5, 4, 3, 3.5, 3.2, 3.1])), true);
  assert.equal(prunes(pruner, live([5, 6, 7, 6.5, 6.8, 6.9], "maximize")), true);
  assert.equal(prunes(pruner, live([5, 6, 7, 6.5, 6.8, 7.1], "maximize")), false);
});

Deno.test("patientPruner() counts only improvements larger than minDelta", () => {
  assert.equal(prunes(patientPruner(null, 1, { minDelta: 0.5 }), live([3, 2.9, 2.8])), false);
  assert.equal(prunes(patientPruner(null, 1, { minDelta: 0.05 }), live([3, 3.1, 3.2])), true);
});

Deno.test("patientPruner() asks the inner pruner once stagnating and passes its decision on", () => {
  const stuck = [1, 1.5, 1.6, 1.7];
  assert.equal(prunes(patientPruner(nopPruner(), 1), live(stuck)), false);
  assert.equal(prunes(patientPruner(thresholdPruner({ upper: 1.65 }), 1), live(stuck)), true);
  const sh = patientPruner(successiveHalvingPruner({ minResource: 1, reductionFactor: 2 }), 1);
  const d = sh.prune(live(stuck));
  assert.deepEqual(
    d,
    right({ prune: false, trialSystemAttrs: { completed_rung_0: 1.7, completed_rung_1: 1.7 } }),
  );
});

Deno.test("patientPruner() refuses multi-objective studies with NotSupported", () => {
  const ctx = live([1, 2, 3, 4], ["minimize", "maximize"]);
  expectLeft(patientPruner(null, 1).prune(ctx), "NotSupported");
});

Deno.test("patientPruner() records its options and the inner pruner's", () => {
  assert.deepEqual(patientPruner(medianPruner(), 3).options, {
    inner: {
      kind: "median",
      options: { nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1, nMinTrials: 1 },
    },
    patience: 3,
    minDelta: 0,
  });
  assert.deepEqual(patientPruner(null, 0).options, { inner: null, patience: 0, minDelta: 0 });
});

Deno.test("patientPruner() reports invalid options, and an invalid inner pruner, without throwing", () => {
  const cases: Array<[ReturnType<typeof patientPruner>, string]> = [
    [patientPruner(null, -1), "patience"],
    [patientPruner(null, 1.5), "patience"],
    [patientPruner(null, 1, { minDelta: -0.1 }), "minDelta"],
    [patientPruner(null, 1, { minDelta: NaN }), "minDelta"],
    [patientPruner(medianPruner({ nWarmupSteps: -2 }), 1), "nWarmupSteps"],
  ];
  for (const [pruner, field] of cases) {
    expectInvalidPruner(pruner, field, live([1, 2, 3]));
  }
});

Deno.test("patientPruner() around a pruner that never prunes never prunes", () => {
  fc.assert(fc.property(
    fc.array(fc.oneof(fc.double({ noNaN: false }), fc.constant(NaN)), { maxLength: 12 }),
    fc.integer({ min: 0, max: 5 }),
    (curve, patience) => !prunes(patientPruner(nopPruner(), patience), live(curve)),
  ));
});

Deno.test("patientPruner() never prunes a strictly improving curve", () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 12 }),
    fc.integer({ min: 0, max: 5 }),
    (drops, patience) => {
      let v = 0;
      const curve = drops.map((d) => (v -= d));
      return !prunes(patientPruner(null, patience), live(curve));
    },
  ));
});
