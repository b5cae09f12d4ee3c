import assert from "node:assert/strict";
import type { Direction } from "../../../mod.ts";
import { acquisition, buildEstimators } from "../../../lib/samplers/tpe/acquisition.ts";
import { gammaOf, splitTrials } from "../../../lib/samplers/tpe/split.ts";
import type { TpeConfig } from "../../../lib/samplers/tpe/options.ts";
import { usedTrials } from "../../../lib/samplers/tpe/fast/_history.ts";
import { createTpeWorkspace } from "../../../lib/samplers/tpe/fast/workspace.ts";
import { hypervolume, nonDominationRanks, solveHssp } from "../../../lib/math/hypervolume.ts";

/** The workspace of the tests' draws (a sampler's memos; results never depend on it). */
const ws = createTpeWorkspace();
import {
  distFromJson,
  type DistJson,
  num,
  readFixture,
  type TrialJson,
  trialsFromJson,
} from "../../_helpers/tpe_fixtures.ts";

const TOL = 1e-9;

function close(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected)) return assert.equal(actual, expected, what);
  const err = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
  assert.ok(err <= TOL, `${what}: ${actual} vs ${expected} (error ${err})`);
}

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

const CONFIG: TpeConfig = {
  nEiCandidates: 24,
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
  gamma: { kind: "default" },
  weights: { kind: "default" },
  multivariate: false,
  constantLiar: false,
  multiObjectiveWeights: "uniform",
};

