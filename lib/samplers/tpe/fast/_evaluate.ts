/**
 * The log density of a Parzen estimator at many points (private): exactly, dimension by
 * dimension over the (points × components) matrix, or pruned point by point (`./_pruned.ts`).
 *
 * @module
 */
import { logSumExp } from "../../../math/numpy.ts";
import type { CategoricalKernels, NumericalKernels, ParzenEstimator } from "../_kernels.ts";
import { cellMass, createEvaluation, type Evaluation, startEvaluation } from "./_cells.ts";
import { DimKind, prepare, type Prepared } from "./_prepared.ts";
import { prunedPoint1d } from "./_point1d.ts";
import { PRUNE_MIN_COMPONENTS, prunedPoint } from "./_pruned.ts";

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The storage slot of each component in canonical order (observations in trial order, then
 * the prior), when an estimator stores them in another order; `undefined` otherwise.
 */
export function storageOrder(ev: Evaluation, pe: ParzenEstimator): Uint32Array | undefined {
  return prepare(ev, pe).canon;
}

/** Per dimension, the largest bound of a component's log term, as the evaluation uses it. */
export function termBounds(ev: Evaluation, pe: ParzenEstimator): Float64Array {
  return prepare(ev, pe).maxUb;
}

/** Records the prepared form of an estimator built elsewhere (the incremental bad side). */
export function setPrepared(ev: Evaluation, pe: ParzenEstimator, p: Prepared): void {
  ev.prepared.set(pe, p);
}

// -------------------------------------------------------------------------------------
// log density
// -------------------------------------------------------------------------------------

/**
 * Writes the mixture's log density at `m` points (`cols[d][j]`: internal value of parameter d at
 * point j) into `out`. Unless `exact`, components whose contribution is provably below
 * `exp(−40)` times the largest one are skipped (relative error ≤ K·4.3e-18). `evaluation`:
 * the state to reuse (a fresh one by default; it changes speed only).
 */
export function logPdfColumns(
  pe: ParzenEstimator,
  cols: ReadonlyArray<Float64Array>,
  m: number,
  out: Float64Array,
  options: { readonly exact?: boolean; readonly evaluation?: Evaluation } = {},
): void {
  const ev = options.evaluation ?? createEvaluation();
  const P = prepare(ev, pe);
  const { K, logW, dims } = P;
  const D = dims.length;
  const memos = startEvaluation(ev, P, cols, m);
  const exact = options.exact === true || K < PRUNE_MIN_COMPONENTS || D === 0;
  if (!exact) {
    if (D === 1) { for (let j = 0; j < m; j++) out[j] = prunedPoint1d(ev, P, memos, cols, j); }
    else for (let j = 0; j < m; j++) out[j] = prunedPoint(ev, P, memos, cols, j);
    return;
  }
  // exact: dimension by dimension over the whole (points × components) matrix
  const acc = ev.alloc.f64(m * K);
  for (let j = 0; j < m; j++) acc.set(logW, j * K);
  for (let d = 0; d < D; d++) {
    const dim = dims[d]!, col = cols[d]!;
    if (dim.kind === DimKind.Continuous) {
      const k = dim.kernels as NumericalKernels;
      const mus = k.mus, inv = dim.invSigma, ln = dim.logNorm;
      for (let j = 0; j < m; j++) {
        const x = col[j]!;
        const xt = k.log ? Math.log(x) : x;
        const base = j * K;
        if (!(xt >= k.lowT && xt <= k.highT)) {
          acc.fill(-Infinity, base, base + K);
          continue;
        }
        for (let i = 0; i < K; i++) {
          const z = (xt - mus[i]!) * inv[i]!;
          acc[base + i] = acc[base + i]! - 0.5 * z * z + ln[i]!;
        }
      }
    } else if (dim.kind === DimKind.Categorical) {
      const k = dim.kernels as CategoricalKernels;
      const obs = k.observed, n = obs.length;
      for (let j = 0; j < m; j++) {
        const ci = Math.trunc(col[j]!);
        const base = j * K;
        for (let i = 0; i < n; i++) {
          acc[base + i] = acc[base + i]! + (obs[i] === ci ? dim.logHit : dim.logMiss);
        }
        acc[base + n] = acc[base + n]! + dim.logPrior;
      }
    } else {
      const memo = memos[d]!, ln = dim.logNorm;
      for (let j = 0; j < m; j++) {
        const base = j * K;
        for (let i = 0; i < K; i++) {
          acc[base + i] = acc[base + i]! + cellMass(ev, dim, memo, j, i) + ln[i]!;
        }
      }
    }
  }
  const canon = P.canon ?? null;
  for (let j = 0; j < m; j++) out[j] = logSumExp(acc.subarray(j * K, j * K + K), canon, K);
}

/**
 * Bounds of the mixture's log density at `m` points from the pruned evaluation with `margin`
 * (nats): the kept components' sum below, that plus every dropped component at the margin
 * above.
 */
export function logPdfBounds(
  pe: ParzenEstimator,
  cols: ReadonlyArray<Float64Array>,
  m: number,
  margin: number,
  ev: Evaluation = createEvaluation(),
): { readonly lower: Float64Array; readonly upper: Float64Array } {
  const P = prepare(ev, pe);
  const memos = startEvaluation(ev, P, cols, m);
  const lower = new Float64Array(m), upper = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    lower[j] = prunedPoint(ev, P, memos, cols, j, Infinity, undefined, margin);
    upper[j] = ev.lastUpper;
  }
  return { lower, upper };
}
