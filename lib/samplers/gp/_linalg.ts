/**
 * Dense linear algebra on row-major `Float64Array`s (private): the Cholesky factorisation and
 * the triangular solves the Gaussian process needs. Hand-written rather than `ml-matrix`'s:
 * on the matrices a GP sees (at most a few hundred rows) plain loops over one typed array,
 * unrolled four ways so that the products run in parallel, are several times faster than its
 * array-of-arrays matrices (`bench/gp_linalg.ts` measures it).
 *
 * @module
 */

import type { InverseBlocks } from "./_simd.ts";
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

/**
 * Factorises the symmetric positive-definite `n×n` matrix `a` (lower triangle read) in place
 * into `L` with `a = L·Lᵀ`; the strict upper triangle is zeroed. False when `a` is not
 * positive definite (a pivot is not positive or not finite). Crout's order, two columns at a
 * time and four rows at a time (each loaded entry serves two or four products); `rows` (when
 * given) computes those quads of rows instead (the same values from WebAssembly SIMD).
 */
export function choleskyInPlace(
  a: Float64Array,
  n: number,
  rows?: (j: number, l00: number, l10: number, l11: number) => void,
): boolean {
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const rj = j * n, rj1 = rj + n;
    const d0 = a[rj + j]! - dot(a, rj, a, rj, j);
    if (!(d0 > 0) || !Number.isFinite(d0)) return false;
    const l00 = Math.sqrt(d0);
    const l10 = (a[rj1 + j]! - dot(a, rj1, a, rj, j)) / l00;
    const d1 = a[rj1 + j + 1]! - dot(a, rj1, a, rj1, j) - l10 * l10;
    if (!(d1 > 0) || !Number.isFinite(d1)) return false;
    const l11 = Math.sqrt(d1);
    a[rj + j] = l00;
    a[rj1 + j] = l10;
    a[rj1 + j + 1] = l11;
    let i = j + 2;
    if (rows) {
      rows(j, l00, l10, l11);
      i += (n - i) & ~3;
    }
    for (; i + 3 < n; i += 4) columnPairRows4(a, n, i, j, l00, l10, l11);
    for (; i < n; i++) {
      const ri = i * n;
      finishPair(a, ri + j, dot(a, ri, a, rj, j), dot(a, ri, a, rj1, j), l00, l10, l11);
    }
  }
  if (j < n) {
    const rj = j * n, d = a[rj + j]! - dot(a, rj, a, rj, j);
    if (!(d > 0) || !Number.isFinite(d)) return false;
    a[rj + j] = Math.sqrt(d);
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, i * n + n);
  return true;
}

/** Entries `(i…i+3, j…j+1)` of the factor, from rows `j`, `j+1` (each load serves 2 or 4 products). */
function columnPairRows4(
  a: Float64Array,
  n: number,
  i: number,
  j: number,
  l00: number,
  l10: number,
  l11: number,
): void {
  const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, rj = j * n, rj1 = rj + n;
  let s0 = 0, s1 = 0, t0 = 0, t1 = 0, u0 = 0, u1 = 0, v0 = 0, v1 = 0;
  for (let k = 0; k < j; k++) {
    const p = a[rj + k]!, q = a[rj1 + k]!;
    const x = a[r0 + k]!, y = a[r1 + k]!;
    s0 += x * p;
    s1 += x * q;
    t0 += y * p;
    t1 += y * q;
    const z = a[r2 + k]!, w = a[r3 + k]!;
    u0 += z * p;
    u1 += z * q;
    v0 += w * p;
    v1 += w * q;
  }
  finishPair(a, r0 + j, s0, s1, l00, l10, l11);
  finishPair(a, r1 + j, t0, t1, l00, l10, l11);
  finishPair(a, r2 + j, u0, u1, l00, l10, l11);
  finishPair(a, r3 + j, v0, v1, l00, l10, l11);
}

/** Entries `(i, j)` and `(i, j+1)` at `a[at]`, `a[at+1]` from their sums over `k < j`. */
function finishPair(
  a: Float64Array,
  at: number,
  s0: number,
  s1: number,
  l00: number,
  l10: number,
  l11: number,
): void {
  const x0 = (a[at]! - s0) / l00;
  a[at] = x0;
  a[at + 1] = (a[at + 1]! - s1 - x0 * l10) / l11;
}

/** Solves `L·x = b` in place (`b` becomes `x`) for the lower-triangular `n×n` matrix `L`. */
export function solveLowerInPlace(l: Float64Array, n: number, b: Float64Array): void {
  let i = 0;
  for (; i + 1 < n; i += 2) solveLowerRowPair(l, n, b, i);
  if (i < n) b[i] = (b[i]! - dot(l, i * n, b, 0, i)) / l[i * n + i]!;
}

