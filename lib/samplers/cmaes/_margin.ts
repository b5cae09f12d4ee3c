/**
 * CMA-ES with margin (`CMAwM` of the `cmaes` library; Hamano et al., GECCO 2022): discrete
 * coordinates are encoded to their nearest grid values when sampled, and after each update the
 * mean and a per-coordinate scale `A` are corrected so that the probability of leaving the
 * mean's grid cell stays at least `margin`. Private to the CMA-ES sampler.
 *
 * @module
 */
import { ndtr, normalPpf } from "../../math/special.ts";
import { newCma, tellCma } from "./_cma.ts";
import type { CmaState, MarginState, Solution } from "./_model.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What `CMAwM(...)` takes beyond `CMA(...)`: the step of every coordinate (0: continuous). */
export interface MarginInit {
  readonly mean: ReadonlyArray<number>;
  readonly sigma: number;
  readonly lower: ReadonlyArray<number>;
  readonly upper: ReadonlyArray<number>;
  readonly steps: ReadonlyArray<number>;
  readonly nMaxResampling: number;
  readonly popsize?: number | undefined;
  readonly cov?: ReadonlyArray<number> | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A new CMA-ES with margin. */
export function newCmaWithMargin(init: MarginInit): CmaState {
  const cma = newCma({ ...init, type: "cma" });
  const discrete = init.steps.flatMap((s, i) => s > 0 ? [i] : []);
  const continuous = init.steps.flatMap((s, i) => s > 0 ? [] : [i]);
  const low = discrete.map((i) => init.lower[i]!);
  const req = discrete.map((i) => init.steps[i]!);
  const size = discrete.map((i, k) =>
    Math.ceil((init.upper[i]! + req[k]! / 2 - low[k]!) / req[k]!)
  );
  const step = discrete.map((_, k) => low[k]! + req[k]! - low[k]!);
  const margin: MarginState = {
    discrete,
    continuous,
    low,
    size,
    step,
    margin: 1 / (cma.n * cma.popsize),
    A: new Array(cma.n).fill(1),
  };
  return { ...cma, margin };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** Grid value `idx` of discrete coordinate `k`. */
function gridValue(m: MarginState, k: number, idx: number): number {
  return m.low[k]! + idx * m.step[k]!;
}

/** The midpoint between grid values `idx` and `idx + 1`. */
function limitValue(m: MarginState, k: number, idx: number): number {
  return (gridValue(m, k, idx) + gridValue(m, k, idx + 1)) / 2;
}

/** The index of the grid value nearest `v` (the lower one on ties). */
function gridIndex(m: MarginState, k: number, v: number): number {
  const size = m.size[k]!;
  let idx = Math.floor((v - m.low[k]!) / m.step[k]! + 0.5);
  idx = Math.min(Math.max(idx, 0), size - 1);
  if (idx > 0 && v <= limitValue(m, k, Math.max(idx - 1, 0))) idx -= 1;
  if (idx < size - 1 && v > limitValue(m, k, Math.min(idx, size - 2))) idx += 1;
  return idx;
}

/** The limits of the grid cell of `v`. */
function cellLimits(m: MarginState, k: number, v: number): readonly [number, number] {
  const pos = gridIndex(m, k, v);
  const size = m.size[k]!;
  const lo = Math.min(Math.max(pos - 1, 0), size - 2);
  const hi = Math.min(Math.max(pos, 0), size - 2);
  return [limitValue(m, k, lo), limitValue(m, k, hi)];
}

/** The encoded point of a raw sample: discrete coordinates moved to their grid values. */
export function encodeMargin(s: CmaState, x: ReadonlyArray<number>): number[] {
  const m = s.margin!;
  const out = [...x];
  m.discrete.forEach((i, k) => {
    const v = (x[i]! - s.mean[i]!) * m.A[i]! + s.mean[i]!;
    out[i] = gridValue(m, k, gridIndex(m, k, v));
  });
  return out;
}

/** True when the continuous coordinates of `x` lie within the bounds. */
export function continuousFeasible(s: CmaState, x: ReadonlyArray<number>): boolean {
  return s.margin!.continuous.every((i) => x[i]! >= s.lower[i]! && x[i]! <= s.upper[i]!);
}

/** `x` with its continuous coordinates clipped to the bounds. */
export function repairContinuous(s: CmaState, x: ReadonlyArray<number>): number[] {
  const out = [...x];
  for (const i of s.margin!.continuous) {
    out[i] = Math.min(Math.max(x[i]!, s.lower[i]!), s.upper[i]!);
  }
  return out;
}

/** `scipy.stats.chi2.ppf(q, df=1)`. */
function chi2Ppf(q: number): number {
  if (q === 0) return 0;
  if (q === 1) return Infinity;
  return normalPpf((1 - q) / 2) ** 2;
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** `CMAwM.tell`: the CMA update, then the margin correction of mean and `A`. */
export function tellMargin(s: CmaState, solutions: ReadonlyArray<Solution>): CmaState {
  const next = tellCma(s, solutions);
  const m = next.margin!;
  if (m.discrete.length === 0) return next;
  const n = next.n, sigma = next.sigma;
  const mean = [...next.mean];
  const A = [...m.A];
  m.discrete.forEach((i, k) => {
    const mi = mean[i]!;
    const [limLow, limUp] = cellLimits(m, k, mi);
    const cii = next.C[i * n + i]!;
    const scale = sigma * A[i]! * Math.sqrt(cii);
    let low = ndtr((limLow - mi) / scale);
    let up = 1.0 - ndtr((limUp - mi) / scale);
    const mid = 1.0 - (low + up);
    const edge = Math.max(low, up) > 0.5;
    if (edge && Math.min(low, up) < m.margin) {
      const sign = Math.sign(mi - limUp);
      const dist = sigma * A[i]! * Math.sqrt(chi2Ppf(1.0 - 2.0 * m.margin) * cii);
      mean[i] = mi + (limUp + sign * dist - mi);
    }
    if (edge) return;
    low = Math.max(low, m.margin / 2.0);
    up = Math.max(up, m.margin / 2.0);
    const denom = low + mid + up - 3.0 * m.margin / 2;
    const rest = 1.0 - low - up - mid;
    const mLow = Math.min(Math.max(low + rest * (low - m.margin / 2) / denom, 1e-10), 0.5 - 1e-10);
    const mUp = Math.min(Math.max(up + rest * (up - m.margin / 2) / denom, 1e-10), 0.5 - 1e-10);
    const chiLow = Math.sqrt(chi2Ppf(1.0 - 2 * mLow));
    const chiUp = Math.sqrt(chi2Ppf(1.0 - 2 * mUp));
    A[i] = (limUp - limLow) / ((chiLow + chiUp) * sigma * Math.sqrt(cii));
    mean[i] = (limLow * chiUp + limUp * chiLow) / (chiLow + chiUp);
  });
  return { ...next, mean, margin: { ...m, A } };
}
