import assert from "node:assert/strict";
import { intermediateValues, intermediateValuesFigure } from "../../lib/plots/mod.ts";
import { t } from "./_trials.ts";

Deno.test("intermediate values: COMPLETE, PRUNED and RUNNING curves sorted by step", () => {
  const plot = intermediateValues({
    trials: [
      t(0, { intermediate: { 10: 0.5, 2: 0.9 } }),
      t(1, { state: "PRUNED", values: null, intermediate: { 1: 1 }, constraints: [1] }),
      t(2, { state: "FAIL", values: null, intermediate: { 1: 2 } }),
      t(3, { state: "RUNNING", values: null, intermediate: { 1: 3 } }),
      t(4, { state: "WAITING", values: null, intermediate: { 1: 4 } }),
      t(5, {}),
    ],
    directions: ["minimize"],
  });
  assert.deepEqual(plot.series, [
    { number: 0, state: "COMPLETE", feasible: true, steps: [2, 10], values: [0.9, 0.5] },
    { number: 1, state: "PRUNED", feasible: false, steps: [1], values: [1] },
    { number: 3, state: "RUNNING", feasible: true, steps: [1], values: [3] },
  ]);
  const fig = intermediateValuesFigure(plot);
  assert.deepEqual(fig.data.map((d) => d.name), ["Trial0", "Trial1", "Trial3"]);
  assert.deepEqual((fig.data[1]?.marker as { color?: string }).color, "#cccccc");
});
