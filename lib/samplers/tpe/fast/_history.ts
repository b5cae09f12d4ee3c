/**
 * What TPE reads of the trial history, memoised (private): the state of every trial, the trials
 * used, and per finished trial its first value and constraint violation (finished trials never
 * change). Lists that share a prefix with a recently seen one are read only past it. The memos
 * live in a {@link HistoryMemo} record owned by the sampler's workspace.
 *
 * @module
 */
import type { FrozenTrial } from "../../../core/trial.ts";
import { classOf, infeasibility, TrialClass, type TrialClasses } from "../split.ts";
import type { RowEntry } from "../observations.ts";
import { knownPrefix, notePrefix, sharedPrefix, type TrialLists } from "./_trial_lists.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The memos of the history scans (speed only: results never depend on them). */
export interface HistoryMemo {
  /** What is known about recent lists of trials (shared with the other memos). */
  readonly lists: TrialLists;
  /** The last lists scanned (the study's trials and the used ones share long prefixes). */
  readonly scans: StateScan[];
  /** The previous {@link usedTrials} call: its input and output lists. */
  lastUsed: LastUsed | undefined;
  /** Per finished trial, what TPE reads of it (finished trials never change). */
  readonly trialInfo: WeakMap<FrozenTrial, TrialInfo>;
  /** The previous {@link historyOf} call: its list and result. */
  last: { list: ReadonlyArray<FrozenTrial>; history: History } | undefined;
}

/** A fresh memo sharing `lists`. */
export function createHistoryMemo(lists: TrialLists): HistoryMemo {
  return { lists, scans: [], lastUsed: undefined, trialInfo: new WeakMap(), last: undefined };
}

// -------------------------------------------------------------------------------------
// trial states
// -------------------------------------------------------------------------------------

/** A trial state as a small integer, for the typed arrays of {@link stateCodes}. */
const StateCode = { Running: 0, Complete: 1, Pruned: 2, Fail: 3, Waiting: 4 } as const;

const STATE_CODES: Readonly<Record<FrozenTrial["state"], number>> = {
  RUNNING: StateCode.Running,
  COMPLETE: StateCode.Complete,
  PRUNED: StateCode.Pruned,
  FAIL: StateCode.Fail,
  WAITING: StateCode.Waiting,
};

/** A scanned list and its state codes. */
export interface StateScan {
  list: ReadonlyArray<FrozenTrial>;
  codes: Uint8Array;
}

const SCAN_SLOTS = 3;

/**
 * The state codes of a list of trials ({@link STATE_CODES}), aligned with it. Trials are
 * immutable records: the prefix shared with a recently scanned list (same objects, compared by
 * pointer) is reused without reading its trials. Valid until the next call.
 */
export function stateCodes(mem: HistoryMemo, trials: ReadonlyArray<FrozenTrial>): Uint8Array {
  const n = trials.length;
  const scans = mem.scans;
  // the slot whose common prefix with `trials` is known and longest; otherwise a fresh slot
  // (or the least recently used one), read in full: comparing would read every trial as well
  let scan: StateScan | undefined, start = -1;
  for (const s of scans) {
    const k = knownPrefix(mem.lists, trials, s.list);
    if (k > start) {
      scan = s;
      start = k;
    }
  }
  if (!scan) {
    start = 0;
    if (scans.length < SCAN_SLOTS) scans.push(scan = { list: trials, codes: new Uint8Array(0) });
    else scan = scans[0]!;
  }
  // most recently used last
  scans.splice(scans.indexOf(scan), 1);
  scans.push(scan);
  if (scan.codes.length < n) {
    const grown = new Uint8Array(Math.ceil(n * 1.5) + 16);
    grown.set(scan.codes.subarray(0, start));
    scan.codes = grown;
  }
  const codes = scan.codes;
  for (let i = start; i < n; i++) codes[i] = STATE_CODES[trials[i]!.state];
  scan.list = trials;
  return codes;
}

/** The trials TPE learns from: COMPLETE and PRUNED, plus other RUNNING ones with a liar. */
export function usedTrials(
  mem: HistoryMemo,
  trials: ReadonlyArray<FrozenTrial>,
  current: number,
  constantLiar: boolean,
): ReadonlyArray<FrozenTrial> {
  const codes = stateCodes(mem, trials);
  const prev = mem.lastUsed;
  if (prev && sameSelection(mem, prev, trials, codes, current, constantLiar)) {
    // the same trials are used (the calls of one trial, one per parameter): the same list
    mem.lastUsed = { from: trials, used: prev.used, constantLiar, current };
    return prev.used;
  }
  const out: FrozenTrial[] = [];
  // positions below `stable` were decided as in the previous call (same objects, same states,
  // and no RUNNING trial, whose inclusion depends on `current`)
  let stable = -1, proven = 0;
  if (prev && prev.constantLiar === constantLiar) {
    stable = sharedPrefix(mem.lists, trials, prev.from);
  }
  for (let i = 0; i < trials.length; i++) {
    const c = codes[i]!;
    if (i === stable) proven = out.length;
    if (c === StateCode.Running && i < stable) {
      proven = out.length;
      stable = i;
    }
    if (c === StateCode.Complete || c === StateCode.Pruned) out.push(trials[i]!);
    else if (constantLiar && c === StateCode.Running && trials[i]!.number !== current) {
      out.push(trials[i]!);
    }
  }
  if (stable >= trials.length) proven = out.length;
  if (prev && stable >= 0) notePrefix(mem.lists, out, prev.used, proven);
  mem.lastUsed = { from: trials, used: out, constantLiar, current };
  return out;
}

