/**
 * The small SQLite driver interface the SQLite storage runs on (`exec`, `prepare` → `run` /
 * `get` / `all`, `close`), the default binding on the runtime's built-in `node:sqlite` (imported
 * lazily, on the first SQLite open, so that PostgreSQL users and runtimes without it, such as
 * Node 20, can import the storage entry points), and the classification of "database is
 * locked" errors. Private to the library; the public types are
 * re-exported from `lib/storage/rdb/sqlite.ts`.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/either.ts";

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

/** The part of `node:sqlite` the library uses. */
export interface NodeSqliteModule {
  /** `DatabaseSync`: a synchronous connection. */
  readonly DatabaseSync: new (
    path: string,
    options?: { readonly readOnly?: boolean; readonly timeout?: number },
  ) => SqliteDriver;
}

/** Which runtimes ship `node:sqlite`, for the message when it is missing. */
export const NODE_SQLITE_RUNTIMES =
  "Deno >= 2.2, Node >= 22.13 (22.5 with --experimental-sqlite) or Bun >= 1.2";

/**
 * Imports the runtime's built-in `node:sqlite`, or says why it cannot (a `Left` with the
 * runtime's reason and the runtimes that have it).
 *
 * @category constructors
 */
export async function importNodeSqlite(): Promise<Either<string, NodeSqliteModule>> {
  try {
    return right((await import("node:sqlite")) as unknown as NodeSqliteModule);
  } catch (e) {
    return left(
      `the runtime has no built-in 'node:sqlite' (${errorMessage(e)}); SQLite storage needs ` +
        `${NODE_SQLITE_RUNTIMES}, or a driver of your own in the 'driver' option`,
    );
  }
}

/**
 * The opener on the runtime's built-in `node:sqlite` (`DatabaseSync`), imported on first use.
 *
 * @category constructors
 */
export async function nodeSqliteOpener(): Promise<Either<string, SqliteOpen>> {
  const mod = await importNodeSqlite();
  if (mod._tag === "Left") return mod;
  const { DatabaseSync } = mod.right;
  // DatabaseSync and StatementSync already have the driver's shape
  return right((path) => new DatabaseSync(path));
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
