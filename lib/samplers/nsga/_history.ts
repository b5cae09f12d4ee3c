/**
 * What the genetic samplers read from the whole history on every trial, kept up to date
 * incrementally: the intersection search space of the COMPLETE trials and how many COMPLETE
 * trials each generation has. The memo covers the longest prefix of finished trials (which
 * never change); each call scans only the trials after it. A history that does not extend the
 * memo's prefix (another study, a pruner's bracket) starts it over. Private to
 * `lib/samplers/nsga/`.
 *
 * @module
 */
import { type Distribution, distributionEquals } from "../../core/distributions.ts";
import type { FrozenTrial } from "../../core/trial.ts";

/** The memo of a prefix of finished trials. */
export interface HistoryMemo {
  /** Length of the prefix. */
  n: number;
  /** Trial id of its last trial (-1 when empty). */
  lastId: number;
  /** Intersection of its COMPLETE trials' distributions (`undefined`: none yet). */
  space: Map<string, Distribution> | undefined;
  /** Changes whenever `space` changes (never repeats, also across restarts). */
  version: number;
  /** Its COMPLETE trials per generation (-1: no generation recorded). */
  readonly generations: Map<number, number>;
}

/** An empty {@link HistoryMemo}. */
export function newHistoryMemo(): HistoryMemo {
  return { n: 0, lastId: -1, space: undefined, version: 0, generations: new Map() };
}

/** The recorded generation of a trial under `key`, or -1. */
export function generationAt(t: FrozenTrial, key: string): number {
  const g = t.systemAttrs[key];
  return typeof g === "number" ? g : -1;
}

/**
 * Narrows `space` to the distributions `t` shares with it (the first trial defines it); `onChange`
 * is called when it changes.
 */
function intersect(
  space: Map<string, Distribution> | undefined,
  t: FrozenTrial,
  onChange?: () => void,
): Map<string, Distribution> {
  if (space === undefined) {
    onChange?.();
    return new Map(Object.entries(t.distributions));
  }
  for (const [name, d] of space) {
    const other = t.distributions[name];
    if (other === undefined || !distributionEquals(d, other)) {
      space.delete(name);
      onChange?.();
    }
  }
  return space;
}

/** Extends the memo over the finished trials after its prefix; returns the rest. */
export function scanHistory(
  memo: HistoryMemo,
  trials: ReadonlyArray<FrozenTrial>,
  generationKey: string,
): ReadonlyArray<FrozenTrial> {
  if (memo.n > 0 && (trials.length < memo.n || trials[memo.n - 1]!.trialId !== memo.lastId)) {
    Object.assign(memo, newHistoryMemo(), {
      generations: memo.generations,
      version: memo.version + 1,
    });
    memo.generations.clear();
  }
  const changed = () => memo.version++;
  while (memo.n < trials.length) {
    const t = trials[memo.n]!;
    if (t.state === "RUNNING" || t.state === "WAITING") break;
    if (t.state === "COMPLETE") {
      memo.space = intersect(memo.space, t, changed);
      const g = generationAt(t, generationKey);
      memo.generations.set(g, (memo.generations.get(g) ?? 0) + 1);
    }
    memo.lastId = t.trialId;
    memo.n++;
  }
  return memo.n === trials.length ? EMPTY : trials.slice(memo.n);
}

const EMPTY: ReadonlyArray<FrozenTrial> = Object.freeze([]);

/** True when `tail` holds a COMPLETE trial. */
export function hasComplete(tail: ReadonlyArray<FrozenTrial>): boolean {
  for (const t of tail) if (t.state === "COMPLETE") return true;
  return false;
}

/** The intersection search space of every COMPLETE trial (name order), from the memo. */
export function intersectionOf(
  memo: HistoryMemo,
  tail: ReadonlyArray<FrozenTrial>,
): Map<string, Distribution> | undefined {
  let space = memo.space === undefined ? undefined : new Map(memo.space);
  for (const t of tail) if (t.state === "COMPLETE") space = intersect(space, t);
  return space;
}

/** COMPLETE trials per generation, from the memo and the tail. */
export function generationCounts(
  memo: HistoryMemo,
  tail: ReadonlyArray<FrozenTrial>,
  generationKey: string,
): Map<number, number> {
  const counts = new Map(memo.generations);
  for (const t of tail) {
    if (t.state !== "COMPLETE") continue;
    const g = generationAt(t, generationKey);
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return counts;
}
