/**
 * The Parzen estimator's kernels (private), as Optuna 5.0's `_ParzenEstimator` builds them:
 * observation weights, the mixture weights with the prior, truncated-Gaussian kernels with
 * neighbour-gap bandwidths (discretised on grids), smoothed categorical rows, and draws from the
 * mixture. The public record types and wrappers are in `./parzen_estimator.ts`.
 *
 * @module
 */
import type { Distribution } from "../../core/distributions.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import { type Rng, uniform } from "../../random/rng.ts";
import { argsortStable, roundHalfEven } from "../../math/numpy.ts";
import { logGaussMass, truncnormPpf } from "../../math/special.ts";
import { type Alloc, HEAP } from "../../math/alloc.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How past observations are weighted in a Parzen estimator (the prior's weight is separate).
 *
 * - `default`: Optuna's `default_weights` — all ones below 25 observations, otherwise a linear
 *   ramp from `1/n` to 1 over the oldest `n − 25` observations followed by 25 ones.
 * - `uniform`: all ones.
 * - `ramp`: like `default` with `flat` instead of 25 recent observations at full weight.
 *
 * @category model
 */
export type ObservationWeights =
  | { readonly kind: "default" }
  | { readonly kind: "uniform" }
  | { readonly kind: "ramp"; readonly flat: number };

/**
 * The kernels of a numerical parameter: one truncated (and, for stepped domains, discretised)
 * Gaussian per component, in the transformed space.
 *
 * @category model
 */
export interface NumericalKernels {
  /** Discriminant. */
  readonly _tag: "NumericalKernels";
  /** Kernel centres, one per component (observations in order, the prior last). */
  readonly mus: Float64Array;
  /** Kernel bandwidths (standard deviations), aligned with `mus`. */
  readonly sigmas: Float64Array;
  /** The distribution's lower bound (untransformed). */
  readonly low: number;
  /** The distribution's upper bound (untransformed). */
  readonly high: number;
  /** The grid step, 0 for continuous domains. */
  readonly step: number;
  /** Whether the domain is on a log scale. */
  readonly log: boolean;
  /** Lower edge of the transformed domain (`low − step/2`, then `log` when on a log scale). */
  readonly lowT: number;
  /** Upper edge of the transformed domain. */
  readonly highT: number;
}

/**
 * The kernels of a categorical parameter. An observation's row puts `hit` on its observed
 * choice and `miss` on every other choice; the prior's row puts `prior` on every choice.
 *
 * @category model
 */
export interface CategoricalKernels {
  /** Discriminant. */
  readonly _tag: "CategoricalKernels";
  /** Number of choices. */
  readonly nChoices: number;
  /** Observed choice index per observation component. */
  readonly observed: Int32Array;
  /** Probability of the observed choice in an observation's row. */
  readonly hit: number;
  /** Probability of each other choice in an observation's row. */
  readonly miss: number;
  /** Probability of each choice in the prior's row. */
  readonly prior: number;
}

/**
 * Kernels of one parameter.
 *
 * @category model
 */
export type ParamKernels = NumericalKernels | CategoricalKernels;

/**
 * A fitted Parzen estimator: normalised component weights (observations first, the prior last)
 * and, per parameter in `names` order, the kernels of every component.
 *
 * @category model
 */
export interface ParzenEstimator {
  /** Parameter names, in the order of `kernels`. */
  readonly names: ReadonlyArray<string>;
  /** Component weights, summing to 1 (the prior's is last). */
  readonly weights: Float64Array;
  /** Kernels per parameter. */
  readonly kernels: ReadonlyArray<ParamKernels>;
}

// -------------------------------------------------------------------------------------
// fitting
// -------------------------------------------------------------------------------------

/** Fitting parameters (validated by the caller). */
export interface FitParams {
  readonly priorWeight: number;
  readonly considerMagicClip: boolean;
  readonly considerEndpoints: boolean;
}

const EPS = 1e-12;

