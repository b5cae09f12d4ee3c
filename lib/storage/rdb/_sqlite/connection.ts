/**
 * The SQLite adapter's connection record: the driver, its prepared statements, the caches
 * that the operations share, and the transaction mechanics (`BEGIN IMMEDIATE … COMMIT`, a
 * bounded retry on "database is locked", cache updates queued until the commit). Private to
 * the library.
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../../../effect/mod.ts";
import { type HyperionError, storageError } from "../../../errors.ts";
import type { Distribution } from "../../../core/distributions.ts";
import type { StudyRecord } from "../../../core/study.ts";
import type { FrozenTrial } from "../../../core/trial.ts";
import type { TrialCache } from "../../trial_cache.ts";
import { distributionParser } from "../codec.ts";
import { backoffMs, sleep } from "../retry.ts";
import {
  errorMessage,
  isBusyError,
  type SqliteDriver,
  type SqliteStatement,
} from "../sqlite_driver.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A live (write-through) copy of a trial, with its study. */
export interface Held {
  readonly studyId: number;
  readonly trial: FrozenTrial;
}

/** A study's trial cache. */
export interface StudyCache extends TrialCache {
  /** The study's name when the cache was built (a rename or a re-created id resets it). */
  readonly name: string;
  /** The first distribution stored for each parameter name. */
  readonly firstDistributions: Map<string, Distribution>;
}

/** What the transaction mechanics change between calls. */
export interface ConnectionState {
  /** `PRAGMA data_version` at the last transaction start. */
  knownDataVersion: unknown;
  /** Cache updates to run after the current transaction commits. */
  afterCommit: Array<() => void>;
  closed: boolean;
}

/** How a transaction starts: `BEGIN IMMEDIATE` for writes. */
export type Mode = "read" | "write";

/** The body of a transaction: synchronous, so that a transaction never spans an `await`. */
export type Body<A> = () => Either<HyperionError, A>;

/** One open SQLite database with its caches and transaction mechanics. */
export interface SqliteConnection {
  readonly db: SqliteDriver;
  readonly path: string;
  /** ` in '<path>'`, appended to failing operations. */
  readonly where: string;
  readonly now: () => number;
  readonly retries: number;
  /** Serve this connection's own writes from memory while no other connection writes. */
  readonly mirror: boolean;
  readonly distribution: (json: string) => Distribution;
  readonly statements: Map<string, SqliteStatement>;
  // durable caches: finished trials never change; first distributions never change
  readonly caches: Map<number, StudyCache>;
  readonly finishedById: Map<number, Held>;
  /**
   * Per study: every trial with an id up to this one is known not to be WAITING (a trial is
   * WAITING only from its creation until it is claimed, never again).
   */
  readonly waitHorizon: Map<number, number>;
  // volatile caches, exact while no other connection has committed (PRAGMA data_version)
  readonly live: Map<number, Held>;
  readonly records: Map<number, StudyRecord>;
  readonly noWaiting: Set<number>;
  /** Per study: how many trials it holds (the next trial's number). */
  readonly trialCounts: Map<number, number>;
  readonly state: ConnectionState;
  /** The prepared statement for `sql` (prepared once). */
  readonly q: (sql: string) => SqliteStatement;
  /** Queues a cache update to run after a successful commit. */
  readonly later: (f: () => void) => void;
}

/** The connection's settings. */
export interface ConnectionSettings {
  readonly now: () => number;
  readonly retries: number;
  readonly mirror: boolean;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The connection record of an open, prepared database. */
export function sqliteConnection(
  db: SqliteDriver,
  path: string,
  settings: ConnectionSettings,
): SqliteConnection {
  const statements = new Map<string, SqliteStatement>();
  const state: ConnectionState = { knownDataVersion: undefined, afterCommit: [], closed: false };
  return {
    db,
    path,
    where: ` in '${path}'`,
    now: settings.now,
    retries: settings.retries,
    mirror: settings.mirror,
    distribution: distributionParser(),
    statements,
    caches: new Map(),
    finishedById: new Map(),
    waitHorizon: new Map(),
    live: new Map(),
    records: new Map(),
    noWaiting: new Set(),
    trialCounts: new Map(),
    state,
    q: (sql) => {
      let s = statements.get(sql);
      if (s === undefined) {
        s = db.prepare(sql);
        statements.set(sql, s);
      }
      return s;
    },
    later: (f) => void state.afterCommit.push(f),
  };
}

// -------------------------------------------------------------------------------------
// transactions
// -------------------------------------------------------------------------------------

/** The pause before retry `attempt` of a transaction that found the database locked. */
export const retryPauseMs = (attempt: number): number => backoffMs(attempt, 25);

/** Drops the caches that are exact only while no other connection writes. */
export function forgetVolatile(c: SqliteConnection): void {
  c.live.clear();
  c.records.clear();
  c.noWaiting.clear();
  c.trialCounts.clear();
}

/**
 * Runs `body` in one transaction (`BEGIN IMMEDIATE` for writes); a `Left` rolls back, a
 * locked database is retried, other failures become `StorageError`. Cache updates queued
 * with `later` run only after a successful commit.
 */
export async function transact<A>(
  c: SqliteConnection,
  operation: string,
  mode: Mode,
  body: Body<A>,
): Promise<Either<HyperionError, A>> {
  const { q, state } = c;
  for (let attempt = 0;; attempt++) {
    if (state.closed) return left(storageError(operation, "the storage is closed"));
    state.afterCommit = [];
    let began = false;
    try {
      q(mode === "write" ? "BEGIN IMMEDIATE" : "BEGIN").run();
      began = true;
      if (c.mirror) {
        // also pins a read transaction's snapshot
        const version = q("PRAGMA data_version").get()?.data_version;
        if (version !== state.knownDataVersion) {
          forgetVolatile(c);
          state.knownDataVersion = version;
        }
      }
      const result = body();
      if (result._tag === "Left") {
        q("ROLLBACK").run();
        state.afterCommit = [];
        return result;
      }
      q("COMMIT").run();
      const pending = state.afterCommit;
      state.afterCommit = [];
      for (const f of pending) f();
      return result;
    } catch (e) {
      state.afterCommit = [];
      if (began) {
        try {
          q("ROLLBACK").run();
        } catch { /* the transaction is already gone */ }
      }
      if (isBusyError(e) && attempt < c.retries) {
        await sleep(retryPauseMs(attempt));
        continue;
      }
      return left(storageError(operation + c.where, e));
    }
  }
}

/** {@link transact} as a `TaskEither`. */
export function run<A>(
  c: SqliteConnection,
  operation: string,
  mode: Mode,
  body: Body<A>,
): TaskEither<HyperionError, A> {
  return () => transact(c, operation, mode, body);
}

/** Closes the database once and drops every cache. */
export function closeConnection(c: SqliteConnection): Promise<Either<HyperionError, void>> {
  if (c.state.closed) return Promise.resolve(right(undefined));
  c.state.closed = true;
  c.statements.clear();
  c.caches.clear();
  c.finishedById.clear();
  c.waitHorizon.clear();
  forgetVolatile(c);
  try {
    c.db.close();
    return Promise.resolve(right(undefined));
  } catch (e) {
    return Promise.resolve(left(storageError(`close '${c.path}'`, errorMessage(e))));
  }
}
