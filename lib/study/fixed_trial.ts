/**
 * `fixedTrial`: a trial handle whose parameters are given, to run an objective once outside
 * any optimisation (Optuna's `FixedTrial`): checking an objective, or evaluating the best
 * parameters again.
 *
 * @module
 */
import { type Either, gen, left, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { ParamValue } from "../core/json.ts";
import { memoryStorage } from "../storage/memory.ts";
import { nopPruner } from "../pruners/nop.ts";
import { randomSampler } from "../samplers/random.ts";
import { checkParamValues } from "./_checks.ts";
import { attachTrial, type TrialLive } from "./_live.ts";
import { createStudy } from "./study.ts";
import type { Trial } from "./trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link fixedTrial}.
 *
 * @category model
 */
export interface FixedTrialOptions {
  /**
   * The trial number the objective sees.
   *
   * @default {0}
   */
  readonly number?: number;
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

function checkFixed(
  params: unknown,
  options: unknown,
): Either<HyperionError, number> {
  const checked = checkParamValues(params);
  if (checked._tag === "Left") return checked;
  const number = typeof options === "object" && options !== null
    ? (options as FixedTrialOptions).number ?? 0
    : options;
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 0) {
    return left(invalidArgument({
      field: "number",
      value: number,
      expected: "a non-negative integer",
    }));
  }
  return { _tag: "Right", right: number };
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A trial handle whose `suggest*` calls return the given parameters (Optuna's `FixedTrial`),
 * for running an objective without a study of your own. Suggesting a parameter that is not in
 * `params` fails with `InvalidArgument` naming it; a value outside the suggested distribution
 * is returned as it is with a WARNING (as Optuna); a categorical value that is not one of the
 * choices fails. `report`, `shouldPrune` (never prunes) and `setUserAttr` work; the handle lives
 * in a private in-memory study, so nothing is stored anywhere else.
 *
 * @example Evaluate an objective at given parameters
 * ```ts
 * import { fixedTrial, runOrThrow, suggestFloat, suggestCategorical, type Trial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const objective = async (trial: Trial) => {
 *   const x = await runOrThrow(suggestFloat(trial, "x", -10, 10));
 *   const act = await runOrThrow(suggestCategorical(trial, "act", ["relu", "tanh"]));
 *   return (x - 2) ** 2 + (act === "relu" ? 0 : 1);
 * };
 * assert.equal(await objective(await runOrThrow(fixedTrial({ x: 3, act: "tanh" }))), 2);
 * const partial = await runOrThrow(fixedTrial({ x: 3 }));
 * await assert.rejects(objective(partial)); // 'act' is not given
 * ```
 *
 * @category constructors
 */
export function fixedTrial(
  params: Readonly<Record<string, ParamValue>>,
  options: FixedTrialOptions = {},
): TaskEither<HyperionError, Trial> {
  return gen(function* (_) {
    const number = yield* _(checkFixed(params, options));
    const storage = memoryStorage();
    const study = yield* _(createStudy({
      storage,
      studyName: "fixed-trial",
      sampler: randomSampler(),
      pruner: nopPruner(),
    }));
    const frozen = yield* _(storage.createTrial(study.studyId));
    const record = yield* _(storage.getStudyById(study.studyId));
    const trial: Trial = { number, trialId: frozen.trialId, study, userAttrs: {} };
    const live: TrialLive = {
      frozen: { ...frozen, number },
      study: record,
      fixedParams: { ...params },
      fixedOnly: true,
      history: undefined,
      historyAt: -1,
      view: undefined,
      relative: undefined,
      finished: false,
    };
    attachTrial(study.runtime, trial, live);
    return trial;
  });
}
