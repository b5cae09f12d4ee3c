import assert from "node:assert/strict";
import { importancesFigure, importancesPlot } from "../../lib/plots/mod.ts";

Deno.test("importances plot: bars from least to most important, labels and escaped hover", () => {
  const plot = importancesPlot([
    { targetName: "Objective 0", importances: { lr: 0.7, "<b>x</b>": 0.295, z: 0.005 } },
    { targetName: "Objective 1", importances: {} },
  ]);
  assert.deepEqual(plot.groups[0]?.bars, [
    { param: "z", importance: 0.005, label: "<0.01" },
    { param: "<b>x</b>", importance: 0.295, label: "0.29" },
    { param: "lr", importance: 0.7, label: "0.70" },
  ]);
  const fig = importancesFigure(plot);
  assert.equal(fig.data.length, 1);
  assert.deepEqual(fig.data[0]?.y, ["z", "<b>x</b>", "lr"]);
  assert.match(String((fig.data[0]?.hovertemplate as string[])[1]), /^&lt;b&gt;x/);
});
