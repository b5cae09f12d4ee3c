/**
 * Trials at run time: `ask` and `tell`, the define-by-run `suggest*` functions, `report`,
 * `shouldPrune` and attributes. A {@link Trial} is a live handle on a RUNNING trial.
 *
 * @example Ask and tell by hand
 * ```ts
 * import { ask, createStudy, runOrThrow, suggestInt, tell } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ direction: "maximize" }));
 * const trial = await runOrThrow(ask(study));
 * const n = await runOrThrow(suggestInt(trial, "n", 1, 10));
 * const frozen = await runOrThrow(tell(study, trial, { values: [n * 2] }));
 * assert.equal(frozen.state, "COMPLETE");
 * ```
 *
 * @module
 */
import { type Either, fromAsync, left, right, type TaskEither } from "../effect.ts";
import {
  type HyperionError,
  invalidArgument,
  notSupported,
  show,
  storageError,
  trialNotFound,
  trialNotUpdatable,
  trialOfAnotherStudy,
} from "../errors.ts";
import {
  type CategoricalDistribution,
  categoricalDistribution,
  checkCompatible,
  checkDistribution,
  contains,
  type Distribution,
  floatDistribution,
  intDistribution,
  isSingle,
  type NumericDistributionOptions,
  toExternal,
  toInternal,
} from "../core/distributions.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import {
  type Attrs,
  type FrozenTrial,
  isFinished,
  lastStep,
  type TrialState,
} from "../core/trial.ts";
import {
  attachTrial,
  checkStudyHandle,
  studyLive,
  type TrialLive,
  trialLive,
  withParam,
} from "../_internal/live.ts";
import { checkAttr } from "../storage/rules.ts";
import { checkObjectiveValues } from "../_internal/objective_values.ts";
import { type SamplerContext, type SamplerHookResult, samplerImpl } from "../samplers/sampler.ts";
import type { PrunerContext } from "../pruners/pruner.ts";
import type { Study } from "./study.ts";
import { warnIfRedefined } from "./logging.ts";

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

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

function live(trial: Trial): Either<HyperionError, TrialLive> {
  const l = typeof trial === "object" && trial !== null ? trialLive(trial) : undefined;
  return l ? right(l) : left(invalidArgument({
    field: "trial",
    value: trial,
    expected: "a trial handle returned by ask or given to an objective",
  }));
}

async function samplerContext(
  trial: Trial,
  l: TrialLive,
  needsHistory: boolean,
): Promise<Either<HyperionError, SamplerContext>> {
  const study = trial.study;
  if (needsHistory && l.history === undefined) {
    const trials = await study.storage.getAllTrials(study.studyId)();
    if (trials._tag === "Left") return trials;
    const filter = study.pruner.samplerTrials;
    l.history = filter
      ? filter({
        studyName: study.studyName,
        directions: study.directions,
        trials: trials.right,
        trial: l.frozen,
      })
      : trials.right;
    // this trial is usually the newest: search from the end, once per trial
    const h = l.history, id = l.frozen.trialId;
    let at = h.length - 1;
    while (at >= 0 && h[at]!.trialId !== id) at--;
    l.historyAt = at;
  }
  // the history with this trial as this process last wrote it (a copy of the pointers only),
  // the same array for as long as the trial is unchanged: samplers memoise by list identity
  let history = l.history ?? [];
  if (l.historyAt >= 0) {
    if (l.view?.frozen === l.frozen) history = l.view.trials;
    else {
      const copy = history.slice();
      copy[l.historyAt] = l.frozen;
      l.view = { trials: copy, frozen: l.frozen };
      history = copy;
    }
  }
  return right({ study: l.study, directions: study.directions, trials: history, trial: l.frozen });
}

