import assert from "node:assert/strict";
import { paretoFrontFigure, paretoFrontPlot } from "../../lib/plots/mod.ts";
import { ok, t } from "./_trials.ts";

const trials = [
  t(0, { values: [1, 5] }),
  t(1, { values: [2, 2] }),
  t(2, { values: [3, 3] }),
  t(3, { values: [0, 0], constraints: [1] }),
  t(4, { state: "PRUNED", values: null }),
  t(5, { values: [5, 1] }),
];

Deno.test("pareto: the front of feasible trials, dominated ones, infeasible ones", () => {
  const plot = ok(paretoFrontPlot({ trials, directions: ["minimize", "minimize"] }));
  assert.deepEqual(plot.best.map((p) => p.number), [0, 1, 5]);
  assert.deepEqual(plot.dominated.map((p) => p.number), [2]);
  assert.deepEqual(plot.infeasible.map((p) => p.number), [3]);
  const max = ok(
    paretoFrontPlot({ trials, directions: ["maximize", "minimize"] }, {
      includeDominatedTrials: false,
      axisOrder: [1, 0],
      targetNames: ["a", "b"],
    }),
  );
  assert.deepEqual(max.best.map((p) => [p.number, p.values]), [[5, [1, 5]]]);
  assert.deepEqual(max.axes.map((a) => a.title), ["b", "a"]);
  assert.deepEqual(max.dominated, []);
});

Deno.test("pareto: 1 or 4 objectives and bad options are Lefts", () => {
  assert.equal(paretoFrontPlot({ trials, directions: ["minimize"] })._tag, "Left");
  assert.equal(
    paretoFrontPlot({ trials, directions: ["minimize", "minimize"] }, { axisOrder: [0, 0] })._tag,
    "Left",
  );
  assert.equal(
    paretoFrontPlot({ trials, directions: ["minimize", "minimize"] }, { targetNames: ["a"] })._tag,
    "Left",
  );
});

Deno.test("pareto figure: scatter for 2 objectives, scatter3d for 3", () => {
  const two = paretoFrontFigure(
    ok(paretoFrontPlot({ trials, directions: ["minimize", "minimize"] })),
  );
  assert.deepEqual(two.data.map((d) => [d.type, d.name]), [["scatter", "Best Trial"], [
    "scatter",
    "Trial",
  ], ["scatter", "Infeasible Trial"]]);
  const three = paretoFrontFigure(ok(paretoFrontPlot({
    trials: [t(0, { values: [1, 2, 3] })],
    directions: ["minimize", "minimize", "minimize"],
  })));
  assert.equal(three.data[0]?.type, "scatter3d");
  assert.deepEqual(three.data[0]?.z, [3]);
});
