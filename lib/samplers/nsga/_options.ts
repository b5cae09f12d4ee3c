/**
 * The options of the NSGA-II and NSGA-III samplers: what a user passes, the resolved record kept
 * in `Sampler.options`, and its decoder (errors name the option). Private to
 * `lib/samplers/nsga/`.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import type { JsonValue } from "../../core/json.ts";
import { isPlainObject, seedOrEntropy, uncheckedJson } from "../_utils.ts";
import { checkSeed } from "../sampler.ts";
import { type CrossoverSpec, nParents } from "./_crossover.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A crossover of the NSGA samplers, by name (Optuna's defaults for its parameters) or as a
 * record with its parameters:
 *
 * - `"uniform"`: each parameter from one of two parents (`swappingProb`).
 * - `{ name: "blxalpha", alpha }`: uniform in the parents' box widened by `alpha` (0.5).
 * - `{ name: "sbx" | "vsbx", eta, uniformCrossoverProb, useChildGeneProb }`: (vector) simulated
 *   binary crossover; `eta` defaults to 20 with several objectives, else 2; both probabilities
 *   default to 0.5.
 * - `{ name: "undx", sigmaXi, sigmaEta }`: unimodal normal distribution crossover of three
 *   parents (`sigmaXi` 0.5, `sigmaEta` 0.35/√d).
 * - `{ name: "spx", epsilon }`: simplex crossover of three parents (`epsilon` √(d + 2)).
 *
 * Categorical parameters always use the uniform crossover.
 *
 * @category model
 */
export type NsgaCrossover =
  | "uniform"
  | "blxalpha"
  | "sbx"
  | "vsbx"
  | "undx"
  | "spx"
  | { readonly name: "uniform" }
  | { readonly name: "blxalpha"; readonly alpha?: number }
  | {
    readonly name: "sbx" | "vsbx";
    readonly eta?: number | null;
    readonly uniformCrossoverProb?: number;
    readonly useChildGeneProb?: number;
  }
  | { readonly name: "undx"; readonly sigmaXi?: number; readonly sigmaEta?: number | null }
  | { readonly name: "spx"; readonly epsilon?: number | null };

/**
 * The mutation of the NSGA samplers: `null` draws a mutated parameter again at random (Optuna's
 * default); `"polynomial"` (or `{ name: "polynomial", eta }`, `eta` 20) is Optuna 5.0's
 * `PolynomialMutation` of numerical parameters (categorical ones are drawn at random).
 *
 * @category model
 */
export type NsgaMutation = null | "polynomial" | {
  readonly name: "polynomial";
  readonly eta?: number;
};

/**
 * Options of {@link nsgaIISampler}. The defaults are Optuna 5.0's.
 *
 * @category model
 */
export interface NsgaIISamplerOptions {
  /**
   * Seed of the draws: trial `n`'s child comes from `rngFor(seed, n, "relative")`, a parameter
   * drawn at random from `rngFor(seed, n, "param:<name>")`, and NSGA-III's niching of
   * generation `g` from `rngFor(seed, g, "nsga:selection")`. Drawn at construction when not given.
   *
   * @default {undefined}
   */
  readonly seed?: number | undefined;
  /**
   * Individuals (trials) per generation; at least 2 and at least the crossover's parents.
   *
   * @default {50}
   */
  readonly populationSize?: number;
  /**
   * Probability of mutating each parameter of a child; `null`: 1 / (number of parameters).
   *
   * @default {null}
   */
  readonly mutationProb?: number | null;
  /**
   * How a parameter is mutated (see {@link NsgaMutation}).
   *
   * @default {null}
   */
  readonly mutation?: NsgaMutation;
  /**
   * The crossover of numerical parameters (see {@link NsgaCrossover}).
   *
   * @default {"uniform"}
   */
  readonly crossover?: NsgaCrossover;
  /**
   * Probability that a child is a crossover of parents (else a copy of one parent).
   *
   * @default {0.9}
   */
  readonly crossoverProb?: number;
  /**
   * Probability of taking each parameter from the second parent in a uniform crossover.
   *
   * @default {0.5}
   */
  readonly swappingProb?: number;
}

/**
 * Options of {@link nsgaIIISampler}: those of NSGA-II and the reference points.
 *
 * @category model
 */