async function applyHook(
  trial: Trial,
  l: TrialLive,
  result: SamplerHookResult,
): Promise<Either<HyperionError, void>> {
  const study = trial.study;
  const s = studyLive(study);
  s.sampler = { ...s.sampler, state: result.state };
  if (result.stopStudy) s.stopRequested = true;
  for (const [key, value] of Object.entries(result.trialSystemAttrs ?? {})) {
    const r = await study.storage.setTrialAttr({ id: trial.trialId, kind: "system", key, value })();
    if (r._tag === "Left") return r;
    l.frozen = { ...l.frozen, systemAttrs: { ...l.frozen.systemAttrs, [key]: value } };
  }
  for (const [key, value] of Object.entries(result.studySystemAttrs ?? {})) {
    const r = await study.storage.setStudyAttr({ id: study.studyId, kind: "system", key, value })();
    if (r._tag === "Left") return r;
    l.study = { ...l.study, systemAttrs: { ...l.study.systemAttrs, [key]: value } };
  }
  return right(undefined);
}

/** `'name'` for messages, whatever `name` is (a symbol, an object, …). */
function quoted(name: unknown): string {
  return typeof name === "string" ? `'${name}'` : show(name);
}

/**
 * `InvalidArgument` naming the trial and both studies when the handle belongs to another study
 * or another storage than `study`.
 */
function checkOwnStudy(
  study: Study,
  trial: Trial,
  operation: string,
): Either<HyperionError, void> {
  const own = trial.study;
  if (own === study || (own.storage === study.storage && own.studyId === study.studyId)) {
    return right(undefined);
  }
  return left(trialOfAnotherStudy({
    operation,
    trialNumber: trial.number,
    trialStudy: { studyName: own.studyName, url: own.storage.url },
    study: { studyName: study.studyName, url: study.storage.url },
  }));
}

