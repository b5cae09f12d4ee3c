/**
 * Pruned evaluation of a mixture's log density at one point (private): components are dropped
 * as soon as their partial sums plus the remaining dimensions' bounds cannot reach a margin below
 * the largest one; a large mixture's first dimension is scanned through a window of sorted
 * centres. The value is within `log(1 + K·exp(−margin))` of the exact log density.
 *
 * @module
 */
import { argsortStable, logSumExp } from "../../../math/numpy.ts";
import { LOG_SQRT_2PI } from "../../../math/special.ts";
import type { CategoricalKernels, NumericalKernels } from "../_kernels.ts";
import {
  cellMass,
  componentAbove,
  type DiscreteMemo,
  type Evaluation,
  fullComponent,
} from "./_cells.ts";
import {
  DimKind,
  type DimWindow,
  type Prepared,
  type PreparedDim,
  remainingMax,
} from "./_prepared.ts";

// -------------------------------------------------------------------------------------
// constants
// -------------------------------------------------------------------------------------

/** Margin (nats) below the best component under which components are dropped. */
export const PRUNE_MARGIN = 40;

/**
 * The narrower margin of `argmaxAcquisition`'s first pass: values within
 * `log(1 + K·exp(−15))` (1e-3 at 10,000 components) of the exact ones, for about a quarter
 * less work than {@link PRUNE_MARGIN}.
 */
export const FAST_MARGIN = 15;

/**
 * What separates two acquisition values for sure: the full-margin values are within 1e-12 of
 * the exact ones.
 */
export const TIE_SLACK = 1e-9;

/** Below this many components, evaluate exactly. */
export const PRUNE_MIN_COMPONENTS = 48;

// -------------------------------------------------------------------------------------
// evaluation
// -------------------------------------------------------------------------------------

/** From this many components on, the first dimension is scanned through a window. */
export const WINDOW_MIN_COMPONENTS = 512;

/** Share of components, at most, treated as wide (scanned in full) by a window. */
const WIDE_SHARE = 0.1;

function windowOf(
  ev: Evaluation,
  dim: PreparedDim,
  K: number,
  logW: Float64Array,
  canon: Uint32Array | undefined,
): DimWindow {
  const hit = ev.windows.get(dim);
  if (hit) return hit;
  const k = dim.kernels as NumericalKernels;
  const n = K - 1;
  const alloc = ev.alloc;
  const all = dim.sorted ?? argsortStable(k.mus, n, undefined, alloc);
  const inv = dim.invSigma, ln = dim.logNorm;
  let maxLW = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logW[i]! + ln[i]!;
    if (v > maxLW) maxLW = v;
  }
  // the cut: about the WIDE_SHARE quantile of 1/σ, from a sample
  // (components taken in canonical order: the cut and the order of the wide ones must not
  // depend on the storage order)
  const step = Math.max(1, Math.floor(n / 64));
  const sample: number[] = [];
  for (let t = 0; t < n; t += step) sample.push(inv[canon ? canon[t]! : t]!);
  sample.sort((a, b) => a - b);
  const invCut = sample[Math.floor(sample.length * WIDE_SHARE)]!;
  let nWide = 0;
  for (let i = 0; i < n; i++) if (inv[i]! < invCut) nWide++;
  const wide = alloc.u32(nWide);
  nWide = 0;
  for (let t = 0; t < n; t++) {
    const i = canon ? canon[t]! : t;
    if (inv[i]! < invCut) wide[nWide++] = i;
  }
  // the narrow ones in sorted order: a window is then one contiguous range of them
  const sorted = alloc.u32(n - nWide), sortedMu = alloc.f64(n - nWide);
  let m = 0;
  for (let q = 0; q < n; q++) {
    const i = all[q]!;
    if (inv[i]! < invCut) continue;
    sorted[m] = i;
    sortedMu[m++] = k.mus[i]!;
  }
  const out: DimWindow = { sorted, sortedMu, maxLW, invCut, wide };
  ev.windows.set(dim, out);
  return out;
}

