/**
 * Optuna's `_SearchSpaceTransform` for numeric parameters with `transform_0_1=True`, as the
 * CMA-ES sampler uses it: each parameter maps to [0, 1] (log scale for log domains, half a
 * step beyond the ends for stepped ones unless CMA-ES with margin handles the steps) and
 * back. Private to the CMA-ES sampler.
 *
 * @module
 */
import type { Distribution } from "../../core/distributions.ts";
import { previousDouble, roundHalfEven } from "../_utils.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The numeric distributions of a relative search space (no categoricals). */
export type NumericDistribution = Exclude<
  Distribution,
  { readonly _tag: "CategoricalDistribution" }
>;

/** A transform: the parameters, in order, and their raw bounds. */
export interface SpaceTransform {
  readonly names: ReadonlyArray<string>;
  readonly dists: ReadonlyArray<NumericDistribution>;
  readonly low: ReadonlyArray<number>;
  readonly high: ReadonlyArray<number>;
  /** The largest double below each distribution's `high` (the clip of continuous floats). */
  readonly below: ReadonlyArray<number>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

function raw(v: number, d: NumericDistribution): number {
  return d.log ? Math.log(v) : v;
}

/** The transform of `space` (`transformStep`: widen stepped domains by half a step). */
export function spaceTransform(
  space: Readonly<Record<string, NumericDistribution>>,
  transformStep: boolean,
): SpaceTransform {
  const names = Object.keys(space);
  const dists = names.map((n) => space[n]!);
  const bounds = dists.map((d): readonly [number, number] => {
    const half = d.step !== null && transformStep ? 0.5 * d.step : 0;
    if (d._tag === "FloatDistribution" && d.step === null) return [raw(d.low, d), raw(d.high, d)];
    if (d._tag === "IntDistribution" && d.log) return [raw(d.low - half, d), raw(d.high + half, d)];
    return [raw(d.low, d) - half, raw(d.high, d) + half];
  });
  return {
    names,
    dists,
    low: bounds.map((b) => b[0]),
    high: bounds.map((b) => b[1]),
    below: dists.map((d) => previousDouble(d.high)),
  };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The point in [0, 1]ⁿ of a trial's parameters (numbers, by name). */
export function transformParams(
  t: SpaceTransform,
  params: Readonly<Record<string, unknown>>,
): number[] {
  return t.dists.map((d, i) => {
    const lo = t.low[i]!, hi = t.high[i]!;
    if (lo === hi) return 0.5;
    return (raw(Number(params[t.names[i]!]), d) - lo) / (hi - lo);
  });
}

/** The parameters (internal = external numbers) of a point in [0, 1]ⁿ. */
export function untransform(t: SpaceTransform, x: ReadonlyArray<number>): Record<string, number> {
  const out: Record<string, number> = {};
  t.dists.forEach((d, i) => {
    const v = t.low[i]! + x[i]! * (t.high[i]! - t.low[i]!);
    out[t.names[i]!] = untransformOne(v, d, t.below[i]!);
  });
  return out;
}

/** `_untransform_numerical_param` with `transform_log=True`. */
function untransformOne(v: number, d: NumericDistribution, below: number): number {
  const single = d.low === d.high;
  if (d._tag === "FloatDistribution") {
    if (d.log) {
      const p = Math.exp(v);
      return single ? p : Math.min(Math.max(p, d.low), below);
    }
    if (d.step !== null) {
      return Math.min(
        Math.max(roundHalfEven((v - d.low) / d.step) * d.step + d.low, d.low),
        d.high,
      );
    }
    return single ? v : Math.min(v, below);
  }
  if (d.log) return Math.min(Math.max(roundHalfEven(Math.exp(v)), d.low), d.high);
  const p = Math.floor((v - d.low) / d.step + 0.5) * d.step + d.low;
  return Math.min(Math.max(p, d.low), d.high);
}
