import assert from "node:assert/strict";
import { categoricalDistribution, floatDistribution, getOrThrow } from "../../mod.ts";
import { parallelCoordinate, parallelCoordinateFigure } from "../../lib/plots/mod.ts";
import { ok, t, U10 } from "./_trials.ts";

const lr = getOrThrow(floatDistribution(1e-3, 1, { log: true }));
const opt = getOrThrow(categoricalDistribution(["sgd", "adam"]));
const trials = [
  t(0, {
    values: [3],
    params: { lr: 0.01, opt: "adam", x: 2 },
    distributions: { lr, opt, x: U10 },
  }),
  t(1, { values: [1], params: { lr: 0.1, opt: "sgd" }, distributions: { lr, opt } }),
  t(2, { state: "FAIL", values: null, params: { lr: 1, opt: "sgd" }, distributions: { lr, opt } }),
  t(3, { values: [2], params: { lr: 1, opt: "adam", x: 6 }, distributions: { lr, opt, x: U10 } }),
];

Deno.test("parallel coordinates: log10 values, categories by first appearance, a None tick for missing", () => {
  const plot = ok(parallelCoordinate({ trials, directions: ["minimize"] }));
  assert.deepEqual(plot.numbers, [0, 1, 3]);
  assert.deepEqual(plot.objectives[0]?.values, [3, 1, 2]);
  const [dl, dopt, dx] = plot.params;
  assert.deepEqual(dl?.values, [-2, -1, 0]);
  assert.deepEqual(dl?.tickvals, [-2, -1, 0]);
  assert.deepEqual(dl?.ticktext, ["0.01", "0.1", "1"]);
  assert.deepEqual(dopt?.values, [0, 1, 0]);
  assert.deepEqual(dopt?.ticktext, ["adam", "sgd"]);
  const miss = 2 - 4 * 0.12 / 0.88;
  assert.deepEqual(dx?.values, [2, miss, 6]);
  assert.deepEqual(dx?.ticktext, ["None", "2", "3", "4", "5", "6"]);
  assert.equal(dx?.hasMissing, true);
  assert.equal(plot.reverseScale, true);
  assert.equal(plot.feasible, undefined);
});

Deno.test("parallel coordinates: multi-objective shows each objective, coloured by Pareto rank", () => {
  const plot = ok(parallelCoordinate({
    trials: [
      t(0, { values: [1, 1], params: { x: 1 } }),
      t(1, { values: [2, 2], params: { x: 2 } }),
      t(2, { values: [0, 3], params: { x: 3 } }),
    ],
    directions: ["minimize", "minimize"],
  }));
  assert.deepEqual(plot.objectives.map((o) => o.label), ["Objective 0", "Objective 1"]);
  assert.deepEqual(plot.colors, [0, 1, 0]);
  assert.equal(plot.colorbarTitle, "Pareto Rank");
});

Deno.test("parallel coordinates figure: one parcoords trace; empty without params", () => {
  const fig = parallelCoordinateFigure(
    ok(parallelCoordinate({ trials, directions: ["maximize"] })),
  );
  assert.equal(fig.data[0]?.type, "parcoords");
  assert.equal((fig.data[0]?.dimensions as unknown[]).length, 4);
  assert.equal((fig.data[0]?.line as { reversescale: boolean }).reversescale, false);
  const empty = parallelCoordinateFigure(
    ok(parallelCoordinate({ trials: [t(0)], directions: ["minimize"] })),
  );
  assert.deepEqual(empty.data, []);
});

Deno.test("tick labels follow Python's '.3g'", () => {
  const plot = ok(parallelCoordinate({
    trials: [t(0, { params: { x: 0.00001234 } }), t(1, { params: { x: 1234.5 } }), t(2)],
    directions: ["minimize"],
  }));
  assert.deepEqual(plot.params[0]?.ticktext, ["None", "1.23e-05", "309", "617", "926", "1.23e+03"]);
});
