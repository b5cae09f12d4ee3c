/**
 * The GP's view of a search space (private), Optuna's `_gp/search_space.py`: every parameter
 * normalised to `[0, 1]` (log scale for log domains, the step's half-cells added at both ends
 * of stepped domains), categoricals as their index, stepped values rounded to their grid.
 *
 * @module
 */
import type { Distribution } from "../../core/distributions.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import type { Rng } from "../../random/rng.ts";
import { directionNumbers, scramble, SOBOL_BITS } from "../qmc/_sobol.ts";

/**
 * How a parameter is scaled (a plain object, not a `const enum`: Node's type stripping refuses
 * enums).
 */
export const Scale = { Linear: 0, Log: 1, Categorical: 2 } as const;
/** One of {@link Scale}'s values. */
export type Scale = typeof Scale[keyof typeof Scale];

/** A search space as the GP sees it. */
export interface GpSpace {
  /** Parameter names, sorted (the order of the columns). */
  readonly names: ReadonlyArray<string>;
  /** Their distributions. */
  readonly dists: ReadonlyArray<Distribution>;
  /** Number of parameters. */
  readonly dim: number;
  /** Scale per parameter. */
  readonly scales: Uint8Array;
  /** `low` (0 for categoricals) per parameter. */
  readonly lows: Float64Array;
  /** `high` (the number of choices for categoricals) per parameter. */
  readonly highs: Float64Array;
  /** Step per parameter (0: continuous; 1 for categoricals). */
  readonly steps: Float64Array;
  /** 1 for categorical parameters. */
  readonly isCategorical: Uint8Array;
  /** Indices of the parameters with a step (integers, stepped floats, categoricals). */
  readonly discrete: ReadonlyArray<number>;
  /** Indices of the continuous parameters. */
  readonly continuous: ReadonlyArray<number>;
}

/** The GP view of `space` (its keys in the given order). */
export function gpSpace(space: SearchSpace): GpSpace {
  const names = Object.keys(space);
  const dists = names.map((n) => space[n]!);
  const dim = names.length;
  const scales = new Uint8Array(dim), isCategorical = new Uint8Array(dim);
  const lows = new Float64Array(dim), highs = new Float64Array(dim), steps = new Float64Array(dim);
  const discrete: number[] = [], continuous: number[] = [];
  dists.forEach((d, i) => {
    if (d._tag === "CategoricalDistribution") {
      scales[i] = Scale.Categorical;
      isCategorical[i] = 1;
      highs[i] = d.choices.length;
      steps[i] = 1;
    } else {
      scales[i] = d.log ? Scale.Log : Scale.Linear;
      lows[i] = d.low;
      highs[i] = d.high;
      steps[i] = d.step ?? 0;
    }
    (steps[i]! > 0 ? discrete : continuous).push(i);
  });
  return { names, dists, dim, scales, lows, highs, steps, isCategorical, discrete, continuous };
}

/** The normalised range `[lo, hi]` of parameter `i` (log applied for log scales). */
function range(s: GpSpace, i: number): [number, number] {
  let lo = s.lows[i]! - 0.5 * s.steps[i]!, hi = s.highs[i]! + 0.5 * s.steps[i]!;
  if (s.scales[i] === Scale.Log) [lo, hi] = [Math.log(lo), Math.log(hi)];
  return [lo, hi];
}

/** Normalises internal value `v` of parameter `i`. */
export function normalizeOne(s: GpSpace, i: number, v: number): number {
  if (s.scales[i] === Scale.Categorical) return v;
  const [lo, hi] = range(s, i);
  if (hi === lo) return 0.5;
  return ((s.scales[i] === Scale.Log ? Math.log(v) : v) - lo) / (hi - lo);
}

/** The value of parameter `i` at normalised `x` (before clipping and rounding). */
export function unnormalizeOne(s: GpSpace, i: number, x: number): number {
  if (s.scales[i] === Scale.Categorical) return x;
  const [lo, hi] = range(s, i);
  const v = x * (hi - lo) + lo;
  return s.scales[i] === Scale.Log ? Math.exp(v) : v;
}

