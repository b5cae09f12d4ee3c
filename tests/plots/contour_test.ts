import assert from "node:assert/strict";
import { categoricalDistribution, getOrThrow } from "../../mod.ts";
import { contourFigure, contourPlot } from "../../lib/plots/mod.ts";
import { ok, t, U10 } from "./_trials.ts";

Deno.test("contour: padded grid of observed values, best value per cell, null elsewhere", () => {
  const plot = ok(contourPlot({
    trials: [
      t(0, { values: [5], params: { x: 1, y: 2 } }),
      t(1, { values: [3], params: { x: 1, y: 2 } }),
      t(2, { values: [7], params: { x: 3, y: 4 } }),
      t(3, { state: "PRUNED", values: null, params: { x: 9, y: 9 } }),
    ],
    directions: ["minimize"],
  }));
  const p = plot.panels[0]!;
  assert.deepEqual(p.xGrid, [0.9, 1, 3, 3.1]);
  assert.deepEqual(p.yGrid, [1.9, 2, 4, 4.1]);
  assert.deepEqual(p.z, [
    [null, null, null, null],
    [null, 3, null, null],
    [null, null, 7, null],
    [null, null, null, null],
  ]);
  assert.deepEqual(p.xAxis.range, [0.9, 3.1]);
  assert.equal(plot.reverseScale, true);
});

Deno.test("contour: categorical axes use labels; three params make a 3×3 grid", () => {
  const c = getOrThrow(categoricalDistribution(["b", "a"]));
  const trials = [
    t(0, { values: [1], params: { c: "b", x: 1, y: 1 }, distributions: { c, x: U10, y: U10 } }),
    t(1, { values: [2], params: { c: "a", x: 2, y: 3 }, distributions: { c, x: U10, y: U10 } }),
  ];
  const plot = ok(contourPlot({ trials, directions: ["maximize"] }));
  assert.equal(plot.panels.length, 9);
  const cx = plot.panels.find((p) => p.row === 1 && p.col === 0)!; // x: c, y: x
  assert.deepEqual(cx.xGrid, ["a", "b"]);
  assert.equal(cx.xAxis.type, "category");
  assert.deepEqual(cx.z, [[null, null], [null, 1], [2, null], [null, null]]);
  assert.deepEqual(plot.panels.find((p) => p.row === 0 && p.col === 0)!.z, []);
  const fig = contourFigure(plot);
  assert.ok(fig.data.some((d) => d.type === "contour"));
  assert.equal(plot.reverseScale, false);
});
