/**
 * The intersection search space of a growing history, memoised per finished trial (private), in
 * an {@link IntersectionMemo} record owned by the sampler's workspace.
 *
 * @module
 */
import { type Distribution, distributionEquals } from "../../../core/distributions.ts";
import type { SearchSpace } from "../../../core/search_space.ts";
import type { FrozenTrial } from "../../../core/trial.ts";
import { sharedPrefix, type TrialLists } from "./_trial_lists.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A partial intersection: the distributions common to the trials folded so far. */
type Partial = Map<string, Distribution>;

/** The memos of {@link intersectionSpace} (speed only: results never depend on them). */
export interface IntersectionMemo {
  /** What is known about recent lists of trials (shared with the other memos). */
  readonly lists: TrialLists;
  /** The partial intersection before the first trial (a key of `folds`, never filled). */
  readonly initial: Partial;
  /** Per finished trial: the partial intersection it was folded into, and the result. */
  readonly folds: WeakMap<FrozenTrial, { input: Partial; output: Partial }>;
  /** The search-space record of each partial intersection returned. */
  readonly records: WeakMap<Partial, SearchSpace>;
  /** The previous call's list, its finished prefix and the intersection over that prefix. */
  last:
    | { list: ReadonlyArray<FrozenTrial>; prefixEnd: number; state: Partial | undefined }
    | undefined;
}

/** A fresh memo sharing `lists`. */
export function createIntersectionMemo(lists: TrialLists): IntersectionMemo {
  return {
    lists,
    initial: new Map(),
    folds: new WeakMap(),
    records: new WeakMap(),
    last: undefined,
  };
}

// -------------------------------------------------------------------------------------
// search spaces
// -------------------------------------------------------------------------------------

function isFinal(state: FrozenTrial["state"]): boolean {
  return state === "COMPLETE" || state === "PRUNED" || state === "FAIL";
}

/**
 * The intersection search space over COMPLETE and PRUNED trials (as Optuna's
 * `IntersectionSearchSpace(include_pruned=True)`), sorted by name. Memoised per finished trial,
 * so repeated calls over a growing history cost one lookup per trial.
 */
export function intersectionSpace(
  mem: IntersectionMemo,
  trials: ReadonlyArray<FrozenTrial>,
): SearchSpace {
  let s: Map<string, Distribution> | undefined;
  // resume from the previous call when it saw the same finished prefix (pointer compares)
  let start = 0;
  const last = mem.last;
  if (last && last.prefixEnd <= trials.length) {
    if (sharedPrefix(mem.lists, trials, last.list) >= last.prefixEnd) {
      start = last.prefixEnd;
      s = last.state;
    }
  }
  let prefixEnd = start;
  while (prefixEnd < trials.length && isFinal(trials[prefixEnd]!.state)) prefixEnd++;
  for (let i = start; i < trials.length; i++) {
    const t = trials[i]!;
    // remember the finished prefix
    if (i === prefixEnd) mem.last = { list: trials, prefixEnd, state: s };
    if (t.state !== "COMPLETE" && t.state !== "PRUNED") continue;
    const input = s ?? mem.initial;
    const c = mem.folds.get(t);
    if (c && c.input === input) {
      s = c.output;
      continue;
    }
    let out: Map<string, Distribution>;
    if (s === undefined) {
      out = new Map(Object.entries(t.distributions));
    } else {
      let same = true;
      for (const [name, d] of s) {
        const other = t.distributions[name];
        if (other === undefined || !distributionEquals(d, other)) {
          same = false;
          break;
        }
      }
      if (same) out = s;
      else {
        out = new Map();
        for (const [name, d] of s) {
          const other = t.distributions[name];
          if (other !== undefined && distributionEquals(d, other)) out.set(name, d);
        }
      }
    }
    mem.folds.set(t, { input, output: out });
    s = out;
  }
  if (prefixEnd === trials.length && prefixEnd > start) {
    mem.last = { list: trials, prefixEnd, state: s };
  }
  if (s === undefined) return {};
  const cached = mem.records.get(s);
  if (cached) return cached;
  const rec: Record<string, Distribution> = {};
  for (const name of [...s.keys()].sort()) rec[name] = s.get(name)!;
  mem.records.set(s, rec);
  return rec;
}
