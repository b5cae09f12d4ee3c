/**
 * A seedable pseudo-random generator whose whole state is a small JSON value
 * (xoshiro128** over four 32-bit words), with uniform, normal, truncated normal, integer and
 * weighted-choice draws. The same seed gives the same stream on every runtime.
 *
 * A {@link Rng} is a mutable record of four words; the draw functions advance it. Capture it
 * with {@link rngState} and rebuild it with {@link rngFromState} to continue the stream exactly.
 * {@link rngFor} derives a generator from (seed, trial number, key) alone: the samplers draw
 * every random number from such generators, so no stream position is ever state to lose.
 *
 * @example Reproduce a stream
 * ```ts
 * import { rngFromSeed, rngFromState, rngState, uniform } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const a = rngFromSeed(42);
 * uniform(a);
 * const saved = rngState(a);
 * const next = uniform(a);
 * assert.equal(uniform(rngFromState(saved)), next);
 * ```
 *
 * @module
 */
import { normalCdf, normalPpf } from "../math/special.ts";

export { erf, erfc, normalCdf, normalPpf } from "../math/special.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The serialisable state of a {@link Rng}.
 *
 * @category model
 */
export type RngState = {
  /** The algorithm's name. */
  readonly algorithm: "xoshiro128**";
  /** The four 32-bit state words (unsigned). */
  readonly s: readonly [number, number, number, number];
};

/**
 * A live generator: four 32-bit words, advanced in place by the draw functions.
 *
 * @category model
 */
export interface Rng {
  /** The state words. */
  readonly s: Uint32Array;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashSeed(seed: number | string): number {
  if (typeof seed === "number") {
    // fold the integer part and the high bits so that large seeds differ
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    return (lo ^ Math.imul(hi, 0x27d4eb2d)) >>> 0;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A generator seeded with `seed` (an integer or a string); without a seed, from the platform's
 * cryptographic entropy.
 *
 * @category constructors
 */
export function rngFromSeed(seed?: number | string): Rng {
  let base: number;
  if (seed === undefined) {
    const buf = new Uint32Array(1);
    globalThis.crypto.getRandomValues(buf);
    base = buf[0] as number;
  } else {
    base = hashSeed(seed);
  }
  const next = splitmix32(base);
  const s = new Uint32Array([next(), next(), next(), next()]);
  if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) s[0] = 1;
  return { s };
}

/**
 * Rebuilds a generator from a captured state.
 *
 * @category constructors
 */
export function rngFromState(state: RngState): Rng {
  return { s: new Uint32Array(state.s) };
}

/**
 * A seed from the platform's cryptographic entropy: a non-negative safe integer (53 bits).
 * Samplers built without a seed draw one with it, once, and record it in their options, so that
 * even an unseeded run can be replayed from a snapshot of its sampler.
 *
 * @category constructors
 */
export function entropySeed(): number {
  const buf = new Uint32Array(2);
  globalThis.crypto.getRandomValues(buf);
  return (buf[0]! >>> 11) * 4294967296 + buf[1]!;
}

/** Seeds of the four hash lanes (hexadecimal digits of π and e). */
const LANES = [0x243f6a88, 0x85a308d3, 0xb7e15162, 0x8aed2a6b] as const;

/** One MurmurHash3 block step: mixes the 32-bit word `k` into the hash `h`. */
function murmurStep(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** MurmurHash3 (32 bits, seed `lane`) of the words of (seed, trial number, key). */
function laneHash(lane: number, seed: number, trialNumber: number, key: string): number {
  let h = lane | 0;
  h = murmurStep(h, seed >>> 0);
  h = murmurStep(h, Math.floor(seed / 4294967296) >>> 0);
  h = murmurStep(h, trialNumber >>> 0);
  h = murmurStep(h, Math.floor(trialNumber / 4294967296) >>> 0);
  h = murmurStep(h, key.length);
  const n = key.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = murmurStep(h, key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16));
  if (i < n) h = murmurStep(h, key.charCodeAt(i));
  return fmix32(h ^ (20 + 2 * n));
}

/**
 * The generator of one purpose of one trial, derived from nothing else: its four state words are
 * four MurmurHash3 hashes (different lane seeds) of the sampler's `seed` (a safe integer, both
 * 32-bit halves), the `trialNumber` (likewise) and the UTF-16 code units of `key` (after its
 * length). The same arguments always give the same stream, on every runtime; any other
 * arguments give an unrelated one.
 *
 * The built-in samplers draw every random number of trial `n` from `rngFor(seed, n, key)`, the
 * key naming the purpose: `"param:<name>"` for the independent draw of parameter `<name>`,
 * `"relative"` for a joint (relative) sample, `"grid"` for the choice of a grid point. So the
 * suggestions of a trial depend only on the seed, the options, the trial's number and the
 * history the sampler sees — never on how many trials the sampler object served before — and
 * a re-run trial with some parameters fixed draws the others exactly as the original did.
 *
 * @example Derive a trial's stream
 * ```ts
 * import { rngFor, uniform } from "./rng.ts";
 * import assert from "node:assert/strict";
 *
 * const a = uniform(rngFor(42, 7, "param:lr"));
 * assert.equal(uniform(rngFor(42, 7, "param:lr")), a);
 * assert.notEqual(uniform(rngFor(42, 7, "param:momentum")), a);
 * assert.notEqual(uniform(rngFor(42, 8, "param:lr")), a);
 * ```
 *
 * @category constructors
 */
export function rngFor(seed: number, trialNumber: number, key: string): Rng {
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) s[i] = laneHash(LANES[i]!, seed, trialNumber, key);
  if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) s[0] = 1;
  return { s };
}

