/**
 * What is known about lists of trials without reading them (private). Samplers receive a new
 * list of the study's trials on every call, mostly the previous one plus a trial or two, and
 * memoise per trial by comparing lists: trials are immutable records, so the same objects mean
 * the same data. Comparing object identities reads every object, though (V8 checks their
 * maps): a cache miss per trial on large studies. So what a comparison proves is recorded
 * in a {@link TrialLists} record (owned by the sampler's workspace), and lists built from lists
 * with known prefixes record theirs by construction.
 *
 * @module
 */
import type { FrozenTrial } from "../../../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A list of trials. */
export type Trials = ReadonlyArray<FrozenTrial>;

/** A proven common prefix: `a` and `base` hold the same trial objects at `[0, length)`. */
export interface PrefixRelation {
  readonly a: Trials;
  readonly base: Trials;
  readonly length: number;
}

/**
 * What is known about recent lists of trials. Short rings, most recent last, not maps keyed by
 * list: relations would otherwise keep every earlier list (and its relations) alive.
 */
export interface TrialLists {
  /** Proven common prefixes. */
  readonly relations: PrefixRelation[];
  /** How recent selected lists derive from earlier ones. */
  readonly lineages: Array<{ readonly list: Trials; readonly lineage: Lineage }>;
}

/** Relations and lineages kept (the most recent ones). */
const KEEP = 16;

/** An empty record: nothing known yet. */
export function createTrialLists(): TrialLists {
  return { relations: [], lineages: [] };
}

// -------------------------------------------------------------------------------------
// prefixes
// -------------------------------------------------------------------------------------

/** Records that `a` and `base` hold the same trials at positions `[0, length)`. */
export function notePrefix(lists: TrialLists, a: Trials, base: Trials, length: number): void {
  const relations = lists.relations;
  relations.push({ a, base, length });
  if (relations.length > KEEP) relations.shift();
}

/** The common prefix of `a` and `b` if it is already known (−1 otherwise). */
export function knownPrefix(lists: TrialLists, a: Trials, b: Trials): number {
  if (a === b) return a.length;
  const relations = lists.relations;
  for (let i = relations.length - 1; i >= 0; i--) {
    const r = relations[i]!;
    if ((r.a === a && r.base === b) || (r.a === b && r.base === a)) return r.length;
  }
  return -1;
}

/** The length of the common prefix of two lists (same objects), recorded once compared. */
export function sharedPrefix(lists: TrialLists, a: Trials, b: Trials): number {
  const known = knownPrefix(lists, a, b);
  if (known >= 0) return known;
  const m = a.length < b.length ? a.length : b.length;
  let k = 0;
  while (k < m && a[k] === b[k]) k++;
  notePrefix(lists, a, b, k);
  return k;
}

/**
 * How a list selected from another relates to the previous selection: `map[i]` is the new
 * position of the previous list's entry i (−1: dropped) for `i < prevCovered`; `inserted` are
 * the new positions, below `newCovered`, of entries the previous list did not have. Entries
 * past the covered parts are not known.
 */
export interface Lineage {
  readonly prev: Trials;
  readonly map: Int32Array;
  readonly prevCovered: number;
  readonly newCovered: number;
  readonly inserted: ReadonlyArray<number>;
}

/** Records how `list` derives from `lineage.prev`. */
export function noteLineage(lists: TrialLists, list: Trials, lineage: Lineage): void {
  const lineages = lists.lineages;
  lineages.push({ list, lineage });
  if (lineages.length > KEEP) lineages.shift();
}

/** How `list` derives from `prev`, when recorded recently. */
export function lineageOf(lists: TrialLists, list: Trials, prev: Trials): Lineage | undefined {
  const lineages = lists.lineages;
  for (let i = lineages.length - 1; i >= 0; i--) {
    const l = lineages[i]!;
    if (l.list === list && l.lineage.prev === prev) return l.lineage;
  }
  return undefined;
}
