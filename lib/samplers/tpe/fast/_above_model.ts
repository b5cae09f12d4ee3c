/**
 * The arrays of the incremental bad-side model and the operations on them (private); see
 * `./_above.ts`.
 *
 * @module
 */
import type { Distribution } from "../../../core/distributions.ts";
import type { FrozenTrial } from "../../../core/trial.ts";
import type { SearchSpace } from "../../../core/search_space.ts";
import { type BandwidthRule, type TransformedDomain, transformedDomain } from "../_kernels.ts";
import type { Alloc } from "../../../math/alloc.ts";
import { DimKind, evaluationOrder, writeComponent } from "./_prepared.ts";
import { WINDOW_MIN_COMPONENTS } from "./_pruned.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Per dimension, the arrays of the model (capacity `cap` observations + the prior). */
export interface DimArrays {
  /** Numerical: centres (transformed). */
  readonly mus: Float64Array;
  /** Categorical: choice indices. */
  readonly observed: Int32Array;
  /** Numerical: stable sort order of the centres. */
  readonly order: Uint32Array;
  readonly sigmas: Float64Array;
  readonly invSigma: Float64Array;
  readonly logSigma: Float64Array;
  readonly logNorm: Float64Array;
  readonly ub: Float64Array;
  /** Discrete: id of the (μ, σ) pair. */
  readonly uid: Int32Array;
}

export interface Arrays {
  readonly cap: number;
  readonly dims: ReadonlyArray<DimArrays>;
  /** Per storage slot: the component's position in the list (the prior: n). */
  readonly pos: Int32Array;
  /** Per list position: the component's storage slot (the prior: n). */
  readonly slot: Uint32Array;
}

/** What is kept per space between fits. */
export interface Model {
  list: ReadonlyArray<FrozenTrial>;
  n: number;
  /** The bandwidth rule the arrays were computed with, per dimension. */
  rules: ReadonlyArray<BandwidthRule | undefined>;
  arrays: Arrays;
  /** Discrete dimensions: ids of the distinct (μ, σ) pairs seen so far. */
  pairIds: Array<Map<number, Map<number, number>> | undefined>;
  nPairs: number[];
  /**
   * The dimension the components are stored sorted along (by centre, then list position), or
   * −1 for list order. Large mixtures are sorted along the dimension the pruned evaluation
   * scans first, so that the components it visits lie close together in memory.
   */
  primary: number;
  /** Per dimension: how often the evaluation scanned it first since the last check. */
  firstPicks: Int32Array;
  /** Components appended out of order since the last sort. */
  unsorted: number;
  /**
   * Per numerical dimension: the largest `ub` of the observation components, how many have
   * it, and whether it must be recounted (its last holder left).
   */
  readonly ubMax: Float64Array;
  readonly ubAtMax: Int32Array;
  readonly ubStale: Uint8Array;
}

/** The static description of a space's dimensions. */
export interface SpaceShape {
  readonly kinds: ReadonlyArray<DimKind>;
  readonly domains: ReadonlyArray<TransformedDomain | undefined>;
  readonly dists: ReadonlyArray<Distribution>;
  readonly order: Int32Array;
}

/** Evaluations counted before the storage order is reconsidered. */
const MIN_PICKS = 24;

/** Share of components appended out of order above which the storage is sorted again. */
export const MAX_UNSORTED = 1 / 16;

export function shapeOf(names: ReadonlyArray<string>, space: SearchSpace): SpaceShape {
  const dists = names.map((n) => space[n]!);
  const kinds: DimKind[] = dists.map((d) =>
    d._tag === "CategoricalDistribution"
      ? DimKind.Categorical
      : d.step !== null && d.step !== 0
      ? DimKind.Discrete
      : DimKind.Continuous
  );
  const domains = dists.map((d) =>
    d._tag === "CategoricalDistribution" ? undefined : transformedDomain(d)
  );
  return { kinds, domains, dists, order: evaluationOrder(kinds) };
}

/**
 * Empty arrays for the fields a dimension's kind does not use, shared by every model: frozen,
 * and with no element there is nothing to write.
 */
const NONE_F64: Float64Array = Object.freeze(new Float64Array(0)) as Float64Array;

