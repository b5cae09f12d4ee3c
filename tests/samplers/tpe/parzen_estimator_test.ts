import assert from "node:assert/strict";
import fc from "fast-check";
import {
  categoricalDistribution,
  type Distribution,
  floatDistribution,
  getOrThrow,
  intDistribution,
  rngFromSeed,
} from "../../../mod.ts";
import {
  categoricalProbabilities,
  observationWeights,
  parzenEstimator,
  parzenLogPdf,
  parzenSample,
} from "../../../lib/samplers/tpe/parzen_estimator.ts";
import { contains } from "../../../lib/core/distributions.ts";
import { logPdfColumns } from "../../../lib/samplers/tpe/fast/_evaluate.ts";
import { argsortStable } from "../../../lib/math/numpy.ts";
import { logGaussMass, logNdtr, ndtriExp, truncnormPpf } from "../../../lib/math/special.ts";
import { expectLeft } from "../../_helpers/study.ts";
import {
  close,
  distFromJson,
  type DistJson,
  num,
  readFixture,
} from "../../_helpers/tpe_fixtures.ts";

interface ParzenCase {
  name: string;
  space: Record<string, DistJson>;
  observations: Record<string, number[]>;
  options: { priorWeight: number; considerMagicClip: boolean; considerEndpoints: boolean };
  weights: number[] | null;
  exactOrder: boolean;
  expected: {
    weights: number[];
    kernels: Record<string, { mus?: number[]; sigmas?: number[]; probabilities?: number[][] }>;
  };
  points: Record<string, number[]>;
  logPdf: (number | string)[];
}

const fixture = readFixture<{ cases: ParzenCase[] }>("parzen.json");

function fit(c: ParzenCase) {
  const space: Record<string, Distribution> = {};
  for (const [k, d] of Object.entries(c.space)) space[k] = distFromJson(d);
  return getOrThrow(parzenEstimator(c.observations, space, {
    ...c.options,
    ...(c.weights ? { weights: c.weights } : {}),
  }));
}

for (const c of fixture.cases) {
  Deno.test(`parzenEstimator() matches Optuna 5.0: ${c.name}`, () => {
    const pe = fit(c);
    const names = Object.keys(c.space);
    assert.deepEqual(pe.names, names);
    const K = pe.weights.length;
    assert.equal(K, c.expected.weights.length);
    if (c.exactOrder) {
      c.expected.weights.forEach((w, i) => close(pe.weights[i]!, w, `weight ${i}`));
    }
    names.forEach((name, d) => {
      const k = pe.kernels[d]!;
      const e = c.expected.kernels[name]!;
      if (e.probabilities) {
        const rows = categoricalProbabilities(k);
        assert.equal(rows.length, e.probabilities.length);
        e.probabilities.forEach((row, i) =>
          row.forEach((p, j) => close(rows[i]![j]!, p, `${name} p[${i}][${j}]`))
        );
        return;
      }
      assert.equal(k._tag, "NumericalKernels");
      if (k._tag !== "NumericalKernels") return;
      if (c.exactOrder) {
        e.mus!.forEach((m, i) => close(k.mus[i]!, m, `${name} mu ${i}`));
        e.sigmas!.forEach((s, i) => close(k.sigmas[i]!, s, `${name} sigma ${i}`));
      } else {
        // numpy's argsort is not stable: compare the (μ, σ, w) components as multisets
        const key = (m: number, s: number, w: number) =>
          `${m.toPrecision(12)}|${s.toPrecision(12)}|${w.toPrecision(12)}`;
        const ours = [...k.mus].map((m, i) => key(m, k.sigmas[i]!, pe.weights[i]!)).sort();
        const theirs = e.mus!.map((m, i) => key(m, e.sigmas![i]!, c.expected.weights[i]!)).sort();
        assert.deepEqual(ours, theirs);
      }
    });
    const lp = parzenLogPdf(pe, c.points);
    c.logPdf.forEach((v, j) => close(lp[j]!, num(v), `logpdf ${j}`));
  });
}

Deno.test("parzenLogPdf() pruning agrees with the exact sum on large mixtures", () => {
  const rng = rngFromSeed(5);
  const space = {
    a: getOrThrow(floatDistribution(-10, 10)),
    b: getOrThrow(floatDistribution(1e-5, 1, { log: true })),
    c: getOrThrow(categoricalDistribution(["x", "y", "z"])),
    i: getOrThrow(intDistribution(0, 100)),
    j: getOrThrow(intDistribution(1, 1024, { log: true })),
  };
  const n = 2000;
  const obs: Record<string, number[]> = { a: [], b: [], c: [], i: [], j: [] };
  for (let t = 0; t < n; t++) {
    obs.a!.push(Math.tanh(rngFromSeed(t).s[0]! / 2 ** 32 - 0.5) * 10 * Math.random());
    obs.b!.push(Math.exp(-Math.random() * 11));
    obs.c!.push(Math.floor(Math.random() * 3));
    obs.i!.push(Math.floor(Math.random() * 20));
    obs.j!.push(1 + Math.floor(Math.random() * 8));
  }
  const pe = getOrThrow(parzenEstimator(obs, space));
  const pts = parzenSample(pe, rng, 50);
  const cols = pe.names.map((k) => pts[k]!);
  const exact = new Float64Array(50), pruned = new Float64Array(50);
  logPdfColumns(pe, cols, 50, exact, { exact: true });
  logPdfColumns(pe, cols, 50, pruned);
  for (let j = 0; j < 50; j++) {
    assert.ok(Math.abs(exact[j]! - pruned[j]!) < 1e-12, `${exact[j]} vs ${pruned[j]}`);
  }
});

