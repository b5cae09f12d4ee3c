/**
 * The GP fit's WebAssembly SIMD loops (private), assembled into `_simd.ts`'s module: the
 * inverse's `U·Uᵀ` blocks (`gramPair`), the Cholesky factor's quads of rows (`cholRows`) and
 * the rows of `U = L⁻ᵀ` (`invRows`).
 * Every `f64x2` lane is one of the plain loops' sums, in the same order.
 *
 * @module
 */
import {
  at,
  BR,
  BR_IF,
  END,
  F64_DIV,
  F64_MUL,
  F64_SUB,
  f64Load,
  f64Load0,
  f64Store,
  f64x2Add,
  f64x2Mul,
  f64x2Splat,
  get,
  i32,
  I32_ADD,
  I32_EQZ,
  I32_LT_U,
  I32_MUL,
  I32_SUB,
  lane,
  put,
  set,
  u32,
  v128Load,
  v128Store,
  vec,
  whileLt,
  zero2,
} from "./_wasm.ts";

// gramPair(u, q, out, n, i): byte offsets of U (n×n), its quads of rows interleaved (row j+c,
// column k at q + (j·n + 4k + c)·8) and the output; for j = 0, 4, … while j + 3 < i, the
// entries (i…i+1, j…j+3) of U·Uᵀ, Σ_{k≥i} U[i][k]·U[j+c][k] in order, and their mirrors.
// Locals: 5 j, 6 n·8, 7 quad cursor, 8 row i cursor, 9 row i+1 cursor, 10 k, 11 out cursor,
// 12 &U[i][i], 13 &out[i][0]; 14…17 the sums (row i: c 0–1, 2–3; row i+1: same), 18 and 19
// the quad's values at k, 20 and 21 U[i][k] and U[i+1][k] splatted
const ACC = [14, 15, 16, 17];
// deno-fmt-ignore
const GRAM: number[] = [
  ...get(3), ...i32(8), I32_MUL, ...set(6),
  ...get(0), ...get(4), ...get(6), I32_MUL, I32_ADD, ...get(4), ...i32(8), I32_MUL, I32_ADD,
  ...set(12),
  ...get(2), ...get(4), ...get(6), I32_MUL, I32_ADD, ...set(13),
  0x02, 0x40, 0x03, 0x40, // block, loop over j
  ...get(5), ...i32(3), I32_ADD, ...get(4), I32_LT_U, I32_EQZ, BR_IF, 1,
  ...ACC.flatMap((a) => [...zero2, ...set(a)]),
  ...get(1), ...get(5), ...get(6), I32_MUL, I32_ADD, ...get(4), ...i32(32), I32_MUL, I32_ADD,
  ...set(7),
  ...get(12), ...set(8),
  ...get(12), ...get(6), I32_ADD, ...set(9),
  ...get(4), ...set(10),
  0x03, 0x40, // loop over k
  ...get(7), ...v128Load(0), ...set(18),
  ...get(7), ...v128Load(16), ...set(19),
  ...get(8), ...f64Load, ...f64x2Splat, ...set(20),
  ...get(9), ...f64Load, ...f64x2Splat, ...set(21),
  ...[[14, 20, 18], [15, 20, 19], [16, 21, 18], [17, 21, 19]].flatMap(([a, x, w]) => [
    ...get(a!), ...get(x!), ...get(w!), ...f64x2Mul, ...f64x2Add, ...set(a!),
  ]),
  ...get(7), ...i32(32), I32_ADD, ...set(7),
  ...get(8), ...i32(8), I32_ADD, ...set(8),
  ...get(9), ...i32(8), I32_ADD, ...set(9),
  ...get(10), ...i32(1), I32_ADD, 0x22, 10, ...get(3), I32_LT_U, BR_IF, 0,
  END,
  ...get(13), ...get(5), ...i32(8), I32_MUL, I32_ADD, ...set(11),
  ...get(11), ...get(14), ...v128Store(0),
  ...get(11), ...get(15), ...v128Store(16),
  ...get(11), ...get(6), I32_ADD, ...get(16), ...v128Store(0),
  ...get(11), ...get(6), I32_ADD, ...get(17), ...v128Store(16),
  ...get(2), ...get(5), ...get(6), I32_MUL, I32_ADD, ...get(4), ...i32(8), I32_MUL, I32_ADD,
  ...set(11),
  ...[[14, 16, 0], [14, 16, 1], [15, 17, 0], [15, 17, 1]].flatMap(([a, b, l], c) => [
    ...(c > 0 ? [...get(11), ...get(6), I32_ADD, ...set(11)] : []),
    ...get(11), ...get(a!), ...lane(l!), ...f64Store(0),
    ...get(11), ...get(b!), ...lane(l!), ...f64Store(8),
  ]),
  ...get(5), ...i32(4), I32_ADD, ...set(5),
  BR, 0,
  END, END,
  END,
];

export const GRAM_FUNC = [...vec([[9, 0x7f], [8, 0x7b]]), ...GRAM];

