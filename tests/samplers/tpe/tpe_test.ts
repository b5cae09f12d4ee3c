import assert from "node:assert/strict";
import type { Direction } from "../../../mod.ts";
import { acquisition, buildEstimators } from "../../../lib/samplers/tpe/acquisition.ts";
import { gammaOf, splitTrials } from "../../../lib/samplers/tpe/split.ts";
import { usedTrials } from "../../../lib/samplers/tpe/fast/_history.ts";
import { createTpeWorkspace } from "../../../lib/samplers/tpe/fast/workspace.ts";
import { hypervolume, nonDominationRanks, solveHssp } from "../../../lib/math/hypervolume.ts";

/** The workspace of the tests' draws (a sampler's memos; results never depend on it). */
const ws = createTpeWorkspace();
import {
  close,
  distFromJson,
  type DistJson,
  num,
  readFixture,
  type TrialJson,
  trialsFromJson,
} from "../../_helpers/tpe_fixtures.ts";

// -------------------------------------------------------------------------------------
// parity with Optuna 5.0
// -------------------------------------------------------------------------------------

interface SplitCase {
  name: string;
  directions: Direction[];
  space: Record<string, DistJson>;
  trials: TrialJson[];
  nBelow: number;
  below: number[];
  above: number[];
}

for (const c of readFixture<{ cases: SplitCase[] }>("split.json").cases) {
  Deno.test(`splitTrials() matches Optuna 5.0: ${c.name}`, () => {
    const trials = trialsFromJson(c.trials, c.space);
    const { below, above } = splitTrials(trials, c.directions, c.nBelow);
    assert.deepEqual(below.map((t) => t.number), c.below);
    assert.deepEqual(above.map((t) => t.number), c.above);
  });
}

interface AcqCase {
  name: string;
  directions: Direction[];
  space: Record<string, DistJson>;
  trials: TrialJson[];
  searchSpace: string[];
  multivariate: boolean;
  constantLiar: boolean;
  current: number | null;
  below: number[];
  above: number[];
  points: Record<string, number[]>;
  acquisition: (number | string)[];
  acquisitionStableSort: (number | string)[];
  sortDependent: boolean;
}

for (const c of readFixture<{ cases: AcqCase[] }>("acquisition.json").cases) {
  Deno.test(`TPE acquisition log l(x) − log g(x) matches Optuna 5.0: ${c.name}`, () => {
    const all = trialsFromJson(c.trials, c.space);
    const trials = usedTrials(ws.history, all, c.current ?? -1, c.constantLiar);
    const space = Object.fromEntries(c.searchSpace.map((k) => [k, distFromJson(c.space[k]!)]));
    const cfg = { ...CONFIG, multivariate: c.multivariate, constantLiar: c.constantLiar };
    const est = buildEstimators(ws, cfg, trials, c.directions, space);
    const cols = c.searchSpace.map((k) => Float64Array.from(c.points[k]!));
    const m = cols[0]!.length;
    for (const exact of [true, false]) {
      const acq = acquisition(ws, est, cols, m, exact);
      // with duplicated observations and unequal weights, Optuna's bandwidth assignment follows
      // numpy's unstable argsort (CPU dependent); the fixture also records Optuna's values with
      // a stable sort, which is what we implement
      c.acquisitionStableSort.forEach((v, j) => close(acq[j]!, num(v), `acq ${j}`));
      if (!c.sortDependent) c.acquisition.forEach((v, j) => close(acq[j]!, num(v), `acq ${j}`));
    }
  });
}

Deno.test("gammaOf() matches Optuna's gamma functions", () => {
  const w = readFixture<Record<string, Record<string, number>>>("weights.json");
  for (const [n, v] of Object.entries(w.defaultGamma!)) {
    assert.equal(gammaOf({ kind: "default" }, Number(n), 1), v);
  }
  for (const [n, v] of Object.entries(w.hyperoptGamma!)) {
    assert.equal(gammaOf({ kind: "hyperopt" }, Number(n), 1), v);
  }
  for (const [n, v] of Object.entries(w.multiObjectiveGamma!)) {
    assert.equal(gammaOf({ kind: "default" }, Number(n), 2), v);
  }
});

