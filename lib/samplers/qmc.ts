/**
 * Quasi-Monte Carlo sampling with Sobol' sequences, as Optuna 5.0's `QMCSampler`: trial after
 * trial, the points of one low-discrepancy sequence over the whole search space, so that the
 * space is covered more evenly than by random search.
 *
 * @module
 */
import { type Either, left, right } from "../effect.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import { type JsonValue, pythonFloat } from "../core/json.ts";
import type { SearchSpace } from "../core/search_space.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { nextUint32, rngFromSeed, rngFromState, type RngState, rngState } from "../random/rng.ts";
import { expectRngStates, previousDouble, roundHalfEven } from "../_internal/sampler_utils.ts";
import { sha256Hex } from "../_internal/sha256.ts";
import { remember } from "../_internal/recent.ts";
import {
  directionNumbers,
  scramble as scrambleDirections,
  SOBOL_MAX_DIM,
  sobolPoint,
} from "../_internal/sobol.ts";
import { sampleUniformInternal } from "./random.ts";
import {
  checkSeed,
  expectObject,
  registerSampler,
  type Sampled,
  type Sampler,
  type SamplerContext,
  type SamplerHookResult,
} from "./sampler.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link qmcSampler}.
 *
 * @category model
 */
export interface QmcSamplerOptions {
  /**
   * Seed of the scrambling and of the independent (random) sampler. Without one, a random
   * seed is drawn and recorded in the options, so every worker given this sampler record uses
   * the same sequence.
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
   * The low-discrepancy sequence; only Sobol' is implemented.
   *
   * @default {"sobol"}
   */
  readonly qmcType?: "sobol";
}

interface QmcOptionsJson {
  readonly seed: number;
  readonly scramble: boolean;
  readonly qmcType: "sobol";
}

