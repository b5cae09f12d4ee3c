/**
 * Options of the GP sampler (private): the user-facing type, their defaults (Optuna 5.0's),
 * and the decoder that checks a sampler record's options, naming the field at fault.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import type { JsonValue } from "../../core/json.ts";
import { expectObject, type Sampler } from "../sampler.ts";
import { derivedSeed, isPlainObject, seedOrEntropy, uncheckedJson } from "../_utils.ts";

/**
 * Options of `gpSampler`.
 *
 * @category model
 */
export interface GpSamplerOptions {
  /**
   * Seed of every draw (the Sobol' candidates and the roulette of the acquisition search,
   * the independent sampler's draws). Drawn from the platform's entropy at construction when
   * absent, and recorded, so that every sampler record replays.
   *
   * @default {undefined}
   */
  readonly seed?: number | undefined;
  /**
   * The sampler of the first `nStartupTrials` trials and of the parameters the GP cannot
   * model (those not in every completed trial with the same distribution): a `random` or
   * `tpe` sampler record.
   *
   * @default {randomSampler({ seed })}
   */
  readonly independentSampler?: Sampler | undefined;
  /**
   * Completed trials before the GP is used.
   *
   * @default {10}
   */
  readonly nStartupTrials?: number | undefined;
  /**
   * The objective has no noise: the noise variance is fixed at its minimum (`1e-6` of the
   * standardised values) instead of fitted.
   *
   * @default {false}
   */
  readonly deterministicObjective?: boolean | undefined;
  /**
   * Warp the objective values before the fit (single-objective studies without constraints;
   * not in Optuna 5.0):
   * after standardisation, the Yeo–Johnson power transform whose exponent (in `[0, 2]`, where
   * the transform maps the whole line onto itself) makes them most Gaussian, then
   * standardisation again. The long tail of bad values is compressed and the values near the
   * best are spread apart, so the GP models the region it exploits more precisely; the
   * automatic sampler turns it on. It makes the search more exploitative: far better on a
   * 20-dimensional Styblinski–Tang and closer to the optimum on smooth problems, but on
   * Branin (three global minima) 1 seed in 80 stayed at a point on the boundary (1.94
   * instead of 0.398) that the unwarped GP leaves.
   *
   * @default {false}
   */
  readonly outputWarping?: boolean | undefined;
}

/** Decoded options. */
export interface GpOptions {
  readonly seed: number;
  readonly independentSampler: Sampler;
  readonly nStartupTrials: number;
  readonly deterministicObjective: boolean;
  readonly outputWarping: boolean;
}

/** The kinds an independent sampler may be. */
export const INDEPENDENT_KINDS: ReadonlyArray<string> = ["random", "tpe"];

/** Every option resolved to its default (the seed drawn from entropy when absent). */
export function resolveGpOptions(o: GpSamplerOptions): Readonly<Record<string, JsonValue>> {
  const seed = seedOrEntropy(o.seed);
  return {
    seed,
    independentSampler: o.independentSampler === undefined
      ? { kind: "random", options: { seed }, state: {} }
      : uncheckedJson(o.independentSampler),
    nStartupTrials: o.nStartupTrials ?? 10,
    deterministicObjective: o.deterministicObjective ?? false,
    outputWarping: o.outputWarping ?? false,
  };
}

function bad(field: string, value: unknown, expected: string): Either<HyperionError, never> {
  return left(invalidArgument({ field: `gp.options.${field}`, value, expected }));
}

/** Checks a `"gp"` record's options (the independent sampler's own options are checked by its kind). */
export function decodeGpOptions(sampler: Sampler): Either<HyperionError, GpOptions> {
  const o = expectObject(sampler.options, "gp.options");
  if (o._tag === "Left") return o;
  const op = o.right;
  const n = op.nStartupTrials;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    return bad("nStartupTrials", n, "a non-negative integer");
  }
  if (typeof op.deterministicObjective !== "boolean") {
    return bad("deterministicObjective", op.deterministicObjective, "a boolean");
  }
  // absent in the records written before the option existed
  const warp = op.outputWarping ?? false;
  if (typeof warp !== "boolean") return bad("outputWarping", warp, "a boolean");
  const ind = op.independentSampler;
  if (
    !isPlainObject(ind) || typeof ind.kind !== "string" || !INDEPENDENT_KINDS.includes(ind.kind) ||
    !("options" in ind) || !("state" in ind)
  ) {
    return bad(
      "independentSampler",
      isPlainObject(ind) ? ind.kind : ind,
      "a 'random' or 'tpe' sampler record {kind, options, state}",
    );
  }
  const seed = derivedSeed(op, sampler.state, "gp", []);
  if (seed._tag === "Left") return seed;
  return right({
    seed: seed.right,
    independentSampler: ind as unknown as Sampler,
    nStartupTrials: n,
    deterministicObjective: op.deterministicObjective,
    outputWarping: warp,
  });
}
