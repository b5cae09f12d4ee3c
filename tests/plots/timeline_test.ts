import assert from "node:assert/strict";
import { timeline, timelineFigure } from "../../lib/plots/mod.ts";
import { t } from "./_trials.ts";

Deno.test("timeline: bars from start to end; WAITING and unfinished trials get small bars", () => {
  const trials = [
    t(0, { start: 0, complete: 4000 }),
    t(1, { state: "FAIL", values: null, start: 1000, complete: null }),
    t(2, { state: "WAITING", values: null, start: null, complete: null }),
    t(3, { values: [1], start: 2000, complete: 3000, constraints: [1] }),
  ];
  const plot = timeline({ trials, directions: ["minimize"] }, { now: 99_000 });
  assert.deepEqual(plot.bars.map((b) => [b.number, b.start, b.end, b.infeasible]), [
    [0, 0, 4000, false],
    [1, 1000, 2000, false],
    [2, 4000, 5000, false],
    [3, 2000, 3000, true],
  ]);
  const fig = timelineFigure(plot);
  assert.deepEqual(fig.data.map((d) => d.name), ["INFEASIBLE", "COMPLETE", "FAIL", "WAITING"]);
  assert.deepEqual(fig.data[1]?.base, ["1970-01-01T00:00:00.000Z"]);
  assert.equal(timeline({ trials, directions: ["minimize"] }, { nRecentTrials: 1 }).bars.length, 1);
});

Deno.test("timeline: a RUNNING trial runs to now while it is recent", () => {
  const trials = [
    t(0, { start: 0, complete: 1000 }),
    t(1, { state: "RUNNING", values: null, start: 2000, complete: null }),
  ];
  assert.equal(timeline({ trials, directions: ["minimize"] }, { now: 5000 }).bars[1]?.end, 6000);
  // stale (5× the longest run has passed): ends at the last completion
  assert.equal(timeline({ trials, directions: ["minimize"] }, { now: 50_000 }).bars[1]?.end, 2000);
});
