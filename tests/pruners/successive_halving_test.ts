import assert from "node:assert/strict";
import fc from "fast-check";
import { randomSampler, right, successiveHalvingPruner } from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";
import {
  checkCaseSet,
  checkHandBuiltCases,
  checkSimulations,
  type DecisionCase,
  decisionCases,
  expectInvalidPruner,
  handContext,
  handTrial,
  liveContext,
  randomCases,
} from "../_helpers/pruner_fixtures.ts";
import { prunedStudyTrials } from "../_helpers/pruner_study.ts";

const FIXTURES = decisionCases("successive_halving.json");

Deno.test("successiveHalvingPruner() matches Optuna 5.0 on hand-built histories", (t) =>
  checkHandBuiltCases(t, FIXTURES));

Deno.test("successiveHalvingPruner() matches Optuna 5.0 decisions and rung attrs on random histories", () => {
  const multiRung = (c: DecisionCase) => Object.keys(c.expected.systemAttrs).length > 1;
  checkCaseSet(randomCases(FIXTURES), 400, multiRung);
});

Deno.test("successiveHalvingPruner() replays Optuna 5.0 studies, including its cached 'auto' minResource", () => {
  assert.equal(checkSimulations("successiveHalving"), 2);
});

const rung0 = (number: number, value: number) =>
  handTrial(number, [value, value, value], { systemAttrs: { completed_rung_0: value } });

Deno.test("successiveHalvingPruner() writes completed_rung_<k> under Optuna's name and prunes outside the top 1/η", () => {
  const pruner = successiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
  const others = [rung0(0, 0.5), rung0(1, 0.4), rung0(2, 0.3)];
  const bad = handTrial(3, [2, 1], { state: "RUNNING" });
  assert.deepEqual(
    pruner.prune(handContext([...others, bad])),
    right({ prune: true, trialSystemAttrs: { completed_rung_0: 1 } }),
  );
  const good = handTrial(3, [2, 0.35], { state: "RUNNING" });
  assert.deepEqual(
    pruner.prune(handContext([...others, good])),
    right({ prune: false, trialSystemAttrs: { completed_rung_0: 0.35 } }),
  );
});

Deno.test("successiveHalvingPruner() keeps a trial between rungs without writing anything", () => {
  const pruner = successiveHalvingPruner({ minResource: 2, reductionFactor: 2 });
  const trial = handTrial(0, [5, 5, 5], {
    state: "RUNNING",
    systemAttrs: { completed_rung_0: 5 },
  });
  assert.deepEqual(pruner.prune(handContext([trial])), right({ prune: false }));
});

Deno.test("successiveHalvingPruner() prunes a NaN value at a rung", () => {
  const pruner = successiveHalvingPruner({ minResource: 1 });
  const trial = handTrial(0, [1, NaN], { state: "RUNNING" });
  assert.deepEqual(pruner.prune(handContext([trial])), right({ prune: true }));
});

Deno.test("successiveHalvingPruner() with 'auto' waits for a completed trial and uses the first one's length", () => {
  const pruner = successiveHalvingPruner();
  const alone = handTrial(0, [9, 9, 9], { state: "RUNNING" });
  assert.deepEqual(pruner.prune(handContext([alone])), right({ prune: false }));
  // The first completed trial ran 250 steps (r = 2), a later one 450 (r would be 4): the
  // estimate stays at 2, as Optuna's cached value does.
  const first = handTrial(0, Array(250).fill(1), { datetimeComplete: 10 });
  const later = handTrial(1, Array(450).fill(1), { datetimeComplete: 20 });
  const live = handTrial(2, [9, 9, 9], { state: "RUNNING" });
  const d = pruner.prune(handContext([first, later, live]));
  assert.deepEqual(d, right({ prune: false, trialSystemAttrs: { completed_rung_0: 9 } }));
});

