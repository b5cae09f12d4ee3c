/**
 * Multi-objective acquisition of Optuna 5.0 (private): log expected hypervolume improvement
 * (`LogEHVI`, a quasi-Monte-Carlo average over 128 fixed normal Sobol' samples of the
 * hypervolume the posterior sample adds to the non-dominated boxes) and its constrained form
 * (`LogCEHVI`, plus the constraints' log feasibility). The box decomposition is Optuna's
 * (Lacour, Klamroth and Fonseca's algorithm, as `_hypervolume/box_decomposition.py`).
 *
 * @module
 */
import { normalPpf } from "../../math/special.ts";
import {
  paretoFront,
  paretoFrontOfSorted,
  type Point,
  uniqueLexsorted,
} from "../../math/hypervolume.ts";
import type { Rng } from "../../random/rng.ts";
import { directionNumbers, scramble, sobolPoint } from "../qmc/_sobol.ts";
import { type Acqf, addAcqf, lengthScalesOf, logPiSumAcqf } from "./_acqf.ts";
import { type Gp, posteriorMany, posteriorScratch, posteriorWithGrad } from "./_gp.ts";

const EPS = 1e-12;
const STABILIZING_NOISE = 1e-12;
const N_QMC = 128;

/** Lacour17's Algorithm 2: the upper bound set `U(N)` and each bound's defining points. */
function upperBoundSet(
  sorted: ReadonlyArray<Point>,
  ref: Point,
): { ubs: number[][]; dps: number[][][] } {
  const M = ref.length;
  let ubs = [ref.slice()];
  let dps = [
    Array.from(
      { length: M },
      (_, k) => Array.from({ length: M }, (_, j) => (j === k ? ref[k]! : -Infinity)),
    ),
  ];
  for (const sol of sorted) {
    const keptU: number[][] = [],
      keptD: number[][][] = [],
      newU: number[][] = [],
      newD: number[][][] = [];
    ubs.forEach((u, b) => {
      if (!u.every((v, k) => sol[k]! < v)) {
        keptU.push(u);
        keptD.push(dps[b]!);
        return;
      }
      const dp = dps[b]!;
      for (let j = 0; j < M; j++) {
        let mx = -Infinity;
        if (j !== 0) { for (let k = 0; k < M; k++) if (k !== j) mx = Math.max(mx, dp[k]![j]!); }
        if (!(sol[j]! >= mx)) continue;
        const nd = dp.map((row) => row.slice());
        nd[j] = sol.slice();
        const nu = u.slice();
        nu[j] = sol[j]!;
        newU.push(nu);
        newD.push(nd);
      }
    });
    if (newU.length === 0 && keptU.length === ubs.length) continue;
    ubs = [...keptU, ...newU];
    dps = [...keptD, ...newD];
  }
  return { ubs, dps };
}

/** Eq. (2) of Lacour17: the boxes `[lower, upper]` (empty ones dropped). */
function boxBounds(
  ubs: number[][],
  dps: number[][][],
  ref: Point,
): { lo: number[][]; hi: number[][] } {
  const M = ref.length;
  const lo: number[][] = [], hi: number[][] = [];
  ubs.forEach((u, b) => {
    const dp = dps[b]!;
    const l = [dp[0]![0]!], h = [ref[0]!];
    for (let r = 0; r < M - 1; r++) {
      let mx = -Infinity;
      for (let k = 0; k <= r; k++) mx = Math.max(mx, dp[k]![r + 1]!);
      l.push(mx);
      h.push(u[r + 1]!);
    }
    if (h.some((v, k) => v <= l[k]!)) return;
    lo.push(l);
    hi.push(h);
  });
  return { lo, hi };
}

/** The non-dominated boxes of minimisation points `loss` below `ref` (Optuna's). */
export function nonDominatedBoxes(
  loss: ReadonlyArray<Point>,
  ref: Point,
): { lo: number[][]; hi: number[][] } {
  const { unique } = uniqueLexsorted(loss);
  const front = paretoFrontOfSorted(unique);
  const sorted = unique.filter((_, i) => front[i]);
  const neg = upperBoundSet(sorted, ref).ubs.map((u) => u.map((v) => -v));
  const un = uniqueLexsorted(neg).unique;
  const f2 = paretoFrontOfSorted(un);
  const inf = ref.map(() => Infinity);
  const { ubs, dps } = upperBoundSet(un.filter((_, i) => f2[i]), inf);
  const { lo, hi } = boxBounds(ubs, dps, inf);
  return { lo: hi.map((r) => r.map((v) => -v)), hi: lo.map((r) => r.map((v) => -v)) };
}

