/**
 * TPE internals (private): which trials are used, the good/bad split (single- and
 * multi-objective, pruned, running and infeasible trials as Optuna 5.0 ranks them),
 * observation extraction, and one TPE draw over a search space. The sampler record and its
 * registration live in `lib/samplers/tpe.ts`.
 *
 * @module
 */
import {
  type Distribution,
  distributionEquals,
  distributionToJson,
} from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import type { SearchSpace } from "../core/search_space.ts";
import type { Direction } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { Rng } from "../random/rng.ts";
import type { ObservationWeights, ParzenEstimator } from "../samplers/parzen_estimator.ts";
import type { TpeGamma } from "../samplers/tpe.ts";
import {
  hypervolumeWeights,
  nonDominationRanks,
  type Point,
  referencePoint,
  solveHssp,
} from "./hypervolume.ts";
import { aboveEstimator } from "./tpe_above.ts";
import { f64, i32, withArena } from "./tpe_math.ts";
import { remember } from "../samplers/_recent.ts";
import { knownPrefix, noteLineage, notePrefix, sharedPrefix } from "./trial_lists.ts";
import {
  argmaxAcquisition,
  buildEstimator,
  logPdfColumns,
  observationWeights,
  sampleColumns,
} from "./tpe_parzen.ts";

// -------------------------------------------------------------------------------------
// configuration
// -------------------------------------------------------------------------------------

/** How many of the `n` finished trials are "good" (`TpeGamma` of tpe.ts). */
export type GammaSpec = TpeGamma;

/** Resolved TPE configuration used by the core. */
export interface TpeCoreConfig {
  readonly nEiCandidates: number;
  readonly priorWeight: number;
  readonly considerMagicClip: boolean;
  readonly considerEndpoints: boolean;
  readonly gamma: GammaSpec;
  readonly weights: ObservationWeights;
  readonly multivariate: boolean;
  readonly constantLiar: boolean;
  readonly multiObjectiveWeights: "uniform" | "hypervolume";
}

/** Number of good trials among `n` (Optuna's gamma functions). */
export function gammaOf(spec: GammaSpec, n: number, nObjectives: number): number {
  switch (spec.kind) {
    case "default":
      return nObjectives > 1 ? Math.ceil(0.1 * n) : Math.min(Math.ceil(0.1 * n), 25);
    case "hyperopt":
      return Math.min(Math.ceil(0.25 * Math.sqrt(n)), 25);
    case "linear":
      return Math.min(Math.ceil(spec.ratio * n), spec.max ?? Infinity);
    case "sqrt":
      return Math.min(Math.ceil(spec.factor * Math.sqrt(n)), spec.max ?? Infinity);
    case "fixed":
      return spec.n;
  }
}

// -------------------------------------------------------------------------------------
// trial queries
// -------------------------------------------------------------------------------------

/** Sum of the positive constraint values (system attrs `constraints` and `constraints:<k>`). */
export function infeasibility(t: FrozenTrial): number {
  let sum = 0;
  const attrs = t.systemAttrs;
  const old = attrs["constraints"];
  if (Array.isArray(old)) {
    for (const v of old) if (typeof v === "number" && v > 0) sum += v;
  }
  for (const key in attrs) {
    if (key.startsWith("constraints:")) {
      const v = attrs[key];
      if (typeof v === "number" && v > 0) sum += v;
    }
  }
  return sum;
}

/** Per trial state: RUNNING 0, COMPLETE 1, PRUNED 2, FAIL 3, WAITING 4. */
const STATE_CODES: Readonly<Record<FrozenTrial["state"], number>> = {
  RUNNING: 0,
  COMPLETE: 1,
  PRUNED: 2,
  FAIL: 3,
  WAITING: 4,
};

interface StateScan {
  list: ReadonlyArray<FrozenTrial>;
  codes: Uint8Array;
}

/** The last lists scanned (the study's trials and the used ones share long prefixes). */
const scans: StateScan[] = [];
const SCAN_SLOTS = 3;

/**
 * The state codes of a list of trials ({@link STATE_CODES}), aligned with it. Trials are
 * immutable records: the prefix shared with a recently scanned list (same objects, compared by
 * pointer) is reused without reading its trials. Valid until the next call.
 */
