/**
 * Fast forms of the multi-objective helpers of `./hypervolume.ts` (private), each equal to the
 * readable reference there (same results, bit for bit; property tests compare them):
 * non-domination ranks of 2-D points by one sort and a binary search per point
 * (O(n log n) instead of a pass per front) and of 3 or more objectives on flat arrays, the
 * 2-D greedy hypervolume subset selection without reallocating per step, and the lazy greedy
 * selection for 3 or more objectives, which skips the candidates whose contribution bound
 * (contributions only shrink as the selection grows) is clearly below the best one, and
 * evaluates exactly only the candidates whose quick estimate comes near the best.
 *
 * @module
 */

/** A loss vector. */
type Point = ReadonlyArray<number>;

// -------------------------------------------------------------------------------------
// non-domination ranks
// -------------------------------------------------------------------------------------

/**
 * Non-domination ranks of 2-D points (no NaN), exact for the best `nBelow` unique points at
 * least, the rest sharing the next rank: `nonDominationRanks` of `./hypervolume.ts`.
 */
export function nonDominationRanks2d(points: ReadonlyArray<Point>, nBelow?: number): Int32Array {
  const n = points.length;
  const flat = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    flat[2 * i] = points[i]![0]!;
    flat[2 * i + 1] = points[i]![1]!;
  }
  return nonDominationRanks2dFlat(flat, n, nBelow);
}

/**
 * The last order {@link lexOrder2d} computed (speed only: an order is the same whether it is
 * found again or merged). Its points must not be modified afterwards.
 */
export interface LexOrderMemo {
  last: { readonly flat: Float64Array; readonly n: number; readonly order: Int32Array } | undefined;
}

/** The comparison of points i and j stored flat: by x, then y, then index. */
function lexCompare2d(flat: Float64Array, i: number, j: number): number {
  const a = flat[2 * i]!, b = flat[2 * j]!;
  if (a < b) return -1;
  if (a > b) return 1;
  const c = flat[2 * i + 1]!, d = flat[2 * j + 1]!;
  return c < d ? -1 : c > d ? 1 : i - j;
}

/**
 * The indices of `n` 2-D points stored flat sorted by x, then y, then index. When the points
 * extend those of the previous call recorded in `memo` (the same numbers first, new points
 * after: a study's next trial), the previous order is merged with the new points' instead of
 * sorting again (the order is total: the same result).
 */
export function lexOrder2d(flat: Float64Array, n: number, memo?: LexOrderMemo): Int32Array {
  const prev = memo?.last;
  let order: Int32Array;
  if (prev && prev.n <= n && samePrefix(prev.flat, flat, 2 * prev.n)) {
    const added: number[] = [];
    for (let i = prev.n; i < n; i++) added.push(i);
    added.sort((i, j) => lexCompare2d(flat, i, j));
    order = new Int32Array(n);
    const old = prev.order;
    let a = 0, b = 0, q = 0;
    while (a < old.length && b < added.length) {
      order[q++] = lexCompare2d(flat, old[a]!, added[b]!) < 0 ? old[a++]! : added[b++]!;
    }
    while (a < old.length) order[q++] = old[a++]!;
    while (b < added.length) order[q++] = added[b++]!;
  } else {
    const all = new Array<number>(n);
    for (let i = 0; i < n; i++) all[i] = i;
    all.sort((i, j) => lexCompare2d(flat, i, j));
    order = Int32Array.from(all);
  }
  if (memo) memo.last = { flat, n, order };
  return order;
}

function samePrefix(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * {@link nonDominationRanks2d} of `n` points stored flat: `flat[2i]`, `flat[2i + 1]` (`memo`:
 * the previous lexicographic order, see {@link lexOrder2d}).
 */
export function nonDominationRanks2dFlat(
  flat: Float64Array,
  n: number,
  nBelow?: number,
  memo?: LexOrderMemo,
): Int32Array {
  const order = lexOrder2d(flat, n, memo);
  // each unique point joins the first front none of whose members dominates it
  const exact = new Int32Array(n);
  const minY: number[] = [];
  const perRank: number[] = [];
  let px = NaN, py = NaN, pr = 0;
  for (let q = 0; q < n; q++) {
    const i = order[q]!;
    const x = flat[2 * i]!, y = flat[2 * i + 1]!;
    if (q > 0 && x === px && y === py) {
      exact[i] = pr;
      continue;
    }
    let lo = 0, hi = minY.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (minY[mid]! <= y) lo = mid + 1;
      else hi = mid;
    }
    if (lo === minY.length) {
      minY.push(y);
      perRank.push(0);
    } else minY[lo] = y;
    perRank[lo]!++;
    exact[i] = lo;
    px = x;
    py = y;
    pr = lo;
  }
  return clampRanks(exact, perRank, nBelow);
}

/**
 * {@link nonDominationRanks2dFlat} for `k` ≥ 3 objectives (`flat[i·k + d]`, no NaN): in
 * lexicographic order, each unique point joins the first front none of whose members
 * dominates it (an earlier point dominates a later one when it is ≤ in every objective after
 * the first).
 */
