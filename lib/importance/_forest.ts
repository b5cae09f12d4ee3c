/**
 * A random forest regressor as scikit-learn's `RandomForestRegressor` with Optuna's settings
 * (private): bootstrap samples, best-split CART trees over every feature (`max_features=1.0`),
 * squared-error criterion, `min_samples_split=2`, `min_samples_leaf=1`, split thresholds at
 * the midpoint of consecutive distinct values, features read as float32 (as sklearn's trees
 * do). Each tree draws from `rngFor(seed, tree, "importance:tree")`. Trees are flat arrays
 * (sklearn's `tree_` layout) that fANOVA reads.
 *
 * @module
 */
import { randomInt, type Rng, rngFor } from "../random/rng.ts";

/** sklearn's `FEATURE_THRESHOLD`: values closer than this are one value. */
const FEATURE_THRESHOLD = 1e-7;
/** sklearn's `EPSILON` (DBL_EPSILON): a node this pure is a leaf. */
const EPSILON = 2.220446049250313e-16;

/** A fitted tree: node `i` splits on `feature[i]` (−1 for a leaf) at `threshold[i]`. */
export interface Tree {
  readonly feature: ReadonlyArray<number>;
  readonly threshold: ReadonlyArray<number>;
  readonly left: ReadonlyArray<number>;
  readonly right: ReadonlyArray<number>;
  /** Mean target of the node's (bootstrap) samples. */
  readonly value: ReadonlyArray<number>;
  /** Squared-error impurity (variance) of the node's samples. */
  readonly impurity: ReadonlyArray<number>;
  /** Number of (bootstrap) samples in the node. */
  readonly weight: ReadonlyArray<number>;
  readonly nFeatures: number;
}

/**
 * The settings of a random forest (of the fANOVA and mean-decrease-impurity evaluators).
 *
 * @category model
 */
export interface ForestSettings {
  /** Number of trees. */
  readonly nTrees: number;
  /** Maximum depth of a tree. */
  readonly maxDepth: number;
  /** Seed of the bootstrap samples and feature orders. */
  readonly seed: number;
}

interface Builder {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  impurity: number[];
  weight: number[];
}

interface Split {
  readonly feature: number;
  readonly threshold: number;
}

function stats(y: ReadonlyArray<number>, idx: ArrayLike<number>): [number, number] {
  let sum = 0, sq = 0;
  for (let k = 0; k < idx.length; k++) {
    const v = y[idx[k] as number] as number;
    sum += v;
    sq += v * v;
  }
  const mean = sum / idx.length;
  return [mean, Math.max(0, sq / idx.length - mean * mean)];
}

/**
 * The best split of a node whose samples, sorted by each feature, are `sorted[f]`, over the
 * features in `features` order (strictly better wins).
 */
function bestSplit(
  cols: ReadonlyArray<Float64Array>,
  y: ReadonlyArray<number>,
  sorted: ReadonlyArray<Int32Array>,
  features: ReadonlyArray<number>,
): Split | undefined {
  let best: Split | undefined;
  let bestProxy = -Infinity;
  const first = sorted[0] as Int32Array;
  const n = first.length;
  let total = 0;
  for (let k = 0; k < n; k++) total += y[first[k] as number] as number;
  for (const f of features) {
    const col = cols[f] as Float64Array, order = sorted[f] as Int32Array;
    if (
      (col[order[n - 1] as number] as number) <=
        (col[order[0] as number] as number) + FEATURE_THRESHOLD
    ) {
      continue;
    }
    let sumLeft = 0;
    for (let p = 1; p < n; p++) {
      sumLeft += y[order[p - 1] as number] as number;
      const prev = col[order[p - 1] as number] as number, next = col[order[p] as number] as number;
      if (next <= prev + FEATURE_THRESHOLD) continue;
      const sumRight = total - sumLeft;
      const proxy = sumLeft * sumLeft / p + sumRight * sumRight / (n - p);
      if (proxy > bestProxy) {
        bestProxy = proxy;
        let threshold = prev / 2 + next / 2;
        if (threshold === next || !Number.isFinite(threshold)) threshold = prev;
        best = { feature: f, threshold };
      }
    }
  }
  return best;
}

