/**
 * CMA-ES, as Optuna 5.0's `CmaEsSampler` over a TypeScript port of the `cmaes` library's
 * `CMA`, `SepCMA`, `CMAwM` (with margin) and learning-rate adaptation.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import type { Distribution } from "../../core/distributions.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import { isPlainObject, seedOrEntropy, uncheckedJson } from "../_utils.ts";
import type {
  Sampled,
  Sampler,
  SamplerContext,
  SamplerHookResult,
  SamplerImpl,
} from "../sampler.ts";
import {
  type CmaEsSourceTrial,
  type CmaOptions,
  decodeCmaOptions,
  encodeCmaOptions,
} from "./_options.ts";
import {
  askSample,
  decompositionOf,
  finishedTrials,
  generationSolutions,
  initOptimizer,
  remember,
  restoreStored,
  sampleAttrs,
  type Stored,
  storedAttrs,
  storedText,
  tellAndRestart,
} from "./_steps.ts";
import { type NumericDistribution, untransform } from "./_transform.ts";
import { defaultPopsize } from "./_cma.ts";
import {
  type CmaWorkspace,
  cmaWorkspaceOf,
  createCmaWorkspace,
  intersectionOf,
  transformOf,
} from "./_workspace.ts";

export type { CmaEsSourceTrial } from "./_options.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link cmaEsSampler} (Optuna's `CmaEsSampler` arguments, in camelCase).
 *
 * @category model
 */
