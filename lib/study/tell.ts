/**
 * `tell`: finish a RUNNING trial. The decision (which state, which values) is a pure function
 * of the stored trial and the outcome ({@link decideTell}); then the sampler's `afterTrial` runs
 * and the state is written.
 *
 * @example Tell a value, then a pruned trial
 * ```ts
 * import { ask, createStudy, report, runOrThrow, tell } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const done = await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: 1 }));
 * assert.deepEqual(done.values, [1]);
 * const t = await runOrThrow(ask(study));
 * await runOrThrow(report(t, 0.5, 3));
 * const pruned = await runOrThrow(tell(study, t, { state: "PRUNED" }));
 * assert.deepEqual([pruned.state, pruned.values], ["PRUNED", [0.5]]);
 * ```
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../effect/mod.ts";
import {
  type HyperionError,
  invalidArgument,
  trialNotFound,
  trialNotUpdatable,
  trialOfAnotherStudy,
} from "../errors.ts";
import { type FrozenTrial, isFinished, lastStep, type TrialState } from "../core/trial.ts";
import { samplerImpl } from "../samplers/catalog.ts";
import {
  checkStudyHandle,
  checkTrialHandle,
  guard,
  type StudyRuntime,
  type TrialLive,
} from "./_live.ts";
import { checkObjectiveValues } from "./_objective_values.ts";
import { applyHook, samplerContext } from "./_sampling.ts";
import { applyConstraints } from "./_constraints.ts";
import type { Study } from "./study.ts";
import type { Trial } from "./trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What `tell` records: values (COMPLETE), or an explicit state.
 *
 * @category model
 */
export interface TellOutcome {
  /**
   * Objective values (one number, or one per objective).
   *
   * @default {undefined}
   */
  readonly values?: number | ReadonlyArray<number>;
  /**
   * The final state; without it, valid values give COMPLETE and invalid ones FAIL.
   *
   * @default {undefined}
   */
  readonly state?: TrialState;
  /**
   * When the trial is already finished (COMPLETE, PRUNED or FAIL), return it as it is instead
   * of failing with `TrialNotUpdatable` (Optuna's `skip_if_finished`).
   *
   * @default {false}
   */
  readonly skipIfFinished?: boolean;
}

/**
 * What `tell` writes: the final state and its values.
 *
 * @category model
 */