/** Each feature's sorted samples, split by `split` (order kept). */
function partition(
  cols: ReadonlyArray<Float64Array>,
  sorted: ReadonlyArray<Int32Array>,
  split: Split,
): [Int32Array[], Int32Array[]] {
  const col = cols[split.feature] as Float64Array;
  const left: Int32Array[] = [], right: Int32Array[] = [];
  for (const order of sorted) {
    let nLeft = 0;
    for (let k = 0; k < order.length; k++) {
      if ((col[order[k] as number] as number) <= split.threshold) nLeft++;
    }
    const l = new Int32Array(nLeft), r = new Int32Array(order.length - nLeft);
    let i = 0, j = 0;
    for (let k = 0; k < order.length; k++) {
      const s = order[k] as number;
      if ((col[s] as number) <= split.threshold) l[i++] = s;
      else r[j++] = s;
    }
    left.push(l);
    right.push(r);
  }
  return [left, right];
}

function shuffle(rng: Rng, n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

function grow(
  data: { readonly cols: ReadonlyArray<Float64Array>; readonly y: ReadonlyArray<number> },
  t: Builder,
  ctx: { readonly rng: Rng; readonly maxDepth: number; readonly nFeatures: number },
  sorted: ReadonlyArray<Int32Array>,
  depth: number,
): number {
  const node = t.feature.length;
  const idx = sorted[0] as Int32Array;
  const [mean, impurity] = stats(data.y, idx);
  t.feature.push(-1);
  t.threshold.push(-2);
  t.left.push(-1);
  t.right.push(-1);
  t.value.push(mean);
  t.impurity.push(impurity);
  t.weight.push(idx.length);
  if (idx.length < 2 || depth >= ctx.maxDepth || impurity <= EPSILON) return node;
  const split = bestSplit(data.cols, data.y, sorted, shuffle(ctx.rng, ctx.nFeatures));
  if (split === undefined) return node;
  const [left, right] = partition(data.cols, sorted, split);
  t.feature[node] = split.feature;
  t.threshold[node] = split.threshold;
  t.left[node] = grow(data, t, ctx, left, depth + 1);
  t.right[node] = grow(data, t, ctx, right, depth + 1);
  return node;
}

/** Fits one tree on a bootstrap sample drawn from `rng`. */
export function fitTree(
  X: ReadonlyArray<ReadonlyArray<number>>,
  y: ReadonlyArray<number>,
  rng: Rng,
  maxDepth: number,
): Tree {
  const n = y.length;
  const idx = Array.from({ length: n }, () => randomInt(rng, n));
  const nFeatures = X[0]?.length ?? 0;
  const t: Builder = {
    feature: [],
    threshold: [],
    left: [],
    right: [],
    value: [],
    impurity: [],
    weight: [],
  };
  const cols = Array.from(
    { length: nFeatures },
    (_, f) => Float64Array.from(X, (row) => Math.fround(row[f] as number)),
  );
  const sorted = cols.map((col) =>
    Int32Array.from([...idx].sort((a, b) => (col[a] as number) - (col[b] as number)))
  );
  grow({ cols, y }, t, { rng, maxDepth, nFeatures }, sorted, 0);
  return { ...t, nFeatures };
}

/** Fits `nTrees` trees, tree `i` drawing from `rngFor(seed, i, "importance:tree")`. */
export function fitForest(
  X: ReadonlyArray<ReadonlyArray<number>>,
  y: ReadonlyArray<number>,
  options: ForestSettings,
): ReadonlyArray<Tree> {
  return Array.from(
    { length: options.nTrees },
    (_, i) => fitTree(X, y, rngFor(options.seed, i, "importance:tree"), options.maxDepth),
  );
}

/** sklearn's `feature_importances_` of one tree: impurity decrease per feature, normalised. */
export function treeImportances(tree: Tree): number[] {
  const out = new Array<number>(tree.nFeatures).fill(0);
  for (let i = 0; i < tree.feature.length; i++) {
    const f = tree.feature[i] as number;
    if (f < 0) continue;
    const l = tree.left[i] as number, r = tree.right[i] as number;
    const w = (k: number) => (tree.weight[k] as number) * (tree.impurity[k] as number);
    out[f] = (out[f] as number) + w(i) - w(l) - w(r);
  }
  const root = tree.weight[0] as number;
  const scaled = out.map((v) => v / root);
  const sum = scaled.reduce((a, b) => a + b, 0);
  return sum > 0 ? scaled.map((v) => v / sum) : scaled;
}

/** sklearn's forest `feature_importances_`: the mean over trees that split, normalised. */
export function forestImportances(trees: ReadonlyArray<Tree>, nFeatures: number): number[] {
  const split = trees.filter((t) => t.feature.length > 1);
  const mean = new Array<number>(nFeatures).fill(0);
  if (split.length === 0) return mean;
  for (const t of split) {
    treeImportances(t).forEach((v, i) => mean[i] = (mean[i] as number) + v / split.length);
  }
  const sum = mean.reduce((a, b) => a + b, 0);
  return sum > 0 ? mean.map((v) => v / sum) : mean;
}
