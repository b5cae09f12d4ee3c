import assert from "node:assert/strict";
import fc from "fast-check";
import { fitForest, fitTree, forestImportances, type Tree } from "../../lib/importance/_forest.ts";
import { fanovaTree, marginalVariance, treeVariance } from "../../lib/importance/_fanova.ts";
import { rngFromSeed } from "../../lib/random/rng.ts";

function predict(tree: Tree, x: ReadonlyArray<number>): number {
  let node = 0;
  while ((tree.feature[node] as number) >= 0) {
    const f = tree.feature[node] as number;
    node = (x[f] as number) <= (tree.threshold[node] as number)
      ? tree.left[node] as number
      : tree.right[node] as number;
  }
  return tree.value[node] as number;
}

const X = [[0, 5], [1, 5], [2, 5], [3, 5], [4, 5], [5, 5]];
const y = [0, 0, 1, 1, 4, 4];

Deno.test("a fully grown tree predicts observed values, splitting at midpoints", () => {
  const tree = fitTree(X, y, rngFromSeed(3), 64);
  for (let i = 0; i < X.length; i++) {
    const p = predict(tree, X[i]!);
    // a sample outside the bootstrap is predicted from a neighbour: still one of the values
    assert.ok(y.includes(p));
  }
  for (let i = 0; i < tree.feature.length; i++) {
    if (tree.feature[i]! < 0) continue;
    assert.equal(tree.feature[i], 0, "the constant feature is never split on");
    assert.equal((2 * tree.threshold[i]!) % 1, 0, "thresholds are midpoints of two values");
    assert.ok(tree.threshold[i]! > 0 && tree.threshold[i]! < 5);
  }
});

Deno.test("max depth bounds the tree; depth 1 is a stump", () => {
  const tree = fitTree(X, y, rngFromSeed(1), 1);
  assert.ok(tree.feature.length <= 3);
});

Deno.test("forest importances: a feature that is never split on gets 0; they sum to 1", () => {
  const trees = fitForest(X, y, { nTrees: 8, maxDepth: 64, seed: 0 });
  assert.deepEqual(forestImportances(trees, 2), [1, 0]);
});

Deno.test("property: node values are the means of their children weighted by sample counts", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: -5, max: 5, noNaN: true }),
        ),
        {
          minLength: 2,
          maxLength: 30,
        },
      ),
      fc.integer({ min: 0, max: 1000 }),
      (rows, seed) => {
        const tree = fitTree(rows.map(([x]) => [x]), rows.map(([, v]) => v), rngFromSeed(seed), 64);
        for (let i = 0; i < tree.feature.length; i++) {
          if (tree.feature[i]! < 0) continue;
          const l = tree.left[i]!, r = tree.right[i]!;
          assert.equal(tree.weight[i], tree.weight[l]! + tree.weight[r]!);
          const mean = (tree.value[l]! * tree.weight[l]! + tree.value[r]! * tree.weight[r]!) /
            tree.weight[i]!;
          assert.ok(Math.abs(mean - tree.value[i]!) < 1e-9);
        }
      },
    ),
    { numRuns: 50 },
  );
});

Deno.test("fANOVA: an additive function splits its variance between its two features", () => {
  const rows: number[][] = [], ys: number[] = [];
  for (let a = 0; a < 8; a++) {
    for (let b = 0; b < 8; b++) {
      rows.push([a / 8 + 1 / 16, b / 8 + 1 / 16]);
      ys.push(3 * Math.floor(a / 4) + Math.floor(b / 4));
    }
  }
  const tree = fanovaTree(fitTree(rows, ys, rngFromSeed(2), 64), [[0, 1], [0, 1]]);
  const va = marginalVariance(tree, [0]), vb = marginalVariance(tree, [1]);
  assert.ok(
    Math.abs(va + vb - treeVariance(tree)) < 1e-9,
    `${va} + ${vb} vs ${treeVariance(tree)}`,
  );
  assert.ok(va > 5 * vb);
});
