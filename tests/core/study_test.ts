import assert from "node:assert/strict";
import fc from "fast-check";
import { bestTrial, dominates, orientedValues, paretoFront } from "../../lib/core/study.ts";
import type { FrozenTrial, TrialState } from "../../lib/core/trial.ts";

const t = (
  number: number,
  values: number[] | null,
  state: TrialState = "COMPLETE",
): FrozenTrial => ({
  number,
  trialId: number,
  state,
  values,
  params: {},
  distributions: {},
  intermediateValues: {},
  userAttrs: {},
  systemAttrs: {},
  datetimeStart: 0,
  datetimeComplete: 0,
});

Deno.test("bestTrial() picks the best COMPLETE trial and the earliest on ties", () => {
  const trials = [t(0, [3]), t(1, [1]), t(2, [1]), t(3, [0], "PRUNED"), t(4, null, "FAIL")];
  assert.equal(bestTrial(trials, ["minimize"])?.number, 1);
  assert.equal(bestTrial(trials, ["maximize"])?.number, 0);
  assert.equal(bestTrial([t(0, [-Infinity]), t(1, [5])], ["minimize"])?.number, 0);
  assert.equal(bestTrial([], ["minimize"]), undefined);
  assert.equal(bestTrial(trials, ["minimize", "minimize"]), undefined);
});

Deno.test("paretoFront() keeps non-dominated trials and duplicates of front points, as Optuna does", () => {
  const trials = [t(0, [1, 2]), t(1, [2, 1]), t(2, [1, 2]), t(3, [3, 3]), t(4, [0, 0], "RUNNING")];
  assert.deepEqual(paretoFront(trials, ["minimize", "minimize"]).map((x) => x.number), [0, 1, 2]);
  assert.deepEqual(paretoFront(trials, ["maximize", "maximize"]).map((x) => x.number), [3]);
});

Deno.test("paretoFront(): no front trial is dominated and every other trial is", () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), {
      maxLength: 30,
    }),
    fc.constantFrom<["minimize" | "maximize", "minimize" | "maximize"]>(["minimize", "minimize"], [
      "maximize",
      "minimize",
    ]),
    (points, directions) => {
      const trials = points.map((p, i) => t(i, [...p]));
      const front = new Set(paretoFront(trials, directions).map((x) => x.number));
      const o = (x: FrozenTrial) => orientedValues(x.values!, directions);
      return trials.every((a) =>
        front.has(a.number) === !trials.some((b) => dominates(o(b), o(a)))
      );
    },
  ));
});