export function nonDominationRanksKdFlat(
  flat: Float64Array,
  n: number,
  k: number,
  nBelow?: number,
): Int32Array {
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => {
    for (let d = 0; d < k; d++) {
      const a = flat[i * k + d]!, b = flat[j * k + d]!;
      if (a < b) return -1;
      if (a > b) return 1;
    }
    return i - j;
  });
  const exact = new Int32Array(n);
  const fronts: number[][] = [];
  let prev = -1;
  for (const i of order) {
    if (prev >= 0 && sameRow(flat, k, prev, i)) {
      exact[i] = exact[prev]!;
      continue;
    }
    let r = 0;
    while (r < fronts.length && dominatedByAny(flat, k, fronts[r]!, i)) r++;
    if (r === fronts.length) fronts.push([]);
    fronts[r]!.push(i);
    exact[i] = r;
    prev = i;
  }
  return clampRanks(exact, fronts.map((f) => f.length), nBelow);
}

function sameRow(flat: Float64Array, k: number, a: number, b: number): boolean {
  for (let d = 0; d < k; d++) if (flat[a * k + d] !== flat[b * k + d]) return false;
  return true;
}

/** Whether a member of `front` (all earlier in lexicographic order) dominates row `p`. */
function dominatedByAny(flat: Float64Array, k: number, front: ReadonlyArray<number>, p: number) {
  const po = p * k;
  for (const q of front) {
    const qo = q * k;
    let d = 1;
    while (d < k && flat[qo + d]! <= flat[po + d]!) d++;
    if (d === k) return true;
  }
  return false;
}

/** Ranks past the first fronts holding `nBelow` unique points become one shared rank. */
function clampRanks(
  exact: Int32Array,
  perRank: ReadonlyArray<number>,
  nBelow?: number,
): Int32Array {
  let nUnique = 0;
  for (const c of perRank) nUnique += c;
  const limit = Math.min(nBelow || nUnique, nUnique);
  let cap = 0, cum = 0;
  while (cum < limit) cum += perRank[cap++]!;
  for (let i = 0; i < exact.length; i++) if (exact[i]! > cap) exact[i] = cap;
  return exact;
}

// -------------------------------------------------------------------------------------
// hypervolume subset selection
// -------------------------------------------------------------------------------------

/**
 * Greedy 2-D hypervolume subset selection of unique lexsorted points: `hssp2d` of
 * `./hypervolume.ts` with flat arrays and a removal mark instead of filtered copies.
 */
export function hssp2dFast(
  points: ReadonlyArray<Point>,
  indices: ReadonlyArray<number>,
  subset: number,
  ref: Point,
): number[] {
  const m = points.length;
  const xs = new Float64Array(m), ys = new Float64Array(m);
  const dx = new Float64Array(m).fill(ref[0]!), dy = new Float64Array(m).fill(ref[1]!);
  for (let i = 0; i < m; i++) {
    xs[i] = points[i]![0]!;
    ys[i] = points[i]![1]!;
  }
  const removed = new Uint8Array(m);
  const out: number[] = [];
  for (let s = 0; s < subset; s++) {
    let best = -1, bestC = -Infinity;
    for (let i = 0; i < m; i++) {
      if (removed[i]) continue;
      const c = (dx[i]! - xs[i]!) * (dy[i]! - ys[i]!);
      if (best < 0 || c > bestC || (c !== c && bestC === bestC)) {
        bestC = c;
        best = i;
      }
    }
    out.push(indices[best]!);
    removed[best] = 1;
    const cx = xs[best]!, cy = ys[best]!;
    for (let i = 0; i < best; i++) dx[i] = Math.min(cx, dx[i]!);
    for (let i = best + 1; i < m; i++) dy[i] = Math.min(cy, dy[i]!);
  }
  return out;
}

/**
 * Greedy hypervolume subset selection of unique points with a finite reference point
 * (`hsspGreedy` of `./hypervolume.ts` for 3 or more objectives): each step picks the largest
 * `hv(selected ∪ {p}) − hv(selected)`, first in order on ties, computed as the reference does;
 * a candidate is skipped when an earlier contribution of it, or its contribution next to the
 * latest pick alone (both upper bounds: contributions only shrink as the selection grows), is
 * below the best by more than rounding could explain. With `estimate` (a volume equal to `hv`'s
 * up to rounding, cheaper), every candidate the bounds leave is estimated first and only those
 * whose estimate comes within rounding of the best get the exact `hv`: the same picks.
 */
