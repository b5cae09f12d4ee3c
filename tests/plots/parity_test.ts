/**
 * Plot data against Python Optuna 5.0's own plot-info functions on the recorded studies of
 * `tests/fixtures/importance/studies.json` (`tests/fixtures/plots/make_fixtures.py` wrote
 * `optuna.json`): history and best values, slice points and axis types, the contour grid and
 * its cells, parallel-coordinate dimensions (values, ranges, ticks), the EDF, the hypervolume
 * history and the Pareto front.
 */
import assert from "node:assert/strict";
import { loadStudies } from "../fixtures/importance/compare.ts";
import {
  contourPlot,
  edf,
  hypervolumeHistory,
  optimizationHistory,
  parallelCoordinate,
  paretoFrontPlot,
  slicePlot,
} from "../../lib/plots/mod.ts";
import { ok } from "./_trials.ts";

// deno-lint-ignore no-explicit-any
type Json = any;
const optuna: Record<string, Json> = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/plots/optuna.json", import.meta.url)),
);
const studies = await loadStudies();
const single = studies.filter((s) => s.directions.length === 1);

function close(a: ReadonlyArray<number | null>, b: ReadonlyArray<number | null>, what: string) {
  assert.equal(a.length, b.length, `${what}: length`);
  a.forEach((x, i) => {
    const y = b[i] ?? null;
    if (x === null || y === null) assert.equal(x, y, `${what}[${i}]`);
    else {assert.ok(
        Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)),
        `${what}[${i}]: ${x} vs ${y}`,
      );}
  });
}

Deno.test("history equals Optuna's values and best values", () => {
  for (const st of single) {
    const o = optuna[st.name].history;
    const plot = ok(optimizationHistory(st));
    const byNumber = new Map(plot.points.map((p) => [p.number, p.value]));
    close(o.numbers.map((n: number) => byNumber.get(n) ?? null), o.values, `${st.name} values`);
    close(plot.best!.map((b) => b.value), o.best, `${st.name} best`);
  }
});

Deno.test("slice equals Optuna's points, log and categorical axes", () => {
  for (const st of single) {
    const o: Json[] = optuna[st.name].slice;
    const plot = ok(slicePlot(st));
    assert.deepEqual(plot.panels.map((p) => p.param), o.map((p) => p.param));
    plot.panels.forEach((p, i) => {
      assert.deepEqual(p.points.map((q) => q.number), o[i].numbers);
      assert.deepEqual(p.points.map((q) => q.x), o[i].x);
      close(p.points.map((q) => q.y), o[i].y, `${st.name} ${p.param}`);
      assert.equal(p.xAxis.type === "log", o[i].log, `${st.name} ${p.param} log`);
      assert.equal(p.xAxis.type !== "category", o[i].numerical, `${st.name} ${p.param} numerical`);
    });
  }
});

Deno.test("contour equals Optuna's grid and cell values", () => {
  for (const st of single) {
    const o = optuna[st.name].contour;
    const plot = ok(contourPlot(st, { params: o.params }));
    const p = plot.panels[0]!;
    assert.deepEqual(p.xGrid.map(String), o.x.map((v: unknown) => String(v)));
    assert.deepEqual(p.yGrid.map(String), o.y.map((v: unknown) => String(v)));
    const cells: Array<[number, number, number]> = [];
    p.z.forEach((row, j) => row.forEach((v, i) => v !== null && cells.push([i, j, v])));
    cells.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    assert.deepEqual(cells.map(([i, j]) => [i, j]), o.z.map(([i, j]: number[]) => [i, j]));
    close(cells.map((c) => c[2]), o.z.map((c: number[]) => c[2]), `${st.name} z`);
  }
});

Deno.test("parallel coordinates equal Optuna's dimensions", () => {
  for (const st of single) {
    const o: Json[] = optuna[st.name].parallel;
    const plot = ok(parallelCoordinate(st));
    const dims = [...plot.objectives, ...plot.params];
    assert.deepEqual(dims.map((d) => d.label), o.map((d) => d.label));
    dims.forEach((d, i) => {
      // Optuna reorders lines by numeric categorical values; compare the multisets of values
      const sorted = (x: ReadonlyArray<number>) => [...x].sort((a, b) => a - b);
      close(sorted(d.values), sorted(o[i].values), `${st.name} ${d.label} values`);
      close([...d.range], o[i].range, `${st.name} ${d.label} range`);
      close(d.tickvals, o[i].tickvals, `${st.name} ${d.label} tickvals`);
      assert.deepEqual(d.ticktext, o[i].ticktext, `${st.name} ${d.label} ticktext`);
    });
  }
});

Deno.test("EDF equals Optuna's", () => {
  for (const st of single) {
    const o = optuna[st.name].edf;
    const plot = ok(edf([st]));
    close(plot.x, o.x, `${st.name} x`);
    close(plot.lines[0]!.y, o.y, `${st.name} y`);
  }
});

Deno.test("hypervolume history and Pareto front equal Optuna's", () => {
  const st = studies.find((s) => s.directions.length === 2)!;
  const o = optuna[st.name];
  const hv = ok(hypervolumeHistory(st, o.referencePoint));
  assert.deepEqual(hv.points.map((p) => p.number), o.hypervolume.numbers);
  close(hv.points.map((p) => p.value), o.hypervolume.values, "hypervolume");
  const pf = ok(paretoFrontPlot(st));
  assert.deepEqual(pf.best.map((p) => p.number), o.pareto.best);
  assert.deepEqual(pf.dominated.map((p) => p.number), o.pareto.dominated);
});
