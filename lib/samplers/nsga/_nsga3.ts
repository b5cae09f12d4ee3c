/**
 * The reference-point niching of Optuna 5.0's NSGA-III: default reference points on the unit
 * simplex, objective normalisation by the ideal point and the extreme points' hyperplane,
 * association of individuals with reference lines, and the niche-preserving choice among the
 * last front. Private to `lib/samplers/nsga/`.
 *
 * @module
 */
import type { FrozenTrial } from "../../core/trial.ts";
import { type Rng, shuffled } from "../../random/rng.ts";

type Mat = number[][];

/** Optuna's `_COEF`: the margin by which infinite objective values are clipped. */
const COEF = 3;

// -------------------------------------------------------------------------------------
// reference points
// -------------------------------------------------------------------------------------

/**
 * Das and Dennis's points: every `p`-combination with replacement of the `m` axes, as counts
 * (Optuna's `_generate_default_reference_point`; the points sum to `p`, not to 1).
 */
export function defaultReferencePoints(m: number, p: number): Mat {
  const out: Mat = [];
  const combo = new Array<number>(p).fill(0);
  const rec = (pos: number, start: number): void => {
    if (pos === p) {
      const point = new Array<number>(m).fill(0);
      for (const c of combo) point[c] = point[c]! + 1;
      out.push(point);
      return;
    }
    for (let c = start; c < m; c++) {
      combo[pos] = c;
      rec(pos + 1, c);
    }
  };
  rec(0, 0);
  return out;
}

// -------------------------------------------------------------------------------------
// normalisation
// -------------------------------------------------------------------------------------

/** Optuna's `_filter_inf`: ±inf clipped to the finite range widened by `COEF` times its width. */
export function filterInf(values: ReadonlyArray<ReadonlyArray<number>>): Mat {
  const m = values[0]!.length;
  const lo = new Array<number>(m).fill(NaN), hi = new Array<number>(m).fill(NaN);
  for (const row of values) {
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) return;
      if (!(v >= lo[j]!)) lo[j] = v;
      if (!(v <= hi[j]!)) hi[j] = v;
    });
  }
  return values.map((row) =>
    row.map((v, j) => {
      const margin = COEF * (hi[j]! - lo[j]!);
      return Math.min(Math.max(v, lo[j]! - margin), hi[j]! + margin);
    })
  );
}

/**
 * Optuna's `_normalize_objective_values`: translate by the ideal point, then scale by the
 * intercepts of the hyperplane through the extreme points (achievement scalarising function
 * with weights 1 and 1e6), or by the per-axis maximum when the extreme points are degenerate.
 */
export function normalizeObjectives(matrix: Mat): Mat {
  const m = matrix[0]!.length;
  const ideal = Array.from({ length: m }, (_, j) => Math.min(...matrix.map((r) => r[j]!)));
  const x = matrix.map((r) => r.map((v, j) => v - ideal[j]!));
  const extreme = Array.from({ length: m }, (_, d) => {
    let best = 0, bestV = Infinity;
    x.forEach((r, i) => {
      const asf = Math.max(...r.map((v, j) => v * (j === d ? 1 : 1e6)));
      if (asf < bestV) [best, bestV] = [i, asf];
    });
    return x[best]!;
  });
  let inv = extreme.flat().every(Number.isFinite) ? solveOnes(extreme) : null;
  if (inv === null) {
    const hi = Array.from({ length: m }, (_, j) => Math.max(...x.map((r) => r[j]!)));
    inv = hi.map((h) => 1 / (h === 0 ? 1 : h));
  }
  const scale = inv.map((v) => Number.isFinite(v) ? v : 1);
  return x.map((r) => r.map((v, j) => v * scale[j]!));
}

/**
 * The solution of `A w = 1` by Gaussian elimination with partial pivoting, or `null` when `A`
 * is rank-deficient (NumPy's `matrix_rank` tolerance: largest pivot · n · ε).
 */