interface MoFixture {
  ranks: { loss: number[][]; nBelow: number | null; ranks: number[] }[];
  hypervolume: { loss: number[][]; reference: number[]; hypervolume: number }[];
  hssp: { loss: number[][]; subsetSize: number; reference: number[]; selected: number[] }[];
}
const mo = readFixture<MoFixture>("mo.json");

Deno.test("nonDominationRanks() matches Optuna 5.0", () => {
  for (const c of mo.ranks) {
    assert.deepEqual([...nonDominationRanks(c.loss, c.nBelow ?? undefined)], c.ranks);
  }
});

Deno.test("hypervolume() matches Optuna 5.0", () => {
  for (const c of mo.hypervolume) {
    close(
      hypervolume(c.loss, c.reference),
      c.hypervolume,
      `hv ${c.loss.length}x${c.reference.length}`,
    );
  }
});

Deno.test("solveHssp() selects the same subset as Optuna 5.0", () => {
  for (const c of mo.hssp) {
    const idx = c.loss.map((_, i) => i);
    const sel = solveHssp(c.loss, idx, c.subsetSize, c.reference).sort((a, b) => a - b);
    assert.deepEqual(sel, c.selected);
  }
});

// -------------------------------------------------------------------------------------
// behaviour
// -------------------------------------------------------------------------------------

import fc from "fast-check";
import {
  ask,
  categoricalDistribution,
  createStudy,
  type Distribution,
  flatMap,
  floatDistribution,
  getOrThrow,
  getTrials,
  intDistribution,
  map,
  optimize,
  runOrThrow,
  samplerFromSnapshot,
  studySampler,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tpeSampler,
  type TpeSamplerOptions,
  type Trial,
} from "../../../mod.ts";
import { contains } from "../../../lib/core/distributions.ts";
import { samplerImpl } from "../../../lib/samplers/catalog.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { checkReplay, checkRerun } from "../../_helpers/sampler_replay.ts";
import { CONFIG, mixedObjective, mixedRun } from "./_helpers.ts";

const quadratic = (t: Trial) => map(suggestFloat(t, "x", -10, 10), (x) => (x - 2) ** 2);

Deno.test("tpeSampler() prefers the region of the best trials", async () => {
  const study = await runOrThrow(createStudy({ sampler: tpeSampler({ seed: 3 }) }));
  await runOrThrow(optimize(study, quadratic, { nTrials: 60 }));
  const xs = (await runOrThrow(getTrials(study))).map((t) => t.params.x as number);
  const spread = (a: number[]) => a.reduce((s, x) => s + Math.abs(x - 2), 0) / a.length;
  assert.ok(spread(xs.slice(-20)) < 0.75 * spread(xs.slice(0, 10)));
  assert.ok(Math.min(...xs.map((x) => Math.abs(x - 2))) < 0.1);
});

Deno.test("tpeSampler() with a seed gives the same suggestions for the same history", async () => {
  for (const multivariate of [true, false]) {
    const a = await runOrThrow(getTrials(await mixedRun({ seed: 11, multivariate }, 25)));
    const b = await runOrThrow(getTrials(await mixedRun({ seed: 11, multivariate }, 25)));
    assert.deepEqual(a.map((t) => t.params), b.map((t) => t.params));
  }
});

Deno.test("tpeSampler() restored from a snapshot continues the study exactly", async () => {
  const study = await mixedRun({ seed: 5 }, 15);
  const snapshot = JSON.stringify(studySampler(study));
  const first = await runOrThrow(getTrials(study));
  await runOrThrow(optimize(study, mixedObjective, { nTrials: 5 }));
  const expected = (await runOrThrow(getTrials(study))).slice(15).map((t) => t.params);

  const restored = getOrThrow(samplerFromSnapshot(snapshot));
  const again = await runOrThrow(createStudy({ sampler: restored }));
  for (const t of first) {
    getOrThrow(
      await again.storage.createTrial(again.studyId, {
        state: t.state,
        values: t.values,
        params: t.params,
        distributions: t.distributions,
      })(),
    );
  }
  await runOrThrow(optimize(again, mixedObjective, { nTrials: 5 }));
  const got = (await runOrThrow(getTrials(again))).slice(15).map((t) => t.params);
  assert.deepEqual(got, expected);
});

