/**
 * The trial cache of the SQL storages (Optuna's `_CachedStorage`): finished trials never
 * change, so a read folds only the trials that are new or were unfinished into what the cache
 * knew; each reader gets its own copy of the list (never frozen: V8 reads a frozen array more
 * slowly, and samplers read the whole history every trial). Also the order of
 * trials and the record of a trial created without a template. Private to the library.
 *
 * @module
 */
import { type FrozenTrial, isFinished } from "../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a storage knows of a study's trials between reads: finished trials never change, so
 * only new trials and the ones last seen unfinished are read again. The lists are never changed
 * in place: a change builds new ones, and readers get copies of `all`.
 */
export interface TrialCache {
  /** The largest trial id seen so far. */
  readonly maxSeenId: number;
  /** Every finished trial, by number. */
  readonly finished: ReadonlyArray<FrozenTrial>;
  /** The trials last seen unfinished, by number. */
  readonly unfinished: ReadonlyArray<FrozenTrial>;
  /** Every trial of the study, by number. */
  readonly all: ReadonlyArray<FrozenTrial>;
}

/** A study's trials after a read of the ones that changed; see {@link foldChanged}. */
export interface FoldedTrials extends TrialCache {
  /** The trials of `changed` that are finished, by number. */
  readonly newlyFinished: ReadonlyArray<FrozenTrial>;
}

/** The cache of a study nothing was read of yet. */
export const EMPTY_TRIAL_CACHE: TrialCache = Object.freeze({
  maxSeenId: -1,
  finished: Object.freeze([]),
  unfinished: Object.freeze([]),
  all: Object.freeze([]),
});

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A trial as created without a template: RUNNING since `datetimeStart`, nothing stored. */
export function runningTrial(
  number: number,
  trialId: number,
  datetimeStart: number | null,
): FrozenTrial {
  return {
    number,
    trialId,
    state: "RUNNING",
    values: null,
    params: {},
    distributions: {},
    intermediateValues: {},
    userAttrs: {},
    systemAttrs: {},
    datetimeStart,
    datetimeComplete: null,
  };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** Orders trials by number, then by id. */
export function byNumber(a: FrozenTrial, b: FrozenTrial): number {
  return a.number - b.number || a.trialId - b.trialId;
}

/** Merges two lists sorted by `order` into a new one (on ties, `a`'s item first). */
export function mergeSorted<T>(
  a: ReadonlyArray<T>,
  b: ReadonlyArray<T>,
  order: (x: T, y: T) => number,
): T[] {
  const out: T[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i], y = b[j];
    if (y === undefined || (x !== undefined && order(x, y) <= 0)) {
      out.push(x as T);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/**
 * Folds the trials read because they are new or were unfinished (`changed`) into what a
 * study's cache knew. `finished` is returned as it is when nothing finished since, and `all` as
 * it is when nothing changed at all (the same trial records as last time).
 */
export function foldChanged(
  cache: TrialCache,
  changed: ReadonlyArray<FrozenTrial>,
): FoldedTrials {
  const newlyFinished = changed.filter((t) => isFinished(t.state)).sort(byNumber);
  const unfinished = changed.filter((t) => !isFinished(t.state)).sort(byNumber);
  let finished = cache.finished;
  if (newlyFinished.length > 0) {
    const last = finished[finished.length - 1];
    const merged = [...finished, ...newlyFinished];
    if (last !== undefined && (newlyFinished[0] as FrozenTrial).number < last.number) {
      merged.sort(byNumber);
    }
    finished = merged;
  }
  let maxSeenId = cache.maxSeenId;
  for (const t of changed) maxSeenId = Math.max(maxSeenId, t.trialId);
  const same = finished === cache.finished && sameTrials(unfinished, cache.unfinished);
  const all = same
    ? cache.all
    : unfinished.length === 0
    ? finished
    : mergeSorted(finished, unfinished, byNumber);
  return { finished, newlyFinished, unfinished, maxSeenId, all };
}

/** True when both lists hold the same trial records in the same order. */
function sameTrials(a: ReadonlyArray<FrozenTrial>, b: ReadonlyArray<FrozenTrial>): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
