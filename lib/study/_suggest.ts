/**
 * How a parameter's value is chosen, in Optuna's order: the value already suggested in this
 * trial, an enqueued value, the single value of a one-point domain, the relative sample, then
 * the sampler's independent sample. Private to `suggest.ts` and `ask.ts`.
 *
 * @module
 */
import { type Either, gen, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, trialNotUpdatable } from "../errors.ts";
import {
  checkCompatible,
  contains,
  type Distribution,
  isSingle,
  toExternal,
  toInternal,
} from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import type { SamplerImpl } from "../samplers/sampler.ts";
import { samplerImpl } from "../samplers/catalog.ts";
import { checkTrialHandle, type TrialLive, withParam } from "./_live.ts";
import { applyHook, samplerContext } from "./_sampling.ts";
import type { Trial } from "./trial.ts";
import { warnIfRedefined } from "./logging.ts";

/** A non-empty string, or `InvalidArgument` naming `name`. */
export function checkName(name: unknown): Either<HyperionError, string> {
  return typeof name === "string" && name.length > 0
    ? right(name)
    : left(invalidArgument({ field: "name", value: name, expected: "a non-empty string" }));
}

/** The relative sample of the trial, computed on the first suggest that needs it. */
function relativeSample(
  trial: Trial,
  l: TrialLive,
  impl: SamplerImpl,
): TaskEither<HyperionError, void> {
  return gen(function* (_) {
    const { inferRelativeSearchSpace, sampleRelative, needsHistory } = impl;
    if (l.relative !== undefined || !inferRelativeSearchSpace || !sampleRelative) return;
    const runtime = trial.study.runtime;
    const ctx = yield* _(samplerContext(trial, l, needsHistory));
    const space = inferRelativeSearchSpace(runtime.sampler, ctx, runtime.workspace);
    if (Object.keys(space).length === 0) {
      l.relative = { space, params: {} };
      return;
    }
    const sampled = yield* _(sampleRelative(runtime.sampler, ctx, space, runtime.workspace));
    yield* _(applyHook(trial, l, sampled));
    l.relative = { space, params: sampled.value };
  });
}

/** The relative sample's value for `name` when it fits `distribution`. */
function relativeValue(l: TrialLive, name: string, distribution: Distribution): number | undefined {
  const rel = l.relative;
  const relSpace = rel !== undefined && Object.hasOwn(rel.space, name)
    ? rel.space[name]
    : undefined;
  const relValue = rel !== undefined && Object.hasOwn(rel.params, name)
    ? rel.params[name]
    : undefined;
  return relSpace !== undefined && relValue !== undefined &&
      checkCompatible(relSpace, distribution, name)._tag === "Right" &&
      contains(distribution, relValue)
    ? relValue
    : undefined;
}

/** The sampler's value (internal representation): relative when it fits, else independent. */
function sampledValue(
  trial: Trial,
  l: TrialLive,
  name: string,
  distribution: Distribution,
): TaskEither<HyperionError, number> {
  return gen(function* (_) {
    const runtime = trial.study.runtime;
    const impl = yield* _(samplerImpl(runtime.sampler, runtime.samplerKinds));
    yield* _(relativeSample(trial, l, impl));
    const relative = relativeValue(l, name, distribution);
    if (relative !== undefined) return relative;
    const ctx = yield* _(samplerContext(trial, l, impl.needsHistory));
    const sampled = yield* _(
      impl.sampleIndependent(runtime.sampler, ctx, { name, distribution }, runtime.workspace),
    );
    yield* _(applyHook(trial, l, sampled));
    return sampled.value;
  });
}

/** The internal value: an enqueued value, the single value of a one-point domain, or sampled. */
function internalValue(
  trial: Trial,
  l: TrialLive,
  name: string,
  distribution: Distribution,
): TaskEither<HyperionError, number> {
  return gen(function* (_) {
    if (Object.hasOwn(l.fixedParams, name)) {
      const fixed = yield* _(toInternal(distribution, l.fixedParams[name], name));
      return distribution._tag === "IntDistribution" ? Math.trunc(fixed) : fixed;
    }
    if (isSingle(distribution)) {
      return distribution._tag === "CategoricalDistribution" ? 0 : distribution.low;
    }
    return yield* _(sampledValue(trial, l, name, distribution));
  });
}

/**
 * Suggests `name` from a checked distribution (see {@link suggestDistribution}); used by the
 * `suggest*` functions and by `ask` for its fixed distributions.
 */
export function suggestWith(
  trial: Trial,
  name: string,
  distribution: Distribution,
): TaskEither<HyperionError, ParamValue> {
  return gen(function* (_) {
    const l = yield* _(checkTrialHandle(trial));
    yield* _(checkName(name));
    if (l.finished) {
      return yield* _(left(trialNotUpdatable({
        trialNumber: trial.number,
        state: l.frozen.state,
        operation: `suggest '${name}' in`,
      })));
    }
    const previous = Object.hasOwn(l.frozen.distributions, name)
      ? l.frozen.distributions[name]
      : undefined;
    if (previous !== undefined) {
      yield* _(checkCompatible(previous, distribution, name));
      warnIfRedefined(trial, name, previous, distribution); // logging (issue 17 §5)
      return l.frozen.params[name] as ParamValue;
    }
    const internal = yield* _(internalValue(trial, l, name, distribution));
    yield* _(trial.study.storage.setTrialParam({
      trialId: trial.trialId,
      name,
      internal,
      distribution,
    }));
    const external = toExternal(distribution, internal);
    l.frozen = withParam(l.frozen, name, external, distribution);
    return external;
  });
}
