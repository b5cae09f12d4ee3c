/**
 * Typed arrays from the heap or from an arena: allocating many short-lived typed arrays is
 * the dominant cost of numerical code that runs per trial, so a caller that owns an {@link Arena}
 * takes its temporary arrays from it and resets it when they are no longer used.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where typed arrays come from: the heap (zeroed, owned by the caller) or an arena (views of
 * one reusable buffer, NOT zeroed, valid until the arena is reset). Allocating typed arrays is
 * the dominant cost of a TPE draw otherwise.
 *
 * @category model
 */
export interface Alloc {
  /** A Float64Array of `n` elements. */
  f64(n: number): Float64Array;
  /** A Uint32Array of `n` elements. */
  u32(n: number): Uint32Array;
  /** An Int32Array of `n` elements. */
  i32(n: number): Int32Array;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Plain heap allocation (zeroed).
 *
 * @category constructors
 */
export const HEAP: Alloc = {
  f64: (n) => new Float64Array(n),
  u32: (n) => new Uint32Array(n),
  i32: (n) => new Int32Array(n),
};

/**
 * A bump allocator over one growable buffer; `reset` makes every earlier view reusable.
 *
 * @category constructors
 */
export class Arena implements Alloc {
  #buf = new ArrayBuffer(1 << 20);
  #off = 0;

  /** Makes every view handed out so far reusable (their contents become undefined). */
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

  /** A view of `n` doubles (not zeroed). */
  f64(n: number): Float64Array {
    const at = this.#take(8 * n);
    return new Float64Array(this.#buf, at, n);
  }

  /** A view of `n` unsigned 32-bit integers (not zeroed). */
  u32(n: number): Uint32Array {
    const at = this.#take(4 * n);
    return new Uint32Array(this.#buf, at, n);
  }

  /** A view of `n` signed 32-bit integers (not zeroed). */
  i32(n: number): Int32Array {
    const at = this.#take(4 * n);
    return new Int32Array(this.#buf, at, n);
  }
}