export interface CmaEsSamplerOptions {
  /**
   * Seed of every draw: trial `n`'s joint sample comes from `rngFor(seed, n, "relative")`, a
   * restart's start point from `rngFor(seed, n, "cma:restart")`. Drawn once at construction
   * when not given, and recorded.
   *
   * @default {undefined}
   */
  readonly seed?: number | undefined;
  /** Initial mean, by parameter name (external values); the middle of each range otherwise. @default {null} */
  readonly x0?: Readonly<Record<string, number>> | null;
  /** Initial step size in the [0, 1]-scaled space; `1/6` otherwise. @default {null} */
  readonly sigma0?: number | null;
  /** Trials sampled independently before CMA-ES starts. @default {1} */
  readonly nStartupTrials?: number;
  /**
   * Sampler of the parameters CMA-ES does not model (categoricals, parameters outside the
   * search space, startup trials): a `randomSampler` or `tpeSampler` record.
   *
   * @default {randomSampler with the same seed}
   */
  readonly independentSampler?: Sampler | null;
  /** Kept for Optuna parity; Hyperion's samplers do not log. @default {true} */
  readonly warnIndependentSampling?: boolean;
  /** Use PRUNED trials with their last reported value. @default {false} */
  readonly considerPrunedTrials?: boolean;
  /** Restart when the optimizer converges: `"ipop"` or `"bipop"`; none by default. @default {null} */
  readonly restartStrategy?: "ipop" | "bipop" | null;
  /** Population size; `4 + ⌊3 ln n⌋` otherwise. @default {null} */
  readonly popsize?: number | null;
  /** Population multiplier at each restart. @default {2} */
  readonly incPopsize?: number;
  /** Diagonal covariance (sep-CMA-ES). @default {false} */
  readonly useSeparableCma?: boolean;
  /** CMA-ES with margin for integer and stepped parameters. @default {false} */
  readonly withMargin?: boolean;
  /** Learning-rate adaptation (for multimodal or noisy problems). @default {false} */
  readonly lrAdapt?: boolean;
  /**
   * Warm start: finished trials of a similar study, as JSON records (`getTrials` output), from
   * whose best 10% the initial distribution is estimated.
   *
   * @default {null}
   */
  readonly sourceTrials?: ReadonlyArray<CmaEsSourceTrial> | null;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A CMA-ES sampler (Optuna 5.0's `CmaEsSampler`).
 *
 * **When to use**: continuous (or integer) parameters that interact (non-separable problems),
 * single objective, budgets of hundreds of trials or more, and parallel workers.
 *
 * **What it does**: after `nStartupTrials` independent trials, samples the numeric parameters
 * of the search space (fixed by the first relative trial) jointly from a multivariate normal
 * distribution in the [0, 1]-scaled space. Once a generation's `popsize` trials finish, the
 * next trial updates mean, step size and covariance exactly as the `cmaes` library does, and
 * stores the optimizer as JSON in its system attributes (`<prefix>json_state:<i>`); each trial
 * records its generation in `cma:generation` (`sepcma:`/`cmawm:` with those options), as
 * Optuna does. Everything derives from the seed and the stored trials, so a resumed study or a
 * fresh sampler continues identically.
 *
 * **Gotchas**: categorical parameters are sampled by `independentSampler`; the search space
 * cannot change after CMA-ES starts (other parameters fall back to independent sampling). With
 * the default population (`4 + ⌊3 ln n⌋`) progress comes in generations: fewer than ~10 ×
 * popsize trials barely move the distribution. Restarts (`restartStrategy`) grow the
 * population. A study begun by Python's CMA-ES stores pickles we cannot read: the optimizer is
 * rebuilt and its generations replayed from the trials' `cma:generation` attributes.
 *
 * @example Minimise a quadratic with CMA-ES
 * ```ts
 * import { cmaEsSampler, createStudy, flatMap, map, optimize, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ sampler: cmaEsSampler({ seed: 1 }) }));
 * const summary = await runOrThrow(optimize(study, (trial) =>
 *   flatMap(suggestFloat(trial, "x", -5, 5), (x) =>
 *     map(suggestFloat(trial, "y", -5, 5), (y) => (x - 1) ** 2 + (y + 2) ** 2)), { nTrials: 60 }));
 * assert.equal(summary.nTrials, 60);
 * ```
 *
 * @category constructors
 */
export function cmaEsSampler(options: CmaEsSamplerOptions = {}): Sampler {
  if (!isPlainObject(options)) return { kind: "cmaEs", options: uncheckedJson(options), state: {} };
  const o = options;
  return {
    kind: "cmaEs",
    options: uncheckedJson({
      seed: seedOrEntropy(o.seed),
      x0: o.x0 ?? null,
      sigma0: o.sigma0 ?? null,
      nStartupTrials: o.nStartupTrials ?? 1,
      independentSampler: o.independentSampler ?? null,
      warnIndependentSampling: o.warnIndependentSampling ?? true,
      considerPrunedTrials: o.considerPrunedTrials ?? false,
      restartStrategy: o.restartStrategy ?? null,
      popsize: o.popsize ?? null,
      incPopsize: o.incPopsize ?? 2,
      useSeparableCma: o.useSeparableCma ?? false,
      withMargin: o.withMargin ?? false,
      lrAdapt: o.lrAdapt ?? false,
      sourceTrials: o.sourceTrials ?? null,
    }),
    state: {},
  };
}

// -------------------------------------------------------------------------------------
// sampler functions
// -------------------------------------------------------------------------------------

function validate(sampler: Sampler): Either<HyperionError, Sampler> {
  const o = decodeCmaOptions(sampler.options);
  if (o._tag === "Left") return o;
  return right({ kind: "cmaEs", options: encodeCmaOptions(o.right), state: {} });
}

function inferRelativeSearchSpace(
  _sampler: Sampler,
  ctx: SamplerContext,
  workspace?: unknown,
): SearchSpace {
  const out: Record<string, Distribution> = {};
  for (const [name, d] of Object.entries(intersectionOf(cmaWorkspaceOf(workspace), ctx.trials))) {
    if (d._tag === "CategoricalDistribution" || d.low === d.high) continue;
    out[name] = d;
  }
  return out;
}

/** The decoded options, memoised by the options record's identity. */
function optionsOf(sampler: Sampler, ws: CmaWorkspace): Either<HyperionError, CmaOptions> {
  if (ws.options && ws.optionsJson === sampler.options) return right(ws.options);
  const o = decodeCmaOptions(sampler.options);
  if (o._tag === "Right") {
    ws.optionsJson = sampler.options;
    ws.options = o.right;
  }
  return o;
}

function singleObjective(ctx: SamplerContext): Either<HyperionError, void> {
  if (ctx.directions.length === 1) return right(undefined);
  return left(invalidArgument({
    field: "directions",
    value: ctx.directions,
    expected: "a single objective (CmaEsSampler does not support multiple objectives)",
  }));
}

/** The stored optimizer (or a new one) with its generation told when complete. */
function currentOptimizer(
  o: CmaOptions,
  ctx: SamplerContext,
  space: Readonly<Record<string, NumericDistribution>>,
  ws: CmaWorkspace,
): { readonly stored: Stored; readonly text: string | null } | undefined {
  const direction = ctx.directions[0]!;
  const finished = finishedTrials(ctx.trials, o, direction, ws);
  if (finished.length < o.nStartupTrials) return undefined;
  const trans = transformOf(ws, space, !o.withMargin);
  let s = restoreStored(finished, o, ws);
  const replay = s === undefined;
  if (s === undefined) {
    const cma = initOptimizer(o, trans, direction, o.popsize, null);
    if (cma === undefined) return undefined;
    const restart = {
      n: 0,
      popsize: o.popsize ?? defaultPopsize(cma.n),
      poptype: "small" as const,
      smallNEval: 0,
      largeNEval: 0,
      nLarge: 0,
    };
    s = { names: trans.names, cma, restart };
  }
  if (s.names.length !== trans.names.length || s.names.some((n, i) => n !== trans.names[i])) {
    return undefined;
  }
  let told = false;
  // one update per trial, as Optuna; without a stored optimizer, replay every complete generation
  for (
    let solutions = generationSolutions(s, finished, o, trans, ws);
    solutions;
    solutions = replay ? generationSolutions(s, finished, o, trans, ws) : undefined
  ) {
    s = tellAndRestart(s, solutions, o, trans, direction, ctx.trial.number);
    told = true;
  }
  // memoised as a later trial will read it back from the attributes (a JSON round trip)
  if (!told) return { stored: s, text: null };
  const text = storedText(s);
  return { stored: remember(ws, text), text };
}

function sampleRelative(
  sampler: Sampler,
  ctx: SamplerContext,
  space: SearchSpace,
  workspace?: unknown,
): Either<HyperionError, Sampled<Readonly<Record<string, number>>>> {
  const ws = cmaWorkspaceOf(workspace);
  const checked = singleObjective(ctx);
  if (checked._tag === "Left") return checked;
  if (Object.keys(space).length === 0) return right({ value: {}, state: sampler.state });
  const o = optionsOf(sampler, ws);
  if (o._tag === "Left") return o;
  const numeric = space as Readonly<Record<string, NumericDistribution>>;
  const current = currentOptimizer(o.right, ctx, numeric, ws);
  if (current === undefined) return right({ value: {}, state: sampler.state });
  const { stored, text } = current;
  const dec = decompositionOf(ws, stored);
  const { x, forTell } = askSample(stored.cma, dec, o.right.seed, ctx.trial.number);
  const trans = transformOf(ws, numeric, !o.right.withMargin);
  const attrs = sampleAttrs(
    stored,
    o.right,
    forTell,
    text === null ? null : storedAttrs(text, o.right),
  );
  return right({ value: untransform(trans, x), state: sampler.state, trialSystemAttrs: attrs });
}

function sampleIndependent(
  sampler: Sampler,
  ctx: SamplerContext,
  param: { readonly name: string; readonly distribution: Distribution },
  workspace?: unknown,
): Either<HyperionError, Sampled<number>> {
  const checked = singleObjective(ctx);
  if (checked._tag === "Left") return checked;
  const o = optionsOf(sampler, cmaWorkspaceOf(workspace));
  if (o._tag === "Left") return o;
  const r = o.right.independentImpl.sampleIndependent(o.right.independentSampler, ctx, param);
  return r._tag === "Left" ? r : right({ value: r.right.value, state: sampler.state });
}

function beforeTrial(
  sampler: Sampler,
  ctx: SamplerContext,
  workspace?: unknown,
): Either<HyperionError, SamplerHookResult> {
  const o = optionsOf(sampler, cmaWorkspaceOf(workspace));
  if (o._tag === "Left") return o;
  const hook = o.right.independentImpl.beforeTrial;
  if (!hook) return right({ state: sampler.state });
  const r = hook(o.right.independentSampler, ctx);
  return r._tag === "Left" ? r : right({ ...r.right, state: sampler.state });
}

/**
 * The CMA-ES sampler's functions (kind `"cmaEs"`), one of the built-in sampler kinds.
 *
 * @category constants
 */
export const cmaEsSamplerImpl: SamplerImpl = Object.freeze({
  kind: "cmaEs",
  needsHistory: true,
  readsTrialParams: false,
  createWorkspace: createCmaWorkspace,
  validate,
  beforeTrial,
  inferRelativeSearchSpace,
  sampleRelative,
  sampleIndependent,
});
