/**
 * PostgreSQL storage: one database shared by workers on many machines, in Optuna's own RDB
 * schema exactly as Python Optuna 5.0 creates it on PostgreSQL (alembic revision `v3.2.0.a`,
 * `version_info` schema 12), so Python Optuna workers and Hyperion workers can run the same
 * study side by side, and optuna-dashboard reads it.
 *
 * Concurrency follows Optuna's RDB storage and is shared with Python workers: a new trial's
 * number is the count of the study's trials, taken in the transaction that holds the study
 * row's lock (`SELECT … FOR UPDATE`), so numbers are consecutive and unique; claiming an
 * enqueued (WAITING) trial is one `UPDATE … WHERE trial_id = (SELECT … FOR UPDATE SKIP
 * LOCKED)`, so no trial is handed out twice; deadlocks and serialization failures are retried.
 * Connections come from a pool (`npm:postgres`, at most `max` of them, opened on demand);
 * `close()` ends the pool.
 *
 * Heartbeats ({@link Storage.recordHeartbeat}) use the database server's clock, as Optuna's do,
 * so workers whose clocks disagree still agree on which trials are stale.
 *
 * @example Open a storage; failures come back as values that never show the password
 * ```ts
 * import { postgresStorage } from "@hyperion/tune/postgres";
 * import assert from "node:assert/strict";
 *
 * // nothing listens on port 1: the connection is refused at once
 * const opened = await postgresStorage(
 *   "postgresql://tuner:s3cret-pw@127.0.0.1:1/studies",
 *   { max: 4, connectTimeoutMs: 2000 },
 * )();
 * assert.equal(opened._tag, "Left");
 * if (opened._tag === "Left") {
 *   assert.equal(opened.left._tag, "StorageError");
 *   assert.match(opened.left.message, /PostgreSQL database 'studies' at 127\.0\.0\.1:1/);
 *   assert.doesNotMatch(opened.left.message, /s3cret-pw/);
 * }
 * ```
 *
 * @example Point workers at one server (needs a running PostgreSQL server, so not run here)
 * ```ts ignore
 * import { postgresStorage } from "@hyperion/tune/postgres";
 * import { createStudy, map, optimize, runOrThrow, suggestFloat } from "@hyperion/tune";
 *
 * // run this same program on every machine
 * const storage = await runOrThrow(postgresStorage("postgresql://tuner:pw@db.internal/studies"));
 * const study = await runOrThrow(createStudy({ storage, studyName: "search", loadIfExists: true }));
 * await runOrThrow(optimize(study, (trial) =>
 *   map(suggestFloat(trial, "x", -10, 10), (x) => (x - 2) ** 2), { nTrials: 100 }));
 * await runOrThrow(storage.close());
 * ```
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument, schemaMismatch, storageError } from "../../errors.ts";
import { ALEMBIC_HEAD } from "./codec.ts";
import { sleep } from "./retry.ts";
import {
  describeTarget,
  errorText,
  isConnectionError,
  openPool,
  parsePostgresUrl,
  type PgPool,
  type PgTarget,
  queryOn,
  sqlState,
} from "./postgres_connection.ts";
import { createSchema, inspectSchema, SCHEMA_LOCK_KEY } from "./postgres_schema.ts";
import type { Storage, StorageHeartbeatOptions } from "../storage.ts";
import { storageHeartbeat } from "../heartbeat_options.ts";
import {
  closeConnection,
  pgConnection,
  retryPauseMs,
  type Settings,
} from "./_postgres/connection.ts";
import { studyOps } from "./_postgres/studies.ts";
import { trialOps } from "./_postgres/trials.ts";
import { trialWriteOps } from "./_postgres/trial_writes.ts";

// the types the storage's signatures mention, so that this entry point documents them
export type * from "../signature_types.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link postgresStorage}.
 *
 * @category model
 */