const distArb: fc.Arbitrary<Distribution> = fc.oneof(
  fc.tuple(
    fc.double({ min: -100, max: 100, noNaN: true }),
    fc.double({ min: 0.01, max: 100, noNaN: true }),
  )
    .map(([l, s]) => getOrThrow(floatDistribution(l, l + s)) as Distribution),
  fc.tuple(
    fc.double({ min: 1e-4, max: 10, noNaN: true }),
    fc.double({ min: 1.5, max: 1e4, noNaN: true }),
  )
    .map(([l, f]) => getOrThrow(floatDistribution(l, l * f, { log: true })) as Distribution),
  fc.tuple(
    fc.integer({ min: -20, max: 20 }),
    fc.integer({ min: 1, max: 30 }),
    fc.constantFrom(0.1, 0.25, 0.5),
  )
    .map(([l, k, s]) => getOrThrow(floatDistribution(l, l + k * s, { step: s })) as Distribution),
  fc.tuple(
    fc.integer({ min: -50, max: 50 }),
    fc.integer({ min: 1, max: 60 }),
    fc.integer({ min: 1, max: 3 }),
  )
    .map(([l, k, s]) => getOrThrow(intDistribution(l, l + k * s, { step: s })) as Distribution),
  fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 2000 }))
    .map(([l, k]) => getOrThrow(intDistribution(l, l + k, { log: true })) as Distribution),
  fc.integer({ min: 2, max: 6 }).map((k) =>
    getOrThrow(
      categoricalDistribution(Array.from({ length: k }, (_, i) => `c${i}`)),
    ) as Distribution
  ),
);

function suggestDist(t: Trial, name: string, d: Distribution) {
  if (d._tag === "FloatDistribution") {
    return suggestFloat(t, name, d.low, d.high, {
      log: d.log,
      ...(d.step !== null ? { step: d.step } : {}),
    });
  }
  if (d._tag === "IntDistribution") {
    return suggestInt(t, name, d.low, d.high, { log: d.log, step: d.step });
  }
  return suggestCategorical(t, name, d.choices);
}

