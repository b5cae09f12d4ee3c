/**
 * Learning-rate adaptation of CMA-ES (`CMA(lr_adapt=True)` of the `cmaes` library; Nomura,
 * Akimoto and Ono, GECCO 2023): after each update, the signal-to-noise ratios of the mean and
 * covariance steps set their learning rates. Private to the CMA-ES sampler.
 *
 * @module
 */
import type { CmaState, Decomposition, LrState } from "./_model.ts";
import { norm, symmetricEigen } from "./_linalg.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

const ALPHA = 1.4;
const BETA_MEAN = 0.1;
const BETA_SIGMA = 0.03;
const GAMMA = 0.1;
const SIGMA_MAX = 1e32;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The initial adaptation state of an `n`-dimensional optimizer. */
export function newLrState(n: number): LrState {
  return {
    Emean: new Array(n).fill(0),
    ESigma: new Array(n * n).fill(0),
    Vmean: 0,
    VSigma: 0,
    etaMean: 1,
    etaSigma: 1,
  };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

function clip(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

/** `M X M` for symmetric row-major n×n matrices. */
function sandwich(m: ArrayLike<number>, x: ArrayLike<number>, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += m[i * n + k]! * x[k * n + j]!;
      t[i * n + j] = s;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += t[i * n + k]! * m[k * n + j]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

/** The updated learning rate of one quantity from its SNR estimate. */
function nextEta(eta: number, snr: number, beta: number): number {
  const relative = clip(snr / ALPHA / eta - 1, -1, 1);
  return eta * Math.exp(Math.min(GAMMA * eta, beta) * relative);
}

/**
 * `_lr_adaptation`: given the state before (`old`, with its decomposition and `C^{-1/2}`) and
 * after the plain update (`next`), the state whose mean and covariance steps are scaled by the
 * adapted learning rates.
 */
export function lrAdaptation(
  old: CmaState,
  next: CmaState,
  dec: Decomposition,
  oldInvSqrtC: Float64Array,
): CmaState {
  const n = old.n, lr = old.lr!;
  const dMean = next.mean.map((m, i) => m - old.mean[i]!);
  const oldSigma2 = old.sigma ** 2, sigma2 = next.sigma ** 2;
  const oldSig = dec.C.map((c) => oldSigma2 * c);
  const dSig = next.C.map((c, k) => sigma2 * c - oldSig[k]!);
  const m = oldInvSqrtC.map((v) => v / old.sigma);
  const locMean = Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += m[i * n + k]! * dMean[k]!;
    return s;
  });
  const locSig = Array.from(sandwich(m, dSig, n), (v) => v / Math.sqrt(2));
  const Emean = lr.Emean.map((e, i) => (1 - BETA_MEAN) * e + BETA_MEAN * locMean[i]!);
  const ESigma = lr.ESigma.map((e, i) => (1 - BETA_SIGMA) * e + BETA_SIGMA * locSig[i]!);
  const Vmean = (1 - BETA_MEAN) * lr.Vmean + BETA_MEAN * norm(locMean) ** 2;
  const VSigma = (1 - BETA_SIGMA) * lr.VSigma + BETA_SIGMA * norm(locSig) ** 2;
  const sqEm = norm(Emean) ** 2;
  const snrMean = (sqEm - (BETA_MEAN / (2 - BETA_MEAN)) * Vmean) / (Vmean - sqEm);
  const sqEs = norm(ESigma) ** 2;
  const snrSigma = (sqEs - (BETA_SIGMA / (2 - BETA_SIGMA)) * VSigma) / (VSigma - sqEs);
  const etaMean = Math.min(nextEta(lr.etaMean, snrMean, BETA_MEAN), 1.0);
  const etaSigma = Math.min(nextEta(lr.etaSigma, snrSigma, BETA_SIGMA), 1.0);
  const mean = old.mean.map((v, i) => v + etaMean * dMean[i]!);
  const Sigma = oldSig.map((v, k) => v + etaSigma * dSig[k]!);
  const { values } = symmetricEigen(Sigma, n);
  let logSum = 0;
  for (const e of values) logSum += Math.log(e);
  let sigma = Math.min(Math.exp(logSum / 2.0 / n), SIGMA_MAX);
  const C = Array.from(Sigma, (v) => v / (sigma ** 2));
  sigma *= lr.etaMean / etaMean;
  return {
    ...next,
    mean,
    sigma,
    C,
    lr: { Emean, ESigma, Vmean, VSigma, etaMean, etaSigma },
  };
}
