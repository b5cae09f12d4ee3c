/**
 * How a parameter's value is chosen, in Optuna's order: the value already suggested in this
 * trial, an enqueued value, the single value of a one-point domain, the relative sample, then
 * the sampler's independent sample. Private to `suggest.ts` and `ask.ts`.
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, trialNotUpdatable } from "../errors.ts";
import {
  checkCompatible,
  contains,
  type Distribution,
  isSingle,
  toExternal,
  toInternal,
} from "../core/distributions.ts";
import { distributionToJson } from "../core/distribution_json.ts";
import type { ParamValue } from "../core/json.ts";
import type { SamplerImpl } from "../samplers/sampler.ts";
import { samplerImpl } from "../samplers/catalog.ts";
import { addParam, checkTrialHandle, type TrialLive } from "./_live.ts";
import { applyHook, samplerContext } from "./_sampling.ts";
import type { Trial } from "./trial.ts";
import { log, studyLogger, warnIfRedefined } from "./logging.ts";

/** Optuna's warning for a fixed (enqueued or `fixedTrial`) value outside its distribution. */
function warnOutOfRange(trial: Trial, name: string, l: TrialLive, d: Distribution): void {
  log(
    studyLogger(trial.study),
    "warning",
    `Fixed parameter ${JSON.stringify(name)} with value ${
      JSON.stringify(l.fixedParams[name])
    } is out of range for distribution ${distributionToJson(d)}: it is used as it is.`,
  );
}

// The per-suggest path: plain async functions with early returns (no generator, no closure per
// step); a step that is synchronous (a check, the sampler's own functions) is not awaited.

/** A non-empty string, or `InvalidArgument` naming `name`. */
export function checkName(name: unknown): Either<HyperionError, string> {
  return typeof name === "string" && name.length > 0
    ? right(name)
    : left(invalidArgument({ field: "name", value: name, expected: "a non-empty string" }));
}

/** The relative sample of the trial, computed on the first suggest that needs it. */
async function relativeSample(
  trial: Trial,
  l: TrialLive,
  impl: SamplerImpl,
): Promise<Either<HyperionError, void>> {
  const { inferRelativeSearchSpace, sampleRelative, needsHistory } = impl;
  if (l.relative !== undefined || !inferRelativeSearchSpace || !sampleRelative) return DONE;
  const runtime = trial.study.runtime;
  const ctx = await samplerContext(trial, l, needsHistory, impl.readsTrialParams !== false);
  if (ctx._tag === "Left") return ctx;
  const space = inferRelativeSearchSpace(runtime.sampler, ctx.right, runtime.workspace);
  if (Object.keys(space).length === 0) {
    l.relative = { space, params: {} };
    return DONE;
  }
  const sampled = sampleRelative(runtime.sampler, ctx.right, space, runtime.workspace);
  if (sampled._tag === "Left") return sampled;
  const applied = await applyHook(trial, l, sampled.right);
  if (applied._tag === "Left") return applied;
  l.relative = { space, params: sampled.right.value };
  return DONE;
}

const DONE: Either<never, void> = Object.freeze(right(undefined));

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
async function sampledValue(
  trial: Trial,
  l: TrialLive,
  name: string,
  distribution: Distribution,
): Promise<Either<HyperionError, number>> {
  const runtime = trial.study.runtime;
  const impl = samplerImpl(runtime.sampler, runtime.samplerKinds);
  if (impl._tag === "Left") return impl;
  if (l.relative === undefined && impl.right.sampleRelative) {
    const rel = await relativeSample(trial, l, impl.right);
    if (rel._tag === "Left") return rel;
  }
  const relative = relativeValue(l, name, distribution);
  if (relative !== undefined) return right(relative);
  const ctx = await samplerContext(
    trial,
    l,
    impl.right.needsHistory,
    impl.right.readsTrialParams !== false,
  );
  if (ctx._tag === "Left") return ctx;
  const sampled = impl.right.sampleIndependent(
    runtime.sampler,
    ctx.right,
    { name, distribution },
    runtime.workspace,
  );
  if (sampled._tag === "Left") return sampled;
  const applied = await applyHook(trial, l, sampled.right);
  return applied._tag === "Left" ? applied : right(sampled.right.value);
}

/** The internal value: an enqueued value, the single value of a one-point domain, or sampled. */
function internalValue(
  trial: Trial,
  l: TrialLive,
  name: string,
  distribution: Distribution,
): Either<HyperionError, number> | Promise<Either<HyperionError, number>> {
  if (Object.hasOwn(l.fixedParams, name)) {
    const fixed = toInternal(distribution, l.fixedParams[name], name);
    if (fixed._tag === "Left") return fixed;
    if (!contains(distribution, fixed.right)) warnOutOfRange(trial, name, l, distribution);
    return right(distribution._tag === "IntDistribution" ? Math.trunc(fixed.right) : fixed.right);
  }
  if (l.fixedOnly === true) {
    return left(invalidArgument({
      field: name,
      value: Object.keys(l.fixedParams),
      expected: `a parameter given to fixedTrial: set '${name}' in its params`,
    }));
  }
  if (isSingle(distribution)) {
    return right(distribution._tag === "CategoricalDistribution" ? 0 : distribution.low);
  }
  // the relative sample already drawn covers most parameters: no promise for those
  const relative = l.relative === undefined ? undefined : relativeValue(l, name, distribution);
  if (relative !== undefined) return right(relative);
  return sampledValue(trial, l, name, distribution);
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
  return () => suggestNow(trial, name, distribution);
}

/** {@link suggestWith}, run now. */
export async function suggestNow(
  trial: Trial,
  name: string,
  distribution: Distribution,
): Promise<Either<HyperionError, ParamValue>> {
  const found = checkTrialHandle(trial);
  if (found._tag === "Left") return found;
  const l = found.right;
  const named = checkName(name);
  if (named._tag === "Left") return named;
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
    const compatible = checkCompatible(previous, distribution, name);
    if (compatible._tag === "Left") return compatible;
    warnIfRedefined(trial, name, previous, distribution); // logging (issue 17 §5)
    return right(l.frozen.params[name] as ParamValue);
  }
  const internal = await internalValue(trial, l, name, distribution);
  if (internal._tag === "Left") return internal;
  const written = await trial.study.storage.setTrialParam({
    trialId: trial.trialId,
    name,
    internal: internal.right,
    distribution,
  })();
  if (written._tag === "Left") return written;
  const external = toExternal(distribution, internal.right);
  addParam(l, name, external, distribution);
  return right(external);
}