function stateCodes(trials: ReadonlyArray<FrozenTrial>): Uint8Array {
  const n = trials.length;
  // the slot whose common prefix with `trials` is known and longest; otherwise a fresh slot
  // (or the least recently used one), read in full: comparing would read every trial as well
  let scan: StateScan | undefined, start = -1;
  for (const s of scans) {
    const k = knownPrefix(trials, s.list);
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
  trials: ReadonlyArray<FrozenTrial>,
  current: number,
  constantLiar: boolean,
): FrozenTrial[] {
  const codes = stateCodes(trials);
  const out: FrozenTrial[] = [];
  // positions below `stable` were decided as in the previous call (same objects, same states,
  // and no RUNNING trial, whose inclusion depends on `current`)
  const prev = lastUsed;
  let stable = -1, proven = 0;
  if (prev && prev.constantLiar === constantLiar) stable = sharedPrefix(trials, prev.from);
  for (let i = 0; i < trials.length; i++) {
    const c = codes[i]!;
    if (i === stable) proven = out.length;
    if (c === 0 && i < stable) {
      proven = out.length;
      stable = i;
    }
    if (c === 1 || c === 2) out.push(trials[i]!);
    else if (constantLiar && c === 0 && trials[i]!.number !== current) out.push(trials[i]!);
  }
  if (stable >= trials.length) proven = out.length;
  if (prev && stable >= 0) notePrefix(out, prev.used, proven);
  lastUsed = { from: trials, used: out, constantLiar };
  return out;
}

/** The previous {@link usedTrials} call: its input and output lists. */
let lastUsed:
  | {
    readonly from: ReadonlyArray<FrozenTrial>;
    readonly used: ReadonlyArray<FrozenTrial>;
    readonly constantLiar: boolean;
  }
  | undefined;

/** Number of COMPLETE and PRUNED trials. */
export function countFinished(trials: ReadonlyArray<FrozenTrial>): number {
  const codes = stateCodes(trials);
  let n = 0;
  for (let i = 0; i < trials.length; i++) if (codes[i] === 1 || codes[i] === 2) n++;
  return n;
}

/** The key pruned trials are ranked by: (−last step, last value signed so lower is better). */
function prunedKey(t: FrozenTrial, direction: Direction): [number, number] {
  let step = -Infinity;
  for (const k in t.intermediateValues) {
    const s = Number(k);
    if (s > step) step = s;
  }
  if (step === -Infinity) return [1, 0];
  const v = t.intermediateValues[step]!;
  if (Number.isNaN(v)) return [-step, Infinity];
  return [-step, direction === "minimize" ? v : -v];
}

function lossOf(t: FrozenTrial, directions: ReadonlyArray<Direction>, k: number): number {
  const v = t.values?.[k] ?? NaN;
  const l = directions[k] === "maximize" ? -v : v;
  return Number.isNaN(l) ? Infinity : l;
}

/** Positions of the `k` smallest losses, ties in position order. */
function smallest(losses: Float64Array, k: number): number[] {
  const n = losses.length;
  if (k <= 0) return [];
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const buf: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = losses[i]!;
    if (buf.length === k && !(l < losses[buf[k - 1]!]!)) continue;
    // insert after every element with a loss ≤ l (stable)
    let lo = 0, hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (losses[buf[mid]!]! <= l) lo = mid + 1;
      else hi = mid;
    }
    buf.splice(lo, 0, i);
    if (buf.length > k) buf.pop();
  }
  return buf;
}

function stableOrder<K>(items: ReadonlyArray<K>, cmp: (a: K, b: K) => number): number[] {
  return items.map((_, i) => i).sort((a, b) => cmp(items[a]!, items[b]!) || a - b);
}