/** Rounds normalised `x` of stepped parameter `i` to its grid (Optuna's rounding). */
export function roundOne(s: GpSpace, i: number, x: number): number {
  const step = s.steps[i]!;
  if (step === 0) return x;
  const low = s.lows[i]!, high = s.highs[i]!;
  const v = unnormalizeOne(s, i, x);
  const r = Math.min(Math.max(Math.floor((v - low + 0.5 * step) / step) * step + low, low), high);
  return normalizeOne(s, i, r);
}

/**
 * The trials' parameters as a row-major `n×dim` matrix of normalised values (the trials must
 * hold every parameter of the space).
 */
export function normalizedParams(s: GpSpace, trials: ReadonlyArray<FrozenTrial>): Float64Array {
  const out = new Float64Array(trials.length * s.dim);
  trials.forEach((t, r) => {
    for (let i = 0; i < s.dim; i++) {
      const d = s.dists[i]!;
      const v = t.params[s.names[i]!];
      const internal = d._tag === "CategoricalDistribution"
        ? d.choices.findIndex((c) => Object.is(c, v))
        : (v as number);
      out[r * s.dim + i] = normalizeOne(s, i, internal);
    }
  });
  return out;
}

/** The normalised choices of each discrete parameter (in the order of `s.discrete`). */
export function discreteChoices(s: GpSpace): Float64Array[] {
  return s.discrete.map((i) => {
    const out: number[] = [];
    if (s.isCategorical[i]) {
      for (let k = 0; k < s.highs[i]!; k++) out.push(k);
    } else {
      const step = s.steps[i]!, low = s.lows[i]!, high = s.highs[i]!;
      // numpy's arange(low, high + step / 2, step)
      const n = Math.ceil((high + 0.5 * step - low) / step);
      for (let k = 0; k < n; k++) out.push(normalizeOne(s, i, low + k * step));
    }
    return Float64Array.from(out);
  });
}

/**
 * `n` scrambled Sobol' points of the space (row-major `n×dim`), categoricals floored to an
 * index and stepped parameters rounded, as Optuna's `sample_normalized_params`.
 */
export function sampleNormalized(s: GpSpace, n: number, rng: Rng): Float64Array {
  const { v, shift } = scramble(directionNumbers(s.dim), s.dim, rng);
  const out = new Float64Array(n * s.dim);
  // Gray-code order: point k is point k−1 with the direction numbers of k's lowest set bit
  // XOR-ed in (the same points as `sobolPoint(v, shift, dim, k)`)
  const q = Uint32Array.from(shift);
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      const c = 31 - Math.clz32(k & -k);
      for (let i = 0; i < s.dim; i++) q[i] = (q[i]! ^ v[i * SOBOL_BITS + c]!) >>> 0;
    }
    for (let i = 0; i < s.dim; i++) {
      let x = q[i]! / 2 ** SOBOL_BITS;
      if (s.isCategorical[i]) x = Math.floor(x * s.highs[i]!);
      else if (s.steps[i]! > 0) x = roundOne(s, i, x);
      out[k * s.dim + i] = x;
    }
  }
  return out;
}

/** The internal values (what the study stores) of a normalised point. */
export function internalParams(s: GpSpace, x: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < s.dim; i++) {
    const d = s.dists[i]!;
    if (d._tag === "CategoricalDistribution") {
      out[s.names[i]!] = Math.min(Math.max(Math.round(x[i]!), 0), d.choices.length - 1);
      continue;
    }
    let v = Math.min(Math.max(unnormalizeOne(s, i, x[i]!), d.low), d.high);
    if (d._tag === "IntDistribution") v = Math.round(v);
    if (d.step !== null && d.step > 0) {
      // snap onto the grid (the normalised point is on it up to rounding errors)
      v = Math.min(Math.max(d.low + Math.round((v - d.low) / d.step) * d.step, d.low), d.high);
    }
    out[s.names[i]!] = v;
  }
  return out;
}