interface QmcStateJson {
  /** Generator of the independent (random) draws. */
  readonly randomRng: RngState;
  /** Sequence index reserved in `beforeTrial`, per trial number. */
  readonly pending: Readonly<Record<string, number>>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A quasi-Monte Carlo (Sobol') sampler.
 *
 * **When to use**: space-filling exploration with a fixed budget, a better-spread replacement
 * for random search (initial designs, sensitivity studies, very parallel runs), up to
 * 1024 parameters.
 *
 * **What it does**: the first trial is random; its parameters define the search space. Every
 * later trial takes the next point of the Sobol' sequence, mapped to the parameters like
 * Optuna 5.0 does (log scale for log domains, grid rounding for stepped ones, one coordinate
 * per categorical split into equal bins). The position in the sequence is a counter in the
 * study's system attributes (`qmc:<sha256 of the space and settings>`, the key Optuna uses),
 * so several workers sharing the study continue one sequence. Unscrambled points equal
 * scipy's `qmc.Sobol(d, scramble=False)`.
 *
 * **Gotchas**: parameters not in the first trial (conditional ones), or whose range changes,
 * are sampled at random. Sobol' points are balanced in blocks of powers of two: budgets like
 * 64 or 128 trials are best. Scrambled points depend on our generator and differ from
 * scipy's scrambled points.
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
  const seed = options.seed ?? nextUint32(rngFromSeed());
  const opts: QmcOptionsJson = {
    seed,
    scramble: options.scramble ?? false,
    qmcType: options.qmcType ?? "sobol",
  };
  const state: QmcStateJson = { randomRng: rngState(rngFromSeed(seed)), pending: {} };
  return {
    kind: "qmc",
    options: opts as unknown as JsonValue,
    state: state as unknown as JsonValue,
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Python's `repr` of a choice value. */
function pyRepr(v: unknown): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pythonFloat(v);
  const s = String(v);
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  return quote + s.replace(/\\/g, "\\\\").replace(quote === "'" ? /'/g : /"/g, `\\${quote}`) +
    quote;
}

/** Python Optuna's `str(distribution)`. */
export function pythonDistributionRepr(d: Distribution): string {
  switch (d._tag) {
    case "FloatDistribution":
      return `FloatDistribution(high=${pythonFloat(d.high)}, log=${d.log ? "True" : "False"}, low=${
        pythonFloat(d.low)
      }, step=${d.step === null ? "None" : pythonFloat(d.step)})`;
    case "IntDistribution":
      return `IntDistribution(high=${d.high}, log=${
        d.log ? "True" : "False"
      }, low=${d.low}, step=${d.step})`;
    case "CategoricalDistribution": {
      const items = d.choices.map(pyRepr);
      return `CategoricalDistribution(choices=(${items.join(", ")}${
        items.length === 1 ? "," : ""
      }))`;
    }
  }
}

/** JSON string as Python's `json.dumps` writes it (ASCII only). */
function pyJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The study system attribute holding the sequence counter (Optuna's key). */
export function qmcCounterKey(
  space: SearchSpace,
  options: { readonly seed: number; readonly scramble: boolean },
): string {
  const entries = Object.keys(space).sort().map((name) =>
    `${pyJsonString(name)}: ${pyJsonString(pythonDistributionRepr(space[name]!))}`
  );
  let json = `{"qmc_type": "sobol", "search_space": {${entries.join(", ")}}, `;
  json += options.scramble ? `"scramble": true, "seed": ${options.seed}}` : `"scramble": false}`;
  return `qmc:${sha256Hex(json)}`;
}

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

interface Engine {
  readonly v: Uint32Array;
  readonly shift: Uint32Array | undefined;
}

const engines = new Map<string, Engine>();

function engineOf(dim: number, o: QmcOptionsJson): Engine {
  const key = `${dim}|${o.scramble ? o.seed : "-"}`;
  const hit = engines.get(key);
  if (hit) return hit;
  const v = directionNumbers(dim);
  const engine = o.scramble
    ? scrambleDirections(v, dim, rngFromSeed(`qmc:${o.seed}`))
    : { v, shift: undefined };
  remember(engines, key, engine, 32);
  return engine;
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

function validate(sampler: Sampler): Either<HyperionError, Sampler> {
  const o = expectObject(sampler.options, "qmc.options");
  if (o._tag === "Left") return o;
  const seed = checkSeed(o.right.seed);
  if (seed._tag === "Left") return seed;
  if (seed.right === undefined) {
    return left(
      invalidArgument({ field: "qmc.options.seed", value: null, expected: "an integer" }),
    );
  }
  if (typeof o.right.scramble !== "boolean") {
    return left(invalidArgument({
      field: "qmc.options.scramble",
      value: o.right.scramble,
      expected: "a boolean",
    }));
  }
  if (o.right.qmcType !== "sobol") {
    return left(invalidArgument({
      field: "qmc.options.qmcType",
      value: o.right.qmcType,
      expected: "'sobol' (Halton sequences are not implemented)",
    }));
  }
  const s = expectRngStates(sampler.state, "qmc.state", ["randomRng"]);
  if (s._tag === "Left") return s;
  const pending = expectObject(s.right.pending, "qmc.state.pending");
  if (pending._tag === "Left") return pending;
  return right(sampler);
}

/** Reserves the next sequence index for the trial (Optuna's read-increment-write counter). */
function beforeTrial(
  sampler: Sampler,
  ctx: SamplerContext,
): Either<HyperionError, SamplerHookResult> {
  const space = inferSpace(ctx.trials.filter((t) => t.number !== ctx.trial.number));
  const names = Object.keys(space);
  if (names.length === 0) return right({ state: sampler.state });
  const fixed = ctx.trial.systemAttrs["fixed_params"];
  if (
    typeof fixed === "object" && fixed !== null && names.every((n) => Object.hasOwn(fixed, n))
  ) {
    return right({ state: sampler.state });
  }
  const o = sampler.options as unknown as QmcOptionsJson;
  const st = sampler.state as unknown as QmcStateJson;
  const key = qmcCounterKey(space, o);
  const prev = ctx.study.systemAttrs[key];
  const id = (typeof prev === "number" ? prev : -1) + 1;
  const pending: Record<string, number> = {};
  // keep the reservations of the most recent trials only
  const kept = Object.keys(st.pending).map(Number).sort((a, b) => b - a).slice(0, 63);
  for (const n of kept) pending[n] = st.pending[n]!;
  pending[ctx.trial.number] = id;
  return right({
    state: { ...st, pending } as unknown as JsonValue,
    studySystemAttrs: { [key]: id },
  });
}

function inferRelativeSearchSpace(_sampler: Sampler, ctx: SamplerContext): SearchSpace {
  return inferSpace(ctx.trials);
}

function sampleRelative(
  sampler: Sampler,
  ctx: SamplerContext,
  space: SearchSpace,
): Either<HyperionError, Sampled<Readonly<Record<string, number>>>> {
  const names = Object.keys(space);
  if (names.length === 0) return right({ value: {}, state: sampler.state });
  if (names.length > SOBOL_MAX_DIM) {
    return left(invalidArgument({
      field: "qmc.searchSpace",
      value: names.length,
      expected: `at most ${SOBOL_MAX_DIM} parameters for the Sobol' sequence`,
    }));
  }
  const o = sampler.options as unknown as QmcOptionsJson;
  const st = sampler.state as unknown as QmcStateJson;
  let id = st.pending[ctx.trial.number];
  if (id === undefined) {
    const prev = ctx.study.systemAttrs[qmcCounterKey(space, o)];
    id = (typeof prev === "number" ? prev : -1) + 1;
  }
  const { [ctx.trial.number]: _used, ...pending } = st.pending;
  const engine = engineOf(names.length, o);
  const point = sobolPoint(engine.v, engine.shift, names.length, id);
  const value: Record<string, number> = {};
  names.forEach((name, d) => value[name] = fromUnit(point[d]!, space[name]!));
  return right({ value, state: { ...st, pending } as unknown as JsonValue });
}

function sampleIndependent(
  sampler: Sampler,
  _ctx: SamplerContext,
  param: { readonly name: string; readonly distribution: Distribution },
): Either<HyperionError, Sampled<number>> {
  const st = sampler.state as unknown as QmcStateJson;
  const rng = rngFromState(st.randomRng);
  const value = sampleUniformInternal(rng, param.distribution);
  return right({ value, state: { ...st, randomRng: rngState(rng) } as unknown as JsonValue });
}

registerSampler({
  kind: "qmc",
  needsHistory: true,
  validate,
  beforeTrial,
  inferRelativeSearchSpace,
  sampleRelative,
  sampleIndependent,
});