export interface NsgaIIISamplerOptions extends NsgaIISamplerOptions {
  /**
   * Reference points (one row per point, one column per objective); `null`: every
   * `dividingParameter`-combination with replacement of the objectives (Das and Dennis).
   *
   * @default {null}
   */
  readonly referencePoints?: ReadonlyArray<ReadonlyArray<number>> | null;
  /**
   * Divisions of each objective for the default reference points.
   *
   * @default {3}
   */
  readonly dividingParameter?: number;
}

/** The decoded options of both samplers (NSGA-II ignores the reference points). */
export interface NsgaOptions {
  readonly seed: number;
  readonly populationSize: number;
  readonly mutationProb: number | null;
  readonly mutation: { readonly name: "polynomial"; readonly eta: number } | null;
  readonly crossover: CrossoverSpec;
  readonly crossoverProb: number;
  readonly swappingProb: number;
  readonly referencePoints: ReadonlyArray<ReadonlyArray<number>> | null;
  readonly dividingParameter: number;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The options record a constructor stores (unchecked: `validate` reports bad values). */
export function nsgaOptionsRecord(options: unknown, nsga3: boolean): JsonValue {
  if (!isPlainObject(options)) return uncheckedJson(options);
  const o = options as NsgaIIISamplerOptions;
  const record: Record<string, unknown> = {
    seed: seedOrEntropy(o.seed),
    populationSize: o.populationSize ?? 50,
    mutationProb: o.mutationProb ?? null,
    mutation: o.mutation ?? null,
    crossover: o.crossover ?? "uniform",
    crossoverProb: o.crossoverProb ?? 0.9,
    swappingProb: o.swappingProb ?? 0.5,
  };
  if (nsga3) {
    record.referencePoints = o.referencePoints ?? null;
    record.dividingParameter = o.dividingParameter ?? 3;
  }
  return uncheckedJson(record);
}

/** The options record of decoded options. */
export function encodeNsgaOptions(o: NsgaOptions, nsga3: boolean): JsonValue {
  const { referencePoints, dividingParameter, ...rest } = o;
  const base = uncheckedJson(rest) as Record<string, JsonValue>;
  return nsga3
    ? { ...base, referencePoints: uncheckedJson(referencePoints), dividingParameter }
    : base;
}

// -------------------------------------------------------------------------------------
// codec
// -------------------------------------------------------------------------------------

type Result<A> = Either<HyperionError, A>;

function bad(field: string, value: unknown, expected: string): Result<never> {
  return left(invalidArgument({ field, value, expected }));
}

/** A number in [lo, hi] (`openLow`: (lo, hi]). */
function prob(value: unknown, field: string, openLow = false): Result<number> {
  const ok = typeof value === "number" && (openLow ? value > 0 : value >= 0) && value <= 1;
  return ok ? right(value) : bad(field, value, `a number in ${openLow ? "(0, 1]" : "[0, 1]"}`);
}

/** A finite number ≥ 0, or null when `nullable`. */
function nonNegative(value: unknown, field: string, nullable: boolean): Result<number | null> {
  if (nullable && (value === null || value === undefined)) return right(null);
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? right(value)
    : bad(field, value, nullable ? "a finite number ≥ 0 or null" : "a finite number ≥ 0");
}

/** Decodes a crossover option into its spec. */
export function decodeCrossover(value: unknown, field: string): Result<CrossoverSpec> {
  const c = typeof value === "string" ? { name: value } : value;
  if (!isPlainObject(c)) return bad(field, value, "a crossover name or {name, …}");
  const num = (k: string, d: number | null, nullable = d === null) =>
    nonNegative(c[k] === undefined ? d : c[k], `${field}.${k}`, nullable);
  switch (c.name) {
    case "uniform":
      return right({ name: "uniform" });
    case "blxalpha": {
      const alpha = num("alpha", 0.5);
      return alpha._tag === "Left" ? alpha : right({ name: "blxalpha", alpha: alpha.right! });
    }
    case "sbx":
    case "vsbx": {
      const eta = num("eta", null);
      if (eta._tag === "Left") return eta;
      const u = prob(c.uniformCrossoverProb ?? 0.5, `${field}.uniformCrossoverProb`);
      if (u._tag === "Left") return u;
      const g = prob(c.useChildGeneProb ?? 0.5, `${field}.useChildGeneProb`, true);
      if (g._tag === "Left") return g;
      return right({
        name: c.name,
        eta: eta.right,
        uniformCrossoverProb: u.right,
        useChildGeneProb: g.right,
      });
    }
    case "undx": {
      const xi = num("sigmaXi", 0.5);
      if (xi._tag === "Left") return xi;
      const se = num("sigmaEta", null);
      return se._tag === "Left"
        ? se
        : right({ name: "undx", sigmaXi: xi.right!, sigmaEta: se.right });
    }
    case "spx": {
      const eps = num("epsilon", null);
      return eps._tag === "Left" ? eps : right({ name: "spx", epsilon: eps.right });
    }
    default:
      return bad(
        `${field}.name`,
        c.name,
        "one of 'uniform', 'blxalpha', 'sbx', 'vsbx', 'undx', 'spx'",
      );
  }
}

/** Decodes the mutation option. */
function decodeMutation(value: unknown, field: string): Result<NsgaOptions["mutation"]> {
  if (value === null || value === undefined) return right(null);
  const m = typeof value === "string" ? { name: value } : value;
  if (!isPlainObject(m) || m.name !== "polynomial") {
    return bad(field, value, "null, 'polynomial' or {name: 'polynomial', eta}");
  }
  const eta = nonNegative(m.eta ?? 20, `${field}.eta`, false);
  return eta._tag === "Left" ? eta : right({ name: "polynomial", eta: eta.right! });
}

/** Decodes the reference points: rows of equal length of finite numbers. */
function decodeReferencePoints(value: unknown, field: string): Result<number[][] | null> {
  if (value === null || value === undefined) return right(null);
  const rows = Array.isArray(value) ? value : [];
  const width = Array.isArray(rows[0]) ? rows[0].length : 0;
  const ok = rows.length > 0 && width > 0 &&
    rows.every((r) =>
      Array.isArray(r) && r.length === width &&
      r.every((v) => typeof v === "number" && Number.isFinite(v))
    );
  return ok
    ? right(rows as number[][])
    : bad(field, value, "null or rows of equal length of finite numbers");
}

/** Decodes a NSGA sampler's options; errors name `<kind>.options.<option>`. */
export function decodeNsgaOptions(options: JsonValue, kind: string): Result<NsgaOptions> {
  const p = `${kind}.options`;
  if (!isPlainObject(options)) return bad(p, options, "an object");
  const o = options as Record<string, JsonValue>;
  const seed = checkSeed(o.seed);
  if (seed._tag === "Left") return seed;
  if (seed.right === undefined) return bad(`${p}.seed`, null, "an integer");
  const crossover = decodeCrossover(o.crossover, `${p}.crossover`);
  if (crossover._tag === "Left") return crossover;
  const size = o.populationSize;
  const need = Math.max(2, nParents(crossover.right));
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < need) {
    return bad(
      `${p}.populationSize`,
      size,
      `an integer ≥ ${need} (for the '${crossover.right.name}' crossover)`,
    );
  }
  const mp = o.mutationProb === null ? right(null) : prob(o.mutationProb, `${p}.mutationProb`);
  if (mp._tag === "Left") return mp;
  const mutation = decodeMutation(o.mutation, `${p}.mutation`);
  if (mutation._tag === "Left") return mutation;
  const cp = prob(o.crossoverProb, `${p}.crossoverProb`);
  if (cp._tag === "Left") return cp;
  const sp = prob(o.swappingProb, `${p}.swappingProb`);
  if (sp._tag === "Left") return sp;
  const refs = decodeReferencePoints(o.referencePoints, `${p}.referencePoints`);
  if (refs._tag === "Left") return refs;
  const div = o.dividingParameter ?? 3;
  if (typeof div !== "number" || !Number.isSafeInteger(div) || div < 1) {
    return bad(`${p}.dividingParameter`, div, "an integer ≥ 1");
  }
  return right({
    seed: seed.right,
    populationSize: size,
    mutationProb: mp.right,
    mutation: mutation.right,
    crossover: crossover.right,
    crossoverProb: cp.right,
    swappingProb: sp.right,
    referencePoints: refs.right,
    dividingParameter: div,
  });
}
