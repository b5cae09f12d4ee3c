/**
 * Metric names: one name per objective, stored as Optuna stores them (the study system
 * attribute `study:metric_names`), so optuna-dashboard and `study.metric_names` in Python show
 * them.
 *
 * @module
 */
import { gen, left, map, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { withStudy } from "./_live.ts";
import type { Study } from "./study.ts";

/** The study system attribute Optuna keeps the metric names in. */
const METRIC_NAMES_KEY = "study:metric_names";

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Names the study's objectives, one name per direction (Optuna's `study.set_metric_names`).
 * `InvalidArgument` when the count differs from the number of objectives or a name is not a
 * string; nothing is stored then.
 *
 * @example Name two objectives
 * ```ts
 * import { createStudy, getMetricNames, runOrThrow, setMetricNames } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ directions: ["minimize", "maximize"] }));
 * await runOrThrow(setMetricNames(study, ["loss", "accuracy"]));
 * assert.deepEqual(await runOrThrow(getMetricNames(study)), ["loss", "accuracy"]);
 * ```
 *
 * @category combinators
 */
export function setMetricNames(
  study: Study,
  names: ReadonlyArray<string>,
): TaskEither<HyperionError, void> {
  return withStudy(study, () =>
    gen(function* (_) {
      if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
        return yield* _(left(invalidArgument({
          field: "names",
          value: names,
          expected: "an array of strings, one per objective",
        })));
      }
      if (names.length !== study.directions.length) {
        return yield* _(left(invalidArgument({
          field: "names",
          value: names,
          expected: `as many names as objectives (${study.directions.length}): the number of ` +
            "objectives must match the length of the metric names",
        })));
      }
      return yield* _(study.storage.setStudyAttr({
        id: study.studyId,
        kind: "system",
        key: METRIC_NAMES_KEY,
        value: [...names],
      }));
    }));
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The study's metric names (see {@link setMetricNames}), or `undefined` when none were set
 * (Optuna's `study.metric_names`).
 *
 * @example Before and after naming
 * ```ts
 * import { createStudy, getMetricNames, runOrThrow, setMetricNames } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * assert.equal(await runOrThrow(getMetricNames(study)), undefined);
 * await runOrThrow(setMetricNames(study, ["rmse"]));
 * assert.deepEqual(await runOrThrow(getMetricNames(study)), ["rmse"]);
 * ```
 *
 * @category queries
 */
export function getMetricNames(
  study: Study,
): TaskEither<HyperionError, ReadonlyArray<string> | undefined> {
  return withStudy(study, () =>
    map(study.storage.getStudyById(study.studyId), (record) => {
      const names = record.systemAttrs[METRIC_NAMES_KEY];
      return Array.isArray(names) && names.every((n) => typeof n === "string")
        ? names as ReadonlyArray<string>
        : undefined;
    }));
}