/** Optuna's weights rules for `n` observations (`alloc`: where the array comes from). */
export function observationWeights(
  spec: ObservationWeights,
  n: number,
  alloc: Alloc = HEAP,
): Float64Array {
  const w = alloc.f64(n).fill(1);
  if (spec.kind === "uniform") return w;
  const flat = spec.kind === "ramp" ? spec.flat : 25;
  if (n < flat || n === 0) return w;
  const num = n - flat;
  const start = 1 / n;
  if (num === 1) {
    w[0] = start;
  } else if (num > 1) {
    // numpy.linspace(1/n, 1, num): i·step + start, the last exactly 1
    const step = (1 - start) / (num - 1);
    for (let i = 0; i < num - 1; i++) w[i] = i * step + start;
    w[num - 1] = 1;
  }
  return w;
}

/**
 * Where a fit's arrays come from, and where the extra data of its kernels is recorded (for the
 * fast evaluation: `../fast/_prepared.ts`).
 */
export interface FitScratch {
  readonly alloc: Alloc;
  readonly fitExtras?: WeakMap<NumericalKernels, FitExtra> | undefined;
}

/**
 * Builds an estimator from observation columns (internal values, `n` rows each, in `names`
 * order) and raw observation weights (length `n`, validated). `scratch`: where the arrays come
 * from (the heap by default) and where the kernels' extra data is recorded (nowhere by default).
 */
export function buildEstimator(
  cols: ReadonlyArray<Float64Array>,
  n: number,
  names: ReadonlyArray<string>,
  space: SearchSpace,
  rawWeights: Float64Array,
  params: FitParams,
  scratch: FitScratch = { alloc: HEAP },
): ParzenEstimator {
  const weights = normalisedWeights(rawWeights, n, params.priorWeight, { alloc: scratch.alloc });
  const kernels = names.map((name, d) => {
    const dist = space[name] as Distribution;
    return dist._tag === "CategoricalDistribution"
      ? categoricalKernels(cols[d]!, n, dist.choices.length, params.priorWeight, scratch.alloc)
      : numericalKernels(cols[d]!, n, dist, params, scratch);
  });
  return { names, weights, kernels };
}

