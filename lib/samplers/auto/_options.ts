/**
 * Options of the automatic sampler (private): the user-facing type, the defaults, and the
 * decoder that checks a sampler record's options, naming the field at fault.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import type { JsonValue } from "../../core/json.ts";
import { expectObject, type Sampler } from "../sampler.ts";
import { derivedSeed, seedOrEntropy, uncheckedJson } from "../_utils.ts";

/**
 * Options of `autoSampler`.
 *
 * @category model
 */
export interface AutoSamplerOptions {
  /**
   * Seed of every draw: each sampler the automatic sampler delegates to runs with this seed
   * (their draws for trial `n` come from `rngFor(seed, n, key)`). Drawn from the platform's
   * entropy at construction when absent, and recorded, so that every sampler record replays.
   *
   * @default {undefined}
   */
  readonly seed?: number | undefined;
  /**
   * COMPLETE trials below which the first, model-based phase runs (the Gaussian process, or
   * TPE for multi-objective studies it does not fit); from this many on, CMA-ES (one
   * objective) or NSGA-II/III (several) take over. Optuna's AutoSampler uses 250.
   *
   * @default {250}
   */
  readonly gpBudget?: number | undefined;
}

/** Decoded options. */
export interface AutoOptions {
  readonly seed: number;
  readonly gpBudget: number;
}

/** The default of `gpBudget` (Optuna's `_MAX_BUDGET_FOR_SINGLE_GP`). */
export const DEFAULT_GP_BUDGET = 250;

/** Every option resolved to its default (the seed drawn from entropy when absent). */
export function resolveAutoOptions(o: AutoSamplerOptions): Readonly<Record<string, JsonValue>> {
  return {
    seed: seedOrEntropy(o.seed),
    gpBudget: o.gpBudget === undefined ? DEFAULT_GP_BUDGET : uncheckedJson(o.gpBudget),
  };
}

/** The options record of decoded options. */
export function encodeAutoOptions(o: AutoOptions): Readonly<Record<string, JsonValue>> {
  return { seed: o.seed, gpBudget: o.gpBudget };
}

/** Checks an `"auto"` record's options. */
export function decodeAutoOptions(sampler: Sampler): Either<HyperionError, AutoOptions> {
  const o = expectObject(sampler.options, "auto.options");
  if (o._tag === "Left") return o;
  const budget = o.right.gpBudget;
  if (typeof budget !== "number" || !Number.isSafeInteger(budget) || budget < 0) {
    return left(invalidArgument({
      field: "auto.options.gpBudget",
      value: budget,
      expected: "a non-negative integer",
    }));
  }
  const seed = derivedSeed(o.right, sampler.state, "auto", []);
  if (seed._tag === "Left") return seed;
  return right({ seed: seed.right, gpBudget: budget });
}
