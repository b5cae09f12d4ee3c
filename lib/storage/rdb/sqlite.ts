/**
 * SQLite storage: the embedded default, in Optuna's own RDB schema (alembic revision
 * `v3.2.0.a`, `version_info` schema 12), so Python Optuna 3.2–5.0 and optuna-dashboard open
 * the files written here and this storage opens theirs.
 *
 * Safe for many processes at once: the database runs in WAL mode with `synchronous=NORMAL`
 * and a busy timeout; every write is one `BEGIN IMMEDIATE … COMMIT` transaction, retried a
 * bounded number of times on "database is locked"; trial numbers are assigned inside the
 * write transaction; claiming a WAITING trial is atomic. Finished trials are immutable, so
 * each storage caches them and reads only what changed since its last read.
 *
 * It runs on the runtime's built-in `node:sqlite` behind a small driver interface
 * ({@link SqliteDriver}: `exec`, `prepare` → `run`/`get`/`all`, `close`); pass another
 * binding of that shape as `options.driver`. `node:sqlite` is synchronous: a write waiting
 * for another process's lock blocks the event loop for that time, so transactions are kept
 * short and never span an `await`.
 *
 * @example Run a study on an SQLite file and read it back from a second connection
 * ```ts
 * import { sqliteStorage } from "@hyperion/tune/sqlite";
 * import {
 *   createStudy, loadStudy, getTrials, map, optimize, randomSampler, runOrThrow, suggestFloat,
 * } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const storage = await runOrThrow(sqliteStorage(`${dir}/study.db`));
 * assert.equal(storage.url, `sqlite:///${dir}/study.db`);
 * const study = await runOrThrow(
 *   createStudy({ storage, studyName: "demo", sampler: randomSampler({ seed: 1 }) }),
 * );
 * await runOrThrow(optimize(study, (trial) =>
 *   map(suggestFloat(trial, "x", -10, 10), (x) => (x - 2) ** 2), { nTrials: 10 }));
 *
 * const other = await runOrThrow(sqliteStorage(`${dir}/study.db`));
 * const loaded = await runOrThrow(loadStudy({ storage: other, studyName: "demo" }));
 * const trials = await runOrThrow(getTrials(loaded));
 * assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 *
 * await runOrThrow(storage.close());
 * await runOrThrow(other.close());
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Either, left, right, type TaskEither } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument, schemaMismatch, storageError } from "../../errors.ts";
import {
  isBusyError,
  nodeSqliteOpener,
  type SqliteDriver,
  type SqliteOpen,
} from "./sqlite_driver.ts";
import { ALEMBIC_HEAD, createSchema, inspectSchema } from "./sqlite_schema.ts";
import { sleep } from "./retry.ts";
import type { HeartbeatOptions, Storage, StorageHeartbeatOptions } from "../storage.ts";
import { storageHeartbeat } from "../heartbeat_options.ts";
import { closeConnection, retryPauseMs, sqliteConnection } from "./_sqlite/connection.ts";
import { studyOps } from "./_sqlite/studies.ts";
import { trialOps } from "./_sqlite/trials.ts";
import { trialWriteOps } from "./_sqlite/trial_writes.ts";

export type { SqliteDriver, SqliteOpen, SqliteStatement, SqliteValue } from "./sqlite_driver.ts";
// the types the storage's signatures mention, so that this entry point documents them
export type * from "../signature_types.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link sqliteStorage}.
 *
 * @category model
 */
