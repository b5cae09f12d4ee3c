/**
 * `ask`: start a trial (claim an enqueued one or create one), run the sampler's `beforeTrial`
 * and suggest the fixed distributions.
 *
 * @example Ask with a fixed distribution
 * ```ts
 * import { ask, createStudy, floatDistribution, getOrThrow, runOrThrow, trialSnapshot } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const trial = await runOrThrow(ask(study, { x: getOrThrow(floatDistribution(0, 1)) }));
 * assert.deepEqual(Object.keys(getOrThrow(trialSnapshot(trial)).params), ["x"]);
 * ```
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { checkDistribution, type Distribution } from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { SamplerImpl } from "../samplers/sampler.ts";
import { samplerImpl } from "../samplers/catalog.ts";
import {
  attachTrial,
  checkStudyHandle,
  guard,
  type StudyRuntime,
  type TrialLive,
} from "./_live.ts";
import { applyHook, failWith, samplerContext } from "./_sampling.ts";
import { suggestNow } from "./_suggest.ts";
import type { Study } from "./study.ts";
import type { Trial } from "./trial.ts";

function checkFixed(
  fixedDistributions: Readonly<Record<string, Distribution>>,
): Either<HyperionError, ReadonlyArray<[string, Distribution]>> {
  if (typeof fixedDistributions !== "object" || fixedDistributions === null) {
    return left(invalidArgument({
      field: "fixedDistributions",
      value: fixedDistributions,
      expected: "an object of distributions by parameter name",
    }));
  }
  const checked: Array<[string, Distribution]> = [];
  for (const [name, distribution] of Object.entries(fixedDistributions)) {
    const d = checkDistribution(distribution, name);
    if (d._tag === "Left") return d;
    checked.push([name, d.right]);
  }
  return right(checked);
}

/** The oldest WAITING trial, claimed, or a new RUNNING one. */
async function claimOrCreate(study: Study): Promise<Either<HyperionError, FrozenTrial>> {
  const claimed = await study.storage.claimWaitingTrial(study.studyId)();
  if (claimed._tag === "Left" || claimed.right != null) {
    return claimed as Either<HyperionError, FrozenTrial>;
  }
  return await study.storage.createTrial(study.studyId)();
}

/** A new trial handle on `frozen`, with its live state attached to the study's runtime. */
function startTrial(
  study: Study,
  runtime: StudyRuntime,
  frozen: FrozenTrial,
  record: TrialLive["study"],
): { readonly trial: Trial; readonly live: TrialLive } {
  const fixed = frozen.systemAttrs["fixed_params"];
  const trial: Trial = {
    number: frozen.number,
    trialId: frozen.trialId,
    study,
    userAttrs: frozen.userAttrs,
  };
  const live: TrialLive = {
    frozen,
    study: record,
    fixedParams: typeof fixed === "object" && fixed !== null && !Array.isArray(fixed)
      ? fixed as Readonly<Record<string, ParamValue>>
      : {},
    history: undefined,
    historyAt: -1,
    view: undefined,
    relative: undefined,
    finished: false,
  };
  attachTrial(runtime, trial, live);
  return { trial, live };
}

/** The sampler's `beforeTrial` hook, when it has one; a failing hook fails the trial. */
async function beforeTrial(
  trial: Trial,
  l: TrialLive,
  runtime: StudyRuntime,
  impl: SamplerImpl,
): Promise<Either<HyperionError, void>> {
  const before = impl.beforeTrial;
  if (!before) return right(undefined);
  const ctx = await samplerContext(trial, l, impl.needsHistory);
  if (ctx._tag === "Left") return ctx;
  const hook = before(runtime.sampler, ctx.right, runtime.workspace);
  if (hook._tag === "Left") return await failWith(trial, l, hook.left);
  return await applyHook(trial, l, hook.right);
}

/** Starts the trial and suggests the fixed distributions (see {@link ask}). */
async function askNow(
  study: Study,
  fixedDistributions: Readonly<Record<string, Distribution>>,
): Promise<Either<HyperionError, Trial>> {
  const runtime = checkStudyHandle(study);
  if (runtime._tag === "Left") return runtime;
  const fixed = checkFixed(fixedDistributions);
  if (fixed._tag === "Left") return fixed;
  const impl = samplerImpl(runtime.right.sampler, runtime.right.samplerKinds);
  if (impl._tag === "Left") return impl;
  const frozen = await claimOrCreate(study);
  if (frozen._tag === "Left") return frozen;
  const record = await study.storage.getStudyById(study.studyId)();
  if (record._tag === "Left") return record;
  const { trial, live } = startTrial(study, runtime.right, frozen.right, record.right);
  const before = await beforeTrial(trial, live, runtime.right, impl.right);
  if (before._tag === "Left") return before;
  for (const [name, distribution] of fixed.right) {
    const suggested = await suggestNow(trial, name, distribution);
    if (suggested._tag === "Left") return await failWith(trial, live, suggested.left);
  }
  return right(trial);
}

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
  return guard("ask for a trial", () => askNow(study, fixedDistributions));
}
