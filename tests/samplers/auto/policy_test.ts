/**
 * The automatic sampler's policy as a pure function: the choice per phase (random, then GP,
 * CMA-ES, TPE, NSGA-II/III) from the facts of the trials, the facts themselves, the warm-start
 * trials of CMA-ES, and the property that makes resume exact: a choice never goes back as
 * trials are added.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AutoFacts,
  autoFacts,
  chooseSampler,
  warmStartTrials,
} from "../../../lib/samplers/auto/_policy.ts";
import {
  categoricalDistribution,
  type Distribution,
  floatDistribution,
} from "../../../lib/core/distributions.ts";
import type { FrozenTrial, TrialState } from "../../../lib/core/trial.ts";
import { getOrThrow } from "../../../mod.ts";

const facts = (f: Partial<AutoFacts>): AutoFacts => ({
  nComplete: 10,
  conditional: false,
  categorical: false,
  constrained: false,
  nObjectives: 1,
  ...f,
});

Deno.test("chooseSampler: one objective, numeric space: random, GP below the budget, then CMA-ES", () => {
  assert.equal(chooseSampler(facts({ nComplete: 0 }), 250), "random");
  assert.equal(chooseSampler(facts({ nComplete: 1 }), 250), "gp");
  assert.equal(chooseSampler(facts({ nComplete: 249 }), 250), "gp");
  assert.equal(chooseSampler(facts({ nComplete: 250 }), 250), "cmaEs");
  assert.equal(chooseSampler(facts({ nComplete: 1000 }), 250), "cmaEs");
});

Deno.test("chooseSampler: constraints or categorical parameters take TPE after the budget", () => {
  assert.equal(chooseSampler(facts({ nComplete: 100, constrained: true }), 250), "gp");
  assert.equal(chooseSampler(facts({ nComplete: 250, constrained: true }), 250), "tpe");
  assert.equal(chooseSampler(facts({ nComplete: 100, categorical: true }), 250), "gp");
  assert.equal(chooseSampler(facts({ nComplete: 250, categorical: true }), 250), "tpe");
});

Deno.test("chooseSampler: a conditional space takes TPE from the first complete trial on", () => {
  for (const nObjectives of [1, 2, 4]) {
    assert.equal(
      chooseSampler(facts({ nComplete: 0, conditional: true, nObjectives }), 250),
      "random",
    );
    for (const nComplete of [1, 249, 250, 2000]) {
      assert.equal(chooseSampler(facts({ nComplete, conditional: true, nObjectives }), 250), "tpe");
    }
  }
});

Deno.test("chooseSampler: several objectives: GP (numeric, 2 or 3 objectives) or TPE, then NSGA-II / NSGA-III", () => {
  assert.equal(chooseSampler(facts({ nObjectives: 2, nComplete: 0 }), 250), "random");
  assert.equal(chooseSampler(facts({ nObjectives: 2, nComplete: 249 }), 250), "gp");
  assert.equal(
    chooseSampler(facts({ nObjectives: 2, nComplete: 5, constrained: true }), 250),
    "gp",
  );
  assert.equal(chooseSampler(facts({ nObjectives: 3, nComplete: 5 }), 250), "gp");
  assert.equal(
    chooseSampler(facts({ nObjectives: 3, nComplete: 5, categorical: true }), 250),
    "tpe",
  );
  assert.equal(
    chooseSampler(facts({ nObjectives: 2, nComplete: 5, categorical: true }), 250),
    "tpe",
  );
  assert.equal(chooseSampler(facts({ nObjectives: 4, nComplete: 5 }), 250), "tpe");
  assert.equal(chooseSampler(facts({ nObjectives: 2, nComplete: 250 }), 250), "nsgaII");
  assert.equal(
    chooseSampler(facts({ nObjectives: 3, nComplete: 250, categorical: true }), 250),
    "nsgaII",
  );
  assert.equal(chooseSampler(facts({ nObjectives: 4, nComplete: 250 }), 250), "nsgaIII");
});

Deno.test("chooseSampler: the budget is an option (0: no GP phase)", () => {
  assert.equal(chooseSampler(facts({ nComplete: 1 }), 0), "cmaEs");
  assert.equal(chooseSampler(facts({ nComplete: 4 }), 5), "gp");
  assert.equal(chooseSampler(facts({ nComplete: 5 }), 5), "cmaEs");
});

Deno.test("chooseSampler: as trials are added, a choice never goes back to an earlier phase", () => {
  const order = ["random", "gp", "cmaEs", "tpe", "nsgaII", "nsgaIII"];
  const arbFacts = fc.record({
    nComplete: fc.nat(600),
    conditional: fc.boolean(),
    categorical: fc.boolean(),
    constrained: fc.boolean(),
    nObjectives: fc.integer({ min: 1, max: 5 }),
  });
  fc.assert(
    fc.property(
      arbFacts,
      fc.nat(300),
      fc.nat(3),
      fc.integer({ min: 1, max: 300 }),
      (f, more, flip, budget) => {
        // later facts: more complete trials, and facts that only turn true
        const later: AutoFacts = {
          ...f,
          nComplete: f.nComplete + more,
          conditional: f.conditional || flip === 0,
          categorical: f.categorical || flip === 1,
          constrained: f.constrained || flip === 2,
        };
        const a = chooseSampler(f, budget), b = chooseSampler(later, budget);
        if (a === "tpe" && f.nObjectives === 1) assert.equal(b, "tpe", "TPE stays");
        if (a === "cmaEs") assert.ok(b === "cmaEs" || b === "tpe", `${a} → ${b}`);
        if (a !== "random" && b === "random") assert.fail(`${a} → random`);
        assert.ok(order.includes(b));
      },
    ),
  );
});

let id = 0;
function trial(
  state: TrialState,
  params: Record<string, number | string>,
  extra: Partial<FrozenTrial> = {},
): FrozenTrial {
  const distributions: Record<string, Distribution> = {};
  for (const [name, v] of Object.entries(params)) {
    distributions[name] = typeof v === "string"
      ? getOrThrow(categoricalDistribution(["a", "b"]))
      : getOrThrow(floatDistribution(0, 10));
  }
  const n = id++;
  return {
    number: n,
    trialId: n,
    state,
    values: state === "COMPLETE" ? [n] : null,
    params,
    distributions,
    intermediateValues: {},
    userAttrs: {},
    systemAttrs: {},
    datetimeStart: n,
    datetimeComplete: state === "RUNNING" ? null : n,
    ...extra,
  };
}

Deno.test("autoFacts: counts COMPLETE trials and sees categorical, conditional and constrained trials", () => {
  const base = [trial("COMPLETE", { x: 1 }), trial("RUNNING", {}), trial("FAIL", { y: 2 })];
  assert.deepEqual(autoFacts(base, ["minimize"]), {
    nComplete: 1,
    conditional: false,
    categorical: false,
    constrained: false,
    nObjectives: 1,
  });
  const conditional = autoFacts([...base, trial("PRUNED", { x: 1, z: 3 })], ["minimize"]);
  assert.equal(conditional.conditional, true);
  assert.equal(conditional.nComplete, 1);
  const categorical = autoFacts([...base, trial("COMPLETE", { x: 1, c: "a" })], ["minimize"]);
  assert.equal(categorical.categorical, true);
  const constrained = autoFacts(
    [...base, trial("COMPLETE", { x: 2 }, { systemAttrs: { "constraints:c0": 1 } })],
    ["minimize", "maximize"],
  );
  assert.equal(constrained.constrained, true);
  assert.equal(constrained.nObjectives, 2);
  assert.equal(constrained.conditional, false);
});

Deno.test("warmStartTrials: the first COMPLETE trials by completion time, compatible with the space", () => {
  const a = trial("COMPLETE", { x: 1, y: 1 }, { datetimeComplete: 30 });
  const b = trial("COMPLETE", { x: 2, y: 2 }, { datetimeComplete: 10 });
  const c = trial("COMPLETE", { x: 3, y: 3 }, { datetimeComplete: 20 });
  const out = trial("COMPLETE", { x: 11, y: 3 }, { datetimeComplete: 5 }); // enqueued, out of range
  const failed = trial("FAIL", { x: 3, y: 3 });
  assert.deepEqual(warmStartTrials([a, b, c, out, failed], 2).map((t) => t.number), [
    b.number,
    c.number,
  ]);
  assert.deepEqual(warmStartTrials([a, b, c], 5).map((t) => t.number), [
    b.number,
    c.number,
    a.number,
  ]);
  const partial = trial("COMPLETE", { x: 3 }, { datetimeComplete: 1 });
  // the intersection space is {x}: trials with y too are not compatible with it
  assert.deepEqual(warmStartTrials([a, partial], 5).map((t) => t.number), [partial.number]);
  assert.deepEqual(warmStartTrials([], 5), []);
});
