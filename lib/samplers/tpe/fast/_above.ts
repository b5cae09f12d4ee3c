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
import type { FrozenTrial } from "../../../core/trial.ts";
import type { SearchSpace } from "../../../core/search_space.ts";
import { remember } from "../../_recent.ts";
import { argsortStable } from "../../../math/numpy.ts";
import {
  bandwidthAt,
  bandwidthRule,
  type CategoricalKernels,
  categoricalRow,
  type FitParams,
  normalisedWeights,
  numericalRecord,
  type ParzenEstimator,
} from "../_kernels.ts";
import type { Alloc } from "../../../math/alloc.ts";
import type { Evaluation } from "./_cells.ts";
import { setPrepared } from "./_evaluate.ts";
import { DimKind, prepareCategorical, type PreparedDim, withBounds } from "./_prepared.ts";
import { lineageOf, type TrialLists } from "./_trial_lists.ts";
import {
  allocArrays,
  capacityFor,
  centreOf,
  choosePrimary,
  MAX_UNSORTED,
  maxUbOf,
  type Model,
  refresh,
  resort,
  sameRules,
  shapeOf,
  type SpaceShape,
  writePrior,
} from "./_above_model.ts";
import { update } from "./_above_update.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The incremental models of a sampler's workspace, by cache key (memos only). */
export interface AboveModels {
  /** What is known about recent lists of trials (shared with the other memos). */
  readonly lists: TrialLists;
  /** The most recently used models (at most {@link MODEL_CACHE_SIZE}). */
  readonly models: Map<string, Model>;
}

/** A fresh cache sharing `lists`. */
export function createAboveModels(lists: TrialLists): AboveModels {
  return { lists, models: new Map() };
}

const MODEL_CACHE_SIZE = 32;

/** Above this many new observations, a fresh fit is cheaper than inserting them one by one. */
const MAX_INSERTED = 16;

/** Forgets the incremental models (they are memos: results never depend on them). */
export function clearModelCache(cache: AboveModels): void {
  cache.models.clear();
}

/** A fresh fit of the whole model. */
function fresh(
  model: Model,
  shape: SpaceShape,
  rows: ReadonlyArray<{ readonly row: Float64Array }>,
  n: number,
  alloc: Alloc,
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
    argsortStable(a.mus, n, a.order, alloc);
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
  if (primary >= 0) resort(model, shape, n, primary, alloc);
}

/**
 * The estimator of the observations `rows` of the trials `list` (in trial-number order), with
 * its evaluation data prepared. Equal to `buildEstimator` on the same observations; when the
 * previous call for the same `cacheKey` saw mostly the same trials (by identity), the previous
 * model is updated in O(changes) plus block moves instead of refitted.
 */
export function aboveEstimator(
  ev: Evaluation,
  cache: AboveModels,
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
  const alloc = ev.alloc;
  let model = cache.models.get(cacheKey);
  let done = false;
  if (model && sameRules(model.rules, rules)) {
    // map old positions to new ones by walking both lists in trial-number order, from where
    // the lists' known lineage (no reading of trials) leaves off
    const old = model.list;
    const map = alloc.i32(old.length).fill(-1);
    const inserted: number[] = [];
    let i = 0, j = 0;
    const lineage = lineageOf(cache.lists, list, old);
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
      update(model, shape, map, inserted, rows, n, alloc);
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
  if (!done) fresh(model, shape, rows, n, alloc);
  model.list = list;
  model.n = n;
  const primary = choosePrimary(model, shape, n);
  if (primary !== model.primary || model.unsorted > n * MAX_UNSORTED) {
    resort(model, shape, n, primary, alloc);
  }
  remember(cache.models, cacheKey, model, MODEL_CACHE_SIZE);
  return estimatorOf(ev, model, shape, names, rawWeights, params, n);
}

function estimatorOf(
  ev: Evaluation,
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
  const logW = ev.alloc.f64(K);
  const weights = normalisedWeights(rawWeights, n, params.priorWeight, {
    order: sorted ? g.pos : undefined,
    logs: logW,
    alloc: ev.alloc,
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
    ev,
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
