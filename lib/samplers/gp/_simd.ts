/**
 * The hottest loop of the candidates' posterior in WebAssembly SIMD (private): the sums over
 * `j < i` of `solveLowerBlock4InPlace`'s four rows and four points,
 * `v[r·4 + p] − Σ_j L[r][j]·v[j·4 + p]`, with the four points in two `f64x2` lanes each. Every
 * lane is one of the plain loop's sums, subtracting the same products in the same order
 * (WebAssembly neither fuses nor reorders them), so the values are the same bit for bit, about
 * three times faster than the plain loop (which the sampler keeps where WebAssembly SIMD is
 * missing). The module is assembled below from named opcodes (no binary file to trust).
 *
 * @module
 */

/** `v` as unsigned LEB128. */
function u32(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** `i32.const v` (small non-negative `v`: one signed LEB128 byte suffices below 64). */
const i32 = (v: number): number[] => [0x41, ...u32(v)];
const vec = (items: number[][]): number[] => [...u32(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...u32(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const get = (i: number): number[] => [0x20, ...u32(i)];
const set = (i: number): number[] => [0x21, ...u32(i)];
const f64Load: number[] = [0x2b, 3, 0];
const v128Load = (offset: number): number[] => [0xfd, 0, 3, ...u32(offset)];
const v128Store = (offset: number): number[] => [0xfd, 11, 3, ...u32(offset)];
const f64x2Splat: number[] = [0xfd, 20];
const f64x2Sub: number[] = [0xfd, ...u32(241)];
const f64x2Mul: number[] = [0xfd, ...u32(242)];
const f64x2Add: number[] = [0xfd, ...u32(240)];
const lane = (l: number): number[] => [0xfd, 0x21, l];
const f64Store = (offset: number): number[] => [0x39, 3, ...u32(offset)];
const zero2: number[] = [0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 20];
const I32_ADD = 0x6a, I32_MUL = 0x6c, I32_EQZ = 0x45, I32_LT_U = 0x49, BR_IF = 0x0d, END = 0x0b;
const BR = 0x0c;

// sums4(chol, v, n, i): byte offsets of L (row-major n×n) and v (n×4); locals: 4 j, 5 block
// (byte offset of v[i·4]), 6…9 the four rows' cursors in L, 10 the cursor in v, 11 n·8;
// 12…19 the sums (rows i…i+3, points 0–1 then 2–3), 20 and 21 v[j·4…j·4+3]
const SUMS = [12, 13, 14, 15, 16, 17, 18, 19];
const ROWS = [6, 7, 8, 9];
// deno-fmt-ignore
const BODY: number[] = [
  ...get(1), ...get(3), ...i32(32), I32_MUL, I32_ADD, ...set(5),
  ...SUMS.flatMap((s, q) => [...get(5), ...v128Load(16 * q), ...set(s)]),
  ...get(2), ...i32(8), I32_MUL, ...set(11),
  ...get(0), ...get(3), ...get(11), I32_MUL, I32_ADD, ...set(6),
  ...[7, 8, 9].flatMap((r) => [...get(r - 1), ...get(11), I32_ADD, ...set(r)]),
  ...get(1), ...set(10),
  0x02, 0x40, // block
  ...get(3), I32_EQZ, BR_IF, 0,
  0x03, 0x40, // loop
  ...get(10), ...v128Load(0), ...set(20),
  ...get(10), ...v128Load(16), ...set(21),
  ...ROWS.flatMap((r, q) => [
    ...[0, 1].flatMap((h) => [
      ...get(SUMS[2 * q + h]!), ...get(r), ...f64Load, ...f64x2Splat, ...get(20 + h),
      ...f64x2Mul, ...f64x2Sub, ...set(SUMS[2 * q + h]!),
    ]),
    ...get(r), ...i32(8), I32_ADD, ...set(r),
  ]),
  ...get(10), ...i32(32), I32_ADD, ...set(10),
  ...get(4), ...i32(1), I32_ADD, 0x22, 4, ...get(3), I32_LT_U, BR_IF, 0,
  END, END,
  ...SUMS.flatMap((s, q) => [...get(5), ...get(s), ...v128Store(16 * q)]),
  END,
];

const FUNC = [...vec([[8, 0x7f], [10, 0x7b]]), ...BODY];

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

const GRAM_FUNC = [...vec([[9, 0x7f], [8, 0x7b]]), ...GRAM];

/** The module: imports memory `m.mem`, exports `sums4` and `gramPair`. */
// deno-fmt-ignore
const BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, vec([
    [0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f]]), 0],
    [0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f], [0x7f]]), 0],
  ])),
  ...section(2, vec([[...name("m"), ...name("mem"), 0x02, 0x00, 1]])),
  ...section(3, vec([[0], [1]])),
  ...section(7, vec([[...name("sums4"), 0x00, 0], [...name("gramPair"), 0x00, 1]])),
  ...section(10, vec([[...u32(FUNC.length), ...FUNC], [...u32(GRAM_FUNC.length), ...GRAM_FUNC]])),
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
 * A factor and a block of four points in WebAssembly memory, and the sums of four rows:
 * `sums(i)` overwrites `v[i·4 … i·4+15]` with `v[r·4 + p] − Σ_{j<i} chol[r·n + j]·v[j·4 + p]`
 * for the rows `r = i…i+3` (`i + 3 < n`).
 */
