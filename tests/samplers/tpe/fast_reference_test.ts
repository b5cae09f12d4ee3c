import assert from "node:assert/strict";
import fc from "fast-check";
import {
  categoricalDistribution,
  type Distribution,
  floatDistribution,
  type FrozenTrial,
  getOrThrow,
  intDistribution,
  rngFromSeed,
  uniform,
} from "../../../mod.ts";
import { parzenLogPdf, parzenSample } from "../../../lib/samplers/tpe/parzen_estimator.ts";
import { buildEstimator, observationWeights } from "../../../lib/samplers/tpe/_kernels.ts";
import { aboveEstimator } from "../../../lib/samplers/tpe/fast/_above.ts";
import { logPdfColumns } from "../../../lib/samplers/tpe/fast/_evaluate.ts";
import { createTpeWorkspace } from "../../../lib/samplers/tpe/fast/workspace.ts";
import type { ParzenEstimator } from "../../../lib/samplers/tpe/parzen_estimator.ts";
import { argmaxAcquisition } from "../../../lib/samplers/tpe/fast/_argmax.ts";
import { startEvaluation } from "../../../lib/samplers/tpe/fast/_cells.ts";
import { prunedPoint1d } from "../../../lib/samplers/tpe/fast/_point1d.ts";
import { prepare } from "../../../lib/samplers/tpe/fast/_prepared.ts";
import { prunedPoint } from "../../../lib/samplers/tpe/fast/_pruned.ts";
import { argmaxNumpy } from "../../../lib/math/numpy.ts";

/** The kinds of parameters a random history draws from. */
const KINDS: ReadonlyArray<Distribution> = [
  getOrThrow(floatDistribution(-3, 5)),
  getOrThrow(floatDistribution(1e-4, 10, { log: true })),
  getOrThrow(floatDistribution(0, 2, { step: 0.25 })),
  getOrThrow(intDistribution(0, 9)),
  getOrThrow(intDistribution(1, 256, { log: true })),
  getOrThrow(categoricalDistribution(["a", "b", "c", "d"])),
];

/** A value of `d` in its internal form from a uniform `u`, clustered when `tight`. */
function valueOf(d: Distribution, u: number, tight: boolean): number {
  const v = tight ? 0.4 + 0.2 * u : u;
  if (d._tag === "CategoricalDistribution") {
    return Math.min(d.choices.length - 1, Math.floor(v * d.choices.length));
  }
  if (d.log && d.step === null) {
    return Math.exp(Math.log(d.low) + v * (Math.log(d.high) - Math.log(d.low)));
  }
  if (d.log) {
    return Math.min(
      d.high,
      Math.round(Math.exp(Math.log(d.low) + v * (Math.log(d.high) - Math.log(d.low)))),
    );
  }
  const x = d.low + v * (d.high - d.low);
  return d.step === null ? x : d.low + Math.round((x - d.low) / d.step) * d.step;
}

const history = fc.record({
  kinds: fc.array(fc.integer({ min: 0, max: KINDS.length - 1 }), { minLength: 1, maxLength: 4 }),
  // small mixtures are evaluated exactly, from 48 components pruned, from 512 with windows
  n: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 500, max: 700 })),
  seed: fc.nat(),
  tight: fc.boolean(),
  priorWeight: fc.constantFrom(0.5, 1, 2),
  considerMagicClip: fc.boolean(),
  considerEndpoints: fc.boolean(),
});

Deno.test("the fast layer's log density equals the reference parzenLogPdf() on random histories", () => {
  fc.assert(
    fc.property(history, (h) => {
      const ws = createTpeWorkspace();
      const space: Record<string, Distribution> = {};
      h.kinds.forEach((k, d) => space[`p${d}`] = KINDS[k]!);
      const names = Object.keys(space);
      const rng = rngFromSeed(h.seed);
      const rows = Array.from({ length: h.n }, () => ({
        row: Float64Array.from(names, (name) => valueOf(space[name]!, uniform(rng), h.tight)),
      }));
      const cols = names.map((_, d) => Float64Array.from(rows, (r) => r.row[d]!));
      const params = {
        priorWeight: h.priorWeight,
        considerMagicClip: h.considerMagicClip,
        considerEndpoints: h.considerEndpoints,
      };
      const weights = observationWeights({ kind: "default" }, h.n);
      // the reference: a plain fit, the log density written out component by component
      const reference = buildEstimator(cols, h.n, names, space, weights, params);
      const m = 12;
      const drawn = parzenSample(reference, rng, m - 2);
      const points: Record<string, number[]> = {};
      names.forEach((name) => {
        const d = space[name]!;
        points[name] = [...drawn[name]!, valueOf(d, 0, false), valueOf(d, 1, false)];
      });
      const want = parzenLogPdf(reference, points);
      const pts = names.map((name) => Float64Array.from(points[name]!));
      // the fast layer: fitted with its extras, exact, pruned, and the incremental bad side
      const fitted = buildEstimator(cols, h.n, names, space, weights, params, ws.evaluation);
      const exact = new Float64Array(m), pruned = new Float64Array(m);
      logPdfColumns(fitted, pts, m, exact, { exact: true, evaluation: ws.evaluation });
      logPdfColumns(fitted, pts, m, pruned, { evaluation: ws.evaluation });
      assert.deepEqual([...exact], [...want]);
      const trials = rows.map((_, k) => ({ number: k }) as unknown as FrozenTrial);
      const above = aboveEstimator(
        ws.evaluation,
        ws.above,
        "t",
        trials,
        rows,
        names,
        space,
        weights,
        params,
      );
      const aboveExact = new Float64Array(m), abovePruned = new Float64Array(m);
      logPdfColumns(above, pts, m, aboveExact, { exact: true, evaluation: ws.evaluation });
      logPdfColumns(above, pts, m, abovePruned, { evaluation: ws.evaluation });
      assert.deepEqual([...aboveExact], [...want]);
      // pruning drops components below exp(−40) of the largest: K·4.3e-18 relative at most
      for (const got of [pruned, abovePruned]) {
        want.forEach((w, j) => {
          const g = got[j]!;
          if (!Number.isFinite(w)) return assert.equal(g, w);
          assert.ok(
            Math.abs(g - w) <= 1e-12 * Math.max(1, Math.abs(w)),
            `point ${j}: ${g} vs ${w}`,
          );
        });
      }
    }),
    { numRuns: 60 },
  );
});

