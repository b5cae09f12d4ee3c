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
import { argsortStable, f64, i32, withArena } from "./tpe_math.ts";
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

/** The trials TPE learns from: COMPLETE and PRUNED, plus other RUNNING ones with a liar. */
export function usedTrials(
  trials: ReadonlyArray<FrozenTrial>,
  current: number,
  constantLiar: boolean,
): FrozenTrial[] {
  const out: FrozenTrial[] = [];
  for (const t of trials) {
    if (t.state === "COMPLETE" || t.state === "PRUNED") out.push(t);
    else if (constantLiar && t.state === "RUNNING" && t.number !== current) out.push(t);
  }
  return out;
}

/** Number of COMPLETE and PRUNED trials. */
export function countFinished(trials: ReadonlyArray<FrozenTrial>): number {
  let n = 0;
  for (const t of trials) if (t.state === "COMPLETE" || t.state === "PRUNED") n++;
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
 * Splits trials into good (`below`) and bad (`above`), both in the input (trial-number) order,
 * in Optuna 5.0's priority: feasible COMPLETE trials by objective (non-dominated fronts and
 * hypervolume subset selection with several objectives), then feasible PRUNED trials by
 * (−last step, last value), then infeasible trials by total violation; RUNNING trials are
 * always bad.
 */
export function splitTrials(
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  nBelow: number,
  infos?: ReadonlyArray<TrialInfo | undefined>,
): {
  readonly below: FrozenTrial[];
  readonly above: FrozenTrial[];
  readonly belowInfos: Array<TrialInfo | undefined>;
  readonly aboveInfos: Array<TrialInfo | undefined>;
} {
  const complete: number[] = [], pruned: number[] = [], infeasible: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < trials.length; i++) {
    const t = trials[i]!;
    if (t.state === "RUNNING") continue;
    const score = infos?.[i]?.infeasibility ?? infeasibilityOf(t);
    if (score > 0) {
      infeasible.push(i);
      scores.push(score);
    } else if (t.state === "COMPLETE") complete.push(i);
    else if (t.state === "PRUNED") pruned.push(i);
  }
  const isBelow = new Uint8Array(trials.length);
  let nb = nBelow;
  const kc = Math.max(0, Math.min(nb, complete.length));
  if (directions.length <= 1) {
    const losses = f64(complete.length);
    complete.forEach((i, q) => losses[q] = lossOf(trials[i]!, directions, 0));
    for (const q of smallest(losses, kc)) isBelow[complete[q]!] = 1;
  } else {
    const lvals = complete.map((i) => directions.map((_, k) => lossOf(trials[i]!, directions, k)));
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
  const below: FrozenTrial[] = [], above: FrozenTrial[] = [];
  const belowInfos: Array<TrialInfo | undefined> = [],
    aboveInfos: Array<TrialInfo | undefined> = [];
  for (let i = 0; i < trials.length; i++) {
    if (isBelow[i]) {
      below.push(trials[i]!);
      belowInfos.push(infos?.[i]);
    } else {
      above.push(trials[i]!);
      aboveInfos.push(infos?.[i]);
    }
  }
  return { below, above, belowInfos, aboveInfos };
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
    info = { infeasibility: infeasibility(t), keyId: -1, entry: null, others: undefined };
    trialInfo.set(t, info);
  }
  return info;
}

let lastInfos:
  | { list: ReadonlyArray<FrozenTrial>; infos: Array<TrialInfo | undefined> }
  | undefined;

/**
 * The memo records of a list of trials, aligned with it; a prefix shared with the previous
 * call's list (same objects) is reused without lookups.
 */