export function hsspLazy(
  points: ReadonlyArray<Point>,
  indices: ReadonlyArray<number>,
  subset: number,
  ref: Point,
  hv: (points: ReadonlyArray<Point>, ref: Point) => number,
  estimate?: (points: ReadonlyArray<Point>, ref: Point) => number,
): number[] {
  const m = points.length;
  const bound = new Float64Array(m).fill(Infinity);
  const removed = new Uint8Array(m);
  const selected: Point[] = [];
  const out: number[] = [];
  let hvSel = 0;
  for (let s = 0; s < subset; s++) {
    const last = selected[selected.length - 1];
    const order: number[] = [];
    for (let i = 0; i < m; i++) {
      if (removed[i]) continue;
      if (last) bound[i] = Math.min(bound[i]!, pairBound(points[i]!, last, ref));
      order.push(i);
    }
    order.sort((a, b) => bound[b]! - bound[a]! || a - b);
    const step = { points, selected, ref, hvSel, bound, hv };
    const pick = estimate && Number.isFinite(hvSel)
      ? bestEstimated(step, order, estimate)
      : bestExact(step, order);
    // no finite contribution: the first candidate, the selection's volume taken as 0
    const best = pick.best < 0 ? firstRemaining(removed) : pick.best;
    out.push(indices[best]!);
    removed[best] = 1;
    selected.push(points[best]!);
    hvSel = pick.best < 0 ? 0 : pick.hv;
  }
  return out;
}

/** What one greedy step reads: the candidates, the selection and its volume, the bounds. */
interface Step {
  readonly points: ReadonlyArray<Point>;
  readonly selected: Point[];
  readonly ref: Point;
  readonly hvSel: number;
  readonly bound: Float64Array;
  readonly hv: (points: ReadonlyArray<Point>, ref: Point) => number;
}

/** The selection's volume with `p` added, by `f`. */
function withPoint(st: Step, p: Point, f: (points: ReadonlyArray<Point>, ref: Point) => number) {
  st.selected.push(p);
  const h = f(st.selected, st.ref);
  st.selected.pop();
  return h;
}

/** The pick so far: candidate, contribution, volume (`best` −1: none). */
interface Pick {
  best: number;
  c: number;
  hv: number;
}

/** Evaluates candidate `i` exactly and keeps it if it beats the pick (first in order on ties). */
function tryExact(st: Step, i: number, pick: Pick): void {
  const h = withPoint(st, st.points[i]!, st.hv);
  const c = h - st.hvSel;
  st.bound[i] = c;
  if (pick.best < 0 ? c > -Infinity : c > pick.c || (c === pick.c && i < pick.best)) {
    pick.best = i;
    pick.c = c;
    pick.hv = h;
  }
}

/** The step's pick, every candidate whose bound allows it evaluated exactly. */
function bestExact(st: Step, order: ReadonlyArray<number>): Pick {
  const pick: Pick = { best: -1, c: -Infinity, hv: 0 };
  for (const i of order) {
    if (pick.best >= 0 && st.bound[i]! + slack(st.bound[i]!, st.hvSel) < pick.c) continue;
    tryExact(st, i, pick);
  }
  return pick;
}

/**
 * The same pick as {@link bestExact}: candidates are first estimated (a quick volume that
 * differs from the exact one by rounding only), and only those whose estimate comes within
 * rounding of the best are evaluated exactly, the most promising first.
 */
function bestEstimated(
  st: Step,
  order: ReadonlyArray<number>,
  estimate: (points: ReadonlyArray<Point>, ref: Point) => number,
): Pick {
  const { bound, hvSel } = st;
  const est = new Map<number, number>();
  let floor = -Infinity; // a lower bound of the best exact contribution
  for (const i of order) {
    if (bound[i]! + slack(bound[i]!, hvSel) < floor) continue;
    const e = withPoint(st, st.points[i]!, estimate) - hvSel;
    if (!Number.isFinite(e)) return bestExact(st, order);
    est.set(i, e);
    bound[i] = Math.min(bound[i]!, e + slack(e, hvSel));
    floor = Math.max(floor, e - slack(e, hvSel));
  }
  const cands = [...est.keys()].sort((a, b) => est.get(b)! - est.get(a)! || a - b);
  const pick: Pick = { best: -1, c: -Infinity, hv: 0 };
  for (const i of cands) {
    const e = est.get(i)!;
    if (pick.best >= 0 && e + slack(e, hvSel) < pick.c) continue;
    tryExact(st, i, pick);
  }
  return pick;
}

/** `inclusive(p) − inclusive(max(p, q))`: p's contribution next to q alone (an upper bound). */
function pairBound(p: Point, q: Point, ref: Point): number {
  let a = 1, b = 1;
  for (let d = 0; d < p.length; d++) {
    a *= ref[d]! - p[d]!;
    b *= ref[d]! - Math.max(p[d]!, q[d]!);
  }
  return a - b;
}

/** How far a computed contribution may exceed its computed bound by rounding alone. */
function slack(bound: number, hvSel: number): number {
  return 1e-9 * (Math.abs(bound) + Math.abs(hvSel)) + 1e-300;
}

function firstRemaining(removed: Uint8Array): number {
  for (let i = 0; i < removed.length; i++) if (!removed[i]) return i;
  return 0;
}
