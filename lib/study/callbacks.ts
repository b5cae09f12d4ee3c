/**
 * Ready-made `optimize` callbacks: {@link maxTrialsCallback}, a study-wide trial budget that
 * every worker honours (Optuna's `MaxTrialsCallback`).
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { TRIAL_STATES, type TrialState } from "../core/trial.ts";
import type { CallbackResult, OptimizeCallback } from "./optimize_options.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link maxTrialsCallback}.
 *
 * @category model
 */
export interface MaxTrialsOptions {
  /**
   * The states that count towards the budget; `null` counts every trial (WAITING and RUNNING
   * included), as Optuna's `states=None`.
   *
   * @default {["COMPLETE"]}
   */
  readonly states?: ReadonlyArray<TrialState> | null;
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

function checkMaxTrials(
  nTrials: unknown,
  options: unknown,
): Either<HyperionError, ReadonlyArray<TrialState> | undefined> {
  if (typeof nTrials !== "number" || !Number.isInteger(nTrials) || nTrials < 0) {
    return left(
      invalidArgument({ field: "nTrials", value: nTrials, expected: "a non-negative integer" }),
    );
  }
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return left(invalidArgument({
      field: "options",
      value: options,
      expected: "an object such as { states: ['COMPLETE', 'PRUNED'] }",
    }));
  }
  const states = (options as MaxTrialsOptions).states;
  if (states === null) return right(undefined);
  if (states === undefined) return right(["COMPLETE"]);
  if (!Array.isArray(states) || !states.every((s) => TRIAL_STATES.includes(s))) {
    return left(invalidArgument({
      field: "states",
      value: states,
      expected: "an array of 'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL' or 'WAITING', or null",
    }));
  }
  return right(states);
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A callback that stops `optimize` once the study holds `nTrials` trials in `states` (COMPLETE
 * by default), counting every worker's and every earlier run's trials — unlike `nTrials` of
 * `optimize`, which counts only the trials of that call. Each worker (process, or `optimize`
 * call) that has it stops after its trials in flight, so a few more trials than the budget
 * may finish when workers run at once, as in Optuna. Bad arguments are a `Left`.
 *
 * @example A study-wide budget of 10 COMPLETE trials over two runs
 * ```ts
 * import { createStudy, getOrThrow, getTrials, maxTrialsCallback, optimize, runOrThrow, suggestFloat, type Trial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const budget = getOrThrow(maxTrialsCallback(10));
 * const objective = async (trial: Trial) => {
 *   const x = await runOrThrow(suggestFloat(trial, "x", -1, 1));
 *   return x * x;
 * };
 * await runOrThrow(optimize(study, objective, { nTrials: 6, callbacks: [budget] }));
 * const second = await runOrThrow(optimize(study, objective, { nTrials: 100, callbacks: [budget] }));
 * assert.equal(second.nTrials, 4);
 * assert.equal(second.stoppedBy, "callback");
 * assert.equal((await runOrThrow(getTrials(study))).length, 10);
 * ```
 *
 * @category constructors
 */
export function maxTrialsCallback(
  nTrials: number,
  options: MaxTrialsOptions = {},
): Either<HyperionError, OptimizeCallback> {
  const checked = checkMaxTrials(nTrials, options);
  if (checked._tag === "Left") return checked;
  const states = checked.right;
  return right(async (study): Promise<CallbackResult> => {
    const trials = await study.storage.getAllTrials(study.studyId, { states })();
    // optimize turns a callback's throw into the run's ObjectiveFailed (a Left)
    if (trials._tag === "Left") throw new Error(trials.left.message, { cause: trials.left });
    return trials.right.length >= nTrials ? "stop" : undefined;
  });
}
