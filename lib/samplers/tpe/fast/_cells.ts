/**
 * The evaluation state and the exact log terms of one component at one point (private):
 * continuous Gaussians, categorical rows, and Gaussian masses of grid cells memoised per distinct
 * (cell, kernel) pair.
 *
 * @module
 */
import type { Alloc } from "../../../math/alloc.ts";
import { logGaussMass } from "../../../math/special.ts";
import type {
  CategoricalKernels,
  FitExtra,
  FitScratch,
  NumericalKernels,
  ParzenEstimator,
} from "../_kernels.ts";
import { createScratch, type Scratch } from "./_arena.ts";
import { DimKind, type DimWindow, type Prepared, type PreparedDim } from "./_prepared.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The reusable state of evaluations (owned by the sampler's workspace, or made for one call):
 * prepared forms and scan windows of estimators, scratch buffers, the memo of grid-cell masses,
 * and the hints carried from one point or draw to the next, and where temporary arrays come from
 * (`alloc`, the heap or the arena of a draw). It changes speed only, never a value.
 */
export interface Evaluation extends Scratch, FitScratch {
  /** Where temporary arrays come from (see `./_arena.ts`). */
  alloc: Alloc;
  /** The extra data of the kernels fitted with this state (see `../_kernels.ts`). */
  readonly fitExtras: WeakMap<NumericalKernels, FitExtra>;
  /** Prepared forms of estimators (see `./_prepared.ts`). */
  readonly prepared: WeakMap<ParzenEstimator, Prepared>;
  /** Scan windows of large continuous dimensions (see `./_pruned.ts`). */
  readonly windows: WeakMap<PreparedDim, DimWindow>;
  /** Per component: the partial sum of its log terms at the current point. */
  partial: Float64Array;
  /** The components still alive at the current point. */
  alive: Uint32Array;
  /** Memoised grid-cell masses, valid where `memoStamps` equals `memoStamp`. */
  memoVals: Float64Array;
  memoStamps: Int32Array;
  memoStamp: number;
  /** The current point's dimension order, remaining bounds and selectivities. */
  order: Int32Array;
  rem: Float64Array;
  rate: Float64Array;
  /** An upper bound of the log density at the last point a pruned evaluation returned. */
  lastUpper: number;
  /** Where recent winners stood in the ranking by `log l` (see `./_argmax.ts`). */
  winnerRank: number;
  /** The component a dimension scan found largest (see `./_pruned.ts`). */
  best: number;
  /** The largest term a one-dimensional scan kept (see `./_point1d.ts`). */
  lastMax: number;
}

/** A fresh evaluation state. */
export function createEvaluation(): Evaluation {
  return {
    ...createScratch(),
    fitExtras: new WeakMap(),
    prepared: new WeakMap(),
    windows: new WeakMap(),
    partial: new Float64Array(256),
    alive: new Uint32Array(256),
    memoVals: new Float64Array(1024),
    memoStamps: new Int32Array(1024),
    memoStamp: 0,
    order: new Int32Array(16),
    rem: new Float64Array(16),
    rate: new Float64Array(16),
    lastUpper: NaN,
    winnerRank: 0,
    best: -1,
    lastMax: -Infinity,
  };
}

// -------------------------------------------------------------------------------------
// memos
// -------------------------------------------------------------------------------------

function ensureBuffers(ev: Evaluation, K: number, memoSize: number): void {
  if (ev.partial.length < K) {
    const size = Math.max(K, ev.partial.length * 2);
    ev.partial = new Float64Array(size);
    ev.alive = new Uint32Array(size);
  }
  if (ev.memoStamps.length < memoSize) {
    const size = Math.max(memoSize, ev.memoStamps.length * 2);
    ev.memoVals = new Float64Array(size);
    ev.memoStamps = new Int32Array(size);
  }
}

/**
 * Per discrete dimension, the distinct values among the points: `of[j]` is point j's index
 * among them; masses are memoised at `base + of[j]·nUniq + uid[i]`.
 */
export interface DiscreteMemo {
  readonly of: Int32Array;
  readonly base: number;
  readonly stride: number;
  /** Per distinct value: the cell edges in the transformed space. */
  readonly lt: Float64Array;
  readonly rt: Float64Array;
}

// -------------------------------------------------------------------------------------
// terms
// -------------------------------------------------------------------------------------

