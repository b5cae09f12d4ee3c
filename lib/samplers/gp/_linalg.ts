/**
 * Dense linear algebra on row-major `Float64Array`s (private): the Cholesky factorisation and
 * the triangular solves the Gaussian process needs. Hand-written rather than `ml-matrix`'s:
 * on the matrices a GP sees (at most a few hundred rows) plain loops over one typed array are
 * several times faster than its array-of-arrays matrices (`bench/gp_cost.ts` measures it).
 *
 * @module
 */

/**
 * Factorises the symmetric positive-definite `n×n` matrix `a` (lower triangle read) in place
 * into `L` with `a = L·Lᵀ`; the strict upper triangle is zeroed. False when `a` is not
 * positive definite (a pivot is not positive or not finite).
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let k = 0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s * inv;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

/** Solves `L·x = b` in place (`b` becomes `x`) for the lower-triangular `n×n` matrix `L`. */
export function solveLowerInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * b[k]!;
    b[i] = s / l[ri + i]!;
  }
}

/** Solves `Lᵀ·x = b` in place (`b` becomes `x`) for the lower-triangular `n×n` matrix `L`. */
export function solveUpperTInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const v = b[i]! / l[i * n + i]!;
    b[i] = v;
    // subtract column i of Lᵀ (row i of L) from the entries above
    const ri = i * n;
    for (let k = 0; k < i; k++) b[k] = b[k]! - l[ri + k]! * v;
  }
}

/** Solves `L·Lᵀ·x = b` in place. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  solveLowerInPlace(l, n, b);
  solveUpperTInPlace(l, n, b);
}

/**
 * The inverse of `L·Lᵀ` (full, symmetric) from its Cholesky factor `L`: `L⁻¹` first, then
 * `(L⁻¹)ᵀ·L⁻¹`.
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // m = L⁻¹ (lower triangular), row by row: m[i] = (e_i − Σ_{k<i} L[i][k]·m[k]) / L[i][i]
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const c = l[ri + k]!;
      if (c === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) m[ri + j] = m[ri + j]! + c * m[rk + j]!;
    }
    const inv = 1 / l[ri + i]!;
    for (let j = 0; j < i; j++) m[ri + j] = -m[ri + j]! * inv;
    m[ri + i] = inv;
  }
  // out = mᵀ·m: out[i][j] = Σ_{k ≥ max(i,j)} m[k][i]·m[k][j]
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const a = m[rk + i]!;
      if (a === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) out[ri + j] = out[ri + j]! + a * m[rk + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j]!;
  return out;
}
