/**
 * The options of the CMA-ES sampler record: their decoding (every bad value a Left naming the
 * option) and Optuna's checks of incompatible combinations. Private to the CMA-ES sampler.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import { checkDistribution, type Distribution } from "../../core/distributions.ts";
import type { JsonValue } from "../../core/json.ts";
import type { TrialState } from "../../core/trial.ts";
import { randomSamplerImpl } from "../random.ts";
import { tpeSamplerImpl } from "../tpe/mod.ts";
import { isPlainObject } from "../_utils.ts";
import { checkSeed, expectObject, type Sampler, type SamplerImpl } from "../sampler.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A finished trial of another study, as JSON, for warm starting (`sourceTrials`). */
export interface CmaEsSourceTrial {
  /** Its state: COMPLETE (or PRUNED with `considerPrunedTrials`) trials are used. */
  readonly state: TrialState;
  /** Its objective values (the first is used). */
  readonly values: ReadonlyArray<number> | null;
  /** Parameter name → value. */
  readonly params: Readonly<Record<string, number | string | boolean | null>>;
  /** Parameter name → distribution (must equal the search space to be used). */
  readonly distributions: Readonly<Record<string, Distribution>>;
}

/** The decoded options. */
export interface CmaOptions {
  readonly seed: number;
  readonly x0: Readonly<Record<string, number>> | null;
  readonly sigma0: number | null;
  readonly nStartupTrials: number;
  readonly independentSampler: Sampler;
  readonly independentImpl: SamplerImpl;
  readonly warnIndependentSampling: boolean;
  readonly considerPrunedTrials: boolean;
  readonly restartStrategy: "ipop" | "bipop" | null;
  readonly popsize: number | null;
  readonly incPopsize: number;
  readonly useSeparableCma: boolean;
  readonly withMargin: boolean;
  readonly lrAdapt: boolean;
  readonly sourceTrials: ReadonlyArray<CmaEsSourceTrial> | null;
}

const P = "cmaEs.options";

// -------------------------------------------------------------------------------------
// codec
// -------------------------------------------------------------------------------------

function bad(name: string, value: unknown, expected: string): Either<HyperionError, never> {
  return left(invalidArgument({ field: `${P}.${name}`, value, expected }));
}

function bool(
  o: Readonly<Record<string, JsonValue>>,
  name: string,
): Either<HyperionError, boolean> {
  const v = o[name];
  return typeof v === "boolean" ? right(v) : bad(name, v, "a boolean");
}

function intAtLeast(
  o: Readonly<Record<string, JsonValue>>,
  name: string,
  min: number,
  nullable: boolean,
): Either<HyperionError, number | null> {
  const v = o[name];
  if (v === null && nullable) return right(null);
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= min) return right(v);
  return bad(name, v, `an integer ≥ ${min}${nullable ? " or null" : ""}`);
}

function decodeX0(v: JsonValue | undefined): Either<HyperionError, Record<string, number> | null> {
  if (v === null) return right(null);
  if (
    !isPlainObject(v) || !Object.values(v).every((x) => typeof x === "number" && Number.isFinite(x))
  ) {
    return bad("x0", v, "a record parameter name → finite number, or null");
  }
  return right(v as Record<string, number>);
}

function decodeSigma0(v: JsonValue | undefined): Either<HyperionError, number | null> {
  if (v === null) return right(null);
  if (typeof v === "number" && Number.isFinite(v) && v > 0) return right(v);
  return bad("sigma0", v, "a positive finite number or null");
}

function decodeIndependent(
  v: JsonValue | undefined,
  seed: number,
): Either<HyperionError, readonly [Sampler, SamplerImpl]> {
  if (v === null) {
    return right([{ kind: "random", options: { seed }, state: {} }, randomSamplerImpl]);
  }
  const kinds: Record<string, SamplerImpl> = { random: randomSamplerImpl, tpe: tpeSamplerImpl };
  if (!isPlainObject(v) || typeof v.kind !== "string" || !Object.hasOwn(kinds, v.kind)) {
    return bad("independentSampler", v, "a 'random' or 'tpe' sampler record, or null");
  }
  const impl = kinds[v.kind]!;
  const checked = impl.validate(v as unknown as Sampler);
  return checked._tag === "Left" ? checked : right([checked.right, impl]);
}

