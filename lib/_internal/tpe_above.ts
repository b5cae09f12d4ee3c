/**
 * The bad-side ("above") estimator of TPE, maintained incrementally (private). Between two
 * trials of a study the bad set changes by a few observations, so its sorted orders,
 * bandwidths, kernel constants and pruning bounds are carried over, moved in blocks to their
 * new positions, and recomputed only where an observation or one of its sorted neighbours
 * changed. Every value equals the one a fresh fit computes (same formulas, same operands), so
 * results never depend on what was cached.
 *
 * @module
 */
import type { Distribution } from "../core/distributions.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { SearchSpace } from "../core/search_space.ts";
import type { CategoricalKernels, ParzenEstimator } from "../samplers/parzen_estimator.ts";
import { argsortStable, f64, i32 } from "./tpe_math.ts";
import { lineageOf } from "./trial_lists.ts";
import { remember } from "./recent.ts";
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
}

/** The static description of a space's dimensions. */
interface SpaceShape {
  readonly kinds: ReadonlyArray<DimKind>;
  readonly domains: ReadonlyArray<TransformedDomain | undefined>;
  readonly dists: ReadonlyArray<Distribution>;
  readonly order: Int32Array;
}

const models = new Map<string, Model>();
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
}

/** `a` sorts before `b` (values, then indices; NaN last). */
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

/** The sorted position of component i (present in `order[0, n)`). */
function rankOf(key: Float64Array, order: Uint32Array, n: number, i: number): number {
  let lo = 0, hi = n;
  const v = key[i]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(key[order[mid]!]!, order[mid]!, v, i)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Updates the model in place for the new list: kept observations move in blocks (`runs` of old
 * start, old end, new start), `inserted` ones (new positions) are written, and bandwidths and
 * constants are recomputed where a sorted neighbour changed.
 */
function update(
  model: Model,
  shape: SpaceShape,
  map: Int32Array,
  runs: ReadonlyArray<number>,
  inserted: ReadonlyArray<number>,
  rows: ReadonlyArray<{ readonly row: Float64Array }>,
  n: number,
): void {
  const oldN = model.n;
  if (model.arrays.cap < n) model.arrays = allocArrays(capacityFor(n), shape, model.arrays, oldN);
  const g = model.arrays;
  const D = shape.kinds.length;
  // appended at the end with nothing removed: positions are kept
  const appendOnly = oldN === 0 ||
    (runs.length === 3 && runs[0] === 0 && runs[1] === oldN && runs[2] === 0);
  for (let d = 0; d < D; d++) {
    const t = g.dims[d]!;
    const kind = shape.kinds[d]!;
    if (!appendOnly) { for (const a of componentArrays(t, kind)) moveRuns(a, runs); }
    if (kind === DimKind.Categorical) {
      for (const k of inserted) t.observed[k] = Math.trunc(rows[k]!.row[d]!);
      continue;
    }
    const key = t.mus;
    for (const k of inserted) {
      key[k] = centreOf(shape, d, rows[k]!.row[d]!);
      t.sigmas[k] = NaN;
    }
    // the kept order, renumbered, with the removed observations dropped (their sorted
    // neighbours noted), then each inserted one placed by binary search
    const ord = t.order;
    const neighbours: number[] = [];
    let m = oldN;
    if (!appendOnly) {
      let w = 0, last = -1, gap = false;
      for (let r = 0; r < oldN; r++) {
        const k = map[ord[r]!]!;
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
    for (const k of inserted) {
      const j = rankOf(key, ord, m, k);
      ord.copyWithin(j + 1, j, m);
      ord[j] = k;
      m++;
    }
    // sorted positions whose neighbours changed
    const changed: number[] = [];
    for (const k of neighbours) changed.push(rankOf(key, ord, n, k));
    for (const k of inserted) {
      const j = rankOf(key, ord, n, k);
      if (j > 0) changed.push(j - 1);
      changed.push(j);
      if (j + 1 < n) changed.push(j + 1);
    }
    const dom = shape.domains[d]!, rule = model.rules[d]!;
    for (const j of changed) {
      const i = ord[j]!;
      const sg = bandwidthAt(key, ord, j, n, dom, rule);
      if (sg === t.sigmas[i]) continue;
      t.sigmas[i] = sg;
      refresh(model, shape, t, d, i);
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
      const runs: number[] = [];
      for (let r = 0; r < old.length;) {
        const k = map[r]!;
        if (k < 0) {
          r++;
          continue;
        }
        let e = r + 1;
        while (e < old.length && map[e] === k + (e - r)) e++;
        runs.push(r, e, k);
        r = e;
      }
      update(model, shape, map, runs, inserted, rows, n);
      done = true;
    }
  }
  if (!model) {
    model = { list, n, rules, arrays: allocArrays(capacityFor(n), shape), pairIds: [], nPairs: [] };
  }
  model.rules = rules;
  if (!done) fresh(model, shape, rows, n);
  model.list = list;
  model.n = n;
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
  const weights = normalisedWeights(rawWeights, n, params.priorWeight);
  const logW = f64(K);
  for (let i = 0; i < K; i++) logW[i] = Math.log(weights[i]!);
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
  setPrepared(pe, withBounds({ K, logW, dims, order: shape.order }));
  return pe;
}
