/**
 * NumPy-exact helpers: a stable argsort of doubles (`np.argsort(kind="stable")`), half-to-even
 * rounding (`np.round`), `np.argmax`'s rules for NaN, and a log-sum-exp in the order NumPy sums.
 *
 * @module
 */
import { type Alloc, HEAP } from "./alloc.ts";

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Indices that sort `values[0..n)` ascending, ties in index order (a stable argsort; NaN last,
 * −0 equal to +0). Radix sort on the IEEE bit patterns for large inputs; scratch arrays come
 * from `alloc`.
 *
 * @category utils
 */
export function argsortStable(
  values: ArrayLike<number>,
  n: number = values.length,
  out?: Uint32Array,
  alloc: Alloc = HEAP,
): Uint32Array {
  const idx = out ?? alloc.u32(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < 2) return idx;
  if (n <= 64) {
    for (let i = 1; i < n; i++) {
      const cur = idx[i]!;
      const v = values[cur]!;
      let j = i - 1;
      while (j >= 0 && greater(values[idx[j]!]!, v)) {
        idx[j + 1] = idx[j]!;
        j--;
      }
      idx[j + 1] = cur;
    }
    return idx;
  }
  // sortable 64-bit keys as (hi, lo) 32-bit words
  const hi = alloc.u32(n), lo = alloc.u32(n);
  const keyView = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < n; i++) {
    let v = values[i]!;
    if (v === 0) v = 0;
    if (v !== v) {
      hi[i] = 0xffffffff;
      lo[i] = 0xffffffff;
      continue;
    }
    keyView.setFloat64(0, v);
    const h = keyView.getUint32(0), l = keyView.getUint32(4);
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  let src = idx, dst = alloc.u32(n);
  const count = new Uint32Array(256);
  for (let pass = 0; pass < 8; pass++) {
    const words = pass < 4 ? lo : hi;
    const shift = (pass & 3) * 8;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(words[i]! >>> shift) & 0xff]!++;
    // skip a pass where every key has the same digit
    if (count[(words[0]! >>> shift) & 0xff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = src[i]!;
      dst[count[(words[k]! >>> shift) & 0xff]!++] = k;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== idx) idx.set(src);
  return idx;
}

function greater(a: number, b: number): boolean {
  // NaN sorts last
  if (a !== a) return b === b;
  return a > b;
}

/**
 * Half-to-even rounding, as numpy's `round`.
 *
 * @category utils
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * numpy's `argmax`: the first maximum, or the first NaN.
 *
 * @category utils
 */
export function argmaxNumpy(values: Float64Array): number {
  let best = 0;
  for (let j = 0; j < values.length; j++) {
    const v = values[j]!;
    if (v !== v) return j;
    if (v > values[best]!) best = j;
  }
  return best;
}

/**
 * `log Σ exp(values[j])` over the first `count` entries (or over `values[idx[j]]`), summed in
 * that order after subtracting the largest.
 *
 * @category utils
 */
export function logSumExp(values: Float64Array, idx: Uint32Array | null, count: number): number {
  let max = -Infinity;
  for (let j = 0; j < count; j++) {
    const v = values[idx ? idx[j]! : j]!;
    if (v > max) max = v;
  }
  if (max === -Infinity) return -Infinity;
  if (max !== max) return NaN;
  let sum = 0;
  for (let j = 0; j < count; j++) sum += Math.exp(values[idx ? idx[j]! : j]! - max);
  return Math.log(sum) + max;
}
