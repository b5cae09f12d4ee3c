/**
 * The automatic sampler, the default of `createStudy`: OptunaHub's AutoSampler, which picks
 * the sampler per study and per phase (Gaussian process, TPE, CMA-ES, NSGA-II/III) from the
 * search space, the number of completed trials, the objectives and the constraints.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import type { Distribution } from "../../core/distributions.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import type { Attrs } from "../../core/trial.ts";
import type {
  Sampled,
  Sampler,
  SamplerContext,
  SamplerHookResult,
  SamplerImpl,
  SamplerKinds,
} from "../sampler.ts";
import { isPlainObject, uncheckedJson } from "../_utils.ts";
import {
  type AutoOptions,
  type AutoSamplerOptions,
  decodeAutoOptions,
  encodeAutoOptions,
  resolveAutoOptions,
} from "./_options.ts";
import { AUTO_CHOICES, type AutoChoice, autoFacts, chooseSampler } from "./_policy.ts";
import {
  type AutoWorkspace,
  autoWorkspaceOf,
  createAutoWorkspace,
  delegateFor,
  delegateWorkspace,
} from "./_delegate.ts";

export type { AutoSamplerOptions } from "./_options.ts";

/**
 * The trial system attribute that records the automatic sampler's choice (OptunaHub's key).
 *
 * @example Read which sampler drew a trial
 * ```ts
 * import { AUTO_SAMPLER_KEY, createStudy, getTrials, optimize, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * await runOrThrow(optimize(study, (trial) => suggestFloat(trial, "x", 0, 1), { nTrials: 2 }));
 * const [first, second] = await runOrThrow(getTrials(study));
 * assert.deepEqual([first!.systemAttrs[AUTO_SAMPLER_KEY], second!.systemAttrs[AUTO_SAMPLER_KEY]], ["random", "gp"]);
 * ```
 *
 * @category constants
 */
