import assert from "node:assert/strict";
import { rankFigure, rankPlot } from "../../lib/plots/mod.ts";
import { ok, t } from "./_trials.ts";

Deno.test("rank: ranks in [0, 1] with ties averaged; infeasible trials flagged; quantile ticks", () => {
  const plot = ok(rankPlot({
    trials: [
      t(0, { values: [4], params: { x: 1, y: 2 } }),
      t(1, { values: [2], params: { x: 2, y: 2 }, constraints: [1] }),
      t(2, { values: [2], params: { x: 3, y: 1 } }),
      t(3, { values: [9], params: { x: 4 } }),
      t(4, { state: "FAIL", values: null, params: { x: 0, y: 0 } }),
    ],
    directions: ["minimize"],
  }));
  const p = plot.panels[0]!;
  assert.deepEqual(p.points.map((q) => [q.number, q.rank, q.feasible]), [
    [0, 2 / 3, true],
    [1, 0.5 / 3, false],
    [2, 0.5 / 3, true],
  ]);
  assert.deepEqual(plot.ticks.map((k) => k.value), [2, 2, 3, 5.25, 9]);
  const fig = rankFigure(plot);
  assert.equal(fig.data.length, 3); // feasible, infeasible, colour bar
});