/**
 * A new seed derived from the generator (advances it), for child generators.
 *
 * @category constructors
 */
export function deriveSeed(rng: Rng): number {
  return nextUint32(rng);
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * Captures the generator's state as a JSON value.
 *
 * @category queries
 */
export function rngState(rng: Rng): RngState {
  const s = rng.s;
  return {
    algorithm: "xoshiro128**",
    s: [s[0] as number, s[1] as number, s[2] as number, s[3] as number],
  };
}

/**
 * True when `value` is a well-formed {@link RngState}.
 *
 * @category queries
 */
export function isRngState(value: unknown): value is RngState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { algorithm?: unknown; s?: unknown };
  return v.algorithm === "xoshiro128**" && Array.isArray(v.s) && v.s.length === 4 &&
    v.s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) &&
    v.s.some((w) => w !== 0);
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The next 32-bit unsigned integer.
 *
 * @category combinators
 */
export function nextUint32(rng: Rng): number {
  const s = rng.s;
  const s0 = s[0] as number, s1 = s[1] as number, s2 = s[2] as number, s3 = s[3] as number;
  const m = Math.imul(s1, 5);
  const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  s[1] = s1 ^ n2;
  s[0] = s0 ^ n3;
  s[2] = n2 ^ t;
  s[3] = (n3 << 11) | (n3 >>> 21);
  return r;
}

/**
 * A uniform double in `[low, high)` with 53 random bits.
 *
 * @category combinators
 */
export function uniform(rng: Rng, low = 0, high = 1): number {
  const a = nextUint32(rng) >>> 5, b = nextUint32(rng) >>> 6;
  const u = (a * 67108864 + b) / 9007199254740992;
  return low + (high - low) * u;
}

/**
 * A uniform integer in `[0, n)` without modulo bias.
 *
 * @category combinators
 */
export function randomInt(rng: Rng, n: number): number {
  if (n <= 1) return 0;
  if (n <= 0x100000000) {
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = nextUint32(rng);
      if (x < limit) return x % n;
    }
  }
  return Math.floor(uniform(rng) * n);
}

/**
 * A normal draw with mean `mu` and standard deviation `sigma` (Box–Muller, one value per two
 * uniforms, so the state stays four words).
 *
 * @category combinators
 */
export function normal(rng: Rng, mu = 0, sigma = 1): number {
  let u = 0;
  while (u === 0) u = uniform(rng);
  const v = uniform(rng);
  return mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A draw from the normal `N(mu, sigma²)` truncated to `[low, high]`, by inverting the CDF
 * (accurate far in the tails).
 *
 * @category combinators
 */
export function truncatedNormal(
  rng: Rng,
  args: {
    readonly mu: number;
    readonly sigma: number;
    readonly low: number;
    readonly high: number;
  },
): number {
  const { mu, sigma, low, high } = args;
  const a = (low - mu) / sigma, b = (high - mu) / sigma;
  const u = uniform(rng);
  const z = truncatedStandardNormalPpf(u, a, b);
  return Math.min(high, Math.max(low, mu + sigma * z));
}

/**
 * An index drawn with probability proportional to `weights` (non-negative, not all zero).
 *
 * @category combinators
 */
export function weightedChoice(rng: Rng, weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i] as number;
  const target = uniform(rng) * total;
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i] as number;
    if (target < acc) return i;
  }
  for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] as number) > 0) return i;
  return weights.length - 1;
}

/**
 * Shuffles a copy of `items` (Fisher–Yates).
 *
 * @category combinators
 */
export function shuffled<T>(rng: Rng, items: ReadonlyArray<T>): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function truncatedStandardNormalPpf(u: number, a: number, b: number): number {
  // Work in the tail that keeps precision: for a > 0 mirror to the lower tail.
  if (a > 0) return -truncatedStandardNormalPpf(1 - u, -b, -a);
  const pa = normalCdf(a), pb = normalCdf(b);
  const p = pa + u * (pb - pa);
  if (p <= 0) return a;
  if (p >= 1) return b;
  const z = normalPpf(p);
  return Math.min(b, Math.max(a, z));
}
