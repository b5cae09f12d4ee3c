import assert from "node:assert/strict";
import fc from "fast-check";
import {
  hypervolume,
  hypervolumeWeights,
  nonDominationRanks,
  nonDominationRanksFlat,
  type Point,
  referencePoint,
  solveHssp,
} from "../../lib/math/hypervolume.ts";
import { hv3dSweep, sweep3d } from "../../lib/math/_hv3d.ts";
import { lexOrder2d } from "../../lib/math/_pareto_fast.ts";

/** Loss vectors on a coarse grid (many ties and duplicates) or spread out, with infinities. */
const points = (k: number, min = 1) =>
  fc.array(
    fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 6 }),
        fc.double({ min: -5, max: 5, noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(Infinity, -0),
      ),
      { minLength: k, maxLength: k },
    ),
    { minLength: min, maxLength: 60 },
  );

Deno.test("nonDominationRanks(): the O(n log n) 2-D ranks equal the front-peeling reference", () => {
  fc.assert(
    fc.property(points(2), fc.option(fc.integer({ min: 1, max: 70 })), (pts, nBelow) => {
      const b = nBelow ?? undefined;
      assert.deepEqual(nonDominationRanks(pts, b), nonDominationRanks(pts, b, false));
    }),
    { numRuns: 500 },
  );
});

Deno.test("nonDominationRanks(): ranks of 2-D points with NaN use the reference", () => {
  const pts = [[1, NaN], [0, 2], [2, 0], [NaN, NaN]];
  assert.deepEqual(nonDominationRanks(pts), nonDominationRanks(pts, undefined, false));
});

/** The tie-break input of the split: one front's points, a subset size and its reference. */
function hsspCase(k: number) {
  return points(k, 2).chain((pts) =>
    fc.record({
      pts: fc.constant(pts as Point[]),
      subset: fc.integer({ min: 1, max: pts.length }),
      finite: fc.boolean(),
    })
  );
}

for (const k of [2, 3, 4]) {
  Deno.test(`solveHssp(): the fast ${k}-objective selection equals the reference`, () => {
    fc.assert(
      fc.property(hsspCase(k), ({ pts, subset, finite }) => {
        const used = finite ? pts.map((p) => p.map((v) => Number.isFinite(v) ? v : 7)) : pts;
        const idx = used.map((_, i) => 100 + i);
        const ref = referencePoint(used);
        assert.deepEqual(
          solveHssp(used, idx, subset, ref),
          solveHssp(used, idx, subset, ref, false),
        );
      }),
      { numRuns: k === 2 ? 500 : 150 },
    );
  });
}

Deno.test("solveHssp(): lazy 3-objective selection equals the reference on a real front", () => {
  // points on the sphere's positive octant: one non-dominated front, as the split's tie-break
  const rnd = fc.sample(fc.double({ min: 0.01, max: 1, noNaN: true }), { numRuns: 120, seed: 3 });
  const pts: number[][] = [];
  for (let i = 0; i + 2 < rnd.length; i += 3) {
    const [a, b, c] = [rnd[i]!, rnd[i + 1]!, rnd[i + 2]!];
    const r = Math.hypot(a, b, c);
    pts.push([a / r, b / r, c / r]);
  }
  const idx = pts.map((_, i) => i);
  const ref = referencePoint(pts);
  for (const subset of [1, 5, 17, 39]) {
    assert.deepEqual(solveHssp(pts, idx, subset, ref), solveHssp(pts, idx, subset, ref, false));
  }
});

/** Finite loss vectors of `k` objectives: a coarse grid (ties, duplicates, −0) or spread out. */
const finitePoints = (k: number, max = 40) =>
  fc.array(
    fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 4 }),
        fc.double({ min: -5, max: 5, noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(-0, 1e300, -1e300),
      ),
      { minLength: k, maxLength: k },
    ),
    { minLength: 0, maxLength: max, size: "max" },
  );