/**
 * Rows `i`, `i+1` (`i` even) of {@link solveLowerInPlace}, each `b[r] = (b[r] − dot(L[r], b, r)) / L[r][r]`
 * with {@link dot}'s four partial sums (same values bit for bit), the two rows in one pass
 * over `b[k]`, `k < 4⌊i/4⌋` (each load serves two products).
 */
function solveLowerRowPair(l: Float64Array, n: number, b: Float64Array, i: number): void {
  const ri = i * n, rk = ri + n, m = i & ~3;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
  for (let k = 0; k < m; k += 4) {
    const b0 = b[k]!, b1 = b[k + 1]!, b2 = b[k + 2]!, b3 = b[k + 3]!;
    s0 += l[ri + k]! * b0;
    s1 += l[ri + k + 1]! * b1;
    s2 += l[ri + k + 2]! * b2;
    s3 += l[ri + k + 3]! * b3;
    t0 += l[rk + k]! * b0;
    t1 += l[rk + k + 1]! * b1;
    t2 += l[rk + k + 2]! * b2;
    t3 += l[rk + k + 3]! * b3;
  }
  for (let k = m; k < i; k++) s0 += l[ri + k]! * b[k]!;
  const x = (b[i]! - ((s0 + s1) + (s2 + s3))) / l[ri + i]!;
  b[i] = x;
  // i is even, so i + 1 is not a multiple of four: row i+1 ends with a tail (into t0)
  for (let k = m; k <= i; k++) t0 += l[rk + k]! * b[k]!;
  b[i + 1] = (b[i + 1]! - ((t0 + t1) + (t2 + t3))) / l[rk + i + 1]!;
}

/** Solves `Lᵀ·x = b` in place (`b` becomes `x`) for the lower-triangular `n×n` matrix `L`. */
export function solveUpperTInPlace(l: Float64Array, n: number, b: Float64Array): void {
  let i = n - 1;
  // two rows at a time: each entry above is loaded and stored once for both subtractions,
  // which it receives in the same order as one row at a time
  for (; i >= 1; i -= 2) {
    const ri = i * n, rh = ri - n;
    const v = b[i]! / l[ri + i]!;
    b[i] = v;
    const w = (b[i - 1]! - v * l[ri + i - 1]!) / l[rh + i - 1]!;
    b[i - 1] = w;
    for (let j = 0; j < i - 1; j++) b[j] = b[j]! - v * l[ri + j]! - w * l[rh + j]!;
  }
  if (i === 0) b[0] = b[0]! / l[0]!;
}

/**
 * Solves `L·X = V` in place (`v` becomes `X`) for four right-hand sides interleaved
 * (`v[i·4 + p]`), four rows at a time (each loaded entry serves four products), given
 * `invDiag[i] = 1/L[i][i]`; returns the squared norms of the four solutions. `quads` (when
 * given) solves the full quads of rows first (the same values from WebAssembly SIMD) and
 * returns their squared norms.
 */
