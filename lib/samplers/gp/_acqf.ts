/**
 * Acquisition functions of Optuna 5.0's `_gp/acqf.py` (private), with their gradients with
 * respect to the point: log expected improvement (`logei`, numerically stable as Optuna's),
 * log probability of feasibility for constraints (`LogPI`), and their sum (`LogCEI`).
 *
 * @module
 */
import { erfc, LOG_SQRT_2PI, logNdtr } from "../../math/special.ts";
import {
  type Gp,
  posteriorMany,
  type PosteriorScratch,
  posteriorScratch,
  posteriorWithGrad,
} from "./_gp.ts";

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_HALF_PI = Math.sqrt(0.5 * Math.PI);
/** Optuna's `stabilizing_noise`. */
const STABILIZING_NOISE = 1e-12;

/** An acquisition function to maximise over normalised points. */
export interface Acqf {
  /** Number of coordinates. */
  readonly dim: number;
  /** Length scales used to precondition the gradient steps (Optuna's `length_scales`). */
  readonly lengthScales: Float64Array;
  /** Values at the `n` points of `xs` (row-major). */
  readonly evalMany: (xs: Float64Array, n: number) => Float64Array;
  /** The value at `x`, writing its gradient into `grad`. */
  readonly evalGrad: (x: Float64Array, grad: Float64Array) => number;
}

/** `erfcx(x) = exp(x²)·erfc(x)` for `x ≥ 17` (asymptotic series; used below `z = −25`). */
function erfcxLarge(x: number): number {
  const inv2x2 = 1 / (2 * x * x);
  let term = 1, sum = 1;
  for (let k = 1; k <= 10; k++) {
    term *= -(2 * k - 1) * inv2x2;
    sum += term;
  }
  return sum / (x * Math.sqrt(Math.PI));
}

/** `log E[max(0, Z + z)]` for a standard normal `Z` (Optuna's `standard_logei`). */
export function standardLogEi(z: number): number {
  if (z >= -25) {
    return Math.log(0.5 * z * erfc(-SQRT_HALF * z) + Math.exp(-0.5 * z * z) * INV_SQRT_2PI);
  }
  return -0.5 * z * z - LOG_SQRT_2PI + Math.log(1 + SQRT_HALF_PI * z * erfcxLarge(-SQRT_HALF * z));
}

/** The derivative of {@link standardLogEi}: `Φ(z) / ei(z)`. */
export function standardLogEiDeriv(z: number): number {
  if (z >= -25) {
    const cdf = 0.5 * erfc(-SQRT_HALF * z);
    return cdf / (z * cdf + Math.exp(-0.5 * z * z) * INV_SQRT_2PI);
  }
  const e = SQRT_HALF_PI * erfcxLarge(-SQRT_HALF * z);
  return e / (1 + z * e);
}

/** `log E[max(0, Y − f0)]` for `Y ~ N(mean, variance)` (Optuna's `logei`). */
export function logEi(mean: number, variance: number, f0: number): number {
  const sigma = Math.sqrt(variance);
  return standardLogEi((mean - f0) / sigma) + Math.log(sigma);
}

/** A term of an acquisition: value and partial derivatives in the posterior mean and variance. */
interface Term {
  readonly gp: Gp;
  readonly scratch: PosteriorScratch;
  /** Value, `∂/∂mean` and `∂/∂variance` at a posterior. */
  readonly at: (mean: number, variance: number) => [number, number, number];
}

/** The log EI term (zero when `f0 = −∞`: no feasible trial yet). */
function eiTerm(gp: Gp, f0: number): Term {
  const at = (mean: number, variance: number): [number, number, number] => {
    if (f0 === -Infinity) return [0, 0, 0];
    const sigma = Math.sqrt(variance + STABILIZING_NOISE);
    const z = (mean - f0) / sigma;
    const h = standardLogEiDeriv(z);
    return [standardLogEi(z) + Math.log(sigma), h / sigma, (1 - z * h) / (2 * sigma * sigma)];
  };
  return { gp, scratch: posteriorScratch(gp), at };
}