/** Whether a trial of state `code` is used (see {@link usedTrials}). */
function isUsed(code: number, t: FrozenTrial, current: number, constantLiar: boolean): boolean {
  return code === StateCode.Complete || code === StateCode.Pruned ||
    (constantLiar && code === StateCode.Running && t.number !== current);
}

/**
 * Whether `trials` selects exactly the trials of the previous call: the same objects where both
 * lists hold a used trial, and unused trials elsewhere (the trial being sampled, replaced by a
 * newer record of itself between the calls for its parameters).
 */
function sameSelection(
  mem: HistoryMemo,
  prev: LastUsed,
  trials: ReadonlyArray<FrozenTrial>,
  codes: Uint8Array,
  current: number,
  constantLiar: boolean,
): boolean {
  const n = trials.length, was = prev.from;
  if (prev.constantLiar !== constantLiar || prev.current !== current || was.length !== n) {
    return false;
  }
  for (let i = sharedPrefix(mem.lists, trials, was); i < n; i++) {
    const a = trials[i]!, b = was[i]!;
    if (a === b) continue;
    if (isUsed(codes[i]!, a, current, constantLiar)) return false;
    if (isUsed(STATE_CODES[b.state], b, current, constantLiar)) return false;
  }
  return true;
}

/** A {@link usedTrials} call: its input and output lists. */
export interface LastUsed {
  readonly from: ReadonlyArray<FrozenTrial>;
  readonly used: ReadonlyArray<FrozenTrial>;
  readonly constantLiar: boolean;
  /** The number of the trial being sampled. */
  readonly current: number;
}

/** Number of COMPLETE and PRUNED trials. */
export function countFinished(mem: HistoryMemo, trials: ReadonlyArray<FrozenTrial>): number {
  const codes = stateCodes(mem, trials);
  let n = 0;
  for (let i = 0; i < trials.length; i++) {
    if (codes[i] === StateCode.Complete || codes[i] === StateCode.Pruned) n++;
  }
  return n;
}

/** What is memoised per finished trial (finished trials never change). */
export interface TrialInfo {
  readonly state: FrozenTrial["state"];
  /** The first objective value (NaN when missing). */
  readonly value0: number;
  /** The objective values (`trial.values`). */
  readonly objectives: ReadonlyArray<number> | undefined;
  readonly infeasibility: number;
  /** The observation for the most recent search space, and for others. */
  keyId: number;
  entry: RowEntry | null;
  others: Map<number, RowEntry | null> | undefined;
}

/** The memo record of a finished trial (`undefined` for RUNNING and WAITING ones). */
export function infoOf(mem: HistoryMemo, t: FrozenTrial): TrialInfo | undefined {
  if (t.state === "RUNNING" || t.state === "WAITING") return undefined;
  let info = mem.trialInfo.get(t);
  if (!info) {
    info = {
      state: t.state,
      value0: t.values?.[0] ?? NaN,
      objectives: t.values ?? undefined,
      infeasibility: infeasibility(t),
      keyId: -1,
      entry: null,
      others: undefined,
    };
    mem.trialInfo.set(t, info);
  }
  return info;
}

/**
 * The memo records of a list of trials, aligned with it, and what the split reads from them in
 * typed arrays. Valid until the next call (the buffers are reused).
 */
export interface History extends TrialClasses {
  readonly infos: Array<TrialInfo | undefined>;
}

/**
 * The {@link History} of a list of trials; a prefix shared with the previous call's list (same
 * objects) is reused without lookups.
 */
export function historyOf(mem: HistoryMemo, trials: ReadonlyArray<FrozenTrial>): History {
  const n = trials.length;
  let start = 0;
  const last = mem.last;
  let h = last?.history;
  if (last) start = sharedPrefix(mem.lists, trials, last.list);
  if (!h || h.kinds.length < n) {
    const cap = Math.ceil(n * 1.5) + 16;
    const grown: History = {
      infos: h ? h.infos.slice(0, start) : [],
      kinds: new Uint8Array(cap),
      values: new Float64Array(cap),
      scores: new Float64Array(cap),
    };
    if (h) {
      grown.kinds.set(h.kinds.subarray(0, start));
      grown.values.set(h.values.subarray(0, start));
      grown.scores.set(h.scores.subarray(0, start));
    }
    h = grown;
  }
  h.infos.length = n;
  for (let i = start; i < n; i++) {
    const info = infoOf(mem, trials[i]!);
    h.infos[i] = info;
    if (!info) {
      h.kinds[i] = TrialClass.Unfinished;
      continue;
    }
    h.values[i] = info.value0;
    h.scores[i] = info.infeasibility;
    h.kinds[i] = classOf(info.state, info.infeasibility);
  }
  mem.last = { list: trials, history: h };
  return h;
}

/** {@link infeasibility}, memoised for finished trials. */
export function infeasibilityOf(mem: HistoryMemo, t: FrozenTrial): number {
  return infoOf(mem, t)?.infeasibility ?? infeasibility(t);
}