export interface TellDecision {
  /** The final state. */
  readonly state: TrialState;
  /** The values stored with it (`null` for none). */
  readonly values: ReadonlyArray<number> | null;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

function decideComplete(
  frozen: FrozenTrial,
  outcome: TellOutcome,
  nObjectives: number,
): Either<HyperionError, TellDecision> {
  const raw = outcome.values;
  if (raw === undefined) {
    return outcome.state === "COMPLETE"
      ? left(
        invalidArgument({ field: "values", value: raw, expected: "values for a COMPLETE trial" }),
      )
      : right({ state: "FAIL", values: null });
  }
  const checked = checkObjectiveValues(raw, nObjectives, frozen.number);
  if (checked._tag === "Right") return right({ state: "COMPLETE", values: checked.right });
  return outcome.state === "COMPLETE"
    ? left(invalidArgument({ field: "values", value: raw, expected: checked.left }))
    : right({ state: "FAIL", values: null });
}

/**
 * The state and values `tell` writes for a RUNNING trial and an outcome (see {@link tell});
 * `InvalidArgument` naming the field for an outcome that cannot be told.
 *
 * @category queries
 */
export function decideTell(
  frozen: FrozenTrial,
  outcome: TellOutcome,
  nObjectives: number,
): Either<HyperionError, TellDecision> {
  switch (outcome.state) {
    case undefined:
    case "COMPLETE":
      return decideComplete(frozen, outcome, nObjectives);
    case "PRUNED":
    case "FAIL": {
      if (outcome.values !== undefined) {
        return left(invalidArgument({
          field: "values",
          value: outcome.values,
          expected: `no values when the state is ${outcome.state}`,
        }));
      }
      if (outcome.state === "FAIL") return right({ state: "FAIL", values: null });
      const step = lastStep(frozen);
      const last = step === undefined ? undefined : frozen.intermediateValues[step];
      const keep = last !== undefined && !Number.isNaN(last) && nObjectives === 1;
      return right({ state: "PRUNED", values: keep ? [last] : null });
    }
    default:
      return left(invalidArgument({
        field: "state",
        value: outcome.state,
        expected: "'COMPLETE', 'PRUNED' or 'FAIL'",
      }));
  }
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

/**
 * `InvalidArgument` naming the trial and both studies when the handle belongs to another study
 * or another storage than `study`.
 */
function checkOwnStudy(study: Study, trial: Trial): Either<HyperionError, void> {
  const own = trial.study;
  if (own === study || (own.storage === study.storage && own.studyId === study.studyId)) {
    return right(undefined);
  }
  return left(trialOfAnotherStudy({
    operation: "tell",
    trialNumber: trial.number,
    trialStudy: { studyName: own.studyName, url: own.storage.url },
    study: { studyName: study.studyName, url: study.storage.url },
  }));
}

/** What `tell` found: the stored trial, and its live state when given a handle. */
interface Found {
  readonly frozen: FrozenTrial;
  readonly l: TrialLive | undefined;
}

/** The stored trial `tell` finishes, and its live state when given a handle. */
async function findTrial(
  study: Study,
  trialOrNumber: Trial | number,
): Promise<Either<HyperionError, Found>> {
  if (typeof trialOrNumber === "number") {
    const trials = await study.storage.getAllTrials(study.studyId)();
    if (trials._tag === "Left") return trials;
    const t = trials.right.find((x) => x.number === trialOrNumber);
    return t ? right({ frozen: t, l: undefined }) : left(trialNotFound(trialOrNumber));
  }
  const l = checkTrialHandle(trialOrNumber);
  if (l._tag === "Left") return l;
  const own = checkOwnStudy(study, trialOrNumber);
  if (own._tag === "Left") return own;
  const frozen = await study.storage.getTrial(trialOrNumber.trialId)();
  if (frozen._tag === "Left") return frozen;
  if (frozen.right.number !== trialOrNumber.number) {
    return left(trialOfAnotherStudy({
      operation: "tell",
      trialNumber: trialOrNumber.number,
      trialStudy: { studyName: trialOrNumber.study.studyName, url: study.storage.url },
      study: { studyName: study.studyName, url: study.storage.url },
    }));
  }
  return right({ frozen: frozen.right, l: l.right });
}

/** The live state the `afterTrial` hook sees: the handle's, or a fresh one for a number. */
async function hookLive(study: Study, found: Found): Promise<Either<HyperionError, TrialLive>> {
  if (found.l) return right(found.l);
  const record = await study.storage.getStudyById(study.studyId)();
  if (record._tag === "Left") return record;
  return right({
    frozen: found.frozen,
    study: record.right,
    fixedParams: {},
    history: undefined,
    historyAt: -1,
    view: undefined,
    relative: undefined,
    finished: false,
  });
}

/**
 * Runs the sampler's `afterTrial` hook, when it has one. Fails only when the hook cannot be
 * run (its context cannot be read); the hook's own error is the Right's `hookError`, reported
 * after the state is written.
 */
async function afterTrial(
  study: Study,
  runtime: StudyRuntime,
  trialOrNumber: Trial | number,
  found: Found,
  decision: TellDecision,
): Promise<Either<HyperionError, HyperionError | undefined>> {
  const impl = samplerImpl(runtime.sampler, runtime.samplerKinds);
  if (impl._tag === "Left" || !impl.right.afterTrial) return right(undefined);
  const { frozen } = found;
  const handle: Trial = typeof trialOrNumber === "number"
    ? { number: frozen.number, trialId: frozen.trialId, study, userAttrs: frozen.userAttrs }
    : trialOrNumber;
  const hl = await hookLive(study, found);
  if (hl._tag === "Left") return hl;
  hl.right.frozen = { ...frozen };
  const ctx = await samplerContext(handle, hl.right, impl.right.needsHistory);
  if (ctx._tag === "Left") return ctx;
  const hook = impl.right.afterTrial(runtime.sampler, ctx.right, decision, runtime.workspace);
  if (hook._tag === "Left") return right(hook.left);
  // a failure to apply the hook is reported like the hook's own
  const applied = await applyHook(handle, hl.right, hook.right);
  return right(applied._tag === "Left" ? applied.left : undefined);
}

/** Checks the outcome and finishes the trial (see {@link tell}). */
async function tellNow(
  study: Study,
  trialOrNumber: Trial | number,
  outcome: TellOutcome,
): Promise<Either<HyperionError, FrozenTrial>> {
  const runtime = checkStudyHandle(study);
  if (runtime._tag === "Left") return runtime;
  if (typeof outcome !== "object" || outcome === null) {
    return left(invalidArgument({
      field: "outcome",
      value: outcome,
      expected: "an object such as { values: [0.5] } or { state: 'PRUNED' }",
    }));
  }
  const skip = outcome.skipIfFinished;
  if (skip !== undefined && typeof skip !== "boolean") {
    return left(invalidArgument({ field: "skipIfFinished", value: skip, expected: "a boolean" }));
  }
  const found = await findTrial(study, trialOrNumber);
  if (found._tag === "Left") return found;
  const { frozen, l } = found.right;
  if (skip === true && isFinished(frozen.state)) return right(frozen);
  if (frozen.state !== "RUNNING") {
    return left(
      trialNotUpdatable({ trialNumber: frozen.number, state: frozen.state, operation: "tell" }),
    );
  }
  const decision = decideTell(frozen, outcome, study.directions.length);
  if (decision._tag === "Left") return decision;
  const { state, values } = decision.right;
  const constrained = study.constraintsFunc === undefined
    ? right({ frozen, error: undefined })
    : await applyConstraints(study, frozen, state, values);
  if (constrained._tag === "Left") return constrained;
  const seen = { frozen: constrained.right.frozen, l };
  const hook = await afterTrial(study, runtime.right, trialOrNumber, seen, decision.right);
  if (hook._tag === "Left") return hook;
  const written = await study.storage.setTrialStateValues({
    trialId: frozen.trialId,
    ...decision.right,
  })();
  if (written._tag === "Left") return written;
  if (l) l.finished = true;
  if (constrained.right.error) return left(constrained.right.error);
  if (hook.right) return left(hook.right);
  const stored = await study.storage.getTrial(frozen.trialId)();
  if (stored._tag === "Right" && l) l.frozen = stored.right;
  return stored;
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Finishes a RUNNING trial. With `state` COMPLETE (or no state) the values must be valid
 * (one number per objective, no NaN); with PRUNED the last intermediate value is kept as the
 * value; FAIL takes no values. Without `state`, invalid values make the trial FAIL. The sampler's
 * `afterTrial` runs before the state is written. `trialOrNumber` is a handle or a trial number.
 * Telling a finished trial fails with `TrialNotUpdatable`, unless `skipIfFinished` is set: then
 * the stored trial is returned unchanged.
 *
 * @example Tell twice with skipIfFinished
 * ```ts
 * import { ask, createStudy, runOrThrow, tell } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const trial = await runOrThrow(ask(study));
 * await runOrThrow(tell(study, trial, { values: 1 }));
 * const again = await runOrThrow(tell(study, trial, { values: 2, skipIfFinished: true }));
 * assert.deepEqual(again.values, [1]);
 * assert.equal((await tell(study, trial, { values: 2 })())._tag, "Left");
 * ```
 *
 * @category combinators
 */
export function tell(
  study: Study,
  trialOrNumber: Trial | number,
  outcome: TellOutcome = {},
): TaskEither<HyperionError, FrozenTrial> {
  return guard("tell", () => tellNow(study, trialOrNumber, outcome));
}
