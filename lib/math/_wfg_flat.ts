/**
 * The exact hypervolume of finite points of 3 or more objectives on flat arrays (private):
 * the WFG recursion of `./hypervolume.ts` (`hypervolume`, `hvSorted`, `hvOf`) step for step,
 * with the same sorts, the same Pareto filters and the same floating-point operations in the
 * same order, so the result is the same number bit for bit; the points live in one growing
 * scratch buffer instead of an array per point (the generic code spends most of its time
 * building those). Finite input only: with a NaN or an infinity the sorts of the reference
 * may order rows differently, so callers keep the reference there.
 *
 * @module
 */

/** A loss vector. */
type Point = ReadonlyArray<number>;

/** Scratch state of hypervolume computations (reusable, one at a time). */
export interface Wfg {
  buf: Float64Array;
  top: number;
  readonly k: number;
  readonly ref: Float64Array;
}

/** `k` doubles per row: room for `rows` more rows at the top of the scratch buffer. */
function reserve(w: Wfg, rows: number): number {
  const off = w.top;
  const need = off + rows * w.k;
  if (need > w.buf.length) {
    const grown = new Float64Array(Math.max(need, 2 * w.buf.length));
    grown.set(w.buf.subarray(0, off));
    w.buf = grown;
  }
  w.top = need;
  return off;
}

function inclusive(w: Wfg, off: number): number {
  const { buf, ref, k } = w;
  let v = 1;
  for (let d = 0; d < k; d++) v *= ref[d]! - buf[off + d]!;
  return v;
}

