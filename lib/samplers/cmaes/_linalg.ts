/**
 * The small dense linear algebra of CMA-ES: the eigendecomposition of a symmetric matrix
 * (cyclic Jacobi rotations) and matrix-vector helpers over row-major `Float64Array`s.
 * Private to the CMA-ES sampler.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** An eigendecomposition `A = B diag(values) Bᵀ`: column `k` of `vectors` is eigenvector `k`. */
export interface SymmetricEigen {
  /** The eigenvalues, ascending (as `numpy.linalg.eigh`). */
  readonly values: Float64Array;
  /** Row-major n×n; `vectors[i * n + k]` is component `i` of eigenvector `k`. */
  readonly vectors: Float64Array;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Applies one Jacobi rotation zeroing `a[p][q]`, updating `a` and the accumulated `v`. */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q]!;
  const app = a[p * n + p]!, aqq = a[q * n + q]!;
  const theta = (aqq - app) / (2 * apq);
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1), s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p]!, akq = a[k * n + q]!;
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k]!, aqk = a[q * n + k]!;
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  a[p * n + q] = 0;
  a[q * n + p] = 0;
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

/** The sum of squares of the off-diagonal entries. */
function offDiagonal(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) s += a[i * n + j]! ** 2;
  return s;
}

/**
 * The eigendecomposition of the symmetric n×n matrix `m` (row-major; not modified), by
 * cyclic Jacobi sweeps until the off-diagonal part vanishes to rounding. Eigenvalues are
 * sorted ascending, as `numpy.linalg.eigh` returns them.
 */
export function symmetricEigen(m: ArrayLike<number>, n: number): SymmetricEigen {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i]! ** 2;
  // off-diagonal entries below 1e-14 of the matrix's norm are rounding: eigenvalues are then
  // exact to ~1e-28 relative and eigenvectors to ~1e-14
  for (let sweep = 0; sweep < 64; sweep++) {
    if (offDiagonal(a, n) <= 1e-28 * scale || scale === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq * apq > 1e-34 * scale) rotate(a, v, n, p, q);
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) =>
    a[i * n + i]! - a[j * n + j]!
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, k) => {
    values[k] = a[src * n + src]!;
    for (let i = 0; i < n; i++) vectors[i * n + k] = v[i * n + src]!;
  });
  return { values, vectors };
}

/** `B diag(d) Bᵀ` for row-major n×n `b`. */
export function recompose(b: Float64Array, d: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * d[k]! * b[j * n + k]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** `m x` for row-major n×n `m`. */
export function matVec(m: ArrayLike<number>, x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += m[i * n + k]! * x[k]!;
    out[i] = s;
  }
  return out;
}

/** The Euclidean norm. */
export function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}
