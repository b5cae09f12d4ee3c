/**
 * Warm starting CMA-ES (`get_warm_start_mgd` of the `cmaes` library; Nomura et al., AAAI
 * 2021): the mean, step size and covariance of a promising distribution estimated from the best
 * solutions of a similar task. Private to the CMA-ES sampler.
 *
 * @module
 */
import { symmetricEigen } from "./_linalg.ts";
import type { Solution } from "./_cma.ts";

/** The initial distribution estimated from source solutions. */
export interface WarmStart {
  readonly mean: number[];
  readonly sigma: number;
  /** Row-major covariance. */
  readonly cov: number[];
}

/**
 * The distribution of the top `gamma` fraction of `solutions` (at least one) with prior
 * `alpha²·I`, as `get_warm_start_mgd(solutions, gamma, alpha)`; `undefined` when fewer than
 * one solution is selected.
 */
export function warmStartMgd(
  solutions: ReadonlyArray<Solution>,
  gamma = 0.1,
  alpha = 0.1,
): WarmStart | undefined {
  const sorted = [...solutions].sort((a, b) => a[1] - b[1]);
  const gammaN = Math.floor(sorted.length * gamma);
  if (gammaN < 1) return undefined;
  const n = sorted[0]![0].length;
  const top = sorted.slice(0, gammaN).map(([x]) => x);
  const mean = Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (const x of top) s += x[i]!;
    return s / gammaN;
  });
  const Sigma = new Array<number>(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (const x of top) s += x[i]! * x[j]!;
      Sigma[i * n + j] = (i === j ? alpha ** 2 : 0) + s / gammaN - mean[i]! * mean[j]!;
    }
  }
  let logDet = 0;
  for (const e of symmetricEigen(Sigma, n).values) logDet += Math.log(e);
  const det = Math.exp(logDet);
  return {
    mean,
    sigma: Math.pow(det, 1.0 / 2.0 / n),
    cov: Sigma.map((v) => v / Math.pow(det, 1.0 / n)),
  };
}