/** Lexicographic order of two rows (`lexCompare` of the reference), then position. */
function lexRows(buf: Float64Array, k: number, a: number, b: number): number {
  for (let d = 0; d < k; d++) {
    const x = buf[a + d]!, y = buf[b + d]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/**
 * Unique lexsorted Pareto rows of the `m` rows at `off`, copied to a new region; returns its
 * offset and row count (`uniqueLexsorted` then `paretoFrontOfSorted` of the reference).
 */
function frontOf(w: Wfg, off: number, m: number): [number, number] {
  const k = w.k;
  const order = new Array<number>(m);
  for (let i = 0; i < m; i++) order[i] = i;
  const b0 = w.buf;
  order.sort((i, j) => lexRows(b0, k, off + i * k, off + j * k) || i - j);
  const out = reserve(w, m);
  const buf = w.buf;
  for (let q = 0; q < m; q++) {
    buf.copyWithin(out + q * k, off + order[q]! * k, off + order[q]! * k + k);
  }
  return [out, compactFront(buf, k, out, m)];
}

/**
 * Sorts the `m` rows at `off` lexicographically in place (insertion: the limited rows of
 * {@link hvSorted} arrive sorted by the first objective, so only its ties move; equal rows
 * are interchangeable, so the order is the reference's) and keeps their unique Pareto rows
 * at the front of the region; returns how many.
 */
function sortedFrontInPlace(buf: Float64Array, k: number, off: number, m: number): number {
  for (let i = 1; i < m; i++) {
    for (let j = i; j > 0 && lexRows(buf, k, off + (j - 1) * k, off + j * k) > 0; j--) {
      for (let d = 0; d < k; d++) {
        const a = off + (j - 1) * k + d, b = off + j * k + d;
        const t = buf[a]!;
        buf[a] = buf[b]!;
        buf[b] = t;
      }
    }
  }
  return compactFront(buf, k, off, m);
}

/**
 * Keeps, in order at the front of the region, the unique Pareto rows of `m` lexsorted rows: a
 * row is dropped when it equals the previous row or an earlier kept row is ≤ it in every
 * objective after the first (the reference peels with each front row in turn: the same rows,
 * in the same order). Returns how many are kept.
 */
function compactFront(buf: Float64Array, k: number, off: number, m: number): number {
  let kept = 0;
  for (let i = 0; i < m; i++) {
    const p = off + i * k;
    if (i > 0 && lexRows(buf, k, p - k, p) === 0) continue;
    let dominated = false;
    for (let f = 0; f < kept && !dominated; f++) {
      const t = off + f * k;
      let d = 1;
      while (d < k && buf[p + d]! >= buf[t + d]!) d++;
      dominated = d === k;
    }
    if (dominated) continue;
    if (kept !== i) buf.copyWithin(off + kept * k, p, p + k);
    kept++;
  }
  return kept;
}

/** `hvSorted` of the reference: `n` rows at `off`, sorted by the first objective. */
function hvSorted(w: Wfg, off: number, n: number): number {
  const k = w.k;
  if (n === 0) return 0;
  if (n === 1) return inclusive(w, off);
  if (n === 2) {
    const inter = reserve(w, 1);
    const buf = w.buf;
    for (let d = 0; d < k; d++) buf[inter + d] = Math.max(buf[off + d]!, buf[off + k + d]!);
    const v = inclusive(w, off) + inclusive(w, off + k) - inclusive(w, inter);
    w.top = inter;
    return v;
  }
  let hv = inclusive(w, off + (n - 1) * k);
  for (let i = 0; i < n - 1; i++) {
    const m = n - 1 - i;
    const lim = reserve(w, m);
    const buf = w.buf;
    const p = off + i * k;
    for (let j = 0; j < m; j++) {
      const q = off + (i + 1 + j) * k, r = lim + j * k;
      for (let d = 0; d < k; d++) buf[r + d] = Math.max(buf[p + d]!, buf[q + d]!);
    }
    hv += inclusive(w, p) - hvOf(w, lim, m);
    w.top = lim;
  }
  return hv;
}

/** `hvOf` of the reference: up to 3 rows sorted stably by the first objective, else the front. */
function hvOf(w: Wfg, off: number, m: number): number {
  if (m <= 3) {
    const buf = w.buf, k = w.k;
    // stable insertion sort by the first objective (finite rows: `a[0] − b[0]` is consistent)
    for (let i = 1; i < m; i++) {
      for (let j = i; j > 0 && buf[off + (j - 1) * k]! - buf[off + j * k]! > 0; j--) {
        for (let d = 0; d < k; d++) {
          const a = off + (j - 1) * k + d, b = off + j * k + d;
          const t = buf[a]!;
          buf[a] = buf[b]!;
          buf[b] = t;
        }
      }
    }
    return hvSorted(w, off, m);
  }
  const n = sortedFrontInPlace(w.buf, w.k, off, m);
  w.top = off + n * w.k;
  return hvSorted(w, off, n);
}

/** Scratch space for hypervolumes of `ref.length` objectives bounded by `ref` (reusable). */
export function wfgScratch(ref: Point, rows = 16): Wfg {
  const k = ref.length;
  return {
    buf: new Float64Array(Math.max(64, 4 * rows * k)),
    top: 0,
    k,
    ref: Float64Array.from(ref),
  };
}

/**
 * `hypervolume(points, w.ref)` of `./hypervolume.ts` for finite points of 3 or more
 * objectives and a finite reference point, the same number bit for bit, in `w`'s space.
 */
export function hypervolumeIn(w: Wfg, points: ReadonlyArray<Point>): number {
  const m = points.length;
  if (m === 0) return 0;
  const k = w.k;
  w.top = 0;
  const off = reserve(w, m);
  const buf = w.buf;
  for (let i = 0; i < m; i++) {
    const p = points[i]!;
    for (let d = 0; d < k; d++) buf[off + i * k + d] = p[d]!;
  }
  let front: number, n: number;
  if (m <= 64) { // insertion sort: the same order (equal rows are interchangeable)
    front = off;
    n = sortedFrontInPlace(buf, k, off, m);
  } else [front, n] = frontOf(w, off, m);
  const hv = hvSorted(w, front, n);
  return Number.isFinite(hv) ? hv : Infinity;
}

/** {@link hypervolumeIn} with fresh scratch space. */
export function hypervolumeFlat(points: ReadonlyArray<Point>, ref: Point): number {
  return hypervolumeIn(wfgScratch(ref, points.length), points);
}
