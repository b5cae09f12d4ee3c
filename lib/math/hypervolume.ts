/**
 * Multi-objective helpers (private): non-domination ranks, exact hypervolume, greedy
 * hypervolume subset selection (HSSP) and the reference point rule, following Optuna 5.0.
 * Every point is a loss vector (lower is better in every objective).
 *
 * @module
 */

import {
  hssp2dFast,
  hsspLazy,
  type LexOrderMemo,
  nonDominationRanks2d,
  nonDominationRanks2dFlat,
  nonDominationRanksKdFlat,
} from "./_pareto_fast.ts";
import { hypervolumeFlat, hypervolumeIn, wfgScratch } from "./_wfg_flat.ts";

export type { LexOrderMemo } from "./_pareto_fast.ts";
import { hv3dSweep, sweep3d } from "./_hv3d.ts";

/** A loss vector. */
export type Point = ReadonlyArray<number>;

const EPS = 1e-12;

function lexCompare(a: Point, b: Point): number {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!, y = b[k]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** Unique rows in lexicographic order, with, for each input row, its unique row's index. */
export function uniqueLexsorted(points: ReadonlyArray<Point>): {
  readonly unique: Point[];
  readonly inverse: Int32Array;
  readonly firstIndex: Int32Array;
} {
  const n = points.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) =>
    lexCompare(points[i]!, points[j]!) || i - j
  );
  const unique: Point[] = [];
  const first: number[] = [];
  const inverse = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    const i = order[q]!;
    if (q === 0 || lexCompare(points[order[q - 1]!]!, points[i]!) !== 0) {
      unique.push(points[i]!);
      first.push(i);
    }
    inverse[i] = unique.length - 1;
  }
  return { unique, inverse, firstIndex: Int32Array.from(first) };
}

/**
 * Pareto-front flags of unique, lexsorted points (a later point never dominates an earlier one).
 */
export function paretoFrontOfSorted(points: ReadonlyArray<Point>): boolean[] {
  const n = points.length;
  const on = new Array<boolean>(n).fill(false);
  if (n === 0) return on;
  const k = points[0]!.length;
  if (k === 1) {
    on[0] = true;
    return on;
  }
  if (k === 2) {
    let best = Infinity;
    for (let i = 0; i < n; i++) {
      const y = points[i]![1]!;
      if (i === 0 || y < best) on[i] = true;
      if (y < best) best = y;
    }
    return on;
  }
  let remaining = Array.from({ length: n }, (_, i) => i);
  while (remaining.length) {
    const top = remaining[0]!;
    on[top] = true;
    const t = points[top]!;
    remaining = remaining.filter((i) => {
      const p = points[i]!;
      for (let d = 1; d < k; d++) if (p[d]! < t[d]!) return true;
      return false;
    });
  }
  return on;
}

/** Pareto-front flags of arbitrary points (duplicates of a front point are on the front). */
export function paretoFront(points: ReadonlyArray<Point>): boolean[] {
  const { unique, inverse } = uniqueLexsorted(points);
  const on = paretoFrontOfSorted(unique);
  return Array.from(inverse, (u) => on[u]!);
}

/**
 * Non-domination ranks (0 = Pareto front), exact for the best `nBelow` points at least; the
 * rest share the next rank (as Optuna's `_fast_non_domination_rank`). With `fast` (the
 * default), 2-D points without NaN are ranked in O(n log n) (`./_pareto_fast.ts`, same
 * result); `fast = false` peels one front per pass, the readable reference.
 */
export function nonDominationRanks(
  points: ReadonlyArray<Point>,
  nBelow?: number,
  fast = true,
): Int32Array {
  const n = points.length;
  const ranks = new Int32Array(n);
  if (n === 0 || (nBelow !== undefined && nBelow <= 0)) return ranks;
  const k = points[0]!.length;
  if (fast && k === 2 && points.every((p) => p[0] === p[0] && p[1] === p[1])) {
    return nonDominationRanks2d(points, nBelow);
  }
  const { unique, inverse } = uniqueLexsorted(points);
  if (k === 1) {
    for (let i = 0; i < n; i++) ranks[i] = inverse[i]!;
    return ranks;
  }
  const nUnique = unique.length;
  const limit = Math.min(nBelow || nUnique, nUnique);
  const uRanks = new Int32Array(nUnique);
  let indices = Array.from({ length: nUnique }, (_, i) => i);
  let rest = unique;
  let rank = 0;
  while (nUnique - indices.length < limit) {
    const on = paretoFrontOfSorted(rest);
    const nextIdx: number[] = [], nextRest: Point[] = [];
    for (let q = 0; q < indices.length; q++) {
      if (on[q]) uRanks[indices[q]!] = rank;
      else {
        nextIdx.push(indices[q]!);
        nextRest.push(rest[q]!);
      }
    }
    indices = nextIdx;
    rest = nextRest;
    rank++;
  }
  for (const i of indices) uRanks[i] = rank;
  for (let i = 0; i < n; i++) ranks[i] = uRanks[inverse[i]!]!;
  return ranks;
}

