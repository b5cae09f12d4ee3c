/**
 * Special functions of the normal distribution, shared by the random draws, the samplers and
 * the pruners: the error function (W. J. Cody's rational Chebyshev approximations), the
 * standard normal CDF Φ (`ndtr`, SciPy's branch structure over that erf), its logarithm,
 * quantile functions, and log-space helpers. Each formula is written so that the results equal
 * the ones the Optuna-parity fixtures were recorded with, bit for bit; do not "simplify" one
 * into another (`normalCdf` and `ndtr` are both Φ but round differently, and the TPE sampler's
 * draws depend on which one is used where).
 *
 * SciPy's own (Cephes) `erf` and `ndtr`, which the pruners need bit for bit, are in
 * `./cephes.ts`.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// error function and normal CDF
// -------------------------------------------------------------------------------------

/**
 * The standard normal CDF, Φ(x).
 *
 * @category utils
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * The complementary error function (W. J. Cody's rational Chebyshev approximations).
 *
 * @category utils
 */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y < 0.5) return 1 - erf(x);
  let r: number;
  if (y < 4) {
    let num = ERFC_C[8] * y, den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERFC_C[i]!) * y;
      den = (den + ERFC_D[i]!) * y;
    }
    r = (num + ERFC_C[7]) / (den + ERFC_D[7]);
  } else {
    const ysq = 1 / (y * y);
    let num = ERFC_P[5] * ysq, den = ysq;
    for (let i = 0; i < 4; i++) {
      num = (num + ERFC_P[i]!) * ysq;
      den = (den + ERFC_Q[i]!) * ysq;
    }
    r = ysq * (num + ERFC_P[4]) / (den + ERFC_Q[4]);
    r = (0.56418958354775628695 - r) / y;
  }
  // exp(-y²) split to keep precision
  const ysq16 = Math.trunc(y * 16) / 16;
  const del = (y - ysq16) * (y + ysq16);
  r = Math.exp(-ysq16 * ysq16) * Math.exp(-del) * r;
  return x < 0 ? 2 - r : r;
}

const ERFC_C = [
  5.64188496988670089e-1,
  8.88314979438837594,
  6.61191906371416295e1,
  2.98635138197400131e2,
  8.81952221241769090e2,
  1.71204761263407058e3,
  2.05107837782607147e3,
  1.23033935479799725e3,
  2.15311535474403846e-8,
] as const;
const ERFC_D = [
  1.57449261107098347e1,
  1.17693950891312499e2,
  5.37181101862009858e2,
  1.62138957456669019e3,
  3.29079923573345963e3,
  4.36261909014324716e3,
  3.43936767414372164e3,
  1.23033935480374942e3,
] as const;
const ERFC_P = [
  3.05326634961232344e-1,
  3.60344899949804439e-1,
  1.25781726111229246e-1,
  1.60837851487422766e-2,
  6.58749161529837803e-4,
  1.63153871373020978e-2,
] as const;
const ERFC_Q = [
  2.56852019228982242,
  1.87295284992346725,
  5.27905102951428412e-1,
  6.05183413124413191e-2,
  2.33520497626869185e-3,
] as const;
const ERF_A = [
  3.16112374387056560,
  1.13864154151050156e2,
  3.77485237685302021e2,
  3.20937758913846947e3,
  1.85777706184603153e-1,
] as const;
const ERF_B = [
  2.36012909523441209e1,
  2.44024637934444173e2,
  1.28261652607737228e3,
  2.84423683343917062e3,
] as const;

/**
 * The error function.
 *
 * @category utils
 */
export function erf(x: number): number {
  if (Math.abs(x) >= 0.5) return 1 - erfc(x);
  const ysq = x * x;
  let num = ERF_A[4] * ysq, den = ysq;
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_A[i]!) * ysq;
    den = (den + ERF_B[i]!) * ysq;
  }
  return x * (num + ERF_A[3]) / (den + ERF_B[3]);
}

/**
 * The inverse of the standard normal CDF (Acklam's approximation refined by one Halley step).
 *
 * @category utils
 */
