/**
 * The GP's hottest loops in WebAssembly SIMD (private): the candidates' triangular solve
 * (`solveLowerBlock4InPlace`, four points in two `f64x2` lanes each), the local search's two
 * triangular solves (`solveLowerInPlace`, `solveUpperTInPlace`), and the fit's Cholesky rows
 * and `U·Uᵀ` blocks (`_simd_fit.ts`). Every lane is one of the plain loops' sums, taking the
 * same products in the same order (WebAssembly neither fuses nor reorders them), so the values
 * are the same bit for bit, two to three times faster than the plain loops (which the sampler
 * keeps where WebAssembly SIMD is missing). The module is assembled below from named opcodes
 * (`_wasm.ts`; no binary file to trust). One WebAssembly memory per fit workspace, per block
 * of candidates and per acquisition term holds the buffers these loops read.
 *
 * @module
 */

import {
  at,
  BR,
  BR_IF,
  END,
  F64_ADD,
  F64_DIV,
  F64_MUL,
  F64_SUB,
  f64Load,
  f64Load0,
  f64Store,
  f64x2Add,
  f64x2Mul,
  f64x2Splat,
  f64x2Sub,
  get,
  i32,
  I32_ADD,
  I32_AND,
  I32_EQZ,
  I32_LT_S,
  I32_LT_U,
  I32_MUL,
  I32_SUB,
  lane,
  name,
  put,
  section,
  set,
  u32,
  v128Load,
  v128Store,
  vec,
  whileLt,
  zero2,
} from "./_wasm.ts";
import { CHOL_FUNC, GRAM_FUNC, INV_FUNC } from "./_simd_fit.ts";