/** A one-dimensional history of each kind, its estimators and points (draws, edges, repeats). */
const oneDim = fc.record({
  kind: fc.integer({ min: 0, max: KINDS.length - 1 }),
  // pruned from 48 components, with windows from 512; exact argmax up to 1024
  n: fc.oneof(fc.integer({ min: 40, max: 120 }), fc.integer({ min: 500, max: 1100 })),
  seed: fc.nat(),
  tight: fc.boolean(),
  incremental: fc.boolean(),
  considerMagicClip: fc.boolean(),
});

function oneDimCase(h: {
  kind: number;
  n: number;
  seed: number;
  tight: boolean;
  incremental: boolean;
  considerMagicClip: boolean;
}) {
  const ws = createTpeWorkspace();
  const space = { p: KINDS[h.kind]! };
  const rng = rngFromSeed(h.seed);
  const rows = Array.from({ length: h.n }, () => ({
    row: Float64Array.of(valueOf(space.p, uniform(rng), h.tight)),
  }));
  const params = {
    priorWeight: 1,
    considerMagicClip: h.considerMagicClip,
    considerEndpoints: false,
  };
  const weights = observationWeights({ kind: "default" }, h.n);
  const trials = rows.map((_, k) => ({ number: k }) as unknown as FrozenTrial);
  const cols = [Float64Array.from(rows, (r) => r.row[0]!)];
  const above = h.incremental
    ? aboveEstimator(ws.evaluation, ws.above, "t", trials, rows, ["p"], space, weights, params)
    : buildEstimator(cols, h.n, ["p"], space, weights, params, ws.evaluation);
  const nb = 25;
  const below = buildEstimator(
    [cols[0]!.slice(0, nb)],
    nb,
    ["p"],
    space,
    observationWeights({ kind: "default" }, nb),
    params,
  );
  // draws from the good side, repeated (stepped and categorical draws repeat anyway), and edges
  const drawn = parzenSample(below, rng, 16).p!;
  const pts = [
    ...drawn,
    ...drawn.slice(0, 6),
    valueOf(space.p, 0, false),
    valueOf(space.p, 1, false),
  ];
  return { ws, below, above, points: [Float64Array.from(pts)], m: pts.length };
}

Deno.test("prunedPoint1d() gives prunedPoint()'s value and upper bound bit for bit", () => {
  fc.assert(
    fc.property(oneDim, (h) => {
      const { ws, above, points, m } = oneDimCase(h);
      const ev = ws.evaluation;
      const P = prepare(ev, above);
      const memos = startEvaluation(ev, P, points, m);
      for (let j = 0; j < m; j++) {
        const want = prunedPoint(ev, P, memos, points, j);
        const wantUpper = ev.lastUpper;
        const got = prunedPoint1d(ev, P, memos, points, j);
        assert.ok(Object.is(got, want), `point ${j}: ${got} vs ${want}`);
        assert.ok(
          Object.is(ev.lastUpper, wantUpper),
          `point ${j}: ${ev.lastUpper} vs ${wantUpper}`,
        );
      }
    }),
    { numRuns: 80 },
  );
});

Deno.test("argmaxAcquisition() over one dimension, each distinct candidate evaluated once, is the argmax of the point-by-point values", () => {
  fc.assert(
    fc.property(oneDim, (h) => {
      const { ws, below, above, points, m } = oneDimCase(h);
      const ev = ws.evaluation;
      // point by point, with the readable pruned evaluation
      const value = (pe: ParzenEstimator, j: number) => {
        const P = prepare(ev, pe);
        const one = [points[0]!.subarray(j, j + 1)];
        return P.K < 48 ? parzenLogPdf(pe, { p: [points[0]![j]!] })[0]! : prunedPoint(
          ev,
          P,
          startEvaluation(ev, P, one, 1),
          one,
          0,
        );
      };
      const a = Float64Array.from({ length: m }, (_, j) => value(below, j) - value(above, j));
      assert.equal(argmaxAcquisition(below, above, points, m, ev), argmaxNumpy(a));
    }),
    { numRuns: 60 },
  );
});