/**
 * {@link nonDominationRanks} of `n` loss vectors of `k` objectives stored flat (`flat[i·k + d]`,
 * no NaN with 2 objectives): 2-D ones, and others without NaN, without building a point per
 * row (`./_pareto_fast.ts`, the same ranks). `memo`: the previous 2-D lexicographic order, merged
 * with the new points when they extend the previous ones (same ranks).
 */
export function nonDominationRanksFlat(
  flat: Float64Array,
  n: number,
  k: number,
  nBelow?: number,
  memo?: LexOrderMemo,
): Int32Array {
  if (n > 0 && !(nBelow !== undefined && nBelow <= 0)) {
    if (k === 2) return nonDominationRanks2dFlat(flat, n, nBelow, memo);
    if (k > 2 && !flat.some((v) => v !== v)) return nonDominationRanksKdFlat(flat, n, k, nBelow);
  }
  const points: Point[] = [];
  for (let i = 0; i < n; i++) points.push(Array.from(flat.subarray(i * k, i * k + k)));
  return nonDominationRanks(points, nBelow);
}

/** Optuna's reference point: `max(1.1·w, 0.9·w)` per objective of the worst point `w`, 0 → 1e-12. */
export function referencePoint(points: ReadonlyArray<Point>): number[] {
  const k = points[0]!.length;
  const ref: number[] = [];
  for (let d = 0; d < k; d++) {
    let w = -Infinity;
    for (const p of points) if (p[d]! > w || p[d] !== p[d]) w = p[d]!;
    let r = Math.max(1.1 * w, 0.9 * w);
    if (w !== w) r = NaN;
    ref.push(r === 0 ? EPS : r);
  }
  return ref;
}

// -------------------------------------------------------------------------------------
// hypervolume
// -------------------------------------------------------------------------------------

function hv2d(sorted: ReadonlyArray<Point>, ref: Point): number {
  // sorted by the first objective, a Pareto set
  let hv = 0;
  let prevY = ref[1]!;
  for (const p of sorted) {
    hv += (ref[0]! - p[0]!) * (prevY - p[1]!);
    prevY = p[1]!;
  }
  return hv;
}

function inclusive(p: Point, ref: Point): number {
  let v = 1;
  for (let d = 0; d < p.length; d++) v *= ref[d]! - p[d]!;
  return v;
}

/** Hypervolume of points sorted by the first objective (WFG: inclusive minus exclusive parts). */
function hvSorted(sorted: ReadonlyArray<Point>, ref: Point): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return inclusive(sorted[0]!, ref);
  if (sorted[0]!.length === 2) {
    const on = paretoFrontOfSorted(sorted);
    return hv2d(sorted.filter((_, i) => on[i]), ref);
  }
  if (n === 2) {
    const a = sorted[0]!, b = sorted[1]!;
    const inter = a.map((v, d) => Math.max(v, b[d]!));
    return inclusive(a, ref) + inclusive(b, ref) - inclusive(inter, ref);
  }
  let hv = inclusive(sorted[n - 1]!, ref);
  for (let i = 0; i < n - 1; i++) {
    const p = sorted[i]!;
    const limited: Point[] = [];
    for (let j = i + 1; j < n; j++) limited.push(p.map((v, d) => Math.max(v, sorted[j]![d]!)));
    hv += inclusive(p, ref) - hvOf(limited, ref);
  }
  return hv;
}

function hvOf(points: ReadonlyArray<Point>, ref: Point): number {
  if (points.length <= 3) {
    return hvSorted([...points].sort((a, b) => a[0]! - b[0]!), ref);
  }
  const { unique } = uniqueLexsorted(points);
  const on = paretoFrontOfSorted(unique);
  return hvSorted(unique.filter((_, i) => on[i]), ref);
}

/**
 * The exact hypervolume dominated by `points` and bounded by `ref` (∞ for a non-finite ref).
 * With `fast` (the default), finite points of 3 or more objectives go through the flat-array
 * form of the same recursion (`./_wfg_flat.ts`, the same number bit for bit); `fast = false`
 * is the readable reference.
 */
export function hypervolume(points: ReadonlyArray<Point>, ref: Point, fast = true): number {
  if (!ref.every((r) => Number.isFinite(r))) return Infinity;
  if (points.length === 0) return 0;
  if (fast && ref.length >= 3 && points.every((p) => p.every((v) => Number.isFinite(v)))) {
    return hypervolumeFlat(points, ref);
  }
  const { unique } = uniqueLexsorted(points);
  const on = paretoFrontOfSorted(unique);
  const front = unique.filter((_, i) => on[i]);
  const hv = front[0]!.length === 2 ? hv2d(front, ref) : hvSorted(front, ref);
  return Number.isFinite(hv) ? hv : Infinity;
}

// -------------------------------------------------------------------------------------
// hypervolume subset selection
// -------------------------------------------------------------------------------------

