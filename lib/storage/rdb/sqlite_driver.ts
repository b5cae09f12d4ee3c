/**
 * The small SQLite driver interface the SQLite storage runs on (`exec`, `prepare` → `run` /
 * `get` / `all`, `close`), the default binding on the runtime's built-in `node:sqlite`, and the
 * classification of "database is locked" errors. Private to the library; the public types are
 * re-exported from `lib/storage/rdb/sqlite.ts`.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A value SQLite binds or returns.
 *
 * @category model
 */
export type SqliteValue = null | number | bigint | string | Uint8Array;

/**
 * A prepared statement. Only `get` and `all` results are read; `run`'s result is ignored, so
 * bindings whose `run` returns a change count (such as `@db/sqlite`) fit as well.
 *
 * @category model
 */
export interface SqliteStatement {
  /** Runs the statement with positional parameters. */
  run(...params: SqliteValue[]): unknown;
  /** Runs the statement and returns its first row, `undefined` when there is none. */
  get(...params: SqliteValue[]): Record<string, unknown> | undefined;
  /** Runs the statement and returns every row. */
  all(...params: SqliteValue[]): ReadonlyArray<Record<string, unknown>>;
}

/**
 * An open SQLite connection.
 *
 * @category model
 */
export interface SqliteDriver {
  /** Runs one or more SQL statements without parameters. */
  exec(sql: string): unknown;
  /** Prepares a statement (the storage caches and reuses them). */
  prepare(sql: string): SqliteStatement;
  /** Closes the connection. */
  close(): unknown;
}

/**
 * Opens a connection to the database file at `path` (`":memory:"` for a private in-memory
 * database). Errors are thrown; the storage turns them into values.
 *
 * @category model
 */
export type SqliteOpen = (path: string) => SqliteDriver;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Opens a connection with the runtime's built-in `node:sqlite` (`DatabaseSync`).
 *
 * @category constructors
 */
export function nodeSqliteOpen(path: string): SqliteDriver {
  // DatabaseSync and StatementSync already have the driver's shape
  return new DatabaseSync(path);
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * True when a thrown driver error means another connection holds the lock (SQLITE_BUSY /
 * SQLITE_LOCKED). Deno's `node:sqlite` leaves `errcode` unset, so the message decides.
 *
 * @category queries
 */
export function isBusyError(e: unknown): boolean {
  const message = e instanceof Error ? e.message : String(e);
  return /database is locked|database is busy|database table is locked|SQLITE_BUSY|SQLITE_LOCKED/i
    .test(message);
}

/**
 * The message of a thrown driver error.
 *
 * @category queries
 */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
