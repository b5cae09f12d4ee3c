/**
 * The Gaussian process regressor of Optuna 5.0's `_gp/gp.py` and `_gp/prior.py` (private): a
 * Matérn-5/2 kernel with one inverse squared length scale per parameter (Hamming distance for
 * categoricals), a kernel scale and a noise variance, fitted by maximising the marginal log
 * likelihood plus the log prior with analytic gradients, and the posterior mean and variance
 * (with their gradients) at new points.
 *
 * @module
 */
import {
  choleskyInPlace,
  choleskyInverse,
  solveLowerBlock4InPlace,
  solveLowerInPlace,
  solveUpperTInPlace,
} from "./_linalg.ts";
import { kernelBlock4, kernelVectorWithDeriv, pairKernels } from "./_kernel.ts";
import { minimize } from "./_lbfgsb.ts";
import {
  block4Kernel,
  type GramKernel,
  gramKernel,
  type UpperKernel,
  upperKernel,
} from "./_simd.ts";

/** Optuna's `prior.DEFAULT_MINIMUM_NOISE_VAR`. */
export const MINIMUM_NOISE = 1e-6;

/** Kernel parameters. */
export interface KernelParams {
  /** Inverse squared length scale per parameter. */
  readonly isl: Float64Array;
  /** Kernel scale. */
  readonly scale: number;
  /** Noise variance. */
  readonly noise: number;
}

/** Training data: `n` rows of `dim` normalised parameters, targets, categorical flags. */
export interface GpData {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly dim: number;
  readonly isCategorical: Uint8Array;
}

/** A fitted GP: its data and parameters, the Cholesky factor of `K + σ²I` and `α = C⁻¹y`. */
export interface Gp extends GpData {
  readonly params: KernelParams;
  readonly chol: Float64Array;
  readonly alpha: Float64Array;
  /**
   * The diagonal of the fit's final inverse Hessian approximation in the raw parameters (the
   * next fit's warm start with {@link fitGp}'s `curvature`); undefined when unfitted.
   */
  readonly curvature?: Float64Array;
}

/** Matérn-5/2 of a squared distance. */
export function matern52(d2: number): number {
  const r = Math.sqrt(5 * d2);
  return Math.exp(-r) * ((5 / 3) * d2 + r + 1);
}

/** The derivative of {@link matern52} with respect to the squared distance. */
export function matern52Deriv(d2: number): number {
  const r = Math.sqrt(5 * d2);
  return (-5 / 6) * (r + 1) * Math.exp(-r);
}

/** Squared difference of coordinate `k` (Hamming for categoricals). */
function sqd(a: number, b: number, cat: number): number {
  return cat ? (a !== b ? 1 : 0) : (a - b) * (a - b);
}

/** Per pair `i > j` (packed, row by row) and coordinate: the squared differences. */
export function pairSqd(data: GpData): Float64Array {
  const { x, n, dim, isCategorical } = data;
  const out = new Float64Array((n * (n - 1)) / 2 * dim);
  let p = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++, p += dim) {
      for (let k = 0; k < dim; k++) {
        out[p + k] = sqd(x[i * dim + k]!, x[j * dim + k]!, isCategorical[k]!);
      }
    }
  }
  return out;
}

/** The kernel matrix `K` (full, `n×n`) of the training points. */
export function kernelMatrix(data: GpData, params: KernelParams, sq = pairSqd(data)): Float64Array {
  const { n, dim } = data;
  const out = new Float64Array(n * n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    out[i * n + i] = params.scale;
    for (let j = 0; j < i; j++, p += dim) {
      let r = 0;
      for (let k = 0; k < dim; k++) r += sq[p + k]! * params.isl[k]!;
      out[i * n + j] = out[j * n + i] = params.scale * matern52(r);
    }
  }
  return out;
}