// solve4(chol, v, invDiag, n, q): byte offsets of L (row-major n×n), v (n×4), 1/L[i][i] (n)
// and the four squared norms' output; for i = 0, 4, … while i + 3 < n, rows i…i+3 of
// L⁻¹·V as the plain loop (sums over j < i, then the 4×4 triangle) and the squared norms
// summed by row pairs. Locals: 5 i, 6 j, 7 the block's offset in v, 8…11 the four rows'
// cursors in L, 12 the cursor in v, 13 n·8, 14 &invDiag[i]; 15…22 the rows (i: points 0–1,
// 2–3; i+1; i+2; i+3), 23 and 24 v[j·4…j·4+3], 25 and 26 the squared norms, 27 a splat
const [A01, A23, B01, B23, C01, C23, D01, D23] = [15, 16, 17, 18, 19, 20, 21, 22];
const ROWS4 = [A01, A23, B01, B23, C01, C23, D01, D23];
const ROWS = [8, 9, 10, 11];
const S = 27;
/** `S = splat(f64 at local ptr + offset)`. */
// deno-fmt-ignore
const splatAt = (ptr: number, offset: number): number[] => [
  ...get(ptr), 0x2b, 3, ...u32(offset), ...f64x2Splat, ...set(S),
];
/** `x = x − S·y` on the two halves. */
// deno-fmt-ignore
const subS = (x: number, y: number): number[] => [
  ...get(x), ...get(S), ...get(y), ...f64x2Mul, ...f64x2Sub, ...set(x),
];
/** `x = x·S`. */
const mulS = (x: number): number[] => [...get(x), ...get(S), ...f64x2Mul, ...set(x)];
/** `Q = Q + (x·x + y·y)`. */
// deno-fmt-ignore
const addSquares = (q: number, x: number, y: number): number[] => [
  ...get(q), ...get(x), ...get(x), ...f64x2Mul, ...get(y), ...get(y), ...f64x2Mul, ...f64x2Add,
  ...f64x2Add, ...set(q),
];
// deno-fmt-ignore
const SOLVE: number[] = [
  ...get(3), ...i32(8), I32_MUL, ...set(13),
  ...zero2, ...set(25), ...zero2, ...set(26),
  0x02, 0x40, 0x03, 0x40, // block, loop over the quads of rows
  ...get(5), ...i32(3), I32_ADD, ...get(3), I32_LT_U, I32_EQZ, BR_IF, 1,
  ...get(1), ...get(5), ...i32(32), I32_MUL, I32_ADD, ...set(7),
  ...ROWS4.flatMap((r, q) => [...get(7), ...v128Load(16 * q), ...set(r)]),
  ...get(0), ...get(5), ...get(13), I32_MUL, I32_ADD, ...set(8),
  ...[9, 10, 11].flatMap((r) => [...get(r - 1), ...get(13), I32_ADD, ...set(r)]),
  ...get(1), ...set(12),
  ...i32(0), ...set(6),
  0x02, 0x40, // block: no rows above when i = 0
  ...get(5), I32_EQZ, BR_IF, 0,
  0x03, 0x40, // loop over j < i
  ...get(12), ...v128Load(0), ...set(23),
  ...get(12), ...v128Load(16), ...set(24),
  ...ROWS.flatMap((r, q) => [
    ...[0, 1].flatMap((h) => [
      ...get(ROWS4[2 * q + h]!), ...get(r), ...f64Load, ...f64x2Splat, ...get(23 + h),
      ...f64x2Mul, ...f64x2Sub, ...set(ROWS4[2 * q + h]!),
    ]),
    ...get(r), ...i32(8), I32_ADD, ...set(r),
  ]),
  ...get(12), ...i32(32), I32_ADD, ...set(12),
  ...get(6), ...i32(1), I32_ADD, 0x22, 6, ...get(5), I32_LT_U, BR_IF, 0,
  END, END,
  // the triangle (the row cursors are at column i): each row subtracts the rows above, in order
  ...get(2), ...get(5), ...i32(8), I32_MUL, I32_ADD, ...set(14),
  ...splatAt(14, 0), ...mulS(A01), ...mulS(A23),
  ...splatAt(9, 0), ...subS(B01, A01), ...subS(B23, A23),
  ...splatAt(14, 8), ...mulS(B01), ...mulS(B23),
  ...splatAt(10, 0), ...subS(C01, A01), ...subS(C23, A23),
  ...splatAt(10, 8), ...subS(C01, B01), ...subS(C23, B23),
  ...splatAt(14, 16), ...mulS(C01), ...mulS(C23),
  ...splatAt(11, 0), ...subS(D01, A01), ...subS(D23, A23),
  ...splatAt(11, 8), ...subS(D01, B01), ...subS(D23, B23),
  ...splatAt(11, 16), ...subS(D01, C01), ...subS(D23, C23),
  ...splatAt(14, 24), ...mulS(D01), ...mulS(D23),
  ...ROWS4.flatMap((r, q) => [...get(7), ...get(r), ...v128Store(16 * q)]),
  ...addSquares(25, A01, B01), ...addSquares(26, A23, B23),
  ...addSquares(25, C01, D01), ...addSquares(26, C23, D23),
  ...get(5), ...i32(4), I32_ADD, ...set(5),
  BR, 0,
  END, END,
  ...get(4), ...get(25), ...v128Store(0),
  ...get(4), ...get(26), ...v128Store(16),
  END,
];

const SOLVE_FUNC = [...vec([[10, 0x7f], [13, 0x7b]]), ...SOLVE];

