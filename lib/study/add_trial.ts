/**
 * Trials made by hand: {@link createTrial} builds a validated finished (or waiting) trial, as
 * Optuna's `optuna.trial.create_trial`; {@link addTrial} and {@link addTrials} store such
 * trials (or trials of another study) in a study, as `study.add_trial(s)`, so that samplers
 * learn from evaluations made elsewhere.
 *
 * @example Warm-start a study with known results
 * ```ts
 * import {
 *   addTrials, createStudy, createTrial, floatDistribution, getBestTrial, getOrThrow, runOrThrow,
 * } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const x = getOrThrow(floatDistribution(-10, 10));
 * const study = await runOrThrow(createStudy());
 * await runOrThrow(addTrials(study, [
 *   getOrThrow(createTrial({ params: { x: 2 }, distributions: { x }, value: 4 })),
 *   getOrThrow(createTrial({ params: { x: 1 }, distributions: { x }, value: 1 })),
 * ]));
 * assert.equal((await runOrThrow(getBestTrial(study))).params.x, 1);
 * ```
 *
 * @module
 */
import { type Either, genEither, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import {
  type Attrs,
  type FrozenTrial,
  isFinished,
  TRIAL_STATES,
  type TrialState,
  trialTemplate,
} from "../core/trial.ts";
import { normaliseTemplate } from "../storage/rules.ts";
import { withStudy } from "./_live.ts";
import type { Study } from "./study.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Arguments of {@link createTrial} (Optuna's `create_trial`).
 *
 * @category model
 */
export interface CreateTrialArgs {
  /**
   * The trial's state: COMPLETE, PRUNED, FAIL or WAITING (RUNNING is refused).
   *
   * @default {"COMPLETE"}
   */
  readonly state?: TrialState;
  /**
   * The objective value of a single-objective trial (exclusive with `values`).
   *
   * @default {undefined}
   */
  readonly value?: number;
  /**
   * The objective values, one per objective (exclusive with `value`).
   *
   * @default {undefined}
   */
  readonly values?: ReadonlyArray<number>;
  /**
   * Parameter values (external: the float, the int, the categorical choice).
   *
   * @default {{}}
   */
  readonly params?: Readonly<Record<string, ParamValue>>;
  /**
   * The distribution of each parameter (the same names as `params`; each value must lie in it).
   *
   * @default {{}}
   */
  readonly distributions?: Readonly<Record<string, Distribution>>;
  /**
   * User attributes.
   *
   * @default {{}}
   */
  readonly userAttrs?: Attrs;
  /**
   * System attributes.
   *
   * @default {{}}
   */
  readonly systemAttrs?: Attrs;
  /**
   * Intermediate values by step.
   *
   * @default {{}}
   */
  readonly intermediateValues?: Readonly<Record<number, number>>;
  /**
   * Constraint values by name (stored as `constraints:<name>`, Optuna's `set_constraint`); the
   * trial is feasible when all are 0 or less.
   *
   * @default {{}}
   */
  readonly constraints?: Readonly<Record<string, number>>;
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

const bad = (field: string, value: unknown, expected: string) =>
  left(invalidArgument({ field, value, expected }));

function checkDatetimes(trial: FrozenTrial): Either<HyperionError, void> {
  if (trial.state !== "WAITING" && typeof trial.datetimeStart !== "number") {
    return bad("datetimeStart", trial.datetimeStart, "a time when the state is not WAITING");
  }
  if (isFinished(trial.state) && typeof trial.datetimeComplete !== "number") {
    return bad("datetimeComplete", trial.datetimeComplete, "a time for a finished trial");
  }
  if (!isFinished(trial.state) && trial.datetimeComplete !== null) {
    return bad("datetimeComplete", trial.datetimeComplete, "null for an unfinished trial");
  }
  return right(undefined);
}

/**
 * Optuna's `FrozenTrial._validate`: datetimes set as the state needs, values for COMPLETE (no
 * NaN) and none for FAIL, the same names in `params` and `distributions`, each value inside its
 * distribution, JSON attributes.
 */
function validateTrial(trial: FrozenTrial, field: string): Either<HyperionError, void> {
  if (typeof trial !== "object" || trial === null) {
    return bad(field, trial, "a trial (from createTrial or another study)");
  }
  return genEither(function* (_) {
    yield* _(checkDatetimes(trial));
    yield* _(normaliseTemplate(trialTemplate(trial), 0));
  });
}

function checkObjectives(study: Study, trial: FrozenTrial): Either<HyperionError, void> {
  const n = study.directions.length;
  if (trial.values !== null && trial.values.length !== n) {
    return bad(
      "values",
      trial.values,
      `${n} value(s), one per objective of study '${study.studyName}'`,
    );
  }
  return right(undefined);
}

function valuesOf(args: CreateTrialArgs): Either<HyperionError, ReadonlyArray<number> | null> {
  if (args.value !== undefined && args.values !== undefined) {
    return bad("value", args.value, "either 'value' or 'values', not both");
  }
  if (args.value !== undefined) {
    return typeof args.value === "number"
      ? right([args.value])
      : bad("value", args.value, "a number");
  }
  if (args.values === undefined) return right(null);
  return Array.isArray(args.values)
    ? right(args.values)
    : bad("values", args.values, "an array of numbers");
}

function constraintAttrs(args: CreateTrialArgs): Either<HyperionError, Attrs> {
  const out: Record<string, number> = {};
  const constraints = args.constraints ?? {};
  if (typeof constraints !== "object" || constraints === null) {
    return bad("constraints", constraints, "an object of numbers by name");
  }
  for (const [key, value] of Object.entries(constraints)) {
    if (typeof value !== "number" || Number.isNaN(value)) {
      return bad(`constraints.${key}`, value, "a number other than NaN");
    }
    out[`constraints:${key}`] = value;
  }
  return right(out);
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A validated trial to add to a study with {@link addTrial} (Optuna's `create_trial`): number
 * and id are −1 until it is added; it starts (and, when finished, completes) now, a WAITING
 * trial has no times. `InvalidArgument` naming the field for values missing from a COMPLETE
 * trial, values on a FAIL trial, NaN, both `value` and `values`, `params` and `distributions`
 * naming different parameters, a value outside its distribution, or a RUNNING state.
 *
 * @example A pruned trial with intermediate values
 * ```ts
 * import { createTrial, getOrThrow, intDistribution } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const n = getOrThrow(intDistribution(1, 8));
 * const t = getOrThrow(createTrial({
 *   state: "PRUNED", params: { n: 3 }, distributions: { n }, intermediateValues: { 0: 0.9, 1: 0.7 },
 * }));
 * assert.equal(t.state, "PRUNED");
 * assert.equal((createTrial({ params: { n: 9 }, distributions: { n }, value: 1 }))._tag, "Left");
 * ```
 *
 * @category constructors
 */
export function createTrial(args: CreateTrialArgs = {}): Either<HyperionError, FrozenTrial> {
  if (typeof args !== "object" || args === null) return bad("args", args, "an object");
  const state = args.state ?? "COMPLETE";
  if (!TRIAL_STATES.includes(state) || state === "RUNNING") {
    return bad("state", state, "'COMPLETE', 'PRUNED', 'FAIL' or 'WAITING'");
  }
  return genEither(function* (_) {
    const values = yield* _(valuesOf(args));
    const constraints = yield* _(constraintAttrs(args));
    const now = Date.now();
    const start = state === "WAITING" ? null : now;
    const trial: FrozenTrial = {
      number: -1,
      trialId: -1,
      state,
      values,
      params: args.params ?? {},
      distributions: args.distributions ?? {},
      intermediateValues: args.intermediateValues ?? {},
      userAttrs: args.userAttrs ?? {},
      systemAttrs: { ...(args.systemAttrs ?? {}), ...constraints },
      datetimeStart: start,
      datetimeComplete: isFinished(state) ? start : null,
    };
    yield* _(validateTrial(trial, "args"));
    return trial;
  });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Adds a trial (from {@link createTrial}, or a trial of another study) to the study after
 * validating it as Optuna's `add_trial` does (see {@link createTrial}; the values must be one
 * per objective of this study). Returns the stored trial, numbered in this study. Nothing is
 * stored when it is invalid.
 *
 * @example Copy the best trial of one study into another
 * ```ts
 * import { addTrial, createStudy, createTrial, getBestTrial, getOrThrow, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const a = await runOrThrow(createStudy());
 * await runOrThrow(addTrial(a, getOrThrow(createTrial({ value: 0.5 }))));
 * const b = await runOrThrow(createStudy());
 * const copy = await runOrThrow(addTrial(b, await runOrThrow(getBestTrial(a))));
 * assert.deepEqual([copy.number, copy.values], [0, [0.5]]);
 * assert.equal((await addTrial(b, getOrThrow(createTrial({ values: [1, 2] })))())._tag, "Left");
 * ```
 *
 * @category combinators
 */
export function addTrial(study: Study, trial: FrozenTrial): TaskEither<HyperionError, FrozenTrial> {
  return withStudy(
    study,
    () => () =>
      addNow(study, [trial]).then((r) => r._tag === "Left" ? r : right(r.right[0] as FrozenTrial)),
  );
}

/**
 * Adds several trials (see {@link addTrial}) in order; every trial is validated before any is
 * stored, so a bad one leaves the study unchanged.
 *
 * @example All or nothing
 * ```ts
 * import { addTrials, createStudy, createTrial, getOrThrow, getTrials, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const good = getOrThrow(createTrial({ value: 1 }));
 * const bad = { ...good, values: null };
 * assert.equal((await addTrials(study, [good, bad])())._tag, "Left");
 * assert.equal((await runOrThrow(getTrials(study))).length, 0);
 * ```
 *
 * @category combinators
 */
export function addTrials(
  study: Study,
  trials: ReadonlyArray<FrozenTrial>,
): TaskEither<HyperionError, ReadonlyArray<FrozenTrial>> {
  return withStudy(study, () => () => addNow(study, trials));
}

async function addNow(
  study: Study,
  trials: ReadonlyArray<FrozenTrial>,
): Promise<Either<HyperionError, ReadonlyArray<FrozenTrial>>> {
  if (!Array.isArray(trials)) return bad("trials", trials, "an array of trials");
  for (const [i, trial] of trials.entries()) {
    const field = trials.length === 1 ? "trial" : `trials[${i}]`;
    const ok = validateTrial(trial, field);
    if (ok._tag === "Left") return ok;
    const objectives = checkObjectives(study, trial);
    if (objectives._tag === "Left") return objectives;
  }
  const out: FrozenTrial[] = [];
  for (const trial of trials) {
    const stored = await study.storage.createTrial(study.studyId, trialTemplate(trial))();
    if (stored._tag === "Left") return stored;
    out.push(stored.right);
  }
  return right(out);
}
