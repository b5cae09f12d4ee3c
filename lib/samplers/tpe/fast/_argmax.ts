/**
 * The candidate that maximises `log l(x) − log g(x)` (private), computing the bad side's density
 * only as far as needed to rule a candidate out; equal to the argmax of the exact values.
 *
 * @module
 */
import { argmaxNumpy } from "../../../math/numpy.ts";
import type { ParzenEstimator } from "../_kernels.ts";
import { createEvaluation, type Evaluation, startEvaluation } from "./_cells.ts";
import { logPdfColumns } from "./_evaluate.ts";
import { prepare } from "./_prepared.ts";
import {
  FAST_MARGIN,
  HINTS,
  type Hints,
  PRUNE_MIN_COMPONENTS,
  prunedPoint,
  TIE_SLACK,
} from "./_pruned.ts";

/**
 * Up to this many components, a one-dimensional bad-side model (independent sampling, the
 * default with several objectives) is evaluated in full: the pruning's bookkeeping costs more
 * than the kernels it skips (2.6 against 4.0 ms CPU per trial, 5 parameters, 2 objectives,
 * trials 400–500 of `bench/mo_tpe_overhead.ts`).
 */
const EXACT_1D_MAX_COMPONENTS = 1024;

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The index of the point maximising `log l(x) − log g(x)` (the first on ties, as numpy's
 * `argmax`), computing `log g` only as far as needed: points are visited from where recent
 * winners stood in the ranking by `log l` (`ev.winnerRank`: recent winners were, early in a study, among the
 * highest `log l`; on a 10,000-trial history nearly always far out in l's tails — finding the
 * winner first lets the other points be dropped sooner, 4–6 % less time than a fixed order), and a point is dropped as soon
 * as one component of g proves it cannot beat the best so far. The result equals the argmax of
 * the exact values, whatever the order.
 */
export function argmaxAcquisition(
  below: ParzenEstimator,
  above: ParzenEstimator,
  cols: ReadonlyArray<Float64Array>,
  m: number,
  ev: Evaluation = createEvaluation(),
): number {
  const P = prepare(ev, above);
  const D = P.dims.length;
  if (P.K < PRUNE_MIN_COMPONENTS || D === 0 || (D === 1 && P.K < EXACT_1D_MAX_COMPONENTS)) {
    return exactArgmax(ev, below, above, cols, m);
  }
  const lL = new Float64Array(m);
  logPdfColumns(below, cols, m, lL, { evaluation: ev });
  const memos = startEvaluation(ev, P, cols, m);
  const byL = Array.from({ length: m }, (_, j) => j).sort((a, b) => lL[b]! - lL[a]! || a - b);
  // the likely winner first (see winnerRank), then its neighbours in that ranking
  const target = ev.winnerRank * (m - 1);
  const order = byL.map((_, r) => r)
    .sort((a, b) => Math.abs(a - target) - Math.abs(b - target) || a - b)
    .map((r) => byL[r]!);
  // first with the narrow margin: each point's acquisition within an interval [lo, hi] of
  // width ≤ log(1 + K·exp(−FAST_MARGIN)); a point whose hi is below the best lo cannot win
  const lo = new Float64Array(m).fill(-Infinity), hi = new Float64Array(m).fill(-Infinity);
  let bestLo = -Infinity;
  const hints: Hints = { ids: new Uint32Array(HINTS), n: 0, next: 0 };
  for (const j of order) {
    const l = lL[j]!;
    // log g(x) > l − bestLo + slack means hi < bestLo − slack: x cannot win
    const g = prunedPoint(ev, P, memos, cols, j, l - bestLo + TIE_SLACK, hints, FAST_MARGIN);
    if (g === Infinity) continue;
    const a = l - g;
    if (a !== a) return exactArgmax(ev, below, above, cols, m);
    hi[j] = a;
    lo[j] = l - ev.lastUpper;
    if (lo[j]! > bestLo) bestLo = lo[j]!;
  }
  // the contenders: usually one; several only when their intervals overlap, then their
  // values with the full margin decide (first on ties, as numpy's argmax)
  let best = -1, bestA = -Infinity, contenders = 0;
  for (let j = 0; j < m; j++) if (hi[j]! >= bestLo - TIE_SLACK) contenders++;
  for (let j = 0; j < m; j++) {
    if (!(hi[j]! >= bestLo - TIE_SLACK)) continue;
    if (contenders === 1) {
      best = j;
      break;
    }
    const a = lL[j]! - prunedPoint(ev, P, memos, cols, j);
    if (a !== a) return exactArgmax(ev, below, above, cols, m);
    if (best < 0 || a > bestA) {
      best = j;
      bestA = a;
    }
  }
  if (m > 1) ev.winnerRank = 0.8 * ev.winnerRank + 0.2 * byL.indexOf(best) / (m - 1);
  return best;
}

/**
 * The argmax of the exact acquisition values (numpy's rules for NaN). Over one dimension, each
 * distinct value among the points is evaluated once (the log densities there are functions of
 * the point alone, so equal points get equal values: candidates drawn from a few grid values or
 * choices repeat).
 */
function exactArgmax(
  ev: Evaluation,
  below: ParzenEstimator,
  above: ParzenEstimator,
  cols: ReadonlyArray<Float64Array>,
  m: number,
): number {
  const distinct = cols.length === 1 ? distinctValues(cols[0]!, m) : undefined;
  const pts = distinct ? [distinct.values] : cols;
  const n = distinct ? distinct.values.length : m;
  const l = new Float64Array(n), g = new Float64Array(n);
  logPdfColumns(below, pts, n, l, { evaluation: ev });
  logPdfColumns(above, pts, n, g, { evaluation: ev });
  const a = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const u = distinct ? distinct.of[j]! : j;
    a[j] = l[u]! - g[u]!;
  }
  return argmaxNumpy(a);
}

/**
 * The distinct values among `col[0..m)`, in first-seen order, and each point's (by `===`: 0 and
 * −0 are one value, whose terms are equal; each NaN is its own).
 */
export function distinctValues(
  col: Float64Array,
  m: number,
): { readonly values: Float64Array; readonly of: Int32Array } {
  const values = new Float64Array(m), of = new Int32Array(m);
  let n = 0;
  for (let j = 0; j < m; j++) {
    const x = col[j]!;
    let u = 0;
    while (u < n && values[u] !== x) u++;
    if (u === n) values[n++] = x;
    of[j] = u;
  }
  return { values: values.subarray(0, n), of };
}