/** Multi-objective split of COMPLETE trials: whole non-domination fronts, then HSSP. */
function splitMultiObjective(lvals: ReadonlyArray<Point>, nBelow: number): number[] {
  const n = lvals.length;
  if (nBelow === 0) return [];
  if (nBelow >= n) return Array.from({ length: n }, (_, i) => i);
  const ranks = nonDominationRanks(lvals, nBelow);
  let maxRank = 0;
  for (const r of ranks) if (r > maxRank) maxRank = r;
  const counts = new Int32Array(maxRank + 1);
  for (const r of ranks) counts[r]!++;
  let last = -1, cum = 0;
  for (let r = 0; r <= maxRank; r++) {
    cum += counts[r]!;
    if (cum <= nBelow) last = r;
  }
  const below: number[] = [];
  for (let i = 0; i < n; i++) if (ranks[i]! <= last) below.push(i);
  if (below.length < nBelow) {
    const tieIdx: number[] = [];
    for (let i = 0; i < n; i++) if (ranks[i] === last + 1) tieIdx.push(i);
    const tieVals = tieIdx.map((i) => lvals[i]!);
    below.push(...solveHssp(tieVals, tieIdx, nBelow - below.length, referencePoint(tieVals)));
  }
  return below;
}

/**
 * Marks the good (`below`) trials among `trials` (1 in the result) in Optuna 5.0's priority:
 * feasible COMPLETE trials by objective (non-dominated fronts and hypervolume subset selection
 * with several objectives), then feasible PRUNED trials by (−last step, last value), then
 * infeasible trials by total violation; RUNNING trials are always bad.
 */
export function splitMask(
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  nBelow: number,
  history: History = historyOf(trials),
): Uint8Array {
  const n = trials.length;
  const single = directions.length <= 1;
  const sign = directions[0] === "maximize" ? -1 : 1;
  const complete = i32(n), losses = f64(n);
  let nc = 0;
  const pruned: number[] = [], infeasible: number[] = [];
  const scores: number[] = [];
  const { kinds, values } = history;
  for (let i = 0; i < n; i++) {
    const kind = kinds[i]!;
    if (kind === 1) {
      const l = sign * values[i]!;
      losses[nc] = l === l ? l : Infinity;
      complete[nc++] = i;
    } else if (kind === 2) pruned.push(i);
    else if (kind === 3) {
      infeasible.push(i);
      scores.push(history.scores[i]!);
    }
  }
  const isBelow = new Uint8Array(n);
  let nb = nBelow;
  const kc = Math.max(0, Math.min(nb, nc));
  if (single) {
    for (const q of smallest(losses.subarray(0, nc), kc)) isBelow[complete[q]!] = 1;
  } else {
    const lvals: Point[] = [];
    for (let q = 0; q < nc; q++) {
      const t = trials[complete[q]!]!;
      lvals.push(directions.map((_, k) => lossOf(t, directions, k)));
    }
    for (const q of splitMultiObjective(lvals, kc)) isBelow[complete[q]!] = 1;
  }
  nb = Math.max(0, nb - kc);
  const kp = Math.max(0, Math.min(nb, pruned.length));
  if (kp > 0) {
    const keys = pruned.map((i) => prunedKey(trials[i]!, directions[0] ?? "minimize"));
    const order = stableOrder(keys, (a, b) => a[0] - b[0] || cmpNum(a[1], b[1]));
    for (let q = 0; q < kp; q++) isBelow[pruned[order[q]!]!] = 1;
  }
  nb = Math.max(0, nb - kp);
  const ki = Math.max(0, Math.min(nb, infeasible.length));
  if (ki > 0) {
    const order = stableOrder(scores, cmpNum);
    for (let q = 0; q < ki; q++) isBelow[infeasible[order[q]!]!] = 1;
  }
  return isBelow;
}

/**
 * Splits trials into good (`below`) and bad (`above`), both in the input (trial-number) order,
 * as {@link splitMask} marks them.
 */