// upperT(l, b, n): byte offsets of L (row-major n×n) and b (n); solves Lᵀ·x = b in place as
// solveUpperTInPlace: two rows at a time, the entries above updated two by two (one lane
// each, the same two subtractions in order). Locals: 3 i, 4 &L[i][0], 5 &L[i−1][0], 6 j,
// 7 i − 1, 8 n·8; f64 9 v, 10 w; v128 11 and 12 v and w splatted
// deno-fmt-ignore
const UPPER: number[] = [
  ...get(2), ...i32(8), I32_MUL, ...set(8),
  ...get(2), ...i32(1), I32_SUB, ...set(3),
  0x02, 0x40, 0x03, 0x40, // block, loop over row pairs
  ...get(3), ...i32(1), I32_LT_S, BR_IF, 1,
  ...get(0), ...get(3), ...get(8), I32_MUL, I32_ADD, ...set(4),
  ...get(4), ...get(8), I32_SUB, ...set(5),
  ...get(3), ...i32(1), I32_SUB, ...set(7),
  // v = b[i] / L[i][i]; w = (b[i−1] − v·L[i][i−1]) / L[i−1][i−1]
  ...at(1, 3), ...f64Load0, ...at(4, 3), ...f64Load0, F64_DIV, 0x21, 9,
  ...at(1, 3), 0x20, 9, ...f64Store(0),
  ...at(1, 7), ...f64Load0, 0x20, 9, ...at(4, 7), ...f64Load0, F64_MUL, F64_SUB,
  ...at(5, 7), ...f64Load0, F64_DIV, 0x21, 10,
  ...at(1, 7), 0x20, 10, ...f64Store(0),
  0x20, 9, ...f64x2Splat, ...set(11),
  0x20, 10, ...f64x2Splat, ...set(12),
  ...i32(0), ...set(6),
  0x02, 0x40, 0x03, 0x40, // block, loop over j, j+1 < i − 1
  ...get(6), ...i32(1), I32_ADD, ...get(7), I32_LT_S, I32_EQZ, BR_IF, 1,
  ...at(1, 6),
  ...at(1, 6), ...v128Load(0), ...get(11), ...at(4, 6), ...v128Load(0), ...f64x2Mul, ...f64x2Sub,
  ...get(12), ...at(5, 6), ...v128Load(0), ...f64x2Mul, ...f64x2Sub,
  ...v128Store(0),
  ...get(6), ...i32(2), I32_ADD, ...set(6),
  BR, 0,
  END, END,
  0x02, 0x40, // the last entry above when i − 1 is odd
  ...get(6), ...get(7), I32_LT_S, I32_EQZ, BR_IF, 0,
  ...at(1, 6),
  ...at(1, 6), ...f64Load0, 0x20, 9, ...at(4, 6), ...f64Load0, F64_MUL, F64_SUB,
  0x20, 10, ...at(5, 6), ...f64Load0, F64_MUL, F64_SUB,
  ...f64Store(0),
  END,
  ...get(3), ...i32(2), I32_SUB, ...set(3),
  BR, 0,
  END, END,
  0x02, 0x40, // i = 0: b[0] = b[0] / L[0][0]
  ...get(3), BR_IF, 0,
  ...get(1), ...get(1), ...f64Load0, ...get(0), ...f64Load0, F64_DIV, ...f64Store(0),
  END,
  END,
];

const UPPER_FUNC = [...vec([[6, 0x7f], [2, 0x7c], [2, 0x7b]]), ...UPPER];

// lowerSolve(l, b, n): byte offsets of L (row-major n×n) and b (n); solves L·x = b in place
// as solveLowerInPlace: two rows at a time, each row's dot product with four partial sums in
// two f64x2 lanes pairs (s0 s1 | s2 s3), its tail into s0, then (s0 + s1) + (s2 + s3).
// Locals: 3 i, 4 k, 5 m = 4⌊i/4⌋, 6 &L[i][0], 7 &L[i+1][0], 8 n·8; f64 9 s0, 10 t0;
// v128 11…14 the partial sums (row i: s0 s1, s2 s3; row i+1: same), 15 and 16 b[k…k+3]
/** The blocks of four of row `row` (cursor local) into the partial sums `lo`, `hi`. */
// deno-fmt-ignore
const blocksOf = (row: number, lo: number, hi: number): number[] => [
  ...get(lo), ...at(row, 4), ...v128Load(0), ...get(15), ...f64x2Mul, ...f64x2Add, ...set(lo),
  ...get(hi), ...at(row, 4), ...v128Load(16), ...get(16), ...f64x2Mul, ...f64x2Add, ...set(hi),
];
/** `sum = sum + L[row][k]·b[k]`. */
// deno-fmt-ignore
const tailTerm = (sum: number, row: number): number[] => [
  ...get(sum), ...at(row, 4), ...f64Load0, ...at(1, 4), ...f64Load0, F64_MUL, F64_ADD, ...set(sum),
];
/** `b[r] = (b[r] − ((s0 + s1) + (s2 + s3))) / L[r][r]`, `r` = `i + plus`. */
// deno-fmt-ignore
const finish = (s0: number, lo: number, hi: number, row: number, plus: number): number[] => [
  ...at(1, 3, plus),
  ...at(1, 3, plus), ...f64Load0,
  ...get(s0), ...get(lo), ...lane(1), F64_ADD, ...get(hi), ...lane(0), ...get(hi), ...lane(1),
  F64_ADD, F64_ADD, F64_SUB,
  ...at(row, 3, plus), ...f64Load0, F64_DIV,
  ...f64Store(0),
];
// deno-fmt-ignore
const rowStart = (row: number, plus: number): number[] =>
  put(row, [...get(0), ...get(3), ...(plus ? [...i32(plus), I32_ADD] : []), ...get(8), I32_MUL,
    I32_ADD]);
