/**
 * The observations of a list of trials for a search space, memoised (private): per finished
 * trial and space, and per space the entries of the last list seen, so that a list sharing a
 * prefix with it is read only past that prefix; the selection of one side of the split records
 * how it derives from the previous one (for the incremental bad-side model). The memos live in
 * an {@link ObservationMemo} record owned by the sampler's workspace.
 *
 * @module
 */
import type { SearchSpace } from "../../../core/search_space.ts";
import type { FrozenTrial } from "../../../core/trial.ts";
import { remember } from "../../_recent.ts";
import { observationOf, paramsOf, type RowEntry, spaceKey } from "../observations.ts";
import { type HistoryMemo, infoOf, type TrialInfo } from "./_history.ts";
import { knownPrefix, noteLineage, sharedPrefix } from "./_trial_lists.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A selection of one side of the split: its input list, mask and output list. */
interface Selection {
  readonly used: ReadonlyArray<FrozenTrial>;
  readonly mask: Uint8Array;
  readonly out: FrozenTrial[];
}

/** The row entries of a list of trials for one space and mode, aligned with the list. */
interface RowMemo {
  list: ReadonlyArray<FrozenTrial>;
  readonly entries: Array<RowEntry | null>;
}

/** The memos of {@link observations} (speed only: results never depend on them). */
export interface ObservationMemo {
  /** The history memos (per-trial records, and what is known about lists of trials). */
  readonly history: HistoryMemo;
  /** A small id per search-space key. */
  readonly keyIds: Map<string, number>;
  /** Per space, mode and side: the last selection. */
  readonly selections: Map<string, Selection>;
  /** Per space and mode: the row entries of the last list of trials seen. */
  readonly rowMemos: Map<string, RowMemo>;
}

/** A fresh memo over `history`. */
export function createObservationMemo(history: HistoryMemo): ObservationMemo {
  return { history, keyIds: new Map(), selections: new Map(), rowMemos: new Map() };
}

// -------------------------------------------------------------------------------------
// observations
// -------------------------------------------------------------------------------------

function rowOf(
  mem: ObservationMemo,
  t: FrozenTrial,
  names: ReadonlyArray<string>,
  space: SearchSpace,
  keyId: number,
  multivariate: boolean,
  known?: TrialInfo,
): RowEntry | null {
  const info = known ?? infoOf(mem.history, t);
  if (info) {
    if (info.keyId === keyId) return info.entry;
    const hit = info.others?.get(keyId);
    if (hit !== undefined) return hit;
  }
  const entry = observationOf(paramsOf(t, multivariate), names, space);
  if (info) {
    if (info.keyId >= 0) {
      info.others ??= new Map();
      info.others.set(info.keyId, info.entry);
    }
    info.keyId = keyId;
    info.entry = entry;
  }
  return entry;
}

/**
 * The trials that have every parameter of the space, with their observations; with a `mask`,
 * only the trials `i` with `mask[i] === side`. `used` is 1, per selected trial in order,
 * when it has an observation (0 otherwise). With `lineage`, how the selected list derives
 * from the previous one is recorded (for a model updated in place).
 */
export function observations(
  mem: ObservationMemo,
  trials: ReadonlyArray<FrozenTrial>,
  names: ReadonlyArray<string>,
  space: SearchSpace,
  multivariate: boolean,
  infos?: ReadonlyArray<TrialInfo | undefined>,
  select?: { readonly mask: Uint8Array; readonly side: number; readonly lineage?: boolean },
): {
  readonly n: number;
  readonly used: Uint8Array;
  readonly list: FrozenTrial[];
  readonly entries: RowEntry[];
  readonly key: string;
} {
  const key = spaceKey(names, space);
  const keyIds = mem.keyIds;
  let keyId = keyIds.get(key);
  if (keyId === undefined) keyIds.set(key, keyId = keyIds.size);
  const all = entriesOf(mem, trials, names, space, keyId, multivariate, infos);
  const mask = select?.mask, side = select?.side;
  // sized first, then filled: these arrays hold up to every trial of the study
  let n = 0, selected = 0;
  for (let i = 0; i < trials.length; i++) {
    if (mask !== undefined && mask[i] !== side) continue;
    selected++;
    if (all[i] !== null) n++;
  }
  const entries = new Array<RowEntry>(n);
  const used = new Uint8Array(selected);
  const list = new Array<FrozenTrial>(n);
  let q = 0, u = 0;
  for (let i = 0; i < trials.length; i++) {
    if (mask !== undefined && mask[i] !== side) continue;
    const e = all[i]!;
    used[u++] = e !== null ? 1 : 0;
    // a pointer comparison: testing an object's truthiness reads it
    if (e !== null) {
      entries[q] = e;
      list[q++] = trials[i]!;
    }
  }
  if (mask !== undefined && side !== undefined && select?.lineage) {
    selectionLineage(
      mem,
      `${keyId}\u0000${multivariate}\u0000${side}`,
      trials,
      all,
      mask,
      side,
      list,
    );
  }
  return { n, used, list, entries, key };
}

/**
 * Records how the selection `out` (the trials of `trials` with `mask[i] === side` and an
 * observation) derives from the previous selection for the same key: over the common prefix of
 * the two input lists the trials are the same, so the two masks alone give the mapping.
 */
function selectionLineage(
  mem: ObservationMemo,
  key: string,
  trials: ReadonlyArray<FrozenTrial>,
  all: ReadonlyArray<RowEntry | null>,
  mask: Uint8Array,
  side: number,
  out: FrozenTrial[],
): void {
  const prev = mem.selections.get(key);
  remember(mem.selections, key, { used: trials, mask, out }, ROW_MEMOS);
  if (prev === undefined) return;
  const lists = mem.history.lists;
  const common = knownPrefix(lists, trials, prev.used);
  if (common < 0) return;
  const map = new Int32Array(prev.out.length).fill(-1);
  const inserted: number[] = [];
  const was = prev.mask;
  let oi = 0, ni = 0;
  for (let i = 0; i < common; i++) {
    if (all[i] === null) continue;
    const before = was[i] === side, now = mask[i] === side;
    if (before && now) map[oi++] = ni++;
    else if (before) oi++;
    else if (now) inserted.push(ni++);
  }
  noteLineage(lists, out, { prev: prev.out, map, prevCovered: oi, newCovered: ni, inserted });
}

const ROW_MEMOS = 32;

/**
 * The row entry (or null) of every trial, aligned with `trials`. Trials are immutable records,
 * so the prefix shared with the previous list for the same space (same objects) is reused
 * without visiting its trials: only the new ones are read.
 */
function entriesOf(
  mem: ObservationMemo,
  trials: ReadonlyArray<FrozenTrial>,
  names: ReadonlyArray<string>,
  space: SearchSpace,
  keyId: number,
  multivariate: boolean,
  infos: ReadonlyArray<TrialInfo | undefined> | undefined,
): Array<RowEntry | null> {
  const memoKey = `${keyId}\u0000${multivariate}`;
  const known = mem.rowMemos.get(memoKey);
  const start = known ? sharedPrefix(mem.history.lists, trials, known.list) : 0;
  const memo = known ?? { list: trials, entries: [] };
  remember(mem.rowMemos, memoKey, memo, ROW_MEMOS);
  const entries = memo.entries;
  entries.length = trials.length;
  for (let i = start; i < trials.length; i++) {
    entries[i] = rowOf(mem, trials[i]!, names, space, keyId, multivariate, infos?.[i]);
  }
  memo.list = trials;
  return entries;
}