export interface PostgresStorageOptions extends StorageHeartbeatOptions {
  /**
   * Most connections the pool keeps open at once (they are opened on demand).
   *
   * @default {10}
   */
  readonly max?: number;
  /**
   * An idle connection is closed after this many milliseconds (`0` keeps it).
   *
   * @default {30000}
   */
  readonly idleTimeoutMs?: number;
  /**
   * How long opening a connection may take before the call fails, in milliseconds.
   *
   * @default {10000}
   */
  readonly connectTimeoutMs?: number;
  /**
   * A connection is replaced after this many milliseconds (`null`: never).
   *
   * @default {null}
   */
  readonly maxLifetimeMs?: number | null;
  /**
   * How many times a statement or transaction that hit a deadlock, a serialization failure or
   * a refused connection is run again (after a short random pause) before the call fails
   * with `StorageError`.
   *
   * @default {5}
   */
  readonly retries?: number;
  /**
   * `application_name` of the connections (shown in `pg_stat_activity`).
   *
   * @default {"hyperion"}
   */
  readonly applicationName?: string;
  /**
   * The clock, in epoch milliseconds. Trial datetimes always come from this process (stored
   * as naive UTC, as Optuna 5.0 does); when a clock is given, heartbeats and stale-trial
   * checks use it too instead of the database server's clock (tests inject a fake one).
   *
   * @default {undefined} (datetimes from `Date.now`, heartbeats from the server's clock)
   */
  readonly now?: () => number;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Opens the PostgreSQL database at `url` (`postgresql://user:password@host:port/database`;
 * `postgres://` and SQLAlchemy's `postgresql+psycopg2://` work too) as a {@link Storage},
 * creating Optuna's tables in the current schema when there are none. The storage's `url` is
 * the given URL with the password masked.
 *
 * Errors: `StorageError` naming the database and host (never the password) when the server
 * cannot be reached or refuses the login; `SchemaMismatch` when the database holds another
 * revision of Optuna's schema (the database is then left untouched); `InvalidArgument` for a
 * malformed URL or bad options.
 *
 * @example A malformed URL is an InvalidArgument
 * ```ts
 * import { postgresStorage } from "@hyperion/tune/postgres";
 * import assert from "node:assert/strict";
 *
 * const opened = await postgresStorage("mysql://localhost/db")();
 * assert.equal(opened._tag === "Left" && opened.left._tag, "InvalidArgument");
 * ```
 *
 * @category constructors
 */
export function postgresStorage(
  url: string,
  options: PostgresStorageOptions = {},
): TaskEither<HyperionError, Storage> {
  return async () => {
    try {
      return await open(url, options ?? {});
    } catch (e) {
      const target = parsePostgresUrl(url);
      return left(storageError(
        `open the ${
          target._tag === "Right" ? describeTarget(target.right) : "PostgreSQL database"
        }`,
        errorText(e, target._tag === "Right" ? target.right : undefined),
      ));
    }
  };
}

// -------------------------------------------------------------------------------------
// internals: opening
// -------------------------------------------------------------------------------------

function checkOptions(options: PostgresStorageOptions): Either<HyperionError, Settings> {
  if (typeof options !== "object" || options === null) {
    return left(invalidArgument({ field: "options", value: options, expected: "an object" }));
  }
  const count = (field: string, value: unknown, fallback: number, min: number) => {
    if (value === undefined) return right(fallback);
    return typeof value === "number" && Number.isSafeInteger(value) && value >= min
      ? right(value)
      : left(invalidArgument({
        field,
        value,
        expected: min === 0 ? "a non-negative integer" : "a positive integer",
      }));
  };
  const max = count("max", options.max, 10, 1);
  if (max._tag === "Left") return max;
  const idle = count("idleTimeoutMs", options.idleTimeoutMs, 30_000, 0);
  if (idle._tag === "Left") return idle;
  const connect = count("connectTimeoutMs", options.connectTimeoutMs, 10_000, 1);
  if (connect._tag === "Left") return connect;
  const retries = count("retries", options.retries, 5, 0);
  if (retries._tag === "Left") return retries;
  const lifetime = options.maxLifetimeMs ?? null;
  if (lifetime !== null && !(typeof lifetime === "number" && lifetime > 0)) {
    return left(invalidArgument({
      field: "maxLifetimeMs",
      value: lifetime,
      expected: "a positive number of milliseconds or null",
    }));
  }
  const applicationName = options.applicationName ?? "hyperion";
  if (typeof applicationName !== "string") {
    return left(invalidArgument({
      field: "applicationName",
      value: applicationName,
      expected: "a string",
    }));
  }
  if (options.now !== undefined && typeof options.now !== "function") {
    return left(invalidArgument({ field: "now", value: options.now, expected: "a function" }));
  }
  const heartbeat = storageHeartbeat(options);
  if (heartbeat._tag === "Left") return heartbeat;
  return right({
    heartbeat: heartbeat.right,
    max: max.right,
    idleTimeoutMs: idle.right,
    connectTimeoutMs: connect.right,
    maxLifetimeMs: lifetime,
    retries: retries.right,
    applicationName,
    now: options.now,
  });
}

async function open(
  url: string,
  options: PostgresStorageOptions,
): Promise<Either<HyperionError, Storage>> {
  const parsed = parsePostgresUrl(url);
  if (parsed._tag === "Left") return parsed;
  const target = parsed.right;
  const settings = checkOptions(options);
  if (settings._tag === "Left") return settings;
  const opened = await openPool(target, settings.right);
  if (opened._tag === "Left") {
    return left(storageError(`open the ${describeTarget(target)}`, opened.left));
  }
  const pool = opened.right;
  const ready = await prepareDatabase(pool, target);
  if (ready._tag === "Left") {
    await endPool(pool);
    return ready;
  }
  return right(makeStorage(pool, target, settings.right));
}

async function endPool(pool: PgPool): Promise<void> {
  try {
    await pool.end({ timeout: 5 });
  } catch { /* already ended */ }
}

/** Makes sure the schema is Optuna's head revision, creating it in an empty database. */
async function prepareDatabase(
  pool: PgPool,
  target: PgTarget,
): Promise<Either<HyperionError, void>> {
  const where = describeTarget(target);
  const mismatch = (found: string, advice: string) =>
    left(schemaMismatch({ found, expected: ALEMBIC_HEAD, advice: `${where} ${advice}` }));
  const fail = (e: unknown) =>
    left(storageError(
      isConnectionError(e) ? `connect to the ${where}` : `set up Optuna's tables in the ${where}`,
      errorText(e, target),
    ));
  for (let attempt = 0;; attempt++) {
    try {
      const state = await inspectSchema(queryOn(pool), target.redactedUrl);
      if (state.kind === "mismatch") return mismatch(state.found, state.advice);
      if (state.kind === "ok") return right(undefined);
      let result: Either<HyperionError, void> = right(undefined);
      await pool.begin(async (tx) => {
        const q = queryOn(tx);
        await q("SELECT pg_advisory_xact_lock($1::bigint)", [SCHEMA_LOCK_KEY]);
        const again = await inspectSchema(q, target.redactedUrl);
        if (again.kind === "mismatch") result = mismatch(again.found, again.advice);
        else if (again.kind === "empty") await createSchema(q);
      });
      return result;
    } catch (e) {
      // another program (Python Optuna) created the tables at the same moment: look again
      const state = sqlState(e);
      if ((state === "42P07" || state === "42710" || state === "23505") && attempt < 3) {
        await sleep(retryPauseMs(attempt));
        continue;
      }
      return fail(e);
    }
  }
}

// -------------------------------------------------------------------------------------
// internals: the storage record
// -------------------------------------------------------------------------------------

/** The storage record: the pool's operations by group. */
function makeStorage(pool: PgPool, target: PgTarget, settings: Settings): Storage {
  const c = pgConnection(pool, target, settings);
  return {
    url: target.redactedUrl,
    persistent: true,
    ...(settings.heartbeat === undefined ? {} : { heartbeat: settings.heartbeat }),
    ...studyOps(c),
    ...trialOps(c),
    ...trialWriteOps(c),
    close: () => () => closeConnection(c),
  };
}
