import assert from "node:assert/strict";
import { floatDistribution, intDistribution } from "../../lib/core/distributions.ts";
import { getOrThrow } from "../../lib/effect/mod.ts";
import {
  groupDecomposedSearchSpace,
  intersectionSearchSpace,
} from "../../lib/core/search_space.ts";
import type { FrozenTrial, TrialState } from "../../lib/core/trial.ts";
import type { Distribution } from "../../lib/core/distributions.ts";
import { frozenTrial } from "../_helpers/trials.ts";

const x01 = getOrThrow(floatDistribution(0, 1));
const x02 = getOrThrow(floatDistribution(0, 2));
const n = getOrThrow(intDistribution(1, 5));
const t = (state: TrialState, distributions: Record<string, Distribution>): FrozenTrial =>
  frozenTrial({
    number: 0,
    state,
    values: state === "COMPLETE" ? [0] : null,
    params: Object.fromEntries(Object.keys(distributions).map((k) => [k, 0])),
    distributions,
  });

Deno.test("intersectionSearchSpace() keeps names present with identical distributions in every finished trial", () => {
  const trials = [
    t("COMPLETE", { x: x01, n, z: x01 }),
    t("COMPLETE", { x: x01, n }),
    t("RUNNING", { q: x01 }),
    t("PRUNED", { x: x02, n }),
  ];
  assert.deepEqual(Object.keys(intersectionSearchSpace(trials)), ["n", "x"]);
  assert.deepEqual(Object.keys(intersectionSearchSpace(trials, { includePruned: true })), ["n"]);
  assert.deepEqual(intersectionSearchSpace([]), {});
});

Deno.test("groupDecomposedSearchSpace() splits names that do not always appear together", () => {
  const groups = groupDecomposedSearchSpace([
    t("COMPLETE", { a: x01, b: x01 }),
    t("COMPLETE", { a: x01, c: x01 }),
  ]);
  assert.deepEqual(groups.map((g) => Object.keys(g)), [["a"], ["b"], ["c"]]);
});
