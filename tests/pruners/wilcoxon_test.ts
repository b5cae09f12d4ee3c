import assert from "node:assert/strict";
import { wilcoxonPruner } from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";
import {
  checkCaseSet,
  checkSimulations,
  decisionCases,
  expectInvalidPruner,
  handContext,
  handTrial,
  prunes,
  prunesCase,
} from "../_helpers/pruner_fixtures.ts";

Deno.test("wilcoxonPruner() matches Optuna 5.0 across exact, permutation and normal-approximation tests", () => {
  checkCaseSet(decisionCases("wilcoxon.json"), 500, prunesCase);
});

Deno.test("wilcoxonPruner() replays an Optuna 5.0 study over shuffled instances", () => {
  assert.equal(checkSimulations("wilcoxon"), 1);
});

const best = handTrial(0, [3, 1, 4, 1, 5, 9, 2, 6]);
const live = (values: ReadonlyArray<number | undefined>) =>
  handTrial(1, values, { state: "RUNNING" });

Deno.test("wilcoxonPruner() prunes a trial significantly worse than the best on shared instances", () => {
  const pruner = wilcoxonPruner({ pThreshold: 0.05 });
  assert.equal(prunes(pruner, handContext([best, live([4.1, 2.2, 5.3, 2.4, 6.5, 10.6])])), true);
  assert.equal(prunes(pruner, handContext([best, live([4.1, 2.2, 5.3, 2.4])])), false); // p = 1/16
  assert.equal(prunes(pruner, handContext([best, live([2.5, 1.5, 3.5, 1.5])])), false);
});

Deno.test("wilcoxonPruner() mirrors the test when maximising", () => {
  const top = handTrial(0, [3, 1, 4, 1, 5, 9, 2, 6], { value: 100 });
  const pruner = wilcoxonPruner({ pThreshold: 0.05 });
  const ctx = handContext([top, live([1.9, -0.2, 2.7, -0.4, 3.5, 7.4])], "maximize");
  assert.equal(prunes(pruner, ctx), true);
});

Deno.test("wilcoxonPruner() keeps the trial when the best trial's mean is not better (Optuna's safety net)", () => {
  // worse on all six reported instances, but the best trial's mean over all eight (5) is above
  // the trial's mean (4.5)
  const uneven = handTrial(0, [1, 1, 1, 1, 1, 1, 17, 17], { value: 0 });
  const pruner = wilcoxonPruner({ pThreshold: 0.05 });
  assert.equal(prunes(pruner, handContext([uneven, live([2, 3, 4, 5, 6, 7])])), false);
});

Deno.test("wilcoxonPruner() keeps trials with NaN or infinite values, and without a best trial", () => {
  const pruner = wilcoxonPruner({ pThreshold: 1 });
  assert.equal(prunes(pruner, handContext([best, live([9, 9, NaN])])), false);
  assert.equal(prunes(pruner, handContext([best, live([9, 9, Infinity])])), false);
  const nanBest = handTrial(0, [1, NaN, 1], { value: 0 });
  assert.equal(prunes(pruner, handContext([nanBest, live([9, 9, 9])])), false);
  const noReports = handTrial(0, [], { value: 0 });
  assert.equal(prunes(pruner, handContext([noReports, live([9, 9, 9])])), false);
  assert.equal(prunes(pruner, handContext([live([9, 9, 9])])), false);
});

Deno.test("wilcoxonPruner() waits for max(2, nStartupSteps) shared instances", () => {
  const ctx = handContext([best, live([9, 9, 9])]);
  assert.equal(prunes(wilcoxonPruner({ pThreshold: 1, nStartupSteps: 0 }), ctx), true);
  assert.equal(prunes(wilcoxonPruner({ pThreshold: 1, nStartupSteps: 4 }), ctx), false);
  const one = handContext([best, live([9])]);
  assert.equal(prunes(wilcoxonPruner({ pThreshold: 1, nStartupSteps: 0 }), one), false);
});

Deno.test("wilcoxonPruner() compares with the best feasible trial when the best one violates a constraint", () => {
  const infeasible = handTrial(0, [0, 0, 0, 0, 0, 0], {
    value: -1,
    systemAttrs: { constraints: [1] },
  });
  const feasible = handTrial(1, [10, 10, 10, 10, 10, 10], {
    value: 5,
    systemAttrs: { constraints: [0] },
  });
  const trial = handTrial(2, [5, 5, 5, 5, 5, 5], { state: "RUNNING" });
  const pruner = wilcoxonPruner({ pThreshold: 0.5 });
  assert.equal(prunes(pruner, handContext([infeasible, feasible, trial])), false);
  const noConstraint = handTrial(0, [0, 0, 0, 0, 0, 0], { value: -1 });
  assert.equal(prunes(pruner, handContext([noConstraint, feasible, trial])), true);
});

Deno.test("wilcoxonPruner() refuses multi-objective studies with NotSupported", () => {
  expectLeft(
    wilcoxonPruner().prune(handContext([best, live([9, 9, 9])], ["minimize", "maximize"])),
    "NotSupported",
  );
});

Deno.test("wilcoxonPruner() records Optuna's defaults and reports invalid options without throwing", () => {
  assert.deepEqual(wilcoxonPruner().options, { pThreshold: 0.1, nStartupSteps: 2 });
  const cases: Array<[Parameters<typeof wilcoxonPruner>[0], string]> = [
    [{ pThreshold: 1.5 }, "pThreshold"],
    [{ pThreshold: -0.1 }, "pThreshold"],
    [{ pThreshold: NaN }, "pThreshold"],
    [{ nStartupSteps: -1 }, "nStartupSteps"],
  ];
  for (const [options, field] of cases) {
    const pruner = wilcoxonPruner(options);
    expectInvalidPruner(pruner, field, handContext([best, live([9, 9, 9])]));
  }
});