function hssp2d(
  points: ReadonlyArray<Point>,
  indices: ReadonlyArray<number>,
  subset: number,
  ref: Point,
): number[] {
  // points are unique and lexsorted
  let ids = indices.map((_, i) => i);
  let diags = points.map(() => [ref[0]!, ref[1]!]);
  let vals = points.slice();
  const out: number[] = [];
  for (let s = 0; s < subset; s++) {
    let best = 0, bestC = -Infinity;
    for (let i = 0; i < vals.length; i++) {
      const c = (diags[i]![0]! - vals[i]![0]!) * (diags[i]![1]! - vals[i]![1]!);
      if (c > bestC || (c !== c && bestC === bestC)) {
        bestC = c;
        best = i;
      }
    }
    out.push(indices[ids[best]!]!);
    const chosen = vals[best]!;
    ids = ids.filter((_, i) => i !== best);
    diags = diags.filter((_, i) => i !== best);
    vals = vals.filter((_, i) => i !== best);
    for (let i = 0; i < best; i++) diags[i]![0] = Math.min(chosen[0]!, diags[i]![0]!);
    for (let i = best; i < diags.length; i++) diags[i]![1] = Math.min(chosen[1]!, diags[i]![1]!);
  }
  return out;
}

function hsspGreedy(
  points: ReadonlyArray<Point>,
  indices: ReadonlyArray<number>,
  subset: number,
  ref: Point,
  fast: boolean,
): number[] {
  if (!ref.every((r) => Number.isFinite(r))) return indices.slice(0, subset);
  if (indices.length === subset) return indices.slice();
  if (points[0]!.length === 2) {
    return (fast ? hssp2dFast : hssp2d)(points, indices, subset, ref);
  }
  if (fast && points.every((p) => p.every((v) => Number.isFinite(v)))) {
    const w = wfgScratch(ref, subset + 1);
    const sw = points[0]!.length === 3 ? sweep3d(subset + 1) : undefined;
    const estimate = sw && ((pts: ReadonlyArray<Point>) => hv3dSweep(sw, pts, ref));
    return hsspLazy(points, indices, subset, ref, (pts) => hypervolumeIn(w, pts), estimate);
  }
  let remaining = points.map((_, i) => i);
  const selected: Point[] = [];
  const out: number[] = [];
  let hvSel = 0;
  for (let s = 0; s < subset; s++) {
    let best = 0, bestC = -Infinity, bestHv = 0;
    for (let q = 0; q < remaining.length; q++) {
      const p = points[remaining[q]!]!;
      const hv = hypervolume([...selected, p], ref, fast);
      const c = hv - hvSel;
      if (c > bestC) {
        bestC = c;
        best = q;
        bestHv = hv;
      }
    }
    const i = remaining[best]!;
    out.push(indices[i]!);
    selected.push(points[i]!);
    hvSel = bestHv;
    remaining = remaining.filter((_, q) => q !== best);
  }
  return out;
}

/**
 * Greedy hypervolume subset selection: `subset` of `indices` (parallel to `points`) chosen by
 * largest hypervolume contribution, duplicates handled as Optuna's `_solve_hssp`. With `fast`
 * (the default) the selection runs on flat arrays (2-D) or lazily, skipping candidates whose
 * contribution bound is below the best (`./_pareto_fast.ts`, same result); `fast = false`
 * evaluates every candidate at every step, the readable reference.
 */
export function solveHssp(
  points: ReadonlyArray<Point>,
  indices: ReadonlyArray<number>,
  subset: number,
  ref: Point,
  fast = true,
): number[] {
  if (subset === indices.length) return indices.slice();
  const { unique, firstIndex } = uniqueLexsorted(points);
  if (unique.length < subset) {
    const chosen = new Array<boolean>(indices.length).fill(false);
    for (const i of firstIndex) chosen[i] = true;
    let need = subset - unique.length;
    for (let i = 0; i < indices.length && need > 0; i++) {
      if (!chosen[i]) {
        chosen[i] = true;
        need--;
      }
    }
    return indices.filter((_, i) => chosen[i]);
  }
  const sel = hsspGreedy(unique, Array.from(firstIndex), subset, ref, fast);
  return sel.map((i) => indices[i]!);
}

/**
 * Optuna 4.x's hypervolume-contribution weights of the good (below) points: each Pareto
 * point's leave-one-out contribution over the largest, floored at 1e-12 (dominated points get
 * 1e-12; infinite hypervolume → all 1). `fast` as in {@link hypervolume}.
 */
export function hypervolumeWeights(points: ReadonlyArray<Point>, fast = true): Float64Array {
  const n = points.length;
  const w = new Float64Array(n).fill(1);
  if (n <= 1) return w;
  const ref = referencePoint(points);
  const on = paretoFront(points);
  const front = points.filter((_, i) => on[i]);
  const hv = hypervolume(front, ref, fast);
  if (!Number.isFinite(hv)) return w;
  const contrib = new Float64Array(n);
  let q = 0;
  for (let i = 0; i < n; i++) {
    if (!on[i]) continue;
    const loo = front.filter((_, j) => j !== q);
    contrib[i] = hv - hypervolume(loo, ref, fast);
    q++;
  }
  let max = EPS;
  for (const c of contrib) if (c > max) max = c;
  for (let i = 0; i < n; i++) w[i] = Math.max(contrib[i]! / max, EPS);
  return w;
}
