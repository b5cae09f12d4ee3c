/**
 * Helpers shared by the samplers: the state check of their `validate` functions (an object
 * holding RNG states) and the floating-point helpers of Optuna's search-space transform.
 * Private: not exported from `mod.ts`.
 *
 * @module
 */
import { type Either, left, right } from "../effect.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import { isRngState } from "../random/rng.ts";
import { expectObject } from "../samplers/sampler.ts";

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
  const s = expectObject(value, field);
  if (s._tag === "Left") return s;
  for (const k of rngKeys) {
    if (!isRngState(s.right[k])) {
      return left(invalidArgument({
        field: `${field}.${k}`,
        value: s.right[k],
        expected: "an RNG state {algorithm: 'xoshiro128**', s: [4 words]}",
      }));
    }
  }
  return right(s.right);
}

/** The largest double below `x`. */
export function previousDouble(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return buf.getFloat64(0);
}

/** Rounds half to even, as numpy does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