function guard<A>(
  operation: string,
  run: () => Promise<Either<HyperionError, A>>,
): TaskEither<HyperionError, A> {
  return fromAsync(run, (e) => storageError(operation, e));
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Starts a trial: claims the oldest WAITING (enqueued) trial or creates a new RUNNING one, runs
 * the sampler's `beforeTrial`, then suggests every entry of `fixedDistributions`.
 *
 * @category constructors
 */
export function ask(
  study: Study,
  fixedDistributions: Readonly<Record<string, Distribution>> = {},
): TaskEither<HyperionError, Trial> {
  return guard("ask for a trial", async () => {
    const handle = checkStudyHandle(study);
    if (handle._tag === "Left") return handle;
    const s = handle.right;
    if (typeof fixedDistributions !== "object" || fixedDistributions === null) {
      return left(invalidArgument({
        field: "fixedDistributions",
        value: fixedDistributions,
        expected: "an object of distributions by parameter name",
      }));
    }
    const fixedChecked: Array<[string, Distribution]> = [];
    for (const [name, distribution] of Object.entries(fixedDistributions)) {
      const d = checkDistribution(distribution, name);
      if (d._tag === "Left") return d;
      fixedChecked.push([name, d.right]);
    }
    const impl = samplerImpl(s.sampler);
    if (impl._tag === "Left") return impl;
    const claimed = await study.storage.claimWaitingTrial(study.studyId)();
    if (claimed._tag === "Left") return claimed;
    let frozen = claimed.right;
    if (frozen === undefined) {
      const created = await study.storage.createTrial(study.studyId)();
      if (created._tag === "Left") return created;
      frozen = created.right;
    }
    const record = await study.storage.getStudyById(study.studyId)();
    if (record._tag === "Left") return record;
    const fixed = frozen.systemAttrs["fixed_params"];
    const trial: Trial = {
      number: frozen.number,
      trialId: frozen.trialId,
      study,
      userAttrs: frozen.userAttrs,
    };
    const l: TrialLive = {
      frozen,
      study: record.right,
      fixedParams: typeof fixed === "object" && fixed !== null && !Array.isArray(fixed)
        ? fixed as Readonly<Record<string, ParamValue>>
        : {},
      history: undefined,
      historyAt: -1,
      view: undefined,
      relative: undefined,
      finished: false,
    };
    attachTrial(trial, l);
    const before = impl.right.beforeTrial;
    if (before) {
      const ctx = await samplerContext(trial, l, impl.right.needsHistory);
      if (ctx._tag === "Left") return ctx;
      const hook = before(s.sampler, ctx.right);
      if (hook._tag === "Left") return await failAndReturn(trial, l, hook.left);
      const applied = await applyHook(trial, l, hook.right);
      if (applied._tag === "Left") return applied;
    }
    for (const [name, distribution] of fixedChecked) {
      const r = await suggestWith(trial, name, distribution);
      if (r._tag === "Left") return await failAndReturn(trial, l, r.left);
    }
    return right(trial);
  });
}

async function failAndReturn(
  trial: Trial,
  l: TrialLive,
  error: HyperionError,
): Promise<Either<HyperionError, never>> {
  l.finished = true;
  await trial.study.storage.setTrialStateValues({ trialId: trial.trialId, state: "FAIL" })();
  return left(error);
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Suggests a value for `name` from `distribution`, following Optuna's order: a value already
 * set in this trial (after a compatibility check), an enqueued fixed value, the single value
 * of a one-point domain, the relative sample, then the sampler's independent sample. Returns the
 * external value.
 *
 * @category combinators
 */
export function suggestDistribution(
  trial: Trial,
  name: string,
  distribution: Distribution,
): TaskEither<HyperionError, ParamValue> {
  return guard(`suggest ${quoted(name)}`, async () => {
    const named = checkName(name);
    if (named._tag === "Left") return named;
    const d = checkDistribution(distribution, name);
    if (d._tag === "Left") return d;
    return await suggestWith(trial, name, d.right);
  });
}

function checkName(name: unknown): Either<HyperionError, string> {
  return typeof name === "string" && name.length > 0
    ? right(name)
    : left(invalidArgument({ field: "name", value: name, expected: "a non-empty string" }));
}

async function suggestWith(
  trial: Trial,
  name: string,
  distribution: Distribution,
): Promise<Either<HyperionError, ParamValue>> {
  const found = live(trial);
  if (found._tag === "Left") return found;
  const l = found.right;
  if (typeof name !== "string" || name.length === 0) {
    return left(invalidArgument({ field: "name", value: name, expected: "a non-empty string" }));
  }
  if (l.finished) {
    return left(trialNotUpdatable({
      trialNumber: trial.number,
      state: l.frozen.state,
      operation: `suggest '${name}' in`,
    }));
  }
  const previous = Object.hasOwn(l.frozen.distributions, name)
    ? l.frozen.distributions[name]
    : undefined;
  if (previous !== undefined) {
    const ok = checkCompatible(previous, distribution, name);
    if (ok._tag === "Left") return ok;
    warnIfRedefined(trial, name, previous, distribution); // logging (issue 17 §5)
    return right(l.frozen.params[name] as ParamValue);
  }
  let internal: number;
  if (Object.hasOwn(l.fixedParams, name)) {
    const fixed = toInternal(distribution, l.fixedParams[name], name);
    if (fixed._tag === "Left") return fixed;
    internal = distribution._tag === "IntDistribution" ? Math.trunc(fixed.right) : fixed.right;
  } else if (isSingle(distribution)) {
    internal = distribution._tag === "CategoricalDistribution" ? 0 : distribution.low;
  } else {
    const s = studyLive(trial.study);
    const impl = samplerImpl(s.sampler);
    if (impl._tag === "Left") return impl;
    const { inferRelativeSearchSpace, sampleRelative, needsHistory } = impl.right;
    if (l.relative === undefined && inferRelativeSearchSpace && sampleRelative) {
      const ctx = await samplerContext(trial, l, needsHistory);
      if (ctx._tag === "Left") return ctx;
      const space = inferRelativeSearchSpace(s.sampler, ctx.right);
      if (Object.keys(space).length === 0) {
        l.relative = { space, params: {} };
      } else {
        const sampled = sampleRelative(s.sampler, ctx.right, space);
        if (sampled._tag === "Left") return sampled;
        const applied = await applyHook(trial, l, sampled.right);
        if (applied._tag === "Left") return applied;
        l.relative = { space, params: sampled.right.value };
      }
    }
    const rel = l.relative;
    const relSpace = rel !== undefined && Object.hasOwn(rel.space, name)
      ? rel.space[name]
      : undefined;
    const relValue = rel !== undefined && Object.hasOwn(rel.params, name)
      ? rel.params[name]
      : undefined;
    if (
      relSpace !== undefined && relValue !== undefined &&
      checkCompatible(relSpace, distribution, name)._tag === "Right" &&
      contains(distribution, relValue)
    ) {
      internal = relValue;
    } else {
      const ctx = await samplerContext(trial, l, needsHistory);
      if (ctx._tag === "Left") return ctx;
      const sampled = impl.right.sampleIndependent(s.sampler, ctx.right, { name, distribution });
      if (sampled._tag === "Left") return sampled;
      const applied = await applyHook(trial, l, sampled.right);
      if (applied._tag === "Left") return applied;
      internal = sampled.right.value;
    }
  }
  const written = await trial.study.storage.setTrialParam({
    trialId: trial.trialId,
    name,
    internal,
    distribution,
  })();
  if (written._tag === "Left") return written;
  const external = toExternal(distribution, internal);
  l.frozen = withParam(l.frozen, name, external, distribution);
  return right(external);
}

/**
 * Suggests a float in `[low, high]` (log scale or step grid with the options).
 *
 * @example Suggest a learning rate on a log scale
 * ```ts
 * import { ask, createStudy, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const trial = await runOrThrow(ask(await runOrThrow(createStudy())));
 * const lr = await runOrThrow(suggestFloat(trial, "lr", 1e-5, 1e-1, { log: true }));
 * assert.ok(lr >= 1e-5 && lr <= 1e-1);
 * const bad = await suggestFloat(trial, "m", 1, 0)();
 * assert.equal(bad._tag === "Left" && bad.left.message,
 *   "Cannot suggest 'm' as 'low' must not exceed 'high': current values 1 and 0");
 * ```
 *
 * @category combinators
 */
export function suggestFloat(
  trial: Trial,
  name: string,
  low: number,
  high: number,
  options: Omit<NumericDistributionOptions, "name"> = {},
): TaskEither<HyperionError, number> {
  return guard(`suggest ${quoted(name)}`, async () => {
    const named = checkName(name);
    if (named._tag === "Left") return named;
    const d = floatDistribution(low, high, { ...options, name });
    if (d._tag === "Left") return d;
    const v = await suggestWith(trial, name, d.right);
    return v._tag === "Left" ? v : right(v.right as number);
  });
}

/**
 * Suggests an integer in `[low, high]` (log scale or step grid with the options).
 *
 * @category combinators
 */
export function suggestInt(
  trial: Trial,
  name: string,
  low: number,
  high: number,
  options: Omit<NumericDistributionOptions, "name"> = {},
): TaskEither<HyperionError, number> {
  return guard(`suggest ${quoted(name)}`, async () => {
    const named = checkName(name);
    if (named._tag === "Left") return named;
    const d = intDistribution(low, high, { ...options, name });
    if (d._tag === "Left") return d;
    const v = await suggestWith(trial, name, d.right);
    return v._tag === "Left" ? v : right(v.right as number);
  });
}

/**
 * Suggests one of `choices`; the result's type is the union of the choices' literal types.
 *
 * @example Typed choices
 * ```ts
 * import { ask, createStudy, runOrThrow, suggestCategorical } from "@hyperion/tune";
 *
 * const trial = await runOrThrow(ask(await runOrThrow(createStudy())));
 * const act: "relu" | "tanh" = await runOrThrow(suggestCategorical(trial, "act", ["relu", "tanh"]));
 * ```
 *
 * @category combinators
 */
export function suggestCategorical<const T extends ParamValue>(
  trial: Trial,
  name: string,
  choices: ReadonlyArray<T>,
): TaskEither<HyperionError, T> {
  return guard(`suggest ${quoted(name)}`, async () => {
    const named = checkName(name);
    if (named._tag === "Left") return named;
    const d = categoricalDistribution(choices, { name });
    if (d._tag === "Left") return d;
    const v = await suggestWith(trial, name, d.right as CategoricalDistribution);
    return v._tag === "Left" ? v : right(v.right as T);
  });
}

/**
 * Reports an intermediate value at `step` (a non-negative integer). The first value reported
 * for a step wins; later ones are ignored, as in Optuna. Refused on multi-objective studies and
 * on finished trials.
 *
 * @category combinators
 */
export function report(trial: Trial, value: number, step: number): TaskEither<HyperionError, void> {
  return guard("report", async () => {
    const found = live(trial);
    if (found._tag === "Left") return found;
    const l = found.right;
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
    if (l.finished) {
      return left(
        trialNotUpdatable({
          trialNumber: trial.number,
          state: l.frozen.state,
          operation: "report to",
        }),
      );
    }
    if (Object.hasOwn(l.frozen.intermediateValues, step)) return right(undefined);
    const r = await trial.study.storage.setTrialIntermediateValue({
      trialId: trial.trialId,
      step,
      value,
    })();
    if (r._tag === "Left") return r;
    l.frozen = {
      ...l.frozen,
      intermediateValues: { ...l.frozen.intermediateValues, [step]: value },
    };
    return right(undefined);
  });
}

/**
 * Asks the study's pruner whether the trial should stop now. Refused on multi-objective studies.
 * The objective then returns `Left(trialPruned())` to prune it.
 *
 * @category combinators
 */
export function shouldPrune(trial: Trial): TaskEither<HyperionError, boolean> {
  return guard("decide on pruning", async () => {
    const found = live(trial);
    if (found._tag === "Left") return found;
    const l = found.right;
    const study = trial.study;
    if (study.directions.length > 1) {
      return left(notSupported("prune", "pruning is not supported for multi-objective studies"));
    }
    const [current, trials] = await Promise.all([
      study.storage.getTrial(trial.trialId)(),
      study.storage.getAllTrials(study.studyId)(),
    ]);
    if (current._tag === "Left") return current;
    if (trials._tag === "Left") return trials;
    const ctx: PrunerContext = {
      studyName: study.studyName,
      directions: study.directions,
      trials: trials.right,
      trial: current.right,
    };
    const decision = study.pruner.prune(ctx);
    if (decision._tag === "Left") return decision;
    for (const [key, value] of Object.entries(decision.right.trialSystemAttrs ?? {})) {
      const r = await study.storage.setTrialAttr({
        id: trial.trialId,
        kind: "system",
        key,
        value,
      })();
      if (r._tag === "Left") return r;
      l.frozen = { ...l.frozen, systemAttrs: { ...l.frozen.systemAttrs, [key]: value } };
    }
    return right(decision.right.prune);
  });
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
  return guard("set the user attribute", async () => {
    const found = live(trial);
    if (found._tag === "Left") return found;
    const checked = checkAttr(key, value);
    if (checked._tag === "Left") return checked;
    const r = await trial.study.storage.setTrialAttr({
      id: trial.trialId,
      kind: "user",
      key,
      value,
    })();
    if (r._tag === "Left") return r;
    const l = found.right;
    l.frozen = { ...l.frozen, userAttrs: { ...l.frozen.userAttrs, [key]: value } };
    return right(undefined);
  });
}

/**
 * The trial as this process knows it (parameters suggested and values reported so far).
 *
 * @category queries
 */
export function trialSnapshot(trial: Trial): Either<HyperionError, FrozenTrial> {
  const found = live(trial);
  return found._tag === "Left" ? found : right(found.right.frozen);
}

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
  return guard("tell", async () => {
    const handle = checkStudyHandle(study);
    if (handle._tag === "Left") return handle;
    if (typeof outcome !== "object" || outcome === null) {
      return left(invalidArgument({
        field: "outcome",
        value: outcome,
        expected: "an object such as { values: [0.5] } or { state: 'PRUNED' }",
      }));
    }
    let frozen: FrozenTrial;
    let l: TrialLive | undefined;
    if (typeof trialOrNumber === "number") {
      const trials = await study.storage.getAllTrials(study.studyId)();
      if (trials._tag === "Left") return trials;
      const t = trials.right.find((x) => x.number === trialOrNumber);
      if (!t) return left(trialNotFound(trialOrNumber));
      frozen = t;
    } else {
      const found = live(trialOrNumber);
      if (found._tag === "Left") return found;
      const own = checkOwnStudy(study, trialOrNumber, "tell");
      if (own._tag === "Left") return own;
      l = found.right;
      const stored = await study.storage.getTrial(trialOrNumber.trialId)();
      if (stored._tag === "Left") return stored;
      frozen = stored.right;
      if (frozen.number !== trialOrNumber.number) {
        return left(trialOfAnotherStudy({
          operation: "tell",
          trialNumber: trialOrNumber.number,
          trialStudy: { studyName: trialOrNumber.study.studyName, url: study.storage.url },
          study: { studyName: study.studyName, url: study.storage.url },
        }));
      }
    }
    if (frozen.state !== "RUNNING") {
      return left(
        trialNotUpdatable({ trialNumber: frozen.number, state: frozen.state, operation: "tell" }),
      );
    }
    const raw = outcome.values;
    let state: TrialState;
    let values: ReadonlyArray<number> | null = null;
    switch (outcome.state) {
      case undefined:
      case "COMPLETE": {
        if (raw === undefined) {
          if (outcome.state === "COMPLETE") {
            return left(
              invalidArgument({
                field: "values",
                value: raw,
                expected: "values for a COMPLETE trial",
              }),
            );
          }
          state = "FAIL";
          break;
        }
        const checked = checkObjectiveValues(raw, study.directions.length, frozen.number);
        if (checked._tag === "Left") {
          if (outcome.state === "COMPLETE") {
            return left(invalidArgument({ field: "values", value: raw, expected: checked.left }));
          }
          state = "FAIL";
        } else {
          state = "COMPLETE";
          values = checked.right;
        }
        break;
      }
      case "PRUNED":
      case "FAIL": {
        if (raw !== undefined) {
          return left(invalidArgument({
            field: "values",
            value: raw,
            expected: `no values when the state is ${outcome.state}`,
          }));
        }
        state = outcome.state;
        if (state === "PRUNED") {
          const step = lastStep(frozen);
          const last = step === undefined ? undefined : frozen.intermediateValues[step];
          if (last !== undefined && !Number.isNaN(last) && study.directions.length === 1) {
            values = [last];
          }
        }
        break;
      }
      default:
        return left(invalidArgument({
          field: "state",
          value: outcome.state,
          expected: "'COMPLETE', 'PRUNED' or 'FAIL'",
        }));
    }
    const s = handle.right;
    const impl = samplerImpl(s.sampler);
    let hookError: HyperionError | undefined;
    if (impl._tag === "Right" && impl.right.afterTrial) {
      const handle: Trial = typeof trialOrNumber === "number"
        ? { number: frozen.number, trialId: frozen.trialId, study, userAttrs: frozen.userAttrs }
        : trialOrNumber;
      let hl: TrialLive;
      if (l) {
        hl = l;
      } else {
        const record = await study.storage.getStudyById(study.studyId)();
        if (record._tag === "Left") return record;
        hl = {
          frozen,
          study: record.right,
          fixedParams: {},
          history: undefined,
          historyAt: -1,
          view: undefined,
          relative: undefined,
          finished: false,
        };
      }
      hl.frozen = { ...frozen };
      const ctx = await samplerContext(handle, hl, impl.right.needsHistory);
      if (ctx._tag === "Left") return ctx;
      const hook = impl.right.afterTrial(s.sampler, ctx.right, { state, values });
      if (hook._tag === "Left") {
        hookError = hook.left;
      } else {
        const applied = await applyHook(handle, hl, hook.right);
        if (applied._tag === "Left") hookError = applied.left;
      }
    }
    const written = await study.storage.setTrialStateValues({
      trialId: frozen.trialId,
      state,
      values,
    })();
    if (written._tag === "Left") return written;
    if (l) l.finished = true;
    if (hookError) return left(hookError);
    const stored = await study.storage.getTrial(frozen.trialId)();
    if (stored._tag === "Right" && l) l.frozen = stored.right;
    return stored;
  });
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * True when the trial handle has been told (it accepts no more writes).
 *
 * @category utils
 */
export function isTrialFinished(trial: Trial): boolean {
  const l = trialLive(trial);
  return l === undefined || l.finished || isFinished(l.frozen.state);
}
