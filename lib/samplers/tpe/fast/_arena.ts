/**
 * Where the TPE draw's temporary arrays come from (private): the heap, or inside
 * {@link withArena} a reusable arena.
 *
 * @module
 */
import { type Alloc, Arena, HEAP } from "../../../math/alloc.ts";

// -------------------------------------------------------------------------------------
// memory
// -------------------------------------------------------------------------------------

let current: Alloc = HEAP;
const arena = new Arena();

/** The allocator temporary arrays currently come from. */
export function currentAlloc(): Alloc {
  return current;
}

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
