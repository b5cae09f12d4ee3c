import assert from "node:assert/strict";
import fc from "fast-check";
import {
  categoricalDistribution,
  type Distribution,
  floatDistribution,
  type FrozenTrial,
  getOrThrow,
  getTrials,
  intDistribution,
  type Rng,
  rngFromSeed,
  runOrThrow,
  uniform,
} from "../../../mod.ts";
import type { ParzenEstimator } from "../../../lib/samplers/tpe/parzen_estimator.ts";
import { acquisition, buildEstimators } from "../../../lib/samplers/tpe/acquisition.ts";
import { usedTrials } from "../../../lib/samplers/tpe/fast/_history.ts";
import { createTpeWorkspace } from "../../../lib/samplers/tpe/fast/workspace.ts";
import { CONFIG, mixedRun } from "./_helpers.ts";

/** The workspace of the tests' draws (a sampler's memos; results never depend on it). */
const ws = createTpeWorkspace();

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
  clearModelCache(ws.above);
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
    clearModelCache(ws.above);
    const fresh = acquisition(
      ws,
      buildEstimators(ws, cfg, trials, ["minimize"], space),
      cols,
      4,
      true,
    );
    assert.deepEqual([...incremental], [...fresh]);
    clearModelCache(ws.above);
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
      clearModelCache(ws.above);
      const current = all[n - 1]!.number;
      buildEstimators(
        ws,
        cfg,
        usedTrials(ws.history, history(n - 1), current - 1, constantLiar),
        ["minimize"],
        space,
      );
      // the next call finds the previous lists: its model is updated from their lineage
      const used = usedTrials(ws.history, history(n), current, constantLiar);
      const incremental = buildEstimators(ws, cfg, used, ["minimize"], space);
      const inc = [
        ...acquisition(ws, incremental, cols, 4, true),
        ...acquisition(ws, incremental, cols, 4),
      ];
      const kernels = kernelsOf(incremental);
      clearModelCache(ws.above);
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
        clearModelCache(ws.above);
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
              ws.above,
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
          clearModelCache(ws.above);
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
  clearModelCache(ws.above);
  let changes = 0, last = "";
  for (let step = 0; step < 100; step++) {
    const close = 50 + 2 * (step >> 1);
    inList[close] = inList[close + 1] = step % 2 === 0 ? 1 : 0;
    const ids = [...inList.keys()].filter((k) => inList[k]);
    const list = ids.map((k) => trials[k]!), obs = ids.map((k) => rows[k]!);
    const weights = new Float64Array(ids.length).fill(1);
    const fit = (key: string) =>
      aboveEstimator(ws.evaluation, ws.above, key, list, obs, names, space, weights, params);
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
      ws.above,
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
        const pe = aboveEstimator(
          ws.evaluation,
          ws.above,
          key,
          list,
          obs,
          names,
          space,
          weights,
          params,
        );
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
