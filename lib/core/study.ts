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
 * The best COMPLETE trial of a single-objective study (the earliest wins ties), or
 * `undefined` when none is complete or the study is multi-objective.
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
    if (Number.isNaN(v)) continue;
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
 * The COMPLETE trials no other COMPLETE trial dominates, in number order; duplicates of a front
 * point are all kept (as Optuna does).
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
    t.state === "COMPLETE" && t.values !== null && t.values.length === directions.length
  );
  const points = complete.map((t) => orientedValues(t.values as ReadonlyArray<number>, directions));
  const front: FrozenTrial[] = [];
  for (let i = 0; i < complete.length; i++) {
    const p = points[i] as ReadonlyArray<number>;
    if (!points.some((q, j) => j !== i && dominates(q, p))) front.push(complete[i] as FrozenTrial);
  }
  return front.sort((a, b) => a.number - b.number);
}
