/**
 * What the SQLite and PostgreSQL storages share beyond the schema and its codec: the pause
 * before a retry, the argument checks they make before touching the database, the order of
 * trials, and folding the trials that changed since the last read into a study's cache of
 * finished trials. Private to the library.
 *
 * @module
 */
import { type HyperionError, invalidArgument } from "../errors.ts";
import { type FrozenTrial, isFinished } from "../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A study's trials after a read of the ones that changed; see {@link foldChanged}. */
export interface FoldedTrials {
  /** Every finished trial, by number: the cached ones, then the newly finished. */
  readonly finished: ReadonlyArray<FrozenTrial>;
  /** The trials of `changed` that are finished, by number. */
  readonly newlyFinished: ReadonlyArray<FrozenTrial>;
  /** The trials of `changed` that are not finished, by number. */
  readonly unfinished: ReadonlyArray<FrozenTrial>;
  /** The largest trial id seen so far. */
  readonly maxSeenId: number;
  /** Every trial of the study, by number (a new array). */
  readonly all: FrozenTrial[];
}

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
 * study's cache knew (`finished` by number, the largest id seen). `finished` is returned as it
 * is when nothing finished since.
 */
export function foldChanged(
  cache: { readonly finished: ReadonlyArray<FrozenTrial>; readonly maxSeenId: number },
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
  const all = unfinished.length === 0 ? finished.slice() : mergeSorted(
    finished,
    unfinished,
    byNumber,
  );
  return { finished, newlyFinished, unfinished, maxSeenId, all };
}

/** Why a stale-trial grace period is invalid (not a number), if it is. */
export function invalidGracePeriod(gracePeriodMs: unknown): HyperionError | undefined {
  return typeof gracePeriodMs !== "number" || Number.isNaN(gracePeriodMs)
    ? invalidArgument({
      field: "gracePeriodMs",
      value: gracePeriodMs,
      expected: "a number of milliseconds",
    })
    : undefined;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A random pause before retry `attempt` (0-based), growing from `baseMs` up to 64 times it. */
export function backoffMs(attempt: number, baseMs: number): number {
  return Math.random() * baseMs * 2 ** Math.min(attempt, 6);
}
