import assert from "node:assert/strict";
import fc from "fast-check";
import { right, thresholdPruner } from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";
import {
  checkCaseSet,
  checkSimulations,
  decisionCases,
  expectInvalidPruner,
  liveContext as live,
  prunes,
} from "../_helpers/pruner_fixtures.ts";

Deno.test("thresholdPruner() matches Optuna 5.0 on random histories with NaN, infinities and out-of-order steps", () => {
  checkCaseSet(decisionCases("threshold.json"), 200);
});

Deno.test("thresholdPruner() replays an Optuna 5.0 study step by step", () => {
  assert.equal(checkSimulations("threshold"), 1);
});

Deno.test("thresholdPruner() prunes a latest value below lower or above upper", () => {
  const pruner = thresholdPruner({ lower: 0, upper: 1 });
  assert.equal(prunes(pruner, live([0.5, -0.1])), true);
  assert.equal(prunes(pruner, live([0.5, 1.1])), true);
  assert.equal(prunes(pruner, live([0.5, 1])), false);
  assert.equal(prunes(pruner, live([0.5, 0])), false);
});

Deno.test("thresholdPruner() prunes a NaN value and looks only at the latest step", () => {
  const pruner = thresholdPruner({ upper: 1 });
  assert.equal(prunes(pruner, live([0.5, NaN])), true);
  assert.equal(prunes(pruner, live([5, 0.5])), false);
});

Deno.test("thresholdPruner() respects warm-up and the interval grid", () => {
  const pruner = thresholdPruner({ upper: 1, nWarmupSteps: 2, intervalSteps: 2 });
  const decisions = [1, 2, 3, 4, 5].map((n) => prunes(pruner, live(Array(n).fill(9))));
  assert.deepEqual(decisions, [false, false, true, false, true]);
});

Deno.test("thresholdPruner() ignores the study direction", () => {
  const pruner = thresholdPruner({ lower: 0 });
  assert.equal(prunes(pruner, live([-1], "maximize")), true);
  assert.equal(prunes(pruner, live([-1], "minimize")), true);
});

Deno.test("thresholdPruner() refuses multi-objective studies with NotSupported", () => {
  expectLeft(
    thresholdPruner({ upper: 1 }).prune(live([9], ["minimize", "minimize"])),
    "NotSupported",
  );
});

Deno.test("thresholdPruner() records its options with Optuna's defaults", () => {
  assert.deepEqual(thresholdPruner({ upper: 2 }).options, {
    lower: null,
    upper: 2,
    nWarmupSteps: 0,
    intervalSteps: 1,
  });
  assert.deepEqual(thresholdPruner({ upper: 2 }).validate?.(), right(undefined));
});

Deno.test("thresholdPruner() reports invalid options as InvalidArgument naming the field, without throwing", () => {
  const cases: Array<[Parameters<typeof thresholdPruner>[0], string]> = [
    [{}, "lower"],
    [{ lower: 2, upper: 1 }, "upper"],
    [{ lower: NaN }, "lower"],
    [{ upper: NaN }, "upper"],
    [{ upper: 1, nWarmupSteps: -1 }, "nWarmupSteps"],
    [{ upper: 1, intervalSteps: 0 }, "intervalSteps"],
  ];
  for (const [options, field] of cases) {
    const pruner = thresholdPruner(options);
    expectInvalidPruner(pruner, field, live([1]), JSON.stringify(options));
  }
});

Deno.test("thresholdPruner() never prunes while every reported value lies inside the bounds", () => {
  fc.assert(fc.property(
    fc.double({ min: -100, max: 100, noNaN: true }),
    fc.double({ min: 0, max: 100, noNaN: true }),
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }),
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
    (lower, width, fractions, nWarmupSteps, intervalSteps) => {
      const upper = lower + width;
      const curve = fractions.map((f) => Math.min(upper, lower + f * width));
      const pruner = thresholdPruner({ lower, upper, nWarmupSteps, intervalSteps });
      return !prunes(pruner, live(curve));
    },
  ));
});
