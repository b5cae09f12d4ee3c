import assert from "node:assert/strict";
import fc from "fast-check";
import { hyperbandPruner, randomSampler } from "../../mod.ts";
import { hyperbandBracket, hyperbandLayout } from "../../lib/pruners/hyperband.ts";
import { expectLeft } from "../_helpers/study.ts";
import {
  checkCaseSet,
  checkSimulations,
  contextOf,
  decisionCases,
  expectInvalidPruner,
  handContext,
  handTrial,
  liveContext,
  prunes,
} from "../_helpers/pruner_fixtures.ts";
import { prunedStudyTrials } from "../_helpers/pruner_study.ts";

const FIXTURES = decisionCases("hyperband.json");
const rejected = (c: (typeof FIXTURES)[number]) =>
  typeof c.pruner.options?.maxResource === "number" &&
  c.pruner.options.maxResource < (c.pruner.options.minResource ?? 1);

Deno.test("hyperbandPruner() matches Optuna 5.0 decisions and rung attrs on random histories", () => {
  checkCaseSet(FIXTURES.filter((c) => !rejected(c)), 300);
});

Deno.test("hyperbandPruner() assigns brackets and sampler views exactly as Optuna 5.0", () => {
  let initialised = 0;
  for (const c of FIXTURES.filter((c) => !rejected(c))) {
    const ctx = contextOf(c);
    const pruner = hyperbandPruner(c.pruner.options ?? {});
    const layout = hyperbandLayout(c.pruner.options ?? {}, ctx.trials);
    assert.equal(layout !== undefined, c.expected.initialised, `${c.name}: initialised`);
    if (layout !== undefined) initialised++;
    assert.equal(
      hyperbandBracket(c.studyName, ctx.trial.number, layout),
      c.expected.bracket,
      c.name,
    );
    const view = pruner.samplerTrials?.(ctx) ?? ctx.trials;
    assert.deepEqual(
      view.map((t) => t.number),
      c.expected.samplerTrials,
      `${c.name}: sampler view`,
    );
  }
  assert.ok(initialised > 250);
});

Deno.test("hyperbandPruner() refuses maxResource below minResource, where Optuna silently never prunes", () => {
  const cases = FIXTURES.filter(rejected);
  assert.ok(cases.length > 0);
  for (const c of cases) {
    assert.equal(c.expected.prune, false);
    const err = expectLeft(
      hyperbandPruner(c.pruner.options ?? {}).prune(contextOf(c)),
      "InvalidArgument",
    );
    assert.equal((err as { field: string }).field, "maxResource");
  }
});

Deno.test("hyperbandPruner() replays Optuna 5.0 studies, including its cached 'auto' maxResource", () => {
  assert.equal(checkSimulations("hyperband"), 3);
});

Deno.test("hyperbandLayout() gives Optuna's brackets and budgets", () => {
  const layout = hyperbandLayout({ maxResource: 100 });
  assert.deepEqual(layout, {
    maxResource: 100,
    nBrackets: 5,
    budgets: [81, 34, 15, 8, 5],
    totalBudget: 143,
  });
  assert.equal(hyperbandLayout({ maxResource: 243 })?.nBrackets, 5); // log3(243) rounds down
  assert.equal(hyperbandLayout({ maxResource: 1 })?.nBrackets, 1);
  assert.equal(hyperbandLayout({}), undefined);
  assert.equal(hyperbandLayout({ maxResource: 0 }), undefined);
});

Deno.test("hyperbandPruner() with 'auto' neither prunes nor splits the sampler's trials until a trial completes", () => {
  const pruner = hyperbandPruner();
  const trials = [0, 1, 2].map((n) => handTrial(n, [9, 9, 9], { state: "RUNNING" }));
  const ctx = handContext(trials);
  assert.equal(prunes(pruner, ctx), false);
  assert.deepEqual(pruner.samplerTrials?.(ctx), trials);
});

Deno.test("hyperbandPruner() hands the sampler only the live trial's bracket, unless told not to", () => {
  const trials = Array.from({ length: 40 }, (_, n) => handTrial(n, [1, 1]));
  const ctx = handContext(trials, "minimize", "my-study");
  const layout = hyperbandLayout({ maxResource: 27 });
  const bracket = hyperbandBracket("my-study", 39, layout);
  const view = hyperbandPruner({ maxResource: 27 }).samplerTrials?.(ctx) ?? [];
  assert.ok(view.length > 0 && view.length < trials.length);
  assert.ok(view.every((t) => hyperbandBracket("my-study", t.number, layout) === bracket));
  assert.equal(
    hyperbandPruner({ maxResource: 27, bracketSamplerTrials: false }).samplerTrials,
    undefined,
  );
});

Deno.test("hyperbandPruner() refuses multi-objective studies with NotSupported", () => {
  const trial = handTrial(0, [1, 1], { state: "RUNNING" });
  expectLeft(
    hyperbandPruner({ maxResource: 9 }).prune(handContext([trial], ["minimize", "maximize"])),
    "NotSupported",
  );
});

Deno.test("hyperbandPruner() records Optuna's defaults", () => {
  assert.deepEqual(hyperbandPruner().options, {
    minResource: 1,
    maxResource: "auto",
    reductionFactor: 3,
    bootstrapCount: 0,
    bracketSamplerTrials: true,
  });
});

Deno.test("hyperbandPruner() reports invalid options as InvalidArgument naming the field, without throwing", () => {
  const cases: Array<[Parameters<typeof hyperbandPruner>[0], string]> = [
    [{ minResource: 0 }, "minResource"],
    [{ maxResource: "big" as "auto" }, "maxResource"],
    [{ maxResource: 2.5 }, "maxResource"],
    [{ maxResource: 3, minResource: 4 }, "maxResource"],
    [{ reductionFactor: 1 }, "reductionFactor"],
    [{ bootstrapCount: -1 }, "bootstrapCount"],
    [{ bootstrapCount: 2 }, "bootstrapCount"],
  ];
  for (const [options, field] of cases) {
    const pruner = hyperbandPruner(options);
    expectInvalidPruner(pruner, field, liveContext([1]), JSON.stringify(options));
    assert.equal(pruner.samplerTrials, undefined);
  }
});

Deno.test("hyperbandBracket() always lands in a bracket, with frequencies following the budgets", () => {
  const layout = hyperbandLayout({ maxResource: 81 });
  assert.ok(layout !== undefined);
  fc.assert(fc.property(fc.string(), fc.nat(), (name, n) => {
    const b = hyperbandBracket(name, n, layout);
    return Number.isInteger(b) && b >= 0 && b < layout.nBrackets;
  }));
  const counts = new Array(layout.nBrackets).fill(0);
  for (let n = 0; n < 20000; n++) counts[hyperbandBracket("freq", n, layout)]++;
  counts.forEach((c, b) => {
    const expected = 20000 * (layout.budgets[b] as number) / layout.totalBudget;
    assert.ok(Math.abs(c - expected) < 0.1 * expected + 30, `bracket ${b}: ${c} vs ${expected}`);
  });
});

Deno.test("hyperbandPruner() prunes trials and writes rung attrs through shouldPrune", async () => {
  const trials = await prunedStudyTrials({
    studyName: "hyperband-e2e",
    sampler: randomSampler({ seed: 11 }),
    pruner: hyperbandPruner({ maxResource: 9 }),
  }, { steps: 9, nTrials: 30 });
  assert.ok(trials.some((t) => t.state === "PRUNED"));
  assert.ok(trials.some((t) => typeof t.systemAttrs["completed_rung_0"] === "number"));
});
