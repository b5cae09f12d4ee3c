/**
 * Constraints on a running trial: Optuna 5.0's `Trial.set_constraint`. A constraint value is
 * stored as the trial's system attribute `constraints:<key>`; the trial is feasible when every
 * constraint is zero or less. TPE, GP, NSGA-II and the best-trial queries read these attributes,
 * and Python Optuna reads ours (and we read its).
 *
 * @example A constrained objective
 * ```ts
 * import { ask, createStudy, runOrThrow, setConstraint, suggestFloat, tell } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const trial = await runOrThrow(ask(study));
 * const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
 * await runOrThrow(setConstraint(trial, "budget", x - 0.5));
 * const done = await runOrThrow(tell(study, trial, { values: [x] }));
 * assert.equal(done.systemAttrs["constraints:budget"], x - 0.5);
 * ```
 *
 * @module
 */
import { gen, left, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { checkTrialHandle, guard } from "./_live.ts";
import type { Trial } from "./trial.ts";

/** The system-attribute prefix of a constraint value, as Optuna 5.0 writes it. */
const CONSTRAINTS_KEY = "constraints";

/**
 * Sets the constraint `key` of a running trial to `value` (feasible when ≤ 0), as Optuna 5.0's
 * `Trial.set_constraint`: stored as the system attribute `constraints:<key>`. A constraint that
 * is already set keeps its first value (Optuna warns and ignores the second); `NaN` is refused.
 *
 * @example
 * ```ts
 * import { ask, createStudy, runOrThrow, setConstraint } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const trial = await runOrThrow(ask(study));
 * const bad = await setConstraint(trial, "c", NaN)();
 * assert.equal(bad._tag, "Left");
 * ```
 *
 * @category combinators
 */
export function setConstraint(
  trial: Trial,
  key: string,
  value: number,
): TaskEither<HyperionError, void> {
  return guard(
    "set the constraint",
    gen(function* (_) {
      const live = yield* _(checkTrialHandle(trial));
      if (typeof value !== "number" || Number.isNaN(value)) {
        return yield* _(left(invalidArgument({
          field: `constraints:${key}`,
          value,
          expected: "a number other than NaN (feasible when zero or less)",
        })));
      }
      const attr = `${CONSTRAINTS_KEY}:${key}`;
      if (attr in live.frozen.systemAttrs) return;
      yield* _(
        trial.study.storage.setTrialAttr({ id: trial.trialId, kind: "system", key: attr, value }),
      );
      live.frozen = { ...live.frozen, systemAttrs: { ...live.frozen.systemAttrs, [attr]: value } };
    }),
  );
}
