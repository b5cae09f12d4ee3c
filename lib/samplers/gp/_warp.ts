/**
 * Output warping of the GP sampler (private; not in Optuna 5.0, whose `GPSampler` lists it as
 * missing): the standardised objective values pass through the Yeo–Johnson power transform
 * whose exponent maximises the Gaussian likelihood of the transformed values (SciPy's
 * `yeojohnson`, as HEBO warps its outputs), then are standardised again. A long tail of bad
 * values is compressed and the values near the best are spread apart, so that the GP resolves
 * the region it exploits. The exponent is kept in `[0, 2]`, where the transform maps the whole
 * line onto itself: beyond 2 the bad values are squashed into a bounded interval (below 0 the
 * good ones), the GP no longer tells bad from terrible, and a cluster of trials at a local
 * optimum looks like a peak in a flat landscape that the acquisition never leaves.
 *
 * @module
 */

/** The Yeo–Johnson transform of `y` with exponent `lambda`. */
export function yeoJohnson(y: number, lambda: number): number {
  if (y >= 0) {
    return Math.abs(lambda) < 1e-12 ? Math.log1p(y) : (Math.pow(y + 1, lambda) - 1) / lambda;
  }
  const l2 = 2 - lambda;
  return Math.abs(l2) < 1e-12 ? -Math.log1p(-y) : -(Math.pow(1 - y, l2) - 1) / l2;
}

/** `ys` through the transform with `lambda`, with the mean and (population) variance of the result. */
function transformed(
  ys: Float64Array,
  lambda: number,
): { readonly t: Float64Array; readonly mean: number; readonly variance: number } {
  const n = ys.length;
  const t = Float64Array.from(ys, (y) => yeoJohnson(y, lambda));
  let mean = 0;
  for (const v of t) mean += v;
  mean /= n;
  let sq = 0;
  for (const v of t) sq += (v - mean) ** 2;
  return { t, mean, variance: sq / n };
}

/** The log-likelihood of `lambda` (SciPy's `yeojohnson_llf`). */
export function yeoJohnsonLlf(ys: Float64Array, lambda: number): number {
  const n = ys.length;
  const { variance } = transformed(ys, lambda);
  let jac = 0;
  for (const y of ys) jac += Math.sign(y) * Math.log1p(Math.abs(y));
  if (!(variance > 0) || !Number.isFinite(variance)) return -Infinity;
  return -0.5 * n * Math.log(variance) + (lambda - 1) * jac;
}

/** Golden-section maximisation of `f` on `[a, b]`. */
function argmax(f: (x: number) => number, a: number, b: number, tol: number): number {
  const R = 0.6180339887498949;
  let c = b - R * (b - a), d = a + R * (b - a);
  let fc = f(c), fd = f(d);
  while (b - a > tol) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - R * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + R * (b - a);
      fd = f(d);
    }
  }
  return 0.5 * (a + b);
}

/** The exponents searched: those for which the transform is onto (see the module's description). */
const LAMBDA_RANGE = [0, 2] as const;

/**
 * `ys` (standardised) warped by the maximum-likelihood Yeo–Johnson transform and standardised
 * again; `ys` unchanged when they are constant.
 */
export function warpOutputs(ys: Float64Array): Float64Array {
  const lambda = argmax((l) => yeoJohnsonLlf(ys, l), LAMBDA_RANGE[0], LAMBDA_RANGE[1], 1e-4);
  const { t, mean, variance } = transformed(ys, lambda);
  const std = Math.sqrt(variance);
  if (!(std > 1e-10) || !Number.isFinite(std)) return ys;
  return t.map((v) => (v - mean) / std);
}
