/**
 * The TPE sampler's options: what a user passes ({@link TpeSamplerOptions}), the resolved record
 * kept in `Sampler.options` ({@link TpeOptions}) with its decoder, and the configuration of one draw.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import type { JsonValue } from "../../core/json.ts";
import type { Direction } from "../../core/study.ts";
import { derivedSeed, seedOrEntropy } from "../_utils.ts";
import { expectObject, type Sampler } from "../sampler.ts";
import type { ObservationWeights } from "./_kernels.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How many of the `n` finished trials form the good set `l(x)` (Optuna's `gamma` function,
 * as data so that samplers stay JSON):
 *
 * - `default`: `min(ceil(0.1·n), 25)`; with several objectives `ceil(0.1·n)` (Optuna 5.0).
 * - `hyperopt`: `min(ceil(0.25·√n), 25)` (hyperopt 0.1.2's rule).
 * - `linear`: `min(ceil(ratio·n), max)`.
 * - `sqrt`: `min(ceil(factor·√n), max)`.
 * - `fixed`: always `n` trials.
 *
 * @category model
 */
export type TpeGamma =
  | { readonly kind: "default" }
  | { readonly kind: "hyperopt" }
  | { readonly kind: "linear"; readonly ratio: number; readonly max?: number | null }
  | { readonly kind: "sqrt"; readonly factor: number; readonly max?: number | null }
  | { readonly kind: "fixed"; readonly n: number };

/**
 * Options of {@link tpeSampler}. The defaults are Optuna 5.0's.
 *
 * @category model
 */
export interface TpeSamplerOptions {
  /**
   * Seed of the draws. Every random number of trial `n` is derived from (seed, `n`, a key)
   * with {@link rngFor}: key `"relative"` for the joint (multivariate) sample and
   * `"param:<name>"` for a parameter drawn on its own (at random during the startup trials,
   * from its Parzen estimators after). So a trial's suggestions depend only on the seed, the
   * options, its number and the history — a fresh sampler with the same seed, or a snapshot
   * taken at any time, continues a study exactly, and a re-run trial with some parameters
   * fixed draws the others as the original did. Without a seed, one is drawn from the
   * platform's entropy once, at construction, and recorded as `options.seed`.
   *
   * @default {undefined}
   */
  readonly seed?: number | undefined;
  /**
   * Number of finished (COMPLETE or PRUNED) trials sampled at random before TPE starts.
   *
   * @default {10}
   */
  readonly nStartupTrials?: number;
  /**
   * Number of candidates drawn from `l(x)` per sample; the best by `l(x)/g(x)` wins.
   *
   * @default {24}
   */
  readonly nEiCandidates?: number;
  /**
   * Weight of the prior kernel (a wide Gaussian over the domain, a uniform row for
   * categoricals) relative to an observation.
   *
   * @default {1}
   */
  readonly priorWeight?: number;
  /**
   * Clip bandwidths from below at `range / min(100, n + 2)`.
   *
   * @default {true}
   */
  readonly considerMagicClip?: boolean;
  /**
   * Let the domain's endpoints widen the bandwidths of the outermost observations.
   *
   * @default {false}
   */
  readonly considerEndpoints?: boolean;
  /**
   * Size of the good set.
   *
   * @default {{ kind: "default" }}
   */
  readonly gamma?: TpeGamma;
  /**
   * Weights of the observations (oldest first); the good set of a multi-objective study is
   * weighted by `multiObjectiveWeights` instead.
   *
   * @default {{ kind: "default" }}
   */
  readonly weights?: ObservationWeights;
  /**
   * Model the parameters jointly (product kernels over the intersection search space) rather
   * than one by one. `undefined`: jointly for one objective, one by one for several, as
   * Optuna 5.0.
   *
   * @default {undefined}
   */
  readonly multivariate?: boolean | undefined;
  /**
   * With `multivariate`, split the search space into groups of parameters that always appear
   * together (conditional spaces) and model each group jointly.
   *
   * @default {false}
   */
  readonly group?: boolean;
  /**
   * Treat running trials as bad, so that concurrent workers avoid each other's points.
   *
   * @default {true}
   */
  readonly constantLiar?: boolean;
  /**
   * Weights of the good trials of a multi-objective study: `uniform` (Optuna 5.0) or
   * `hypervolume` contributions (Optuna 4.x).
   *
   * @default {"uniform"}
   */
  readonly multiObjectiveWeights?: "uniform" | "hypervolume";
}

