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
