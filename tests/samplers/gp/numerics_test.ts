/**
 * Property tests of the GP sampler's numerical core: the Cholesky helpers invert, the bounded
 * quasi-Newton minimiser finds box-constrained minima, the fit's analytic gradient and the
 * acquisition functions' gradients agree with finite differences, and log EI is stable far
 * below the incumbent.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { rngFor } from "../../../lib/random/rng.ts";
import { type Acqf, logCeiAcqf, logEiAcqf, standardLogEi } from "../../../lib/samplers/gp/_acqf.ts";
import { logEhviAcqf } from "../../../lib/samplers/gp/_ehvi.ts";
import { dcsrchStart, dcsrchStep, LBFGSB_SEARCH } from "../../../lib/samplers/gp/_dcsrch.ts";
import {
  fitLoss,
  type GpData,
  gpWith,
  pairSqd,
  posterior,
  posteriorMany,
  posteriorScratch,
} from "../../../lib/samplers/gp/_gp.ts";
import { minimize } from "../../../lib/samplers/gp/_lbfgsb.ts";
import { gpSpace, sampleNormalized } from "../../../lib/samplers/gp/_space.ts";
import { directionNumbers, scramble, sobolPoint } from "../../../lib/samplers/qmc/_sobol.ts";
import {
  choleskyInPlace,
  choleskyInverse,
  choleskySolveInPlace,
  dot,
  solveLowerInPlace,
} from "../../../lib/samplers/gp/_linalg.ts";

/** A data set of `n` points in `dim` dimensions (the last one categorical when `cat`). */
function dataset(seed: number, n: number, dim: number, cat: boolean): GpData {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const isCategorical = new Uint8Array(dim);
  if (cat) isCategorical[dim - 1] = 1;
  const x = Float64Array.from(
    { length: n * dim },
    (_, i) => isCategorical[i % dim] ? Math.floor(u() * 3) : u(),
  );
  const y = Float64Array.from({ length: n }, () => u() * 2 - 1);
  return { x, y, n, dim, isCategorical };
}

Deno.test("gp numerics: the Cholesky solve and inverse invert a positive-definite matrix", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 23 }), fc.integer(), (n, seed) => {
    const d = dataset(seed, n, 2, false);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        a[i * n + j] = Math.exp(-((d.x[2 * i]! - d.x[2 * j]!) ** 2)) + (i === j ? 0.5 : 0);
      }
    }
    const l = Float64Array.from(a);
    assert.ok(choleskyInPlace(l, n));
    const b = Float64Array.from(d.y), x = Float64Array.from(b);
    choleskySolveInPlace(l, n, x);
    const inv = choleskyInverse(l, n);
    for (let i = 0; i < n; i++) {
      let ax = 0, invb = 0;
      for (let j = 0; j < n; j++) {
        ax += a[i * n + j]! * x[j]!;
        invb += inv[i * n + j]! * b[j]!;
      }
      assert.ok(Math.abs(ax - b[i]!) < 1e-9);
      assert.ok(Math.abs(invb - x[i]!) < 1e-9);
    }
  }));
});

Deno.test("gp numerics: a matrix that is not positive definite is reported, not factorised", () => {
  assert.equal(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2), false);
});

Deno.test("gp numerics: the two-row lower solve equals the row-by-row one bit for bit", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 41 }), fc.integer(), (n, seed) => {
    const d = dataset(seed, n, 3, false);
    const l = Float64Array.from({ length: n * n }, (_, k) => {
      const i = Math.floor(k / n), j = k % n;
      return j > i ? 0 : j === i ? 0.5 + d.x[3 * i]! : d.x[(3 * (i + j) + 1) % (3 * n)]! - 0.5;
    });
    const fast = Float64Array.from(d.y), readable = Float64Array.from(d.y);
    solveLowerInPlace(l, n, fast);
    // the readable solve: one row at a time, its dot product with four partial sums
    for (let i = 0; i < n; i++) {
      readable[i] = (readable[i]! - dot(l, i * n, readable, 0, i)) / l[i * n + i]!;
    }
    assert.ok(fast.every((v, i) => Object.is(v, readable[i])));
  }));
});

Deno.test("gp numerics: the bounded minimiser finds the minimum of a quadratic in a box", () => {
  fc.assert(fc.property(
    fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 6 }),
    (centre) => {
      const n = centre.length;
      const res = minimize(
        (x, g) => {
          let f = 0;
          for (let i = 0; i < n; i++) {
            const w = i + 1;
            f += w * (x[i]! - centre[i]!) ** 2;
            g[i] = 2 * w * (x[i]! - centre[i]!);
          }
          return f;
        },
        new Float64Array(n).fill(0.5),
        {
          lower: new Float64Array(n).fill(-1),
          upper: new Float64Array(n).fill(1),
          pgtol: 1e-8,
          factr: 0, // stop on the projected gradient only (f's relative reduction is tiny near 0)
        },
      );
      // (success may be false: at 1e-8 the line search can run out of representable decrease)
      for (let i = 0; i < n; i++) {
        assert.ok(
          Math.abs(res.x[i]! - Math.min(Math.max(centre[i]!, -1), 1)) < 1e-5,
          `${res.x} for ${centre}`,
        );
      }
    },
  ));
});

