/**
 * The pause before a retry of a transaction that met a lock, a deadlock or a lost connection,
 * shared by the SQLite and PostgreSQL adapters. Private to the library.
 *
 * @module
 */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A random pause before retry `attempt` (0-based), growing from `baseMs` up to 64 times it. */
export function backoffMs(attempt: number, baseMs: number): number {
  return Math.random() * baseMs * 2 ** Math.min(attempt, 6);
}
