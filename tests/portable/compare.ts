/**
 * Compares the seeded study's trials from two runtimes. JavaScript engines do not agree on the
 * last bit of `Math.exp`, `Math.log`, `Math.pow` and the other transcendental functions (Deno
 * 2.9's V8, Node 22's V8, Bun's JavaScriptCore and Chromium each differ on some inputs), so
 * floats are compared to a relative 1e-12, everything else (trial numbers, states, integer and
 * categorical choices, distributions, attribute keys, the order of reports) exactly.
 *
 * @module
 */
import type { SerialTrial } from "./seeded_study.ts";

/** Relative tolerance for floats that went through transcendental functions. */
export const FLOAT_TOLERANCE = 1e-12;

/** Where two values differ beyond {@link FLOAT_TOLERANCE}, as paths; empty when they agree. */
export function differences(a: unknown, b: unknown, path = "$"): string[] {
  if (typeof a === "number" && typeof b === "number") {
    if (Object.is(a, b)) return [];
    const scale = Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);
    return Math.abs(a - b) / scale <= FLOAT_TOLERANCE ? [] : [`${path}: ${a} vs ${b}`];
  }
  if (typeof a === "string" && typeof b === "string" && a.startsWith("{") && b.startsWith("{")) {
    try {
      return differences(JSON.parse(a), JSON.parse(b), path); // JSON-encoded attributes
    } catch { /* not JSON: compared as strings below */ }
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    return a === b ? [] : [`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) =>
    differences(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
    )
  );
}

/** How many float values differ at all (bit for bit) between the two trial lists. */
export function bitDifferences(
  a: ReadonlyArray<SerialTrial>,
  b: ReadonlyArray<SerialTrial>,
): number {
  const count = (x: unknown, y: unknown): number => {
    if (typeof x === "number" && typeof y === "number") return Object.is(x, y) ? 0 : 1;
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object") return 0;
    return Object.keys(x).reduce(
      (n, k) => n + count((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]),
      0,
    );
  };
  return count(a, b);
}
