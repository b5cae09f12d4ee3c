/**
 * Trials at run time: the {@link Trial} handle on a RUNNING trial, `report`, `shouldPrune`,
 * attributes and the trial's local view. `ask`, `tell` and the `suggest*` functions live in
 * their own modules.
 *
 * @example Ask and tell by hand
 * ```ts
 * import { ask, createStudy, report, runOrThrow, suggestInt, tell } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ direction: "maximize" }));
 * const trial = await runOrThrow(ask(study));
 * const n = await runOrThrow(suggestInt(trial, "n", 1, 10));
 * await runOrThrow(report(trial, n, 0));
 * const frozen = await runOrThrow(tell(study, trial, { values: [n * 2] }));
 * assert.equal(frozen.state, "COMPLETE");
 * ```
 *
 * @module
 */
import { type Either, gen, genEither, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, notSupported, trialNotUpdatable } from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import { type Attrs, type FrozenTrial, isFinished } from "../core/trial.ts";
import { checkAttr } from "../storage/rules.ts";
import type { PrunerContext } from "../pruners/pruner.ts";
import { checkTrialHandle, guard, releaseFrozen, trialLive } from "./_live.ts";
import type { Study } from "./study.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A live handle on a RUNNING trial.
 *
 * @category model
 */
export interface Trial {
  /** 0-based number within the study. */
  readonly number: number;
  /** Storage-wide id. */
  readonly trialId: number;
  /** The study it belongs to. */
  readonly study: Study;
  /** User attributes it was created with (for example those of `enqueueTrial`). */
  readonly userAttrs: Attrs;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The trial as this process knows it (parameters suggested and values reported so far).
 *
 * @category queries
 */
export function trialSnapshot(trial: Trial): Either<HyperionError, FrozenTrial> {
  return genEither(function* (_) {
    return releaseFrozen(yield* _(checkTrialHandle(trial)));
  });
}

/**
 * True when the trial handle has been told (it accepts no more writes).
 *
 * @category queries
 */
export function isTrialFinished(trial: Trial): boolean {
  const l = trialLive(trial);
  return l === undefined || l.finished || isFinished(l.frozen.state);
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

function checkReport(trial: Trial, value: number, step: number): Either<HyperionError, void> {
  if (trial.study.directions.length > 1) {
    return left(
      notSupported("report", "intermediate values are not supported for multi-objective studies"),
    );
  }
  if (typeof value !== "number") {
    return left(invalidArgument({ field: "value", value, expected: "a number" }));
  }
  if (typeof step !== "number" || !Number.isSafeInteger(step) || step < 0) {
    return left(
      invalidArgument({ field: "step", value: step, expected: "a non-negative integer" }),
    );
  }
  return right(undefined);
}

/**
 * Reports an intermediate value at `step` (a non-negative integer). The first value reported
 * for a step wins; later ones are ignored, as in Optuna. Refused on multi-objective studies and
 * on finished trials.
 *
 * @category combinators
 */
export function report(trial: Trial, value: number, step: number): TaskEither<HyperionError, void> {
  return guard(
    "report",
    gen(function* (_) {
      const l = yield* _(checkTrialHandle(trial));
      yield* _(checkReport(trial, value, step));
      if (l.finished) {
        return yield* _(left(trialNotUpdatable({
          trialNumber: trial.number,
          state: l.frozen.state,
          operation: "report to",
        })));
      }
      if (Object.hasOwn(l.frozen.intermediateValues, step)) return;
      yield* _(
        trial.study.storage.setTrialIntermediateValue({ trialId: trial.trialId, step, value }),
      );
      l.frozen = {
        ...l.frozen,
        intermediateValues: { ...l.frozen.intermediateValues, [step]: value },
      };
    }),
  );
}

/**
 * Asks the study's pruner whether the trial should stop now. Refused on multi-objective studies.
 * The objective then returns `Left(trialPruned())` to prune it.
 *
 * @category combinators
 */
export function shouldPrune(trial: Trial): TaskEither<HyperionError, boolean> {
  return guard(
    "decide on pruning",
    gen(function* (_) {
      const l = yield* _(checkTrialHandle(trial));
      const study = trial.study;
      if (study.directions.length > 1) {
        return yield* _(
          left(notSupported("prune", "pruning is not supported for multi-objective studies")),
        );
      }
      const [current, trials] = yield* _(bothOf(
        study.storage.getTrial(trial.trialId),
        study.storage.getAllTrials(study.studyId),
      ));
      const ctx: PrunerContext = {
        studyName: study.studyName,
        directions: study.directions,
        trials,
        trial: current,
      };
      const decision = yield* _(study.pruner.prune(ctx));
      for (const [key, value] of Object.entries(decision.trialSystemAttrs ?? {})) {
        yield* _(study.storage.setTrialAttr({ id: trial.trialId, kind: "system", key, value }));
        l.frozen = { ...l.frozen, systemAttrs: { ...l.frozen.systemAttrs, [key]: value } };
      }
      return decision.prune;
    }),
  );
}

/** Runs two effects at once; the first one's error wins, as when checked in order. */
function bothOf<E, A, B>(a: TaskEither<E, A>, b: TaskEither<E, B>): TaskEither<E, [A, B]> {
  return async () => {
    const [ra, rb] = await Promise.all([a(), b()]);
    return ra._tag === "Left" ? ra : rb._tag === "Left" ? rb : right([ra.right, rb.right]);
  };
}

/**
 * Sets a user attribute on the trial.
 *
 * @category combinators
 */
export function setUserAttr(
  trial: Trial,
  key: string,
  value: JsonValue,
): TaskEither<HyperionError, void> {
  return guard(
    "set the user attribute",
    gen(function* (_) {
      const l = yield* _(checkTrialHandle(trial));
      yield* _(checkAttr(key, value));
      yield* _(trial.study.storage.setTrialAttr({ id: trial.trialId, kind: "user", key, value }));
      l.frozen = { ...l.frozen, userAttrs: { ...l.frozen.userAttrs, [key]: value } };
    }),
  );
}