/** The `n + 1` mixture weights: the observations' raw weights and the prior's, normalised. */
export function normalisedWeights(
  raw: Float64Array,
  n: number,
  priorWeight: number,
  options: {
    /** Storage order: `weights[s]` is observation `order[s]`'s weight. */
    readonly order?: ArrayLike<number> | undefined;
    /** Receives the logs of the weights. */
    readonly logs?: Float64Array | undefined;
    /** Where the weights array comes from (the heap by default). */
    readonly alloc?: Alloc | undefined;
  } = {},
): Float64Array {
  const { order, logs } = options;
  const weights = (options.alloc ?? HEAP).f64(n + 1);
  if (n === 0) {
    weights[0] = 1;
    if (logs) logs[0] = 0;
    return weights;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += raw[i]!;
  sum += priorWeight;
  for (let i = 0; i < n; i++) {
    const w = raw[order ? order[i]! : i]! / sum;
    weights[i] = w;
    if (logs) logs[i] = Math.log(w);
  }
  weights[n] = priorWeight / sum;
  if (logs) logs[n] = Math.log(weights[n]!);
  return weights;
}

/** A categorical kernel row for `n` observations over `k` choices: hit, miss and prior. */
export function categoricalRow(
  n: number,
  k: number,
  priorWeight: number,
): { readonly hit: number; readonly miss: number; readonly prior: number } {
  if (n === 0) return { hit: 1 / k, miss: 1 / k, prior: 1 / k };
  const c = priorWeight / (n + 1);
  const rowSum = 1 + k * c;
  const priorSum = k * c;
  return { hit: (c + 1) / rowSum, miss: c / rowSum, prior: priorSum === 0 ? 0 : c / priorSum };
}

function categoricalKernels(
  obs: Float64Array,
  n: number,
  k: number,
  priorWeight: number,
  alloc: Alloc,
): CategoricalKernels {
  const observed = alloc.i32(n);
  for (let i = 0; i < n; i++) observed[i] = Math.trunc(obs[i]!);
  return {
    _tag: "CategoricalKernels",
    nChoices: k,
    observed,
    ...categoricalRow(n, k, priorWeight),
  };
}

/** Per-kernel extra data computed while fitting (sorted order, for de-duplication). */
export interface FitExtra {
  /** Component → id of its distinct (μ, σ) pair. */
  readonly uid: Int32Array;
  /** Number of distinct pairs. */
  readonly nUniq: number;
}

/** A numerical domain in the transformed space (widened by half a step, then log). */
export interface TransformedDomain {
  readonly lowT: number;
  readonly highT: number;
  /** Whether kernels are discretised on a grid. */
  readonly discrete: boolean;
  /** log of the widest grid cell (the first one on a log scale); 0 when continuous. */
  readonly logMaxWidth: number;
}

/** The transformed domain of a numerical distribution. */
export function transformedDomain(
  dist: Exclude<Distribution, { _tag: "CategoricalDistribution" }>,
): TransformedDomain {
  const step = dist.step ?? 0;
  let low = dist.low, high = dist.high;
  if (dist.step !== null) {
    low -= step / 2;
    high += step / 2;
  }
  if (dist.log) {
    low = Math.log(low);
    high = Math.log(high);
  }
  const discrete = step !== 0;
  const maxWidth = !discrete
    ? 1
    : dist.log
    ? Math.log(dist.low + step / 2) - Math.log(dist.low - step / 2)
    : step;
  return { lowT: low, highT: high, discrete, logMaxWidth: Math.log(maxWidth) };
}

/**
 * `log Z`, the log of a kernel's Gaussian mass on `[a, b]` (standardised bounds): the
 * normaliser of a truncated kernel, 0 (the ≤ 1e-19 central shortcut) for kernels far from both
 * edges.
 */
export function logKernelMass(a: number, b: number): number {
  if (a <= -9 && b >= 9) return 0;
  return logGaussMass(a, b);
}

/** The bandwidth rule's constants: clip bounds and whether the outer gaps are ignored. */
export interface BandwidthRule {
  readonly minSigma: number;
  readonly maxSigma: number;
  readonly trimEnds: boolean;
}

/** Optuna's bandwidth constants for `n` observations of a domain `[lowT, highT]`. */
export function bandwidthRule(dom: TransformedDomain, n: number, params: FitParams): BandwidthRule {
  const range = dom.highT - dom.lowT;
  return {
    maxSigma: range,
    minSigma: params.considerMagicClip ? range / Math.min(100, n + 2) : EPS,
    trimEnds: !params.considerEndpoints && n >= 2,
  };
}

/**
 * The bandwidth of the observation at sorted position `j` of `n`: the larger gap to its sorted
 * neighbours (the domain edges as outer neighbours), clipped.
 */
export function bandwidthAt(
  mus: Float64Array,
  order: Uint32Array,
  j: number,
  n: number,
  dom: TransformedDomain,
  rule: BandwidthRule,
): number {
  const cur = mus[order[j]!]!;
  const l = cur - (j === 0 ? dom.lowT : mus[order[j - 1]!]!);
  const r = (j === n - 1 ? dom.highT : mus[order[j + 1]!]!) - cur;
  const trim = rule.trimEnds;
  let sg = trim && j === 0 ? r : trim && j === n - 1 ? l : l > r ? l : r;
  // np.clip(σ, minSigma, maxSigma)
  sg = sg > rule.maxSigma ? rule.maxSigma : sg;
  return sg < rule.minSigma ? rule.minSigma : sg;
}

/** The kernels record of a numerical distribution. */
export function numericalRecord(
  dist: Exclude<Distribution, { _tag: "CategoricalDistribution" }>,
  dom: TransformedDomain,
  mus: Float64Array,
  sigmas: Float64Array,
): NumericalKernels {
  return {
    _tag: "NumericalKernels",
    mus,
    sigmas,
    low: dist.low,
    high: dist.high,
    step: dist.step ?? 0,
    log: dist.log,
    lowT: dom.lowT,
    highT: dom.highT,
  };
}

function numericalKernels(
  obs: Float64Array,
  n: number,
  dist: Exclude<Distribution, { _tag: "CategoricalDistribution" }>,
  params: FitParams,
  scratch: FitScratch,
): NumericalKernels {
  const alloc = scratch.alloc;
  const dom = transformedDomain(dist);
  const mus = alloc.f64(n + 1);
  if (dist.log) {
    for (let i = 0; i < n; i++) mus[i] = Math.log(obs[i]!);
  } else {
    for (let i = 0; i < n; i++) mus[i] = obs[i]!;
  }
  const sigmas = alloc.f64(n + 1);
  const order = argsortStable(mus, n, undefined, alloc);
  const rule = bandwidthRule(dom, n, params);
  for (let j = 0; j < n; j++) sigmas[order[j]!] = bandwidthAt(mus, order, j, n, dom, rule);
  mus[n] = 0.5 * (dom.lowT + dom.highT);
  sigmas[n] = dom.highT - dom.lowT;
  // distinct (μ, σ) pairs of grid domains, found along the sorted order (equal centres are
  // adjacent); masses are computed once per pair
  let uid: Int32Array | undefined;
  let nUniq = n + 1;
  if (dom.discrete) {
    uid = alloc.i32(n + 1);
    nUniq = 0;
    let runStart = 0;
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      const mu = mus[i]!, sg = sigmas[i]!;
      if (j > 0 && mus[order[j - 1]!] !== mu) runStart = j;
      let found = -1;
      for (let q = j - 1; q >= runStart && q >= j - 8; q--) {
        const o = order[q]!;
        if (sigmas[o] === sg) {
          found = uid[o]!;
          break;
        }
      }
      uid[i] = found >= 0 ? found : nUniq++;
    }
    uid[n] = nUniq++;
  }
  const kernels = numericalRecord(dist, dom, mus, sigmas);
  if (uid) scratch.fitExtras?.set(kernels, { uid, nUniq });
  return kernels;
}

