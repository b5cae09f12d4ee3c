/**
 * Acquisition optimisation of Optuna 5.0's `_gp/optim_mixed.py` (private): scrambled Sobol'
 * candidates, the best of them plus roulette-chosen others (and the warm starts) as starts
 * of local searches that alternate gradient steps on the continuous parameters
 * (preconditioned by the length scales, bounded quasi-Newton) with an exhaustive search
 * (categoricals, at most 16 values) or a line search (longer grids) on each discrete one.
 *
 * @module
 */
import { type Rng, weightedChoice } from "../../random/rng.ts";
import type { Acqf } from "./_acqf.ts";
import { minimize } from "./_lbfgsb.ts";
import { discreteChoices, type GpSpace, sampleNormalized } from "./_space.ts";

/** Settings of {@link optimizeAcqf} (Optuna's). */
export interface AcqfSearch {
  /** Sobol' candidates. @default {2048} */
  readonly nPreliminarySamples: number;
  /** Local searches. @default {10} */
  readonly nLocalSearch: number;
  /** Tolerance (the gradient steps stop at a projected gradient of `√tol`). @default {1e-4} */
  readonly tol: number;
}

/** Optuna's settings. */
export const DEFAULT_SEARCH: AcqfSearch = {
  nPreliminarySamples: 2048,
  nLocalSearch: 10,
  tol: 1e-4,
};

/** A point and its value. */
interface Point {
  readonly x: Float64Array;
  readonly f: number;
}

/** Gradient steps on the continuous coordinates; the start when they do not improve it. */
function gradientAscent(acqf: Acqf, cont: ReadonlyArray<number>, p: Point, tol: number): Point & {
  updated: boolean;
} {
  if (cont.length === 0) return { ...p, updated: false };
  const ls = Float64Array.from(cont, (i) => acqf.lengthScales[i]!);
  const full = Float64Array.from(p.x), grad = new Float64Array(acqf.dim);
  const z0 = Float64Array.from(cont, (i, j) => p.x[i]! / ls[j]!);
  const res = minimize(
    (z, g) => {
      for (let j = 0; j < cont.length; j++) full[cont[j]!] = z[j]! * ls[j]!;
      const v = acqf.evalGrad(full, grad);
      for (let j = 0; j < cont.length; j++) g[j] = -grad[cont[j]!]! * ls[j]!;
      return -v;
    },
    z0,
    {
      lower: new Float64Array(cont.length),
      upper: ls.map((l) => 1 / l),
      pgtol: Math.sqrt(tol),
      maxIter: 200,
    },
  );
  if (!(-res.f > p.f) || res.nIter === 0) return { ...p, updated: false };
  const x = Float64Array.from(p.x);
  for (let j = 0; j < cont.length; j++) x[cont[j]!] = res.x[j]! * ls[j]!;
  return { x, f: -res.f, updated: true };
}

/** Every other value of coordinate `i`; the best if it improves. */
function exhaustiveSearch(acqf: Acqf, p: Point, i: number, choices: Float64Array): Point & {
  updated: boolean;
} {
  if (choices.length === 1) return { ...p, updated: false };
  const others = choices.filter((c) => c !== p.x[i]);
  const dim = acqf.dim;
  const xs = new Float64Array(others.length * dim);
  others.forEach((c, r) => {
    xs.set(p.x, r * dim);
    xs[r * dim + i] = c;
  });
  const f = acqf.evalMany(xs, others.length);
  let best = 0;
  for (let r = 1; r < f.length; r++) if (f[r]! > f[best]!) best = r;
  if (f[best]! > p.f) {
    return { x: xs.slice(best * dim, (best + 1) * dim), f: f[best]!, updated: true };
  }
  return { ...p, updated: false };
}

/** The index of the grid value nearest `x`. */
function nearest(grid: Float64Array, x: number): number {
  let lo = 0, hi = grid.length; // first index with grid[i] >= x (numpy searchsorted)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (grid[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  const i = Math.min(Math.max(lo, 1), grid.length - 1);
  return Math.abs(x - grid[i - 1]!) < Math.abs(x - grid[i]!) ? i - 1 : i;
}

/**
 * A line search over a long grid of coordinate `i`: golden-section search (Optuna: Brent) of
 * the linear interpolation of the values at the grid points, from the current value.
 */
