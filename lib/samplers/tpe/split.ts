/**
 * The split of the trials into a good (`below`) and a bad (`above`) set, as Optuna 5.0's
 * `_split_trials` does it, in named steps: the best feasible COMPLETE trials first, then the best
 * PRUNED ones, then the least infeasible ones, until `nBelow` trials are good; running trials are
 * always bad. Also the size of the good set (`gamma`).
 *
 * @module
 */
import type { Direction } from "../../core/study.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import type { Alloc } from "../../math/alloc.ts";
import { HEAP } from "../../math/alloc.ts";
import {
  type LexOrderMemo,
  nonDominationRanksFlat,
  type Point,
  referencePoint,
  solveHssp,
} from "../../math/hypervolume.ts";
import type { TpeGamma } from "./options.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How the split sees a trial: not finished (running or waiting: never good), feasible COMPLETE,
 * feasible PRUNED, infeasible (positive constraint violation), or another finished state (FAIL).
 */
export const TrialClass = {
  Unfinished: 0,
  Complete: 1,
  Pruned: 2,
  Infeasible: 3,
  Other: 4,
} as const;
/** One of {@link TrialClass}. */
export type TrialClass = typeof TrialClass[keyof typeof TrialClass];

/**
 * The last hypervolume subset selection of a split, kept by a sampler's workspace (speed only:
 * the selection is a pure function of the tied losses, their positions and the subset size, so
 * a repeat of all three gives the recorded answer, as Optuna's `_solve_hssp_with_cache`).
 */
export interface HsspMemo {
  last:
    | {
      readonly losses: Float64Array;
      readonly positions: ReadonlyArray<number>;
      readonly subset: number;
      readonly selected: ReadonlyArray<number>;
    }
    | undefined;
  /** The last lexicographic order of 2-D losses (see `lexOrder2d`), when remembered. */
  readonly order?: LexOrderMemo | undefined;
}

