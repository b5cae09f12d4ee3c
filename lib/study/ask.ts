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
import {
  type Either,
  fromEither,
  gen,
  genEither,
  left,
  orElse,
  type TaskEither,
} from "../effect/mod.ts";
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
import { suggestWith } from "./_suggest.ts";
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
  return genEither(function* (_) {
    const checked: Array<[string, Distribution]> = [];
    for (const [name, distribution] of Object.entries(fixedDistributions)) {
      checked.push([name, yield* _(checkDistribution(distribution, name))]);
    }
    return checked;
  });
}

/** The oldest WAITING trial, claimed, or a new RUNNING one. */
function claimOrCreate(study: Study): TaskEither<HyperionError, FrozenTrial> {
  return gen(function* (_) {
    const claimed = yield* _(study.storage.claimWaitingTrial(study.studyId));
    return claimed ?? (yield* _(study.storage.createTrial(study.studyId)));
  });
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
function beforeTrial(
  trial: Trial,
  l: TrialLive,
  runtime: StudyRuntime,
  impl: SamplerImpl,
): TaskEither<HyperionError, void> {
  return gen(function* (_) {
    const before = impl.beforeTrial;
    if (!before) return;
    const ctx = yield* _(samplerContext(trial, l, impl.needsHistory));
    const hook = yield* _(
      orElse(
        fromEither(before(runtime.sampler, ctx, runtime.workspace)),
        (e) => failWith(trial, l, e),
      ),
    );
    yield* _(applyHook(trial, l, hook));
  });
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
  return guard(
    "ask for a trial",
    gen(function* (_) {
      const runtime = yield* _(checkStudyHandle(study));
      const fixed = yield* _(checkFixed(fixedDistributions));
      const impl = yield* _(samplerImpl(runtime.sampler, runtime.samplerKinds));
      const frozen = yield* _(claimOrCreate(study));
      const record = yield* _(study.storage.getStudyById(study.studyId));
      const { trial, live } = startTrial(study, runtime, frozen, record);
      yield* _(beforeTrial(trial, live, runtime, impl));
      for (const [name, distribution] of fixed) {
        yield* _(orElse(suggestWith(trial, name, distribution), (e) => failWith(trial, live, e)));
      }
      return trial;
    }),
  );
}