function decodeSource(v: JsonValue | undefined): Either<HyperionError, CmaEsSourceTrial[] | null> {
  if (v === null) return right(null);
  if (!Array.isArray(v)) return bad("sourceTrials", v, "an array of trial records, or null");
  for (const [i, t] of v.entries()) {
    const ok = isPlainObject(t) && typeof t.state === "string" && isPlainObject(t.params) &&
      isPlainObject(t.distributions) && (t.values === null || Array.isArray(t.values));
    if (!ok) {
      return bad(`sourceTrials[${i}]`, t, "a trial record {state, values, params, distributions}");
    }
    for (const [name, d] of Object.entries(t.distributions as Record<string, unknown>)) {
      const c = checkDistribution(d, name);
      if (c._tag === "Left") {
        return bad(`sourceTrials[${i}].distributions.${name}`, d, "a distribution");
      }
    }
  }
  return right(v as unknown as CmaEsSourceTrial[]);
}

function decodeRestart(v: JsonValue | undefined): Either<HyperionError, "ipop" | "bipop" | null> {
  if (v === null || v === "ipop" || v === "bipop") return right(v);
  return bad("restartStrategy", v, "'ipop', 'bipop' or null");
}

/** Decodes a CMA-ES sampler record's options; Optuna's incompatible combinations are Lefts. */
export function decodeCmaOptions(options: JsonValue): Either<HyperionError, CmaOptions> {
  const o = expectObject(options, P);
  if (o._tag === "Left") return o;
  const r = o.right;
  const seed = checkSeed(r.seed);
  if (seed._tag === "Left") return seed;
  if (seed.right === undefined) return bad("seed", null, "an integer");
  const parts = {
    x0: decodeX0(r.x0),
    sigma0: decodeSigma0(r.sigma0),
    nStartupTrials: intAtLeast(r, "nStartupTrials", 0, false),
    warnIndependentSampling: bool(r, "warnIndependentSampling"),
    considerPrunedTrials: bool(r, "considerPrunedTrials"),
    restartStrategy: decodeRestart(r.restartStrategy),
    popsize: intAtLeast(r, "popsize", 2, true),
    incPopsize: intAtLeast(r, "incPopsize", 1, false),
    useSeparableCma: bool(r, "useSeparableCma"),
    withMargin: bool(r, "withMargin"),
    lrAdapt: bool(r, "lrAdapt"),
    sourceTrials: decodeSource(r.sourceTrials),
    independent: decodeIndependent(r.independentSampler, seed.right),
  };
  const out: Record<string, unknown> = { seed: seed.right };
  for (const [k, e] of Object.entries(parts)) {
    if (e._tag === "Left") return e;
    out[k] = e.right;
  }
  const [independentSampler, independentImpl] = out.independent as [Sampler, SamplerImpl];
  delete out.independent;
  const decoded = { ...out, independentSampler, independentImpl } as unknown as CmaOptions;
  return checkCombinations(decoded);
}

/** Optuna's checks of option combinations. */
function checkCombinations(o: CmaOptions): Either<HyperionError, CmaOptions> {
  if (o.sourceTrials !== null && (o.x0 !== null || o.sigma0 !== null)) {
    return bad("sourceTrials", "…", "no 'x0' or 'sigma0' together with 'sourceTrials'");
  }
  if (o.sourceTrials !== null && o.useSeparableCma) {
    return bad("sourceTrials", "…", "no 'sourceTrials' together with 'useSeparableCma'");
  }
  if (o.lrAdapt && (o.useSeparableCma || o.withMargin)) {
    return bad("lrAdapt", true, "'lrAdapt' without 'useSeparableCma' or 'withMargin'");
  }
  if (o.useSeparableCma && o.withMargin) {
    return bad("withMargin", true, "'withMargin' without 'useSeparableCma'");
  }
  return right(o);
}

/** The options record of decoded options (JSON). */
export function encodeCmaOptions(o: CmaOptions): JsonValue {
  return {
    seed: o.seed,
    x0: o.x0,
    sigma0: o.sigma0,
    nStartupTrials: o.nStartupTrials,
    independentSampler: o.independentSampler as unknown as JsonValue,
    warnIndependentSampling: o.warnIndependentSampling,
    considerPrunedTrials: o.considerPrunedTrials,
    restartStrategy: o.restartStrategy,
    popsize: o.popsize,
    incPopsize: o.incPopsize,
    useSeparableCma: o.useSeparableCma,
    withMargin: o.withMargin,
    lrAdapt: o.lrAdapt,
    sourceTrials: o.sourceTrials as unknown as JsonValue,
  };
}
