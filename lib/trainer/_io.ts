/**
 * Private helpers of the trainer: JSON-serialisability checks with a path to the offending
 * value, and a number codec that keeps NaN and infinities through JSON. (Atomic file writes
 * live in `lib/fs/atomic.ts`, shared with the tuning plug-in.)
 *
 * @module
 */
/**
 * Why `value` does not survive `JSON.stringify` and `JSON.parse` unchanged, naming the path
 * to the first offending value (`$.weights[2] is NaN`); `undefined` when it does.
 */
export function nonJsonReason(value: unknown, path = "$"): string | undefined {
  return check(value, path, new Set());
}

function check(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") {
    return Number.isFinite(value) ? undefined : `'${path}' is ${value}`;
  }
  if (typeof value !== "object") return `'${path}' is ${describeType(value)}`;
  if (seen.has(value)) return `'${path}' is a circular reference`;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const r = check(value[i], `${path}[${i}]`, seen);
        if (r !== undefined) return r;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? "object";
      return `'${path}' is a ${name}`;
    }
    for (const [key, v] of Object.entries(value)) {
      const r = check(
        v,
        /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`,
        seen,
      );
      if (r !== undefined) return r;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}

function describeType(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  return `a ${typeof value}`;
}

/** A number as JSON: finite numbers as is, NaN and infinities as strings. */
export type EncodedNumber = number | "NaN" | "Infinity" | "-Infinity";

/** Encodes a number so that NaN and infinities survive JSON. */
export function encodeNumber(x: number): EncodedNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}

/** Decodes an {@link EncodedNumber}; `undefined` when `value` is not one. */
export function decodeNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return undefined;
}

/** `JSON.stringify` with NaN and infinities written as strings rather than `null`. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => typeof v === "number" && !Number.isFinite(v) ? encodeNumber(v) : v,
  );
}