/** Rosenbrock's function and its gradient (in `g`). */
function rosenbrock(x: Float64Array, g: Float64Array): number {
  const [a, b] = [x[0]!, x[1]!];
  g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
  g[1] = 200 * (b - a * a);
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
}

Deno.test("gp numerics: the minimiser solves Rosenbrock unbounded", () => {
  const res = minimize(rosenbrock, Float64Array.from([-1.2, 1]), { pgtol: 1e-8 });
  assert.ok(Math.abs(res.x[0]! - 1) < 1e-4 && Math.abs(res.x[1]! - 1) < 1e-4, `${res.x}`);
});

Deno.test("gp numerics: the SciPy-style minimiser (Moré–Thuente steps) solves Rosenbrock", () => {
  const res = minimize(rosenbrock, Float64Array.from([-1.2, 1]), {
    pgtol: 1e-8,
    lineSearch: "moreThuente",
  });
  assert.ok(res.success);
  assert.ok(Math.abs(res.x[0]! - 1) < 1e-4 && Math.abs(res.x[1]! - 1) < 1e-4, `${res.x}`);
});

Deno.test("gp numerics: a warm start with the curvature a similar problem ended with takes fewer iterations", () => {
  // a badly scaled quadratic, then the same one shifted a little (a fit one trial later)
  const scales = [100, 1, 0.01, 10, 0.1];
  const quad = (shift: number) => (x: Float64Array, g: Float64Array) => {
    let f = 0;
    scales.forEach((a, i) => {
      const d = x[i]! - (1 + shift * i);
      f += 0.5 * a * d * d;
      g[i] = a * d;
    });
    return f;
  };
  const o = { pgtol: 1e-6, lineSearch: "moreThuente" } as const;
  const first = minimize(quad(0), new Float64Array(5), o);
  assert.ok(first.curvature && first.curvature.every((v) => v > 0));
  const cold = minimize(quad(0.01), first.x, o);
  const warm = minimize(quad(0.01), first.x, { ...o, initialCurvature: first.curvature });
  for (const r of [cold, warm]) {
    r.x.forEach((v, i) => assert.ok(Math.abs(v - (1 + 0.01 * i)) < 1e-4, `${r.x}`));
  }
  assert.ok(warm.nIter < cold.nIter, `warm ${warm.nIter} iterations, cold ${cold.nIter}`);
});

Deno.test("gp numerics: the Moré–Thuente search ends at a step meeting the strong Wolfe conditions", () => {
  const o = { ...LBFGSB_SEARCH, stpmax: 1e10 };
  // φ(t) = a·t⁴ + b·t² − c·t + d·sin(t): bounded below, φ'(0) = d − c < 0
  const arb = fc.tuple(
    fc.double({ min: 0.01, max: 10, noNaN: true }),
    fc.double({ min: 0, max: 10, noNaN: true }),
    fc.double({ min: 0.1, max: 10, noNaN: true }),
    fc.double({ min: 0, max: 0.09, noNaN: true }),
    fc.double({ min: 1e-3, max: 100, noNaN: true }),
  );
  fc.assert(fc.property(arb, ([a, b, c, d, stp0]) => {
    const phi = (t: number) => a * t ** 4 + b * t * t - c * t + d * Math.sin(t);
    const dphi = (t: number) => 4 * a * t ** 3 + 2 * b * t - c + d * Math.cos(t);
    const state = dcsrchStart(stp0, phi(0), dphi(0), o)!;
    let stp = stp0;
    for (let k = 0; k < 40; k++) {
      const r = dcsrchStep(state, stp, phi(stp), dphi(stp), o);
      if (r.task === "convergence") {
        assert.ok(phi(stp) <= phi(0) + o.ftol * stp * dphi(0), `sufficient decrease at ${stp}`);
        assert.ok(Math.abs(dphi(stp)) <= o.gtol * Math.abs(dphi(0)), `curvature at ${stp}`);
        return;
      }
      assert.equal(r.task, "fg");
      stp = r.stp;
    }
    assert.fail("no convergence in 40 steps");
  }));
});

Deno.test("gp numerics: the blocked posterior of many points equals the one-point posterior", () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 30 }),
    fc.integer({ min: 1, max: 11 }),
    fc.integer(),
    (n, count, seed) => {
      const d = dataset(seed, n, 3, seed % 2 === 0);
      const gp = gpWith(d, { isl: Float64Array.from([2, 0.5, 1]), scale: 1.3, noise: 0.02 })!;
      const xs = dataset(seed + 1, count, 3, seed % 2 === 0).x;
      const means = new Float64Array(count), vars = new Float64Array(count);
      posteriorMany(gp, xs, count, means, vars);
      const s = posteriorScratch(gp);
      for (let r = 0; r < count; r++) {
        const p = posterior(gp, xs, r * 3, s);
        assert.ok(Math.abs(p.mean - means[r]!) <= 1e-10 * Math.max(1, Math.abs(p.mean)));
        assert.ok(Math.abs(p.variance - vars[r]!) <= 1e-10);
      }
    },
  ));
});

