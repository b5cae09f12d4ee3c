/**
 * Numerical kernels of the Parzen estimator (private): log of the standard normal CDF, log of
 * the Gaussian mass of an interval, the truncated normal's quantile function and a stable
 * argsort of doubles. Formulas follow the case analysis Optuna 5.0 uses (left tail, right tail,
 * central interval) so that densities agree with it to ~1e-15.
 *
 * @module
 */
import { erf, erfc, normalPpf } from "../random/rng.ts";

// -------------------------------------------------------------------------------------
// constants
// -------------------------------------------------------------------------------------

/** `log(sqrt(2π))`. */
export const LOG_SQRT_2PI: number = 0.5 * Math.log(2 * Math.PI);

const SQRT1_2 = Math.SQRT1_2;

// -------------------------------------------------------------------------------------
// normal CDF in log space
// -------------------------------------------------------------------------------------

/** Φ(a) with the branch structure that keeps relative precision in both tails. */
export function ndtr(a: number): number {
  const x = a * SQRT1_2;
  if (x < -SQRT1_2) return 0.5 * erfc(-x);
  if (x < SQRT1_2) return 0.5 + 0.5 * erf(x);
  return 1 - 0.5 * erfc(x);
}

/** `0.5 + 0.5·erf(a/√2)`: Φ(a) as the central-interval formula computes it. */
function ndtrCentral(a: number): number {
  return 0.5 + 0.5 * erf(a * SQRT1_2);
}

/** log Φ(a), accurate in both tails (asymptotic series below −20). */
export function logNdtr(a: number): number {
  if (a > 6) return -ndtr(-a);
  if (a > -20) return Math.log(ndtr(a));
  if (a === -Infinity) return -Infinity;
  const logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
  let last = 0, rhs = 1, numerator = 1, denomFactor = 1, sign = 1;
  const denomCons = 1 / (a * a);
  for (let i = 1; Math.abs(last - rhs) > Number.EPSILON; i++) {
    last = rhs;
    sign = -sign;
    denomFactor *= denomCons;
    numerator *= 2 * i - 1;
    rhs += sign * numerator * denomFactor;
  }
  return logLhs + Math.log(rhs);
}

/** `log(exp(p) − exp(q))` for `p ≥ q`. */
function logDiff(p: number, q: number): number {
  return p + Math.log1p(-Math.exp(q - p));
}

/** `log(exp(p) + exp(q))`. */
export function logAddExp(p: number, q: number): number {
  if (p === -Infinity) return q;
  if (q === -Infinity) return p;
  return p > q ? p + Math.log1p(Math.exp(q - p)) : q + Math.log1p(Math.exp(p - q));
}

/** log of the standard Gaussian mass on `[a, b]` (−∞ when `a = b`). */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
  // Φ(−9) < 1.2e-19: a tail that far out does not change log1p(−Φ(a) − Φ(−b)) in double
  // precision beyond 1e-19, so skip its evaluation
  if (b >= 9) return a <= -9 ? 0 : Math.log1p(-ndtrCentral(a));
  if (a <= -9) return Math.log1p(-ndtrCentral(-b));
  return Math.log1p(-ndtrCentral(a) - ndtrCentral(-b));
}

// -------------------------------------------------------------------------------------
// truncated normal quantiles
// -------------------------------------------------------------------------------------

/** x with log Φ(x) = y (y ≤ 0). */
export function ndtriExp(y: number): number {
  if (y >= 0) return Infinity;
  if (y === -Infinity) return -Infinity;
  if (y > -1e-2) {
    // Φ(x) close to 1: invert the upper tail 1 − Φ(x) = −expm1(y) to keep precision
    return -normalPpf(-Math.expm1(y));
  }
  let x: number;
  if (y > -700) {
    x = normalPpf(Math.exp(y));
    if (x > -30) return x;
  } else {
    x = -Math.sqrt(-2 * (y + LOG_SQRT_2PI));
  }
  // far lower tail: Newton on log Φ
  for (let i = 0; i < 100; i++) {
    const lx = logNdtr(x);
    const dx = (lx - y) * Math.exp(lx + 0.5 * x * x + LOG_SQRT_2PI);
    x -= dx;
    if (Math.abs(dx) < 1e-14 * Math.abs(x)) break;
  }
  return x;
}