export function infosFor(trials: ReadonlyArray<FrozenTrial>): Array<TrialInfo | undefined> {
  const out: Array<TrialInfo | undefined> = new Array(trials.length);
  let i = 0;
  const last = lastInfos;
  if (last) {
    const m = Math.min(last.list.length, trials.length);
    while (i < m && trials[i] === last.list[i]) {
      out[i] = last.infos[i];
      i++;
    }
  }
  for (; i < trials.length; i++) out[i] = infoOf(trials[i]!);
  lastInfos = { list: trials, infos: out };
  return out;
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

/** The trials that have every parameter of the space, with their observations. */
export function observations(
  trials: ReadonlyArray<FrozenTrial>,
  names: ReadonlyArray<string>,
  space: SearchSpace,
  multivariate: boolean,
  infos?: ReadonlyArray<TrialInfo | undefined>,
): {
  readonly n: number;
  readonly used: boolean[];
  readonly list: FrozenTrial[];
  readonly entries: RowEntry[];
  readonly key: string;
} {
  const key = spaceKey(names, space);
  let keyId = keyIds.get(key);
  if (keyId === undefined) keyIds.set(key, keyId = keyIds.size);
  const entries: RowEntry[] = [];
  const used: boolean[] = [];
  const list: FrozenTrial[] = [];
  for (let i = 0; i < trials.length; i++) {
    const t = trials[i]!;
    const e = rowOf(t, names, space, keyId, multivariate, infos?.[i]);
    used.push(e !== null);
    if (e) {
      entries.push(e);
      list.push(t);
    }
  }
  return { n: entries.length, used, list, entries, key };
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
// sorted observations, maintained incrementally
// -------------------------------------------------------------------------------------

/** One generation of the arrays kept for a space (columns, orders, kernel caches). */
interface ModelArrays {
  readonly cap: number;
  /** Internal values per dimension. */
  readonly cols: Float64Array[];
  /** Transformed values (log for log domains) per numerical dimension. */
  readonly keys: Array<Float64Array | undefined>;
  /** Stable sort order per numerical dimension. */
  readonly orders: Array<Uint32Array | undefined>;
  /** `σ, log σ, log Z` triples per numerical dimension. */
  readonly kernels: Array<Float64Array | undefined>;
}

interface ModelEntry {
  list: ReadonlyArray<FrozenTrial>;
  n: number;
  current: ModelArrays;
  spare: ModelArrays | undefined;
}

/** The observations of a space, sorted: views valid until the next call for that space. */
export interface SortedObservations {
  readonly cols: Float64Array[];
  readonly keys: Array<Float64Array | undefined>;
  readonly orders: Array<Uint32Array | undefined>;
  readonly kernels: Array<Float64Array | undefined>;
}

/** Recent models per space, reused when the next history differs by a few trials. */
const modelCache = new Map<string, ModelEntry>();

/** Forgets the incremental models (they are memos: results never depend on them). */
export function clearModelCache(): void {
  modelCache.clear();
}
const MODEL_CACHE_SIZE = 32;

function allocModel(cap: number, names: ReadonlyArray<string>, space: SearchSpace): ModelArrays {
  const numeric = names.map((n) => space[n]!._tag !== "CategoricalDistribution");
  return {
    cap,
    cols: names.map(() => new Float64Array(cap)),
    keys: numeric.map((x) => x ? new Float64Array(cap) : undefined),
    orders: numeric.map((x) => x ? new Uint32Array(cap) : undefined),
    kernels: numeric.map((x) => x ? new Float64Array(3 * cap) : undefined),
  };
}

function viewOf(m: ModelArrays, n: number): SortedObservations {
  return {
    cols: m.cols.map((c) => c.subarray(0, n)),
    keys: m.keys.map((c) => c?.subarray(0, n)),
    orders: m.orders.map((c) => c?.subarray(0, n)),
    kernels: m.kernels.map((c) => c?.subarray(0, 3 * n)),
  };
}

/** `a` sorts before `b` (values, then indices; NaN last). */
function before(va: number, ia: number, vb: number, ib: number): boolean {
  if (va < vb) return true;
  if (va > vb) return false;
  if (va === vb) return ia < ib;
  // at least one NaN
  if (va !== va && vb !== vb) return ia < ib;
  return vb !== vb;
}

/**
 * The observation columns of `list` (in `names` order), their transformed values, stable sort
 * orders and kernel caches. The result equals a fresh computation (gather, log-transform,
 * stable argsort); when the previous history of the same space shares most trials (by
 * identity, in number order), the previous arrays are updated by a merge in O(n) instead.
 */
export function sortedObservations(
  cacheKey: string,
  list: ReadonlyArray<FrozenTrial>,
  entries: ReadonlyArray<RowEntry>,
  names: ReadonlyArray<string>,
  space: SearchSpace,
): SortedObservations {
  const n = list.length;
  const D = names.length;
  const logDims = names.map((name) => {
    const d = space[name]!;
    return d._tag !== "CategoricalDistribution" && d.log;
  });
  const prev = modelCache.get(cacheKey);
  if (prev) {
    // map old positions to new ones by walking both lists in trial-number order
    const old = prev.list;
    const map = i32(old.length).fill(-1);
    const inserted: number[] = [];
    let i = 0, j = 0;
    while (i < old.length && j < n) {
      const a = old[i]!, b = list[j]!;
      if (a === b) {
        map[i++] = j++;
      } else if (a.number < b.number) {
        i++;
      } else if (a.number > b.number) {
        inserted.push(j++);
      } else {
        i++;
        inserted.push(j++);
      }
    }
    while (j < n) inserted.push(j++);
    if (inserted.length <= n / 8 + 4) {
      const src = prev.current;
      let dst = prev.spare;
      if (!dst || dst.cap < n) dst = allocModel(Math.ceil(n * 1.25) + 16, names, space);
      // runs of kept observations move as blocks (map is increasing)
      const runs: number[] = [];
      for (let r = 0; r < old.length;) {
        const k = map[r]!;
        if (k < 0) {
          r++;
          continue;
        }
        let e = r + 1;
        while (e < old.length && map[e] === k + (e - r)) e++;
        runs.push(r, e, k);
        r = e;
      }
      for (let d = 0; d < D; d++) {
        const sc = src.cols[d]!, dc = dst.cols[d]!;
        const sk = src.keys[d], dk = dst.keys[d];
        const sker = src.kernels[d], dker = dst.kernels[d];
        for (let q = 0; q < runs.length; q += 3) {
          const r0 = runs[q]!, r1 = runs[q + 1]!, k0 = runs[q + 2]!;
          dc.set(sc.subarray(r0, r1), k0);
          if (sk !== undefined) {
            dk!.set(sk.subarray(r0, r1), k0);
            dker!.set(sker!.subarray(3 * r0, 3 * r1), 3 * k0);
          }
        }
        for (const k of inserted) {
          const v = entries[k]!.row[d]!;
          dc[k] = v;
          if (dk !== undefined) {
            dk[k] = logDims[d] ? Math.log(v) : v;
            dker![3 * k] = NaN;
          }
        }
        const so = src.orders[d], dor = dst.orders[d];
        if (so === undefined || dor === undefined) continue;
        const key = dk!;
        // inserted positions in order (few: insertion sort), merged with the kept order
        const ins = inserted.slice();
        for (let p = 1; p < ins.length; p++) {
          const cur = ins[p]!;
          let q = p - 1;
          while (q >= 0 && before(key[cur]!, cur, key[ins[q]!]!, ins[q]!)) {
            ins[q + 1] = ins[q]!;
            q--;
          }
          ins[q + 1] = cur;
        }
        let w = 0, q = 0;
        for (let r = 0; r < prev.n; r++) {
          const k = map[so[r]!]!;
          if (k < 0) continue;
          while (q < ins.length && before(key[ins[q]!]!, ins[q]!, key[k]!, k)) dor[w++] = ins[q++]!;
          dor[w++] = k;
        }
        while (q < ins.length) dor[w++] = ins[q++]!;
      }
      prev.spare = src;
      prev.current = dst;
      prev.list = list;
      prev.n = n;
      modelCache.delete(cacheKey);
      modelCache.set(cacheKey, prev);
      return viewOf(dst, n);
    }
  }
  // fresh: gather, transform and sort
  const m = allocModel(n, names, space);
  for (let i = 0; i < n; i++) {
    const row = entries[i]!.row;
    for (let d = 0; d < D; d++) m.cols[d]![i] = row[d]!;
  }
  for (let d = 0; d < D; d++) {
    const key = m.keys[d];
    if (key === undefined) continue;
    const c = m.cols[d]!;
    for (let i = 0; i < n; i++) key[i] = logDims[d] ? Math.log(c[i]!) : c[i]!;
    argsortStable(key, n, m.orders[d]!);
    m.kernels[d]!.fill(NaN);
  }
  modelCache.delete(cacheKey);
  modelCache.set(cacheKey, { list, n, current: m, spare: prev?.spare });
  if (modelCache.size > MODEL_CACHE_SIZE) {
    modelCache.delete(modelCache.keys().next().value as string);
  }
  return viewOf(m, n);
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
  | { prefix: ReadonlyArray<FrozenTrial>; state: Map<string, Distribution> | undefined }
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
  if (last && last.prefix.length <= trials.length) {
    let same = true;
    for (let i = last.prefix.length - 1; i >= 0; i--) {
      if (trials[i] !== last.prefix[i]) {
        same = false;
        break;
      }
    }
    if (same) {
      start = last.prefix.length;
      s = last.state;
    }
  }
  let prefixEnd = start;
  while (prefixEnd < trials.length && isFinal(trials[prefixEnd]!.state)) prefixEnd++;
  for (let i = start; i < trials.length; i++) {
    const t = trials[i]!;
    if (i === prefixEnd) lastIntersection = { prefix: trials.slice(0, prefixEnd), state: s };
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
    lastIntersection = { prefix: trials.slice(0, prefixEnd), state: s };
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
  let n = 0;
  for (const t of trials) if (t.state !== "RUNNING") n++;
  const infos = infosFor(trials);
  const split = splitTrials(trials, directions, gammaOf(cfg.gamma, n, directions.length), infos);
  const params = {
    priorWeight: cfg.priorWeight,
    considerMagicClip: cfg.considerMagicClip,
    considerEndpoints: cfg.considerEndpoints,
  };
  const lo = observations(split.below, names, space, cfg.multivariate, split.belowInfos);
  let wBelow: Float64Array;
  if (directions.length > 1) {
    if (cfg.multiObjectiveWeights === "hypervolume") {
      // Optuna 4.x: hypervolume contributions of the feasible good trials, 1e-12 otherwise
      const feasible = split.below.map((t) => infeasibilityOf(t) <= 0);
      const pts = split.below.filter((_, i) => feasible[i]).map((t) =>
        directions.map((_, k) => lossOf(t, directions, k))
      );
      const hw = hypervolumeWeights(pts);
      const all = new Float64Array(split.below.length).fill(1e-12);
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
  const hi = observations(split.above, names, space, cfg.multivariate, split.aboveInfos);
  const sorted = sortedObservations(`above\u0002${hi.key}`, hi.list, hi.entries, names, space);
  const above = buildEstimator(
    sorted.cols,
    hi.n,
    names,
    space,
    observationWeights(cfg.weights, hi.n),
    params,
    sorted.orders,
    sorted.kernels,
    sorted.keys,
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