Deno.test("parzenEstimator() rejects a negative prior weight and bad weights", () => {
  const x = getOrThrow(floatDistribution(0, 1));
  expectLeft(parzenEstimator({ x: [0.5] }, { x }, { priorWeight: -1 }), "InvalidArgument");
  expectLeft(parzenEstimator({ x: [0.5] }, { x }, { weights: [-1] }), "InvalidArgument");
  expectLeft(parzenEstimator({ x: [0.5, 0.2] }, { x }, { weights: [0, 0] }), "InvalidArgument");
  expectLeft(parzenEstimator({ x: [0.5] }, { x }, { weights: [NaN] }), "InvalidArgument");
  expectLeft(parzenEstimator({ x: [0.5] }, { x }, { weights: [1, 2] }), "InvalidArgument");
  expectLeft(parzenEstimator({ y: [0.5] }, { x }), "InvalidArgument");
});

Deno.test("observationWeights() matches Optuna's default_weights", () => {
  const w = readFixture<{ defaultWeights: Record<string, (number | string)[]> }>("weights.json");
  for (const [n, expected] of Object.entries(w.defaultWeights)) {
    const ours = getOrThrow(observationWeights({ kind: "default" }, Number(n)));
    assert.equal(ours.length, expected.length);
    expected.forEach((v, i) => close(ours[i]!, num(v), `n=${n} w[${i}]`));
  }
  assert.deepEqual(
    [...getOrThrow(observationWeights({ kind: "uniform" }, 30))],
    new Array(30).fill(1),
  );
  expectLeft(observationWeights({ kind: "ramp", flat: -1 }, 3), "InvalidArgument");
});

const dist = fc.oneof(
  fc.tuple(
    fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
  )
    .map(([l, s]) => getOrThrow(floatDistribution(l, l + s)) as Distribution),
  fc.tuple(
    fc.double({ min: 1e-5, max: 10, noNaN: true }),
    fc.double({ min: 1.01, max: 1e4, noNaN: true }),
  )
    .map(([l, f]) => getOrThrow(floatDistribution(l, l * f, { log: true })) as Distribution),
  fc.tuple(
    fc.integer({ min: -50, max: 50 }),
    fc.integer({ min: 1, max: 40 }),
    fc.constantFrom(0.1, 0.25, 0.5, 2),
  )
    .map(([l, k, s]) => getOrThrow(floatDistribution(l, l + k * s, { step: s })) as Distribution),
  fc.tuple(
    fc.integer({ min: -100, max: 100 }),
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: 1, max: 4 }),
  )
    .map(([l, span, s]) =>
      getOrThrow(intDistribution(l, l + span * s, { step: s })) as Distribution
    ),
  fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 5000 }))
    .map(([l, span]) => getOrThrow(intDistribution(l, l + span, { log: true })) as Distribution),
  fc.integer({ min: 2, max: 8 }).map((k) =>
    getOrThrow(
      categoricalDistribution(Array.from({ length: k }, (_, i) => `c${i}`)),
    ) as Distribution
  ),
);

Deno.test("parzenSample() draws every value inside its distribution, stepped values on the grid", () => {
  fc.assert(
    fc.property(dist, fc.integer({ min: 0, max: 40 }), fc.integer(), (d, n, seed) => {
      const rng = rngFromSeed(seed);
      const obs: number[] = [];
      for (let i = 0; i < n; i++) {
        obs.push(parzenSample(getOrThrow(parzenEstimator({ x: [] }, { x: d })), rng, 1).x![0]!);
      }
      const pe = getOrThrow(parzenEstimator({ x: obs }, { x: d }));
      const s = parzenSample(pe, rng, 32).x!;
      for (const v of s) assert.ok(contains(d, v), `${v} not in ${JSON.stringify(d)}`);
      const lp = parzenLogPdf(pe, { x: s });
      for (const v of lp) assert.ok(v > -Infinity && !Number.isNaN(v), `log density ${v}`);
    }),
    { numRuns: 300 },
  );
});

Deno.test("truncnormPpf() inverts the truncated normal CDF, also deep in the tails", () => {
  fc.assert(
    fc.property(
      fc.double({ min: -60, max: 60, noNaN: true }),
      fc.double({ min: 1e-3, max: 30, noNaN: true }),
      fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }),
      (a, w, q) => {
        const b = a + w;
        const lm = logGaussMass(a, b);
        const x = truncnormPpf(q, a, b, lm);
        assert.ok(x >= a && x <= b);
        // CDF(x) = mass(a, x) / mass(a, b)
        if (x > a && x < b && lm > -700) {
          const cdf = Math.exp(logGaussMass(a, x) - lm);
          assert.ok(Math.abs(cdf - q) < 1e-6, `q=${q} cdf=${cdf} a=${a} b=${b}`);
        }
      },
    ),
  );
  assert.ok(Math.abs(ndtriExp(logNdtr(-30)) + 30) < 1e-9);
  assert.ok(Math.abs(ndtriExp(logNdtr(3)) - 3) < 1e-9);
});

Deno.test("argsortStable() sorts with ties in index order", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true })), {
        maxLength: 300,
      }),
      (xs) => {
        const idx = argsortStable(Float64Array.from(xs));
        const expected = xs.map((v, i) => [v, i] as const).sort((p, q) =>
          (p[0] === q[0] ? 0 : p[0] < q[0] ? -1 : 1) || p[1] - q[1]
        ).map((p) => p[1]);
        assert.deepEqual([...idx], expected);
      },
    ),
  );
});