function discreteMemos(
  alloc: Alloc,
  dims: ReadonlyArray<PreparedDim>,
  cols: ReadonlyArray<Float64Array>,
  m: number,
): { readonly memos: ReadonlyArray<DiscreteMemo | null>; readonly size: number } {
  let size = 0;
  const memos = dims.map((dim, d) => {
    if (dim.kind !== DimKind.Discrete) return null;
    const k = dim.kernels as NumericalKernels;
    const col = cols[d]!;
    const of = alloc.i32(m);
    const xs: number[] = [];
    for (let j = 0; j < m; j++) {
      const x = col[j]!;
      let u = xs.indexOf(x);
      if (u < 0) {
        u = xs.length;
        xs.push(x);
      }
      of[j] = u;
    }
    const h = k.step / 2;
    const lt = alloc.f64(xs.length), rt = alloc.f64(xs.length);
    xs.forEach((x, u) => {
      lt[u] = k.log ? Math.log(x - h) : x - h;
      rt[u] = k.log ? Math.log(x + h) : x + h;
    });
    const memo: DiscreteMemo = { of, base: size, stride: dim.nUniq, lt, rt };
    size += xs.length * dim.nUniq;
    return memo;
  });
  return { memos, size };
}

/**
 * Starts evaluating `P` at `m` points: the discrete dimensions' memos, buffers large enough,
 * and a new generation of memoised masses.
 */
export function startEvaluation(
  ev: Evaluation,
  P: Prepared,
  cols: ReadonlyArray<Float64Array>,
  m: number,
): ReadonlyArray<DiscreteMemo | null> {
  const { memos, size } = discreteMemos(ev.alloc, P.dims, cols, m);
  ensureBuffers(ev, P.K, size);
  ev.memoStamp = (ev.memoStamp + 1) | 0;
  return memos;
}

/** `log` of the Gaussian mass of component i on point j's grid cell (memoised). */
export function cellMass(
  ev: Evaluation,
  dim: PreparedDim,
  memo: DiscreteMemo,
  j: number,
  i: number,
): number {
  const u = memo.of[j]!;
  const slot = memo.base + u * memo.stride + dim.uid[i]!;
  if (ev.memoStamps[slot] === ev.memoStamp) return ev.memoVals[slot]!;
  const k = dim.kernels as NumericalKernels;
  const mu = k.mus[i]!, inv = dim.invSigma[i]!;
  const v = logGaussMass((memo.lt[u]! - mu) * inv, (memo.rt[u]! - mu) * inv);
  ev.memoStamps[slot] = ev.memoStamp;
  ev.memoVals[slot] = v;
  return v;
}

/** Exact log term of component `i` in dimension `d` at point `j`. */
function termAt(
  ev: Evaluation,
  dim: PreparedDim,
  memo: DiscreteMemo | null,
  i: number,
  x: number,
  j: number,
): number {
  if (dim.kind === DimKind.Categorical) {
    const k = dim.kernels as CategoricalKernels;
    if (i === k.observed.length) return dim.logPrior;
    return k.observed[i] === Math.trunc(x) ? dim.logHit : dim.logMiss;
  }
  if (dim.kind === DimKind.Continuous) {
    const k = dim.kernels as NumericalKernels;
    const xt = k.log ? Math.log(x) : x;
    if (!(xt >= k.lowT && xt <= k.highT)) return -Infinity;
    const z = (xt - k.mus[i]!) * dim.invSigma[i]!;
    return -0.5 * z * z + dim.logNorm[i]!;
  }
  return cellMass(ev, dim, memo!, j, i) + dim.logNorm[i]!;
}

export function fullComponent(
  ev: Evaluation,
  dims: ReadonlyArray<PreparedDim>,
  memos: ReadonlyArray<DiscreteMemo | null>,
  cols: ReadonlyArray<Float64Array>,
  j: number,
  i: number,
  logW: Float64Array,
): number {
  let v = logW[i]!;
  for (let d = 0; d < dims.length && v !== -Infinity; d++) {
    v += termAt(ev, dims[d]!, memos[d]!, i, cols[d]![j]!, j);
  }
  return v;
}

/**
 * Component i's log contribution at point j if it exceeds `floor`, else −∞ (dimensions in
 * evaluation order, stopping as soon as the remaining upper bounds cannot reach `floor`).
 */
export function componentAbove(
  ev: Evaluation,
  P: Prepared,
  memos: ReadonlyArray<DiscreteMemo | null>,
  cols: ReadonlyArray<Float64Array>,
  j: number,
  i: number,
  floor: number,
): number {
  const { logW, dims, order, remMax } = P;
  let v = logW[i]!;
  for (let p = 0; p < order.length; p++) {
    const d = order[p]!;
    v += termAt(ev, dims[d]!, memos[d]!, i, cols[d]![j]!, j);
    if (!(v + remMax[p]! > floor)) return -Infinity;
  }
  return v;
}
