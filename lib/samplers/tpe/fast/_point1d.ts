/**
 * The pruned log density of a one-dimensional mixture at one point (private): what
 * `prunedPoint` (`./_pruned.ts`) computes with its defaults (no hints, no abort, the full
 * margin), value for value and bit for bit, in one pass. Independent sampling (the default with
 * several objectives) evaluates only such mixtures: a dimension's scan keeps the components'
 * terms side by side and their largest, so the log-sum-exp needs no second pass for its maximum
 * and reads them in order.
 *
 * @module
 */
import { LOG_SQRT_2PI } from "../../../math/special.ts";
import type { CategoricalKernels, NumericalKernels } from "../_kernels.ts";
import { cellMass, type DiscreteMemo, type Evaluation, fullComponent } from "./_cells.ts";
import { DimKind, type Prepared, type PreparedDim } from "./_prepared.ts";
import { firstCandidates, PRUNE_MARGIN, WINDOW_MIN_COMPONENTS } from "./_pruned.ts";

// -------------------------------------------------------------------------------------
// evaluation
// -------------------------------------------------------------------------------------

/**
 * `prunedPoint(ev, P, memos, cols, j)` for a mixture over one dimension (`P.dims.length === 1`):
 * the log density at point j within `log(1 + K·exp(−40))` of the exact one, bit for bit the
 * value `prunedPoint` returns (the same components kept, summed in the same order), with
 * `ev.lastUpper` set the same way.
 */
export function prunedPoint1d(
  ev: Evaluation,
  P: Prepared,
  memos: ReadonlyArray<DiscreteMemo | null>,
  cols: ReadonlyArray<Float64Array>,
  j: number,
): number {
  const { K, dims } = P;
  const dim = dims[0]!;
  // the prior's contribution: a lower bound of the largest component's
  const largest = fullComponent(ev, dims, memos, cols, j, K - 1, P.logW);
  if (largest === Infinity) return Infinity;
  if (P.firstPicks) P.firstPicks[0] = P.firstPicks[0]! + 1;
  const x = cols[0]![j]!;
  const thr = largest - PRUNE_MARGIN;
  // the components to visit, as `firstCandidates` lists them: every one (in canonical order:
  // storage order when there is none), or a window
  const every = dim.kind !== DimKind.Continuous || K < WINDOW_MIN_COMPONENTS;
  const idx = every ? P.canon ?? null : ev.alive;
  const n = every ? K : firstCandidates(ev, P, dim, x, 0, thr);
  const kept = dim.kind === DimKind.Continuous
    ? keepContinuous(ev, dim, P.logW, x, idx, n, thr)
    : dim.kind === DimKind.Categorical
    ? keepCategorical(ev, dim, P.logW, x, idx, n, thr)
    : keepDiscrete(ev, dim, memos[0]!, P.logW, j, idx, n, thr);
  if (kept < 0) return ev.lastUpper = -Infinity;
  const value = kept === 0 ? largest : sumExp(ev.partial, kept, ev.lastMax);
  ev.lastUpper = value === -Infinity
    ? value
    : value + Math.log1p(K * Math.exp(largest - PRUNE_MARGIN - value));
  return value;
}

/** `log Σ exp(v[a])` over the first `n` terms, whose largest is `max` (`logSumExp`'s rules). */
function sumExp(v: Float64Array, n: number, max: number): number {
  if (max === -Infinity) return -Infinity;
  if (max !== max) return NaN;
  let sum = 0;
  for (let a = 0; a < n; a++) sum += Math.exp(v[a]! - max);
  return Math.log(sum) + max;
}

// One scan per kind of dimension, as `./_pruned.ts` scans the first dimension, over the
// components `idx[0..n)` (`0..n` when `idx` is null): each writes the terms of the components
// it keeps, in that order, to the front of `ev.partial`, sets `ev.lastMax` to their largest and
// returns how many it kept.

/** A continuous dimension's scan; −1 when x lies outside the domain (density 0). */
function keepContinuous(
  ev: Evaluation,
  dim: PreparedDim,
  logW: Float64Array,
  x: number,
  idx: Uint32Array | null,
  n: number,
  thr: number,
): number {
  const k = dim.kernels as NumericalKernels;
  const xt = k.log ? Math.log(x) : x;
  if (!(xt >= k.lowT && xt <= k.highT)) return -1;
  const out = ev.partial;
  const mus = k.mus, inv = dim.invSigma, ln = dim.logNorm;
  let max = -Infinity, w = 0;
  for (let a = 0; a < n; a++) {
    const i = idx === null ? a : idx[a]!;
    const z = (xt - mus[i]!) * inv[i]!;
    const v = logW[i]! - 0.5 * z * z + ln[i]!;
    if (v >= thr) {
      out[w++] = v;
      if (v > max) max = v;
    }
  }
  ev.lastMax = max;
  return w;
}

/** A categorical dimension's scan. */
function keepCategorical(
  ev: Evaluation,
  dim: PreparedDim,
  logW: Float64Array,
  x: number,
  idx: Uint32Array | null,
  n: number,
  thr: number,
): number {
  const k = dim.kernels as CategoricalKernels;
  const ci = Math.trunc(x);
  const obs = k.observed, lh = dim.logHit, lm = dim.logMiss, lp = dim.logPrior;
  const prior = obs.length;
  const out = ev.partial;
  let max = -Infinity, w = 0;
  for (let a = 0; a < n; a++) {
    const i = idx === null ? a : idx[a]!;
    const v = logW[i]! + (i === prior ? lp : obs[i] === ci ? lh : lm);
    if (v >= thr) {
      out[w++] = v;
      if (v > max) max = v;
    }
  }
  ev.lastMax = max;
  return w;
}

/**
 * A discrete dimension's scan: a cheap bound first (the density at the cell's nearest point
 * times its width), then the exact Gaussian mass for the survivors.
 */
function keepDiscrete(
  ev: Evaluation,
  dim: PreparedDim,
  memo: DiscreteMemo,
  logW: Float64Array,
  j: number,
  idx: Uint32Array | null,
  n: number,
  thr: number,
): number {
  const u = memo.of[j]!;
  const lt = memo.lt[u]!, rt = memo.rt[u]!;
  const logWidth = Math.log(rt - lt);
  const k = dim.kernels as NumericalKernels;
  const mus = k.mus, inv = dim.invSigma, ln = dim.logNorm, ls = dim.logSigma;
  const out = ev.partial;
  let max = -Infinity, w = 0;
  for (let a = 0; a < n; a++) {
    const i = idx === null ? a : idx[a]!;
    const mu = mus[i]!;
    const dz = (mu < lt ? lt - mu : mu > rt ? mu - rt : 0) * inv[i]!;
    let bound = logWidth - ls[i]! - LOG_SQRT_2PI - 0.5 * dz * dz + ln[i]!;
    if (bound > 0) bound = 0;
    if (logW[i]! + bound < thr) continue;
    const v = logW[i]! + cellMass(ev, dim, memo, j, i) + ln[i]!;
    if (v >= thr) {
      out[w++] = v;
      if (v > max) max = v;
    }
  }
  ev.lastMax = max;
  return w;
}