/**
 * The `q`-quantile of the standard normal truncated to `[a, b]`, given `logMass` =
 * {@link logGaussMass}`(a, b)`.
 */
export function truncnormPpf(q: number, a: number, b: number, logMass: number): number {
  if (q <= 0) return a;
  if (q >= 1) return b;
  let x: number;
  if (a < 0) {
    x = ndtriExp(logAddExp(logNdtr(a), Math.log(q) + logMass));
  } else {
    x = -ndtriExp(logAddExp(logNdtr(-b), Math.log1p(-q) + logMass));
  }
  return x < a ? a : x > b ? b : x;
}

// -------------------------------------------------------------------------------------
// sorting
// -------------------------------------------------------------------------------------

const keyView = new DataView(new ArrayBuffer(8));

/**
 * Indices that sort `values[0..n)` ascending, ties in index order (a stable argsort; NaN last,
 * −0 equal to +0). Radix sort on the IEEE bit patterns for large inputs.
 */
export function argsortStable(
  values: ArrayLike<number>,
  n: number = values.length,
  out?: Uint32Array,
): Uint32Array {
  const idx = out ?? u32(n);
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
  const hi = u32(n), lo = u32(n);
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
  let src = idx, dst = u32(n);
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

// -------------------------------------------------------------------------------------
// memory
// -------------------------------------------------------------------------------------

/**
 * Where typed arrays come from: the heap (zeroed, owned by the caller) or an arena (views of
 * one reusable buffer, NOT zeroed, valid until the arena is reset). Allocating typed arrays is
 * the dominant cost of a TPE draw otherwise.
 */
export interface Alloc {
  f64(n: number): Float64Array;
  u32(n: number): Uint32Array;
  i32(n: number): Int32Array;
}

/** Plain heap allocation (zeroed). */
export const HEAP: Alloc = {
  f64: (n) => new Float64Array(n),
  u32: (n) => new Uint32Array(n),
  i32: (n) => new Int32Array(n),
};

/** A bump allocator over one growable buffer; `reset` makes every earlier view reusable. */
export class Arena implements Alloc {
  #buf = new ArrayBuffer(1 << 20);
  #off = 0;

  reset(): void {
    this.#off = 0;
  }

  #take(bytes: number): number {
    const aligned = (this.#off + 7) & ~7;
    if (aligned + bytes > this.#buf.byteLength) {
      // views into the previous buffer stay valid; continue in a bigger one
      this.#buf = new ArrayBuffer(Math.max(this.#buf.byteLength * 2, bytes * 2));
      this.#off = bytes;
      return 0;
    }
    this.#off = aligned + bytes;
    return aligned;
  }

  f64(n: number): Float64Array {
    const at = this.#take(8 * n);
    return new Float64Array(this.#buf, at, n);
  }

  u32(n: number): Uint32Array {
    const at = this.#take(4 * n);
    return new Uint32Array(this.#buf, at, n);
  }

  i32(n: number): Int32Array {
    const at = this.#take(4 * n);
    return new Int32Array(this.#buf, at, n);
  }
}

let current: Alloc = HEAP;
const arena = new Arena();

/** A Float64Array from the current allocator (not zeroed inside {@link withArena}). */
export function f64(n: number): Float64Array {
  return current.f64(n);
}

/** A Uint32Array from the current allocator (not zeroed inside {@link withArena}). */
export function u32(n: number): Uint32Array {
  return current.u32(n);
}

/** An Int32Array from the current allocator (not zeroed inside {@link withArena}). */
export function i32(n: number): Int32Array {
  return current.i32(n);
}

/**
 * Runs `fn` with temporary arrays taken from a reusable arena; nothing allocated inside may
 * be kept after it returns (copy results out).
 */
export function withArena<T>(fn: () => T): T {
  const saved = current;
  if (saved === arena) return fn();
  arena.reset();
  current = arena;
  try {
    return fn();
  } finally {
    current = saved;
  }
}
