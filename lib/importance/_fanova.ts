/**
 * Optuna's fANOVA (private, `optuna/importance/_fanova/`): the variance of each tree's
 * prediction over the search space, decomposed by the partition its leaves make, and the
 * share of it that one parameter's marginal explains, averaged over the trees.
 *
 * @module
 */
import type { Tree } from "./_forest.ts";

/** Per-column bounds `[low, high]` of the encoded search space. */
export type Bounds = ReadonlyArray<readonly [number, number]>;

/** A tree with fANOVA's precomputed statistics. */
interface FanovaTree {
  readonly tree: Tree;
  readonly bounds: Bounds;
  /** Per node: mean prediction and cardinality (volume) of its subspace. */
  readonly value: Float64Array;
  readonly size: Float64Array;
  /** Per feature: midpoints and widths of the intervals the tree's thresholds make. */
  readonly midpoints: ReadonlyArray<ReadonlyArray<number>>;
  readonly widths: ReadonlyArray<ReadonlyArray<number>>;
  /** Per node: the features split on in its subtree. */
  readonly active: ReadonlyArray<ReadonlyArray<boolean>>;
  readonly variance: number;
}

function cardinality(space: Bounds): number {
  let p = 1;
  for (const [lo, hi] of space) p *= hi - lo;
  return p;
}

function withBound(space: Bounds, f: number, column: 0 | 1, threshold: number): Bounds {
  const out = space.slice();
  const old = out[f] as readonly [number, number];
  out[f] = column === 0 ? [threshold, old[1]] : [old[0], threshold];
  return out;
}

function weightedMoments(values: ArrayLike<number>, weights: ArrayLike<number>): [number, number] {
  let sw = 0, sv = 0;
  for (let i = 0; i < values.length; i++) {
    sw += weights[i] as number;
    sv += (weights[i] as number) * (values[i] as number);
  }
  const mean = sv / sw;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    s2 += (weights[i] as number) * ((values[i] as number) - mean) ** 2;
  }
  return [mean, s2 / sw];
}

function statistics(tree: Tree, bounds: Bounds): { value: Float64Array; size: Float64Array } {
  const n = tree.feature.length;
  const value = new Float64Array(n), size = new Float64Array(n);
  const spaces: Array<Bounds | undefined> = new Array(n);
  spaces[0] = bounds;
  for (let i = 0; i < n; i++) {
    const space = spaces[i] as Bounds;
    const f = tree.feature[i] as number;
    if (f < 0) {
      value[i] = tree.value[i] as number;
      size[i] = cardinality(space);
      continue;
    }
    const t = tree.threshold[i] as number;
    spaces[tree.left[i] as number] = withBound(space, f, 1, t);
    spaces[tree.right[i] as number] = withBound(space, f, 0, t);
  }
  for (let i = n - 1; i >= 0; i--) {
    if ((tree.feature[i] as number) < 0) continue;
    const l = tree.left[i] as number, r = tree.right[i] as number;
    const w = (size[l] as number) + (size[r] as number);
    value[i] = ((value[l] as number) * (size[l] as number) +
      (value[r] as number) * (size[r] as number)) / w;
    size[i] = w;
  }
  return { value, size };
}

function splitIntervals(tree: Tree, bounds: Bounds): [number[][], number[][]] {
  const splits = bounds.map(() => new Set<number>());
  tree.feature.forEach((f, i) => {
    if (f >= 0) splits[f]?.add(tree.threshold[i] as number);
  });
  const midpoints: number[][] = [], widths: number[][] = [];
  splits.forEach((set, f) => {
    const [lo, hi] = bounds[f] as readonly [number, number];
    const edges = [lo, ...[...set].sort((a, b) => a - b), hi];
    midpoints.push(edges.slice(1).map((e, i) => 0.5 * (e + (edges[i] as number))));
    widths.push(edges.slice(1).map((e, i) => e - (edges[i] as number)));
  });
  return [midpoints, widths];
}

function activeFeatures(tree: Tree): boolean[][] {
  const n = tree.feature.length;
  const active = Array.from({ length: n }, () => new Array<boolean>(tree.nFeatures).fill(false));
  for (let i = n - 1; i >= 0; i--) {
    const f = tree.feature[i] as number;
    if (f < 0) continue;
    const row = active[i] as boolean[];
    row[f] = true;
    for (const c of [tree.left[i] as number, tree.right[i] as number]) {
      (active[c] as boolean[]).forEach((v, k) => row[k] = (row[k] as boolean) || v);
    }
  }
  return active;
}

/** Precomputes fANOVA's statistics of `tree` over `bounds`. */
export function fanovaTree(tree: Tree, bounds: Bounds): FanovaTree {
  const { value, size } = statistics(tree, bounds);
  const [midpoints, widths] = splitIntervals(tree, bounds);
  const leaves = tree.feature.flatMap((f, i) => f < 0 ? [i] : []);
  const variance = weightedMoments(
    leaves.map((i) => value[i] as number),
    leaves.map((i) => size[i] as number),
  )[1];
  return { tree, bounds, value, size, midpoints, widths, active: activeFeatures(tree), variance };
}

/** The tree's total variance over the search space. */
export function treeVariance(t: FanovaTree): number {
  return t.variance;
}

/** Optuna's `_get_marginalized_statistics`: mean and weight with NaN features marginalised. */
function marginalized(t: FanovaTree, sample: ReadonlyArray<number>): [number, number] {
  const tree = t.tree;
  const start: Bounds = t.bounds.map((b, f) => Number.isNaN(sample[f]) ? [0, 1] as const : b);
  const activeMask = sample.map((v) => !Number.isNaN(v));
  const stack: Array<[number, Bounds]> = [[0, start]];
  const values: number[] = [], weights: number[] = [];
  while (stack.length > 0) {
    const [node, space] = stack.pop() as [number, Bounds];
    const f = tree.feature[node] as number;
    if (f >= 0) {
      const x = sample[f] as number;
      if (!Number.isNaN(x)) {
        const th = tree.threshold[node] as number;
        stack.push(
          x <= th
            ? [tree.left[node] as number, withBound(space, f, 1, th)]
            : [tree.right[node] as number, withBound(space, f, 0, th)],
        );
        continue;
      }
      if ((t.active[node] as ReadonlyArray<boolean>).some((a, k) => a && activeMask[k])) {
        stack.push([tree.left[node] as number, space], [tree.right[node] as number, space]);
        continue;
      }
    }
    values.push(t.value[node] as number);
    weights.push((t.size[node] as number) / cardinality(space));
  }
  const [mean] = weightedMoments(values, weights);
  return [mean, weights.reduce((a, b) => a + b, 0)];
}

/** Optuna's `get_marginal_variance`: the variance of the marginal over `features`. */
export function marginalVariance(t: FanovaTree, features: ReadonlyArray<number>): number {
  const sample = new Array<number>(t.bounds.length).fill(NaN);
  const values: number[] = [], weights: number[] = [];
  const visit = (k: number, size: number): void => {
    if (k === features.length) {
      const [v, w] = marginalized(t, sample);
      values.push(v);
      weights.push(w * size);
      return;
    }
    const f = features[k] as number;
    const mids = t.midpoints[f] as ReadonlyArray<number>;
    const widths = t.widths[f] as ReadonlyArray<number>;
    mids.forEach((m, i) => {
      sample[f] = m;
      visit(k + 1, size * (widths[i] as number));
    });
  };
  visit(0, 1);
  return Math.max(0, weightedMoments(values, weights)[1]);
}