/** Kernel parameters from the raw (log) vector the fit works on. */
export function fromRaw(raw: Float64Array, dim: number, deterministic: boolean): KernelParams {
  const isl = new Float64Array(dim);
  for (let k = 0; k < dim; k++) isl[k] = Math.exp(raw[k]!);
  const noise = deterministic ? MINIMUM_NOISE : Math.exp(raw[dim + 1]!) + MINIMUM_NOISE;
  return { isl, scale: Math.exp(raw[dim]!), noise };
}

/** The raw (log) vector of kernel parameters (Optuna's initial point of the fit). */
export function toRaw(params: KernelParams): Float64Array {
  const dim = params.isl.length;
  const raw = new Float64Array(dim + 2);
  for (let k = 0; k < dim; k++) raw[k] = Math.log(params.isl[k]!);
  raw[dim] = Math.log(params.scale);
  raw[dim + 1] = Math.log(params.noise - 0.99 * MINIMUM_NOISE);
  return raw;
}

/** Optuna's default log prior of the kernel parameters (constants omitted). */
export function logPrior(p: KernelParams): number {
  let out = 0;
  for (const v of p.isl) out -= 0.1 / v + 0.1 * v;
  return out + (Math.log(p.scale) - p.scale) + (0.1 * Math.log(p.noise) - 30 * p.noise);
}

/**
 * The buffers of one fit, reused by its loss evaluations (no allocation per evaluation), and
 * the factor of the last evaluation: `chol` and `alpha` are those of the raw parameters `raw`
 * while `valid[0]` is 1.
 */
export interface FitWorkspace {
  readonly chol: Float64Array;
  readonly alpha: Float64Array;
  readonly inv: Float64Array;
  readonly u: Float64Array;
  /** The factor's and inverse's blocks in WebAssembly SIMD (`chol`, `inv`, `u` its buffers). */
  readonly gram?: GramKernel | undefined;
  readonly val: Float64Array;
  readonly der: Float64Array;
  readonly raw: Float64Array;
  readonly valid: Uint8Array;
}

/** From this many points, the fit's inverse takes its blocks from WebAssembly SIMD. */
const SIMD_MIN_ROWS = 16;

/** A workspace for fits of `n` points in `dim` dimensions. */
export function fitWorkspace(n: number, dim: number): FitWorkspace {
  const pairs = (n * (n - 1)) / 2;
  const gram = n >= SIMD_MIN_ROWS ? gramKernel(n) : undefined;
  return {
    chol: gram?.chol ?? new Float64Array(n * n),
    alpha: new Float64Array(n),
    inv: gram?.out ?? new Float64Array(n * n),
    u: gram?.u ?? new Float64Array(n * n),
    gram,
    val: new Float64Array(pairs),
    der: new Float64Array(pairs),
    raw: new Float64Array(dim + 2),
    valid: new Uint8Array(1),
  };
}

/**
 * The loss of the fit, `−(marginal log likelihood + log prior)` (constants omitted, as
 * Optuna), at raw parameters `raw`, with its gradient in `grad`; `Infinity` when `K + σ²I` is
 * not positive definite.
 */
export function fitLoss(
  data: GpData,
  sq: Float64Array,
  raw: Float64Array,
  grad: Float64Array,
  deterministic: boolean,
  ws: FitWorkspace = fitWorkspace(data.n, data.dim),
): number {
  const { n, dim, y } = data;
  const p = fromRaw(raw, dim, deterministic);
  const { chol, alpha, val, der } = ws;
  ws.valid[0] = 0;
  pairKernels(sq, p.isl, (n * (n - 1)) / 2, val, der);
  for (let i = 0, q = 0; i < n; i++) {
    chol[i * n + i] = p.scale + p.noise;
    for (let j = 0; j < i; j++, q++) chol[i * n + j] = p.scale * val[q]!;
  }
  if (!choleskyInPlace(chol, n, ws.gram?.rows)) {
    grad.fill(0);
    return Infinity;
  }
  alpha.set(y);
  solveLowerInPlace(chol, n, alpha);
  let mll = 0, quad = 0;
  for (let i = 0; i < n; i++) {
    mll -= Math.log(chol[i * n + i]!);
    quad += alpha[i]! * alpha[i]!;
  }
  mll -= 0.5 * quad;
  solveUpperTInPlace(chol, n, alpha);
  ws.raw.set(raw);
  ws.valid[0] = 1;
  const inv = choleskyInverse(chol, n, ws.inv, ws.u, ws.gram);
  mllGradient(data, sq, p, alpha, inv, val, der, grad, deterministic);
  priorGradient(p, grad, deterministic);
  return -(mll + logPrior(p));
}

