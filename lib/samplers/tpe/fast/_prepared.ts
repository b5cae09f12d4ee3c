/**
 * An estimator ready for fast evaluation (private): per component and dimension, the constants of
 * the log term (`1/σ`, `log σ`, the normaliser) and upper bounds of it, which let the pruned
 * evaluation skip components that cannot matter. Values equal what the reference computes.
 *
 * @module
 */
import { LOG_SQRT_2PI } from "../../../math/special.ts";
import {
  type CategoricalKernels,
  type FitExtra,
  logKernelMass,
  type NumericalKernels,
  type ParzenEstimator,
  type TransformedDomain,
} from "../_kernels.ts";
import type { Alloc } from "../../../math/alloc.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** How a dimension is evaluated: a Gaussian, a Gaussian mass on a grid cell, a categorical row. */
export const DimKind = { Continuous: 0, Discrete: 1, Categorical: 2 } as const;
/** One of {@link DimKind}. */
export type DimKind = typeof DimKind[keyof typeof DimKind];

/** Per-component constants of one dimension, ready for evaluation. */
export interface PreparedDim {
  readonly kind: DimKind;
  /** Per component: continuous `−log σ − log√2π − log Z`; discrete `−log Z`. */
  readonly logNorm: Float64Array;
  /** Per component: `1/σ` (numerical). */
  readonly invSigma: Float64Array;
  /** Per component: `log σ` (numerical). */
  readonly logSigma: Float64Array;
  /** Per component: an upper bound of the dimension's log term (numerical). */
  readonly ub: Float64Array;
  readonly kernels: NumericalKernels | CategoricalKernels;
  readonly logHit: number;
  readonly logMiss: number;
  readonly logPrior: number;
  /** Discrete: per component, an id shared exactly by the components with equal (μ, σ). */
  readonly uid: Int32Array;
  /** Discrete: an upper bound of the ids. */
  readonly nUniq: number;
  /** Numerical, when known: the observation components (not the prior) sorted by centre. */
  readonly sorted: Uint32Array | undefined;
}

/** An estimator ready for evaluation. */
export interface Prepared {
  readonly K: number;
  readonly logW: Float64Array;
  readonly dims: ReadonlyArray<PreparedDim>;
  /** Dimension evaluation order: continuous, categorical, then discrete. */
  readonly order: Int32Array;
  /** Per dimension: the largest `ub` over the components (0 for categorical dimensions). */
  readonly maxUb: Float64Array;
  /** `remMax[p]`: Σ of `maxUb` over the dimensions after position p of `order`. */
  readonly remMax: Float64Array;
  /**
   * When the components are stored in another order than the observations' (the incremental
   * bad side keeps them sorted along one dimension, for memory locality): the storage index
   * of each observation in trial order, then the prior's. Every choice that depends on the
   * order of components (samples, tie-breaks, summation order) follows this order, so results
   * do not depend on the storage order.
   */
  readonly canon?: Uint32Array | undefined;
  /** Per dimension: how often it was evaluated first (read back by the incremental model). */
  readonly firstPicks?: Int32Array | undefined;
}

/**
 * A continuous dimension's components arranged for window scans: the observation components
 * sorted by centre, the largest `log w + logNorm` among them, and the "wide" ones (bandwidth
 * above a cut, about the widest tenth) that a window by the cut cannot bound
 * (built by `./_pruned.ts`).
 */
export interface DimWindow {
  /** The narrow components sorted by centre, and their centres. */
  readonly sorted: Uint32Array;
  readonly sortedMu: Float64Array;
  readonly maxLW: number;
  /** `1/cut`: components with `1/σ` below it are wide. */
  readonly invCut: number;
  readonly wide: Uint32Array;
}

