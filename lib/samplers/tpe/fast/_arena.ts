/**
 * Where the TPE draw's temporary arrays come from (private): the heap, or inside
 * {@link withArena} a reusable arena. Both live in a {@link Scratch} record (part of the
 * sampler's workspace, or made for one call).
 *
 * @module
 */
import { type Alloc, Arena, HEAP } from "../../../math/alloc.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The allocator temporary arrays currently come from, and the arena reused by draws. */
export interface Scratch {
  /** The heap, or inside {@link withArena} the arena (arrays not zeroed). */
  alloc: Alloc;
  /** The reusable arena, made on first use. */
  arena: Arena | undefined;
}

/** Allocation from the heap, no arena yet. */
export function createScratch(): Scratch {
  return { alloc: HEAP, arena: undefined };
}

// -------------------------------------------------------------------------------------
// memory
// -------------------------------------------------------------------------------------

/**
 * Runs `fn` with `scratch.alloc` taken from its reusable arena; nothing allocated inside may
 * be kept after it returns (copy results out).
 */
export function withArena<T>(scratch: Scratch, fn: () => T): T {
  const saved = scratch.alloc;
  const arena = scratch.arena ??= new Arena();
  if (saved === arena) return fn();
  arena.reset();
  scratch.alloc = arena;
  try {
    return fn();
  } finally {
    scratch.alloc = saved;
  }
}