/** The next double above `x`. */
function nextUp(x: number): number {
  if (x === Infinity || Number.isNaN(x)) return x;
  if (x === 0) return Number.MIN_VALUE;
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const bits = b.getBigInt64(0);
  b.setBigInt64(0, x > 0 ? bits + 1n : bits - 1n);
  return b.getFloat64(0);
}

/**
 * The boxes of the maximisation values `ys` (per objective, standardised), as lower bounds and
 * widths (at least `1e-12`), with Optuna's reference point.
 */
export function ehviBoxes(
  ys: ReadonlyArray<Float64Array>,
): { lower: number[][]; width: number[][] } {
  const n = ys[0]!.length, M = ys.length;
  const loss: number[][] = Array.from({ length: n }, (_, i) => ys.map((y) => -y[i]!));
  const ref = Array.from({ length: M }, (_, m) => {
    const r = Math.max(...loss.map((l) => l[m]!));
    return nextUp(Math.max(1.1 * r, 0.9 * r));
  });
  const inside = loss.filter((l) => l.every((v, m) => v < ref[m]!));
  const front = paretoFront(inside);
  const { lo, hi } = nonDominatedBoxes(inside.filter((_, i) => front[i]), ref);
  // in maximisation space: lower = −hi, upper = −lo
  const lower = hi.map((r) => r.map((v) => -v));
  const width = lo.map((r, b) => r.map((v, m) => Math.max(-v - lower[b]![m]!, EPS)));
  return { lower, width };
}

/** 128 normal quasi-random samples per objective (scrambled Sobol' through the normal quantile). */
function normalSobol(dim: number, rng: Rng): Float64Array {
  const { v, shift } = scramble(directionNumbers(dim), dim, rng);
  const out = new Float64Array(N_QMC * dim);
  for (let s = 0; s < N_QMC; s++) {
    const p = sobolPoint(v, shift, dim, s);
    for (let m = 0; m < dim; m++) {
      out[s * dim + m] = normalPpf(Math.min(Math.max(p[m]!, 1e-16), 1 - 1e-16));
    }
  }
  return out;
}

/** Mean of the objectives' length scales. */
function meanLengthScales(gps: ReadonlyArray<Gp>): Float64Array {
  const out = new Float64Array(gps[0]!.dim);
  for (const gp of gps) lengthScalesOf(gp).forEach((v, d) => (out[d] = out[d]! + v / gps.length));
  return out;
}

/** The boxes flattened (box-major, `M` values each) for the hot loop of {@link ehviAt}. */
interface FlatBoxes {
  readonly count: number;
  readonly lower: Float64Array;
  readonly width: Float64Array;
}

function flatBoxes(boxes: { lower: number[][]; width: number[][] }): FlatBoxes {
  return {
    count: boxes.lower.length,
    lower: Float64Array.from(boxes.lower.flat()),
    width: Float64Array.from(boxes.width.flat()),
  };
}

/** Scratch arrays of {@link ehviAt}, per acquisition function. */
interface EhviScratch {
  /** Posterior samples `μ_m + σ_m ξ_sm`, sample-major. */
  readonly y: Float64Array;
  /** Per sample and box: the hypervolume the sample adds to the box (clamped). */
  readonly vol: Float64Array;
}

/**
 * The hypervolume each posterior sample adds to each box, `Π_m min(max(y_m − lower, ε), width)`,
 * into `vol`; returns their sum.
 */
function boxVolumes(M: number, fb: FlatBoxes, sc: EhviScratch): number {
  const B = fb.count, { lower, width } = fb, { y, vol } = sc;
  let sum = 0;
  for (let s = 0; s < N_QMC; s++) {
    const ys = s * M;
    for (let b = 0; b < B; b++) {
      const o = b * M;
      let v = 1;
      for (let m = 0; m < M; m++) {
        v *= Math.min(Math.max(y[ys + m]! - lower[o + m]!, EPS), width[o + m]!);
      }
      vol[s * B + b] = v;
      sum += v;
    }
  }
  return sum;
}

/**
 * log EHVI and, when `grads` is given, its gradient from the objectives' posterior gradients.
 * Optuna sums `exp(Σ_m log clamp)` by log-sum-exp; the sum of the products is the same sum with
 * one logarithm per point instead of one per sample, box and objective. Every factor is at least
 * `1e-12`, so no product underflows below 26 objectives; the box decomposition runs out of
 * memory long before (about 20 objectives).
 */
