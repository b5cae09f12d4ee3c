/**
 * Trial records: {@link FrozenTrial}, the immutable snapshot of a trial as stored, its
 * {@link TrialState} and the state-transition rules.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import { invalidArgument, trialNotUpdatable } from "./errors.ts";
import type { Distribution } from "./distributions.ts";
import type { JsonValue, ParamValue } from "./json.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A trial's state. Only RUNNING and WAITING trials can be updated; COMPLETE, PRUNED and FAIL
 * are final.
 *
 * @category model
 */
export type TrialState = "RUNNING" | "COMPLETE" | "PRUNED" | "FAIL" | "WAITING";

/**
 * Every trial state, in Optuna's enum order.
 *
 * @category model
 */
export const TRIAL_STATES: ReadonlyArray<TrialState> = [
  "RUNNING",
  "COMPLETE",
  "PRUNED",
  "FAIL",
  "WAITING",
];

/**
 * A string-keyed map of JSON values (user and system attributes).
 *
 * @category model
 */
export type Attrs = Readonly<Record<string, JsonValue>>;

/**
 * The immutable record of a trial as stored.
 *
 * @category model
 */
export interface FrozenTrial {
  /** 0-based, consecutive per study. */
  readonly number: number;
  /** Storage-wide id. */
  readonly trialId: number;
  /** Current state. */
  readonly state: TrialState;
  /** Objective values (one per direction), or `null` when none were recorded. */
  readonly values: ReadonlyArray<number> | null;
  /** Parameter name → external value. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Parameter name → distribution (same keys as `params`). */
  readonly distributions: Readonly<Record<string, Distribution>>;
  /** Step → reported value (may hold NaN and ±Infinity). */
  readonly intermediateValues: Readonly<Record<number, number>>;
  /** User attributes. */
  readonly userAttrs: Attrs;
  /** System attributes (`fixed_params`, rung values, …). */
  readonly systemAttrs: Attrs;
  /** Start time in epoch milliseconds, `null` for WAITING trials. */
  readonly datetimeStart: number | null;
  /** Completion time in epoch milliseconds, `null` for unfinished trials. */
  readonly datetimeComplete: number | null;
}

/**
 * What a new trial is created from: a state plus optional contents (for enqueued trials,
 * copies and retries).
 *
 * @category model
 */
export interface TrialTemplate {
  /** Initial state (RUNNING for `ask`, WAITING for `enqueueTrial`). */
  readonly state: TrialState;
  /** Objective values. @default {null} */
  readonly values?: ReadonlyArray<number> | null;
  /** Parameters as external values. @default {{}} */
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** Distributions of `params`. @default {{}} */
  readonly distributions?: Readonly<Record<string, Distribution>>;
  /** Intermediate values. @default {{}} */
  readonly intermediateValues?: Readonly<Record<number, number>>;
  /** User attributes. @default {{}} */
  readonly userAttrs?: Attrs;
  /** System attributes. @default {{}} */
  readonly systemAttrs?: Attrs;
  /** Start time (epoch ms); defaults to now for non-WAITING states. */
  readonly datetimeStart?: number | null;
  /** Completion time (epoch ms); defaults to now for finished states. */
  readonly datetimeComplete?: number | null;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The template that creates a copy of `trial` (same state, values, parameters, intermediate
 * values, attributes and datetimes) in another study or storage; its number and id are the new
 * study's.
 *
 * @example Copy a finished trial into another storage
 * ```ts
 * import { memoryStorage, runOrThrow, type FrozenTrial } from "@hyperion/tune";
 * import { trialTemplate } from "./trial.ts";
 * import assert from "node:assert/strict";
 *
 * const trial: FrozenTrial = {
 *   number: 7, trialId: 12, state: "COMPLETE", values: [0.5], params: {}, distributions: {},
 *   intermediateValues: { 1: 0.9 }, userAttrs: {}, systemAttrs: {}, datetimeStart: 1000,
 *   datetimeComplete: 2000,
 * };
 * const storage = memoryStorage();
 * const study = await runOrThrow(storage.createStudy({ studyName: "s", directions: ["minimize"] }));
 * const copy = await runOrThrow(storage.createTrial(study.studyId, trialTemplate(trial)));
 * assert.deepEqual({ ...copy, number: 7, trialId: 12 }, trial);
 * ```
 *
 * @category constructors
 */
export function trialTemplate(trial: FrozenTrial): TrialTemplate {
  return {
    state: trial.state,
    values: trial.values,
    params: trial.params,
    distributions: trial.distributions,
    intermediateValues: trial.intermediateValues,
    userAttrs: trial.userAttrs,
    systemAttrs: trial.systemAttrs,
    datetimeStart: trial.datetimeStart,
    datetimeComplete: trial.datetimeComplete,
  };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * True for COMPLETE, PRUNED and FAIL.
 *
 * @category queries
 */
export function isFinished(state: TrialState): boolean {
  return state === "COMPLETE" || state === "PRUNED" || state === "FAIL";
}

/**
 * The largest reported step, or `undefined` when nothing was reported.
 *
 * @category queries
 */
export function lastStep(trial: FrozenTrial): number | undefined {
  let last: number | undefined;
  for (const key in trial.intermediateValues) {
    const step = Number(key);
    if (last === undefined || step > last) last = step;
  }
  return last;
}

/**
 * The reported steps in ascending order.
 *
 * @category queries
 */
export function reportedSteps(trial: FrozenTrial): ReadonlyArray<number> {
  return Object.keys(trial.intermediateValues).map(Number).sort((a, b) => a - b);
}

/**
 * Checks that a trial may be written to (RUNNING or WAITING).
 *
 * @category queries
 */
export function checkUpdatable(
  trial: Pick<FrozenTrial, "number" | "state">,
  operation?: string,
): Either<HyperionError, void> {
  if (isFinished(trial.state)) {
    return left(trialNotUpdatable({
      trialNumber: trial.number,
      state: trial.state,
      ...(operation === undefined ? {} : { operation }),
    }));
  }
  return right(undefined);
}

/**
 * Validates a requested state transition: writes go only to RUNNING/WAITING trials; RUNNING may
 * be requested only for a WAITING trial (a claim; `right(false)` when it is no longer
 * WAITING); WAITING is never a target; COMPLETE needs values; FAIL takes none.
 *
 * @category queries
 */
export function checkTransition(
  trial: Pick<FrozenTrial, "number" | "state">,
  next: TrialState,
  values: ReadonlyArray<number> | null | undefined,
): Either<HyperionError, boolean> {
  const updatable = checkUpdatable(trial, `set the state of`);
  if (updatable._tag === "Left") return updatable;
  if (next === "WAITING" || !TRIAL_STATES.includes(next)) {
    return left(invalidArgument({
      field: "state",
      value: next,
      expected: "'RUNNING', 'COMPLETE', 'PRUNED' or 'FAIL'",
    }));
  }
  if (next === "RUNNING") return right(trial.state === "WAITING");
  if (next === "COMPLETE" && (values === null || values === undefined)) {
    return left(invalidArgument({
      field: "values",
      value: values ?? null,
      expected: "objective values for a COMPLETE trial",
    }));
  }
  if (next === "FAIL" && values !== null && values !== undefined) {
    return left(invalidArgument({
      field: "values",
      value: values,
      expected: "no values for a FAIL trial",
    }));
  }
  return right(true);
}
