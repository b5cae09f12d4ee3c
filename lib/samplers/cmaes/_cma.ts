/**
 * The `cmaes` library's `CMA` (full covariance) and `SepCMA` (diagonal covariance) as pure
 * functions over a JSON state: construction, the update (`tell`, with learning-rate adaptation
 * when enabled), sampling from given standard normal draws (`ask`) and the stopping test used
 * by restarts. The update equals the library's given the same solutions (parity fixtures in
 * `tests/fixtures/cmaes/`). Private to the CMA-ES sampler.
 *
 * @module
 */
import { matVec, norm, recompose, symmetricEigen } from "./_linalg.ts";
import { lrAdaptation, newLrState } from "./_lr_adapt.ts";
import type { CmaState, Decomposition, Solution } from "./_model.ts";

export type { CmaState, Decomposition, Solution } from "./_model.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What a new optimizer is built from. */
export interface CmaInit {
  readonly type: "cma" | "sepcma";
  readonly mean: ReadonlyArray<number>;
  readonly sigma: number;
  readonly lower: ReadonlyArray<number>;
  readonly upper: ReadonlyArray<number>;
  readonly nMaxResampling: number;
  readonly popsize?: number | undefined;
  /** Initial covariance (row-major), `cma` only. */
  readonly cov?: ReadonlyArray<number> | undefined;
  readonly lrAdapt?: boolean;
}

/** `_EPS` of the library. */
const EPS = 1e-8;
const SIGMA_MAX = 1e32;
const TOLXUP = 1e4;
const TOLFUN = 1e-12;
const TOLCONDITIONCOV = 1e14;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

function sum(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i]!;
  return s;
}

/** The default population size, `4 + ⌊3 ln n⌋`. */
export function defaultPopsize(n: number): number {
  return 4 + Math.floor(3 * Math.log(n));
}

/** Learning rates and weights of `CMA.__init__`. */
function fullParameters(n: number, popsize: number) {
  const mu = Math.floor(popsize / 2);
  const wp = Array.from(
    { length: popsize },
    (_, i) => Math.log((popsize + 1) / 2) - Math.log(i + 1),
  );
  const sq = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s += wp[i]! ** 2;
    return s;
  };
  const muEff = sum(wp, 0, mu) ** 2 / sq(0, mu);
  const muEffMinus = sum(wp, mu) ** 2 / sq(mu, popsize);
  const alphaCov = 2;
  const c1 = alphaCov / ((n + 1.3) ** 2 + muEff);
  const cmu = Math.min(
    1 - c1 - 1e-8,
    alphaCov * (muEff - 2 + 1 / muEff) / ((n + 2) ** 2 + alphaCov * muEff / 2),
  );
  const minAlpha = Math.min(
    1 + c1 / cmu,
    1 + (2 * muEffMinus) / (muEff + 2),
    (1 - c1 - cmu) / (n * cmu),
  );
  const pos = sum(wp.filter((w) => w > 0));
  const neg = sum(wp.filter((w) => w < 0).map(Math.abs));
  const weights = wp.map((w) => w >= 0 ? 1 / pos * w : minAlpha / neg * w);
  const cSigma = (muEff + 2) / (n + muEff + 5);
  const cc = (4 + muEff / n) / (n + 4 + 2 * muEff / n);
  return { mu, muEff, c1, cmu, weights, cSigma, cc };
}

/** Learning rates and weights of `SepCMA.__init__`. */
function sepParameters(n: number, popsize: number) {
  const mu = Math.floor(popsize / 2);
  const wp = Array.from({ length: mu }, (_, i) => Math.log(mu + 1) - Math.log(i + 1));
  const total = sum(wp);
  const weights = wp.map((w) => w / total);
  const muEff = 1 / sum(weights.map((w) => w * w));
  const c1 = 2 / ((n + 1.3) ** 2 + muEff);
  const cmuFull = 2 / muEff / ((n + Math.sqrt(2)) ** 2) +
    (1 - 1 / muEff) * Math.min(1, (2 * muEff - 1) / ((n + 2) ** 2 + muEff));
  const cmu = (n + 2) / 3 * cmuFull;
  const cSigma = (muEff + 2) / (n + muEff + 3);
  const cc = 4 / (n + 4);
  return { mu, muEff, c1, cmu, weights, cSigma, cc };
}