export function normalPpf(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -3.969683028665376e1,
    2.209460984245205e2,
    -2.759285104469687e2,
    1.383577518672690e2,
    -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1,
    1.615858368580409e2,
    -1.556989798598866e2,
    6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3,
    -3.223964580411365e-1,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x = (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  // Halley refinement (none when already exact, or when 1/φ(x) overflows: |x| > 37.6)
  const e = normalCdf(x) - p;
  if (e === 0) return x;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(x * x / 2);
  if (!Number.isFinite(u)) return x;
  return x - u / (1 + x * u / 2);
}

// -------------------------------------------------------------------------------------
// log-space normal CDF and quantiles
// -------------------------------------------------------------------------------------

/** `log(sqrt(2π))`. */
export const LOG_SQRT_2PI: number = 0.5 * Math.log(2 * Math.PI);

const SQRT1_2 = Math.SQRT1_2;

// -------------------------------------------------------------------------------------
// normal CDF in log space
// -------------------------------------------------------------------------------------

/**
 * Φ(a) with SciPy's `ndtr` branch structure (relative precision in both tails) over
 * {@link erf}.
 *
 * @category utils
 */
export function ndtr(a: number): number {
  const x = a * SQRT1_2;
  if (x < -SQRT1_2) return 0.5 * erfc(-x);
  if (x < SQRT1_2) return 0.5 + 0.5 * erf(x);
  return 1 - 0.5 * erfc(x);
}

/** `0.5 + 0.5·erf(a/√2)`: Φ(a) as the central-interval formula computes it. */
function ndtrCentral(a: number): number {
  return 0.5 + 0.5 * erf(a * SQRT1_2);
}

/** log Φ(a), accurate in both tails (asymptotic series below −20). */
export function logNdtr(a: number): number {
  if (a > 6) return -ndtr(-a);
  if (a > -20) return Math.log(ndtr(a));
  if (a === -Infinity) return -Infinity;
  const logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
  let last = 0, rhs = 1, numerator = 1, denomFactor = 1, sign = 1;
  const denomCons = 1 / (a * a);
  for (let i = 1; Math.abs(last - rhs) > Number.EPSILON; i++) {
    last = rhs;
    sign = -sign;
    denomFactor *= denomCons;
    numerator *= 2 * i - 1;
    rhs += sign * numerator * denomFactor;
  }
  return logLhs + Math.log(rhs);
}

/** `log(exp(p) − exp(q))` for `p ≥ q`. */
function logDiff(p: number, q: number): number {
  return p + Math.log1p(-Math.exp(q - p));
}

/** `log(exp(p) + exp(q))`. */
export function logAddExp(p: number, q: number): number {
  if (p === -Infinity) return q;
  if (q === -Infinity) return p;
  return p > q ? p + Math.log1p(Math.exp(q - p)) : q + Math.log1p(Math.exp(p - q));
}

/** log of the standard Gaussian mass on `[a, b]` (−∞ when `a = b`). */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
  // Φ(−9) < 1.2e-19: a tail that far out does not change log1p(−Φ(a) − Φ(−b)) in double
  // precision beyond 1e-19, so skip its evaluation
  if (b >= 9) return a <= -9 ? 0 : Math.log1p(-ndtrCentral(a));
  if (a <= -9) return Math.log1p(-ndtrCentral(-b));
  return Math.log1p(-ndtrCentral(a) - ndtrCentral(-b));
}

// -------------------------------------------------------------------------------------
// truncated normal quantiles
// -------------------------------------------------------------------------------------

/** x with log Φ(x) = y (y ≤ 0). */
export function ndtriExp(y: number): number {
  if (y >= 0) return Infinity;
  if (y === -Infinity) return -Infinity;
  if (y > -1e-2) {
    // Φ(x) close to 1: invert the upper tail 1 − Φ(x) = −expm1(y) to keep precision
    return -normalPpf(-Math.expm1(y));
  }
  let x: number;
  if (y > -700) {
    x = normalPpf(Math.exp(y));
    if (x > -30) return x;
  } else {
    x = -Math.sqrt(-2 * (y + LOG_SQRT_2PI));
  }
  // far lower tail: Newton on log Φ
  for (let i = 0; i < 100; i++) {
    const lx = logNdtr(x);
    const dx = (lx - y) * Math.exp(lx + 0.5 * x * x + LOG_SQRT_2PI);
    x -= dx;
    if (Math.abs(dx) < 1e-14 * Math.abs(x)) break;
  }
  return x;
}

/**
 * The `q`-quantile of the standard normal truncated to `[a, b]`, given `logMass` =
 * {@link logGaussMass}`(a, b)`.
 */
export function truncnormPpf(q: number, a: number, b: number, logMass: number): number {
  if (q <= 0) return a;
  if (q >= 1) return b;
  let x: number;
  if (a < 0) {
    x = ndtriExp(logAddExp(logNdtr(a), Math.log(q) + logMass));
  } else {
    x = -ndtriExp(logAddExp(logNdtr(-b), Math.log1p(-q) + logMass));
  }
  return x < a ? a : x > b ? b : x;
}
