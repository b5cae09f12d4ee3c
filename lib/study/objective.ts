/**
 * Objectives: what `optimize` calls per trial, the forms its result may take, and how a result
 * is settled into an outcome (values, pruned, failed).
 *
 * @example Settle an objective's result, whatever its form
 * ```ts
 * import { ask, createStudy, right, runOrThrow } from "@hyperion/tune";
 * import { settleObjective } from "./objective.ts";
 * import assert from "node:assert/strict";
 *
 * const trial = await runOrThrow(ask(await runOrThrow(createStudy())));
 * assert.deepEqual(await settleObjective(() => Promise.resolve(right(1)), trial), { kind: "values", raw: 1 });
 * ```
 *
 * @module
 */
import type { Either, TaskEither } from "../effect/mod.ts";
import { tagOf } from "../errors.ts";
import type { Trial } from "./trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What an objective's result resolves to: one number, or one per objective.
 *
 * @category model
 */
export type ObjectiveValue = number | ReadonlyArray<number>;

/**
 * What an objective may return, all treated alike by `optimize`: a `TaskEither` (the house
 * style), a `Promise` of values or of an `Either` (an `async` function, Optuna's habit), an
 * `Either`, or the values themselves. A `Left` holding `trialPruned()` (or a thrown or rejected
 * `TrialPruned`) prunes the trial; any other `Left`, throw or rejection fails it.
 *
 * @category model
 */
export type ObjectiveResult =
  | TaskEither<unknown, ObjectiveValue>
  | Promise<ObjectiveValue | Either<unknown, ObjectiveValue>>
  | Either<unknown, ObjectiveValue>
  | ObjectiveValue;

/**
 * An objective: given a trial, its values (see {@link ObjectiveResult} for the accepted forms).
 *
 * @category model
 */
export type Objective = (trial: Trial) => ObjectiveResult;

/**
 * How an objective ended, once its result is settled (see {@link settleObjective}).
 *
 * @category model
 */
export type ObjectiveOutcome =
  | { readonly kind: "values"; readonly raw: unknown }
  | { readonly kind: "pruned"; readonly message: string }
  | { readonly kind: "failed"; readonly cause: unknown };

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === "object" || typeof v === "function") && v !== null &&
  typeof (v as { then?: unknown }).then === "function";

const isEither = (v: unknown): v is Either<unknown, unknown> =>
  typeof v === "object" && v !== null &&
  (((v as { _tag?: unknown })._tag === "Left" && "left" in v) ||
    ((v as { _tag?: unknown })._tag === "Right" && "right" in v));

function fromCause(cause: unknown): ObjectiveOutcome {
  if (tagOf(cause) !== "TrialPruned") return { kind: "failed", cause };
  const message = typeof cause === "object" && cause !== null && "message" in cause
    ? String((cause as { message: unknown }).message)
    : "";
  return { kind: "pruned", message };
}

/**
 * Runs an objective on a trial and settles whatever form its result takes (see
 * {@link ObjectiveResult}): calls a returned `TaskEither`, awaits a promise (also a promise of a
 * `TaskEither`), unwraps an `Either`; a throw or rejection anywhere becomes a failure (or a
 * prune for `TrialPruned`). Never rejects, and leaves nothing running: it resolves only once
 * the objective's work has settled.
 *
 * @category utils
 */
export async function settleObjective(
  objective: (trial: Trial) => unknown,
  trial: Trial,
): Promise<ObjectiveOutcome> {
  try {
    let result: unknown = objective(trial);
    for (let depth = 0; typeof result === "function" || isThenable(result); depth++) {
      if (depth === 4) {
        if (isThenable(result)) await Promise.resolve(result).catch(() => undefined);
        return {
          kind: "failed",
          cause: new TypeError("the objective returned effects nested more than 4 deep"),
        };
      }
      result = typeof result === "function" ? (result as () => unknown)() : await result;
    }
    if (isEither(result)) {
      return result._tag === "Right"
        ? { kind: "values", raw: result.right }
        : fromCause(result.left);
    }
    return { kind: "values", raw: result };
  } catch (cause) {
    return fromCause(cause);
  }
}
