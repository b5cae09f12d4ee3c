/**
 * The intersection search space of a growing history, memoised per finished trial (private).
 *
 * @module
 */
import { type Distribution, distributionEquals } from "../../../core/distributions.ts";
import type { SearchSpace } from "../../../core/search_space.ts";
import type { FrozenTrial } from "../../../core/trial.ts";
import { sharedPrefix } from "./_trial_lists.ts";

// -------------------------------------------------------------------------------------
// search spaces
// -------------------------------------------------------------------------------------

const INITIAL = new Map<string, Distribution>();

const foldCache = new WeakMap<
  FrozenTrial,
  { input: Map<string, Distribution>; output: Map<string, Distribution> }
>();

const recordCache = new WeakMap<Map<string, Distribution>, SearchSpace>();

let lastIntersection:
  | {
    list: ReadonlyArray<FrozenTrial>;
    prefixEnd: number;
    state: Map<string, Distribution> | undefined;
  }
  | undefined;

function isFinal(state: FrozenTrial["state"]): boolean {
  return state === "COMPLETE" || state === "PRUNED" || state === "FAIL";
}

/**
 * The intersection search space over COMPLETE and PRUNED trials (as Optuna's
 * `IntersectionSearchSpace(include_pruned=True)`), sorted by name. Memoised per finished trial,
 * so repeated calls over a growing history cost one lookup per trial.
 */
export function intersectionSpace(trials: ReadonlyArray<FrozenTrial>): SearchSpace {
  let s: Map<string, Distribution> | undefined;
  // resume from the previous call when it saw the same finished prefix (pointer compares)
  let start = 0;
  const last = lastIntersection;
  if (last && last.prefixEnd <= trials.length) {
    if (sharedPrefix(trials, last.list) >= last.prefixEnd) {
      start = last.prefixEnd;
      s = last.state;
    }
  }
  let prefixEnd = start;
  while (prefixEnd < trials.length && isFinal(trials[prefixEnd]!.state)) prefixEnd++;
  for (let i = start; i < trials.length; i++) {
    const t = trials[i]!;
    // remember the finished prefix
    if (i === prefixEnd) lastIntersection = { list: trials, prefixEnd, state: s };
    if (t.state !== "COMPLETE" && t.state !== "PRUNED") continue;
    const input = s ?? INITIAL;
    const c = foldCache.get(t);
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
    foldCache.set(t, { input, output: out });
    s = out;
  }
  if (prefixEnd === trials.length && prefixEnd > start) {
    lastIntersection = { list: trials, prefixEnd, state: s };
  }
  if (s === undefined) return {};
  const cached = recordCache.get(s);
  if (cached) return cached;
  const rec: Record<string, Distribution> = {};
  for (const name of [...s.keys()].sort()) rec[name] = s.get(name)!;
  recordCache.set(s, rec);
  return rec;
}