export interface Block4Kernel {
  /** The `n×n` factor (to be filled by the caller). */
  readonly chol: Float64Array;
  /** The block's `n×4` values. */
  readonly v: Float64Array;
  /** The sums of rows `i…i+3`, written into `v`. */
  readonly sums: (i: number) => void;
}

/** A {@link Block4Kernel} for an `n×n` factor, or undefined without WebAssembly SIMD. */
export function block4Kernel(n: number): Block4Kernel | undefined {
  if (!MODULE) return undefined;
  const bytes = 8 * (n * n + 4 * n);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const instance = new WebAssembly.Instance(MODULE, { m: { mem: memory } });
  const sums4 = instance.exports.sums4 as (c: number, v: number, n: number, i: number) => void;
  const vAt = 8 * n * n;
  return {
    chol: new Float64Array(memory.buffer, 0, n * n),
    v: new Float64Array(memory.buffer, vAt, 4 * n),
    sums: (i) => sums4(0, vAt, n, i),
  };
}

/**
 * The inverse's buffers in WebAssembly memory and its blocked sums: after `interleave()` (of
 * the `U` in `u`), `pair(i)` writes the entries `(i…i+1, j…j+3)`, `j = 0, 4, …` while
 * `j + 3 < i`, of `U·Uᵀ` and their mirrors into `out`, the same values as the plain loop.
 */
export interface GramKernel {
  /** `U` (`n×n`, to be filled by the caller). */
  readonly u: Float64Array;
  /** The inverse (`n×n`). */
  readonly out: Float64Array;
  /** Interleaves `U`'s quads of rows (columns `k ≥ j + 4` of quad `j`). */
  readonly interleave: () => void;
  /** The blocked entries of rows `i`, `i+1`. */
  readonly pair: (i: number) => void;
}

/** A {@link GramKernel} for `n×n` matrices, or undefined without WebAssembly SIMD. */
export function gramKernel(n: number): GramKernel | undefined {
  if (!MODULE) return undefined;
  const quads = Math.ceil(n / 4) * 4;
  const bytes = 8 * (2 * n * n + quads * n);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const instance = new WebAssembly.Instance(MODULE, { m: { mem: memory } });
  const gramPair = instance.exports.gramPair as (...a: number[]) => void;
  const outAt = 8 * n * n, qAt = 16 * n * n;
  const u = new Float64Array(memory.buffer, 0, n * n);
  const q = new Float64Array(memory.buffer, qAt, quads * n);
  return {
    u,
    out: new Float64Array(memory.buffer, outAt, n * n),
    interleave: () => {
      for (let j = 0; j + 3 < n; j += 4) {
        for (let c = 0; c < 4; c++) {
          const row = (j + c) * n;
          for (let k = j + 4, at = j * n + 4 * k + c; k < n; k++, at += 4) q[at] = u[row + k]!;
        }
      }
    },
    pair: (i) => gramPair(0, qAt, outAt, n, i),
  };
}