/** What the split reads from a list of trials, aligned with it. */
export interface TrialClasses {
  /** Per trial: its {@link TrialClass}. */
  readonly kinds: Uint8Array;
  /** Per trial: the first objective value (NaN when missing). */
  readonly values: Float64Array;
  /** Per trial: the total constraint violation. */
  readonly scores: Float64Array;
  /** Per trial, when known: a record of its objective values (`trial.values`), read once. */
  readonly infos?: ReadonlyArray<
    { readonly objectives: ReadonlyArray<number> | undefined } | undefined
  >;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** Number of good trials among `n` (Optuna's gamma functions). */
export function gammaOf(spec: TpeGamma, n: number, nObjectives: number): number {
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

/** The {@link TrialClass} of a finished trial with total violation `violation`. */
export function classOf(state: FrozenTrial["state"], violation: number): TrialClass {
  if (state === "RUNNING" || state === "WAITING") return TrialClass.Unfinished;
  if (violation > 0) return TrialClass.Infeasible;
  if (state === "COMPLETE") return TrialClass.Complete;
  return state === "PRUNED" ? TrialClass.Pruned : TrialClass.Other;
}

/** The {@link TrialClasses} of a list of trials (`./fast/_history.ts` memoises the same). */
export function classify(trials: ReadonlyArray<FrozenTrial>): TrialClasses {
  const n = trials.length;
  const out = {
    kinds: new Uint8Array(n),
    values: new Float64Array(n),
    scores: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const t = trials[i]!;
    const kind = classOf(
      t.state,
      t.state === "RUNNING" || t.state === "WAITING" ? 0 : infeasibility(t),
    );
    out.kinds[i] = kind;
    if (kind === TrialClass.Unfinished) continue;
    out.values[i] = t.values?.[0] ?? NaN;
    out.scores[i] = infeasibility(t);
  }
  return out;
}

// -------------------------------------------------------------------------------------
// the split
// -------------------------------------------------------------------------------------

/**
 * Marks the good (`below`) trials among `trials` (1 in the result) in Optuna 5.0's priority
 * (`_split_trials`): feasible COMPLETE trials by objective (non-dominated fronts and hypervolume
 * subset selection with several objectives), then feasible PRUNED trials by (−last step, last
 * value), then infeasible trials by total violation; running trials are always bad.
 */
export function splitMask(
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  nBelow: number,
  classes: TrialClasses = classify(trials),
  alloc: Alloc = HEAP,
  memo?: HsspMemo,
): Uint8Array {
  const groups = groupByClass(classes, trials.length, directions[0] === "maximize" ? -1 : 1, alloc);
  const isBelow = new Uint8Array(trials.length);
  let remaining = nBelow;
  remaining -= markBestComplete(
    isBelow,
    trials,
    directions,
    groups,
    remaining,
    memo,
    classes.infos,
  );
  remaining -= markBestPruned(isBelow, trials, directions, groups.pruned, remaining);
  markLeastInfeasible(isBelow, groups, remaining);
  return isBelow;
}

/** The trials of each class the split ranks, in list order. */
interface ClassGroups {
  /** Positions of the feasible COMPLETE trials (the first `nComplete`), and their losses. */
  readonly complete: Int32Array;
  readonly losses: Float64Array;
  readonly nComplete: number;
  readonly pruned: ReadonlyArray<number>;
  readonly infeasible: ReadonlyArray<number>;
  /** The infeasible trials' violations, aligned with `infeasible`. */
  readonly violations: ReadonlyArray<number>;
}

function groupByClass(classes: TrialClasses, n: number, sign: number, alloc: Alloc): ClassGroups {
  const complete = alloc.i32(n), losses = alloc.f64(n);
  let nComplete = 0;
  const pruned: number[] = [], infeasible: number[] = [], violations: number[] = [];
  const { kinds, values } = classes;
  for (let i = 0; i < n; i++) {
    const kind = kinds[i]!;
    if (kind === TrialClass.Complete) {
      const l = sign * values[i]!;
      losses[nComplete] = l === l ? l : Infinity;
      complete[nComplete++] = i;
    } else if (kind === TrialClass.Pruned) pruned.push(i);
    else if (kind === TrialClass.Infeasible) {
      infeasible.push(i);
      violations.push(classes.scores[i]!);
    }
  }
  return { complete, losses, nComplete, pruned, infeasible, violations };
}

/** Marks the best feasible COMPLETE trials (at most `budget`); returns how many. */
function markBestComplete(
  isBelow: Uint8Array,
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  groups: ClassGroups,
  budget: number,
  memo?: HsspMemo,
  infos?: TrialClasses["infos"],
): number {
  const { complete, nComplete } = groups;
  const k = Math.max(0, Math.min(budget, nComplete));
  if (directions.length <= 1) {
    for (const q of smallest(groups.losses.subarray(0, nComplete), k)) isBelow[complete[q]!] = 1;
    return k;
  }
  const nObj = directions.length;
  const flat = new Float64Array(nComplete * nObj);
  for (let q = 0; q < nComplete; q++) {
    const i = complete[q]!;
    // the memo records are read faster than the trials (of many shapes)
    const values = infos?.[i] ? infos[i]!.objectives : trials[i]!.values;
    for (let o = 0; o < nObj; o++) flat[q * nObj + o] = lossFrom(values, directions, o);
  }
  for (const q of splitMultiObjective(flat, nComplete, nObj, k, memo)) isBelow[complete[q]!] = 1;
  return k;
}

/** Marks the best feasible PRUNED trials (at most `budget`); returns how many. */
function markBestPruned(
  isBelow: Uint8Array,
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  pruned: ReadonlyArray<number>,
  budget: number,
): number {
  const k = Math.max(0, Math.min(budget, pruned.length));
  if (k === 0) return 0;
  const keys = pruned.map((i) => prunedKey(trials[i]!, directions[0] ?? "minimize"));
  const order = stableOrder(keys, (a, b) => a[0] - b[0] || cmpNum(a[1], b[1]));
  for (let q = 0; q < k; q++) isBelow[pruned[order[q]!]!] = 1;
  return k;
}

/** Marks the least infeasible trials (at most `budget`). */
function markLeastInfeasible(isBelow: Uint8Array, groups: ClassGroups, budget: number): void {
  const k = Math.max(0, Math.min(budget, groups.infeasible.length));
  if (k === 0) return;
  const order = stableOrder(groups.violations, cmpNum);
  for (let q = 0; q < k; q++) isBelow[groups.infeasible[order[q]!]!] = 1;
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

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

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

export function lossOf(t: FrozenTrial, directions: ReadonlyArray<Direction>, k: number): number {
  return lossFrom(t.values, directions, k);
}

/** {@link lossOf} from a trial's objective values. */
function lossFrom(
  values: ReadonlyArray<number> | null | undefined,
  directions: ReadonlyArray<Direction>,
  k: number,
): number {
  const v = values?.[k] ?? NaN;
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

/**
 * Multi-objective split of COMPLETE trials (`n` loss vectors of `nObj` objectives stored flat):
 * whole non-domination fronts, then HSSP.
 */
function splitMultiObjective(
  flat: Float64Array,
  n: number,
  nObj: number,
  nBelow: number,
  memo?: HsspMemo,
): number[] {
  if (nBelow === 0) return [];
  if (nBelow >= n) return Array.from({ length: n }, (_, i) => i);
  const ranks = nonDominationRanksFlat(flat, n, nObj, nBelow, memo?.order);
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
    below.push(...tieBreak(flat, nObj, tieIdx, nBelow - below.length, memo));
  }
  return below;
}

/** HSSP of the tied trials at `tieIdx` (recalled from `memo` when its input repeats). */
function tieBreak(
  flat: Float64Array,
  nObj: number,
  tieIdx: ReadonlyArray<number>,
  subset: number,
  memo?: HsspMemo,
): ReadonlyArray<number> {
  const losses = new Float64Array(tieIdx.length * nObj);
  tieIdx.forEach((i, q) => losses.set(flat.subarray(i * nObj, i * nObj + nObj), q * nObj));
  const last = memo?.last;
  if (
    last && last.subset === subset && sameNumbers(last.positions, tieIdx) &&
    sameNumbers(last.losses, losses)
  ) return last.selected;
  const tieVals: Point[] = new Array(tieIdx.length);
  for (let q = 0; q < tieIdx.length; q++) {
    const p = new Array<number>(nObj);
    for (let o = 0; o < nObj; o++) p[o] = losses[q * nObj + o]!;
    tieVals[q] = p;
  }
  const selected = solveHssp(tieVals, tieIdx, subset, referencePoint(tieVals));
  if (memo) memo.last = { losses, positions: tieIdx, subset, selected };
  return selected;
}

/** Same length and the same numbers (`Object.is`: −0 and NaN count as themselves). */
function sameNumbers(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