for (const k of [3, 4]) {
  Deno.test(`hypervolume(): the flat ${k}-objective WFG equals the reference bit for bit`, () => {
    fc.assert(
      fc.property(finitePoints(k), fc.boolean(), (pts, own) => {
        const ref = own && pts.length ? referencePoint(pts) : Array(k).fill(6);
        const inside = pts.filter((p) => p.every((v, d) => v <= ref[d]!));
        assert.ok(Object.is(hypervolume(inside, ref), hypervolume(inside, ref, false)));
      }),
      { numRuns: k === 3 ? 300 : 60 },
    );
  });
}

Deno.test("hypervolume(): 3-objective points with infinities or a non-finite ref use the reference", () => {
  fc.assert(
    fc.property(points(3), (pts) => {
      const ref = referencePoint(pts);
      assert.ok(Object.is(hypervolume(pts, ref), hypervolume(pts, ref, false)));
      assert.equal(hypervolume(pts, [1, Infinity, 1]), Infinity);
    }),
    { numRuns: 200 },
  );
});

Deno.test("hypervolumeWeights(): 3-objective contributions equal the reference bit for bit", () => {
  fc.assert(
    fc.property(finitePoints(3, 30), (pts) => {
      assert.deepEqual(hypervolumeWeights(pts), hypervolumeWeights(pts, false));
    }),
    { numRuns: 200 },
  );
});

Deno.test("hypervolume(): a known 3-objective volume (unit cubes overlapping)", () => {
  // [0,2]³ minus [1,2]³ covered by (1,0,0), (0,1,0), (0,0,1): 8 − 1 = 7
  assert.equal(hypervolume([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [2, 2, 2]), 7);
});

Deno.test("hv3dSweep(): the quick 3-objective estimate equals the WFG volume up to rounding", () => {
  const sw = sweep3d(2);
  fc.assert(
    fc.property(finitePoints(3, 40), (raw) => {
      const pts = raw.map((p) => p.map((v) => Math.abs(v) > 10 ? 3 : v));
      const ref = pts.length ? referencePoint(pts).map((r) => r + 1) : [1, 1, 1];
      const exact = hypervolume(pts, ref, false);
      const est = hv3dSweep(sw, pts, ref);
      assert.ok(Math.abs(est - exact) <= 1e-12 * Math.max(1, Math.abs(exact)), `${est} ${exact}`);
    }),
    { numRuns: 300 },
  );
});

for (const k of [3, 4]) {
  Deno.test(`nonDominationRanksFlat(): the flat ${k}-objective ranks equal the front-peeling reference`, () => {
    fc.assert(
      fc.property(points(k), fc.option(fc.integer({ min: 1, max: 70 })), (pts, nBelow) => {
        const b = nBelow ?? undefined;
        const flat = Float64Array.from(pts.flat());
        assert.deepEqual(
          nonDominationRanksFlat(flat, pts.length, k, b),
          nonDominationRanks(pts, b, false),
        );
      }),
      { numRuns: 300 },
    );
  });
}

Deno.test("nonDominationRanksFlat(): 2-D ranks from a remembered order equal the reference along growing and changed lists", () => {
  // successive lists as a study's splits see them: mostly the previous points plus new ones,
  // sometimes a list that changed inside (a trial dropped or changed), or a shorter one
  const step = fc.record({
    added: points(2, 0),
    change: fc.option(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 6 }) })),
    drop: fc.boolean(),
  });
  fc.assert(
    fc.property(
      fc.array(step, { minLength: 1, maxLength: 8 }),
      fc.option(fc.nat(70)),
      (steps, nb) => {
        const memo = { last: undefined }, orders = { last: undefined };
        let pts: Point[] = [];
        for (const s of steps) {
          pts = [...pts, ...s.added];
          if (s.change && pts.length > 0) {
            const at = s.change.at % pts.length;
            pts[at] = [s.change.value, pts[at]![1]!];
          }
          if (s.drop && pts.length > 0) pts = pts.slice(1);
          if (pts.length === 0) continue;
          const b = nb === null ? undefined : nb + 1;
          const flat = Float64Array.from(pts.flat());
          assert.deepEqual(
            nonDominationRanksFlat(flat, pts.length, 2, b, memo),
            nonDominationRanks(pts, b, false),
          );
          assert.deepEqual(lexOrder2d(flat, pts.length, orders), lexOrder2d(flat, pts.length));
        }
      },
    ),
    { numRuns: 300 },
  );
});
