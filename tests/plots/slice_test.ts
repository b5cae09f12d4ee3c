import assert from "node:assert/strict";
import { categoricalDistribution, floatDistribution, getOrThrow } from "../../mod.ts";
import { objectiveTarget, sliceFigure, slicePlot } from "../../lib/plots/mod.ts";
import { ok, t, U10 } from "./_trials.ts";

const lr = getOrThrow(floatDistribution(1e-5, 1, { log: true }));
const opt = getOrThrow(categoricalDistribution(["sgd", "adam"]));
const trials = [
  t(0, { values: [3], params: { lr: 0.1, opt: "adam", x: 1 }, distributions: { lr, opt, x: U10 } }),
  t(1, { values: [2], params: { lr: 0.01, opt: "sgd" }, distributions: { lr, opt } }),
  t(2, {
    state: "PRUNED",
    values: null,
    params: { lr: 0.5, opt: "sgd" },
    distributions: { lr, opt },
  }),
  t(3, { values: [Infinity], params: { lr: 0.2, opt: "sgd" }, distributions: { lr, opt } }),
];

Deno.test("slice: one panel per parameter, log and category axes, missing params left out", () => {
  const plot = ok(slicePlot({ trials, directions: ["minimize"] }));
  assert.deepEqual(plot.panels.map((p) => [p.param, p.xAxis]), [
    ["lr", { title: "lr", type: "log" }],
    ["opt", { title: "opt", type: "category", categories: ["sgd", "adam"] }],
    ["x", { title: "x", type: "linear" }],
  ]);
  assert.deepEqual(plot.panels[0]?.points, [
    { number: 0, x: 0.1, y: 3, feasible: true },
    { number: 1, x: 0.01, y: 2, feasible: true },
  ]);
  assert.deepEqual(plot.panels[2]?.points.map((p) => p.number), [0]);
});

Deno.test("slice: params selects panels; unknown names and a missing target are Lefts", () => {
  assert.deepEqual(
    ok(slicePlot({ trials, directions: ["minimize"] }, { params: ["x"] })).panels.length,
    1,
  );
  const bad = slicePlot({ trials, directions: ["minimize"] }, { params: ["nope"] });
  assert.match(bad._tag === "Left" ? bad.left.message : "", /Invalid 'params'.*got 'nope'/);
  const multi = slicePlot({
    trials: [t(0, { values: [1, 2], params: { x: 1 } })],
    directions: ["minimize", "maximize"],
  });
  assert.equal(multi._tag, "Left");
  const target = ok(
    slicePlot({
      trials: [t(0, { values: [1, 2], params: { x: 1 } })],
      directions: ["minimize", "maximize"],
    }, { target: objectiveTarget(1) }),
  );
  assert.equal(target.panels[0]?.points[0]?.y, 2);
});

Deno.test("slice figure: axes per panel, log type, categories as labels", () => {
  const fig = sliceFigure(ok(slicePlot({ trials, directions: ["minimize"] })));
  assert.equal((fig.layout.xaxis as { type: string }).type, "log");
  assert.deepEqual((fig.layout.xaxis2 as { categoryarray: string[] }).categoryarray, [
    "sgd",
    "adam",
  ]);
  const cat = fig.data.find((d) => d.xaxis === "x2");
  assert.deepEqual(cat?.x, ["adam", "sgd"]);
});