const NONE_I32: Int32Array = Object.freeze(new Int32Array(0)) as Int32Array;

const NONE_U32: Uint32Array = Object.freeze(new Uint32Array(0)) as Uint32Array;

/** Fresh arrays for `cap` observations, holding a copy of the first `keep` of `from`. */
export function allocArrays(cap: number, shape: SpaceShape, from?: Arrays, keep = 0): Arrays {
  const out: Arrays = {
    cap,
    pos: new Int32Array(cap + 1),
    slot: new Uint32Array(cap + 1),
    dims: shape.kinds.map((kind) => {
      const numeric = kind !== DimKind.Categorical;
      const arr = () => numeric ? new Float64Array(cap + 1) : NONE_F64;
      return {
        mus: arr(),
        observed: numeric ? NONE_I32 : new Int32Array(cap + 1),
        order: numeric ? new Uint32Array(cap) : NONE_U32,
        sigmas: arr(),
        invSigma: arr(),
        logSigma: arr(),
        logNorm: arr(),
        ub: arr(),
        uid: kind === DimKind.Discrete ? new Int32Array(cap + 1) : NONE_I32,
      };
    }),
  };
  if (from && keep > 0) {
    out.pos.set(from.pos.subarray(0, keep + 1));
    out.slot.set(from.slot.subarray(0, keep + 1));
    out.dims.forEach((a, d) => {
      const b = from.dims[d]!, kind = shape.kinds[d]!;
      const src = componentArrays(b, kind);
      componentArrays(a, kind).forEach((to, q) =>
        (to as Float64Array).set((src[q] as Float64Array).subarray(0, keep + 1))
      );
      a.order.set(b.order.subarray(0, keep));
    });
  }
  return out;
}

/** The per-component arrays of a dimension (those that move with their component). */
export function componentArrays(a: DimArrays, kind: DimKind): Array<Float64Array | Int32Array> {
  if (kind === DimKind.Categorical) return [a.observed];
  const out: Array<Float64Array | Int32Array> = [
    a.mus,
    a.sigmas,
    a.invSigma,
    a.logSigma,
    a.logNorm,
    a.ub,
  ];
  if (kind === DimKind.Discrete) out.push(a.uid);
  return out;
}

function pairId(model: Model, d: number, mu: number, sigma: number): number {
  const byMu = model.pairIds[d]!;
  let bySigma = byMu.get(mu);
  if (!bySigma) byMu.set(mu, bySigma = new Map());
  let id = bySigma.get(sigma);
  if (id === undefined) bySigma.set(sigma, id = model.nPairs[d]!++);
  return id;
}

/** Recomputes component i of numerical dimension d from its centre and bandwidth. */
export function refresh(model: Model, shape: SpaceShape, a: DimArrays, d: number, i: number): void {
  writeComponent(shape.domains[d]!, a.mus[i]!, a.sigmas[i]!, i, a);
  if (shape.kinds[d] === DimKind.Discrete) a.uid[i] = pairId(model, d, a.mus[i]!, a.sigmas[i]!);
}

/** Counts bound `u` of dimension d in (`+1`) or out (`−1`) of the observations' largest. */
export function trackUb(model: Model, d: number, u: number, sign: 1 | -1): void {
  const max = model.ubMax[d]!;
  if (sign < 0) {
    if (u === max && --model.ubAtMax[d]! <= 0) model.ubStale[d] = 1;
  } else if (u > max) {
    model.ubMax[d] = u;
    model.ubAtMax[d] = 1;
  } else if (u === max) model.ubAtMax[d]!++;
}

/** Per dimension, the largest `ub` over the `n` observations and the prior (0: categorical). */
export function maxUbOf(model: Model, shape: SpaceShape, n: number): Float64Array {
  const out = new Float64Array(shape.kinds.length);
  shape.kinds.forEach((kind, d) => {
    if (kind === DimKind.Categorical) return;
    const ub = model.arrays.dims[d]!.ub;
    if (model.ubStale[d]) {
      let max = -Infinity, at = 0;
      for (let i = 0; i < n; i++) {
        const u = ub[i]!;
        if (u > max) {
          max = u;
          at = 1;
        } else if (u === max) at++;
      }
      model.ubMax[d] = max;
      model.ubAtMax[d] = at;
      model.ubStale[d] = 0;
    }
    out[d] = Math.max(model.ubMax[d]!, ub[n]!);
  });
  return out;
}