/** The first position whose value is ≥ x (or > x when `after`). */
function lowerBound(values: Float64Array, x: number, after = false): number {
  let lo = 0, hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = values[mid]!;
    if (v < x || (after && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Fills `ev.alive` with the components to visit in the first dimension (whose partial sums
 * are their log weights) and returns their number: every component, or, for a continuous first
 * dimension of a large mixture, the prior, the wide components and the narrow ones whose
 * centres lie within the window around x that can still reach `thr` (see {@link DimWindow}).
 */
export function firstCandidates(
  ev: Evaluation,
  P: Prepared,
  dim: PreparedDim,
  x: number,
  R: number,
  thr: number,
): number {
  const { K, logW } = P;
  const alive = ev.alive;
  if (dim.kind !== DimKind.Continuous || K < WINDOW_MIN_COMPONENTS) {
    if (P.canon) alive.set(P.canon);
    else for (let i = 0; i < K; i++) alive[i] = i;
    return K;
  }
  const win = windowOf(ev, dim, K, logW, P.canon);
  const k = dim.kernels as NumericalKernels;
  const xt = k.log ? Math.log(x) : x;
  let w = 0;
  alive[w++] = K - 1;
  const z2 = 2 * (win.maxLW + R - thr);
  if (z2 >= 0) {
    alive.set(win.wide, w);
    w += win.wide.length;
    const half = Math.sqrt(z2) / win.invCut;
    const end = lowerBound(win.sortedMu, xt + half, true);
    const start = Math.min(lowerBound(win.sortedMu, xt - half), end);
    alive.set(win.sorted.subarray(start, end), w);
    w += end - start;
  }
  return w;
}

/** Components sampled per dimension to choose a point's evaluation order. */
const ORDER_SAMPLE = 64;

/**
 * The evaluation order of dimensions at point j: numerical continuous dimensions first, the
 * most selective first (the share of a sample of components that a bound on that dimension
 * alone keeps), then categorical, then discrete ones (their exact terms cost a Gaussian mass).
 */
function pointOrder(
  ev: Evaluation,
  P: Prepared,
  cols: ReadonlyArray<Float64Array>,
  j: number,
  thr: number,
): void {
  const { K, logW, dims, maxUb, canon } = P;
  const D = dims.length;
  if (ev.order.length < D) {
    ev.order = new Int32Array(D);
    ev.rem = new Float64Array(D);
    ev.rate = new Float64Array(D);
  }
  const bufOrder = ev.order, bufRate = ev.rate;
  let total = 0;
  for (let d = 0; d < D; d++) total += maxUb[d]!;
  const step = Math.max(1, Math.floor(K / ORDER_SAMPLE));
  let n = 0;
  for (let p = 0; p < D; p++) {
    const d = P.order[p]!;
    const dim = dims[d]!;
    let rate = 0;
    if (dim.kind === DimKind.Continuous) {
      const k = dim.kernels as NumericalKernels;
      const x = cols[d]![j]!;
      const xt = k.log ? Math.log(x) : x;
      const rest = thr - (total - maxUb[d]!);
      const mus = k.mus, inv = dim.invSigma, ln = dim.logNorm;
      let kept = 0, seen = 0;
      for (let t = 0; t < K; t += step) {
        const i = canon ? canon[t]! : t;
        const z = (xt - mus[i]!) * inv[i]!;
        if (logW[i]! + ln[i]! - 0.5 * z * z >= rest) kept++;
        seen++;
      }
      rate = kept / seen;
    } else {
      rate = dim.kind === DimKind.Categorical ? 2 : 3;
    }
    // insertion by rate (stable: ties keep the static order)
    let q = n;
    while (q > 0 && bufRate[q - 1]! > rate) {
      bufRate[q] = bufRate[q - 1]!;
      bufOrder[q] = bufOrder[q - 1]!;
      q--;
    }
    bufRate[q] = rate;
    bufOrder[q] = d;
    n++;
  }
  remainingMax(maxUb, bufOrder.subarray(0, D), ev.rem);
}

/**
 * The log density at point j, skipping components provably below `exp(−margin)` times the
 * largest (then the value is a lower bound within `log(1 + K·exp(−margin))` of the exact one,
 * and `ev.lastUpper` an upper bound). Gives up, returning `+∞`, once a lower bound of the log
 * density exceeds `abortAbove`. Dimensions are visited in the point's own order
 * ({@link pointOrder}); after each one the components whose partial sum plus the remaining
 * dimensions' bounds cannot reach the margin are dropped.
 */
export function prunedPoint(
  ev: Evaluation,
  P: Prepared,
  memos: ReadonlyArray<DiscreteMemo | null>,
  cols: ReadonlyArray<Float64Array>,
  j: number,
  abortAbove: number = Infinity,
  hints?: Hints,
  margin: number = PRUNE_MARGIN,
): number {
  const { K, dims } = P;
  const D = dims.length;
  // a lower bound of the largest component's log contribution
  let largest = hintedLargest(ev, P, memos, cols, j, abortAbove, hints, margin);
  if (largest === Infinity) return Infinity;
  pointOrder(ev, P, cols, j, largest - margin);
  const order = ev.order, rem = ev.rem, partial = ev.partial, alive = ev.alive;
  if (P.firstPicks) P.firstPicks[order[0]!] = P.firstPicks[order[0]!]! + 1;
  let nAlive = K;
  for (let p = 0; p < D; p++) {
    const d = order[p]!;
    const dim = dims[d]!;
    const x = cols[d]![j]!;
    const R = rem[p]!;
    const thr = largest - margin;
    if (p === 0) nAlive = firstCandidates(ev, P, dim, x, R, thr);
    // the partial sums so far: the log weights before the first dimension
    const src = p === 0 ? P.logW : partial;
    const kept = dim.kind === DimKind.Continuous
      ? scanContinuous(ev, dim, src, x, nAlive, R, thr)
      : dim.kind === DimKind.Categorical
      ? scanCategorical(ev, dim, src, x, nAlive, R, thr)
      : scanDiscrete(ev, dim, memos[d]!, src, j, nAlive, R, thr);
    if (kept < 0) return ev.lastUpper = -Infinity;
    nAlive = kept;
    if (nAlive === 0) break;
    // tighten the lower bound with the most promising component, evaluated in full
    const bestI = ev.best;
    if (p < D - 1 && bestI >= 0 && partial[bestI]! + R > largest) {
      const full = componentAbove(ev, P, memos, cols, j, bestI, largest);
      if (full > largest) {
        largest = full;
        if (largest > abortAbove) return Infinity;
        const thr2 = largest - margin;
        let w2 = 0;
        for (let a = 0; a < nAlive; a++) {
          const i = alive[a]!;
          if (partial[i]! + R >= thr2) alive[w2++] = i;
        }
        nAlive = w2;
      }
    }
  }
  const value = nAlive === 0 ? largest : logSumExp(partial, alive, nAlive);
  ev.lastUpper = value === -Infinity
    ? value
    : value + Math.log1p(K * Math.exp(largest - margin - value));
  if (nAlive > 0 && hints) addHints(hints, partial, alive, nAlive);
  return value;
}

/**
 * A lower bound of the largest component at point j: the prior and the hinted components (those
 * that mattered for earlier points), evaluated exactly; `+∞` when the hinted components alone
 * prove the log density above `abortAbove`.
 */
function hintedLargest(
  ev: Evaluation,
  P: Prepared,
  memos: ReadonlyArray<DiscreteMemo | null>,
  cols: ReadonlyArray<Float64Array>,
  j: number,
  abortAbove: number,
  hints: Hints | undefined,
  margin: number,
): number {
  const K = P.K;
  let largest = fullComponent(ev, P.dims, memos, cols, j, K - 1, P.logW);
  if (hints && hints.n > 0) {
    // the hinted components summed: a lower bound of the log density that often proves the
    // point cannot win
    let sum = largest;
    for (let h = 0; h < hints.n; h++) {
      const id = hints.ids[h]!;
      if (id === K - 1) continue;
      const v = componentAbove(ev, P, memos, cols, j, id, sum - margin);
      if (v === -Infinity) continue;
      if (v > largest) largest = v;
      sum = sum > v ? sum + Math.log1p(Math.exp(v - sum)) : v + Math.log1p(Math.exp(sum - v));
    }
    if (sum > abortAbove) return Infinity;
  }
  return largest > abortAbove ? Infinity : largest;
}

// One scan per kind of dimension, each with the same compaction: these are the hot loops, kept
// free of calls and of per-component branching on the kind. Each writes the kept components'
// partial sums, compacts `ev.alive`, sets `ev.best` (the kept component with the largest partial
// sum, the first on ties; −1 when none exceeds −∞) and returns how many it kept.

/** A continuous dimension's scan; −1 when x lies outside the domain (density 0). */
function scanContinuous(
  ev: Evaluation,
  dim: PreparedDim,
  src: Float64Array,
  x: number,
  nAlive: number,
  R: number,
  thr: number,
): number {
  const k = dim.kernels as NumericalKernels;
  const xt = k.log ? Math.log(x) : x;
  if (!(xt >= k.lowT && xt <= k.highT)) return -1;
  const partial = ev.partial, alive = ev.alive;
  const mus = k.mus, inv = dim.invSigma, ln = dim.logNorm;
  let bestI = -1, bestB = -Infinity, w = 0;
  for (let a = 0; a < nAlive; a++) {
    const i = alive[a]!;
    const z = (xt - mus[i]!) * inv[i]!;
    const v = src[i]! - 0.5 * z * z + ln[i]!;
    partial[i] = v;
    if (v + R >= thr) {
      alive[w++] = i;
      if (v > bestB) {
        bestB = v;
        bestI = i;
      }
    }
  }
  ev.best = bestI;
  return w;
}

/** A categorical dimension's scan. */
function scanCategorical(
  ev: Evaluation,
  dim: PreparedDim,
  src: Float64Array,
  x: number,
  nAlive: number,
  R: number,
  thr: number,
): number {
  const k = dim.kernels as CategoricalKernels;
  const ci = Math.trunc(x);
  const obs = k.observed, lh = dim.logHit, lm = dim.logMiss, lp = dim.logPrior;
  const prior = obs.length;
  const partial = ev.partial, alive = ev.alive;
  let bestI = -1, bestB = -Infinity, w = 0;
  for (let a = 0; a < nAlive; a++) {
    const i = alive[a]!;
    const v = src[i]! + (i === prior ? lp : obs[i] === ci ? lh : lm);
    partial[i] = v;
    if (v + R >= thr) {
      alive[w++] = i;
      if (v > bestB) {
        bestB = v;
        bestI = i;
      }
    }
  }
  ev.best = bestI;
  return w;
}

/**
 * A discrete dimension's scan: a cheap bound first (the density at the cell's nearest point
 * times its width), then the exact Gaussian mass for the survivors.
 */
function scanDiscrete(
  ev: Evaluation,
  dim: PreparedDim,
  memo: DiscreteMemo,
  src: Float64Array,
  j: number,
  nAlive: number,
  R: number,
  thr: number,
): number {
  const u = memo.of[j]!;
  const lt = memo.lt[u]!, rt = memo.rt[u]!;
  const logWidth = Math.log(rt - lt);
  const k = dim.kernels as NumericalKernels;
  const mus = k.mus, inv = dim.invSigma, ln = dim.logNorm, ls = dim.logSigma;
  const partial = ev.partial, alive = ev.alive;
  let bestI = -1, bestB = -Infinity, w = 0;
  for (let a = 0; a < nAlive; a++) {
    const i = alive[a]!;
    const mu = mus[i]!;
    const dz = (mu < lt ? lt - mu : mu > rt ? mu - rt : 0) * inv[i]!;
    let bound = logWidth - ls[i]! - LOG_SQRT_2PI - 0.5 * dz * dz + ln[i]!;
    if (bound > 0) bound = 0;
    if (src[i]! + bound + R < thr) continue;
    const v = src[i]! + cellMass(ev, dim, memo, j, i) + ln[i]!;
    partial[i] = v;
    if (v + R >= thr) {
      alive[w++] = i;
      if (v > bestB) {
        bestB = v;
        bestI = i;
      }
    }
  }
  ev.best = bestI;
  return w;
}

/** Components worth evaluating first for the next points (a small ring buffer). */
export interface Hints {
  readonly ids: Uint32Array;
  n: number;
  next: number;
}

export const HINTS = 64;

const TOP_PER_POINT = 16;

function addHints(h: Hints, partial: Float64Array, alive: Uint32Array, nAlive: number): void {
  // the few largest components of this point
  const top: number[] = [];
  // the first smallest of `top`, found again only when `top` changes
  let worst = -1;
  for (let a = 0; a < nAlive; a++) {
    const i = alive[a]!;
    if (top.length < TOP_PER_POINT) top.push(i);
    else {
      if (worst < 0) worst = firstSmallest(top, partial);
      if (partial[i]! > partial[top[worst]!]!) {
        top[worst] = i;
        worst = -1;
      }
    }
  }
  for (const i of top) {
    let seen = false;
    for (let q = 0; q < h.n; q++) {
      if (h.ids[q] === i) {
        seen = true;
        break;
      }
    }
    if (seen) continue;
    h.ids[h.next] = i;
    h.next = (h.next + 1) % HINTS;
    if (h.n < HINTS) h.n++;
  }
}

function firstSmallest(top: ReadonlyArray<number>, partial: Float64Array): number {
  let worst = 0;
  for (let q = 1; q < top.length; q++) if (partial[top[q]!]! < partial[top[worst]!]!) worst = q;
  return worst;
}