/**
 * The options as stored in the sampler record, every field resolved (the typed form of
 * `Sampler.options` for the `"tpe"` kind; {@link decodeTpeOptions} checks a record's options).
 *
 * @category model
 */
export type TpeOptions = {
  readonly seed: number;
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  readonly priorWeight: number;
  readonly considerMagicClip: boolean;
  readonly considerEndpoints: boolean;
  readonly gamma: TpeGamma;
  readonly weights: ObservationWeights;
  readonly multivariate: boolean | null;
  readonly group: boolean;
  readonly constantLiar: boolean;
  readonly multiObjectiveWeights: "uniform" | "hypervolume";
};

/**
 * The configuration of one TPE draw, resolved from {@link TpeOptions} and the study's directions.
 *
 * @category model
 */
export interface TpeConfig {
  readonly nEiCandidates: number;
  readonly priorWeight: number;
  readonly considerMagicClip: boolean;
  readonly considerEndpoints: boolean;
  readonly gamma: TpeGamma;
  readonly weights: ObservationWeights;
  readonly multivariate: boolean;
  readonly constantLiar: boolean;
  readonly multiObjectiveWeights: "uniform" | "hypervolume";
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The options as {@link resolveTpeOptions} resolves them, before {@link decodeTpeOptions} checks
 * them (a wrong-typed seed is kept for the check to report).
 *
 * @category model
 */
export type ResolvedTpeOptions = {
  readonly [K in keyof TpeOptions]: K extends "seed" ? JsonValue : TpeOptions[K];
};

/**
 * Every option resolved to its default (Optuna 5.0's), the seed drawn from entropy when absent.
 *
 * @category constructors
 */
export function resolveTpeOptions(options: TpeSamplerOptions): ResolvedTpeOptions {
  return {
    seed: seedOrEntropy(options.seed),
    nStartupTrials: options.nStartupTrials ?? 10,
    nEiCandidates: options.nEiCandidates ?? 24,
    priorWeight: options.priorWeight ?? 1,
    considerMagicClip: options.considerMagicClip ?? true,
    considerEndpoints: options.considerEndpoints ?? false,
    gamma: options.gamma ?? { kind: "default" },
    weights: options.weights ?? { kind: "default" },
    multivariate: options.multivariate ?? null,
    group: options.group ?? false,
    constantLiar: options.constantLiar ?? true,
    multiObjectiveWeights: options.multiObjectiveWeights ?? "uniform",
  };
}

/**
 * Checks the options and state of a `"tpe"` sampler record and returns its typed options (the
 * seed of a former stream state recovered when the record has one).
 *
 * @category constructors
 */
export function decodeTpeOptions(sampler: Sampler): Either<HyperionError, TpeOptions> {
  const o = expectObject(sampler.options, "tpe.options");
  if (o._tag === "Left") return o;
  const op = o.right;
  const int = (k: string, min: number) => {
    const v = op[k];
    return typeof v === "number" && Number.isSafeInteger(v) && v >= min;
  };
  if (!int("nStartupTrials", 0)) {
    return bad("nStartupTrials", op.nStartupTrials, "a non-negative integer");
  }
  if (!int("nEiCandidates", 1)) {
    return bad("nEiCandidates", op.nEiCandidates, "a positive integer");
  }
  const pw = op.priorWeight;
  if (typeof pw !== "number" || !Number.isFinite(pw) || pw < 0) {
    return bad("priorWeight", pw, "a finite non-negative number");
  }
  for (const k of ["considerMagicClip", "considerEndpoints", "group", "constantLiar"]) {
    if (typeof op[k] !== "boolean") return bad(k, op[k], "a boolean");
  }
  if (op.multivariate !== null && typeof op.multivariate !== "boolean") {
    return bad("multivariate", op.multivariate, "a boolean or undefined");
  }
  if (op.group === true && op.multivariate === false) {
    return bad(
      "group",
      true,
      "'group' to be false as it can only be enabled with 'multivariate' (set 'multivariate' to true or leave it undefined)",
    );
  }
  if (op.multiObjectiveWeights !== "uniform" && op.multiObjectiveWeights !== "hypervolume") {
    return bad("multiObjectiveWeights", op.multiObjectiveWeights, "'uniform' or 'hypervolume'");
  }
  const g = checkGamma(op.gamma);
  if (g._tag === "Left") return g;
  const w = checkWeightsSpec(op.weights);
  if (w._tag === "Left") return w;
  const seed = derivedSeed(op, sampler.state, "tpe", ["rng", "randomRng"]);
  if (seed._tag === "Left") return seed;
  return right({
    seed: seed.right,
    nStartupTrials: op.nStartupTrials as number,
    nEiCandidates: op.nEiCandidates as number,
    priorWeight: pw,
    considerMagicClip: op.considerMagicClip as boolean,
    considerEndpoints: op.considerEndpoints as boolean,
    gamma: g.right,
    weights: w.right,
    multivariate: op.multivariate as boolean | null,
    group: op.group as boolean,
    constantLiar: op.constantLiar as boolean,
    multiObjectiveWeights: op.multiObjectiveWeights,
  });
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * Whether the parameters are modelled jointly.
 *
 * @category queries
 */
export function isMultivariate(o: TpeOptions, directions: ReadonlyArray<Direction>): boolean {
  if (o.multivariate !== null) return o.multivariate;
  return o.group || directions.length <= 1;
}

/**
 * The configuration of a draw for a study with `directions`.
 *
 * @category queries
 */
export function tpeConfig(o: TpeOptions, directions: ReadonlyArray<Direction>): TpeConfig {
  return {
    nEiCandidates: o.nEiCandidates,
    priorWeight: o.priorWeight,
    considerMagicClip: o.considerMagicClip,
    considerEndpoints: o.considerEndpoints,
    gamma: o.gamma,
    weights: o.weights,
    multivariate: isMultivariate(o, directions),
    constantLiar: o.constantLiar,
    multiObjectiveWeights: o.multiObjectiveWeights,
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function bad(field: string, value: unknown, expected: string): Either<HyperionError, never> {
  return left(invalidArgument({ field: `tpe.options.${field}`, value, expected }));
}

function checkGamma(g: unknown): Either<HyperionError, TpeGamma> {
  if (typeof g !== "object" || g === null) return bad("gamma", g, "a gamma rule {kind, ...}");
  const s = g as Record<string, unknown>;
  const pos = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;
  const max = (v: unknown) => v === undefined || v === null || pos(v);
  switch (s.kind) {
    case "default":
    case "hyperopt":
      return right(s as TpeGamma);
    case "linear":
      return pos(s.ratio) && max(s.max)
        ? right(s as TpeGamma)
        : bad("gamma", g, "{kind: 'linear', ratio ≥ 0, max?: ≥ 0}");
    case "sqrt":
      return pos(s.factor) && max(s.max)
        ? right(s as TpeGamma)
        : bad("gamma", g, "{kind: 'sqrt', factor ≥ 0, max?: ≥ 0}");
    case "fixed":
      return Number.isSafeInteger(s.n) && (s.n as number) >= 0
        ? right(s as TpeGamma)
        : bad("gamma", g, "{kind: 'fixed', n: a non-negative integer}");
    default:
      return bad("gamma.kind", s.kind, "'default', 'hyperopt', 'linear', 'sqrt' or 'fixed'");
  }
}

function checkWeightsSpec(w: unknown): Either<HyperionError, ObservationWeights> {
  if (typeof w !== "object" || w === null) return bad("weights", w, "a weights rule {kind}");
  const s = w as Record<string, unknown>;
  if (s.kind === "default" || s.kind === "uniform") return right(s as ObservationWeights);
  if (s.kind === "ramp" && Number.isSafeInteger(s.flat) && (s.flat as number) >= 0) {
    return right(s as ObservationWeights);
  }
  return bad("weights", w, "{kind: 'default'}, {kind: 'uniform'} or {kind: 'ramp', flat ≥ 0}");
}
