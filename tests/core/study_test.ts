import assert from "node:assert/strict";
import fc from "fast-check";
import {
  bestTrial,
  dominates,
  isFeasible,
  orientedValues,
  paretoFront,
  trialConstraints,
} from "../../lib/core/study.ts";
import type { FrozenTrial, TrialState } from "../../lib/core/trial.ts";
import { frozenTrial } from "../_helpers/trials.ts";

const t = (
  number: number,
  values: number[] | null,
  state: TrialState = "COMPLETE",
): FrozenTrial => frozenTrial({ number, state, values });

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

const withConstraints = (trial: FrozenTrial, systemAttrs: FrozenTrial["systemAttrs"]) => ({
  ...trial,
  systemAttrs,
});

Deno.test("bestTrial() and paretoFront() skip trials that violate a constraint (old list and constraints:<key>)", () => {
  const trials = [
    withConstraints(t(0, [0]), { constraints: [0.5] }),
    withConstraints(t(1, [1]), { "constraints:mem": 1 }),
    withConstraints(t(2, [2]), { constraints: [0, -1], "constraints:mem": 0 }),
    t(3, [3]),
  ];
  assert.equal(bestTrial(trials, ["minimize"])?.number, 2);
  assert.equal(bestTrial(trials.slice(0, 2), ["minimize"]), undefined);
  const two = [
    withConstraints(t(0, [0, 0]), { constraints: [1] }),
    t(1, [1, 2]),
    t(2, [2, 1]),
  ];
  assert.deepEqual(paretoFront(two, ["minimize", "minimize"]).map((x) => x.number), [1, 2]);
  assert.deepEqual(paretoFront(two.slice(0, 1), ["minimize", "minimize"]), []);
});

Deno.test("trialConstraints() reads both formats, the keyed one winning; isFeasible() is all <= 0", () => {
  const trial = withConstraints(t(0, [0]), {
    constraints: [-1, 2],
    "constraints:1": 0,
    "constraints:x": -3,
    other: 5,
  });
  assert.deepEqual(trialConstraints(trial), { "0": -1, "1": 0, x: -3 });
  assert.equal(isFeasible(t(0, [0])), true);
  assert.equal(isFeasible(withConstraints(t(0, [0]), { constraints: [0, 0] })), true);
  assert.equal(isFeasible(withConstraints(t(0, [0]), { constraints: [0, 1e-9] })), false);
});