/** A new optimizer (`CMA(...)` or `SepCMA(...)` of the library). */
export function newCma(init: CmaInit): CmaState {
  const n = init.mean.length;
  const popsize = init.popsize ?? defaultPopsize(n);
  const p = init.type === "cma" ? fullParameters(n, popsize) : sepParameters(n, popsize);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((p.muEff - 1) / (n + 1)) - 1) + p.cSigma;
  const identity = Array.from({ length: n * n }, (_, k) => k % (n + 1) === 0 ? 1 : 0);
  const funhistTerm = 10 + Math.ceil(30 * n / popsize);
  return {
    type: init.type,
    n,
    popsize,
    ...p,
    dSigma,
    cm: 1,
    chiN: Math.sqrt(n) * (1.0 - (1.0 / (4.0 * n)) + 1.0 / (21.0 * (n ** 2))),
    pSigma: new Array(n).fill(0),
    pc: new Array(n).fill(0),
    mean: [...init.mean],
    sigma: init.sigma,
    C: init.type === "sepcma" ? new Array(n).fill(1) : [...(init.cov ?? identity)],
    lower: [...init.lower],
    upper: [...init.upper],
    nMaxResampling: init.nMaxResampling,
    g: 0,
    tolx: 1e-12 * init.sigma,
    funhistTerm,
    funhist: new Array(funhistTerm * 2).fill(0),
    lr: init.lrAdapt ? newLrState(n) : null,
    margin: null,
  };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** `_eigen_decomposition`: symmetrise C, decompose, clamp negative eigenvalues, recompose. */
export function decompose(s: CmaState): Decomposition {
  const n = s.n;
  if (s.type === "sepcma") {
    const D = Float64Array.from(s.C, (c) => Math.sqrt(c < 0 ? EPS : c));
    return { B: null, D, C: Float64Array.from(s.C) };
  }
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) sym[i * n + j] = (s.C[i * n + j]! + s.C[j * n + i]!) / 2;
  }
  const { values, vectors } = symmetricEigen(sym, n);
  const D = values.map((d2) => Math.sqrt(d2 < 0 ? EPS : d2));
  return { B: vectors, D, C: recompose(vectors, D.map((d) => d * d), n) };
}

/**
 * One sample `m + σ B D z` from `n` standard normal draws `z` (`_sample_solution`).
 */
export function sampleSolution(s: CmaState, dec: Decomposition, z: ArrayLike<number>): number[] {
  const n = s.n;
  const x = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let y: number;
    if (dec.B === null) y = dec.D[i]! * z[i]!;
    else {
      y = 0;
      for (let k = 0; k < n; k++) y += dec.B[i * n + k]! * dec.D[k]! * z[k]!;
    }
    x[i] = s.mean[i]! + s.sigma * y;
  }
  return x;
}

/**
 * `ask`: up to `nMaxResampling` samples until one lies within the bounds, else one more
 * sample clipped to them. `draw` gives the next standard normal.
 */