// deno-fmt-ignore
const LOWER: number[] = [
  ...put(8, [...get(2), ...i32(8), I32_MUL]),
  ...put(3, i32(0)),
  // row pairs
  ...whileLt(3, [...get(2), ...i32(1), I32_SUB], 2, [
    ...rowStart(6, 0), ...rowStart(7, 1),
    ...put(5, [...get(3), ...i32(-4), I32_AND]),
    ...[11, 12, 13, 14].flatMap((a) => put(a, zero2)),
    ...put(4, i32(0)),
    ...whileLt(4, get(5), 4, [
      ...put(15, [...at(1, 4), ...v128Load(0)]),
      ...put(16, [...at(1, 4), ...v128Load(16)]),
      ...blocksOf(6, 11, 12), ...blocksOf(7, 13, 14),
    ]),
    ...put(9, [...get(11), ...lane(0)]),
    ...put(4, get(5)),
    ...whileLt(4, get(3), 1, tailTerm(9, 6)),
    ...finish(9, 11, 12, 6, 0),
    ...put(10, [...get(13), ...lane(0)]),
    ...put(4, get(5)),
    ...whileLt(4, [...get(3), ...i32(1), I32_ADD], 1, tailTerm(10, 7)),
    ...finish(10, 13, 14, 7, 1),
  ]),
  // the last row when n is odd
  0x02, 0x40,
  ...get(3), ...get(2), I32_LT_S, I32_EQZ, BR_IF, 0,
  ...rowStart(6, 0),
  ...put(5, [...get(3), ...i32(-4), I32_AND]),
  ...[11, 12].flatMap((a) => put(a, zero2)),
  ...put(4, i32(0)),
  ...whileLt(4, get(5), 4, [
    ...put(15, [...at(1, 4), ...v128Load(0)]),
    ...put(16, [...at(1, 4), ...v128Load(16)]),
    ...blocksOf(6, 11, 12),
  ]),
  ...put(9, [...get(11), ...lane(0)]),
  ...put(4, get(5)),
  ...whileLt(4, get(3), 1, tailTerm(9, 6)),
  ...finish(9, 11, 12, 6, 0),
  END,
  END,
];

const LOWER_FUNC = [...vec([[6, 0x7f], [2, 0x7c], [6, 0x7b]]), ...LOWER];

/** The module: imports memory `m.mem`; exports the functions above. */
// deno-fmt-ignore
const BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, vec([
    [0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f], [0x7f]]), 0],
    [0x60, ...vec([[0x7f], [0x7f], [0x7f]]), 0],
    [0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f], [0x7c], [0x7c], [0x7c]]), 0],
    [0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f], [0x7f], [0x7f]]), 0],
  ])),
  ...section(2, vec([[...name("m"), ...name("mem"), 0x02, 0x00, 1]])),
  ...section(3, vec([[0], [0], [1], [1], [2], [3]])),
  ...section(7, vec([
    [...name("solve4"), 0x00, 0],
    [...name("gramPair"), 0x00, 1],
    [...name("upperT"), 0x00, 2],
    [...name("lowerSolve"), 0x00, 3],
    [...name("cholRows"), 0x00, 4],
    [...name("invRows"), 0x00, 5],
  ])),
  ...section(10, vec([
    [...u32(SOLVE_FUNC.length), ...SOLVE_FUNC],
    [...u32(GRAM_FUNC.length), ...GRAM_FUNC],
    [...u32(UPPER_FUNC.length), ...UPPER_FUNC],
    [...u32(LOWER_FUNC.length), ...LOWER_FUNC],
    [...u32(CHOL_FUNC.length), ...CHOL_FUNC],
    [...u32(INV_FUNC.length), ...INV_FUNC],
  ])),
]);

