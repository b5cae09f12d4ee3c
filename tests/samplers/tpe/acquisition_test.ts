/**
 * Multi-objective TPE with three objectives, step by step against Optuna 5.0 on recorded DTLZ2
 * studies (`tests/fixtures/tpe/make_mo3_fixtures.py`): the split, both Parzen estimators, the
 * acquisition at Optuna's candidates and the chosen candidate, univariate and multivariate.
 */
import assert from "node:assert/strict";
import type { Direction } from "../../../mod.ts";
import { acquisition, buildEstimators } from "../../../lib/samplers/tpe/acquisition.ts";
import type { ParzenEstimator } from "../../../lib/samplers/tpe/_kernels.ts";
import { splitTrials } from "../../../lib/samplers/tpe/split.ts";
import { argmaxAcquisition } from "../../../lib/samplers/tpe/fast/_argmax.ts";
import { usedTrials } from "../../../lib/samplers/tpe/fast/_history.ts";
import { createTpeWorkspace } from "../../../lib/samplers/tpe/fast/workspace.ts";
import {
  close,
  distFromJson,
  type DistJson,
  num,
  readFixture,
  type TrialJson,
  trialsFromJson,
} from "../../_helpers/tpe_fixtures.ts";
import { CONFIG } from "./_helpers.ts";

interface EstimatorJson {
  weights: number[];
  mus: Record<string, number[]>;
  sigmas: Record<string, number[]>;
}

interface DrawJson {
  names: string[];
  below: number[];
  above: number[];
  estimatorBelow: EstimatorJson;
  estimatorAbove: EstimatorJson;
  candidates: Record<string, number[]>;
  acquisition: (number | string)[];
  chosenIndex: number;
  chosen: Record<string, number>;
}

interface Mo3Case {
  name: string;
  directions: Direction[];
  space: Record<string, DistJson>;
  trials: TrialJson[];
  nBelow: number;
  draws: DrawJson[];
}

/** The components of an estimator as sorted `μ|σ|w` keys (order-free comparison). */
function componentKeys(
  weights: ArrayLike<number>,
  mus: ReadonlyArray<ArrayLike<number>>,
  sigmas: ReadonlyArray<ArrayLike<number>>,
): string[] {
  const p = (x: number) => x.toPrecision(11);
  return Array.from(
    { length: weights.length },
    (_, i) =>
      `${mus.map((m) => p(m[i]!)).join(",")}|${sigmas.map((s) => p(s[i]!))}|${p(weights[i]!)}`,
  ).sort();
}

function numerical(pe: ParzenEstimator, d: number): { mus: Float64Array; sigmas: Float64Array } {
  const k = pe.kernels[d]!;
  assert.equal(k._tag, "NumericalKernels");
  if (k._tag !== "NumericalKernels") throw new Error("unreachable");
  return k;
}

/** Below: the same components in the same order (observations by trial number, the prior last). */
function sameInOrder(pe: ParzenEstimator, e: EstimatorJson, names: string[], what: string): void {
  assert.equal(pe.weights.length, e.weights.length, `${what} components`);
  e.weights.forEach((w, i) => close(pe.weights[i]!, w, `${what} weight ${i}`));
  names.forEach((name, d) => {
    const k = numerical(pe, d);
    e.mus[name]!.forEach((m, i) => close(k.mus[i]!, m, `${what} ${name} mu ${i}`));
    e.sigmas[name]!.forEach((s, i) => close(k.sigmas[i]!, s, `${what} ${name} sigma ${i}`));
  });
}

/** Above: the same components (the incremental model keeps its own order). */
function sameComponents(pe: ParzenEstimator, e: EstimatorJson, names: string[]): void {
  const ks = names.map((_, d) => numerical(pe, d));
  assert.deepEqual(
    componentKeys(pe.weights, ks.map((k) => k.mus), ks.map((k) => k.sigmas)),
    componentKeys(e.weights, names.map((n) => e.mus[n]!), names.map((n) => e.sigmas[n]!)),
  );
}

const fixture = readFixture<{ cases: Mo3Case[] }>("mo3.json");

for (const c of fixture.cases) {
  Deno.test(`3-objective TPE draw matches Optuna 5.0: ${c.name}`, () => {
    const ws = createTpeWorkspace();
    const trials = usedTrials(ws.history, trialsFromJson(c.trials, c.space), -1, true);
    for (const draw of c.draws) {
      const what = draw.names.length === 1 ? draw.names[0]! : "multivariate";
      const { below, above } = splitTrials(trials, c.directions, c.nBelow);
      assert.deepEqual(below.map((t) => t.number), draw.below, `${what} below`);
      assert.deepEqual(above.map((t) => t.number), draw.above, `${what} above`);
      const space = Object.fromEntries(draw.names.map((k) => [k, distFromJson(c.space[k]!)]));
      const cfg = { ...CONFIG, multivariate: draw.names.length > 1, constantLiar: true };
      const est = buildEstimators(ws, cfg, trials, c.directions, space);
      sameInOrder(est.below, draw.estimatorBelow, draw.names, `${what} below`);
      sameComponents(est.above, draw.estimatorAbove, draw.names);
      const cols = draw.names.map((k) => Float64Array.from(draw.candidates[k]!));
      const m = cols[0]!.length;
      const acq = acquisition(ws, est, cols, m, true);
      draw.acquisition.forEach((v, j) => close(acq[j]!, num(v), `${what} acquisition ${j}`));
      const best = argmaxAcquisition(est.below, est.above, cols, m);
      assert.equal(best, draw.chosenIndex, `${what} chosen candidate`);
      draw.names.forEach((k, d) => assert.equal(cols[d]![best], draw.chosen[k], `${what} ${k}`));
    }
  });
}