export interface SqliteStorageOptions extends StorageHeartbeatOptions {
  /**
   * How long a statement waits for another connection's lock before SQLite gives up
   * (`PRAGMA busy_timeout`), in milliseconds.
   *
   * @default {10000}
   */
  readonly timeoutMs?: number;
  /**
   * How many times a transaction that still finds the database locked is retried (after a
   * short random pause) before the call fails with `StorageError`.
   *
   * @default {5}
   */
  readonly retries?: number;
  /**
   * `PRAGMA synchronous`: `"NORMAL"` (fast; in WAL mode a power loss may drop the last
   * commits but never corrupts the file) or `"FULL"` (every commit is synced to disk).
   *
   * @default {"NORMAL"}
   */
  readonly synchronous?: "NORMAL" | "FULL";
  /**
   * The clock for trial datetimes and heartbeats, in epoch milliseconds.
   *
   * @default {Date.now}
   */
  readonly now?: () => number;
  /**
   * Opens a connection; inject another SQLite binding of the {@link SqliteDriver} shape.
   *
   * @default {the runtime's built-in `node:sqlite`}
   */
  readonly driver?: SqliteOpen;
  /**
   * Serve reads of this connection's own recent writes from memory while no other connection
   * has written (checked with `PRAGMA data_version` at the start of every transaction). With
   * `false`, every read of an unfinished trial or a study record goes to the database.
   * Finished trials are cached either way: they never change.
   *
   * @default {true}
   */
  readonly writeThroughCache?: boolean;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Opens (creating when missing) the SQLite database at `path` as a {@link Storage}; its URL
 * is `sqlite:///<path>`. `":memory:"` opens a private in-memory database (not persistent).
 *
 * Errors: `StorageError` naming the path when the folder is missing, the file is read-only,
 * not a database or damaged; `SchemaMismatch` when the file holds another revision of
 * Optuna's schema (the file is then left untouched); `InvalidArgument` for bad options.
 *
 * @example Open a file, create a study, add a trial
 * ```ts
 * import { sqliteStorage } from "@hyperion/tune/sqlite";
 * import { runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const storage = await runOrThrow(sqliteStorage(`${dir}/a.db`));
 * const study = await runOrThrow(storage.createStudy({ studyName: "s", directions: ["minimize"] }));
 * const trial = await runOrThrow(storage.createTrial(study.studyId));
 * assert.equal(trial.number, 0);
 * await runOrThrow(storage.close());
 *
 * const missing = await sqliteStorage(`${dir}/no/such/folder/a.db`)();
 * assert.equal(missing._tag === "Left" && missing.left._tag, "StorageError");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category constructors
 */
export function sqliteStorage(
  path: string,
  options: SqliteStorageOptions = {},
): TaskEither<HyperionError, Storage> {
  return async () => {
    try {
      return await open(path, options);
    } catch (e) {
      return left(storageError(`open the SQLite database ${quote(path)}`, e));
    }
  };
}

// -------------------------------------------------------------------------------------
// internals: opening
// -------------------------------------------------------------------------------------

function quote(path: unknown): string {
  return typeof path === "string" ? `'${path}'` : String(path);
}

function checkOptions(
  path: unknown,
  options: SqliteStorageOptions,
): Either<HyperionError, HeartbeatOptions | undefined> {
  if (typeof path !== "string" || path.length === 0) {
    return left(invalidArgument({ field: "path", value: path, expected: "a non-empty file path" }));
  }
  if (typeof options !== "object" || options === null) {
    return left(invalidArgument({ field: "options", value: options, expected: "an object" }));
  }
  const { timeoutMs, retries, synchronous, now, driver } = options;
  if (timeoutMs !== undefined && (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0)) {
    return left(invalidArgument({
      field: "timeoutMs",
      value: timeoutMs,
      expected: "a non-negative integer number of milliseconds",
    }));
  }
  if (retries !== undefined && (!Number.isSafeInteger(retries) || retries < 0)) {
    return left(
      invalidArgument({ field: "retries", value: retries, expected: "a non-negative integer" }),
    );
  }
  if (synchronous !== undefined && synchronous !== "NORMAL" && synchronous !== "FULL") {
    return left(
      invalidArgument({ field: "synchronous", value: synchronous, expected: "'NORMAL' or 'FULL'" }),
    );
  }
  if (now !== undefined && typeof now !== "function") {
    return left(invalidArgument({ field: "now", value: now, expected: "a function" }));
  }
  if (driver !== undefined && typeof driver !== "function") {
    return left(invalidArgument({ field: "driver", value: driver, expected: "a function" }));
  }
  const { writeThroughCache } = options;
  if (writeThroughCache !== undefined && typeof writeThroughCache !== "boolean") {
    return left(invalidArgument({
      field: "writeThroughCache",
      value: writeThroughCache,
      expected: "a boolean",
    }));
  }
  return storageHeartbeat(options);
}

/**
 * Clear errors for a missing folder, a folder given as file, and "permission denied" for a
 * read-only file or a folder where the file (or SQLite's `-wal` file) cannot be created.
 */
function checkFile(path: string): string | undefined {
  if (path === ":memory:" || path.startsWith("file:")) return undefined;
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) return `the folder '${folder}' does not exist`;
  if (!statSync(folder).isDirectory()) return `'${folder}' is not a folder`;
  if (existsSync(path)) {
    const info = statSync(path);
    if (info.isDirectory()) return "it is a folder, not a file";
    if ((info.mode & 0o222) === 0 || !writable(path)) {
      return "permission denied: the file is read-only";
    }
  }
  if (!writable(folder)) {
    return `permission denied: the folder '${folder}' is not writable`;
  }
  return undefined;
}

/** True when this process may write to the file or folder (`access(2)` with `W_OK`). */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function open(
  path: string,
  options: SqliteStorageOptions,
): Promise<Either<HyperionError, Storage>> {
  const checked = checkOptions(path, options);
  if (checked._tag === "Left") return checked;
  const opening = `open the SQLite database ${quote(path)}`;
  const fileProblem = checkFile(path);
  if (fileProblem !== undefined) return left(storageError(opening, fileProblem));
  const url = `sqlite:///${path}`;
  const retries = options.retries ?? 5;
  const opener = options.driver === undefined ? await nodeSqliteOpener() : right(options.driver);
  if (opener._tag === "Left") return left(storageError(opening, opener.left));
  let db: SqliteDriver;
  try {
    db = opener.right(path);
  } catch (e) {
    return left(storageError(opening, e));
  }
  for (let attempt = 0;; attempt++) {
    try {
      const prepared = prepareDatabase(db, path, url, options);
      if (prepared._tag === "Left") {
        safeClose(db);
        return prepared;
      }
      break;
    } catch (e) {
      try {
        db.exec("ROLLBACK");
      } catch { /* no transaction was open */ }
      if (isBusyError(e) && attempt < retries) {
        await sleep(retryPauseMs(attempt));
        continue;
      }
      safeClose(db);
      return left(storageError(opening, e));
    }
  }
  return right(makeStorage(db, path, url, { ...options, heartbeat: checked.right }));
}

