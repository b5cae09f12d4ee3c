/**
 * The in-place update of the incremental bad-side model for a new list of trials (private):
 * kept observations move in blocks, new ones are inserted, and bandwidths and constants are
 * recomputed only where a sorted neighbour changed.
 *
 * @module
 */
import { bandwidthAt } from "../_kernels.ts";
import type { Alloc } from "../../../math/alloc.ts";
import { DimKind } from "./_prepared.ts";
import {
  allocArrays,
  capacityFor,
  centreOf,
  componentArrays,
  type Model,
  refresh,
  type SpaceShape,
  trackUb,
  writePrior,
} from "./_above_model.ts";

// -------------------------------------------------------------------------------------
// update
// -------------------------------------------------------------------------------------

/** `a` sorts before `b` (values, then list positions; NaN last). */
function before(va: number, ia: number, vb: number, ib: number): boolean {
  if (va < vb) return true;
  if (va > vb) return false;
  if (va === vb) return ia < ib;
  // at least one NaN
  if (va !== va && vb !== vb) return ia < ib;
  return vb !== vb;
}

/** Moves blocks (`runs` of old start, old end, new start) within one array, in place. */
function moveRuns(a: Float64Array | Int32Array, runs: ReadonlyArray<number>): void {
  // blocks moving left in ascending order, then blocks moving right in descending order:
  // no block overwrites one that has not moved yet
  for (let q = 0; q < runs.length; q += 3) {
    if (runs[q + 2]! < runs[q]!) a.copyWithin(runs[q + 2]!, runs[q]!, runs[q + 1]!);
  }
  for (let q = runs.length - 3; q >= 0; q -= 3) {
    if (runs[q + 2]! > runs[q]!) a.copyWithin(runs[q + 2]!, runs[q]!, runs[q + 1]!);
  }
}