Deno.test("tpeSampler() suggestions lie in their distributions, stepped values on the grid", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(distArb, { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 1e6 }),
      async (dists, multivariate, seed) => {
        const study = await runOrThrow(createStudy({
          sampler: tpeSampler({ seed, multivariate, nStartupTrials: 3 }),
        }));
        await runOrThrow(optimize(study, (t) => async () => {
          let v = 0;
          for (const [i, d] of dists.entries()) {
            const x = await runOrThrow(suggestDist(t, `p${i}`, d));
            v += typeof x === "number" ? Math.abs(x) : String(x).length;
          }
          return { _tag: "Right" as const, right: v };
        }, { nTrials: 12 }));
        for (const t of await runOrThrow(getTrials(study))) {
          dists.forEach((d, i) => {
            const x = t.params[`p${i}`];
            const internal = d._tag === "CategoricalDistribution"
              ? d.choices.indexOf(x as never)
              : x as number;
            assert.ok(contains(d, internal), `p${i}=${x} not in ${JSON.stringify(d)}`);
          });
        }
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("tpeSampler() optimises several objectives with non-dominated ranking", async () => {
  for (const multiObjectiveWeights of ["uniform", "hypervolume"] as const) {
    const study = await runOrThrow(createStudy({
      directions: ["minimize", "maximize"],
      sampler: tpeSampler({ seed: 1, multiObjectiveWeights }),
    }));
    const summary = await runOrThrow(
      optimize(
        study,
        (t) =>
          flatMap(
            suggestFloat(t, "x", 0, 1),
            (x) => map(suggestFloat(t, "y", 0, 1), (y) => [x + y, x - y]),
          ),
        { nTrials: 30 },
      ),
    );
    assert.equal(summary.counts.COMPLETE, 30);
  }
});

Deno.test("tpeSampler() shares a running trial's relative sample through system attributes", async () => {
  const study = await mixedRun({ seed: 2, nStartupTrials: 3 }, 5);
  const trial = await runOrThrow(ask(study));
  const trials = await runOrThrow(getTrials(study));
  const live = trials.find((t) => t.number === trial.number)!;
  const impl = getOrThrow(samplerImpl(studySampler(study)));
  const ctx = {
    study: {
      studyId: 0,
      studyName: "s",
      directions: ["minimize" as const],
      userAttrs: {},
      systemAttrs: {},
    },
    directions: ["minimize" as const],
    trials,
    trial: live,
  };
  const space = impl.inferRelativeSearchSpace!(studySampler(study), ctx as never);
  assert.deepEqual(Object.keys(space), ["act", "layers", "lr"]);
  const sampled = getOrThrow(impl.sampleRelative!(studySampler(study), ctx as never, space));
  const attr = sampled.trialSystemAttrs?.["tpe:relative_params:0"];
  assert.equal(typeof attr, "string");
  const shared = JSON.parse(attr as string);
  assert.deepEqual(Object.keys(shared).sort(), ["act", "layers", "lr"]);
  assert.ok(["relu", "tanh"].includes(shared.act));
});

Deno.test("tpeSampler() with group samples conditional spaces", async () => {
  const study = await runOrThrow(
    createStudy({ sampler: tpeSampler({ seed: 4, group: true, nStartupTrials: 5 }) }),
  );
  const summary = await runOrThrow(
    optimize(
      study,
      (t) =>
        flatMap(
          suggestCategorical(t, "kind", ["a", "b"]),
          (kind) =>
            kind === "a"
              ? map(suggestFloat(t, "x", -5, 5), (x) => x * x)
              : map(suggestInt(t, "n", -5, 5), (n) => 1 + n * n),
        ),
      { nTrials: 40 },
    ),
  );
  assert.equal(summary.counts.COMPLETE, 40);
  assert.ok(summary.bestTrial!.values![0]! < 0.5);
});

Deno.test("tpeSampler() rejects invalid options when the study is created", async () => {
  const bad: TpeSamplerOptions[] = [
    { group: true, multivariate: false },
    { nEiCandidates: 0 },
    { nStartupTrials: -1 },
    { priorWeight: -1 },
    { gamma: { kind: "fixed", n: -2 } },
    { gamma: { kind: "nope" } as never },
    { weights: { kind: "ramp", flat: 1.5 } },
  ];
  for (const options of bad) {
    const err = expectLeft(
      await createStudy({ sampler: tpeSampler(options) })(),
      "InvalidArgument",
    );
    assert.match(err.message, /tpe\.options\./);
  }
});

Deno.test("tpeSampler() ranks infinite values and NaN intermediate values of pruned trials last", async () => {
  const study = await runOrThrow(
    createStudy({ sampler: tpeSampler({ seed: 9, nStartupTrials: 2 }) }),
  );
  const x = getOrThrow(floatDistribution(0, 1));
  const add = (template: Parameters<typeof study.storage.createTrial>[1]) =>
    study.storage.createTrial(study.studyId, template)();
  getOrThrow(
    await add({ state: "COMPLETE", values: [0.5], params: { x: 0.9 }, distributions: { x } }),
  );
  getOrThrow(
    await add({ state: "COMPLETE", values: [Infinity], params: { x: 0.5 }, distributions: { x } }),
  );
  getOrThrow(
    await add({
      state: "PRUNED",
      params: { x: 0.1 },
      distributions: { x },
      intermediateValues: { 0: 1, 1: NaN },
    }),
  );
  const trial = await runOrThrow(ask(study));
  const got = await runOrThrow(suggestFloat(trial, "x", 0, 1));
  assert.ok(got >= 0 && got <= 1);
  const below = splitTrials(await runOrThrow(getTrials(study)), ["minimize"], 2).below;
  assert.deepEqual(below.map((t) => t.params.x), [0.9, 0.5]);
});

Deno.test("tpeSampler() learns from enqueued values outside the range and still suggests inside it", async () => {
  const { enqueueTrial } = await import("../../../mod.ts");
  for (const multivariate of [true, false]) {
    const study = await runOrThrow(createStudy({
      sampler: tpeSampler({ seed: 1, nStartupTrials: 2, multivariate }),
    }));
    await runOrThrow(enqueueTrial(study, { x: 20 }));
    await runOrThrow(enqueueTrial(study, { x: -30 }));
    await runOrThrow(optimize(study, (t) => map(suggestFloat(t, "x", -10, 10), (x) => x * x), {
      nTrials: 12,
    }));
    const xs = (await runOrThrow(getTrials(study))).map((t) => t.params.x as number);
    assert.deepEqual(xs.slice(0, 2), [20, -30]);
    assert.ok(xs.slice(2).every((x) => x >= -10 && x <= 10));
  }
});

/** Two objectives over the mixed space. */
const twoObjectives = (t: Trial) =>
  map(mixedObjective(t), (v) => [v, (t.number % 3) + v / 2] as const);

/** A conditional space: `kind` chooses `x` or `n`; `lr` always. */
const conditional = (t: Trial) =>
  flatMap(
    suggestFloat(t, "lr", 1e-4, 1, { log: true }),
    (lr) =>
      flatMap(suggestCategorical(t, "kind", ["a", "b"]), (kind) =>
        kind === "a"
          ? map(suggestFloat(t, "x", -5, 5), (x) =>
            x * x + lr)
          : map(suggestInt(t, "n", -5, 5), (n) => 1 + n * n + lr)),
  );

Deno.test("tpeSampler() continues a study exactly from any older snapshot or a fresh sampler with the same seed", async () => {
  // startup ends after 5 finished trials: cuts before, across and after it
  const cuts = [[0, 3], [2, 7], [0, 9], [6, 9], [9, 9], [4, 13]] as const;
  for (const multivariate of [false, true]) {
    await checkReplay({
      sampler: () => tpeSampler({ seed: 31, nStartupTrials: 5, multivariate }),
      objective: mixedObjective,
      nTrials: 16,
      cuts,
    });
  }
  await checkReplay({
    sampler: () => tpeSampler({ seed: 32, nStartupTrials: 4, group: true }),
    objective: conditional,
    nTrials: 14,
    cuts: [[0, 6], [5, 10]],
  });
  await checkReplay({
    sampler: () => tpeSampler({ seed: 33, nStartupTrials: 4 }),
    objective: twoObjectives,
    directions: ["minimize", "minimize"],
    nTrials: 12,
    cuts: [[2, 6], [8, 9]],
  });
});

Deno.test("tpeSampler(): a re-run with some parameters fixed draws the others as the original trial", async () => {
  for (const multivariate of [false, true]) {
    // past the startup trials (5): the draws come from the Parzen estimators
    await checkRerun({
      sampler: () => tpeSampler({ seed: 41, nStartupTrials: 5, multivariate }),
      objective: mixedObjective,
      nTrials: 14,
      rerun: 11,
      fixed: [["lr"], ["layers"], ["lr", "layers"], ["act"]],
    });
    // during the startup trials: random draws
    await checkRerun({
      sampler: () => tpeSampler({ seed: 42, nStartupTrials: 5, multivariate }),
      objective: mixedObjective,
      nTrials: 4,
      rerun: 2,
      fixed: [["lr"], ["layers", "act"]],
    });
  }
  await checkRerun({
    sampler: () => tpeSampler({ seed: 43, nStartupTrials: 3 }),
    objective: twoObjectives,
    directions: ["minimize", "minimize"],
    nTrials: 10,
    rerun: 8,
    fixed: [["lr"], ["act"]],
  });
});

Deno.test("tpeSampler() without a seed records the one it drew; its record never changes", async () => {
  const sampler = tpeSampler({ nStartupTrials: 2 });
  const seed = (sampler.options as { seed: unknown }).seed;
  assert.ok(typeof seed === "number" && Number.isSafeInteger(seed), String(seed));
  assert.deepEqual(sampler.state, {});
  const study = await runOrThrow(createStudy({ sampler }));
  await runOrThrow(optimize(study, mixedObjective, { nTrials: 5 }));
  assert.deepEqual(studySampler(study), getOrThrow(samplerFromSnapshot(JSON.stringify(sampler))));
});

Deno.test("samplerFromSnapshot() accepts a TPE sampler of the older shape (two RNG streams in its state)", () => {
  const rng = { algorithm: "xoshiro128**", s: [5, 6, 7, 8] };
  const fresh = tpeSampler({ seed: 9 });
  const old = { ...fresh, state: { rng, randomRng: rng } };
  assert.deepEqual(getOrThrow(samplerFromSnapshot(old)), fresh);
  const bad = samplerFromSnapshot({ ...old, state: { rng: { algorithm: "mt" }, randomRng: rng } });
  assert.match(bad._tag === "Left" ? bad.left.message : "", /tpe\.state\.rng/);
});