// cholRows(a, pq, n, j, l00, l10, l11): byte offsets of the matrix being factorised (n×n)
// and of rows j, j+1 of the factor interleaved (pq[2k], pq[2k+1] = L[j][k], L[j+1][k]); the
// entries (i…i+3, j…j+1) of the factor for i = j+2, j+6, … while i + 3 < n, as the plain
// loop: each row's two sums over k < j in one f64x2 (one lane per column), then finishPair.
// Locals: 7 i, 8 k, 9 n·8, 10 the cursor in pq, 11…14 the four rows' cursors; f64 15 x0;
// v128 16…19 the sums, 20 pq[2k…2k+1]
/** `(a[c], a[c+1])` finished from the sums `S`: `x0 = (a[c] − s0)/l00`, … (finishPair). */
// deno-fmt-ignore
const finishRow = (c: number, sums: number): number[] => [
  ...get(c),
  ...get(c), ...f64Load0, ...get(sums), ...lane(0), F64_SUB, ...get(4), F64_DIV, 0x22, 15,
  ...f64Store(0),
  ...get(c),
  ...get(c), 0x2b, 3, 8, ...get(sums), ...lane(1), F64_SUB, ...get(15), ...get(5), F64_MUL,
  F64_SUB, ...get(6), F64_DIV,
  ...f64Store(8),
];
// deno-fmt-ignore
const CHOL: number[] = [
  ...put(9, [...get(2), ...i32(8), I32_MUL]),
  ...put(7, [...get(3), ...i32(2), I32_ADD]),
  ...whileLt(7, [...get(2), ...i32(3), I32_SUB], 4, [
    ...put(11, [...get(0), ...get(7), ...get(9), I32_MUL, I32_ADD]),
    ...[12, 13, 14].flatMap((c) => put(c, [...get(c - 1), ...get(9), I32_ADD])),
    ...[16, 17, 18, 19].flatMap((a) => put(a, zero2)),
    ...put(10, get(1)),
    ...put(8, i32(0)),
    ...whileLt(8, get(3), 1, [
      ...put(20, [...get(10), ...v128Load(0)]),
      ...[11, 12, 13, 14].flatMap((c, r) => [
        ...get(16 + r), ...get(c), ...f64Load0, ...f64x2Splat, ...get(20), ...f64x2Mul,
        ...f64x2Add, ...set(16 + r),
        ...put(c, [...get(c), ...i32(8), I32_ADD]),
      ]),
      ...put(10, [...get(10), ...i32(16), I32_ADD]),
    ]),
    ...[11, 12, 13, 14].flatMap((c, r) => finishRow(c, 16 + r)),
  ]),
  END,
];

export const CHOL_FUNC = [...vec([[8, 0x7f], [1, 0x7c], [5, 0x7b]]), ...CHOL];

// invRows(l, u, up, inv, n, j): byte offsets of the factor L, of U = L⁻ᵀ being written (n×n),
// of rows j, j+1 of U interleaved (up[2k], up[2k+1] = U[j][k], U[j+1][k], from k = j on) and
// of 1/L[i][i]; the entries (j…j+1, i…i+1) of U for i = j+2, j+4, … while i + 1 < n, as the
// plain loop: each row's two sums over j ≤ k < i in one f64x2 (one lane per row of U).
// Locals: 6 i, 7 k, 8 n·8, 9 and 10 the cursors in L[i] and L[i+1], 11 the cursor in up;
// v128 12 and 13 the sums of rows i and i+1, 14 up[2k…2k+1], 15 and 16 U[j…j+1][i], [i+1]
const f64x2Neg: number[] = [0xfd, ...u32(237)];
// deno-fmt-ignore
const INV: number[] = [
  ...put(8, [...get(4), ...i32(8), I32_MUL]),
  ...put(6, [...get(5), ...i32(2), I32_ADD]),
  ...whileLt(6, [...get(4), ...i32(1), I32_SUB], 2, [
    ...put(9, [...get(0), ...get(6), ...get(8), I32_MUL, I32_ADD, ...get(5), ...i32(8), I32_MUL,
      I32_ADD]),
    ...put(10, [...get(9), ...get(8), I32_ADD]),
    ...put(11, [...get(2), ...get(5), ...i32(16), I32_MUL, I32_ADD]),
    ...put(12, zero2), ...put(13, zero2),
    ...put(7, get(5)),
    ...whileLt(7, get(6), 1, [
      ...put(14, [...get(11), ...v128Load(0)]),
      ...put(12, [...get(12), ...get(9), ...f64Load0, ...f64x2Splat, ...get(14), ...f64x2Mul,
        ...f64x2Add]),
      ...put(13, [...get(13), ...get(10), ...f64Load0, ...f64x2Splat, ...get(14), ...f64x2Mul,
        ...f64x2Add]),
      ...put(9, [...get(9), ...i32(8), I32_ADD]),
      ...put(10, [...get(10), ...i32(8), I32_ADD]),
      ...put(11, [...get(11), ...i32(16), I32_ADD]),
    ]),
    // a = −s·inv[i]; b = −(t + L[i+1][i]·a)·inv[i+1]
    ...put(15, [...get(12), ...f64x2Neg, ...at(3, 6), ...f64Load0, ...f64x2Splat, ...f64x2Mul]),
    ...put(16, [...get(13), ...get(10), ...f64Load0, ...f64x2Splat, ...get(15), ...f64x2Mul,
      ...f64x2Add, ...f64x2Neg, ...at(3, 6, 1), ...f64Load0, ...f64x2Splat, ...f64x2Mul]),
    ...get(11), ...get(15), ...v128Store(0),
    ...get(11), ...get(16), ...v128Store(16),
    // U[j][i], U[j][i+1], then U[j+1][i], U[j+1][i+1]
    ...put(9, [...get(1), ...get(5), ...get(8), I32_MUL, I32_ADD, ...get(6), ...i32(8), I32_MUL,
      I32_ADD]),
    ...get(9), ...get(15), ...lane(0), ...f64Store(0),
    ...get(9), ...get(16), ...lane(0), ...f64Store(8),
    ...get(9), ...get(8), I32_ADD, ...get(15), ...lane(1), ...f64Store(0),
    ...get(9), ...get(8), I32_ADD, ...get(16), ...lane(1), ...f64Store(8),
  ]),
  END,
];

export const INV_FUNC = [...vec([[6, 0x7f], [5, 0x7b]]), ...INV];