/** The sorted position of the component in slot i (present in `order[0, n)`). */
function rankOf(
  key: Float64Array,
  pos: Int32Array,
  order: Uint32Array,
  n: number,
  i: number,
): number {
  let lo = 0, hi = n;
  const v = key[i]!, p = pos[i]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const o = order[mid]!;
    if (before(key[o]!, pos[o]!, v, p)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Blocks of consecutive old slots that stay consecutive: (old start, old end, new start). */
function runsOf(map: Int32Array): number[] {
  const runs: number[] = [];
  for (let r = 0; r < map.length;) {
    const k = map[r]!;
    if (k < 0) {
      r++;
      continue;
    }
    let e = r + 1;
    while (e < map.length && map[e] === k + (e - r)) e++;
    runs.push(r, e, k);
    r = e;
  }
  return runs;
}

/**
 * Where the components go in storage for the new list: `map` (old slot → new slot, −1 when
 * removed) and `slots` (the slot of each inserted observation). In list order these are the
 * list's own moves. Sorted along a dimension, the kept components keep their slots (closing
 * the gaps of removed ones) and the inserted ones are appended: the order decays slowly and is
 * restored from time to time ({@link MAX_UNSORTED}).
 */
function slotPlan(
  model: Model,
  listMap: Int32Array,
  inserted: ReadonlyArray<number>,
  n: number,
  listAppend: boolean,
  alloc: Alloc,
): { readonly map: Int32Array | null; readonly slots: Int32Array } {
  const oldN = model.n, pos = model.arrays.pos;
  const kept = n - inserted.length;
  // `map` null: every component keeps its slot
  if (model.primary < 0) {
    return { map: listAppend ? null : listMap, slots: Int32Array.from(inserted) };
  }
  const slots = alloc.i32(inserted.length);
  model.unsorted += slots.length;
  if (kept === oldN) {
    // nothing removed: the kept components stay, the new ones are appended
    for (let q = 0; q < slots.length; q++) slots[q] = oldN + q;
    return { map: null, slots };
  }
  const map = alloc.i32(oldN);
  let w = 0;
  for (let s = 0; s < oldN; s++) map[s] = listMap[pos[s]!]! < 0 ? -1 : w++;
  for (let q = 0; q < slots.length; q++) slots[q] = w++;
  return { map, slots };
}

/**
 * Updates the model in place for the new list: kept observations move in blocks (`runs` of old
 * start, old end, new start), `inserted` ones (new positions) are written, and bandwidths and
 * constants are recomputed where a sorted neighbour changed.
 */
export function update(
  model: Model,
  shape: SpaceShape,
  listMap: Int32Array,
  inserted: ReadonlyArray<number>,
  rows: ReadonlyArray<{ readonly row: Float64Array }>,
  n: number,
  alloc: Alloc,
): void {
  const oldN = model.n;
  if (model.arrays.cap < n) model.arrays = allocArrays(capacityFor(n), shape, model.arrays, oldN);
  const g = model.arrays;
  const D = shape.kinds.length;
  // the list only grew at its end: the kept observations keep their list positions
  const listAppend = n === oldN + inserted.length &&
    (oldN === 0 || listMap[oldN - 1] === oldN - 1);
  const { map, slots } = slotPlan(model, listMap, inserted, n, listAppend, alloc);
  const runs = map ? runsOf(map) : [0, oldN, 0];
  if (map) {
    // the removed components' bounds leave the largest
    for (let s = 0; s < oldN; s++) {
      if (map[s]! >= 0) continue;
      shape.kinds.forEach((kind, d) => {
        if (kind !== DimKind.Categorical) trackUb(model, d, g.dims[d]!.ub[s]!, -1);
      });
    }
  }
  // appended at the end with nothing removed: slots are kept
  const appendOnly = oldN === 0 ||
    (runs.length === 3 && runs[0] === 0 && runs[1] === oldN && runs[2] === 0);
  // list positions move with their components, then are renumbered for the new list (unless
  // the list only grew at its end: then the kept ones keep theirs)
  const pos = g.pos;
  if (!listAppend) {
    if (!appendOnly) moveRuns(pos, runs);
    const isNew = new Uint8Array(n);
    for (const s of slots) isNew[s] = 1;
    for (let s = 0; s < n; s++) if (isNew[s] === 0) pos[s] = listMap[pos[s]!]!;
  }
  slots.forEach((s, q) => pos[s] = inserted[q]!);
  if (listAppend) slots.forEach((s, q) => g.slot[inserted[q]!] = s);
  else for (let s = 0; s < n; s++) g.slot[pos[s]!] = s;
  pos[n] = g.slot[n] = n;
  for (let d = 0; d < D; d++) {
    const t = g.dims[d]!;
    const kind = shape.kinds[d]!;
    if (!appendOnly) { for (const a of componentArrays(t, kind)) moveRuns(a, runs); }
    if (kind === DimKind.Categorical) {
      slots.forEach((s, q) => t.observed[s] = Math.trunc(rows[inserted[q]!]!.row[d]!));
      continue;
    }
    const key = t.mus;
    slots.forEach((s, q) => {
      key[s] = centreOf(shape, d, rows[inserted[q]!]!.row[d]!);
      t.sigmas[s] = NaN;
    });
    // the kept order, renumbered, with the removed observations dropped (their sorted
    // neighbours noted), then each inserted one placed by binary search
    const ord = t.order;
    const neighbours: number[] = [];
    let m = oldN;
    if (!appendOnly) {
      let w = 0, last = -1, gap = false;
      for (let r = 0; r < oldN; r++) {
        const k = map![ord[r]!]!;
        if (k < 0) {
          if (last >= 0) neighbours.push(last);
          gap = true;
          continue;
        }
        if (gap) neighbours.push(k);
        gap = false;
        ord[w++] = k;
        last = k;
      }
      m = w;
    }
    for (const k of slots) {
      const j = rankOf(key, pos, ord, m, k);
      ord.copyWithin(j + 1, j, m);
      ord[j] = k;
      m++;
    }
    // sorted positions whose neighbours changed
    const changed: number[] = [];
    for (const k of neighbours) changed.push(rankOf(key, pos, ord, n, k));
    for (const k of slots) {
      const j = rankOf(key, pos, ord, n, k);
      if (j > 0) changed.push(j - 1);
      changed.push(j);
      if (j + 1 < n) changed.push(j + 1);
    }
    const dom = shape.domains[d]!, rule = model.rules[d]!;
    for (const j of changed) {
      const i = ord[j]!;
      const sg = bandwidthAt(key, ord, j, n, dom, rule);
      if (sg === t.sigmas[i]) continue;
      // (an inserted component, NaN until now, had no bound yet)
      if (t.sigmas[i] === t.sigmas[i]) trackUb(model, d, t.ub[i]!, -1);
      t.sigmas[i] = sg;
      refresh(model, shape, t, d, i);
      trackUb(model, d, t.ub[i]!, 1);
    }
  }
  writePrior(model, shape, g, n);
}
