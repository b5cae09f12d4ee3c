/**
 * Dense linear algebra on row-major `Float64Array`s (private): the Cholesky factorisation and
 * the triangular solves the Gaussian process needs. Hand-written rather than `ml-matrix`'s:
 * on the matrices a GP sees (at most a few hundred rows) plain loops over one typed array,
 * unrolled four ways so that the products run in parallel, are several times faster than its
 * array-of-arrays matrices (`bench/gp_linalg.ts` measures it).
 *
 * @module
 */

/** `Σ_{k<len} a[i0+k]·b[j0+k]`, four partial sums. */
export function dot(a: Float64Array, i0: number, b: Float64Array, j0: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[i0 + k]! * b[j0 + k]!;
    s1 += a[i0 + k + 1]! * b[j0 + k + 1]!;
    s2 += a[i0 + k + 2]! * b[j0 + k + 2]!;
    s3 += a[i0 + k + 3]! * b[j0 + k + 3]!;
  }
  for (; k < len; k++) s0 += a[i0 + k]! * b[j0 + k]!;
  return (s0 + s1) + (s2 + s3);
}

/** `y[j0+k] += c·x[i0+k]` for `k < len`. */
function axpy(
  c: number,
  x: Float64Array,
  i0: number,
  y: Float64Array,
  j0: number,
  len: number,
): void {
  let k = 0;
  for (; k + 3 < len; k += 4) {
    y[j0 + k] = y[j0 + k]! + c * x[i0 + k]!;
    y[j0 + k + 1] = y[j0 + k + 1]! + c * x[i0 + k + 1]!;
    y[j0 + k + 2] = y[j0 + k + 2]! + c * x[i0 + k + 2]!;
    y[j0 + k + 3] = y[j0 + k + 3]! + c * x[i0 + k + 3]!;
  }
  for (; k < len; k++) y[j0 + k] = y[j0 + k]! + c * x[i0 + k]!;
}

/**
 * Factorises the symmetric positive-definite `n×n` matrix `a` (lower triangle read) in place
 * into `L` with `a = L·Lᵀ`; the strict upper triangle is zeroed. False when `a` is not
 * positive definite (a pivot is not positive or not finite).
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const d = a[rj + j]! - dot(a, rj, a, rj, j);
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    let i = j + 1;
    // two rows at a time: each entry of row j is loaded once for both
    for (; i + 1 < n; i += 2) {
      const ri = i * n, rk = ri + n;
      let s0 = 0, s1 = 0, t0 = 0, t1 = 0, k = 0;
      for (; k + 1 < j; k += 2) {
        const x0 = a[rj + k]!, x1 = a[rj + k + 1]!;
        s0 += a[ri + k]! * x0;
        s1 += a[ri + k + 1]! * x1;
        t0 += a[rk + k]! * x0;
        t1 += a[rk + k + 1]! * x1;
      }
      if (k < j) {
        s0 += a[ri + k]! * a[rj + k]!;
        t0 += a[rk + k]! * a[rj + k]!;
      }
      a[ri + j] = (a[ri + j]! - (s0 + s1)) * inv;
      a[rk + j] = (a[rk + j]! - (t0 + t1)) * inv;
    }
    if (i < n) a[i * n + j] = (a[i * n + j]! - dot(a, i * n, a, rj, j)) * inv;
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

/** Solves `L·x = b` in place (`b` becomes `x`) for the lower-triangular `n×n` matrix `L`. */
export function solveLowerInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) b[i] = (b[i]! - dot(l, i * n, b, 0, i)) / l[i * n + i]!;
}

/** Solves `Lᵀ·x = b` in place (`b` becomes `x`) for the lower-triangular `n×n` matrix `L`. */
export function solveUpperTInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const v = b[i]! / l[i * n + i]!;
    b[i] = v;
    // subtract column i of Lᵀ (row i of L) from the entries above
    axpy(-v, l, i * n, b, 0, i);
  }
}

/** Solves `L·Lᵀ·x = b` in place. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  solveLowerInPlace(l, n, b);
  solveUpperTInPlace(l, n, b);
}

/**
 * The inverse of `L·Lᵀ` (full, symmetric) from its Cholesky factor `L`: `U = L⁻ᵀ` (upper
 * triangular, kept by rows so that every product is a dot product of contiguous rows), then
 * `U·Uᵀ`.
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // u[j][i] = (L⁻¹)[i][j] for j ≤ i: (L⁻¹)[i][j] = −Σ_{j≤k<i} L[i][k]·(L⁻¹)[k][j] / L[i][i]
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n, inv = 1 / l[ri + i]!;
    u[ri + i] = inv;
    for (let j = 0; j < i; j++) u[j * n + i] = -dot(l, ri + j, u, j * n + j, i - j) * inv;
  }
  // out[i][j] = Σ_{k ≥ i} u[i][k]·u[j][k] for j ≤ i, four j at a time (row i loaded once)
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let j = 0;
    for (; j + 3 <= i; j += 4) {
      const r0 = j * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = i; k < n; k++) {
        const x = u[ri + k]!;
        s0 += x * u[r0 + k]!;
        s1 += x * u[r1 + k]!;
        s2 += x * u[r2 + k]!;
        s3 += x * u[r3 + k]!;
      }
      out[ri + j] = out[r0 + i] = s0;
      out[ri + j + 1] = out[r1 + i] = s1;
      out[ri + j + 2] = out[r2 + i] = s2;
      out[ri + j + 3] = out[r3 + i] = s3;
    }
    for (; j <= i; j++) {
      const v = dot(u, ri + i, u, j * n + i, n - i);
      out[ri + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}