/** Writes `−∂mll/∂raw` into `grad` (`W = ½(ααᵀ − C⁻¹)`, `∂mll/∂θ = Σ W ∘ ∂C/∂θ`). */
function mllGradient(
  data: GpData,
  sq: Float64Array,
  p: KernelParams,
  alpha: Float64Array,
  inv: Float64Array,
  val: Float64Array,
  der: Float64Array,
  grad: Float64Array,
  deterministic: boolean,
): void {
  const { n, dim } = data;
  grad.fill(0);
  let gScale = 0, gNoise = 0;
  for (let i = 0, pair = 0, q = 0; i < n; i++) {
    const wii = 0.5 * (alpha[i]! * alpha[i]! - inv[i * n + i]!);
    gScale += wii * p.scale;
    gNoise += wii;
    const ai = alpha[i]!, ri = i * n;
    for (let j = 0; j < i; j++, pair++, q += dim) {
      const w = ai * alpha[j]! - inv[ri + j]!; // both halves: 2·W_ij
      gScale += w * p.scale * val[pair]!;
      const dk = w * p.scale * der[pair]!;
      for (let k = 0; k < dim; k++) grad[k] = grad[k]! + dk * sq[q + k]!;
    }
  }
  for (let k = 0; k < dim; k++) grad[k] = -grad[k]! * p.isl[k]!;
  grad[dim] = -gScale;
  grad[dim + 1] = deterministic ? 0 : -gNoise * (p.noise - MINIMUM_NOISE);
}

/** Adds `−∂logPrior/∂raw` to `grad`. */
function priorGradient(
  p: KernelParams,
  grad: Float64Array,
  det: boolean,
): void {
  const dim = p.isl.length;
  for (let k = 0; k < dim; k++) {
    const v = p.isl[k]!;
    grad[k] = grad[k]! - (0.1 / v - 0.1 * v);
  }
  grad[dim] = grad[dim]! - (1 - p.scale);
  if (!det) grad[dim + 1] = grad[dim + 1]! - (0.1 / p.noise - 30) * (p.noise - MINIMUM_NOISE);
}

/** The default kernel parameters (all ones), Optuna's initial point without a cache. */
export function defaultParams(dim: number): KernelParams {
  return { isl: new Float64Array(dim).fill(1), scale: 1, noise: 1 };
}

/** A GP with the given parameters (the Cholesky factor and `α` computed); undefined if singular. */
export function gpWith(data: GpData, params: KernelParams): Gp | undefined {
  const { n, y } = data;
  const chol = kernelMatrix(data, params);
  for (let i = 0; i < n; i++) chol[i * n + i] = chol[i * n + i]! + params.noise;
  if (!choleskyInPlace(chol, n)) return undefined;
  const alpha = Float64Array.from(y);
  solveLowerInPlace(chol, n, alpha);
  solveUpperTInPlace(chol, n, alpha);
  return { ...data, params, chol, alpha };
}

/**
 * Fits the kernel parameters as Optuna's `fit_kernel_params`: from `initial` (the previous
 * fit, or the defaults), then from the defaults if that fails, else the defaults unfitted.
 * From the defaults the fit takes SciPy's L-BFGS-B steps (Optuna's); from `initial` with
 * `curvature` (the previous fit's {@link Gp.curvature}), it starts with that inverse Hessian
 * diagonal instead of SciPy's identity, which about halves the loss evaluations of a fit
 * warm-started one trial later (same tolerance).
 */
