/**
 * The bad-side ("above") estimator of TPE, maintained incrementally (private). Between two
 * trials of a study the bad set changes by a few observations, so its sorted orders,
 * bandwidths, kernel constants and pruning bounds are carried over, moved in blocks to their
 * new positions, and recomputed only where an observation or one of its sorted neighbours
 * changed. Every value equals the one a fresh fit computes (same formulas, same operands), so
 * results never depend on what was cached.
 *
 * Large mixtures are stored sorted along the dimension the pruned evaluation scans first (the
 * one it chose for most points of the previous trials), so that the components a point visits
 * lie together in memory: on a 10,000-trial history the evaluation takes about a fifth less
 * time than in trial order. New observations are appended out of order and the storage is
 * sorted again once a sixteenth is out of place. The estimator's components, weights included,
 * are then in storage order; its prepared form records the canonical (trial) order, which
 * every order-dependent step of the evaluation follows, so the storage order never changes a
 * result.
 *
 * @module
 */
import type { Distribution } from "../core/distributions.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { SearchSpace } from "../core/search_space.ts";
import type { CategoricalKernels, ParzenEstimator } from "../samplers/parzen_estimator.ts";
import { argsortStable, f64, i32, u32 } from "./tpe_math.ts";
import { lineageOf } from "./trial_lists.ts";
import { remember } from "../samplers/_recent.ts";
import {
  bandwidthAt,
  type BandwidthRule,
  bandwidthRule,
  categoricalRow,
  DimKind,
  evaluationOrder,
  type FitParams,
  normalisedWeights,
  numericalRecord,
  prepareCategorical,
  type PreparedDim,
  setPrepared,
  type TransformedDomain,
  transformedDomain,
  WINDOW_MIN_COMPONENTS,
  withBounds,
  writeComponent,
} from "./tpe_parzen.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Per dimension, the arrays of the model (capacity `cap` observations + the prior). */
interface DimArrays {
  /** Numerical: centres (transformed). */
  readonly mus: Float64Array;
  /** Categorical: choice indices. */
  readonly observed: Int32Array;
  /** Numerical: stable sort order of the centres. */
  readonly order: Uint32Array;
  readonly sigmas: Float64Array;
  readonly invSigma: Float64Array;
  readonly logSigma: Float64Array;
  readonly logNorm: Float64Array;
  readonly ub: Float64Array;
  /** Discrete: id of the (μ, σ) pair. */
  readonly uid: Int32Array;
}

interface Arrays {
  readonly cap: number;
  readonly dims: ReadonlyArray<DimArrays>;
  /** Per storage slot: the component's position in the list (the prior: n). */
  readonly pos: Int32Array;
  /** Per list position: the component's storage slot (the prior: n). */
  readonly slot: Uint32Array;
}

/** What is kept per space between fits. */
interface Model {
  list: ReadonlyArray<FrozenTrial>;
  n: number;
  /** The bandwidth rule the arrays were computed with, per dimension. */
  rules: ReadonlyArray<BandwidthRule | undefined>;
  arrays: Arrays;
  /** Discrete dimensions: ids of the distinct (μ, σ) pairs seen so far. */
  pairIds: Array<Map<number, Map<number, number>> | undefined>;
  nPairs: number[];
  /**
   * The dimension the components are stored sorted along (by centre, then list position), or
   * −1 for list order. Large mixtures are sorted along the dimension the pruned evaluation
   * scans first, so that the components it visits lie close together in memory.
   */
  primary: number;
  /** Per dimension: how often the evaluation scanned it first since the last check. */
  firstPicks: Int32Array;
  /** Components appended out of order since the last sort. */
  unsorted: number;
  /**
   * Per numerical dimension: the largest `ub` of the observation components, how many have
   * it, and whether it must be recounted (its last holder left).
   */
  readonly ubMax: Float64Array;
  readonly ubAtMax: Int32Array;
  readonly ubStale: Uint8Array;
}

/** The static description of a space's dimensions. */
interface SpaceShape {
  readonly kinds: ReadonlyArray<DimKind>;
  readonly domains: ReadonlyArray<TransformedDomain | undefined>;
  readonly dists: ReadonlyArray<Distribution>;
  readonly order: Int32Array;
}

