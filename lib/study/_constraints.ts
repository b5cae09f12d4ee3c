/**
 * The study's constraints function run by `tell` (Optuna's `_process_constraints_after_trial`):
 * for a trial finishing COMPLETE or PRUNED, its constraint values are stored as the trial's
 * `constraints` system attribute before the sampler's `afterTrial` runs.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import { describeCause, type HyperionError, invalidArgument } from "../errors.ts";
import type { FrozenTrial, TrialState } from "../core/trial.ts";
import type { Study } from "./study.ts";

/** What the constraints step leaves: the trial as the hook sees it, and the function's error. */
export interface Constrained {
  readonly frozen: FrozenTrial;
  readonly error: HyperionError | undefined;
}

/** The constraint values, or why they are unusable (NaN, not an array of numbers, a throw). */
function evaluate(
  study: Study,
  trial: FrozenTrial,
): { readonly values: ReadonlyArray<number> | null; readonly error: HyperionError | undefined } {
  const fail = (value: unknown, expected: string) => ({
    values: null,
    error: invalidArgument({ field: "constraintsFunc", value, expected }),
  });
  let out: unknown;
  try {
    out = (study.constraintsFunc as (t: FrozenTrial) => unknown)(trial);
  } catch (cause) {
    return fail(describeCause(cause), `constraint values of trial ${trial.number} (it threw)`);
  }
  if (!Array.isArray(out) || !out.every((c) => typeof c === "number")) {
    return fail(out, `an array of numbers for trial ${trial.number}`);
  }
  if (out.some((c) => Number.isNaN(c))) {
    return fail(out, `constraint values other than NaN for trial ${trial.number}`);
  }
  return { values: out, error: undefined };
}

/**
 * Runs the study's constraints function for a trial finishing in `state` with `values` and
 * stores the result (`null` when the function failed, as Optuna); Left only when the storage
 * write fails.
 */
export async function applyConstraints(
  study: Study,
  frozen: FrozenTrial,
  state: TrialState,
  values: ReadonlyArray<number> | null,
): Promise<Either<HyperionError, Constrained>> {
  if (study.constraintsFunc === undefined || (state !== "COMPLETE" && state !== "PRUNED")) {
    return right({ frozen, error: undefined });
  }
  const { values: constraints, error } = evaluate(study, { ...frozen, state, values });
  const written = await study.storage.setTrialAttr({
    id: frozen.trialId,
    kind: "system",
    key: "constraints",
    value: constraints === null ? null : [...constraints],
  })();
  if (written._tag === "Left") return written;
  return right({
    frozen: { ...frozen, systemAttrs: { ...frozen.systemAttrs, constraints } },
    error,
  });
}