export function fitGp(
  data: GpData,
  deterministic: boolean,
  initial?: KernelParams,
  curvature?: Float64Array,
): Gp {
  const sq = pairSqd(data);
  const ws = fitWorkspace(data.n, data.dim);
  const starts = initial ? [initial, defaultParams(data.dim)] : [defaultParams(data.dim)];
  const warm = curvature?.length === data.dim + 2 ? curvature : undefined;
  for (const start of starts) {
    const res = minimize(
      (raw, grad) => fitLoss(data, sq, raw, grad, deterministic, ws),
      toRaw(start),
      // SciPy's L-BFGS-B with Optuna's tolerance (gtol 1e-2)
      {
        pgtol: 1e-2,
        lineSearch: "moreThuente",
        initialCurvature: start === initial ? warm : undefined,
      },
    );
    if (!res.success || !Number.isFinite(res.f)) continue;
    const params = fromRaw(res.x, data.dim, deterministic);
    const fitted = res.curvature ? { curvature: res.curvature } : {};
    // the last evaluation is usually at the optimum: its factor is the GP's
    if (ws.valid[0] === 1 && ws.raw.every((v, k) => Object.is(v, res.x[k]))) {
      return { ...data, params, chol: ws.chol, alpha: ws.alpha, ...fitted };
    }
    const gp = gpWith(data, params);
    if (gp) return { ...gp, ...fitted };
  }
  return gpWith(data, defaultParams(data.dim))!;
}

/** Writes into `k` the kernel values between `x` (one point, `dim` values at `off`) and the data. */
export function kernelVector(gp: Gp, xs: Float64Array, off: number, k: Float64Array): void {
  const { x, n, dim, isCategorical } = gp;
  const isl = gp.params.isl, scale = gp.params.scale;
  if (isCategorical.includes(1)) {
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let d = 0; d < dim; d++) {
        r += sqd(xs[off + d]!, x[i * dim + d]!, isCategorical[d]!) * isl[d]!;
      }
      k[i] = scale * matern52(r);
    }
    return;
  }
  for (let i = 0, row = 0; i < n; i++, row += dim) {
    let r = 0;
    for (let d = 0; d < dim; d++) {
      const t = xs[off + d]! - x[row + d]!;
      r += t * t * isl[d]!;
    }
    const r5 = Math.sqrt(5 * r);
    k[i] = scale * Math.exp(-r5) * ((5 / 3) * r + r5 + 1);
  }
}

/** Scratch buffers for posterior evaluations. */
export interface PosteriorScratch {
  readonly k: Float64Array;
  readonly v: Float64Array;
  /** The kernel's derivatives in the squared distance (numeric spaces, by the gradient). */
  readonly dk: Float64Array;
  /** The factor in WebAssembly memory for the `L` and `Lᵀ` solves (`v` is its vector). */
  readonly upper?: UpperKernel | undefined;
}

/** Buffers for {@link posterior} on `gp`. */
export function posteriorScratch(gp: Gp): PosteriorScratch {
  const upper = gp.n >= SIMD_MIN_ROWS ? upperKernel(gp.n) : undefined;
  upper?.chol.set(gp.chol);
  const v = upper?.b ?? new Float64Array(gp.n);
  return { k: new Float64Array(gp.n), v, dk: new Float64Array(gp.n), upper };
}

/** Posterior mean and variance (clamped at 0) at the point at `xs[off…]`. */
export function posterior(
  gp: Gp,
  xs: Float64Array,
  off: number,
  s: PosteriorScratch,
): { mean: number; variance: number } {
  kernelVector(gp, xs, off, s.k);
  return posteriorOfK(gp, s);
}

/** Posterior mean and variance (clamped at 0) from the kernel vector in `s.k`. */
function posteriorOfK(gp: Gp, s: PosteriorScratch): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < gp.n; i++) mean += s.k[i]! * gp.alpha[i]!;
  s.v.set(s.k);
  if (s.upper) s.upper.lower();
  else solveLowerInPlace(gp.chol, gp.n, s.v);
  let vv = 0;
  for (let i = 0; i < gp.n; i++) vv += s.v[i]! * s.v[i]!;
  return { mean, variance: Math.max(gp.params.scale - vv, 0) };
}

