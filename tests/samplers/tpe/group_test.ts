/**
 * Grouped multivariate TPE (`group: true`) against Python Optuna 5.0 on the same conditional
 * histories (tests/fixtures/tpe/group.json, made by make_group_fixture.py): the groups of the
 * decomposed search space, per group the good and bad trials holding its parameters, the good
 * model's mixture weights and `log l(x) − log g(x)` at fixed points.
 */
import assert from "node:assert/strict";
import type { Direction } from "../../../mod.ts";
import { groupDecomposedSearchSpace } from "../../../lib/core/search_space.ts";
import { acquisition, buildEstimators } from "../../../lib/samplers/tpe/acquisition.ts";
import { observationOf, paramsOf } from "../../../lib/samplers/tpe/observations.ts";
import type { ParamKernels } from "../../../lib/samplers/tpe/_kernels.ts";
import { categoricalProbabilities } from "../../../lib/samplers/tpe/parzen_estimator.ts";
import { gammaOf, splitMask } from "../../../lib/samplers/tpe/split.ts";
import { usedTrials } from "../../../lib/samplers/tpe/fast/_history.ts";
import { createTpeWorkspace } from "../../../lib/samplers/tpe/fast/workspace.ts";
import {
  close,
  type DistJson,
  num,
  readFixture,
  type TrialJson,
  trialsFromJson,
} from "../../_helpers/tpe_fixtures.ts";
import { CONFIG } from "./_helpers.ts";

interface KernelsJson {
  mus?: number[];
  sigmas?: number[];
  probabilities?: number[][];
}

interface GroupJson {
  names: string[];
  below: number[];
  above: number[];
  estimatorBelow: { weights: (number | string)[]; kernels: Record<string, KernelsJson> };
  estimatorAbove: { weights: (number | string)[] };
  points: Record<string, number[]>;
  acquisition: (number | string)[];
}

interface GroupCase {
  name: string;
  space: Record<string, DistJson>;
  trials: TrialJson[];
  current: number;
  nBelow: number;
  groups: GroupJson[];
}

const DIRECTIONS: Direction[] = ["minimize"];

/** The kernels of one parameter equal the fixture's (Optuna's with a stable argsort). */
function sameKernels(k: ParamKernels, e: KernelsJson, what: string): void {
  if (e.probabilities) {
    const rows = categoricalProbabilities(k);
    assert.equal(rows.length, e.probabilities.length, what);
    e.probabilities.forEach((row, i) =>
      row.forEach((p, j) => close(rows[i]![j]!, p, `${what} p[${i}][${j}]`))
    );
    return;
  }
  assert.equal(k._tag, "NumericalKernels", what);
  if (k._tag !== "NumericalKernels") return;
  assert.equal(k.mus.length, e.mus!.length, what);
  e.mus!.forEach((m, i) => close(k.mus[i]!, m, `${what} mu ${i}`));
  e.sigmas!.forEach((v, i) => close(k.sigmas[i]!, v, `${what} sigma ${i}`));
}

const CFG = { ...CONFIG, multivariate: true, constantLiar: true };

for (const c of readFixture<{ cases: GroupCase[] }>("group.json").cases) {
  Deno.test(`tpeSampler({ group: true }) models each group as Optuna 5.0: ${c.name}`, () => {
    const ws = createTpeWorkspace();
    // the fixture's trials, then the current trial (running, no parameters yet)
    const all = trialsFromJson([...c.trials, { params: {}, state: "RUNNING" }], c.space);
    const trials = usedTrials(ws.history, all, c.current, true);
    const groups = groupDecomposedSearchSpace(all, { includePruned: true });
    assert.deepEqual(groups.map((g) => Object.keys(g)), c.groups.map((g) => g.names));
    const n = trials.filter((t) => t.state !== "RUNNING").length;
    assert.equal(gammaOf(CFG.gamma, n, 1), c.nBelow);
    const mask = splitMask(trials, DIRECTIONS, c.nBelow);
    groups.forEach((space, q) => {
      const e = c.groups[q]!, names = Object.keys(space);
      const holding = (side: number) =>
        trials.filter((t, i) =>
          mask[i] === side && observationOf(paramsOf(t, true), names, space) !== null
        ).map((t) => t.number);
      assert.deepEqual(holding(1), e.below, `below of ${names}`);
      assert.deepEqual(holding(0), e.above, `above of ${names}`);
      const est = buildEstimators(ws, CFG, trials, DIRECTIONS, space);
      e.estimatorBelow.weights.forEach((w, k) =>
        close(est.below.weights[k]!, num(w), `${names} below weight ${k}`)
      );
      names.forEach((name, d) =>
        sameKernels(est.below.kernels[d]!, e.estimatorBelow.kernels[name]!, `${name} below`)
      );
      assert.equal(est.above.weights.length, e.estimatorAbove.weights.length);
      const cols = names.map((k) => Float64Array.from(e.points[k]!));
      for (const exact of [true, false]) {
        const acq = acquisition(ws, est, cols, cols[0]!.length, exact);
        e.acquisition.forEach((v, j) => close(acq[j]!, num(v), `${names} acquisition ${j}`));
      }
    });
  });
}