export function splitTrials(
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  nBelow: number,
): { readonly below: FrozenTrial[]; readonly above: FrozenTrial[] } {
  const isBelow = splitMask(trials, directions, nBelow);
  return {
    below: trials.filter((_, i) => isBelow[i] === 1),
    above: trials.filter((_, i) => isBelow[i] === 0),
  };
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// -------------------------------------------------------------------------------------
// observations
// -------------------------------------------------------------------------------------

const RELATIVE_PARAMS_KEY = "tpe:relative_params";

/** Length of each chunk of the relative-params system attribute (Optuna's RDB limit). */
export const SYSTEM_ATTR_MAX_LENGTH = 2045;

/** The relative-params system attributes of a trial (JSON split into chunks). */
export function relativeParamsAttrs(
  params: Readonly<Record<string, ParamValue>>,
): Record<string, string> {
  const s = JSON.stringify(params);
  const out: Record<string, string> = {};
  for (let i = 0; i < s.length; i += SYSTEM_ATTR_MAX_LENGTH) {
    out[`${RELATIVE_PARAMS_KEY}:${i / SYSTEM_ATTR_MAX_LENGTH}`] = s.slice(
      i,
      i + SYSTEM_ATTR_MAX_LENGTH,
    );
  }
  return out;
}

/** A trial's parameters, completed with its shared relative sample while it is running. */
function paramsOf(
  t: FrozenTrial,
  multivariate: boolean,
): Readonly<Record<string, ParamValue>> {
  if (t.state !== "RUNNING" || !multivariate) return t.params;
  let s = "";
  for (let i = 0;; i++) {
    const chunk = t.systemAttrs[`${RELATIVE_PARAMS_KEY}:${i}`];
    if (typeof chunk !== "string" || chunk.length === 0) break;
    s += chunk;
  }
  if (s === "") return t.params;
  try {
    const parsed = JSON.parse(s);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return t.params;
    return { ...parsed, ...t.params };
  } catch {
    return t.params;
  }
}

function internalOf(d: Distribution, v: ParamValue | undefined): number {
  if (d._tag === "CategoricalDistribution") {
    for (let c = 0; c < d.choices.length; c++) if (Object.is(d.choices[c], v)) return c;
    return NaN;
  }
  return typeof v === "number" ? v : NaN;
}

/** A trial's observation for one search space. */
interface RowEntry {
  /** Internal values in the space's order. */
  readonly row: Float64Array;
}

/** What is memoised per finished trial (finished trials never change). */
export interface TrialInfo {
  readonly state: FrozenTrial["state"];
  /** The first objective value (NaN when missing). */
  readonly value0: number;
  readonly infeasibility: number;
  /** The observation for the most recent search space, and for others. */
  keyId: number;
  entry: RowEntry | null;
  others: Map<number, RowEntry | null> | undefined;
}

const trialInfo = new WeakMap<FrozenTrial, TrialInfo>();
const keyIds = new Map<string, number>();

function infoOf(t: FrozenTrial): TrialInfo | undefined {
  if (t.state === "RUNNING" || t.state === "WAITING") return undefined;
  let info = trialInfo.get(t);
  if (!info) {
    info = {
      state: t.state,
      value0: t.values?.[0] ?? NaN,
      infeasibility: infeasibility(t),
      keyId: -1,
      entry: null,
      others: undefined,
    };
    trialInfo.set(t, info);
  }
  return info;
}

/**
 * The memo records of a list of trials, aligned with it, and what the split reads from them in
 * typed arrays. Valid until the next call (the buffers are reused).
 */
export interface History {
  readonly infos: Array<TrialInfo | undefined>;
  /** Per trial: 0 not finished, 1 feasible COMPLETE, 2 feasible PRUNED, 3 infeasible, 4 other. */
  readonly kinds: Uint8Array;
  /** Per trial: the first objective value (NaN when missing). */
  readonly values: Float64Array;
  /** Per trial: the total constraint violation. */
  readonly scores: Float64Array;
}

let last: { list: ReadonlyArray<FrozenTrial>; history: History } | undefined;

/**
 * The {@link History} of a list of trials; a prefix shared with the previous call's list (same
 * objects) is reused without lookups.
 */
export function historyOf(trials: ReadonlyArray<FrozenTrial>): History {
  const n = trials.length;
  let start = 0;
  let h = last?.history;
  if (last) start = sharedPrefix(trials, last.list);
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
    const info = infoOf(trials[i]!);
    h.infos[i] = info;
    if (!info) {
      h.kinds[i] = 0;
      continue;
    }
    h.values[i] = info.value0;
    h.scores[i] = info.infeasibility;
    h.kinds[i] = info.infeasibility > 0
      ? 3
      : info.state === "COMPLETE"
      ? 1
      : info.state === "PRUNED"
      ? 2
      : 4;
  }
  last = { list: trials, history: h };
  return h;
}