for (const c of readFixture<{ cases: AcqCase[] }>("acquisition.json").cases) {
  Deno.test(`TPE acquisition log l(x) − log g(x) matches Optuna 5.0: ${c.name}`, () => {
    const all = trialsFromJson(c.trials, c.space);
    const trials = usedTrials(all, c.current ?? -1, c.constantLiar);
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
  type FrozenTrial,
  getOrThrow,
  getTrials,
  intDistribution,
  map,
  optimize,
  type Rng,
  rngFromSeed,
  runOrThrow,
  samplerFromSnapshot,
  studySampler,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tpeSampler,
  type TpeSamplerOptions,
  type Trial,
  uniform,
} from "../../../mod.ts";
import { contains } from "../../../lib/core/distributions.ts";
import type { ParzenEstimator } from "../../../lib/samplers/tpe/parzen_estimator.ts";
import { samplerImpl } from "../../../lib/samplers/catalog.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { checkReplay, checkRerun } from "../../_helpers/sampler_replay.ts";

const quadratic = (t: Trial) => map(suggestFloat(t, "x", -10, 10), (x) => (x - 2) ** 2);

Deno.test("tpeSampler() prefers the region of the best trials", async () => {
  const study = await runOrThrow(createStudy({ sampler: tpeSampler({ seed: 3 }) }));
  await runOrThrow(optimize(study, quadratic, { nTrials: 60 }));
  const xs = (await runOrThrow(getTrials(study))).map((t) => t.params.x as number);
  const spread = (a: number[]) => a.reduce((s, x) => s + Math.abs(x - 2), 0) / a.length;
  assert.ok(spread(xs.slice(-20)) < 0.75 * spread(xs.slice(0, 10)));
  assert.ok(Math.min(...xs.map((x) => Math.abs(x - 2))) < 0.1);
});

Deno.test("createStudy() uses tpeSampler() by default", async () => {
  const study = await runOrThrow(createStudy());
  assert.equal(studySampler(study).kind, "tpe");
});

/** A log-float, an int and a categorical parameter with a known optimum. */
const mixedObjective = (t: Trial) =>
  flatMap(
    suggestFloat(t, "lr", 1e-5, 1e-1, { log: true }),
    (lr) =>
      flatMap(suggestInt(t, "layers", 1, 8), (layers) =>
        map(suggestCategorical(t, "act", ["relu", "tanh"]), (act) =>
          (Math.log10(lr) + 2.5) ** 2 + 0.1 * (layers - 3) ** 2 +
          (act === "relu" ? 0 : 0.2))),
  );

async function mixedRun(options: TpeSamplerOptions, n: number) {
  const study = await runOrThrow(createStudy({ sampler: tpeSampler(options) }));
  await runOrThrow(optimize(study, mixedObjective, { nTrials: n }));
  return study;
}

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

/** A mixed-space TPE history, its search space, and four points to evaluate it at. */
async function growingHistory(seed: number, n: number) {
  const study = await mixedRun({ seed, nStartupTrials: 5 }, n);
  return {
    all: await runOrThrow(getTrials(study)),
    space: {
      act: getOrThrow(categoricalDistribution(["relu", "tanh"])),
      layers: getOrThrow(intDistribution(1, 8)),
      lr: getOrThrow(floatDistribution(1e-5, 1e-1, { log: true })),
    },
    cols: [
      Float64Array.from([0, 1, 0, 1]),
      Float64Array.from([1, 3, 5, 8]),
      Float64Array.from([1e-5, 1e-3, 3e-3, 0.09]),
    ],
  };
}

Deno.test("TPE's incremental sorted model equals a fresh fit on a growing history", async () => {
  const { clearModelCache } = await import("../../../lib/samplers/tpe/fast/_above.ts");
  const { all, space, cols } = await growingHistory(21, 160);
  const cfg = { ...CONFIG, multivariate: true };
  clearModelCache();
  for (let n = 60; n <= all.length; n += 7) {
    // growing histories, including a trial that moves between the good and the bad set
    const trials = all.slice(0, n);
    const incremental = acquisition(
      ws,
      buildEstimators(ws, cfg, trials, ["minimize"], space),
      cols,
      4,
      true,
    );
    const pruned = acquisition(ws, buildEstimators(ws, cfg, trials, ["minimize"], space), cols, 4);
    clearModelCache();
    const fresh = acquisition(
      ws,
      buildEstimators(ws, cfg, trials, ["minimize"], space),
      cols,
      4,
      true,
    );
    assert.deepEqual([...incremental], [...fresh]);
    clearModelCache();
    const freshPruned = acquisition(
      ws,
      buildEstimators(ws, cfg, trials, ["minimize"], space),
      cols,
      4,
    );
    assert.deepEqual([...pruned], [...freshPruned]);
    // rebuild the cache from the previous history so that the next step is incremental again
    buildEstimators(ws, cfg, trials, ["minimize"], space);
  }
});

Deno.test("TPE's in-place model fed by the lists' lineage equals a fresh fit as trials start, finish and change sides", async () => {
  const { clearModelCache } = await import("../../../lib/samplers/tpe/fast/_above.ts");
  const { all, space, cols } = await growingHistory(23, 170);
  const running = (t: FrozenTrial): FrozenTrial => ({ ...t, state: "RUNNING", values: null });
  // the study as a sampler sees it after n trials: the last two still running, and trial 30
  // running for a while (a change in the middle of the list)
  const history = (n: number): FrozenTrial[] =>
    all.slice(0, n).map((t, i) => i >= n - 2 || (i === 30 && n >= 90 && n < 96) ? running(t) : t);
  const kernelsOf = (est: ReturnType<typeof buildEstimators>) =>
    est.above.kernels.map((k) =>
      k._tag === "NumericalKernels" ? [...k.mus, ...k.sigmas] : [...k.observed]
    );
  for (const constantLiar of [false, true]) {
    const cfg = { ...CONFIG, multivariate: true, constantLiar };
    for (let n = 62; n <= all.length; n += 3) {
      clearModelCache();
      const current = all[n - 1]!.number;
      buildEstimators(
        ws,
        cfg,
        usedTrials(history(n - 1), current - 1, constantLiar),
        ["minimize"],
        space,
      );
      // the next call finds the previous lists: its model is updated from their lineage
      const used = usedTrials(history(n), current, constantLiar);
      const incremental = buildEstimators(ws, cfg, used, ["minimize"], space);
      const inc = [
        ...acquisition(ws, incremental, cols, 4, true),
        ...acquisition(ws, incremental, cols, 4),
      ];
      const kernels = kernelsOf(incremental);
      clearModelCache();
      const fresh = buildEstimators(ws, cfg, used.slice(), ["minimize"], space);
      assert.deepEqual(inc, [
        ...acquisition(ws, fresh, cols, 4, true),
        ...acquisition(ws, fresh, cols, 4),
      ]);
      assert.deepEqual(kernels, kernelsOf(fresh));
    }
  }
});

Deno.test("TPE's bad-side model updated in place equals a fresh fit under appends, inserts and removals", async () => {
  const { aboveEstimator, clearModelCache } = await import(
    "../../../lib/samplers/tpe/fast/_above.ts"
  );
  const { logPdfColumns, termBounds } = await import("../../../lib/samplers/tpe/fast/_evaluate.ts");
  const space: Record<string, Distribution> = {
    a: getOrThrow(floatDistribution(-2, 3)),
    b: getOrThrow(floatDistribution(1e-4, 1, { log: true })),
    c: getOrThrow(intDistribution(0, 6)),
    d: getOrThrow(intDistribution(1, 64, { log: true })),
    e: getOrThrow(categoricalDistribution(["p", "q", "r"])),
    f: getOrThrow(floatDistribution(0, 1, { step: 0.25 })),
  };
  const names = Object.keys(space);
  const pool = 400;
  const trials = Array.from({ length: pool }, (_, k) => ({ number: k }) as unknown as FrozenTrial);
  const points = [
    Float64Array.from([-1.5, 0.2, 2.9]),
    Float64Array.from([1e-3, 0.5, 1e-4]),
    Float64Array.from([0, 3, 6]),
    Float64Array.from([1, 8, 64]),
    Float64Array.from([0, 2, 1]),
    Float64Array.from([0.25, 1, 0]),
  ];
  const op = fc.oneof(
    fc.record({ kind: fc.constant("append" as const), count: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("remove" as const), at: fc.nat() }),
  );
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
        minLength: pool * 6,
        maxLength: pool * 6,
      }),
      fc.integer({ min: 100, max: 160 }),
      fc.array(op, { minLength: 5, maxLength: 25 }),
      fc.boolean(),
      fc.boolean(),
      (u, start, ops, considerMagicClip, considerEndpoints) => {
        // without the magic clip, bandwidths are the raw neighbour gaps: every change shows
        const params = { priorWeight: 1, considerMagicClip, considerEndpoints };
        // rows: a few distinct values per grid dimension, so that (μ, σ) pairs repeat
        const rows = trials.map((_, k) => {
          const r = (d: number) => u[k * 6 + d]!;
          return {
            row: Float64Array.from([
              -2 + 5 * r(0),
              Math.exp(Math.log(1e-4) * (1 - r(1))),
              Math.floor(7 * r(2)) % 7,
              Math.min(64, Math.round(Math.exp(Math.log(64) * r(3)))),
              Math.floor(3 * r(4)) % 3,
              Math.round(4 * r(5)) / 4,
            ]),
          };
        });
        const inList = new Uint8Array(pool);
        for (let k = 0; k < start; k++) inList[k * 2] = 1; // gaps: room for inserts
        let next = start * 2;
        clearModelCache();
        for (const o of [{ kind: "append" as const, count: 0 }, ...ops]) {
          if (o.kind === "append") {
            for (let c = 0; c < o.count && next < pool; c++) inList[next++] = 1;
          } else {
            const candidates = [...inList.keys()].filter((k) =>
              k < next && (o.kind === "insert" ? !inList[k] : inList[k])
            );
            if (candidates.length > 0) {
              inList[candidates[o.at % candidates.length]!] = 0 + (o.kind === "insert" ? 1 : 0);
            }
          }
          const ids = [...inList.keys()].filter((k) => inList[k]);
          const list = ids.map((k) => trials[k]!);
          const obs = ids.map((k) => rows[k]!);
          const weights = new Float64Array(ids.length).map((_, i) => 1 + (i % 5));
          const evaluate = () => {
            const pe = aboveEstimator(
              ws.evaluation,
              "test",
              list,
              obs,
              names,
              space,
              weights,
              params,
            );
            const exact = new Float64Array(3), pruned = new Float64Array(3);
            logPdfColumns(pe, points, 3, exact, { exact: true, evaluation: ws.evaluation });
            logPdfColumns(pe, points, 3, pruned, { evaluation: ws.evaluation });
            const kernels = pe.kernels.map((k) =>
              k._tag === "NumericalKernels" ? [...k.mus, ...k.sigmas] : [...k.observed]
            );
            const bounds = [...termBounds(ws.evaluation, pe)];
            return {
              exact: [...exact],
              pruned: [...pruned],
              kernels,
              weights: [...pe.weights],
              bounds,
            };
          };
          const incremental = evaluate();
          clearModelCache();
          const fresh = evaluate();
          assert.deepEqual(incremental, fresh);
        }
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("TPE's bad-side model keeps its term bounds exact as their largest comes and goes", async () => {
  const { aboveEstimator, clearModelCache } = await import(
    "../../../lib/samplers/tpe/fast/_above.ts"
  );
  const { termBounds } = await import("../../../lib/samplers/tpe/fast/_evaluate.ts");
  const space: Record<string, Distribution> = {
    a: getOrThrow(floatDistribution(0, 1)),
    c: getOrThrow(intDistribution(0, 1000)),
  };
  const names = Object.keys(space);
  // without the magic clip a bandwidth is the gap to a neighbour: the closest pair has the
  // largest bound, which moves as observations arrive and leave
  const params = { priorWeight: 1, considerMagicClip: false, considerEndpoints: false };
  // 50 observations on a grid, then two close after a grid point at a time (the first one's
  // bandwidth is the tiny gap on both its sides), added then removed
  const pool = 250;
  const trials = Array.from({ length: pool }, (_, k) => ({ number: k }) as unknown as FrozenTrial);
  const rows = trials.map((_, k) => ({
    row: Float64Array.from([
      k < 50 ? k / 50 : ((((k >> 1) * 7) % 48) + 1) / 50 + (1 + (k % 2)) * 1e-4 * (1 + (k % 5)),
      (k * 53) % 997,
    ]),
  }));
  const inList = new Uint8Array(pool);
  for (let k = 0; k < 50; k++) inList[k] = 1;
  clearModelCache();
  let changes = 0, last = "";
  for (let step = 0; step < 100; step++) {
    const close = 50 + 2 * (step >> 1);
    inList[close] = inList[close + 1] = step % 2 === 0 ? 1 : 0;
    const ids = [...inList.keys()].filter((k) => inList[k]);
    const list = ids.map((k) => trials[k]!), obs = ids.map((k) => rows[k]!);
    const weights = new Float64Array(ids.length).fill(1);
    const fit = (key: string) =>
      aboveEstimator(ws.evaluation, key, list, obs, names, space, weights, params);
    const incremental = [...termBounds(ws.evaluation, fit("kept"))];
    const fresh = [...termBounds(ws.evaluation, fit(`fresh ${step}`))];
    assert.deepEqual(incremental, fresh, `step ${step}`);
    if (JSON.stringify(fresh) !== last) changes++;
    last = JSON.stringify(fresh);
  }
  assert.ok(changes >= 90, `the largest bound changed ${changes} times`);
});

/** A float `a`, a log-scaled float `b`, an int `c` and a categorical `e`. */
const CLUSTERED_SPACE: Record<string, Distribution> = {
  a: getOrThrow(floatDistribution(-2, 3)),
  b: getOrThrow(floatDistribution(1e-4, 1, { log: true })),
  c: getOrThrow(intDistribution(0, 6)),
  e: getOrThrow(categoricalDistribution(["p", "q", "r"])),
};

/**
 * An observation of {@link CLUSTERED_SPACE}: `a` clustered around 0 (a sum of `draws`
 * uniforms: more draws, a tighter cluster), `b` spread over its whole range.
 */
function clusteredRow(rng: Rng, draws: number): Float64Array {
  let a = 0;
  for (let q = 0; q < draws; q++) a += uniform(rng);
  return Float64Array.from([
    0.3 * a - 0.15 * draws,
    Math.exp(Math.log(1e-4) * uniform(rng)),
    Math.floor(7 * uniform(rng)),
    Math.floor(3 * uniform(rng)),
  ]);
}

Deno.test("TPE's bad side stored sorted along its most scanned dimension gives the results of list order", async () => {
  const { aboveEstimator } = await import("../../../lib/samplers/tpe/fast/_above.ts");
  const { logPdfColumns, storageOrder } = await import(
    "../../../lib/samplers/tpe/fast/_evaluate.ts"
  );
  const { argmaxAcquisition } = await import("../../../lib/samplers/tpe/fast/_argmax.ts");
  const space = CLUSTERED_SPACE;
  const names = Object.keys(space);
  const rng = rngFromSeed(5);
  const pool = 1200;
  const trials = Array.from({ length: pool }, (_, k) => ({ number: k }) as unknown as FrozenTrial);
  // observations clustered in a, spread in b: the evaluation scans b first
  const rows = trials.map(() => ({ row: clusteredRow(rng, 3) }));
  const m = 40;
  const points = [
    // the centre of a's cluster and its sparse tails
    Float64Array.from({ length: m }, (_, j) => (j % 2 ? 0.2 : 0.9) * uniform(rng) - 0.45),
    Float64Array.from({ length: m }, () => Math.exp(Math.log(1e-4) * uniform(rng))),
    Float64Array.from({ length: m }, () => Math.floor(7 * uniform(rng))),
    Float64Array.from({ length: m }, () => Math.floor(3 * uniform(rng))),
  ];
  // in list order, whatever the storage order
  const listed = (pe: ParzenEstimator) => {
    const at = storageOrder(ws.evaluation, pe) ?? Uint32Array.from(pe.weights.keys());
    const pick = (a: ArrayLike<number>) => Array.from(at, (s) => a[s]!);
    return {
      weights: pick(pe.weights),
      kernels: pe.kernels.map((k) =>
        k._tag === "NumericalKernels" ? [...pick(k.mus), ...pick(k.sigmas)] : pick(k.observed)
      ),
    };
  };
  // without the magic clip, bandwidths vary: some components are wide
  for (const considerMagicClip of [true, false]) {
    const params = { priorWeight: 1, considerMagicClip, considerEndpoints: false };
    const ones = new Float64Array(30).fill(1);
    const below = aboveEstimator(
      ws.evaluation,
      "below",
      trials.slice(0, 30),
      rows,
      names,
      space,
      ones,
      params,
    );
    const inList = new Uint8Array(pool);
    for (let k = 0; k < 700; k++) inList[k] = k % 7 === 3 ? 0 : 1; // gaps: room for inserts
    let next = 700, sortedSteps = 0;
    for (let step = 0; step < 40; step++) {
      // appends, inserts in the middle and removals, as trials finish and change sides
      const r = uniform(rng);
      if (r < 0.6) {
        for (let c = 1 + Math.floor(8 * uniform(rng)); c > 0 && next < pool; c--) {
          inList[next++] = 1;
        }
      } else {
        const want = r < 0.8 ? 0 : 1;
        const ks = [...inList.keys()].filter((k) => k < next && inList[k] === want);
        inList[ks[Math.floor(uniform(rng) * ks.length)]!] = 1 - want;
      }
      const ids = [...inList.keys()].filter((k) => inList[k]);
      const list = ids.map((k) => trials[k]!), obs = ids.map((k) => rows[k]!);
      const weights = new Float64Array(ids.length).map((_, i) => 1 + (i % 5));
      const evaluate = (key: string) => {
        const pe = aboveEstimator(ws.evaluation, key, list, obs, names, space, weights, params);
        const exact = new Float64Array(m), pruned = new Float64Array(m);
        logPdfColumns(pe, points, m, exact, { exact: true, evaluation: ws.evaluation });
        logPdfColumns(pe, points, m, pruned, { evaluation: ws.evaluation });
        return {
          sorted: storageOrder(ws.evaluation, pe) !== undefined,
          values: [...exact, ...pruned, argmaxAcquisition(below, pe, points, m, ws.evaluation)],
          ...listed(pe),
        };
      };
      // the same model throughout (sorted once its evaluations show the dimension scanned
      // first), against a fresh fit in list order
      const { sorted, ...incremental } = evaluate(`kept ${considerMagicClip}`);
      const { sorted: freshSorted, ...fresh } = evaluate(`fresh ${step}`);
      assert.equal(freshSorted, false);
      assert.deepEqual(incremental, fresh);
      if (sorted) sortedSteps++;
    }
    assert.ok(sortedSteps >= 35, `sorted at ${sortedSteps} steps of 40`);
  }
});

Deno.test("logPdfBounds() brackets the exact log density when a narrow margin drops mass", async () => {
  const { buildEstimator } = await import("../../../lib/samplers/tpe/_kernels.ts");
  const { logPdfBounds, logPdfColumns } = await import(
    "../../../lib/samplers/tpe/fast/_evaluate.ts"
  );
  const space: Record<string, Distribution> = {
    a: getOrThrow(floatDistribution(0, 1)),
    c: getOrThrow(categoricalDistribution(["p", "q"])),
  };
  // 3000 kernels 1e-4 apart (their bandwidth, without the magic clip): at any point inside,
  // a dozen of them lie 15 to 40 nats below the largest
  const n = 3000;
  const cols = [
    Float64Array.from({ length: n }, (_, i) => 0.35 + 1e-4 * i),
    Float64Array.from({ length: n }, (_, i) => i % 2),
  ];
  const params = { priorWeight: 1, considerMagicClip: false, considerEndpoints: false };
  const pe = buildEstimator(cols, n, ["a", "c"], space, new Float64Array(n).fill(1), params);
  const points = [
    Float64Array.from([0.5, 0.50005, 0.4123456, 0.6, 0.2, 0.9]),
    Float64Array.from([0, 1, 0, 1, 0, 1]),
  ];
  const exact = new Float64Array(6);
  logPdfColumns(pe, points, 6, exact, { exact: true, evaluation: ws.evaluation });
  for (const margin of [10, 15, 40]) {
    const { lower, upper } = logPdfBounds(pe, points, 6, margin);
    for (let j = 0; j < 6; j++) {
      const what = `margin ${margin}, point ${j}: ${lower[j]} ≤ ${exact[j]} ≤ ${upper[j]}`;
      assert.ok(lower[j]! <= exact[j]! + 1e-12 && exact[j]! <= upper[j]! + 1e-12, what);
      assert.ok(upper[j]! - lower[j]! <= Math.log1p((n + 1) * Math.exp(-margin)) + 1e-12, what);
    }
  }
  // mass was dropped inside the range: the bounds are not vacuous
  const narrow = logPdfBounds(pe, points, 6, 10);
  assert.ok(exact[0]! - narrow.lower[0]! > 1e-9, `${exact[0]} vs ${narrow.lower[0]}`);
});

Deno.test("argmaxAcquisition() is the exact argmax, first on ties, also for equal and nearly equal candidates", async () => {
  const { buildEstimator, sampleColumns } = await import("../../../lib/samplers/tpe/_kernels.ts");
  const { argmaxAcquisition } = await import("../../../lib/samplers/tpe/fast/_argmax.ts");
  const space = CLUSTERED_SPACE;
  const names = Object.keys(space);
  const params = { priorWeight: 1, considerMagicClip: true, considerEndpoints: false };
  const rng = rngFromSeed(11);
  const fit = (n: number) => {
    const rows = Array.from({ length: n }, () => clusteredRow(rng, 2));
    const cols = names.map((_, d) => Float64Array.from(rows, (r) => r[d]!));
    return buildEstimator(cols, n, names, space, new Float64Array(n).fill(1), params);
  };
  const below = fit(25), above = fit(900);
  const m = 24;
  let contested = 0;
  for (let r = 0; r < 30; r++) {
    const cols = sampleColumns(below, rng, m);
    // copies and near copies of other candidates
    for (let j = 12; j < m; j++) {
      const from = Math.floor(uniform(rng) * 12);
      for (const col of cols) col[j] = col[from]!;
      if (j % 2 === 0) cols[0]![j] = cols[0]![j]! + 1e-7 * (uniform(rng) - 0.5);
    }
    const exact = acquisition(ws, { below, above }, cols, m, true);
    let want = 0;
    for (let j = 1; j < m; j++) if (exact[j]! > exact[want]!) want = j;
    const second = Math.max(...[...exact].filter((_, j) => j !== want));
    if (exact[want]! - second < 1e-4) contested++;
    assert.equal(argmaxAcquisition(below, above, cols, m, ws.evaluation), want, `round ${r}`);
  }
  // the near ties happened: the second pass decided them
  assert.ok(contested >= 10, `${contested} rounds with a near tie`);
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