export function solveOnes(a0: ReadonlyArray<ReadonlyArray<number>>): number[] | null {
  const n = a0.length;
  const a = a0.map((r) => [...r, 1]);
  let maxAbs = 0;
  for (const r of a0) for (const v of r) maxAbs = Math.max(maxAbs, Math.abs(v));
  const tol = maxAbs * n * Number.EPSILON;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i]![k]!) > Math.abs(a[p]![k]!)) p = i;
    if (!(Math.abs(a[p]![k]!) > tol)) return null;
    [a[k], a[p]] = [a[p]!, a[k]!];
    for (let i = k + 1; i < n; i++) {
      const f = a[i]![k]! / a[k]![k]!;
      for (let j = k; j <= n; j++) a[i]![j] = a[i]![j]! - f * a[k]![j]!;
    }
  }
  const w = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = a[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= a[i]![j]! * w[j]!;
    w[i] = s / a[i]![i]!;
  }
  return w;
}

// -------------------------------------------------------------------------------------
// association
// -------------------------------------------------------------------------------------

/** Per individual: the closest reference line and the distance to it. */
export function associate(
  matrix: ReadonlyArray<ReadonlyArray<number>>,
  refs: ReadonlyArray<ReadonlyArray<number>>,
): { readonly closest: Int32Array; readonly distance: Float64Array } {
  const closest = new Int32Array(matrix.length), distance = new Float64Array(matrix.length);
  const norms2 = refs.map((r) => r.reduce((s, v) => s + v * v, 0));
  matrix.forEach((x, i) => {
    let best = 0, bestD = Infinity;
    refs.forEach((r, p) => {
      let proj = 0;
      for (let k = 0; k < r.length; k++) proj += x[k]! * r[k]!;
      proj /= norms2[p]!;
      let d2 = 0;
      for (let k = 0; k < r.length; k++) d2 += (x[k]! - proj * r[k]!) ** 2;
      const d = Math.sqrt(d2);
      if (d < bestD) [best, bestD] = [p, d];
    });
    closest[i] = best;
    distance[i] = bestD;
  });
  return { closest, distance };
}

// -------------------------------------------------------------------------------------
// niching
// -------------------------------------------------------------------------------------

/**
 * Optuna's `_preserve_niche_individuals`: repeatedly takes a reference point with the fewest
 * elite neighbours (random among ties) and adds its closest (count 0) or a random (count > 0)
 * member of the last front.
 */
export function preserveNiches(
  target: number,
  nElite: number,
  front: ReadonlyArray<FrozenTrial>,
  assoc: { readonly closest: Int32Array; readonly distance: Float64Array },
  rng: Rng,
): FrozenTrial[] {
  const border = new Map<number, Array<[number, number]>>();
  for (let i = 0; i < front.length; i++) {
    const ref = assoc.closest[nElite + i]!;
    if (!border.has(ref)) border.set(ref, []);
    border.get(ref)!.push([assoc.distance[nElite + i]!, i]);
  }
  const eliteCount = new Map<number, number>();
  for (let i = 0; i < nElite; i++) {
    eliteCount.set(assoc.closest[i]!, (eliteCount.get(assoc.closest[i]!) ?? 0) + 1);
  }
  const byCount = new Map<number, number[]>();
  const bucket = (c: number): number[] => byCount.get(c) ?? byCount.set(c, []).get(c)!;
  for (const ref of border.keys()) bucket(eliteCount.get(ref) ?? 0).push(ref);
  const shuffledRefs = new Set<number>();
  const out: FrozenTrial[] = [];
  let count = -1;
  while (out.length < target) {
    if (bucket(count).length === 0) {
      count++;
      byCount.set(count, shuffled(rng, bucket(count)));
      continue;
    }
    const ref = bucket(count).pop()!;
    const members = border.get(ref)!;
    if (count > 0 && !shuffledRefs.has(ref)) {
      border.set(ref, shuffled(rng, members));
      shuffledRefs.add(ref);
    } else if (count === 0) members.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    const [, id] = border.get(ref)!.pop()!;
    out.push(front[id]!);
    if (border.get(ref)!.length > 0) bucket(count + 1).push(ref);
  }
  return out;
}

/** NSGA-III's choice of `n` members of the last front, given the elite before it. */
export function nsga3LastFront(
  elite: ReadonlyArray<FrozenTrial>,
  front: FrozenTrial[],
  n: number,
  refs: ReadonlyArray<ReadonlyArray<number>>,
  rng: Rng,
): FrozenTrial[] {
  const all = [...elite, ...front];
  const matrix = normalizeObjectives(filterInf(all.map((t) => [...t.values!])));
  return preserveNiches(n, elite.length, front, associate(matrix, refs), rng);
}
