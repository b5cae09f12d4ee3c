import assert from "node:assert/strict";
import fc from "fast-check";
import {
  objectiveTarget,
  optimizationHistory,
  optimizationHistoryFigure,
} from "../../lib/plots/mod.ts";
import { ok, t } from "./_trials.ts";

const trials = [
  t(0, { values: [5] }),
  t(1, { state: "PRUNED", values: null }),
  t(2, { values: [3], constraints: [1] }), // infeasible: not a best value
  t(3, { values: [4] }),
  t(4, { state: "FAIL", values: null }),
  t(5, { values: [1] }),
];

Deno.test("history: COMPLETE trials' values and the feasible best so far at every trial", () => {
  const plot = ok(optimizationHistory({ trials, directions: ["minimize"] }));
  assert.deepEqual(plot.points, [
    { number: 0, value: 5, feasible: true },
    { number: 2, value: 3, feasible: false },
    { number: 3, value: 4, feasible: true },
    { number: 5, value: 1, feasible: true },
  ]);
  assert.deepEqual(plot.best?.map((b) => b.value), [5, 5, 5, 4, 4, 1]);
  assert.deepEqual(plot.yAxis, { title: "Objective Value", type: "linear" });
});

Deno.test("history: maximize keeps the largest; null before the first feasible trial", () => {
  const plot = ok(optimizationHistory({
    trials: [t(0, { values: [9], constraints: [2] }), t(1, { values: [2] }), t(2, { values: [7] })],
    directions: ["maximize"],
  }));
  assert.deepEqual(plot.best?.map((b) => b.value), [null, 2, 7]);
});

Deno.test("history: multi-objective needs a target; a target drops the best line", () => {
  const src = {
    trials: [t(0, { values: [1, 2] }), t(1, { values: [3, 0] })],
    directions: ["minimize", "minimize"] as const,
  };
  const bad = optimizationHistory(src);
  assert.match(bad._tag === "Left" ? bad.left.message : "", /Invalid 'target'/);
  const plot = ok(optimizationHistory(src, { target: objectiveTarget(1), targetName: "latency" }));
  assert.deepEqual(plot.points.map((p) => p.value), [2, 0]);
  assert.equal(plot.best, undefined);
  assert.equal(plot.yAxis.title, "latency");
});

Deno.test("history figure: markers, best line, grey infeasible markers; NaN becomes null", () => {
  const fig = optimizationHistoryFigure(ok(optimizationHistory({
    trials: [...trials, t(6, { values: [NaN] })],
    directions: ["minimize"],
  })));
  assert.deepEqual(fig.data.map((d) => d.name), [
    "Objective Value",
    "Best Value",
    "Infeasible Trial",
  ]);
  assert.deepEqual(fig.data[0]?.x, [0, 3, 5, 6]);
  assert.deepEqual(fig.data[0]?.y, [5, 4, 1, null]);
  assert.deepEqual(fig.data[2]?.x, [2]);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(fig)));
});

Deno.test("property: best so far is monotone and equals a running minimum of feasible values", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 30 }),
      (vs) => {
        const plot = ok(
          optimizationHistory({
            trials: vs.map((v, i) => t(i, { values: [v] })),
            directions: ["minimize"],
          }),
        );
        let min = Infinity;
        plot.best?.forEach((b, i) => {
          min = Math.min(min, vs[i]!);
          assert.equal(b.value, min);
        });
      },
    ),
  );
});

Deno.test("bad input to a plot is a Left naming the field, never a throw", async () => {
  const {
    contourPlot,
    edf,
    hypervolumeHistory,
    parallelCoordinate,
    paretoFrontPlot,
    rankPlot,
    slicePlot,
  } = await import(
    "../../lib/plots/mod.ts"
  );
  const bad = (x: unknown): never => x as never;
  const cases = [
    optimizationHistory(bad(null)),
    optimizationHistory(bad({ trials: "x", directions: ["minimize"] })),
    slicePlot(bad({ trials: [] })),
    contourPlot(bad(undefined)),
    rankPlot(bad(42)),
    parallelCoordinate(bad(null)),
    edf([bad(null)]),
    hypervolumeHistory(bad(null), [1, 1]),
    paretoFrontPlot(bad({ trials: null, directions: [] })),
  ];
  for (const c of cases) assert.match(c._tag === "Left" ? c.left.message : "Right", /'source'/);
  const target = optimizationHistory({ trials: [], directions: ["minimize"] }, { target: bad(1) });
  assert.match(target._tag === "Left" ? target.left.message : "", /'target'/);
});