const models = new Map<string, Model>();
/** Evaluations counted before the storage order is reconsidered. */
const MIN_PICKS = 24;
/** Share of components appended out of order above which the storage is sorted again. */
const MAX_UNSORTED = 1 / 16;
const MODEL_CACHE_SIZE = 32;
/** Above this many new observations, a fresh fit is cheaper than inserting them one by one. */
const MAX_INSERTED = 16;

/** Forgets the incremental models (they are memos: results never depend on them). */
export function clearModelCache(): void {
  models.clear();
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

function shapeOf(names: ReadonlyArray<string>, space: SearchSpace): SpaceShape {
  const dists = names.map((n) => space[n]!);
  const kinds: DimKind[] = dists.map((d) =>
    d._tag === "CategoricalDistribution"
      ? DimKind.Categorical
      : d.step !== null && d.step !== 0
      ? DimKind.Discrete
      : DimKind.Continuous
  );
  const domains = dists.map((d) =>
    d._tag === "CategoricalDistribution" ? undefined : transformedDomain(d)
  );
  return { kinds, domains, dists, order: evaluationOrder(kinds) };
}

const NONE_F64 = new Float64Array(0);
const NONE_I32 = new Int32Array(0);
const NONE_U32 = new Uint32Array(0);

/** Fresh arrays for `cap` observations, holding a copy of the first `keep` of `from`. */
function allocArrays(cap: number, shape: SpaceShape, from?: Arrays, keep = 0): Arrays {
  const out: Arrays = {
    cap,
    pos: new Int32Array(cap + 1),
    slot: new Uint32Array(cap + 1),
    dims: shape.kinds.map((kind) => {
      const numeric = kind !== DimKind.Categorical;
      const arr = () => numeric ? new Float64Array(cap + 1) : NONE_F64;
      return {
        mus: arr(),
        observed: numeric ? NONE_I32 : new Int32Array(cap + 1),
        order: numeric ? new Uint32Array(cap) : NONE_U32,
        sigmas: arr(),
        invSigma: arr(),
        logSigma: arr(),
        logNorm: arr(),
        ub: arr(),
        uid: kind === DimKind.Discrete ? new Int32Array(cap + 1) : NONE_I32,
      };
    }),
  };
  if (from && keep > 0) {
    out.pos.set(from.pos.subarray(0, keep + 1));
    out.slot.set(from.slot.subarray(0, keep + 1));
    out.dims.forEach((a, d) => {
      const b = from.dims[d]!, kind = shape.kinds[d]!;
      const src = componentArrays(b, kind);
      componentArrays(a, kind).forEach((to, q) =>
        (to as Float64Array).set((src[q] as Float64Array).subarray(0, keep + 1))
      );
      a.order.set(b.order.subarray(0, keep));
    });
  }
  return out;
}

/** The per-component arrays of a dimension (those that move with their component). */
function componentArrays(a: DimArrays, kind: DimKind): Array<Float64Array | Int32Array> {
  if (kind === DimKind.Categorical) return [a.observed];
  const out: Array<Float64Array | Int32Array> = [
    a.mus,
    a.sigmas,
    a.invSigma,
    a.logSigma,
    a.logNorm,
    a.ub,
  ];
  if (kind === DimKind.Discrete) out.push(a.uid);
  return out;
}

function pairId(model: Model, d: number, mu: number, sigma: number): number {
  const byMu = model.pairIds[d]!;
  let bySigma = byMu.get(mu);
  if (!bySigma) byMu.set(mu, bySigma = new Map());
  let id = bySigma.get(sigma);
  if (id === undefined) bySigma.set(sigma, id = model.nPairs[d]!++);
  return id;
}

/** Recomputes component i of numerical dimension d from its centre and bandwidth. */
function refresh(model: Model, shape: SpaceShape, a: DimArrays, d: number, i: number): void {
  writeComponent(shape.domains[d]!, a.mus[i]!, a.sigmas[i]!, i, a);
  if (shape.kinds[d] === DimKind.Discrete) a.uid[i] = pairId(model, d, a.mus[i]!, a.sigmas[i]!);
}

/** Counts bound `u` of dimension d in (`+1`) or out (`−1`) of the observations' largest. */
function trackUb(model: Model, d: number, u: number, sign: 1 | -1): void {
  const max = model.ubMax[d]!;
  if (sign < 0) {
    if (u === max && --model.ubAtMax[d]! <= 0) model.ubStale[d] = 1;
  } else if (u > max) {
    model.ubMax[d] = u;
    model.ubAtMax[d] = 1;
  } else if (u === max) model.ubAtMax[d]!++;
}

/** Per dimension, the largest `ub` over the `n` observations and the prior (0: categorical). */
function maxUbOf(model: Model, shape: SpaceShape, n: number): Float64Array {
  const out = new Float64Array(shape.kinds.length);
  shape.kinds.forEach((kind, d) => {
    if (kind === DimKind.Categorical) return;
    const ub = model.arrays.dims[d]!.ub;
    if (model.ubStale[d]) {
      let max = -Infinity, at = 0;
      for (let i = 0; i < n; i++) {
        const u = ub[i]!;
        if (u > max) {
          max = u;
          at = 1;
        } else if (u === max) at++;
      }
      model.ubMax[d] = max;
      model.ubAtMax[d] = at;
      model.ubStale[d] = 0;
    }
    out[d] = Math.max(model.ubMax[d]!, ub[n]!);
  });
  return out;
}

function writePrior(model: Model, shape: SpaceShape, g: Arrays, n: number): void {
  shape.kinds.forEach((kind, d) => {
    if (kind === DimKind.Categorical) return;
    const dom = shape.domains[d]!, a = g.dims[d]!;
    a.mus[n] = 0.5 * (dom.lowT + dom.highT);
    a.sigmas[n] = dom.highT - dom.lowT;
    refresh(model, shape, a, d, n);
  });
}

function sameRules(
  a: ReadonlyArray<BandwidthRule | undefined>,
  b: ReadonlyArray<BandwidthRule | undefined>,
): boolean {
  return a.length === b.length && a.every((r, d) => {
    const o = b[d];
    return r === undefined
      ? o === undefined
      : o !== undefined && r.minSigma === o.minSigma && r.maxSigma === o.maxSigma &&
        r.trimEnds === o.trimEnds;
  });
}

/** The centre of a numerical observation (log for log domains). */
function centreOf(shape: SpaceShape, d: number, v: number): number {
  const dist = shape.dists[d]!;
  return dist._tag !== "CategoricalDistribution" && dist.log ? Math.log(v) : v;
}

/** Capacity for `n` observations with room to grow. */
function capacityFor(n: number): number {
  return Math.ceil(n * 1.25) + 16;
}

/** A fresh fit of the whole model. */
function fresh(
  model: Model,
  shape: SpaceShape,
  rows: ReadonlyArray<{ readonly row: Float64Array }>,
  n: number,
): void {
  if (model.arrays.cap < n) model.arrays = allocArrays(capacityFor(n), shape);
  const g = model.arrays;
  model.pairIds = shape.kinds.map((k) => k === DimKind.Discrete ? new Map() : undefined);
  model.nPairs = shape.kinds.map(() => 0);
  shape.kinds.forEach((kind, d) => {
    const a = g.dims[d]!;
    if (kind === DimKind.Categorical) {
      for (let i = 0; i < n; i++) a.observed[i] = Math.trunc(rows[i]!.row[d]!);
      return;
    }
    for (let i = 0; i < n; i++) a.mus[i] = centreOf(shape, d, rows[i]!.row[d]!);
    argsortStable(a.mus, n, a.order);
    const dom = shape.domains[d]!, rule = model.rules[d]!;
    for (let j = 0; j < n; j++) {
      const i = a.order[j]!;
      a.sigmas[i] = bandwidthAt(a.mus, a.order, j, n, dom, rule);
      refresh(model, shape, a, d, i);
    }
  });
  writePrior(model, shape, g, n);
  model.ubStale.fill(1);
  for (let t = 0; t <= n; t++) g.pos[t] = g.slot[t] = t;
  const primary = model.primary;
  model.primary = -1;
  if (primary >= 0) resort(model, shape, n, primary);
}

/**
 * Stores the components sorted along dimension `target` (by centre, then list position), or in
 * list order when `target` is −1: every per-component array is permuted and the sorted orders
 * renumbered.
 */
function resort(model: Model, shape: SpaceShape, n: number, target: number): void {
  const g = model.arrays;
  // perm[new slot] = old slot
  const perm = target >= 0 ? g.dims[target]!.order.slice(0, n) : g.slot.slice(0, n);
  const inv = u32(n);
  for (let s = 0; s < n; s++) inv[perm[s]!] = s;
  const tmpF = f64(n), tmpI = i32(n);
  shape.kinds.forEach((kind, d) => {
    const a = g.dims[d]!;
    for (const arr of componentArrays(a, kind)) {
      if (arr instanceof Float64Array) gatherF64(arr, perm, tmpF);
      else gatherI32(arr, perm, tmpI);
    }
    if (kind === DimKind.Categorical) return;
    const ord = a.order;
    for (let r = 0; r < n; r++) ord[r] = inv[ord[r]!]!;
  });
  gatherI32(g.pos, perm, tmpI);
  for (let s = 0; s < n; s++) g.slot[g.pos[s]!] = s;
  model.primary = target;
  model.unsorted = 0;
}

/** `a[s] = a[perm[s]]` for `s < perm.length`, through `tmp` (one loop per array type). */
function gatherF64(a: Float64Array, perm: Uint32Array, tmp: Float64Array): void {
  for (let s = 0; s < perm.length; s++) tmp[s] = a[perm[s]!]!;
  a.set(tmp);
}

/** `a[s] = a[perm[s]]` for `s < perm.length`, through `tmp`. */
function gatherI32(a: Int32Array, perm: Uint32Array, tmp: Int32Array): void {
  for (let s = 0; s < perm.length; s++) tmp[s] = a[perm[s]!]!;
  a.set(tmp);
}

/**
 * The storage order to use next: list order for small mixtures; otherwise the numerical
 * dimension the evaluation scanned first for most points since the last check (when it is
 * continuous), else the current one.
 */
function choosePrimary(model: Model, shape: SpaceShape, n: number): number {
  if (n + 1 < WINDOW_MIN_COMPONENTS) return -1;
  const picks = model.firstPicks;
  let total = 0, best = 0;
  for (let d = 0; d < picks.length; d++) {
    total += picks[d]!;
    if (picks[d]! > picks[best]!) best = d;
  }
  if (total < MIN_PICKS) return model.primary;
  const dominant = shape.kinds[best] === DimKind.Continuous && 2 * picks[best]! > total;
  picks.fill(0);
  return dominant ? best : model.primary;
}

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
): { readonly map: Int32Array | null; readonly slots: Int32Array } {
  const oldN = model.n, pos = model.arrays.pos;
  const kept = n - inserted.length;
  // `map` null: every component keeps its slot
  if (model.primary < 0) {
    return { map: listAppend ? null : listMap, slots: Int32Array.from(inserted) };
  }
  const slots = i32(inserted.length);
  model.unsorted += slots.length;
  if (kept === oldN) {
    // nothing removed: the kept components stay, the new ones are appended
    for (let q = 0; q < slots.length; q++) slots[q] = oldN + q;
    return { map: null, slots };
  }
  const map = i32(oldN);
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
function update(
  model: Model,
  shape: SpaceShape,
  listMap: Int32Array,
  inserted: ReadonlyArray<number>,
  rows: ReadonlyArray<{ readonly row: Float64Array }>,
  n: number,
): void {
  const oldN = model.n;
  if (model.arrays.cap < n) model.arrays = allocArrays(capacityFor(n), shape, model.arrays, oldN);
  const g = model.arrays;
  const D = shape.kinds.length;
  // the list only grew at its end: the kept observations keep their list positions
  const listAppend = n === oldN + inserted.length &&
    (oldN === 0 || listMap[oldN - 1] === oldN - 1);
  const { map, slots } = slotPlan(model, listMap, inserted, n, listAppend);
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

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The estimator of the observations `rows` of the trials `list` (in trial-number order), with
 * its evaluation data prepared. Equal to `buildEstimator` on the same observations; when the
 * previous call for the same `cacheKey` saw mostly the same trials (by identity), the previous
 * model is updated in O(changes) plus block moves instead of refitted.
 */
export function aboveEstimator(
  cacheKey: string,
  list: ReadonlyArray<FrozenTrial>,
  rows: ReadonlyArray<{ readonly row: Float64Array }>,
  names: ReadonlyArray<string>,
  space: SearchSpace,
  rawWeights: Float64Array,
  params: FitParams,
): ParzenEstimator {
  const n = list.length;
  const shape = shapeOf(names, space);
  const rules = shape.domains.map((dom) => dom && bandwidthRule(dom, n, params));
  let model = models.get(cacheKey);
  let done = false;
  if (model && sameRules(model.rules, rules)) {
    // map old positions to new ones by walking both lists in trial-number order, from where
    // the lists' known lineage (no reading of trials) leaves off
    const old = model.list;
    const map = i32(old.length).fill(-1);
    const inserted: number[] = [];
    let i = 0, j = 0;
    const lineage = lineageOf(list, old);
    if (lineage) {
      map.set(lineage.map.subarray(0, lineage.prevCovered));
      inserted.push(...lineage.inserted);
      i = lineage.prevCovered;
      j = lineage.newCovered;
    }
    while (i < old.length && j < n) {
      const a = old[i]!, b = list[j]!;
      if (a === b) map[i++] = j++;
      else if (a.number < b.number) i++;
      else if (a.number > b.number) inserted.push(j++);
      else {
        i++;
        inserted.push(j++);
      }
    }
    while (j < n) inserted.push(j++);
    if (inserted.length <= MAX_INSERTED) {
      update(model, shape, map, inserted, rows, n);
      done = true;
    }
  }
  if (!model) {
    model = {
      list,
      n,
      rules,
      arrays: allocArrays(capacityFor(n), shape),
      pairIds: [],
      nPairs: [],
      primary: -1,
      firstPicks: new Int32Array(shape.kinds.length),
      unsorted: 0,
      ubMax: new Float64Array(shape.kinds.length),
      ubAtMax: new Int32Array(shape.kinds.length),
      ubStale: new Uint8Array(shape.kinds.length).fill(1),
    };
  }
  model.rules = rules;
  if (!done) fresh(model, shape, rows, n);
  model.list = list;
  model.n = n;
  const primary = choosePrimary(model, shape, n);
  if (primary !== model.primary || model.unsorted > n * MAX_UNSORTED) {
    resort(model, shape, n, primary);
  }
  remember(models, cacheKey, model, MODEL_CACHE_SIZE);
  return estimatorOf(model, shape, names, rawWeights, params, n);
}

function estimatorOf(
  model: Model,
  shape: SpaceShape,
  names: ReadonlyArray<string>,
  rawWeights: Float64Array,
  params: FitParams,
  n: number,
): ParzenEstimator {
  const K = n + 1;
  const g = model.arrays;
  const sorted = model.primary >= 0;
  // in storage order, like every per-component array
  const logW = f64(K);
  const weights = normalisedWeights(rawWeights, n, params.priorWeight, {
    order: sorted ? g.pos : undefined,
    logs: logW,
  });
  const dims: PreparedDim[] = shape.kinds.map((kind, d) => {
    const a = g.dims[d]!;
    const dist = shape.dists[d]!;
    if (dist._tag === "CategoricalDistribution") {
      const k: CategoricalKernels = {
        _tag: "CategoricalKernels",
        nChoices: dist.choices.length,
        observed: a.observed.subarray(0, n),
        ...categoricalRow(n, dist.choices.length, params.priorWeight),
      };
      return prepareCategorical(k);
    }
    const dom = shape.domains[d]!;
    const k = numericalRecord(dist, dom, a.mus.subarray(0, K), a.sigmas.subarray(0, K));
    return {
      kind,
      logNorm: a.logNorm.subarray(0, K),
      invSigma: a.invSigma.subarray(0, K),
      logSigma: a.logSigma.subarray(0, K),
      ub: a.ub.subarray(0, K),
      kernels: k,
      logHit: 0,
      logMiss: 0,
      logPrior: 0,
      uid: kind === DimKind.Discrete ? a.uid.subarray(0, K) : a.uid,
      nUniq: model.nPairs[d]!,
      sorted: a.order.subarray(0, n),
    };
  });
  const pe: ParzenEstimator = { names, weights, kernels: dims.map((x) => x.kernels) };
  setPrepared(
    pe,
    withBounds({
      K,
      logW,
      dims,
      order: shape.order,
      canon: sorted ? g.slot.subarray(0, K) : undefined,
      firstPicks: model.firstPicks,
    }, maxUbOf(model, shape, n)),
  );
  return pe;
}
