import assert from "node:assert/strict";
import fc from "fast-check";
import { hypervolumeHistory, hypervolumeHistoryFigure } from "../../lib/plots/mod.ts";
import { hypervolume } from "../../lib/math/hypervolume.ts";
import { ok, t } from "./_trials.ts";

Deno.test("hypervolume history: grows with feasible non-dominated points inside the reference", () => {
  const plot = ok(hypervolumeHistory({
    trials: [
      t(0, { values: [1, 1] }),
      t(1, { state: "FAIL", values: null }),
      t(2, { values: [0, 0], constraints: [3] }),
      t(3, { values: [3, 0] }), // outside the reference point
      t(4, { values: [0.5, 1.5] }),
      t(5, { values: [1, 1] }), // duplicate: nothing added
    ],
    directions: ["minimize", "minimize"],
  }, [2, 2]));
  assert.deepEqual(plot.points, [
    { number: 0, value: 1 },
    { number: 2, value: 1 },
    { number: 3, value: 1 },
    { number: 4, value: 1.25 },
    { number: 5, value: 1.25 },
  ]);
  assert.deepEqual(hypervolumeHistoryFigure(plot).data[0]?.y, [1, 1, 1, 1.25, 1.25]);
});

Deno.test("hypervolume history: maximised objectives are oriented; bad input is a Left", () => {
  const plot = ok(
    hypervolumeHistory(
      { trials: [t(0, { values: [3, 1] })], directions: ["maximize", "minimize"] },
      [1, 2],
    ),
  );
  assert.deepEqual(plot.points[0]?.value, 2);
  assert.equal(hypervolumeHistory({ trials: [], directions: ["minimize"] }, [1])._tag, "Left");
  const bad = hypervolumeHistory({ trials: [], directions: ["minimize", "minimize"] }, [1]);
  assert.match(bad._tag === "Left" ? bad.left.message : "", /'referencePoint'/);
});

Deno.test("property: each value is the hypervolume of all feasible points so far", () => {
  const pt = fc.tuple(
    fc.integer({ min: 0, max: 10 }),
    fc.integer({ min: 0, max: 10 }),
    fc.integer({ min: 0, max: 10 }),
  );
  fc.assert(
    fc.property(fc.array(pt, { maxLength: 25 }), (pts) => {
      const ref = [8, 8, 8];
      const trials = pts.map((p, i) => t(i, { values: p }));
      const plot = ok(
        hypervolumeHistory({ trials, directions: ["minimize", "minimize", "minimize"] }, ref),
      );
      plot.points.forEach((p, i) => {
        const inside = pts.slice(0, i + 1).filter((q) => q.every((v, k) => v <= ref[k]!));
        assert.ok(Math.abs(p.value - (inside.length ? hypervolume(inside, ref) : 0)) < 1e-9);
      });
    }),
    { numRuns: 60 },
  );
});
