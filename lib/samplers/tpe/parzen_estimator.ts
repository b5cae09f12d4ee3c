/**
 * The Parzen estimator of TPE: a mixture of product kernels, one component per observation plus
 * a prior component, fitted exactly as Optuna 5.0 fits it (neighbour-gap bandwidths, magic
 * clip, truncated and discretised Gaussians, smoothed categorical rows).
 *
 * Values are internal representations (floats; categorical = choice index). Numerical kernels
 * live in the transformed space: `log` for log domains, widened by half a step on each side for
 * stepped domains.
 *
 * This is the readable reference of Optuna's `_ParzenEstimator`: the fit and the draws
 * ({@link parzenEstimator}, {@link parzenSample}, written out in `./_kernels.ts`) and the log
 * density ({@link parzenLogPdf}, written out below, component by component). TPE's draws use a
 * fast layer (`./fast/`: an incrementally updated bad-side model, pruned evaluation) whose every
 * value equals this reference; the tests compare them on random histories.
 *
 * @example Fit an estimator and read its kernels
 * ```ts
 * import { floatDistribution, getOrThrow } from "@hyperion/tune";
 * import { parzenEstimator, parzenLogPdf } from "./parzen_estimator.ts";
 * import assert from "node:assert/strict";
 *
 * const x = getOrThrow(floatDistribution(0, 1));
 * const pe = getOrThrow(parzenEstimator({ x: [0.2, 0.5, 0.9] }, { x }));
 * const k = pe.kernels[0]!;
 * assert.ok(k._tag === "NumericalKernels");
 * assert.deepEqual([...k.sigmas].map((s) => Math.round(s * 10) / 10), [0.3, 0.4, 0.4, 1]);
 * assert.equal(parzenLogPdf(pe, { x: [0.5] }).length, 1);
 * ```
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import type { Rng } from "../../random/rng.ts";
import { logSumExp } from "../../math/numpy.ts";
import { LOG_SQRT_2PI, logGaussMass } from "../../math/special.ts";
import {
  buildEstimator,
  type CategoricalKernels,
  logKernelMass,
  type NumericalKernels,
  type ObservationWeights,
  observationWeights as weightsOf,
  type ParamKernels,
  type ParzenEstimator,
  sampleColumns,
} from "./_kernels.ts";

export type {
  CategoricalKernels,
  NumericalKernels,
  ObservationWeights,
  ParamKernels,
  ParzenEstimator,
} from "./_kernels.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link parzenEstimator}.
 *
 * @category model
 */