function ehviAt(
  mean: Float64Array,
  sigma: Float64Array,
  xi: Float64Array,
  fb: FlatBoxes,
  sc: EhviScratch,
  grads?: { dMean: Float64Array[]; dSigma: Float64Array[]; out: Float64Array },
): number {
  const M = mean.length, B = fb.count;
  for (let s = 0; s < N_QMC; s++) {
    for (let m = 0; m < M; m++) sc.y[s * M + m] = mean[m]! + sigma[m]! * xi[s * M + m]!;
  }
  const sum = boxVolumes(M, fb, sc);
  const value = Math.log(sum / N_QMC);
  if (!grads) return value;
  // d value / d y_sm = Σ_b w_sb / diff_sbm over the unclamped factors, w_sb = vol_sb / Σ vol;
  // then d y_sm = dμ_m + ξ_sm dσ_m: accumulate the two coefficients per objective
  const cMean = new Float64Array(M), cSigma = new Float64Array(M);
  for (let s = 0; s < N_QMC; s++) {
    for (let b = 0; b < B; b++) {
      const w = sc.vol[s * B + b]! / sum;
      if (w === 0) continue;
      for (let m = 0; m < M; m++) {
        const diff = sc.y[s * M + m]! - fb.lower[b * M + m]!;
        if (diff < EPS || diff > fb.width[b * M + m]!) continue;
        cMean[m] = cMean[m]! + w / diff;
        cSigma[m] = cSigma[m]! + (w / diff) * xi[s * M + m]!;
      }
    }
  }
  const out = grads.out.fill(0);
  for (let m = 0; m < M; m++) {
    const dm = grads.dMean[m]!, ds = grads.dSigma[m]!, a = cMean[m]!, c = cSigma[m]!;
    for (let d = 0; d < out.length; d++) out[d] = out[d]! + a * dm[d]! + c * ds[d]!;
  }
  return value;
}

/** Optuna's `LogEHVI` over the objectives' GPs and standardised values `ys`. */
export function logEhviAcqf(
  gps: ReadonlyArray<Gp>,
  ys: ReadonlyArray<Float64Array>,
  rng: Rng,
): Acqf {
  const M = gps.length, dim = gps[0]!.dim;
  const xi = normalSobol(M, rng);
  const boxes = flatBoxes(ehviBoxes(ys));
  const sc = {
    y: new Float64Array(N_QMC * M),
    vol: new Float64Array(N_QMC * boxes.count),
  };
  const scratch = gps.map(posteriorScratch);
  const mean = new Float64Array(M), sigma = new Float64Array(M);
  const dMean = gps.map(() => new Float64Array(dim)), dSigma = gps.map(() => new Float64Array(dim));
  return {
    dim,
    lengthScales: meanLengthScales(gps),
    evalMany: (xs, n) => {
      const out = new Float64Array(n);
      // each objective's posterior at all the points at once (blocked solves)
      const means = gps.map(() => new Float64Array(n)), vars = gps.map(() => new Float64Array(n));
      gps.forEach((gp, m) => posteriorMany(gp, xs, n, means[m]!, vars[m]!));
      for (let r = 0; r < n; r++) {
        for (let m = 0; m < M; m++) {
          mean[m] = means[m]![r]!;
          sigma[m] = Math.sqrt(vars[m]![r]! + STABILIZING_NOISE);
        }
        out[r] = ehviAt(mean, sigma, xi, boxes, sc);
      }
      return out;
    },
    evalGrad: (x, grad) => {
      gps.forEach((gp, m) => {
        const p = posteriorWithGrad(gp, x, scratch[m]!, dMean[m]!, dSigma[m]!);
        mean[m] = p.mean;
        sigma[m] = Math.sqrt(p.variance + STABILIZING_NOISE);
        const ds = dSigma[m]!; // holds dVar: dσ = dVar / (2σ)
        for (let d = 0; d < dim; d++) ds[d] = ds[d]! / (2 * sigma[m]!);
      });
      return ehviAt(mean, sigma, xi, boxes, sc, { dMean, dSigma, out: grad });
    },
  };
}

/**
 * Optuna's `LogCEHVI`: the constraints' log feasibility plus, when some trial is feasible,
 * log EHVI over the feasible values `yFeasible`.
 */
export function logCehviAcqf(
  gps: ReadonlyArray<Gp>,
  yFeasible: ReadonlyArray<Float64Array> | undefined,
  constraints: ReadonlyArray<{ readonly gp: Gp; readonly threshold: number }>,
  rng: Rng,
): Acqf {
  const pi = logPiSumAcqf(constraints, meanLengthScales(gps));
  return yFeasible ? addAcqf(logEhviAcqf(gps, yFeasible, rng), pi) : pi;
}
