/**
 * A minimal WebAssembly assembler (private): LEB128 numbers, sections, and the opcodes the GP's
 * SIMD loops use (`_simd.ts`), named so that the module reads as its instructions.
 *
 * @module
 */

/** `v` as unsigned LEB128. */
export function u32(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** `i32.const v` (signed LEB128). */
export function i32(v: number): number[] {
  const out: number[] = [0x41];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && (b & 0x40))) return [...out, b];
    out.push(b | 0x80);
  }
}
export const vec = (items: number[][]): number[] => [...u32(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [id, ...u32(body.length), ...body];
export const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
export const get = (i: number): number[] => [0x20, ...u32(i)];
export const set = (i: number): number[] => [0x21, ...u32(i)];
export const f64Load: number[] = [0x2b, 3, 0];
export const v128Load = (offset: number): number[] => [0xfd, 0, 3, ...u32(offset)];
export const v128Store = (offset: number): number[] => [0xfd, 11, 3, ...u32(offset)];
export const f64x2Splat: number[] = [0xfd, 20];
export const f64x2Sub: number[] = [0xfd, ...u32(241)];
export const f64x2Mul: number[] = [0xfd, ...u32(242)];
export const f64x2Add: number[] = [0xfd, ...u32(240)];
export const lane = (l: number): number[] => [0xfd, 0x21, l];
export const f64Store = (offset: number): number[] => [0x39, 3, ...u32(offset)];
export const zero2: number[] = [0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 20];
export const I32_ADD = 0x6a,
  I32_MUL = 0x6c,
  I32_EQZ = 0x45,
  I32_LT_U = 0x49,
  BR_IF = 0x0d,
  END = 0x0b;
export const BR = 0x0c;
export const F64_SUB = 0xa1, F64_MUL = 0xa2, F64_DIV = 0xa3, I32_SUB = 0x6b, I32_LT_S = 0x48;
/** `&local[idx]` for an f64 array at local `base` and index local `idx` (plus `plus`). */
// deno-fmt-ignore
export const at = (base: number, idx: number, plus = 0): number[] => [
  ...get(base), ...get(idx), ...(plus ? [...i32(plus), I32_ADD] : []), ...i32(8), I32_MUL,
  I32_ADD,
];
export const f64Load0: number[] = [0x2b, 3, 0];
export const F64_ADD = 0xa0, I32_AND = 0x71;
/** `local = value`. */
export const put = (local: number, value: number[]): number[] => [...value, ...set(local)];
/** `while (local < limit()) { body; local += step }` (signed). */
// deno-fmt-ignore
export const whileLt = (local: number, limit: number[], step: number, body: number[]): number[] => [
  0x02, 0x40, 0x03, 0x40,
  ...get(local), ...limit, I32_LT_S, I32_EQZ, BR_IF, 1,
  ...body,
  ...get(local), ...i32(step), I32_ADD, ...set(local),
  BR, 0, END, END,
];
