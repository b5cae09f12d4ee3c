/**
 * Private helpers of the trainer: atomic file writes, JSON-serialisability checks with a path
 * to the offending value, and a number codec that keeps NaN and infinities through JSON.
 *
 * @module
 */
import { open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `text` to `path` atomically, for the trainer's and the sampler's checkpoints alike: a
 * temporary file with a unique name in the same folder (`<path>.<uuid>.tmp`), written with
 * `FileHandle.prototype.writeFile`, flushed to disk (`sync`), closed, then renamed over `path`
 * (and the folder flushed, where the platform allows it). A crash leaves either the old file or
 * the new one, never half of one, plus at worst a `*.tmp` file that readers ignore; on an error
 * the temporary file is removed.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${globalThis.crypto.randomUUID()}.tmp`;
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncFolder(dirname(path));
}

/** Flushes a folder's entries (the rename) to disk; a no-op where folders cannot be opened. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some file systems cannot open or sync a folder: the rename stands anyway.
  }
}

/** Whether `name` is a temporary file left by {@link writeFileAtomic} (`<name>.<uuid>.tmp`). */
export function isAtomicTemp(name: string): boolean {
  return /\.[0-9a-f-]{36}\.tmp$/.test(name);
}

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