/** {@link infeasibility}, memoised for finished trials. */
function infeasibilityOf(t: FrozenTrial): number {
  return infoOf(t)?.infeasibility ?? infeasibility(t);
}

function spaceKey(names: ReadonlyArray<string>, space: SearchSpace): string {
  let key = "";
  for (const n of names) key += `${n}\u0000${distributionToJson(space[n]!)}\u0001`;
  return key;
}

function rowOf(
  t: FrozenTrial,
  names: ReadonlyArray<string>,
  space: SearchSpace,
  keyId: number,
  multivariate: boolean,
  known?: TrialInfo,
): RowEntry | null {
  const info = known ?? infoOf(t);
  if (info) {
    if (info.keyId === keyId) return info.entry;
    const hit = info.others?.get(keyId);
    if (hit !== undefined) return hit;
  }
  const params = paramsOf(t, multivariate);
  let entry: RowEntry | null = null;
  const row = new Float64Array(names.length);
  let ok = true;
  for (let d = 0; d < names.length; d++) {
    const name = names[d]!;
    if (!Object.hasOwn(params, name)) {
      ok = false;
      break;
    }
    const v = internalOf(space[name]!, params[name]);
    if (Number.isNaN(v)) {
      ok = false;
      break;
    }
    row[d] = v;
  }
  if (ok) entry = { row };
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
  let keyId = keyIds.get(key);
  if (keyId === undefined) keyIds.set(key, keyId = keyIds.size);
  const all = entriesOf(trials, names, space, keyId, multivariate, infos);
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
    selectionLineage(`${keyId}\u0000${multivariate}\u0000${side}`, trials, all, mask, side, list);
  }
  return { n, used, list, entries, key };
}

/** Per space, mode and side: the last selection (its input, mask and output lists). */
const selections = new Map<
  string,
  {
    readonly used: ReadonlyArray<FrozenTrial>;
    readonly mask: Uint8Array;
    readonly out: FrozenTrial[];
  }
>();

/**
 * Records how the selection `out` (the trials of `trials` with `mask[i] === side` and an
 * observation) derives from the previous selection for the same key: over the common prefix of
 * the two input lists the trials are the same, so the two masks alone give the mapping.
 */
function selectionLineage(
  key: string,
  trials: ReadonlyArray<FrozenTrial>,
  all: ReadonlyArray<RowEntry | null>,
  mask: Uint8Array,
  side: number,
  out: FrozenTrial[],
): void {
  const prev = selections.get(key);
  remember(selections, key, { used: trials, mask, out }, ROW_MEMOS);
  if (prev === undefined) return;
  const common = knownPrefix(trials, prev.used);
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
  noteLineage(out, { prev: prev.out, map, prevCovered: oi, newCovered: ni, inserted });
}

/** Per space and mode: the row entries of the last list of trials seen, aligned with it. */
const rowMemos = new Map<
  string,
  { list: ReadonlyArray<FrozenTrial>; readonly entries: Array<RowEntry | null> }
>();
const ROW_MEMOS = 32;

/**
 * The row entry (or null) of every trial, aligned with `trials`. Trials are immutable records,
 * so the prefix shared with the previous list for the same space (same objects) is reused
 * without visiting its trials: only the new ones are read.
 */
function entriesOf(
  trials: ReadonlyArray<FrozenTrial>,
  names: ReadonlyArray<string>,
  space: SearchSpace,
  keyId: number,
  multivariate: boolean,
  infos: ReadonlyArray<TrialInfo | undefined> | undefined,
): Array<RowEntry | null> {
  const memoKey = `${keyId}\u0000${multivariate}`;
  const known = rowMemos.get(memoKey);
  const start = known ? sharedPrefix(trials, known.list) : 0;
  const memo = known ?? { list: trials, entries: [] };
  remember(rowMemos, memoKey, memo, ROW_MEMOS);
  const entries = memo.entries;
  entries.length = trials.length;
  for (let i = start; i < trials.length; i++) {
    entries[i] = rowOf(trials[i]!, names, space, keyId, multivariate, infos?.[i]);
  }
  memo.list = trials;
  return entries;
}