/** The compiled module, or undefined where WebAssembly (or its SIMD) is missing. */
const MODULE: WebAssembly.Module | undefined = (() => {
  try {
    return new WebAssembly.Module(BYTES);
  } catch {
    return undefined;
  }
})();

/**
 * An instance of the module on a fresh memory of at least `bytes` bytes (its buffer beside),
 * or undefined without WebAssembly SIMD or beyond 1 GiB (the plain loops then).
 */
function instanceFor(
  bytes: number,
): { readonly exports: WebAssembly.Exports; readonly buffer: ArrayBufferLike } | undefined {
  if (!MODULE || bytes > 2 ** 30) return undefined;
  try {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
    const instance = new WebAssembly.Instance(MODULE, { m: { mem: memory } });
    return { exports: instance.exports, buffer: memory.buffer };
  } catch {
    return undefined;
  }
}

/**
 * A factor, its inverse diagonal and a block of four points in WebAssembly memory, and the
 * solve of their full quads of rows: `solve()` replaces rows `0…4⌊n/4⌋−1` of `v` with those of
 * `L⁻¹·V` and returns the four points' squared norms over them (the plain loop's values).
 */
export interface Block4Kernel {
  /** The `n×n` factor (to be filled by the caller). */
  readonly chol: Float64Array;
  /** `1/L[i][i]` (to be filled by the caller). */
  readonly invDiag: Float64Array;
  /** The block's `n×4` values. */
  readonly v: Float64Array;
  /** Solves the full quads of rows; the squared norms so far. */
  readonly solve: () => [number, number, number, number];
}

/** A {@link Block4Kernel} for an `n×n` factor, or undefined without WebAssembly SIMD. */
export function block4Kernel(n: number): Block4Kernel | undefined {
  const instance = instanceFor(8 * (n * n + 5 * n + 4));
  if (!instance) return undefined;
  const buffer = instance.buffer;
  const solve4 = instance.exports.solve4 as (...a: number[]) => void;
  const vAt = 8 * n * n, dAt = vAt + 32 * n, qAt = dAt + 8 * n;
  const q = new Float64Array(buffer, qAt, 4);
  return {
    chol: new Float64Array(buffer, 0, n * n),
    invDiag: new Float64Array(buffer, dAt, n),
    v: new Float64Array(buffer, vAt, 4 * n),
    solve: () => {
      solve4(0, vAt, dAt, n, qAt);
      return [q[0]!, q[1]!, q[2]!, q[3]!];
    },
  };
}

/** The blocked loops of `choleskyInverse` (WebAssembly SIMD, the same values). */
export interface InverseBlocks {
  /** Interleaves `U`'s quads of rows for `pair`. */
  readonly interleave: () => void;
  /** The 2×4 blocks of rows `i`, `i+1` of `U·Uᵀ` below column `4⌊i/4⌋`. */
  readonly pair: (i: number) => void;
  /** `1/L[i][i]`, filled by the inverse (its buffer for `invRows`). */
  readonly invDiag: Float64Array;
  /** Rows `j`, `j+1` of `U` from column `j + 2` on, in pairs of columns. */
  readonly invRows: (j: number) => void;
}

/**
 * A fit's buffers in WebAssembly memory and its blocked loops (the plain loops' values):
 * `rows(j, l00, l10, l11)` finishes the quads of rows below the column pair `j`, `j+1` of the
 * factor being computed in `chol` (`choleskyInPlace`'s), and after `interleave()` (of the `U`
 * in `u`), `pair(i)` writes the entries `(i…i+1, j…j+3)`, `j = 0, 4, …` while `j + 3 < i`, of
 * `U·Uᵀ` and their mirrors into `out`; `invRows(j)` computes rows `j`, `j+1` of `U = L⁻ᵀ` (the
 * factor in `chol`) in `u`.
 */