export function solveLowerBlock4InPlace(
  chol: Float64Array,
  n: number,
  invDiag: Float64Array,
  v: Float64Array,
  quads?: () => [number, number, number, number],
): [number, number, number, number] {
  let [q0, q1, q2, q3] = quads ? quads() : [0, 0, 0, 0], i = quads ? n & ~3 : 0;
  for (; i + 3 < n; i += 4) {
    rowSums4(chol, n, v, i);
    const q = solveFourRows(chol, invDiag, v, i, n);
    q0 += q[0];
    q1 += q[1];
    q2 += q[2];
    q3 += q[3];
    q0 += q[4];
    q1 += q[5];
    q2 += q[6];
    q3 += q[7];
  }
  for (; i + 1 < n; i += 2) {
    const ri = i * n, rk = ri + n;
    let s0 = v[i * 4]!, s1 = v[i * 4 + 1]!, s2 = v[i * 4 + 2]!, s3 = v[i * 4 + 3]!;
    let t0 = v[i * 4 + 4]!, t1 = v[i * 4 + 5]!, t2 = v[i * 4 + 6]!, t3 = v[i * 4 + 7]!;
    for (let j = 0, o = 0; j < i; j++, o += 4) {
      const l = chol[ri + j]!, m = chol[rk + j]!;
      const v0 = v[o]!, v1 = v[o + 1]!, v2 = v[o + 2]!, v3 = v[o + 3]!;
      s0 -= l * v0;
      s1 -= l * v1;
      s2 -= l * v2;
      s3 -= l * v3;
      t0 -= m * v0;
      t1 -= m * v1;
      t2 -= m * v2;
      t3 -= m * v3;
    }
    const d = invDiag[i]!, e = invDiag[i + 1]!, c = chol[rk + i]!;
    s0 *= d;
    s1 *= d;
    s2 *= d;
    s3 *= d;
    t0 = (t0 - c * s0) * e;
    t1 = (t1 - c * s1) * e;
    t2 = (t2 - c * s2) * e;
    t3 = (t3 - c * s3) * e;
    v[i * 4] = s0;
    v[i * 4 + 1] = s1;
    v[i * 4 + 2] = s2;
    v[i * 4 + 3] = s3;
    v[i * 4 + 4] = t0;
    v[i * 4 + 5] = t1;
    v[i * 4 + 6] = t2;
    v[i * 4 + 7] = t3;
    q0 += s0 * s0 + t0 * t0;
    q1 += s1 * s1 + t1 * t1;
    q2 += s2 * s2 + t2 * t2;
    q3 += s3 * s3 + t3 * t3;
  }
  if (i < n) {
    const ri = i * n;
    let s0 = v[i * 4]!, s1 = v[i * 4 + 1]!, s2 = v[i * 4 + 2]!, s3 = v[i * 4 + 3]!;
    for (let j = 0, o = 0; j < i; j++, o += 4) {
      const l = chol[ri + j]!;
      s0 -= l * v[o]!;
      s1 -= l * v[o + 1]!;
      s2 -= l * v[o + 2]!;
      s3 -= l * v[o + 3]!;
    }
    const d = invDiag[i]!;
    v[i * 4] = s0 *= d;
    v[i * 4 + 1] = s1 *= d;
    v[i * 4 + 2] = s2 *= d;
    v[i * 4 + 3] = s3 *= d;
    q0 += s0 * s0;
    q1 += s1 * s1;
    q2 += s2 * s2;
    q3 += s3 * s3;
  }
  return [q0, q1, q2, q3];
}

/**
 * `v[r·4 + p] − Σ_{j<i} L[r][j]·v[j·4 + p]` for rows `r = i…i+3` and points `p`, written
 * into `v[i·4 … i·4+15]`: each loaded entry serves four products.
 */
export function rowSums4(chol: Float64Array, n: number, v: Float64Array, i: number): void {
  const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, o0 = i * 4;
  let a0 = v[o0]!, a1 = v[o0 + 1]!, a2 = v[o0 + 2]!, a3 = v[o0 + 3]!;
  let b0 = v[o0 + 4]!, b1 = v[o0 + 5]!, b2 = v[o0 + 6]!, b3 = v[o0 + 7]!;
  let c0 = v[o0 + 8]!, c1 = v[o0 + 9]!, c2 = v[o0 + 10]!, c3 = v[o0 + 11]!;
  let d0 = v[o0 + 12]!, d1 = v[o0 + 13]!, d2 = v[o0 + 14]!, d3 = v[o0 + 15]!;
  for (let j = 0, o = 0; j < i; j++, o += 4) {
    const v0 = v[o]!, v1 = v[o + 1]!, v2 = v[o + 2]!, v3 = v[o + 3]!;
    const l = chol[r0 + j]!, m = chol[r1 + j]!;
    a0 -= l * v0;
    a1 -= l * v1;
    a2 -= l * v2;
    a3 -= l * v3;
    b0 -= m * v0;
    b1 -= m * v1;
    b2 -= m * v2;
    b3 -= m * v3;
    const p = chol[r2 + j]!, q = chol[r3 + j]!;
    c0 -= p * v0;
    c1 -= p * v1;
    c2 -= p * v2;
    c3 -= p * v3;
    d0 -= q * v0;
    d1 -= q * v1;
    d2 -= q * v2;
    d3 -= q * v3;
  }
  storeQuad(v, o0, a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3);
}

/** Writes a block of four rows' four values back, row-major, at `v[o0…o0+15]`. */
// deno-fmt-ignore
function storeQuad(
  v: Float64Array, o0: number,
  a0: number, a1: number, a2: number, a3: number, b0: number, b1: number, b2: number, b3: number,
  c0: number, c1: number, c2: number, c3: number, d0: number, d1: number, d2: number, d3: number,
): void {
  v[o0] = a0; v[o0 + 1] = a1; v[o0 + 2] = a2; v[o0 + 3] = a3;
  v[o0 + 4] = b0; v[o0 + 5] = b1; v[o0 + 6] = b2; v[o0 + 7] = b3;
  v[o0 + 8] = c0; v[o0 + 9] = c1; v[o0 + 10] = c2; v[o0 + 11] = c3;
  v[o0 + 12] = d0; v[o0 + 13] = d1; v[o0 + 14] = d2; v[o0 + 15] = d3;
}

