/**
 * Quasi-Monte Carlo sampling with Sobol' or Halton sequences, as Optuna 5.0's `QMCSampler`: trial after
 * trial, the points of one low-discrepancy sequence over the whole search space, so that the
 * space is covered more evenly than by random search.
 *
 * @module
 */
import { type Either, genEither, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import type { Distribution } from "../../core/distributions.ts";
import type { JsonValue } from "../../core/json.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import { rngFor, rngFromSeed } from "../../random/rng.ts";
import {
  booleanField,
  checkLegacyState,
  isPlainObject,
  paramKey,
  previousDouble,
  roundHalfEven,
  seedOrEntropy,
  uncheckedJson,
} from "../_utils.ts";
import { qmcCounterKey } from "./_counter_key.ts";
import { remember } from "../_recent.ts";
import {
  directionNumbers,
  scramble as scrambleDirections,
  SOBOL_MAX_DIM,
  sobolPoint,
} from "./_sobol.ts";
import { firstPrimes, haltonPermutations, haltonPoint } from "./_halton.ts";
import { sampleUniformInternal } from "../random.ts";
import {
  checkSeed,
  expectObject,
  type Sampled,
  type Sampler,
  type SamplerContext,
  type SamplerHookResult,
  type SamplerImpl,
} from "../sampler.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export { pythonDistributionRepr, qmcCounterKey } from "./_counter_key.ts";

/**
 * Options of {@link qmcSampler}.
 *
 * @category model
 */
export interface QmcSamplerOptions {
  /**
   * Seed of the scrambling and of the independent (random) draws: parameter `<name>` of trial
   * `n`, when drawn at random, comes from {@link rngFor}`(seed, n, "param:<name>")`. Without
   * one, a random seed is drawn once, at construction, and recorded in the options, so every
   * worker given this sampler record uses the same sequence and a snapshot replays.
   *
   * @default {undefined}
   */
  readonly seed?: number | undefined;
  /**
   * Scramble the sequence (linear matrix scrambling and a digital shift, seeded by `seed`).
   * Unscrambled, the first point is the lower corner of the space, as in Optuna.
   *
   * @default {false}
   */
  readonly scramble?: boolean;
  /**
   * The low-discrepancy sequence: `"sobol"` (scipy's `qmc.Sobol`) or `"halton"` (scipy's
   * `qmc.Halton`: radical inverses in the first primes; scrambled, random digit permutations).
   *
   * @default {"sobol"}
   */
  readonly qmcType?: "sobol" | "halton";
}

/** The options of a QMC sampler record, decoded. */
interface QmcOptions {
  readonly seed: number;
  readonly scramble: boolean;
  readonly qmcType: "sobol" | "halton";
}

/**
 * The direction numbers (and digital shift, when scrambled) of a Sobol' sequence.
 *
 * @category model
 */
export interface SobolEngine {
  /** The direction numbers, 32 per dimension. */
  readonly v: Uint32Array;
  /** The digital shift of a scrambled sequence. */
  readonly shift: Uint32Array | undefined;
}

/**
 * The bases (and digit permutations, when scrambled) of a Halton sequence.
 *
 * @category model
 */
export interface HaltonEngine {
  /** The prime base of each dimension. */
  readonly bases: ReadonlyArray<number>;
  /** Per dimension, the digit permutations of a scrambled sequence. */
  readonly perms: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>> | undefined;
}

/**
 * The Sobol' engines a QMC sampler's functions built, by dimension and scrambling seed (a
 * bounded memo: the most recently used {@link QMC_MEMO_LIMIT} are kept): a study's workspace,
 * or the `memo` of the {@link QmcSamplerImpl} value for calls given none. A fresh one gives the
 * same points.
 *
 * @category model
 */
export interface QmcMemo {
  /** `<type>|<dimension>|<seed or ->` → the engine. */
  readonly engines: Map<string, SobolEngine | HaltonEngine>;
}

/**
 * The QMC sampler's functions together with the memo they use.
 *
 * @category model
 */
export interface QmcSamplerImpl extends SamplerImpl {
  /** The engines built by calls given no workspace. */
  readonly memo: QmcMemo;
  /**
   * A fresh {@link QmcMemo} for one study: a study handle that keeps a workspace per sampler
   * passes it as the hooks' last argument, and the hooks use it instead of `memo`.
   */
  readonly createWorkspace: () => QmcMemo;
}

/**
 * How many engines a {@link QmcMemo} keeps.
 *
 * @category constants
 */
export const QMC_MEMO_LIMIT = 32;

/**
 * The trial system attribute holding the sequence index reserved for the trial in
 * `beforeTrial` (so the reservation lives with the trial, not in the sampler's state).
 */
const SAMPLE_ID_KEY = "qmc:sample_id";

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A quasi-Monte Carlo (Sobol' or Halton) sampler.
 *
 * **When to use**: space-filling exploration with a fixed budget, a better-spread replacement
 * for random search (initial designs, sensitivity studies, very parallel runs), up to
 * 1024 parameters with Sobol' (any number with Halton).
 *
 * **What it does**: the first trial is random; its parameters define the search space. Every
 * later trial takes the next point of the sequence, mapped to the parameters like
 * Optuna 5.0 does (log scale for log domains, grid rounding for stepped ones, one coordinate
 * per categorical split into equal bins). The position in the sequence is a counter in the
 * study's system attributes (`qmc:<sha256 of the space and settings>`, the key Optuna uses),
 * so several workers sharing the study continue one sequence; the index a trial takes is
 * recorded in its system attribute `qmc:sample_id`, so the sampler's own state never changes.
 * Unscrambled points equal scipy's `qmc.Sobol(d, scramble=False)` and
 * `qmc.Halton(d, scramble=False)`; scrambled Halton points permute the digits of each base as
 * scipy does (Owen's randomised Halton), with permutations drawn from our generator.
 *
 * **Gotchas**: parameters not in the first trial (conditional ones), or whose range changes,
 * are sampled at random. Sobol' points are balanced in blocks of powers of two: budgets like
 * 64 or 128 trials are best. Halton coordinates in high dimensions (large prime bases)
 * correlate unless scrambled. Scrambled points depend on our generator and differ from
 * scipy's scrambled points for the same seed.
 *
 * @example Cover a 2-D space evenly
 * ```ts
 * import { createStudy, getTrials, map, optimize, qmcSampler, runOrThrow, suggestFloat, flatMap } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ sampler: qmcSampler({ seed: 0 }) }));
 * await runOrThrow(optimize(study, (trial) =>
 *   flatMap(suggestFloat(trial, "x", 0, 1), (x) => map(suggestFloat(trial, "y", 0, 1), (y) => x + y)),
 *   { nTrials: 5 }));
 * const trials = await runOrThrow(getTrials(study));
 * assert.deepEqual(trials.slice(1).map((t) => t.params.x), [0, 0.5, 0.75, 0.25]);
 * ```
 *
 * @category constructors
 */
export function qmcSampler(options: QmcSamplerOptions = {}): Sampler {
  // a wrong-typed options value is kept as it is, for `validate` to report it
  if (!isPlainObject(options)) return { kind: "qmc", options: uncheckedJson(options), state: {} };
  const opts = {
    seed: seedOrEntropy(options.seed),
    scramble: uncheckedJson(options.scramble ?? false),
    qmcType: uncheckedJson(options.qmcType ?? "sobol"),
  };
  return { kind: "qmc", options: opts, state: {} };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function inferSpace(trials: ReadonlyArray<FrozenTrial>): SearchSpace {
  let first: FrozenTrial | undefined;
  for (const t of trials) {
    if (t.state !== "COMPLETE" && t.state !== "PRUNED") continue;
    if (!first || t.number < first.number) first = t;
  }
  if (first) return first.distributions;
  // no finished trial yet: the union of the running trials' parameters
  const union: Record<string, Distribution> = {};
  for (const t of trials) if (t.state === "RUNNING") Object.assign(union, t.distributions);
  return union;
}

/**
 * An empty {@link QmcMemo}.
 *
 * @category constructors
 */
export function newQmcMemo(): QmcMemo {
  return { engines: new Map() };
}

/** The engine of `dim` dimensions, from `memo` or built (and remembered). */
function engineOf(memo: QmcMemo, dim: number, o: QmcOptions): SobolEngine {
  const key = `sobol|${dim}|${o.scramble ? o.seed : "-"}`;
  const hit = memo.engines.get(key);
  if (hit) return hit as SobolEngine;
  const v = directionNumbers(dim);
  const engine = o.scramble
    ? scrambleDirections(v, dim, rngFromSeed(`qmc:${o.seed}`))
    : { v, shift: undefined };
  remember(memo.engines, key, engine, QMC_MEMO_LIMIT);
  return engine;
}

/** The Halton engine of `dim` dimensions, from `memo` or built (and remembered). */
function haltonEngineOf(memo: QmcMemo, dim: number, o: QmcOptions): HaltonEngine {
  const key = `halton|${dim}|${o.scramble ? o.seed : "-"}`;
  const hit = memo.engines.get(key);
  if (hit) return hit as HaltonEngine;
  const bases = firstPrimes(dim);
  const perms = o.scramble
    ? haltonPermutations(bases, rngFromSeed(`qmc:halton:${o.seed}`))
    : undefined;
  const engine = { bases, perms };
  remember(memo.engines, key, engine, QMC_MEMO_LIMIT);
  return engine;
}

/** Point `id` of the sampler's sequence in `dim` dimensions. */
function pointOf(memo: QmcMemo, o: QmcOptions, dim: number, id: number): ArrayLike<number> {
  if (o.qmcType === "halton") {
    const h = haltonEngineOf(memo, dim, o);
    return haltonPoint(h.bases, h.perms, id);
  }
  const engine = engineOf(memo, dim, o);
  return sobolPoint(engine.v, engine.shift, dim, id);
}

/** Maps a coordinate in [0, 1) to a parameter's internal value (Optuna 5.0's transform). */
function fromUnit(u: number, d: Distribution): number {
  switch (d._tag) {
    case "CategoricalDistribution": {
      const c = d.choices.length;
      return Math.trunc(Math.min(u * c, previousDouble(c)));
    }
    case "FloatDistribution": {
      if (d.log) {
        const lo = Math.log(d.low), hi = Math.log(d.high);
        const x = Math.exp(lo + u * (hi - lo));
        return d.low === d.high ? x : Math.min(Math.max(x, d.low), previousDouble(d.high));
      }
      if (d.step !== null) {
        const lo = d.low - d.step / 2, hi = d.high + d.step / 2;
        const x = lo + u * (hi - lo);
        const v = roundHalfEven((x - d.low) / d.step) * d.step + d.low;
        return Math.min(Math.max(v, d.low), d.high);
      }
      const x = d.low + u * (d.high - d.low);
      return d.low === d.high ? x : Math.min(x, previousDouble(d.high));
    }
    case "IntDistribution": {
      if (d.log) {
        const lo = Math.log(d.low - 0.5), hi = Math.log(d.high + 0.5);
        const v = roundHalfEven(Math.exp(lo + u * (hi - lo)));
        return Math.min(Math.max(v, d.low), d.high);
      }
      const lo = d.low - d.step / 2, hi = d.high + d.step / 2;
      const x = lo + u * (hi - lo);
      const v = Math.floor((x - d.low) / d.step + 0.5) * d.step + d.low;
      return Math.min(Math.max(v, d.low), d.high);
    }
  }
}

// -------------------------------------------------------------------------------------
// codec
// -------------------------------------------------------------------------------------

/** Decodes a QMC sampler record's options (`{seed, scramble, qmcType}`). */
function decodeQmcOptions(options: JsonValue): Either<HyperionError, QmcOptions> {
  return genEither(function* (_) {
    const o = yield* _(expectObject(options, "qmc.options"));
    const seed = yield* _(checkSeed(o.seed));
    if (seed === undefined) {
      return yield* _(left(
        invalidArgument({ field: "qmc.options.seed", value: null, expected: "an integer" }),
      ));
    }
    const scramble = yield* _(booleanField(o, "scramble", "qmc.options"));
    if (o.qmcType !== "sobol" && o.qmcType !== "halton") {
      return yield* _(left(invalidArgument({
        field: "qmc.options.qmcType",
        value: o.qmcType,
        expected: "'sobol' or 'halton'",
      })));
    }
    return { seed, scramble, qmcType: o.qmcType };
  });
}

/** The sampler record of decoded options. */
function encodeQmc(o: QmcOptions): Sampler {
  return {
    kind: "qmc",
    options: { seed: o.seed, scramble: o.scramble, qmcType: o.qmcType },
    state: {},
  };
}

// -------------------------------------------------------------------------------------
// sampler functions
// -------------------------------------------------------------------------------------

function validate(sampler: Sampler): Either<HyperionError, Sampler> {
  return genEither(function* (_) {
    const o = yield* _(decodeQmcOptions(sampler.options));
    yield* _(checkLegacyState(sampler.state, "qmc.state", "randomRng"));
    return encodeQmc(o);
  });
}

/**
 * Reserves the next sequence index for the trial (Optuna's read-increment-write counter) and
 * records it in the trial's system attribute `qmc:sample_id`; a trial that already holds one
 * (a re-run carrying its original's attributes) keeps it without advancing the counter.
 */
function beforeTrial(
  sampler: Sampler,
  ctx: SamplerContext,
): Either<HyperionError, SamplerHookResult> {
  if (typeof ctx.trial.systemAttrs[SAMPLE_ID_KEY] === "number") {
    return right({ state: sampler.state });
  }
  const space = inferSpace(ctx.trials.filter((t) => t.number !== ctx.trial.number));
  const names = Object.keys(space);
  if (names.length === 0) return right({ state: sampler.state });
  const fixed = ctx.trial.systemAttrs["fixed_params"];
  if (
    typeof fixed === "object" && fixed !== null && names.every((n) => Object.hasOwn(fixed, n))
  ) {
    return right({ state: sampler.state });
  }
  return genEither(function* (_) {
    const key = qmcCounterKey(space, yield* _(decodeQmcOptions(sampler.options)));
    const prev = ctx.study.systemAttrs[key];
    const id = (typeof prev === "number" ? prev : -1) + 1;
    return {
      state: sampler.state,
      trialSystemAttrs: { [SAMPLE_ID_KEY]: id },
      studySystemAttrs: { [key]: id },
    };
  });
}

function inferRelativeSearchSpace(_sampler: Sampler, ctx: SamplerContext): SearchSpace {
  return inferSpace(ctx.trials);
}

function sampleRelative(
  memo: QmcMemo,
  sampler: Sampler,
  ctx: SamplerContext,
  space: SearchSpace,
): Either<HyperionError, Sampled<Readonly<Record<string, number>>>> {
  const names = Object.keys(space);
  if (names.length === 0) return right({ value: {}, state: sampler.state });
  if (names.length > SOBOL_MAX_DIM && !isHalton(sampler.options)) {
    return left(invalidArgument({
      field: "qmc.searchSpace",
      value: names.length,
      expected: `at most ${SOBOL_MAX_DIM} parameters for the Sobol' sequence`,
    }));
  }
  return genEither(function* (_) {
    const o = yield* _(decodeQmcOptions(sampler.options));
    return { value: sobolValue(memo, o, ctx, space, names), state: sampler.state };
  });
}

/** The trial's point of the Sobol' sequence, mapped to `space` (of `names`). */
function sobolValue(
  memo: QmcMemo,
  o: QmcOptions,
  ctx: SamplerContext,
  space: SearchSpace,
  names: ReadonlyArray<string>,
): Readonly<Record<string, number>> {
  const reserved = ctx.trial.systemAttrs[SAMPLE_ID_KEY];
  let id: number;
  if (typeof reserved === "number" && Number.isSafeInteger(reserved) && reserved >= 0) {
    id = reserved;
  } else {
    const prev = ctx.study.systemAttrs[qmcCounterKey(space, o)];
    id = (typeof prev === "number" ? prev : -1) + 1;
  }
  const point = pointOf(memo, o, names.length, id);
  const value: Record<string, number> = {};
  names.forEach((name, d) => value[name] = fromUnit(point[d]!, space[name]!));
  return value;
}

/** True when the options ask for a Halton sequence (no dimension limit). */
function isHalton(options: JsonValue): boolean {
  return isPlainObject(options) && options.qmcType === "halton";
}

function sampleIndependent(
  sampler: Sampler,
  ctx: SamplerContext,
  param: { readonly name: string; readonly distribution: Distribution },
): Either<HyperionError, Sampled<number>> {
  return genEither(function* (_) {
    const o = yield* _(decodeQmcOptions(sampler.options));
    const rng = rngFor(o.seed, ctx.trial.number, paramKey(param.name));
    return { value: sampleUniformInternal(rng, param.distribution), state: sampler.state };
  });
}

/**
 * The QMC sampler's functions, using (and filling) `memo`.
 *
 * @category constructors
 */
export function makeQmcSamplerImpl(memo: QmcMemo = newQmcMemo()): QmcSamplerImpl {
  return Object.freeze({
    kind: "qmc",
    needsHistory: true,
    readsTrialParams: false,
    memo,
    createWorkspace: newQmcMemo,
    validate,
    beforeTrial,
    inferRelativeSearchSpace,
    sampleRelative: (
      sampler: Sampler,
      ctx: SamplerContext,
      space: SearchSpace,
      workspace?: unknown,
    ) => sampleRelative(isQmcMemo(workspace) ? workspace : memo, sampler, ctx, space),
    sampleIndependent,
  });
}

/** True when `value` is a {@link QmcMemo} (a workspace made by `createWorkspace`). */
function isQmcMemo(value: unknown): value is QmcMemo {
  return isPlainObject(value) && value.engines instanceof Map;
}

/**
 * The QMC sampler's functions (kind `"qmc"`), one of the built-in sampler kinds; its
 * {@link QmcMemo} is the field `memo`.
 *
 * @category constants
 */
export const qmcSamplerImpl: QmcSamplerImpl = makeQmcSamplerImpl();