function lineSearch(acqf: Acqf, p: Point, i: number, grid: Float64Array, xtol: number): Point & {
  updated: boolean;
} {
  if (grid.length === 1) return { ...p, updated: false };
  const cur = nearest(grid, p.x[i]!);
  const cache = new Map<number, number>([[cur, -p.f]]);
  const x = Float64Array.from(p.x);
  const at = (k: number): number => {
    let v = cache.get(k);
    if (v === undefined) {
      x[i] = grid[k]!;
      v = -acqf.evalMany(x, 1)[0]!;
      cache.set(k, v);
    }
    return v;
  };
  const interp = (t: number): number => {
    if (t < grid[0]! || t > grid[grid.length - 1]!) return Infinity;
    const r = Math.min(Math.max(nearestAbove(grid, t), 1), grid.length - 1), l = r - 1;
    const wl = (grid[r]! - t) / (grid[r]! - grid[l]!);
    return wl * at(l) + (1 - wl) * at(r);
  };
  const t = goldenSection(
    interp,
    grid[0]! - 1e-12,
    grid[cur]!,
    grid[grid.length - 1]! + 1e-12,
    xtol,
  );
  const k = nearest(grid, t);
  const f = -at(k);
  if (k !== cur && f > p.f) {
    x[i] = grid[k]!;
    return { x, f, updated: true };
  }
  return { ...p, updated: false };
}

function nearestAbove(grid: Float64Array, t: number): number {
  let lo = 0, hi = grid.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (grid[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Golden-section minimisation of `f` in the bracket `a < b < c` with `f(b) ≤ f(a), f(c)`. */
function goldenSection(
  f: (t: number) => number,
  a: number,
  b: number,
  c: number,
  tol: number,
): number {
  const R = 0.38196601125010515;
  let fb = f(b);
  while (c - a > tol) {
    const left = b - a > c - b;
    const t = left ? b - R * (b - a) : b + R * (c - b);
    const ft = f(t);
    if (ft < fb) {
      if (left) c = b;
      else a = b;
      b = t;
      fb = ft;
    } else if (left) a = t;
    else c = t;
  }
  return b;
}

/** One local search (Optuna's `local_search_mixed` for one start). */
function localSearch(
  acqf: Acqf,
  space: GpSpace,
  start: Point,
  tol: number,
  grids: Float64Array[],
): Point {
  const CONT = -1;
  let p: Point = start, last = CONT;
  for (let iter = 0; iter < 100; iter++) {
    const g = gradientAscent(acqf, space.continuous, p, tol);
    p = g;
    if (g.updated) last = CONT;
    for (let j = 0; j < space.discrete.length; j++) {
      const i = space.discrete[j]!, choices = grids[j]!;
      if (last === i) return p;
      const exhaustive = space.isCategorical[i] === 1 || choices.length <= 16;
      const xtol = minDiff(choices) / 4;
      const r = exhaustive
        ? exhaustiveSearch(acqf, p, i, choices)
        : lineSearch(acqf, p, i, choices, xtol);
      p = r;
      if (r.updated) last = i;
    }
    if (last === CONT) return p;
  }
  return p;
}

function minDiff(a: Float64Array): number {
  let out = Infinity;
  for (let i = 1; i < a.length; i++) out = Math.min(out, a[i]! - a[i - 1]!);
  return out;
}

/** The roulette starts: the best candidate, then others drawn in proportion to `exp(f − max)`. */
function chooseStarts(f: Float64Array, nAdditional: number, rng: Rng): number[] {
  let maxI = 0;
  for (let i = 1; i < f.length; i++) if (f[i]! > f[maxI]!) maxI = i;
  const probs = new Float64Array(f.length);
  let nonZero = 0;
  for (let i = 0; i < f.length; i++) {
    probs[i] = i === maxI ? 0 : Math.exp(f[i]! - f[maxI]!);
    if (probs[i]! > 0) nonZero++;
  }
  const out = [maxI];
  const n = Math.min(nAdditional, nonZero);
  for (let k = 0; k < n; k++) {
    const i = weightedChoice(rng, probs);
    out.push(i);
    probs[i] = 0;
  }
  return out;
}

/**
 * The normalised point that maximises `acqf` (Optuna's `optimize_acqf_mixed`), starting local
 * searches from the best Sobol' candidate, roulette-chosen ones and `warmStarts`.
 */
export function optimizeAcqf(
  acqf: Acqf,
  space: GpSpace,
  warmStarts: ReadonlyArray<Float64Array>,
  rng: Rng,
  search: AcqfSearch = DEFAULT_SEARCH,
): Point {
  const dim = space.dim, n = search.nPreliminarySamples;
  const xs = sampleNormalized(space, n, rng);
  const f = acqf.evalMany(xs, n);
  const idx = chooseStarts(f, search.nLocalSearch - warmStarts.length - 1, rng);
  const starts = [...idx.map((i) => xs.slice(i * dim, (i + 1) * dim)), ...warmStarts];
  const grids = discreteChoices(space);
  let best: Point | undefined;
  for (const x of starts) {
    const p = localSearch(acqf, space, { x, f: acqf.evalMany(x, 1)[0]! }, search.tol, grids);
    if (!best || p.f > best.f) best = p;
  }
  return best!;
}