/**
 * Rows `i…i+3` of {@link solveLowerBlock4InPlace} from their sums ({@link rowSums4}) in `v`:
 * the squared entries summed by row pairs (rows `i`, `i+1`, then `i+2`, `i+3`), as two steps
 * of two rows would.
 */
function solveFourRows(
  chol: Float64Array,
  invDiag: Float64Array,
  v: Float64Array,
  i: number,
  n: number,
): [number, number, number, number, number, number, number, number] {
  const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, o0 = i * 4;
  let a0 = v[o0]!, a1 = v[o0 + 1]!, a2 = v[o0 + 2]!, a3 = v[o0 + 3]!;
  let b0 = v[o0 + 4]!, b1 = v[o0 + 5]!, b2 = v[o0 + 6]!, b3 = v[o0 + 7]!;
  let c0 = v[o0 + 8]!, c1 = v[o0 + 9]!, c2 = v[o0 + 10]!, c3 = v[o0 + 11]!;
  let d0 = v[o0 + 12]!, d1 = v[o0 + 13]!, d2 = v[o0 + 14]!, d3 = v[o0 + 15]!;
  // the triangle: each row subtracts the rows above it in the block, in order
  const e0 = invDiag[i]!, e1 = invDiag[i + 1]!, e2 = invDiag[i + 2]!, e3 = invDiag[i + 3]!;
  a0 *= e0;
  a1 *= e0;
  a2 *= e0;
  a3 *= e0;
  const l10 = chol[r1 + i]!, l20 = chol[r2 + i]!, l21 = chol[r2 + i + 1]!;
  const l30 = chol[r3 + i]!, l31 = chol[r3 + i + 1]!, l32 = chol[r3 + i + 2]!;
  b0 = (b0 - l10 * a0) * e1;
  b1 = (b1 - l10 * a1) * e1;
  b2 = (b2 - l10 * a2) * e1;
  b3 = (b3 - l10 * a3) * e1;
  c0 = (c0 - l20 * a0 - l21 * b0) * e2;
  c1 = (c1 - l20 * a1 - l21 * b1) * e2;
  c2 = (c2 - l20 * a2 - l21 * b2) * e2;
  c3 = (c3 - l20 * a3 - l21 * b3) * e2;
  d0 = (d0 - l30 * a0 - l31 * b0 - l32 * c0) * e3;
  d1 = (d1 - l30 * a1 - l31 * b1 - l32 * c1) * e3;
  d2 = (d2 - l30 * a2 - l31 * b2 - l32 * c2) * e3;
  d3 = (d3 - l30 * a3 - l31 * b3 - l32 * c3) * e3;
  storeQuad(v, o0, a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3);
  return [
    a0 * a0 + b0 * b0,
    a1 * a1 + b1 * b1,
    a2 * a2 + b2 * b2,
    a3 * a3 + b3 * b3,
    c0 * c0 + d0 * d0,
    c1 * c1 + d1 * d1,
    c2 * c2 + d2 * d2,
    c3 * c3 + d3 * d3,
  ];
}

/** Solves `L·Lᵀ·x = b` in place. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  solveLowerInPlace(l, n, b);
  solveUpperTInPlace(l, n, b);
}

/**
 * The inverse of `L·Lᵀ` (full, symmetric) from its Cholesky factor `L`: `U = L⁻ᵀ` (upper
 * triangular, kept by rows so that every product is a dot product of contiguous rows), then
 * `U·Uᵀ`; both in 2×2 and 2×4 blocks of entries so that each loaded value serves several
 * products. `out` receives the inverse and `u` (`n×n`, its strict lower triangle left zero
 * here) is scratch: both may be reused between calls. With `blocks` (whose buffers `l`, `out`
 * and `u` must be), the pairs of rows of `U` and the 2×4 blocks of `U·Uᵀ` come from it instead
 * (the same values).
 */