// -------------------------------------------------------------------------------------
// sampling
// -------------------------------------------------------------------------------------

/**
 * Draws `size` points: a component per point by weight, then each parameter from that
 * component's kernel (truncated normal by inverse CDF; stepped values rounded to the grid).
 * `alloc`: where the arrays come from (the heap by default).
 */
export function sampleColumns(
  pe: ParzenEstimator,
  rng: Rng,
  size: number,
  alloc: Alloc = HEAP,
): Float64Array[] {
  const K = pe.weights.length;
  const cum = alloc.f64(K);
  let acc = 0;
  for (let i = 0; i < K; i++) cum[i] = acc += pe.weights[i]!;
  const active = alloc.i32(size);
  for (let s = 0; s < size; s++) {
    const u = uniform(rng) * acc;
    // first index with cum > u
    let lo = 0, hi = K - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    // never pick a zero-weight component
    while (lo > 0 && pe.weights[lo] === 0) lo--;
    active[s] = lo;
  }
  return pe.kernels.map((k) => {
    const col = alloc.f64(size);
    if (k._tag === "CategoricalKernels") {
      const nObs = k.observed.length;
      for (let s = 0; s < size; s++) {
        const i = active[s]!;
        const u = uniform(rng);
        // inverse CDF over the row: count choices whose cumulative probability is below u
        let c = 0, cp = 0;
        for (; c < k.nChoices - 1; c++) {
          cp += i === nObs ? k.prior : k.observed[i] === c ? k.hit : k.miss;
          if (!(cp < u)) break;
        }
        col[s] = c;
      }
      return col;
    }
    for (let s = 0; s < size; s++) {
      const i = active[s]!;
      const mu = k.mus[i]!, sigma = k.sigmas[i]!;
      const a = (k.lowT - mu) / sigma, b = (k.highT - mu) / sigma;
      const z = truncnormPpf(uniform(rng), a, b, logGaussMass(a, b));
      let x = mu + sigma * z;
      if (k.log) x = Math.exp(x);
      if (k.step !== 0) {
        x = k.low + roundHalfEven((x - k.low) / k.step) * k.step;
      }
      col[s] = x < k.low ? k.low : x > k.high ? k.high : x;
    }
    return col;
  });
}