function safeClose(db: SqliteDriver): void {
  try {
    db.close();
  } catch { /* already closed */ }
}

/** Sets the connection up and makes sure the schema is Optuna's head revision. */
function prepareDatabase(
  db: SqliteDriver,
  path: string,
  url: string,
  options: SqliteStorageOptions,
): Either<HyperionError, void> {
  db.exec(`PRAGMA busy_timeout = ${options.timeoutMs ?? 10_000}`);
  db.exec("PRAGMA foreign_keys = ON");
  const mismatch = (found: string, advice: string) =>
    left(schemaMismatch({ found, expected: ALEMBIC_HEAD, advice: `'${path}' ${advice}` }));
  const state = inspectSchema(db, url);
  if (state.kind === "mismatch") return mismatch(state.found, state.advice);
  const memory = path === ":memory:";
  if (!memory) db.exec("PRAGMA journal_mode = WAL");
  if (state.kind === "empty") {
    db.exec("BEGIN IMMEDIATE");
    const again = inspectSchema(db, url);
    if (again.kind === "mismatch") {
      db.exec("ROLLBACK");
      return mismatch(again.found, again.advice);
    }
    if (again.kind === "empty") createSchema(db);
    db.exec("COMMIT");
  }
  db.exec(`PRAGMA synchronous = ${options.synchronous ?? "NORMAL"}`);
  return right(undefined);
}

// -------------------------------------------------------------------------------------
// internals: the storage record
// -------------------------------------------------------------------------------------

/** The storage record: the connection's operations by group. */
function makeStorage(
  db: SqliteDriver,
  path: string,
  url: string,
  options: SqliteStorageOptions & { readonly heartbeat: HeartbeatOptions | undefined },
): Storage {
  const heartbeat = options.heartbeat;
  const c = sqliteConnection(db, path, {
    now: options.now ?? Date.now,
    retries: options.retries ?? 5,
    mirror: options.writeThroughCache ?? true,
  });
  return {
    url,
    persistent: path !== ":memory:",
    ...(heartbeat === undefined ? {} : { heartbeat }),
    ...studyOps(c),
    ...trialOps(c),
    ...trialWriteOps(c),
    close: () => () => closeConnection(c),
  };
}