export function choleskyInverse(
  l: Float64Array,
  n: number,
  out: Float64Array = new Float64Array(n * n),
  u: Float64Array = new Float64Array(n * n),
  blocks?: InverseBlocks,
): Float64Array {
  invertFactor(l, n, u, blocks);
  blocks?.interleave();
  let i = 0;
  for (; i + 1 < n; i += 2) gramRowPair(u, n, i, out, blocks?.pair);
  if (i < n) { for (let j = 0; j <= i; j++) gramEntry(u, n, i, j, out); }
  return out;
}

/** Writes `U = L⁻ᵀ` into `u` (zeroed): `U[j][i] = −Σ_{j≤k<i} L[i][k]·U[j][k] / L[i][i]`. */
function invertFactor(l: Float64Array, n: number, u: Float64Array, blocks?: InverseBlocks): void {
  const inv = blocks?.invDiag ?? new Float64Array(n);
  for (let i = 0; i < n; i++) inv[i] = 1 / l[i * n + i]!;
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const rj = j * n, rj1 = rj + n;
    u[rj1 + j] = 0; // the only entry below the diagonal read (here and by gramRowPair)
    u[rj + j] = inv[j]!;
    u[rj1 + j + 1] = inv[j + 1]!;
    u[rj + j + 1] = -l[rj1 + j]! * inv[j]! * inv[j + 1]!;
    let i = j + 2;
    if (blocks) {
      blocks.invRows(j);
      i += (n - i) & ~1;
    }
    for (; i + 1 < n; i += 2) {
      const ri = i * n, rk = ri + n;
      let s0 = 0, s1 = 0, t0 = 0, t1 = 0;
      for (let k = j; k < i; k++) {
        const x = l[ri + k]!, y = l[rk + k]!, p = u[rj + k]!, q = u[rj1 + k]!;
        s0 += x * p;
        s1 += x * q;
        t0 += y * p;
        t1 += y * q;
      }
      const a0 = -s0 * inv[i]!, a1 = -s1 * inv[i]!, c = l[rk + i]!;
      u[rj + i] = a0;
      u[rj1 + i] = a1;
      u[rj + i + 1] = -(t0 + c * a0) * inv[i + 1]!;
      u[rj1 + i + 1] = -(t1 + c * a1) * inv[i + 1]!;
    }
    if (i < n) {
      u[rj + i] = -dot(l, i * n + j, u, rj + j, i - j) * inv[i]!;
      u[rj1 + i] = -dot(l, i * n + j, u, rj1 + j, i - j) * inv[i]!;
    }
  }
  if (j < n) u[j * n + j] = inv[j]!;
}

/**
 * Rows `i`, `i+1` of `U·Uᵀ` up to the diagonal (and their mirror entries), four columns at a
 * time (by `blocks` when given, up to column `4⌊i/4⌋`).
 */
function gramRowPair(
  u: Float64Array,
  n: number,
  i: number,
  out: Float64Array,
  blocks?: (i: number) => void,
): void {
  const ri = i * n, rk = ri + n;
  let j = 0;
  if (blocks) {
    blocks(i);
    j = i & ~3;
  }
  for (; j + 3 < i; j += 4) {
    const r0 = j * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    // U[i+1][i] = 0: both rows from k = i
    for (let k = i; k < n; k++) {
      const x = u[ri + k]!, y = u[rk + k]!;
      const p0 = u[r0 + k]!, p1 = u[r1 + k]!;
      a0 += x * p0;
      a1 += x * p1;
      b0 += y * p0;
      b1 += y * p1;
      const p2 = u[r2 + k]!, p3 = u[r3 + k]!;
      a2 += x * p2;
      a3 += x * p3;
      b2 += y * p2;
      b3 += y * p3;
    }
    out[ri + j] = out[r0 + i] = a0;
    out[ri + j + 1] = out[r1 + i] = a1;
    out[ri + j + 2] = out[r2 + i] = a2;
    out[ri + j + 3] = out[r3 + i] = a3;
    out[rk + j] = out[r0 + i + 1] = b0;
    out[rk + j + 1] = out[r1 + i + 1] = b1;
    out[rk + j + 2] = out[r2 + i + 1] = b2;
    out[rk + j + 3] = out[r3 + i + 1] = b3;
  }
  for (; j <= i; j++) {
    gramEntry(u, n, i, j, out);
    gramEntry(u, n, i + 1, j, out);
  }
  gramEntry(u, n, i + 1, i + 1, out);
}

/** Entry `(i, j)`, `j ≤ i`, of `U·Uᵀ` and its mirror. */
function gramEntry(u: Float64Array, n: number, i: number, j: number, out: Float64Array): void {
  const v = dot(u, i * n + i, u, j * n + i, n - i);
  out[i * n + j] = v;
  out[j * n + i] = v;
}
