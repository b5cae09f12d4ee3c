/**
 * Study records and the pure queries over trials: best trial, Pareto front.
 *
 * @module
 */
import type { Attrs, FrozenTrial } from "./trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Optimisation direction of one objective.
 *
 * @category model
 */
export type Direction = "minimize" | "maximize";

/**
 * The immutable record of a study as stored.
 *
 * @category model
 */
export interface StudyRecord {
  /** Storage-assigned id. */
  readonly studyId: number;
  /** Unique name. */
  readonly studyName: string;
  /** One direction per objective (more than one: multi-objective). */
  readonly directions: ReadonlyArray<Direction>;
  /** User attributes. */
  readonly userAttrs: Attrs;
  /** System attributes. */
  readonly systemAttrs: Attrs;
}

/**
 * A study's summary, as `getAllStudySummaries` returns it.
 *
 * @category model
 */
export interface StudySummary {
  /** The study record. */
  readonly study: StudyRecord;
  /** Number of trials in every state. */
  readonly nTrials: number;
  /** The best COMPLETE trial (single-objective only). */
  readonly bestTrial: FrozenTrial | undefined;
  /** Earliest start time of its trials (epoch ms). */
  readonly datetimeStart: number | null;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * A trial's constraint values as Optuna 5.0's `trial.constraints` reads them: the list in the
 * system attribute `constraints` (what a constraints function writes, keyed `"0"`, `"1"`, …)
 * and each `constraints:<key>` attribute (Optuna's `trial.set_constraint`), the latter winning.
 * A trial is feasible when every value is 0 or less.
 *
 * @example Read a trial's constraints
 * ```ts
 * import { trialConstraints, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t: FrozenTrial = {
 *   number: 0, trialId: 0, state: "COMPLETE", values: [1], params: {}, distributions: {},
 *   intermediateValues: {}, userAttrs: {}, datetimeStart: 0, datetimeComplete: 0,
 *   systemAttrs: { constraints: [-1, 0.5], "constraints:memory": 0 },
 * };
 * assert.deepEqual(trialConstraints(t), { "0": -1, "1": 0.5, memory: 0 });
 * ```
 *
 * @category queries
 */
export function trialConstraints(trial: FrozenTrial): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  const attrs = trial.systemAttrs;
  const list = attrs["constraints"];
  if (Array.isArray(list)) {
    list.forEach((c, i) => {
      if (typeof c === "number") out[String(i)] = c;
    });
  }
  for (const key in attrs) {
    const value = attrs[key];
    if (key.startsWith("constraints:") && typeof value === "number") {
      out[key.slice("constraints:".length)] = value;
    }
  }
  return out;
}

/**
 * True when no constraint of the trial is violated (every value of
 * {@link trialConstraints} is 0 or less; a trial without constraints is feasible).
 *
 * @example Feasible or not
 * ```ts
 * import { isFeasible, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t = (constraints: number[]): FrozenTrial => ({
 *   number: 0, trialId: 0, state: "COMPLETE", values: [1], params: {}, distributions: {},
 *   intermediateValues: {}, userAttrs: {}, systemAttrs: { constraints }, datetimeStart: 0,
 *   datetimeComplete: 0,
 * });
 * assert.equal(isFeasible(t([-1, 0])), true);
 * assert.equal(isFeasible(t([0.1])), false);
 * ```
 *
 * @category queries
 */
export function isFeasible(trial: FrozenTrial): boolean {
  const attrs = trial.systemAttrs;
  const list = attrs["constraints"];
  if (Array.isArray(list)) {
    for (const c of list) if (typeof c === "number" && c > 0) return false;
  }
  for (const key in attrs) {
    if (key.startsWith("constraints:")) {
      const value = attrs[key];
      if (typeof value === "number" && value > 0) return false;
    }
  }
  return true;
}

/**
 * The best feasible COMPLETE trial of a single-objective study (the earliest wins ties), or
 * `undefined` when none is complete and feasible (see {@link isFeasible}) or the study is
 * multi-objective. As Optuna's `study.best_trial`, trials violating a constraint are skipped.
 *
 * @example Pick the best trial
 * ```ts
 * import { bestTrial, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t = (number: number, value: number): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values: [value], params: {}, distributions: {},
 *   intermediateValues: {}, userAttrs: {}, systemAttrs: {}, datetimeStart: 0, datetimeComplete: 0,
 * });
 * assert.equal(bestTrial([t(0, 3), t(1, 1), t(2, 1)], ["minimize"])?.number, 1);
 * ```
 *
 * @category queries
 */
export function bestTrial(
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
): FrozenTrial | undefined {
  if (directions.length !== 1) return undefined;
  const sign = directions[0] === "maximize" ? -1 : 1;
  let best: FrozenTrial | undefined;
  let bestValue = Infinity;
  for (const t of trials) {
    if (t.state !== "COMPLETE" || t.values === null) continue;
    const v = sign * (t.values[0] as number);
    if (Number.isNaN(v) || !isFeasible(t)) continue;
    if (best === undefined || v < bestValue) {
      best = t;
      bestValue = v;
    }
  }
  return best;
}

/**
 * True when `a` dominates `b`: no worse in every objective and better in at least one (values
 * already oriented so that smaller is better).
 *
 * @category queries
 */
export function dominates(a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number, y = b[i] as number;
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

/**
 * Values oriented so that every objective is minimised.
 *
 * @category queries
 */
export function orientedValues(
  values: ReadonlyArray<number>,
  directions: ReadonlyArray<Direction>,
): ReadonlyArray<number> {
  return values.map((v, i) => directions[i] === "maximize" ? -v : v);
}

/**
 * The feasible COMPLETE trials no other feasible COMPLETE trial dominates, in number order;
 * duplicates of a front point are all kept, and trials violating a constraint (see
 * {@link isFeasible}) are left out, as Optuna's `study.best_trials` does.
 *
 * @example Pareto front of two objectives
 * ```ts
 * import { paretoFront, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t = (number: number, values: number[]): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values, params: {}, distributions: {},
 *   intermediateValues: {}, userAttrs: {}, systemAttrs: {}, datetimeStart: 0, datetimeComplete: 0,
 * });
 * const front = paretoFront([t(0, [1, 2]), t(1, [2, 1]), t(2, [1, 2]), t(3, [3, 3])], ["minimize", "minimize"]);
 * assert.deepEqual(front.map((x) => x.number), [0, 1, 2]);
 * ```
 *
 * @category queries
 */
export function paretoFront(
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
): ReadonlyArray<FrozenTrial> {
  const complete = trials.filter((t) =>
    t.state === "COMPLETE" && t.values !== null && t.values.length === directions.length &&
    isFeasible(t)
  );
  const points = complete.map((t) => orientedValues(t.values as ReadonlyArray<number>, directions));
  const front: FrozenTrial[] = [];
  for (let i = 0; i < complete.length; i++) {
    const p = points[i] as ReadonlyArray<number>;
    if (!points.some((q, j) => j !== i && dominates(q, p))) front.push(complete[i] as FrozenTrial);
  }
  return front.sort((a, b) => a.number - b.number);
}