export function askCma(s: CmaState, dec: Decomposition, draw: () => number): number[] {
  const z = new Float64Array(s.n);
  const next = () => {
    for (let i = 0; i < s.n; i++) z[i] = draw();
    return sampleSolution(s, dec, z);
  };
  for (let i = 0; i < s.nMaxResampling; i++) {
    const x = next();
    if (x.every((v, k) => v >= s.lower[k]! && v <= s.upper[k]!)) return x;
  }
  return next().map((v, k) => Math.min(Math.max(v, s.lower[k]!), s.upper[k]!));
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** Solutions sorted by value (stable), their points as rows. */
function sortedSolutions(solutions: ReadonlyArray<Solution>): Solution[] {
  return solutions.map((s, i) => [s, i] as const)
    .sort((a, b) => a[0][1] - b[0][1] || a[1] - b[1])
    .map(([s]) => s);
}

/** The funhist ring buffer after generation `g`'s best and worst values. */
function nextFunhist(s: CmaState, g: number, sorted: ReadonlyArray<Solution>): number[] {
  const funhist = [...s.funhist];
  const idx = 2 * (g % s.funhistTerm);
  funhist[idx] = sorted[0]![1];
  funhist[idx + 1] = sorted[sorted.length - 1]![1];
  return funhist;
}

/** `C^{-1/2} = B D⁻¹ Bᵀ` (row-major), or `1/D` for the diagonal case. */
function invSqrt(dec: Decomposition, n: number): Float64Array {
  if (dec.B === null) return dec.D.map((d) => 1 / d);
  return recompose(dec.B, dec.D.map((d) => 1 / d), n);
}

/**
 * `tell`: the library's update of mean, step size, evolution paths and covariance from
 * `popsize` solutions (and learning-rate adaptation when enabled).
 */
export function tellCma(s: CmaState, solutions: ReadonlyArray<Solution>): CmaState {
  const n = s.n, g = s.g + 1;
  const sorted = sortedSolutions(solutions);
  const funhist = nextFunhist(s, g, sorted);
  const dec = decompose(s);
  const yk = sorted.map(([x]) => x.map((v, i) => (v - s.mean[i]!) / s.sigma));
  const yw = new Float64Array(n);
  for (let k = 0; k < s.mu; k++) for (let i = 0; i < n; i++) yw[i]! += yk[k]![i]! * s.weights[k]!;
  const mean = s.mean.map((m, i) => m + s.cm * s.sigma * yw[i]!);
  const c2 = invSqrt(dec, n);
  const c2yw = dec.B === null ? yw.map((v, i) => v * c2[i]!) : matVec(c2, yw, n);
  const a = Math.sqrt(s.cSigma * (2 - s.cSigma) * s.muEff);
  const pSigma = s.pSigma.map((p, i) => (1 - s.cSigma) * p + a * c2yw[i]!);
  const normPs = norm(pSigma);
  let sigma = s.sigma * Math.exp((s.cSigma / s.dSigma) * (normPs / s.chiN - 1));
  sigma = Math.min(sigma, SIGMA_MAX);
  const left = normPs / Math.sqrt(1 - (1 - s.cSigma) ** (2 * (g + 1)));
  const hSigma = left < (1.4 + 2 / (n + 1)) * s.chiN ? 1.0 : 0.0;
  const b = hSigma * Math.sqrt(s.cc * (2 - s.cc) * s.muEff);
  const pc = s.pc.map((p, i) => (1 - s.cc) * p + b * yw[i]!);
  const deltaH = (1 - hSigma) * s.cc * (2 - s.cc);
  const decay = 1 + s.c1 * deltaH - s.c1 - s.cmu * sum(s.weights);
  const C = s.type === "sepcma"
    ? sepCovariance(s, dec.C, pc, yk, decay)
    : fullCovariance(s, dec.C, c2, pc, yk, decay);
  const next: CmaState = { ...s, g, funhist, mean, pSigma, sigma, pc, C };
  return s.lr ? lrAdaptation(s, next, dec, c2) : next;
}

/** (eq. 47) for the diagonal covariance. */
function sepCovariance(
  s: CmaState,
  C: Float64Array,
  pc: ReadonlyArray<number>,
  yk: ReadonlyArray<ReadonlyArray<number>>,
  decay: number,
): number[] {
  return Array.from({ length: s.n }, (_, i) => {
    let rankMu = 0;
    for (let k = 0; k < s.weights.length; k++) rankMu += s.weights[k]! * yk[k]![i]! ** 2;
    return decay * C[i]! + s.c1 * pc[i]! ** 2 + s.cmu * rankMu;
  });
}

/** (eq. 46, 47) for the full covariance: active weights, rank-one and rank-μ updates. */
function fullCovariance(
  s: CmaState,
  C: Float64Array,
  c2: Float64Array,
  pc: ReadonlyArray<number>,
  yk: ReadonlyArray<ReadonlyArray<number>>,
  decay: number,
): number[] {
  const n = s.n;
  const wio = s.weights.map((w, k) =>
    w >= 0 ? w : w * (n / (norm(matVec(c2, yk[k]!, n)) ** 2 + EPS))
  );
  const out = new Array<number>(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let rankMu = 0;
      for (let k = 0; k < wio.length; k++) rankMu += wio[k]! * yk[k]![i]! * yk[k]![j]!;
      out[i * n + j] = decay * C[i * n + j]! + s.c1 * pc[i]! * pc[j]! + s.cmu * rankMu;
    }
  }
  return out;
}

/** `should_stop`: the library's termination criteria (used by the restart strategies). */
export function shouldStop(s: CmaState): boolean {
  const dec = decompose(s);
  const n = s.n;
  const dC = s.type === "sepcma"
    ? Float64Array.from(s.C)
    : dec.C.filter((_, k) => k % (n + 1) === 0);
  if (s.g > s.funhistTerm && Math.max(...s.funhist) - Math.min(...s.funhist) < TOLFUN) return true;
  if (dC.every((c) => s.sigma * c < s.tolx) && s.pc.every((p) => s.sigma * p < s.tolx)) return true;
  const maxD = Math.max(...dec.D), minD = Math.min(...dec.D);
  if (s.sigma * maxD > TOLXUP) return true;
  if (s.mean.some((m, i) => m === m + 0.2 * s.sigma * Math.sqrt(dC[i]!))) return true;
  const i = s.g % n;
  const axis = s.mean.every((m, k) =>
    m === m + 0.1 * s.sigma * dec.D[i]! * (dec.B === null ? 1 : dec.B[k * n + i]!)
  );
  if (axis) return true;
  return maxD / minD > TOLCONDITIONCOV;
}
