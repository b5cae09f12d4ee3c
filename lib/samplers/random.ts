/**
 * Random search: every parameter drawn independently and uniformly (on a log scale for log
 * domains, uniformly over the grid points for stepped ones), as Optuna's `RandomSampler`.
 *
 * @module
 */
import { type Either, right } from "../effect.ts";
import type { HyperionError } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import {
  type Rng,
  rngFromSeed,
  rngFromState,
  type RngState,
  rngState,
  uniform,
} from "../random/rng.ts";
import { expectRngStates, previousDouble, roundHalfEven } from "../_internal/sampler_utils.ts";
import { checkSeed, expectObject, registerSampler, type Sampled, type Sampler } from "./sampler.ts";

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
   * Seed of the generator; without one, a seed from the platform's entropy (recorded in the
   * sampler's state, so even unseeded runs can be replayed from a snapshot).
   *
   * @default {undefined}
   */
  readonly seed?: number | undefined;
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
 * **Gotchas**: random search needs many trials in more than a few dimensions; with
 * `concurrency > 1` the order of draws depends on scheduling, so seeded runs are reproducible
 * only sequentially.
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
  const seed = options.seed;
  const rng = rngFromSeed(seed);
  return {
    kind: "random",
    options: { seed: seed ?? null },
    state: { rng: rngState(rng) },
  };
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

function validate(sampler: Sampler): Either<HyperionError, Sampler> {
  const options = expectObject(sampler.options, "random.options");
  if (options._tag === "Left") return options;
  const seed = checkSeed(options.right.seed);
  if (seed._tag === "Left") return seed;
  const state = expectRngStates(sampler.state, "random.state", ["rng"]);
  if (state._tag === "Left") return state;
  return right(sampler);
}

function sampleIndependent(
  sampler: Sampler,
  _ctx: unknown,
  param: { readonly name: string; readonly distribution: Distribution },
): Either<HyperionError, Sampled<number>> {
  const state = sampler.state as unknown as { readonly rng: RngState };
  const rng = rngFromState(state.rng);
  const value = sampleUniformInternal(rng, param.distribution);
  return right({ value, state: { ...state, rng: rngState(rng) } });
}

registerSampler({ kind: "random", needsHistory: false, validate, sampleIndependent });
