/**
 * Helpers shared by the samplers: the state check of their `validate` functions (an object
 * holding RNG states) and the floating-point helpers of Optuna's search-space transform.
 * Private: not exported from `mod.ts`.
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import { entropySeed, isRngState } from "../random/rng.ts";
import { checkSeed, expectObject } from "./sampler.ts";

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Checks that a sampler's `state` is an object whose `rngKeys` entries are RNG states, for
 * `validate` functions; the first failure is reported as `field` or `field.key`.
 */
export function expectRngStates(
  value: unknown,
  field: string,
  rngKeys: readonly string[],
): Either<HyperionError, Readonly<Record<string, JsonValue>>> {
  return genEither(function* (_) {
    const s = yield* _(expectObject(value, field));
    for (const k of rngKeys) {
      if (!isRngState(s[k])) {
        return yield* _(left(invalidArgument({
          field: `${field}.${k}`,
          value: s[k],
          expected: "an RNG state {algorithm: 'xoshiro128**', s: [4 words]}",
        })));
      }
    }
    return s;
  });
}

/**
 * Checks the `state` of a sampler record: an object, which in the older shape (a random stream
 * advanced by every draw) held an RNG state under `legacyKey`; such a state is checked, then
 * dropped by the caller, since draws now derive from the seed and the trial number.
 */
export function checkLegacyState(
  value: unknown,
  field: string,
  legacyKey: string,
): Either<HyperionError, void> {
  const s = expectObject(value, field);
  if (s._tag === "Left") return s;
  if (s.right[legacyKey] === undefined) return right(undefined);
  const checked = expectRngStates(s.right, field, [legacyKey]);
  return checked._tag === "Left" ? checked : right(undefined);
}

/**
 * The {@link rngFor} key of the independent draw of parameter `name` of a trial: keyed by
 * name, not by position, so a trial whose other parameters are fixed (enqueued or re-run)
 * draws `name` as a trial with none fixed.
 */
export function paramKey(name: string): string {
  return `param:${name}`;
}

/**
 * A value given where JSON is expected but not checked yet, kept as it is so that a sampler's
 * `validate` reports it (a constructor never throws on a wrong-typed argument). The one place
 * where the samplers treat an unchecked value as JSON.
 */
export function uncheckedJson(value: unknown): JsonValue {
  return value as JsonValue;
}

/**
 * Checks that `o[name]` is a boolean, for the decoders of sampler options; the error names
 * `<prefix>.<name>`.
 */
export function booleanField(
  o: Readonly<Record<string, JsonValue>>,
  name: string,
  prefix: string,
): Either<HyperionError, boolean> {
  const value = o[name];
  if (typeof value === "boolean") return right(value);
  return left(invalidArgument({ field: `${prefix}.${name}`, value, expected: "a boolean" }));
}

/** True when `value` is a plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The seed a constructor records: the given one (checked later by `validate`), or one drawn
 * from the platform's entropy when none is given.
 */
export function seedOrEntropy(seed: unknown): JsonValue {
  return seed === undefined || seed === null ? entropySeed() : uncheckedJson(seed);
}

/**
 * Checks the seed and state of a sampler record whose draws are derived with `rngFor` and
 * returns the seed. `options.seed` must be an integer; a snapshot of the older shape (a
 * stream of xoshiro states under `legacyKeys` in `state`, advanced by every draw) is accepted:
 * its states are checked and ignored, and an unseeded one (`seed: null`) gets the seed hashed
 * from its first state, so that it still replays the same way every time.
 */
export function derivedSeed(
  options: Readonly<Record<string, JsonValue>>,
  state: unknown,
  prefix: string,
  legacyKeys: readonly string[],
): Either<HyperionError, number> {
  // plain checks, no generator: samplers decode their options on every draw; the usual
  // record (an integer seed, a state without a stream) first, allocating nothing
  const given = options.seed;
  if (
    typeof given === "number" && Number.isSafeInteger(given) && typeof state === "object" &&
    state !== null && !Array.isArray(state) && noneOf(state as Record<string, unknown>, legacyKeys)
  ) return right(given);
  const s = expectObject(state, `${prefix}.state`);
  if (s._tag === "Left") return s;
  const legacy = legacyKeys.filter((k) => s.right[k] !== undefined);
  if (legacy.length > 0) {
    const states = expectRngStates(state, `${prefix}.state`, legacy);
    if (states._tag === "Left") return states;
  }
  const seed = checkSeed(options.seed);
  if (seed._tag === "Left") return seed;
  if (seed.right !== undefined) return right(seed.right);
  const first = legacy.length > 0 ? s.right[legacy[0]!] : undefined;
  if (isRngState(first)) return right((first.s[0] >>> 11) * 4294967296 + first.s[1]);
  return left(invalidArgument({
    field: `${prefix}.options.seed`,
    value: options.seed ?? null,
    expected: "an integer (a sampler records its seed, drawn at construction when none is given)",
  }));
}

/** True when `record` has none of `keys` (set to anything but `undefined`). */
function noneOf(record: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const k of keys) if (record[k] !== undefined) return false;
  return true;
}

const TWO_POW_M53 = 2 ** -53, TWO_POW_M969 = 2 ** -969;

/** The largest double below `x`. */
export function previousDouble(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  // x − x·2⁻⁵³ rounds to the double below x for every positive x whose product is normal (the
  // subtrahend lies in [ulp/2, ulp), exactly ulp/2 only at a power of two, where it is exact)
  if (x >= TWO_POW_M969 && x < Infinity) return x - x * TWO_POW_M53;
  // the 64 bits as two 32-bit words (no BigInt: samplers call this on every draw)
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0), lo = buf.getUint32(4);
  if (x > 0) {
    buf.setUint32(0, lo === 0 ? hi - 1 : hi);
    buf.setUint32(4, lo === 0 ? 0xffffffff : lo - 1);
  } else {
    buf.setUint32(0, lo === 0xffffffff ? hi + 1 : hi);
    buf.setUint32(4, lo === 0xffffffff ? 0 : lo + 1);
  }
  return buf.getFloat64(0);
}

/** Rounds half to even, as numpy does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