/** The log probability of `Y ≥ f0` (Optuna's `LogPI`, a constraint's feasibility). */
function piTerm(gp: Gp, f0: number): Term {
  const at = (mean: number, variance: number): [number, number, number] => {
    const sigma = Math.sqrt(variance + STABILIZING_NOISE);
    const z = (mean - f0) / sigma;
    const logPhi = logNdtr(z);
    const h = Math.exp(-0.5 * z * z - LOG_SQRT_2PI - logPhi); // φ(z)/Φ(z)
    return [logPhi, h / sigma, -z * h / (2 * sigma * sigma)];
  };
  return { gp, scratch: posteriorScratch(gp), at };
}

/** The sum of `terms` as an {@link Acqf}, preconditioned with `lengthScales`. */
function sumOf(terms: ReadonlyArray<Term>, lengthScales: Float64Array): Acqf {
  const dim = terms[0]!.gp.dim;
  const dMean = new Float64Array(dim), dVar = new Float64Array(dim);
  return {
    dim,
    lengthScales,
    evalMany: (xs, n) => {
      const out = new Float64Array(n), means = new Float64Array(n), vars = new Float64Array(n);
      for (const t of terms) {
        posteriorMany(t.gp, xs, n, means, vars);
        for (let r = 0; r < n; r++) out[r] = out[r]! + t.at(means[r]!, vars[r]!)[0];
      }
      return out;
    },
    evalGrad: (x, grad) => {
      grad.fill(0);
      let value = 0;
      for (const t of terms) {
        const { mean, variance } = posteriorWithGrad(t.gp, x, t.scratch, dMean, dVar);
        const [v, am, av] = t.at(mean, variance);
        value += v;
        for (let d = 0; d < dim; d++) grad[d] = grad[d]! + am * dMean[d]! + av * dVar[d]!;
      }
      return value;
    },
  };
}

/** The length scales `1/√isl` of a GP. */
export function lengthScalesOf(gp: Gp): Float64Array {
  return gp.params.isl.map((v) => 1 / Math.sqrt(v));
}

/** Optuna's `LogEI` (maximisation; `f0` the best standardised value). */
export function logEiAcqf(gp: Gp, f0: number): Acqf {
  return sumOf([eiTerm(gp, f0)], lengthScalesOf(gp));
}

/**
 * Optuna's `LogCEI`: log EI of the objective (zero when no trial is feasible, `f0 = −∞`) plus
 * the log probability that each constraint's GP lies above its threshold.
 */
export function logCeiAcqf(
  gp: Gp,
  f0: number,
  constraints: ReadonlyArray<{ readonly gp: Gp; readonly threshold: number }>,
): Acqf {
  const terms = [eiTerm(gp, f0), ...constraints.map((c) => piTerm(c.gp, c.threshold))];
  return sumOf(terms, lengthScalesOf(gp));
}

/** The sum of the log feasibility probabilities of the constraints (Optuna's `LogPI` terms). */
export function logPiSumAcqf(
  constraints: ReadonlyArray<{ readonly gp: Gp; readonly threshold: number }>,
  lengthScales: Float64Array,
): Acqf {
  return sumOf(constraints.map((c) => piTerm(c.gp, c.threshold)), lengthScales);
}

/** `a + b`, with `a`'s length scales. */
export function addAcqf(a: Acqf, b: Acqf): Acqf {
  const gb = new Float64Array(a.dim);
  return {
    dim: a.dim,
    lengthScales: a.lengthScales,
    evalMany: (xs, n) => {
      const va = a.evalMany(xs, n), vb = b.evalMany(xs, n);
      for (let i = 0; i < n; i++) va[i] = va[i]! + vb[i]!;
      return va;
    },
    evalGrad: (x, grad) => {
      const v = a.evalGrad(x, grad) + b.evalGrad(x, gb);
      for (let d = 0; d < a.dim; d++) grad[d] = grad[d]! + gb[d]!;
      return v;
    },
  };
}
