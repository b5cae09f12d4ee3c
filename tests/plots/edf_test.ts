import assert from "node:assert/strict";
import { edf, edfFigure } from "../../lib/plots/mod.ts";
import { ok, t } from "./_trials.ts";

Deno.test("edf: the share of finite COMPLETE values at or below each of 100 grid values", () => {
  const plot = ok(edf([
    {
      trials: [
        t(0, { values: [0] }),
        t(1, { values: [10] }),
        t(2, { values: [Infinity] }),
        t(3, { state: "PRUNED", values: null }),
      ],
      directions: ["minimize"],
      studyName: "a",
    },
    { trials: [t(0, { values: [5] })], directions: ["minimize"], studyName: "b" },
  ]));
  assert.equal(plot.x.length, 100);
  assert.equal(plot.x[0], 0);
  assert.equal(plot.x[99], 10);
  const a = plot.lines[0]!, b = plot.lines[1]!;
  assert.equal(a.studyName, "a");
  assert.deepEqual([a.y[0], a.y[50], a.y[99]], [0.5, 0.5, 1]);
  assert.deepEqual([b.y[49], b.y[50]], [0, 1]);
  assert.deepEqual((edfFigure(plot).layout.yaxis as { range: number[] }).range, [0, 1]);
  assert.deepEqual(ok(edf([{ trials: [], directions: ["minimize"] }])).lines, []);
});