/** Observation columns (internal values) gathered from row entries. */
export function columnsOf(entries: ReadonlyArray<RowEntry>, D: number): Float64Array[] {
  const n = entries.length;
  const cols: Float64Array[] = [];
  for (let d = 0; d < D; d++) cols.push(f64(n));
  for (let i = 0; i < n; i++) {
    const row = entries[i]!.row;
    for (let d = 0; d < D; d++) cols[d]![i] = row[d]!;
  }
  return cols;
}

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

// -------------------------------------------------------------------------------------
// sampling
// -------------------------------------------------------------------------------------

/** The good and bad estimators for a search space, from the used trials. */
export function buildEstimators(
  cfg: TpeCoreConfig,
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  space: SearchSpace,
): { readonly below: ParzenEstimator; readonly above: ParzenEstimator } {
  const names = Object.keys(space);
  const codes = stateCodes(trials);
  let n = 0;
  for (let i = 0; i < trials.length; i++) if (codes[i] !== 0) n++;
  const history = historyOf(trials);
  const infos = history.infos;
  const mask = splitMask(trials, directions, gammaOf(cfg.gamma, n, directions.length), history);
  const params = {
    priorWeight: cfg.priorWeight,
    considerMagicClip: cfg.considerMagicClip,
    considerEndpoints: cfg.considerEndpoints,
  };
  const lo = observations(trials, names, space, cfg.multivariate, infos, { mask, side: 1 });
  let wBelow: Float64Array;
  if (directions.length > 1) {
    if (cfg.multiObjectiveWeights === "hypervolume") {
      // Optuna 4.x: hypervolume contributions of the feasible good trials, 1e-12 otherwise
      const good = trials.filter((_, i) => mask[i] === 1);
      const feasible = good.map((t) => infeasibilityOf(t) <= 0);
      const pts = good.filter((_, i) => feasible[i]).map((t) =>
        directions.map((_, k) => lossOf(t, directions, k))
      );
      const hw = hypervolumeWeights(pts);
      const all = new Float64Array(good.length).fill(1e-12);
      let q = 0;
      feasible.forEach((f, i) => {
        if (f) all[i] = pts.length <= 1 ? 1 : hw[q++]!;
      });
      wBelow = Float64Array.from(all.filter((_, i) => lo.used[i]));
    } else {
      wBelow = f64(lo.n).fill(1);
    }
  } else {
    wBelow = observationWeights(cfg.weights, lo.n);
  }
  const below = buildEstimator(
    columnsOf(lo.entries, names.length),
    lo.n,
    names,
    space,
    wBelow,
    params,
  );
  const hi = observations(trials, names, space, cfg.multivariate, infos, {
    mask,
    side: 0,
    lineage: true,
  });
  const above = aboveEstimator(
    `above\u0002${hi.key}`,
    hi.list,
    hi.entries,
    names,
    space,
    observationWeights(cfg.weights, hi.n),
    params,
  );
  return { below, above };
}

/** `log l(x) − log g(x)` at points given as columns in the space's order. */
export function acquisition(
  est: { readonly below: ParzenEstimator; readonly above: ParzenEstimator },
  cols: ReadonlyArray<Float64Array>,
  m: number,
  exact = false,
): Float64Array {
  const l = new Float64Array(m), g = new Float64Array(m);
  logPdfColumns(est.below, cols, m, l, { exact });
  logPdfColumns(est.above, cols, m, g, { exact });
  for (let j = 0; j < m; j++) l[j] = l[j]! - g[j]!;
  return l;
}

/**
 * One TPE draw over `space`: fit l and g, draw `nEiCandidates` candidates from l, return the
 * one maximising `log l − log g` (first on ties) as internal values by name.
 */
export function sampleTpe(
  cfg: TpeCoreConfig,
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  space: SearchSpace,
  rng: Rng,
): Record<string, number> {
  const names = Object.keys(space);
  return withArena(() => {
    const est = buildEstimators(cfg, trials, directions, space);
    const m = cfg.nEiCandidates;
    const cols = sampleColumns(est.below, rng, m);
    const best = argmaxAcquisition(est.below, est.above, cols, m);
    const out: Record<string, number> = {};
    names.forEach((name, d) => out[name] = cols[d]![best]!);
    return out;
  });
}