/** Where prepared forms are memoised, and what preparing reads (a part of `Evaluation`). */
export interface PrepareState {
  readonly prepared: WeakMap<ParzenEstimator, Prepared>;
  readonly alloc: Alloc;
  readonly fitExtras: WeakMap<NumericalKernels, FitExtra>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Empty arrays for the fields a dimension's kind does not use (frozen: nothing to write). */
const NO_IDS: Int32Array = Object.freeze(new Int32Array(0)) as Int32Array;

const NO_VALUES: Float64Array = Object.freeze(new Float64Array(0)) as Float64Array;

/** Writes component i's `1/σ`, `log σ`, `logNorm` and `ub` for centre `mu` and bandwidth `s`. */
export function writeComponent(
  dom: TransformedDomain,
  mu: number,
  s: number,
  i: number,
  out: {
    readonly invSigma: Float64Array;
    readonly logSigma: Float64Array;
    readonly logNorm: Float64Array;
    readonly ub: Float64Array;
  },
): void {
  const inv = 1 / s;
  const ls = Math.log(s);
  const lz = logKernelMass((dom.lowT - mu) * inv, (dom.highT - mu) * inv);
  out.invSigma[i] = inv;
  out.logSigma[i] = ls;
  if (dom.discrete) {
    out.logNorm[i] = -lz;
    const b = dom.logMaxWidth - ls - LOG_SQRT_2PI - lz;
    out.ub[i] = b < 0 ? b : 0;
  } else {
    const ln = -ls - LOG_SQRT_2PI - lz;
    out.logNorm[i] = ln;
    out.ub[i] = ln;
  }
}

function prepareNumerical(
  k: NumericalKernels,
  K: number,
  extra: FitExtra | undefined,
  alloc: Alloc,
): PreparedDim {
  const dom: TransformedDomain = {
    lowT: k.lowT,
    highT: k.highT,
    discrete: k.step !== 0,
    logMaxWidth: k.step === 0
      ? 0
      : Math.log(k.log ? Math.log(k.low + k.step / 2) - Math.log(k.low - k.step / 2) : k.step),
  };
  const out = {
    logNorm: alloc.f64(K),
    invSigma: alloc.f64(K),
    logSigma: alloc.f64(K),
    ub: alloc.f64(K),
  };
  if (dom.discrete && extra) {
    // duplicated (μ, σ) pairs are common on grids: compute once per distinct pair
    const first = alloc.i32(extra.nUniq).fill(-1);
    for (let i = 0; i < K; i++) {
      const u = extra.uid[i]!;
      const f = first[u]!;
      if (f >= 0) {
        out.invSigma[i] = out.invSigma[f]!;
        out.logSigma[i] = out.logSigma[f]!;
        out.logNorm[i] = out.logNorm[f]!;
        out.ub[i] = out.ub[f]!;
        continue;
      }
      first[u] = i;
      writeComponent(dom, k.mus[i]!, k.sigmas[i]!, i, out);
    }
  } else {
    for (let i = 0; i < K; i++) writeComponent(dom, k.mus[i]!, k.sigmas[i]!, i, out);
  }
  return {
    kind: dom.discrete ? DimKind.Discrete : DimKind.Continuous,
    ...out,
    kernels: k,
    logHit: 0,
    logMiss: 0,
    logPrior: 0,
    uid: extra?.uid ?? (dom.discrete ? Int32Array.from({ length: K }, (_, i) => i) : NO_IDS),
    nUniq: extra?.nUniq ?? K,
    sorted: undefined,
  };
}

/** The prepared form of a categorical dimension. */
export function prepareCategorical(k: CategoricalKernels): PreparedDim {
  return {
    kind: DimKind.Categorical,
    logNorm: NO_VALUES,
    invSigma: NO_VALUES,
    logSigma: NO_VALUES,
    ub: NO_VALUES,
    kernels: k,
    logHit: Math.log(k.hit),
    logMiss: Math.log(k.miss),
    logPrior: Math.log(k.prior),
    uid: NO_IDS,
    nUniq: 0,
    sorted: undefined,
  };
}

/** The evaluation order of dimensions: continuous, categorical, then discrete. */
export function evaluationOrder(kinds: ReadonlyArray<DimKind>): Int32Array {
  const D = kinds.length;
  const order = new Int32Array(D);
  let p = 0;
  for (const kind of [DimKind.Continuous, DimKind.Categorical, DimKind.Discrete]) {
    for (let d = 0; d < D; d++) if (kinds[d] === kind) order[p++] = d;
  }
  return order;
}

/** The largest `ub` per dimension (0 for categorical ones: their terms are at most 0). */
function maxBounds(dims: ReadonlyArray<PreparedDim>, K: number): Float64Array {
  const out = new Float64Array(dims.length);
  dims.forEach((dim, d) => {
    if (dim.kind === DimKind.Categorical) return;
    let m = -Infinity;
    const ub = dim.ub;
    for (let i = 0; i < K; i++) if (ub[i]! > m) m = ub[i]!;
    out[d] = m;
  });
  return out;
}

/** Suffix sums of `maxUb` along an order: `out[p] = Σ_{q>p} maxUb[order[q]]`. */
export function remainingMax(
  maxUb: Float64Array,
  order: ArrayLike<number>,
  out: Float64Array,
): void {
  const D = order.length;
  let acc = 0;
  for (let p = D - 1; p >= 0; p--) {
    out[p] = acc;
    acc += maxUb[order[p]!]!;
  }
}

/** Completes a prepared estimator with its bounds (the largest `ub` per dimension when known). */
export function withBounds(
  p: Omit<Prepared, "maxUb" | "remMax">,
  maxUb: Float64Array = maxBounds(p.dims, p.K),
): Prepared {
  const remMax = new Float64Array(p.dims.length);
  remainingMax(maxUb, p.order, remMax);
  return { ...p, maxUb, remMax };
}

/** The prepared form of an estimator, memoised in `ev`. */
export function prepare(ev: PrepareState, pe: ParzenEstimator): Prepared {
  const hit = ev.prepared.get(pe);
  if (hit) return hit;
  const K = pe.weights.length;
  const logW = ev.alloc.f64(K);
  for (let i = 0; i < K; i++) logW[i] = Math.log(pe.weights[i]!);
  const dims: PreparedDim[] = pe.kernels.map((k) =>
    k._tag === "CategoricalKernels"
      ? prepareCategorical(k)
      : prepareNumerical(k, K, ev.fitExtras.get(k), ev.alloc)
  );
  const order = evaluationOrder(dims.map((d) => d.kind));
  const out = withBounds({ K, logW, dims, order });
  ev.prepared.set(pe, out);
  return out;
}
