/**
 * Sobol' points (private): Joe–Kuo direction numbers, 30-bit points in Gray-code order exactly
 * as scipy's unscrambled `qmc.Sobol` produces them (point `k` of the sequence, point 0 the
 * origin), plus linear matrix scrambling with a digital shift for the scrambled variant.
 *
 * @module
 */
import { nextUint32, type Rng } from "../../random/rng.ts";
import { SOBOL_MAX_DIM, SOBOL_POLY, SOBOL_VINIT } from "./_sobol_direction_numbers.ts";

/** Bits per coordinate (scipy's default): up to 2^30 distinct points. */
export const SOBOL_BITS = 30;

export { SOBOL_MAX_DIM };

/** Where dimension `d`'s initial direction numbers start in `SOBOL_VINIT`. */
function vinitOffsetTable(): Int32Array {
  const out = new Int32Array(SOBOL_MAX_DIM);
  let at = 0;
  for (let d = 1; d < SOBOL_MAX_DIM; d++) {
    out[d] = at;
    at += 31 - Math.clz32(SOBOL_POLY[d]!);
  }
  return out;
}

/** {@link vinitOffsetTable}, computed once when the module loads (a constant table). */
const VINIT_OFFSETS: Int32Array = vinitOffsetTable();

/** Direction numbers `v[d·30 + j]` (30-bit integers) of the first `dim` dimensions. */
export function directionNumbers(dim: number): Uint32Array {
  const B = SOBOL_BITS;
  const v = new Uint32Array(dim * B);
  const off = VINIT_OFFSETS;
  for (let d = 0; d < dim; d++) {
    const row = d * B;
    if (d === 0) {
      for (let j = 0; j < B; j++) v[row + j] = 1;
    } else {
      const p = SOBOL_POLY[d]!;
      const m = 31 - Math.clz32(p);
      for (let j = 0; j < m; j++) v[row + j] = SOBOL_VINIT[off[d]! + j]!;
      for (let j = m; j < B; j++) {
        let nv = v[row + j - m]!;
        let pow2 = 1;
        for (let k = 0; k < m; k++) {
          pow2 *= 2;
          if ((p >>> (m - 1 - k)) & 1) nv ^= pow2 * v[row + j - k - 1]!;
        }
        v[row + j] = nv;
      }
    }
    // scale column j by 2^(B-1-j)
    for (let j = 0; j < B; j++) v[row + j] = v[row + j]! * 2 ** (B - 1 - j);
  }
  return v;
}

/** Parity of the set bits of a 32-bit integer. */
function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/**
 * Linear matrix scrambling and a digital shift, drawn from `rng`: each dimension's direction
 * numbers are multiplied by a random lower-triangular binary matrix with a unit diagonal, and
 * every point is XOR-ed with a random shift. Returns the scrambled direction numbers and shifts.
 */
export function scramble(
  v: Uint32Array,
  dim: number,
  rng: Rng,
): { readonly v: Uint32Array; readonly shift: Uint32Array } {
  const B = SOBOL_BITS;
  const out = new Uint32Array(v.length);
  const shift = new Uint32Array(dim);
  const rows = new Uint32Array(B);
  for (let d = 0; d < dim; d++) {
    shift[d] = nextUint32(rng) >>> (32 - B);
    // row r of L as a mask over the digit positions (digit c sits at bit B-1-c)
    for (let r = 0; r < B; r++) {
      const below = r === 0 ? 0 : (nextUint32(rng) >>> (32 - r)) << (B - r);
      rows[r] = (below | (1 << (B - 1 - r))) >>> 0;
    }
    for (let j = 0; j < B; j++) {
      const x = v[d * B + j]!;
      let y = 0;
      for (let r = 0; r < B; r++) if (parity(rows[r]! & x)) y |= 1 << (B - 1 - r);
      out[d * B + j] = y >>> 0;
    }
  }
  return { v: out, shift };
}

/**
 * Point `k` of the sequence (Gray-code order; point 0 is the shift, i.e. the origin when
 * unscrambled), each coordinate in [0, 1).
 */
export function sobolPoint(
  v: Uint32Array,
  shift: Uint32Array | undefined,
  dim: number,
  k: number,
): Float64Array {
  const B = SOBOL_BITS;
  const gray = (k ^ (k >>> 1)) >>> 0;
  const out = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    let q = shift ? shift[d]! : 0;
    for (let j = 0, g = gray; g !== 0; j++, g >>>= 1) if (g & 1) q ^= v[d * B + j]!;
    out[d] = (q >>> 0) / 2 ** B;
  }
  return out;
}
