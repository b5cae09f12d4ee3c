/**
 * Matérn-5/2 kernel loops of the Gaussian process (private), on plain arrays: per pair of
 * training points for the fit, four candidates at a time for the posterior, with derivatives
 * for the local search's gradient.
 *
 * @module
 */

/** Per pair: the Matérn value and its derivative in the squared distance, at `isl`. */
export function pairKernels(
  sq: Float64Array,
  isl: Float64Array,
  count: number,
  val: Float64Array,
  der: Float64Array,
): void {
  const dim = isl.length;
  for (let p = 0, q = 0; p < count; p++, q += dim) {
    let r = 0;
    for (let k = 0; k < dim; k++) r += sq[q + k]! * isl[k]!;
    const r5 = Math.sqrt(5 * r), e = Math.exp(-r5);
    val[p] = e * ((5 / 3) * r + r5 + 1);
    der[p] = (-5 / 6) * (r5 + 1) * e;
  }
}

/**
 * The Matérn-5/2 kernel values between the point `x` and the `n` rows of `xt` (`dim` numeric
 * coordinates each; inverse squared length scales `isl`, kernel scale `scale`) into `k`, and
 * their derivatives in the squared distance into `dk` (one exponential per row).
 */
export function kernelVectorWithDeriv(
  xt: Float64Array,
  n: number,
  isl: Float64Array,
  scale: number,
  x: Float64Array,
  k: Float64Array,
  dk: Float64Array,
): void {
  const dim = isl.length;
  for (let i = 0, row = 0; i < n; i++, row += dim) {
    let r = 0;
    for (let d = 0; d < dim; d++) {
      const t = x[d]! - xt[row + d]!;
      r += t * t * isl[d]!;
    }
    const r5 = Math.sqrt(5 * r), e = Math.exp(-r5);
    k[i] = scale * e * ((5 / 3) * r + r5 + 1);
    dk[i] = scale * ((-5 / 6) * (r5 + 1) * e);
  }
}

/**
 * The kernel values between points `start…start+size−1` of `xs` (`size ≤ 4`, numeric
 * coordinates) and the `n` training rows into `v[i·4 + p]` (zero for `p ≥ size`), and the
 * posterior means `Σ kᵢ·αᵢ` into `means`: each training row is read once for the four points.
 */
export function kernelBlock4(
  train: { readonly x: Float64Array; readonly n: number; readonly alpha: Float64Array },
  isl: Float64Array,
  scale: number,
  xs: Float64Array,
  start: number,
  size: number,
  v: Float64Array,
  means: Float64Array,
): void {
  const { x, n, alpha } = train, dim = isl.length;
  const o0 = start * dim, o1 = size > 1 ? o0 + dim : o0;
  const o2 = size > 2 ? o0 + 2 * dim : o0, o3 = size > 3 ? o0 + 3 * dim : o0;
  const c = 5 / 3;
  let m0 = 0, m1 = 0, m2 = 0, m3 = 0;
  for (let i = 0, row = 0; i < n; i++, row += dim) {
    let r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    for (let d = 0; d < dim; d++) {
      const t = x[row + d]!, w = isl[d]!;
      const a0 = xs[o0 + d]! - t, a1 = xs[o1 + d]! - t;
      const a2 = xs[o2 + d]! - t, a3 = xs[o3 + d]! - t;
      r0 += a0 * a0 * w;
      r1 += a1 * a1 * w;
      r2 += a2 * a2 * w;
      r3 += a3 * a3 * w;
    }
    const s0 = Math.sqrt(5 * r0), s1 = Math.sqrt(5 * r1);
    const s2 = Math.sqrt(5 * r2), s3 = Math.sqrt(5 * r3);
    const k0 = scale * Math.exp(-s0) * (c * r0 + s0 + 1);
    const k1 = size > 1 ? scale * Math.exp(-s1) * (c * r1 + s1 + 1) : 0;
    const k2 = size > 2 ? scale * Math.exp(-s2) * (c * r2 + s2 + 1) : 0;
    const k3 = size > 3 ? scale * Math.exp(-s3) * (c * r3 + s3 + 1) : 0;
    const ai = alpha[i]!, o = i * 4;
    v[o] = k0;
    v[o + 1] = k1;
    v[o + 2] = k2;
    v[o + 3] = k3;
    m0 += k0 * ai;
    m1 += k1 * ai;
    m2 += k2 * ai;
    m3 += k3 * ai;
  }
  const m = [m0, m1, m2, m3];
  for (let p = 0; p < size; p++) means[start + p] = m[p]!;
}