export interface GramKernel {
  /** The matrix to factorise, then its factor (`n×n`, to be filled by the caller). */
  readonly chol: Float64Array;
  /** The quads of rows below a column pair of the factor. */
  readonly rows: (j: number, l00: number, l10: number, l11: number) => void;
  /** `U` (`n×n`, to be filled by the caller). */
  readonly u: Float64Array;
  /** The inverse (`n×n`). */
  readonly out: Float64Array;
  /** Interleaves `U`'s quads of rows (columns `k ≥ j + 4` of quad `j`). */
  readonly interleave: () => void;
  /** The blocked entries of rows `i`, `i+1`. */
  readonly pair: (i: number) => void;
  /** `1/L[i][i]` of the factor in `chol` (to be filled by the caller). */
  readonly invDiag: Float64Array;
  /** Rows `j`, `j+1` of `U` from column `j + 2` on, in pairs of columns (needs `invDiag`). */
  readonly invRows: (j: number) => void;
}

/** A {@link GramKernel} for `n×n` matrices, or undefined without WebAssembly SIMD. */
export function gramKernel(n: number): GramKernel | undefined {
  const quads = Math.ceil(n / 4) * 4;
  const instance = instanceFor(8 * (3 * n * n + quads * n + 3 * n));
  if (!instance) return undefined;
  const buffer = instance.buffer;
  const gramPair = instance.exports.gramPair as (...a: number[]) => void;
  const cholRows = instance.exports.cholRows as (...a: number[]) => void;
  const invRows = instance.exports.invRows as (...a: number[]) => void;
  const outAt = 8 * n * n, qAt = 16 * n * n, cAt = qAt + 8 * quads * n, pqAt = cAt + 8 * n * n;
  const u = new Float64Array(buffer, 0, n * n);
  const q = new Float64Array(buffer, qAt, quads * n);
  const chol = new Float64Array(buffer, cAt, n * n);
  const pq = new Float64Array(buffer, pqAt, 2 * n), dAt = pqAt + 16 * n;
  return {
    chol,
    rows: (j, l00, l10, l11) => {
      for (let k = 0, rj = j * n, rj1 = rj + n; k < j; k++) {
        pq[2 * k] = chol[rj + k]!;
        pq[2 * k + 1] = chol[rj1 + k]!;
      }
      cholRows(cAt, pqAt, n, j, l00, l10, l11);
    },
    u,
    out: new Float64Array(buffer, outAt, n * n),
    interleave: () => {
      for (let j = 0; j + 3 < n; j += 4) {
        for (let c = 0; c < 4; c++) {
          const row = (j + c) * n;
          for (let k = j + 4, at = j * n + 4 * k + c; k < n; k++, at += 4) q[at] = u[row + k]!;
        }
      }
    },
    pair: (i) => gramPair(0, qAt, outAt, n, i),
    invDiag: new Float64Array(buffer, dAt, n),
    invRows: (j) => {
      const rj = j * n, rj1 = rj + n;
      pq[2 * j] = u[rj + j]!;
      pq[2 * j + 1] = u[rj1 + j]!;
      pq[2 * j + 2] = u[rj + j + 1]!;
      pq[2 * j + 3] = u[rj1 + j + 1]!;
      invRows(cAt, 0, pqAt, dAt, n, j);
    },
  };
}

/**
 * A factor and a vector in WebAssembly memory: `upperT()` solves `Lᵀ·x = b` in place in `b`
 * (the values of `solveUpperTInPlace`).
 */
export interface UpperKernel {
  /** The `n×n` factor (to be filled by the caller). */
  readonly chol: Float64Array;
  /** The right-hand side, then the solution. */
  readonly b: Float64Array;
  /** Solves in place. */
  readonly upperT: () => void;
  /** Solves `L·x = b` in place in `b` (the values of `solveLowerInPlace`). */
  readonly lower: () => void;
}

/** An {@link UpperKernel} for an `n×n` factor, or undefined without WebAssembly SIMD. */
export function upperKernel(n: number): UpperKernel | undefined {
  const instance = instanceFor(8 * (n * n + n));
  if (!instance) return undefined;
  const buffer = instance.buffer;
  const upperT = instance.exports.upperT as (...a: number[]) => void;
  const lower = instance.exports.lowerSolve as (...a: number[]) => void;
  const bAt = 8 * n * n;
  return {
    chol: new Float64Array(buffer, 0, n * n),
    b: new Float64Array(buffer, bAt, n),
    upperT: () => upperT(0, bAt, n),
    lower: () => lower(0, bAt, n),
  };
}