export interface ParzenEstimatorOptions {
  /**
   * Weight of the prior component relative to an observation of weight 1.
   *
   * @default {1}
   */
  readonly priorWeight?: number;
  /**
   * Clip bandwidths from below at `range / min(100, n + 2)` (otherwise at 1e-12).
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
   * Observation weights: a rule, or explicit non-negative weights (one per observation).
   *
   * @default {{ kind: "default" }}
   */
  readonly weights?: ObservationWeights | ArrayLike<number>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Fits a Parzen estimator to observations (internal values, one array per parameter of
 * `space`, all of the same length).
 *
 * @example Categorical rows are smoothed by the prior weight
 * ```ts
 * import { categoricalDistribution, getOrThrow } from "@hyperion/tune";
 * import { categoricalProbabilities, parzenEstimator } from "./parzen_estimator.ts";
 * import assert from "node:assert/strict";
 *
 * const c = getOrThrow(categoricalDistribution(["a", "b", "c"]));
 * const pe = getOrThrow(parzenEstimator({ c: [0, 0, 2] }, { c }));
 * const rows = categoricalProbabilities(pe.kernels[0]!);
 * assert.deepEqual(rows[0]!.map((p) => Math.round(p * 7)), [5, 1, 1]);
 * assert.deepEqual(rows[3]!.map((p) => Math.round(p * 3)), [1, 1, 1]);
 * ```
 *
 * @category constructors
 */
export function parzenEstimator(
  observations: Readonly<Record<string, ArrayLike<number>>>,
  space: SearchSpace,
  options: ParzenEstimatorOptions = {},
): Either<HyperionError, ParzenEstimator> {
  const names = Object.keys(space);
  let n = -1;
  const cols: Float64Array[] = [];
  for (const name of names) {
    const col = observations[name];
    if (col === undefined) {
      return left(invalidArgument({
        field: `observations.${name}`,
        value: undefined,
        expected: "an array of internal values for every parameter of the space",
      }));
    }
    if (n >= 0 && col.length !== n) {
      return left(invalidArgument({
        field: `observations.${name}`,
        value: col.length,
        expected: `${n} observations like the other parameters`,
      }));
    }
    n = col.length;
    cols.push(Float64Array.from(col));
  }
  if (n < 0) n = 0;
  const priorWeight = options.priorWeight ?? 1;
  if (!(priorWeight >= 0) || !Number.isFinite(priorWeight)) {
    return left(invalidArgument({
      field: "priorWeight",
      value: priorWeight,
      expected: "a finite non-negative number",
    }));
  }
  const spec = options.weights ?? { kind: "default" };
  let w: Float64Array;
  if ("kind" in spec) {
    const r = observationWeights(spec, n);
    if (r._tag === "Left") return r;
    w = r.right;
  } else {
    if (spec.length !== n) {
      return left(invalidArgument({
        field: "weights",
        value: spec.length,
        expected: `one weight per observation (${n})`,
      }));
    }
    w = Float64Array.from(spec);
    const bad = checkWeights(w);
    if (bad) return left(bad);
  }
  return right(buildEstimator(cols, n, names, space, w, {
    priorWeight,
    considerMagicClip: options.considerMagicClip ?? true,
    considerEndpoints: options.considerEndpoints ?? false,
  }));
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The weights a rule gives to `n` observations in trial order (oldest first).
 *
 * @example Optuna's default weights
 * ```ts
 * import { getOrThrow } from "@hyperion/tune";
 * import { observationWeights } from "./parzen_estimator.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...getOrThrow(observationWeights({ kind: "default" }, 3))], [1, 1, 1]);
 * const w = getOrThrow(observationWeights({ kind: "default" }, 30));
 * assert.equal(w[0], 1 / 30);
 * assert.equal(w[29], 1);
 * ```
 *
 * @category queries
 */
export function observationWeights(
  spec: ObservationWeights,
  n: number,
): Either<HyperionError, Float64Array> {
  if (spec.kind === "ramp" && !(Number.isSafeInteger(spec.flat) && spec.flat >= 0)) {
    return left(invalidArgument({
      field: "weights.flat",
      value: spec.flat,
      expected: "a non-negative integer",
    }));
  }
  if (spec.kind !== "default" && spec.kind !== "uniform" && spec.kind !== "ramp") {
    return left(invalidArgument({
      field: "weights.kind",
      value: (spec as { kind: unknown }).kind,
      expected: "'default', 'uniform' or 'ramp'",
    }));
  }
  return right(weightsOf(spec, n));
}

/**
 * The log density of the mixture at each point (`points[name][j]` is the internal value of
 * parameter `name` at point `j`): per component, its log weight plus the log of each
 * parameter's kernel at the point, then the log of the sum over components.
 *
 * @category queries
 */
export function parzenLogPdf(
  estimator: ParzenEstimator,
  points: Readonly<Record<string, ArrayLike<number>>>,
): Float64Array {
  const cols = estimator.names.map((name) => Float64Array.from(points[name] ?? []));
  const m = cols.length === 0 ? 0 : Math.min(...cols.map((c) => c.length));
  const K = estimator.weights.length;
  const terms = estimator.kernels.map((k) => k._tag === "NumericalKernels" ? kernelTerms(k) : null);
  const out = new Float64Array(m);
  const perComponent = new Float64Array(K);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < K; i++) {
      let v = Math.log(estimator.weights[i]!);
      estimator.kernels.forEach((k, d) => {
        const x = cols[d]![j]!;
        v = k._tag === "CategoricalKernels"
          ? v + Math.log(categoricalRowAt(k, i, x))
          : addNumericalTerm(v, k, terms[d]!, i, x);
      });
      perComponent[i] = v;
    }
    out[j] = logSumExp(perComponent, null, K);
  }
  return out;
}