Deno.test("successiveHalvingPruner() prunes until more than bootstrapCount trials reached a rung", () => {
  const pruner = successiveHalvingPruner({ minResource: 1, bootstrapCount: 2 });
  const live = handTrial(1, [0, 0.1], { state: "RUNNING" });
  assert.equal(
    (pruner.prune(handContext([rung0(0, 0.5), live])) as { right: { prune: boolean } }).right.prune,
    true,
  );
  assert.equal(
    (pruner.prune(handContext([rung0(0, 0.5), rung0(2, 0.6), live])) as {
      right: { prune: boolean };
    })
      .right.prune,
    false,
  );
});

Deno.test("successiveHalvingPruner() refuses multi-objective studies with NotSupported", () => {
  const trial = handTrial(0, [1, 1], { state: "RUNNING" });
  expectLeft(
    successiveHalvingPruner({ minResource: 1 }).prune(
      handContext([trial], ["minimize", "minimize"]),
    ),
    "NotSupported",
  );
});

Deno.test("successiveHalvingPruner() records Optuna's defaults", () => {
  assert.deepEqual(successiveHalvingPruner().options, {
    minResource: "auto",
    reductionFactor: 4,
    minEarlyStoppingRate: 0,
    bootstrapCount: 0,
  });
});

Deno.test("successiveHalvingPruner() reports invalid options as InvalidArgument naming the field, without throwing", () => {
  const cases: Array<[Parameters<typeof successiveHalvingPruner>[0], string]> = [
    [{ minResource: 0 }, "minResource"],
    [{ minResource: "fast" as "auto" }, "minResource"],
    [{ reductionFactor: 1 }, "reductionFactor"],
    [{ reductionFactor: 2.5 }, "reductionFactor"],
    [{ minEarlyStoppingRate: -1 }, "minEarlyStoppingRate"],
    [{ bootstrapCount: -1, minResource: 1 }, "bootstrapCount"],
    [{ bootstrapCount: 1 }, "bootstrapCount"],
  ];
  for (const [options, field] of cases) {
    const pruner = successiveHalvingPruner(options);
    expectInvalidPruner(pruner, field, liveContext([1]), JSON.stringify(options));
  }
});

Deno.test("successiveHalvingPruner() writes consecutive rung keys starting at the trial's current rung", () => {
  fc.assert(fc.property(
    fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { maxLength: 4 }), {
      maxLength: 8,
    }),
    fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 30 }),
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 2, max: 4 }),
    (rungValues, curve, start, rf) => {
      const others = rungValues.map((vs, i) =>
        handTrial(i, [1], {
          systemAttrs: Object.fromEntries(vs.map((v, k) => [`completed_rung_${k}`, v])),
        })
      );
      const startAttrs = Object.fromEntries(
        Array.from({ length: start }, (_, k) => [`completed_rung_${k}`, 0]),
      );
      const live = handTrial(others.length, curve, { state: "RUNNING", systemAttrs: startAttrs });
      const pruner = successiveHalvingPruner({ minResource: 1, reductionFactor: rf });
      const d = pruner.prune(handContext([...others, live]));
      if (d._tag === "Left") return false;
      const keys = Object.keys(d.right.trialSystemAttrs ?? {});
      return keys.every((k, i) => k === `completed_rung_${start + i}`) &&
        Object.values(d.right.trialSystemAttrs ?? {}).every((v) => v === curve[curve.length - 1]);
    },
  ));
});

Deno.test("successiveHalvingPruner() records rung values in storage through shouldPrune", async () => {
  const trials = await prunedStudyTrials({
    sampler: randomSampler({ seed: 5 }),
    pruner: successiveHalvingPruner({ minResource: 1, reductionFactor: 2 }),
  }, { steps: 8, nTrials: 12 });
  assert.ok(trials.every((t) => typeof t.systemAttrs["completed_rung_0"] === "number"));
  assert.ok(trials.some((t) => t.state === "PRUNED"));
  const complete = trials.filter((t) => t.state === "COMPLETE");
  assert.ok(complete.every((t) => typeof t.systemAttrs["completed_rung_2"] === "number"));
});
