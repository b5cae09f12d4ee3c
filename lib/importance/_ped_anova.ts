/**
 * Optuna's PED-ANOVA (private, `optuna/importance/_ped_anova/`): the Pearson divergence between
 * the distribution of a parameter in the top-quantile trials and in the region (all or a
 * quantile of) trials, each a Scott-bandwidth Parzen estimator on a grid.
 *
 * @module
 */
import type { Distribution } from "../core/distributions.ts";
import { isSingle } from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { logGaussMass } from "../math/special.ts";

/** Optuna's grid size for numerical parameters. */
const N_STEPS = 50;
const PRIOR_WEIGHT = 1.0;
const MIN_TRIALS_IN_REGIME = 2;

function countNumerical(
  name: string,
  dist: Exclude<Distribution, { _tag: "CategoricalDistribution" }>,
  trials: ReadonlyArray<FrozenTrial>,
): number[] {
  let n = N_STEPS;
  if (dist._tag === "IntDistribution" && dist.log) {
    n = Math.min(Math.ceil(Math.log(dist.high - dist.low + 1) / Math.log(2)) + 1, n);
  } else if (dist.step !== null) {
    n = Math.min(Math.round((dist.high - dist.low) / dist.step) + 1, n);
  }
  const tr = (v: number) => dist.log ? Math.log(v) : v;
  const low = tr(dist.low), high = tr(dist.high);
  const stepSize = (high - low) / (n - 1);
  const counts = new Array<number>(n).fill(0);
  for (const t of trials) {
    const v = tr(Number(t.params[name]));
    const i = Math.min(n - 1, Math.max(0, Math.ceil((v - low) / stepSize - 0.5)));
    counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

function countCategorical(
  name: string,
  dist: Extract<Distribution, { _tag: "CategoricalDistribution" }>,
  trials: ReadonlyArray<FrozenTrial>,
): number[] {
  const counts = new Array<number>(dist.choices.length).fill(0);
  for (const t of trials) {
    const i = dist.choices.findIndex((c) => Object.is(c, t.params[name] as ParamValue));
    if (i >= 0) counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

/** The pdf on the grid `0..size-1` of the Scott Parzen estimator of `counts`. */
function gridPdf(counts: ReadonlyArray<number>, categorical: boolean): number[] {
  const size = counts.length;
  const obs = counts.flatMap((c, i) => c > 0 ? [i] : []);
  const w = obs.map((i) => counts[i] as number);
  if (obs.length === 0) return new Array<number>(size).fill(1 / size);
  const total = w.reduce((a, b) => a + b, 0) + PRIOR_WEIGHT;
  const mix = [...w, PRIOR_WEIGHT].map((x) => x / total);
  return categorical ? categoricalPdf(obs, mix, size) : numericalPdf(obs, w, mix, size);
}

function categoricalPdf(obs: ReadonlyArray<number>, mix: ReadonlyArray<number>, size: number) {
  const nKernels = obs.length + 1;
  return Array.from({ length: size }, (_, x) => {
    let p = 0;
    for (let k = 0; k < nKernels; k++) {
      const row = Array.from(
        { length: size },
        (_, c) => PRIOR_WEIGHT / nKernels + (obs[k] === c ? 1 : 0),
      );
      const sum = row.reduce((a, b) => a + b, 0);
      p += (mix[k] as number) * (row[x] as number) / (sum === 0 ? 1 : sum);
    }
    return p;
  });
}

function scottSigma(obs: ReadonlyArray<number>, w: ReadonlyArray<number>): number {
  const cum: number[] = [];
  w.reduce((a, b, i) => (cum[i] = a + b), 0);
  const sum = cum[cum.length - 1] as number;
  const mean = obs.reduce((a, o, i) => a + o * (w[i] as number), 0) / sum;
  const sd = Math.sqrt(
    obs.reduce((a, o, i) => a + (o - mean) ** 2 * (w[i] as number), 0) / Math.max(1, sum - 1),
  );
  const q1 = cum.findIndex((c) => c >= Math.floor(sum / 4));
  const q3raw = cum.findIndex((c) => c > Math.floor(sum * 3 / 4));
  const q3 = q3raw < 0 ? cum.length : q3raw;
  const iqr = (obs[Math.min(obs.length - 1, q3)] as number) -
    (obs[q1 < 0 ? cum.length : q1] as number);
  return 1.059 * Math.min(iqr / 1.34, sd) * sum ** -0.2;
}

function numericalPdf(
  obs: ReadonlyArray<number>,
  w: ReadonlyArray<number>,
  mix: ReadonlyArray<number>,
  size: number,
): number[] {
  const low = 0, high = size - 1;
  const sigma = Math.max(scottSigma(obs, w), 0.5 / 1.64);
  const mus = [...obs, (low + high) / 2];
  const sigmas = [...obs.map(() => sigma), high - low + 1];
  return Array.from({ length: size }, (_, x) => {
    let p = 0;
    mus.forEach((mu, k) => {
      const s = sigmas[k] as number;
      const logMass = logGaussMass((x - 0.5 - mu) / s, (x + 0.5 - mu) / s) -
        logGaussMass((low - 0.5 - mu) / s, (high + 0.5 - mu) / s);
      p += (mix[k] as number) * Math.exp(logMass);
    });
    return p;
  });
}

function pdfOf(name: string, dist: Distribution, trials: ReadonlyArray<FrozenTrial>): number[] {
  return dist._tag === "CategoricalDistribution"
    ? gridPdf(countCategorical(name, dist, trials), true)
    : gridPdf(countNumerical(name, dist, trials), false);
}

function pearsonDivergence(
  name: string,
  dist: Distribution,
  top: ReadonlyArray<FrozenTrial>,
  region: ReadonlyArray<FrozenTrial>,
  evaluateOnLocal: boolean,
): number {
  const pTop = pdfOf(name, dist, top).map((p) => p + 1e-12);
  const pLocal = evaluateOnLocal
    ? pdfOf(name, dist, region).map((p) => p + 1e-12)
    : pTop.map(() => 1 / pTop.length);
  return pLocal.reduce((a, q, i) => a + q * ((pTop[i] as number) / q - 1) ** 2, 0);
}

/** The trials of each distinct distribution of `name` (regimes of at least 2 trials). */
function regimes(name: string, trials: ReadonlyArray<FrozenTrial>) {
  const groups = new Map<string, { dist: Distribution | undefined; trials: FrozenTrial[] }>();
  for (const t of trials) {
    const d = t.distributions[name];
    const key = JSON.stringify(d ?? null);
    const g = groups.get(key) ?? { dist: d, trials: [] };
    g.trials.push(t);
    groups.set(key, g);
  }
  return [...groups.values()].filter((g) => g.trials.length >= MIN_TRIALS_IN_REGIME);
}

/** PED-ANOVA importance of each of `params` (top ⊆ region trials). */
export function pedAnovaImportances(
  params: ReadonlyArray<string>,
  top: ReadonlyArray<FrozenTrial>,
  region: ReadonlyArray<FrozenTrial>,
  evaluateOnLocal: boolean,
): Record<string, number> {
  const topIds = new Set(top.map((t) => t.trialId));
  const quantile = top.length / region.length;
  const out: Record<string, number> = {};
  for (const name of params) {
    let sum = 0;
    for (const g of regimes(name, region)) {
      const topRegime = g.trials.filter((t) => topIds.has(t.trialId));
      if (g.dist === undefined || isSingle(g.dist) || topRegime.length === 0) continue;
      const alpha = topRegime.length / top.length, beta = g.trials.length / region.length;
      sum += alpha ** 2 / beta *
        pearsonDivergence(name, g.dist, topRegime, g.trials, evaluateOnLocal);
    }
    out[name] = sum * quantile ** 2;
  }
  return out;
}

/** Optuna's `_QuantileFilter`: trials whose loss is at most the `quantile` cut-off. */
export function topQuantile(
  trials: ReadonlyArray<FrozenTrial>,
  losses: ReadonlyArray<number>,
  quantile: number,
): ReadonlyArray<FrozenTrial> {
  if (quantile === 1) return trials;
  const sorted = [...losses].sort((a, b) => a - b);
  const cut = sorted[Math.ceil(quantile * losses.length) - 1] as number;
  return trials.filter((_, i) => (losses[i] as number) <= cut);
}
