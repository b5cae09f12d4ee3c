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
import {
  type Either,
  gen,
  left,
  map,
  orElse,
  right,
  succeed,
  type TaskEither,
} from "../effect/mod.ts";
import {
  type HyperionError,
  invalidArgument,
  trialNotFound,
  trialNotUpdatable,
  trialOfAnotherStudy,
} from "../errors.ts";
import { type FrozenTrial, lastStep, type TrialState } from "../core/trial.ts";
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

/** The stored trial `tell` finishes, and its live state when given a handle. */
function findTrial(
  study: Study,
  trialOrNumber: Trial | number,
): TaskEither<HyperionError, { readonly frozen: FrozenTrial; readonly l: TrialLive | undefined }> {
  return gen(function* (_) {
    if (typeof trialOrNumber === "number") {
      const trials = yield* _(study.storage.getAllTrials(study.studyId));
      const t = trials.find((x) => x.number === trialOrNumber);
      return { frozen: yield* _(t ? right(t) : left(trialNotFound(trialOrNumber))), l: undefined };
    }
    const l = yield* _(checkTrialHandle(trialOrNumber));
    yield* _(checkOwnStudy(study, trialOrNumber));
    const frozen = yield* _(study.storage.getTrial(trialOrNumber.trialId));
    if (frozen.number !== trialOrNumber.number) {
      return yield* _(left(trialOfAnotherStudy({
        operation: "tell",
        trialNumber: trialOrNumber.number,
        trialStudy: { studyName: trialOrNumber.study.studyName, url: study.storage.url },
        study: { studyName: study.studyName, url: study.storage.url },
      })));
    }
    return { frozen, l };
  });
}

/**
 * Runs the sampler's `afterTrial` hook, when it has one. Fails only when the hook cannot be
 * run (its context cannot be read); the hook's own error is the Right's `hookError`, reported
 * after the state is written.
 */
function afterTrial(
  study: Study,
  runtime: StudyRuntime,
  trialOrNumber: Trial | number,
  found: { readonly frozen: FrozenTrial; readonly l: TrialLive | undefined },
  decision: TellDecision,
): TaskEither<HyperionError, HyperionError | undefined> {
  return gen(function* (_) {
    const impl = samplerImpl(runtime.sampler, runtime.samplerKinds);
    if (impl._tag === "Left" || !impl.right.afterTrial) return undefined;
    const { frozen } = found;
    const handle: Trial = typeof trialOrNumber === "number"
      ? { number: frozen.number, trialId: frozen.trialId, study, userAttrs: frozen.userAttrs }
      : trialOrNumber;
    const hl: TrialLive = found.l ?? {
      frozen,
      study: yield* _(study.storage.getStudyById(study.studyId)),
      fixedParams: {},
      history: undefined,
      historyAt: -1,
      view: undefined,
      relative: undefined,
      finished: false,
    };
    hl.frozen = { ...frozen };
    const ctx = yield* _(samplerContext(handle, hl, impl.right.needsHistory));
    const hook = impl.right.afterTrial(runtime.sampler, ctx, decision, runtime.workspace);
    if (hook._tag === "Left") return hook.left;
    // a failure to apply the hook is reported like the hook's own
    return yield* _(orElse(map(applyHook(handle, hl, hook.right), () => undefined), succeed));
  });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Finishes a RUNNING trial. With `state` COMPLETE (or no state) the values must be valid
 * (one number per objective, no NaN); with PRUNED the last intermediate value is kept as the
 * value; FAIL takes no values. Without `state`, invalid values make the trial FAIL. The sampler's
 * `afterTrial` runs before the state is written. `trialOrNumber` is a handle or a trial number.
 *
 * @category combinators
 */
export function tell(
  study: Study,
  trialOrNumber: Trial | number,
  outcome: TellOutcome = {},
): TaskEither<HyperionError, FrozenTrial> {
  return guard(
    "tell",
    gen(function* (_) {
      const runtime = yield* _(checkStudyHandle(study));
      if (typeof outcome !== "object" || outcome === null) {
        return yield* _(left(invalidArgument({
          field: "outcome",
          value: outcome,
          expected: "an object such as { values: [0.5] } or { state: 'PRUNED' }",
        })));
      }
      const found = yield* _(findTrial(study, trialOrNumber));
      const { frozen, l } = found;
      if (frozen.state !== "RUNNING") {
        return yield* _(left(
          trialNotUpdatable({ trialNumber: frozen.number, state: frozen.state, operation: "tell" }),
        ));
      }
      const decision = yield* _(decideTell(frozen, outcome, study.directions.length));
      const hookError = yield* _(afterTrial(study, runtime, trialOrNumber, found, decision));
      yield* _(study.storage.setTrialStateValues({ trialId: frozen.trialId, ...decision }));
      if (l) l.finished = true;
      if (hookError) return yield* _(left(hookError));
      const stored = yield* _(study.storage.getTrial(frozen.trialId));
      if (l) l.frozen = stored;
      return stored;
    }),
  );
}