export function writePrior(model: Model, shape: SpaceShape, g: Arrays, n: number): void {
  shape.kinds.forEach((kind, d) => {
    if (kind === DimKind.Categorical) return;
    const dom = shape.domains[d]!, a = g.dims[d]!;
    a.mus[n] = 0.5 * (dom.lowT + dom.highT);
    a.sigmas[n] = dom.highT - dom.lowT;
    refresh(model, shape, a, d, n);
  });
}

export function sameRules(
  a: ReadonlyArray<BandwidthRule | undefined>,
  b: ReadonlyArray<BandwidthRule | undefined>,
): boolean {
  return a.length === b.length && a.every((r, d) => {
    const o = b[d];
    return r === undefined
      ? o === undefined
      : o !== undefined && r.minSigma === o.minSigma && r.maxSigma === o.maxSigma &&
        r.trimEnds === o.trimEnds;
  });
}

/** The centre of a numerical observation (log for log domains). */
export function centreOf(shape: SpaceShape, d: number, v: number): number {
  const dist = shape.dists[d]!;
  return dist._tag !== "CategoricalDistribution" && dist.log ? Math.log(v) : v;
}

/** Capacity for `n` observations with room to grow. */
export function capacityFor(n: number): number {
  return Math.ceil(n * 1.25) + 16;
}

/**
 * Stores the components sorted along dimension `target` (by centre, then list position), or in
 * list order when `target` is −1: every per-component array is permuted and the sorted orders
 * renumbered.
 */
export function resort(
  model: Model,
  shape: SpaceShape,
  n: number,
  target: number,
  alloc: Alloc,
): void {
  const g = model.arrays;
  // perm[new slot] = old slot
  const perm = target >= 0 ? g.dims[target]!.order.slice(0, n) : g.slot.slice(0, n);
  const inv = alloc.u32(n);
  for (let s = 0; s < n; s++) inv[perm[s]!] = s;
  const tmpF = alloc.f64(n), tmpI = alloc.i32(n);
  shape.kinds.forEach((kind, d) => {
    const a = g.dims[d]!;
    for (const arr of componentArrays(a, kind)) {
      if (arr instanceof Float64Array) gatherF64(arr, perm, tmpF);
      else gatherI32(arr, perm, tmpI);
    }
    if (kind === DimKind.Categorical) return;
    const ord = a.order;
    for (let r = 0; r < n; r++) ord[r] = inv[ord[r]!]!;
  });
  gatherI32(g.pos, perm, tmpI);
  for (let s = 0; s < n; s++) g.slot[g.pos[s]!] = s;
  model.primary = target;
  model.unsorted = 0;
}

/** `a[s] = a[perm[s]]` for `s < perm.length`, through `tmp` (one loop per array type). */
function gatherF64(a: Float64Array, perm: Uint32Array, tmp: Float64Array): void {
  for (let s = 0; s < perm.length; s++) tmp[s] = a[perm[s]!]!;
  a.set(tmp);
}

/** `a[s] = a[perm[s]]` for `s < perm.length`, through `tmp`. */
function gatherI32(a: Int32Array, perm: Uint32Array, tmp: Int32Array): void {
  for (let s = 0; s < perm.length; s++) tmp[s] = a[perm[s]!]!;
  a.set(tmp);
}

/**
 * The storage order to use next: list order for small mixtures; otherwise the numerical
 * dimension the evaluation scanned first for most points since the last check (when it is
 * continuous), else the current one.
 */
export function choosePrimary(model: Model, shape: SpaceShape, n: number): number {
  if (n + 1 < WINDOW_MIN_COMPONENTS) return -1;
  const picks = model.firstPicks;
  let total = 0, best = 0;
  for (let d = 0; d < picks.length; d++) {
    total += picks[d]!;
    if (picks[d]! > picks[best]!) best = d;
  }
  if (total < MIN_PICKS) return model.primary;
  const dominant = shape.kinds[best] === DimKind.Continuous && 2 * picks[best]! > total;
  picks.fill(0);
  return dominant ? best : model.primary;
}