/** The probability of choice `x` in component `i`'s row (the prior's row is last). */
function categoricalRowAt(k: CategoricalKernels, i: number, x: number): number {
  if (i === k.observed.length) return k.prior;
  return k.observed[i] === Math.trunc(x) ? k.hit : k.miss;
}

/**
 * Per component of a numerical parameter: `1/σ` and the log normaliser of its kernel,
 * `−log σ − log√(2π) − log Z` for a truncated Gaussian density, `−log Z` for the masses of
 * grid cells (Z: the kernel's mass inside the domain).
 */
function kernelTerms(k: NumericalKernels): { inv: Float64Array; logNorm: Float64Array } {
  const K = k.mus.length;
  const inv = new Float64Array(K), logNorm = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    const mu = k.mus[i]!, sigma = k.sigmas[i]!;
    inv[i] = 1 / sigma;
    const logZ = logKernelMass((k.lowT - mu) * inv[i]!, (k.highT - mu) * inv[i]!);
    logNorm[i] = k.step === 0 ? -Math.log(sigma) - LOG_SQRT_2PI - logZ : -logZ;
  }
  return { inv, logNorm };
}

/**
 * `v` plus the log of component `i`'s kernel at `x`: a truncated Gaussian density (−∞ outside
 * the domain), or on a grid the Gaussian mass of `x`'s cell `[x − step/2, x + step/2]`, both
 * in the transformed space and normalised by the mass inside the domain.
 */
function addNumericalTerm(
  v: number,
  k: NumericalKernels,
  terms: { readonly inv: Float64Array; readonly logNorm: Float64Array },
  i: number,
  x: number,
): number {
  const mu = k.mus[i]!, inv = terms.inv[i]!;
  if (k.step === 0) {
    const xt = k.log ? Math.log(x) : x;
    if (!(xt >= k.lowT && xt <= k.highT)) return -Infinity;
    const z = (xt - mu) * inv;
    return v - 0.5 * z * z + terms.logNorm[i]!;
  }
  const h = k.step / 2;
  const lower = k.log ? Math.log(x - h) : x - h;
  const upper = k.log ? Math.log(x + h) : x + h;
  return v + logGaussMass((lower - mu) * inv, (upper - mu) * inv) + terms.logNorm[i]!;
}

/**
 * Draws `size` points from the mixture (internal values per parameter; stepped values on the
 * grid), advancing `rng`.
 *
 * @category queries
 */
export function parzenSample(
  estimator: ParzenEstimator,
  rng: Rng,
  size: number,
): Readonly<Record<string, Float64Array>> {
  const cols = sampleColumns(estimator, rng, size);
  const out: Record<string, Float64Array> = {};
  estimator.names.forEach((name, i) => out[name] = cols[i]!);
  return out;
}

/**
 * The full probability table of categorical kernels: one row per component (observations,
 * then the prior), one column per choice. Numerical kernels give an empty table.
 *
 * @category queries
 */
export function categoricalProbabilities(
  kernels: ParamKernels,
): ReadonlyArray<ReadonlyArray<number>> {
  if (kernels._tag !== "CategoricalKernels") return [];
  const rows: number[][] = [];
  for (const obs of kernels.observed) {
    const row = new Array<number>(kernels.nChoices).fill(kernels.miss);
    row[obs] = kernels.hit;
    rows.push(row);
  }
  rows.push(new Array<number>(kernels.nChoices).fill(kernels.prior));
  return rows;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function checkWeights(w: Float64Array): HyperionError | undefined {
  let sum = 0;
  for (const x of w) {
    if (!Number.isFinite(x)) {
      return invalidArgument({ field: "weights", value: x, expected: "finite weights" });
    }
    if (x < 0) {
      return invalidArgument({ field: "weights", value: x, expected: "non-negative weights" });
    }
    sum += x;
  }
  if (w.length > 0 && sum <= 0) {
    return invalidArgument({
      field: "weights",
      value: [...w],
      expected: "weights that are not all zero",
    });
  }
  return undefined;
}