/** Points per block of {@link posteriorMany} (each row of `L` is read once per block). */
const BLOCK = 4;

/** From this many points, {@link posteriorMany} copies the factor into WebAssembly memory. */
const SIMD_MIN_POINTS = 64;

/**
 * Posterior means and variances (clamped at 0) at the `count` points of `xs` (row-major),
 * written into `means` and `variances`: as {@link posterior}, four points at a time.
 */
export function posteriorMany(
  gp: Gp,
  xs: Float64Array,
  count: number,
  means: Float64Array,
  variances: Float64Array,
): void {
  const { n, dim, alpha } = gp;
  const k = new Float64Array(n);
  // the factor and the block in WebAssembly memory for many points (its SIMD solve)
  const simd = count >= SIMD_MIN_POINTS ? block4Kernel(n) : undefined;
  simd?.chol.set(gp.chol);
  const chol = simd?.chol ?? gp.chol;
  const v = simd?.v ?? new Float64Array(n * BLOCK); // v[i·BLOCK + p]: L⁻¹k of point p of the block
  const invDiag = simd?.invDiag ?? new Float64Array(n);
  for (let i = 0; i < n; i++) invDiag[i] = 1 / chol[i * n + i]!;
  const numeric = !gp.isCategorical.includes(1);
  for (let start = 0; start < count; start += BLOCK) {
    const size = Math.min(BLOCK, count - start);
    if (numeric) kernelBlock4(gp, gp.params.isl, gp.params.scale, xs, start, size, v, means);
    else {
      for (let p = 0; p < BLOCK; p++) {
        if (p < size) kernelVector(gp, xs, (start + p) * dim, k);
        let mean = 0;
        for (let i = 0; i < n; i++) {
          const ki = p < size ? k[i]! : 0;
          v[i * BLOCK + p] = ki;
          mean += ki * alpha[i]!;
        }
        if (p < size) means[start + p] = mean;
      }
    }
    const q = solveLowerBlock4InPlace(chol, n, invDiag, v, simd?.solve);
    for (let p = 0; p < size; p++) variances[start + p] = Math.max(gp.params.scale - q[p]!, 0);
  }
}

/**
 * Posterior mean and variance at `x` with their gradients (`dMean`, `dVar`, length `dim`;
 * zero for categorical coordinates, whose distance is not differentiable).
 */
export function posteriorWithGrad(
  gp: Gp,
  x: Float64Array,
  s: PosteriorScratch,
  dMean: Float64Array,
  dVar: Float64Array,
): { mean: number; variance: number } {
  const { n, dim, isCategorical } = gp;
  const numeric = !isCategorical.includes(1);
  if (numeric) kernelVectorWithDeriv(gp.x, n, gp.params.isl, gp.params.scale, x, s.k, s.dk);
  const { mean, variance } = numeric ? posteriorOfK(gp, s) : posterior(gp, x, 0, s);
  // w = C⁻¹k
  if (s.upper) s.upper.upperT();
  else solveUpperTInPlace(gp.chol, n, s.v);
  dMean.fill(0);
  dVar.fill(0);
  const isl = gp.params.isl, scale = gp.params.scale, xt = gp.x;
  const clamped = variance === 0;
  for (let i = 0; i < n; i++) {
    let dk = s.dk[i]!;
    if (!numeric) {
      let r = 0;
      for (let d = 0; d < dim; d++) r += sqd(x[d]!, xt[i * dim + d]!, isCategorical[d]!) * isl[d]!;
      dk = scale * matern52Deriv(r);
    }
    const a = dk * gp.alpha[i]!, b = clamped ? 0 : -2 * dk * s.v[i]!;
    for (let d = 0; d < dim; d++) {
      if (!numeric && isCategorical[d]) continue;
      const g = 2 * (x[d]! - xt[i * dim + d]!) * isl[d]!;
      dMean[d] = dMean[d]! + a * g;
      dVar[d] = dVar[d]! + b * g;
    }
  }
  return { mean, variance };
}
