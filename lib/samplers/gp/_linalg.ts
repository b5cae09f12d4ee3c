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
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      a[ri + j] = (a[ri + j]! - dot(a, ri, a, rj, j)) * inv;
    }
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
  // out[i][j] = Σ_{k ≥ i} u[i][k]·u[j][k] for j ≤ i
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = dot(u, i * n + i, u, j * n + i, n - i);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}