export const AUTO_SAMPLER_KEY = "auto:sampler";

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The automatic sampler (kind `"auto"`), the default of `createStudy`: it chooses, for each
 * trial, the sampler that fits the study, as OptunaHub's AutoSampler does.
 *
 * **When to use**: when you do not know which sampler fits, which is most of the time. It is
 * what `createStudy` runs when you give no sampler.
 *
 * **What it does**: until a trial completes, random sampling. Then, for a conditional search
 * space (trials with different parameters), univariate TPE with constant liar, as Optuna's
 * AutoSampler behaves there (its multivariate TPE samples a changing space one parameter at a
 * time). Grouped TPE (`group`) was measured against it (`bench/sampler_quality.ts`, 120 seeds
 * × 100 trials, and two more conditional spaces): its median was better on the benchmark's
 * problem (0.0042 against 0.0057) but it stayed on a worse branch twice as often (30 % of the
 * runs against 15 %), and on the other two spaces its median was no better; the GP measured
 * far worse. With one
 * objective: the Gaussian-process sampler while fewer than `gpBudget` (250) trials are
 * complete (numeric spaces, and spaces with categorical parameters too, where it measured far
 * better than TPE here), with `outputWarping` on (without constraints, the objective values
 * are warped by a fitted power transform before the fit: it measured far better on
 * Styblinski–Tang 20-D and closer to the optimum on Branin and the mixed space than Optuna's
 * unwarped GP, at the cost of 1 Branin seed in 80 staying at a local boundary point); from
 * then on CMA-ES warm-started from those trials (numeric spaces without constraints) or
 * multivariate TPE. With two or three objectives: the Gaussian process below `gpBudget`
 * (numeric spaces; TPE for categorical ones), as OptunaHub (on DTLZ7 its hypervolume is far
 * above TPE's, on DTLZ2 slightly below); with four or more, TPE; then NSGA-II (NSGA-III from 4
 * objectives), whose first generation is every earlier trial. The choice is recorded on each
 * trial in the system attribute `auto:sampler` (`"random"`, `"gp"`, `"tpe"`, `"cmaEs"`,
 * `"nsgaII"`, `"nsgaIII"`), and each delegate runs with the automatic sampler's seed.
 *
 * **Gotchas**: the choice is a pure function of the stored trials (their states, parameters,
 * distributions and `constraints` attributes), so a resumed study or a fresh sampler with the
 * same seed continues exactly as the uninterrupted run, across every switch; but a study whose
 * space becomes conditional or categorical switches for good. The Gaussian process costs more
 * per trial than TPE (its cost grows with the cube of the number of trials, hence the switch
 * at `gpBudget`); for cheap objectives and thousands of trials, `tpeSampler` is cheaper.
 * Constraints come from the trials' `constraints` attributes (`createStudy({ constraintsFunc
 * })` or `setConstraint`), which every delegate reads.
 *
 * @example Let the study choose: the Gaussian process on a numeric space
 * ```ts
 * import { autoSampler, createStudy, flatMap, getTrials, map, optimize, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ sampler: autoSampler({ seed: 1 }) }));
 * await runOrThrow(optimize(study, (trial) =>
 *   flatMap(suggestFloat(trial, "x", -5, 5), (x) =>
 *     map(suggestFloat(trial, "y", -5, 5), (y) => x * x + y * y)), { nTrials: 12 }));
 * const trials = await runOrThrow(getTrials(study));
 * assert.equal(trials[0]!.systemAttrs["auto:sampler"], "random");
 * assert.equal(trials[11]!.systemAttrs["auto:sampler"], "gp");
 * ```
 *
 * @category constructors
 */
export function autoSampler(options: AutoSamplerOptions = {}): Sampler {
  // a wrong-typed options value is kept as it is, for `validate` to report it
  if (!isPlainObject(options)) return { kind: "auto", options: uncheckedJson(options), state: {} };
  return { kind: "auto", options: resolveAutoOptions(options), state: {} };
}

// -------------------------------------------------------------------------------------
// sampler functions
// -------------------------------------------------------------------------------------

/** The choice recorded on the trial by `beforeTrial`, or the one the trials call for. */
function choiceOf(o: AutoOptions, ctx: SamplerContext): AutoChoice {
  const recorded = ctx.trial.systemAttrs[AUTO_SAMPLER_KEY];
  if (typeof recorded === "string" && (AUTO_CHOICES as ReadonlyArray<string>).includes(recorded)) {
    return recorded as AutoChoice;
  }
  return chooseSampler(autoFacts(ctx.trials, ctx.directions), o.gpBudget);
}

/** The delegate for this trial: its record, its functions and its workspace. */
interface Delegate {
  readonly choice: AutoChoice;
  readonly sampler: Sampler;
  readonly impl: SamplerImpl;
  readonly workspace: unknown;
}

function delegateOf(
  sampler: Sampler,
  ctx: SamplerContext,
  kinds: SamplerKinds,
  workspace: unknown,
  choose: (o: AutoOptions) => AutoChoice = (o) => choiceOf(o, ctx),
): Either<HyperionError, Delegate> {
  const o = decodeAutoOptions(sampler);
  if (o._tag === "Left") return o;
  const choice = choose(o.right);
  const impl = Object.hasOwn(kinds, choice) ? kinds[choice] : undefined;
  if (impl === undefined) {
    return left(invalidArgument({
      field: "samplerKinds",
      value: Object.keys(kinds).sort(),
      expected: `the kind '${choice}' the automatic sampler delegates to`,
    }));
  }
  const ws: AutoWorkspace = autoWorkspaceOf(workspace);
  return right({
    choice,
    sampler: delegateFor(choice, o.right, ctx, ws),
    impl,
    workspace: delegateWorkspace(impl, ws),
  });
}

/** The generation attribute that makes earlier trials NSGA's first generation (Optuna's). */
function generationAttrs(ctx: SamplerContext, choice: AutoChoice): Attrs {
  if (ctx.directions.length < 2 || choice === "nsgaII" || choice === "nsgaIII") return {};
  const key = ctx.directions.length < 4 ? "NSGAIISampler:generation" : "NSGAIIISampler:generation";
  return { [key]: 0 };
}

function beforeTrial(
  kinds: SamplerKinds,
  sampler: Sampler,
  ctx: SamplerContext,
  workspace: unknown,
): Either<HyperionError, SamplerHookResult> {
  const d = delegateOf(
    sampler,
    ctx,
    kinds,
    workspace,
    (o) => chooseSampler(autoFacts(ctx.trials, ctx.directions), o.gpBudget),
  );
  if (d._tag === "Left") return d;
  const { choice, impl } = d.right;
  const own = { [AUTO_SAMPLER_KEY]: choice, ...generationAttrs(ctx, choice) };
  if (!impl.beforeTrial) return right({ state: sampler.state, trialSystemAttrs: own });
  const hook = impl.beforeTrial(d.right.sampler, ctx, d.right.workspace);
  if (hook._tag === "Left") return hook;
  return right({
    ...hook.right,
    state: sampler.state,
    trialSystemAttrs: { ...own, ...hook.right.trialSystemAttrs },
  });
}

function validate(sampler: Sampler): Either<HyperionError, Sampler> {
  const o = decodeAutoOptions(sampler);
  return o._tag === "Left"
    ? o
    : right({ kind: "auto", options: encodeAutoOptions(o.right), state: {} });
}

/**
 * The automatic sampler's functions, resolving the kinds it delegates to (`random`, `gp`,
 * `tpe`, `cmaEs`, `nsgaII`, `nsgaIII`) in `kinds` (a function, so that a kinds record can
 * hold these functions too). `BUILTIN_SAMPLERS.auto` is `makeAutoSamplerImpl(() =>
 * BUILTIN_SAMPLERS)`.
 *
 * @example Run the automatic sampler beside a kind of your own
 * ```ts
 * import { autoSampler, BUILTIN_SAMPLERS, createStudy, makeAutoSamplerImpl, runOrThrow, type SamplerKinds } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const kinds: SamplerKinds = { ...BUILTIN_SAMPLERS, auto: makeAutoSamplerImpl(() => kinds) };
 * const study = await runOrThrow(createStudy({ sampler: autoSampler({ seed: 1 }), samplerKinds: kinds }));
 * assert.equal(study.studyName.startsWith("no-name-"), true);
 * ```
 *
 * @category constructors
 */
export function makeAutoSamplerImpl(kinds: () => SamplerKinds): SamplerImpl {
  return Object.freeze({
    kind: "auto",
    needsHistory: true,
    createWorkspace: createAutoWorkspace,
    validate,
    beforeTrial: (sampler: Sampler, ctx: SamplerContext, workspace?: unknown) =>
      beforeTrial(kinds(), sampler, ctx, workspace),
    inferRelativeSearchSpace: (
      sampler: Sampler,
      ctx: SamplerContext,
      workspace?: unknown,
    ): SearchSpace => {
      const d = delegateOf(sampler, ctx, kinds(), workspace);
      if (d._tag === "Left" || !d.right.impl.inferRelativeSearchSpace) return {};
      return d.right.impl.inferRelativeSearchSpace(d.right.sampler, ctx, d.right.workspace);
    },
    sampleRelative: (
      sampler: Sampler,
      ctx: SamplerContext,
      space: SearchSpace,
      workspace?: unknown,
    ): Either<HyperionError, Sampled<Readonly<Record<string, number>>>> => {
      const d = delegateOf(sampler, ctx, kinds(), workspace);
      if (d._tag === "Left") return d;
      if (!d.right.impl.sampleRelative) return right({ value: {}, state: sampler.state });
      const s = d.right.impl.sampleRelative(d.right.sampler, ctx, space, d.right.workspace);
      return s._tag === "Left" ? s : right({ ...s.right, state: sampler.state });
    },
    sampleIndependent: (
      sampler: Sampler,
      ctx: SamplerContext,
      param: { readonly name: string; readonly distribution: Distribution },
      workspace?: unknown,
    ): Either<HyperionError, Sampled<number>> => {
      const d = delegateOf(sampler, ctx, kinds(), workspace);
      if (d._tag === "Left") return d;
      const s = d.right.impl.sampleIndependent(d.right.sampler, ctx, param, d.right.workspace);
      return s._tag === "Left" ? s : right({ ...s.right, state: sampler.state });
    },
    afterTrial: (
      sampler: Sampler,
      ctx: SamplerContext,
      outcome: Parameters<NonNullable<SamplerImpl["afterTrial"]>>[2],
      workspace?: unknown,
    ): Either<HyperionError, SamplerHookResult> => {
      const d = delegateOf(sampler, ctx, kinds(), workspace);
      if (d._tag === "Left") return d;
      if (!d.right.impl.afterTrial) return right({ state: sampler.state });
      const hook = d.right.impl.afterTrial(d.right.sampler, ctx, outcome, d.right.workspace);
      return hook._tag === "Left" ? hook : right({ ...hook.right, state: sampler.state });
    },
  });
}
