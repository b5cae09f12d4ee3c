/**
 * One TPE draw: fit the good (`l`) and bad (`g`) Parzen estimators to the split trials, draw
 * candidates from `l`, and return the one maximising `log l(x) − log g(x)` (Optuna 5.0's
 * `_sample` and `_compute_acquisition_func`). The bad side's model is kept up to date
 * incrementally and evaluated with pruning (`./fast/`); both equal the reference.
 *
 * @module
 */
import type { SearchSpace } from "../../core/search_space.ts";
import type { Direction } from "../../core/study.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import type { Rng } from "../../random/rng.ts";
import { hypervolumeWeights } from "../../math/hypervolume.ts";
import {
  buildEstimator,
  observationWeights,
  type ParzenEstimator,
  sampleColumns,
} from "./_kernels.ts";
import { columnsOf } from "./observations.ts";
import type { TpeConfig } from "./options.ts";
import { gammaOf, lossOf } from "./split.ts";
import { aboveEstimator } from "./fast/_above.ts";
import { withArena } from "./fast/_arena.ts";
import { argmaxAcquisition } from "./fast/_argmax.ts";
import { logPdfColumns } from "./fast/_evaluate.ts";
import { historyOf, infeasibilityOf, stateCodes } from "./fast/_history.ts";
import { observations } from "./fast/_observations.ts";
import { splitMaskMemo } from "./fast/_split.ts";
import type { TpeWorkspace } from "./fast/workspace.ts";

// -------------------------------------------------------------------------------------
// sampling
// -------------------------------------------------------------------------------------

/** The good and bad estimators for a search space, from the used trials. */
export function buildEstimators(
  ws: TpeWorkspace,
  cfg: TpeConfig,
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  space: SearchSpace,
): { readonly below: ParzenEstimator; readonly above: ParzenEstimator } {
  const names = Object.keys(space);
  const ev = ws.evaluation, alloc = ev.alloc;
  const codes = stateCodes(ws.history, trials);
  let n = 0;
  for (let i = 0; i < trials.length; i++) if (codes[i] !== 0) n++;
  const history = historyOf(ws.history, trials);
  const infos = history.infos;
  const nBelow = gammaOf(cfg.gamma, n, directions.length);
  const mask = splitMaskMemo(ws.split, trials, directions, nBelow, history, alloc);
  const params = {
    priorWeight: cfg.priorWeight,
    considerMagicClip: cfg.considerMagicClip,
    considerEndpoints: cfg.considerEndpoints,
  };
  const lo = observations(ws.observations, trials, names, space, cfg.multivariate, infos, {
    mask,
    side: 1,
  });
  let wBelow: Float64Array;
  if (directions.length > 1) {
    if (cfg.multiObjectiveWeights === "hypervolume") {
      // Optuna 4.x: hypervolume contributions of the feasible good trials, 1e-12 otherwise
      const good = trials.filter((_, i) => mask[i] === 1);
      const feasible = good.map((t) => infeasibilityOf(ws.history, t) <= 0);
      const pts = good.filter((_, i) => feasible[i]).map((t) =>
        directions.map((_, k) => lossOf(t, directions, k))
      );
      const hw = hypervolumeWeights(pts);
      const all = new Float64Array(good.length).fill(1e-12);
      let q = 0;
      feasible.forEach((f, i) => {
        if (f) all[i] = pts.length <= 1 ? 1 : hw[q++]!;
      });
      wBelow = Float64Array.from(all.filter((_, i) => lo.used[i]));
    } else {
      wBelow = alloc.f64(lo.n).fill(1);
    }
  } else {
    wBelow = observationWeights(cfg.weights, lo.n, alloc);
  }
  const below = buildEstimator(
    columnsOf(lo.entries, names.length, alloc),
    lo.n,
    names,
    space,
    wBelow,
    params,
    ev,
  );
  const hi = observations(ws.observations, trials, names, space, cfg.multivariate, infos, {
    mask,
    side: 0,
    lineage: true,
  });
  const above = aboveEstimator(
    ev,
    ws.above,
    `above\u0002${hi.key}`,
    hi.list,
    hi.entries,
    names,
    space,
    observationWeights(cfg.weights, hi.n, alloc),
    params,
  );
  return { below, above };
}

/** `log l(x) − log g(x)` at points given as columns in the space's order. */
export function acquisition(
  ws: TpeWorkspace,
  est: { readonly below: ParzenEstimator; readonly above: ParzenEstimator },
  cols: ReadonlyArray<Float64Array>,
  m: number,
  exact = false,
): Float64Array {
  const l = new Float64Array(m), g = new Float64Array(m);
  logPdfColumns(est.below, cols, m, l, { exact, evaluation: ws.evaluation });
  logPdfColumns(est.above, cols, m, g, { exact, evaluation: ws.evaluation });
  for (let j = 0; j < m; j++) l[j] = l[j]! - g[j]!;
  return l;
}

/**
 * One TPE draw over `space`: fit l and g, draw `nEiCandidates` candidates from l, return the
 * one maximising `log l − log g` (first on ties) as internal values by name.
 */
export function sampleTpe(
  ws: TpeWorkspace,
  cfg: TpeConfig,
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  space: SearchSpace,
  rng: Rng,
): Record<string, number> {
  const names = Object.keys(space);
  return withArena(ws.evaluation, () => {
    const est = buildEstimators(ws, cfg, trials, directions, space);
    const m = cfg.nEiCandidates;
    const cols = sampleColumns(est.below, rng, m, ws.evaluation.alloc);
    const best = argmaxAcquisition(est.below, est.above, cols, m, ws.evaluation);
    const out: Record<string, number> = {};
    names.forEach((name, d) => out[name] = cols[d]![best]!);
    return out;
  });
}