function checkGradient(
  f: (x: Float64Array, g: Float64Array) => number,
  x: Float64Array,
  skip?: Uint8Array,
  name = "",
): void {
  const g = new Float64Array(x.length), tmp = new Float64Array(x.length);
  f(x, g);
  for (let i = 0; i < x.length; i++) {
    if (skip?.[i]) continue;
    // central differences at two steps: a kink (EHVI's clamps) near x spoils the larger one
    const fds = [1e-6, 1e-8].map((h) => {
      const xp = Float64Array.from(x), xm = Float64Array.from(x);
      xp[i] = xp[i]! + h;
      xm[i] = xm[i]! - h;
      return (f(xp, tmp) - f(xm, tmp)) / (2 * h);
    });
    assert.ok(
      fds.some((fd) => Math.abs(fd - g[i]!) <= 1e-4 * Math.max(1, Math.abs(fd))),
      `${name} coordinate ${i}: analytic ${g[i]} vs finite differences ${fds}`,
    );
  }
}

Deno.test("gp numerics: the fit's gradient agrees with finite differences (categoricals included)", () => {
  fc.assert(
    fc.property(fc.integer(), fc.boolean(), (seed, cat) => {
      // (noisy only: the deterministic fit's 1e-6 noise makes finite differences too coarse;
      // its gradient is checked against Optuna's in parity_test.ts)
      const det = false;
      const d = dataset(seed, 9, 3, cat), sq = pairSqd(d);
      const raw = Float64Array.from([0.3, -0.4, 0.1, 0.2, Math.log(0.05)]);
      checkGradient((r, g) => fitLoss(d, sq, r, g, det), raw);
    }),
    { numRuns: 30 },
  );
});

function acqfCases(seed: number): Array<[string, Acqf]> {
  const d = dataset(seed, 12, 3, true);
  const params = { isl: Float64Array.from([2, 0.5, 1]), scale: 1.3, noise: 0.01 };
  const gp = gpWith(d, params)!;
  const other = gpWith({ ...d, y: d.y.map((v) => -v * 0.5) }, { ...params, noise: 0.05 })!;
  const third = gpWith({ ...d, y: d.y.map((v, i) => Math.sin(3 * v + i)) }, params)!;
  return [
    ["log EI", logEiAcqf(gp, 0.8)],
    ["log CEI", logCeiAcqf(gp, 0.5, [{ gp: other, threshold: 0.1 }])],
    ["log EHVI", logEhviAcqf([gp, other], [d.y, d.y.map((v) => -v * 0.5)], rngFor(1, 0, "t"))],
    [
      "log EHVI, 3 objectives",
      logEhviAcqf(
        [gp, other, third],
        [d.y, d.y.map((v) => -v * 0.5), d.y.map((v, i) => Math.sin(3 * v + i))],
        rngFor(2, 0, "t"),
      ),
    ],
  ];
}

Deno.test("gp numerics: acquisition gradients agree with finite differences, values with evalMany", () => {
  fc.assert(
    fc.property(fc.integer(), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (seed, u) => {
      for (const [name, acqf] of acqfCases(seed)) {
        const x = Float64Array.from([u, 1 - u, 1]);
        const g = new Float64Array(3);
        const v = acqf.evalGrad(x, g);
        assert.ok(Math.abs(v - acqf.evalMany(x, 1)[0]!) <= 1e-9 * Math.max(1, Math.abs(v)), name);
        checkGradient(acqf.evalGrad, x, Uint8Array.from([0, 0, 1]), name);
      }
    }),
    { numRuns: 20 },
  );
});

Deno.test("gp numerics: log EI is finite and increasing far below the incumbent", () => {
  let last = -Infinity;
  for (let z = -60; z <= 5; z += 0.25) {
    const v = standardLogEi(z);
    assert.ok(Number.isFinite(v) && v > last, `z = ${z}: ${v}`);
    last = v;
  }
  // continuity where the formula switches (z = −25)
  assert.ok(Math.abs(standardLogEi(-25 - 1e-9) - standardLogEi(-25)) < 1e-6);
});

Deno.test("gp numerics: the candidates are the scrambled Sobol' points of the QMC sampler's engine", () => {
  const space = gpSpace({
    a: { _tag: "FloatDistribution", low: 0, high: 1, log: false, step: null },
    b: { _tag: "FloatDistribution", low: -2, high: 3, log: false, step: null },
    c: { _tag: "FloatDistribution", low: 1, high: 9, log: true, step: null },
  });
  const xs = sampleNormalized(space, 100, rngFor(3, 4, "relative"));
  const { v, shift } = scramble(directionNumbers(3), 3, rngFor(3, 4, "relative"));
  for (let k = 0; k < 100; k++) {
    assert.deepEqual(
      Array.from(xs.slice(k * 3, k * 3 + 3)),
      Array.from(sobolPoint(v, shift, 3, k)),
    );
  }
});
