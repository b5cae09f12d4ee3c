/**
 * Random search: every parameter drawn independently and uniformly (on a log scale for log
 * domains, uniformly over the grid points for stepped ones), as Optuna's `RandomSampler`.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import { type Rng, rngFor, uniform } from "../random/rng.ts";
import {
  derivedSeed,
  isPlainObject,
  paramKey,
  previousDouble,
  roundHalfEven,
  seedOrEntropy,
  uncheckedJson,
} from "./_utils.ts";
import {
  expectObject,
  type Sampled,
  type Sampler,
  type SamplerContext,
  type SamplerImpl,
} from "./sampler.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link randomSampler}.
 *
 * @category model
 */
export interface RandomSamplerOptions {
  /**
   * Seed of the draws. Every draw is derived from (seed, trial number, parameter name) with
   * {@link rngFor} (key `"param:<name>"`), so a trial's parameters never depend on how many
   * trials the sampler served before, and a fresh sampler with the same seed continues a study
   * exactly. Without a seed, one is drawn from the platform's entropy once, at construction,
   * and recorded as `options.seed`, so that a snapshot of an unseeded sampler replays too.
   *
   * @default {undefined}
   */
  readonly seed?: number | undefined;
}

/** The options of a random sampler record, decoded. */
interface RandomOptions {
  readonly seed: number;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A random sampler.
 *
 * **When to use**: baselines, the startup phase of model-based samplers, very noisy or
 * very cheap objectives, and when many workers should explore independently.
 *
 * **What it does**: draws each parameter independently: uniform on `[low, high)` for floats,
 * on the log of the range for log domains, uniform over the grid points for stepped and
 * integer domains, uniform over the choices for categoricals. It reads no history, so its cost
 * per trial is constant.
 *
 * **Gotchas**: random search needs many trials in more than a few dimensions. A seeded
 * trial's parameters depend only on the seed, its number and the parameters' names, so even
 * with `concurrency > 1` trial `n` gets the same parameters in every run.
 *
 * @example Seeded random search
 * ```ts
 * import { createStudy, optimize, randomSampler, runOrThrow, suggestFloat, map } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ sampler: randomSampler({ seed: 7 }) }));
 * const summary = await runOrThrow(optimize(study, (trial) =>
 *   map(suggestFloat(trial, "x", -5, 5), (x) => x * x), { nTrials: 20 }));
 * assert.equal(summary.nTrials, 20);
 * ```
 *
 * @category constructors
 */
export function randomSampler(options: RandomSamplerOptions = {}): Sampler {
  // a wrong-typed options value is kept as it is, for `validate` to report it
  if (!isPlainObject(options)) {
    return { kind: "random", options: uncheckedJson(options), state: {} };
  }
  return { kind: "random", options: { seed: seedOrEntropy(options.seed) }, state: {} };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Draws one internal value uniformly from a distribution with Optuna's search-space transform
 * (one uniform per numeric parameter, `k` uniforms for `k` choices).
 *
 * @category utils
 */
export function sampleUniformInternal(rng: Rng, d: Distribution): number {
  switch (d._tag) {
    case "CategoricalDistribution": {
      let best = 0, bestU = -1;
      for (let i = 0; i < d.choices.length; i++) {
        const u = uniform(rng);
        if (u > bestU) {
          bestU = u;
          best = i;
        }
      }
      return best;
    }
    case "FloatDistribution": {
      if (d.low === d.high) return d.low;
      if (d.log) {
        const x = Math.exp(uniform(rng, Math.log(d.low), Math.log(d.high)));
        return Math.min(Math.max(x, d.low), previousDouble(d.high));
      }
      if (d.step !== null) {
        const x = uniform(rng, d.low - d.step / 2, d.high + d.step / 2);
        const k = roundHalfEven((x - d.low) / d.step);
        return Math.min(Math.max(d.low + k * d.step, d.low), d.high);
      }
      return Math.min(uniform(rng, d.low, d.high), previousDouble(d.high));
    }
    case "IntDistribution": {
      if (d.low === d.high) return d.low;
      if (d.log) {
        const x = Math.exp(uniform(rng, Math.log(d.low - 0.5), Math.log(d.high + 0.5)));
        return Math.min(Math.max(roundHalfEven(x), d.low), d.high);
      }
      const x = uniform(rng, d.low - d.step / 2, d.high + d.step / 2);
      const k = roundHalfEven((x - d.low) / d.step);
      return Math.min(Math.max(d.low + k * d.step, d.low), d.high);
    }
  }
}

// -------------------------------------------------------------------------------------
// codec
// -------------------------------------------------------------------------------------

/**
 * Decodes a random sampler record's options (`{seed}`); a state of the older shape (an RNG
 * stream) is checked and dropped, and an unseeded one gets the seed hashed from it.
 */
function decodeRandom(sampler: Sampler): Either<HyperionError, RandomOptions> {
  // plain checks, no generator: this runs on every draw
  const options = expectObject(sampler.options, "random.options");
  if (options._tag === "Left") return options;
  const seed = derivedSeed(options.right, sampler.state, "random", LEGACY_KEYS);
  return seed._tag === "Left" ? seed : right({ seed: seed.right });
}

/** The state keys of the older snapshot shape (an RNG stream), checked and dropped. */
const LEGACY_KEYS: readonly string[] = Object.freeze(["rng"]);

/** The sampler record of decoded options. */
function encodeRandom(options: RandomOptions): Sampler {
  return { kind: "random", options: { seed: options.seed }, state: {} };
}

// -------------------------------------------------------------------------------------
// sampler functions
// -------------------------------------------------------------------------------------

function validate(sampler: Sampler): Either<HyperionError, Sampler> {
  const options = decodeRandom(sampler);
  return options._tag === "Left" ? options : right(encodeRandom(options.right));
}

function sampleIndependent(
  sampler: Sampler,
  ctx: SamplerContext,
  param: { readonly name: string; readonly distribution: Distribution },
): Either<HyperionError, Sampled<number>> {
  const options = decodeRandom(sampler);
  if (options._tag === "Left") return options;
  const rng = rngFor(options.right.seed, ctx.trial.number, paramKey(param.name));
  return right({ value: sampleUniformInternal(rng, param.distribution), state: sampler.state });
}

/**
 * The random sampler's functions (kind `"random"`), one of the built-in sampler kinds.
 *
 * @category constants
 */
export const randomSamplerImpl: SamplerImpl = Object.freeze({
  kind: "random",
  needsHistory: false,
  readsTrialParams: false,
  validate,
  sampleIndependent,
});
