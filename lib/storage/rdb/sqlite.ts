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
import {
  duplicatedStudy,
  type HyperionError,
  invalidArgument,
  schemaMismatch,
  show,
  storageError,
  studyNotFound,
  trialNotFound,
} from "../../errors.ts";
import { checkCompatible, type Distribution, toExternal } from "../../core/distributions.ts";
import { distributionToJson } from "../../core/distribution_json.ts";
import type { JsonValue, ParamValue } from "../../core/json.ts";
import type { Direction, StudyRecord } from "../../core/study.ts";
import { type Attrs, type FrozenTrial, isFinished, type TrialState } from "../../core/trial.ts";
import {
  checkAttrWrite,
  checkDirections,
  checkStudyName,
  checkTrialQuery,
  invalidGracePeriod,
  normaliseTemplate,
  setOwn,
} from "../rules.ts";
import {
  errorMessage,
  isBusyError,
  nodeSqliteOpen,
  type SqliteDriver,
  type SqliteOpen,
  type SqliteStatement,
} from "./sqlite_driver.ts";
import { ALEMBIC_HEAD, createSchema, inspectSchema } from "./sqlite_schema.ts";
import {
  decodeAttrs,
  decodeDirection,
  decodeJson,
  decodeState,
  distributionParser,
  encodeDirection,
  encodeJson,
  encodeValue,
  formatDatetime,
  groupByTrial,
  parseDatetime,
  storedDatetime,
  trialFromRows,
} from "./codec.ts";
import { STUDY_TABLES, TRIAL_CHILD_TABLES } from "./schema.ts";
import { byNumber, EMPTY_TRIAL_CACHE, foldChanged, type TrialCache } from "../trial_cache.ts";
import { backoffMs, sleep } from "./retry.ts";
import { SQLITE, trialWriteSql } from "./dialect.ts";
import {
  decideHeartbeat,
  decideIntermediate,
  decideParam,
  decideState,
  decideTrialAttr,
  mapRight,
  type TrialHead,
} from "../trial_writes.ts";
import type { HeartbeatOptions, Storage, StorageHeartbeatOptions } from "../storage.ts";
import { storageHeartbeat } from "../heartbeat_options.ts";

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

interface TrialRow {
  readonly trial_id: number;
  readonly number: number;
  readonly study_id: number;
  readonly state: unknown;
  readonly datetime_start: unknown;
  readonly datetime_complete: unknown;
}

interface StudyCache extends TrialCache {
  /** The study's name when the cache was built (a rename or a re-created id resets it). */
  readonly name: string;
  /** The first distribution stored for each parameter name. */
  readonly firstDistributions: Map<string, Distribution>;
}

/** The trial-write statements in SQLite's dialect. */
const WRITE = trialWriteSql(SQLITE);

const TRIAL_COLUMNS = "trial_id, number, study_id, state, datetime_start, datetime_complete";

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

/** The pause before retry `attempt` of a transaction that found the database locked. */
const retryPauseMs = (attempt: number): number => backoffMs(attempt, 25);

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
  let db: SqliteDriver;
  try {
    db = (options.driver ?? nodeSqliteOpen)(path);
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

/** A live (write-through) copy of a trial, with its study. */
interface Held {
  readonly studyId: number;
  readonly trial: FrozenTrial;
}

/** A number as it reads back from a FLOAT column (SQLite keeps no negative zero). */
function stored(v: number): number {
  return v === 0 ? 0 : v;
}

/** A JSON value as it reads back from a `value_json` column. */
function storedJson(v: JsonValue): JsonValue {
  return decodeJson(encodeJson(v));
}

function makeStorage(
  db: SqliteDriver,
  path: string,
  url: string,
  options: SqliteStorageOptions & { readonly heartbeat: HeartbeatOptions | undefined },
): Storage {
  const heartbeat = options.heartbeat;
  const now = options.now ?? Date.now;
  const retries = options.retries ?? 5;
  const mirror = options.writeThroughCache ?? true;
  const where = ` in '${path}'`;
  const statements = new Map<string, SqliteStatement>();
  const distribution = distributionParser();
  // durable caches: finished trials never change; first distributions never change
  const caches = new Map<number, StudyCache>();
  const finishedById = new Map<number, Held>();
  // per study: every trial with an id up to this one is known not to be WAITING (a trial is
  // WAITING only from its creation until it is claimed, never again)
  const waitHorizon = new Map<number, number>();
  // volatile caches, exact while no other connection has committed (PRAGMA data_version)
  const live = new Map<number, Held>();
  const records = new Map<number, StudyRecord>();
  const noWaiting = new Set<number>();
  // per study: how many trials it holds (the next trial's number)
  const trialCounts = new Map<number, number>();
  let knownDataVersion: unknown = undefined;
  let afterCommit: Array<() => void> = [];
  let closed = false;

  const q = (sql: string): SqliteStatement => {
    let s = statements.get(sql);
    if (s === undefined) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };

  const forgetVolatile = (): void => {
    live.clear();
    records.clear();
    noWaiting.clear();
    trialCounts.clear();
  };

  /**
   * Runs `body` in one transaction (`BEGIN IMMEDIATE` for writes); a `Left` rolls back, a
   * locked database is retried, other failures become `StorageError`. Cache updates queued
   * with `later` run only after a successful commit.
   */
  const transact = async <A>(
    operation: string,
    mode: "read" | "write",
    body: () => Either<HyperionError, A>,
  ): Promise<Either<HyperionError, A>> => {
    for (let attempt = 0;; attempt++) {
      if (closed) return left(storageError(operation, "the storage is closed"));
      afterCommit = [];
      let began = false;
      try {
        q(mode === "write" ? "BEGIN IMMEDIATE" : "BEGIN").run();
        began = true;
        if (mirror) {
          // also pins a read transaction's snapshot
          const version = q("PRAGMA data_version").get()?.data_version;
          if (version !== knownDataVersion) {
            forgetVolatile();
            knownDataVersion = version;
          }
        }
        const result = body();
        if (result._tag === "Left") {
          q("ROLLBACK").run();
          afterCommit = [];
          return result;
        }
        q("COMMIT").run();
        const pending = afterCommit;
        afterCommit = [];
        for (const f of pending) f();
        return result;
      } catch (e) {
        afterCommit = [];
        if (began) {
          try {
            q("ROLLBACK").run();
          } catch { /* the transaction is already gone */ }
        }
        if (isBusyError(e) && attempt < retries) {
          await sleep(retryPauseMs(attempt));
          continue;
        }
        return left(storageError(operation + where, e));
      }
    }
  };
  const later = (f: () => void): void => {
    afterCommit.push(f);
  };
  const run = <A>(
    operation: string,
    mode: "read" | "write",
    body: () => Either<HyperionError, A>,
  ): TaskEither<HyperionError, A> =>
  () => transact(operation, mode, body);

  // ---- reading rows ----------------------------------------------------------------

  const studyName = (studyId: number): string | undefined => {
    if (typeof studyId !== "number") return undefined;
    const held = records.get(studyId);
    if (held !== undefined) return held.studyName;
    const row = q("SELECT study_name FROM studies WHERE study_id = ?").get(studyId);
    return row === undefined ? undefined : String(row.study_name);
  };

  const trialRow = (trialId: number): TrialRow | undefined =>
    q(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE trial_id = ?`).get(trialId) as
      | TrialRow
      | undefined;

  const attrsOf = (rows: ReadonlyArray<Record<string, unknown>>): Attrs => decodeAttrs(rows);

  const loadStudyRecord = (studyId: number, name: string): StudyRecord => {
    const held = records.get(studyId);
    if (held !== undefined && held.studyName === name) return held;
    const directions: Direction[] = q(
      "SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective",
    ).all(studyId).map((r) => decodeDirection(r.direction));
    const userAttrs = attrsOf(
      q(`SELECT "key", value_json FROM study_user_attributes WHERE study_id = ? ORDER BY study_user_attribute_id`)
        .all(studyId),
    );
    const systemAttrs = attrsOf(
      q(`SELECT "key", value_json FROM study_system_attributes WHERE study_id = ? ORDER BY study_system_attribute_id`)
        .all(studyId),
    );
    const record: StudyRecord = { studyId, studyName: name, directions, userAttrs, systemAttrs };
    if (mirror) later(() => records.set(studyId, record));
    return record;
  };

  /** Builds full trials (params, values, intermediate values, attrs) for trial rows. */
  const loadTrials = (rows: ReadonlyArray<TrialRow>): FrozenTrial[] => {
    if (rows.length === 0) return [];
    const single = rows.length === 1;
    const arg = single
      ? (rows[0] as TrialRow).trial_id
      : JSON.stringify(rows.map((r) => r.trial_id));
    const filter = single ? "trial_id = ?" : "trial_id IN (SELECT value FROM json_each(?))";
    const child = (sql: string) => q(sql.replace("$FILTER", filter)).all(arg);
    const params = groupByTrial(child(
      "SELECT trial_id, param_name, param_value, distribution_json FROM trial_params WHERE $FILTER ORDER BY param_id",
    ));
    const values = groupByTrial(child(
      "SELECT trial_id, objective, value, value_type FROM trial_values WHERE $FILTER ORDER BY objective",
    ));
    const inter = groupByTrial(child(
      "SELECT trial_id, step, intermediate_value, intermediate_value_type FROM trial_intermediate_values WHERE $FILTER ORDER BY step",
    ));
    const user = groupByTrial(child(
      `SELECT trial_id, "key", value_json FROM trial_user_attributes WHERE $FILTER ORDER BY trial_user_attribute_id`,
    ));
    const system = groupByTrial(child(
      `SELECT trial_id, "key", value_json FROM trial_system_attributes WHERE $FILTER ORDER BY trial_system_attribute_id`,
    ));
    return rows.map((row) => {
      const id = Number(row.trial_id);
      return trialFromRows({
        trial: row,
        params: params.get(id) ?? [],
        values: values.get(id) ?? [],
        intermediate: inter.get(id) ?? [],
        userAttrs: user.get(id) ?? [],
        systemAttrs: system.get(id) ?? [],
      }, distribution);
    });
  };

  const cachedFinished = (row: TrialRow): FrozenTrial | undefined => {
    const hit = finishedById.get(Number(row.trial_id));
    return hit !== undefined && hit.studyId === Number(row.study_id) &&
        hit.trial.number === Number(row.number) && hit.trial.state === row.state
      ? hit.trial
      : undefined;
  };

  /** Remembers trials read or written in full (queue it with `later`). */
  const remember = (studyId: number, trials: ReadonlyArray<FrozenTrial>): void => {
    for (const t of trials) {
      if (isFinished(t.state)) {
        finishedById.set(t.trialId, { studyId, trial: t });
        live.delete(t.trialId);
      } else if (mirror) {
        live.set(t.trialId, { studyId, trial: t });
      }
    }
  };

  /** Applies this connection's own committed write to the live copy (queue it with `later`). */
  const patch = (trialId: number, f: (t: FrozenTrial) => FrozenTrial): void => {
    const held = live.get(trialId);
    if (held !== undefined) remember(held.studyId, [f(held.trial)]);
  };

  const forgetStudy = (studyId: number): void => {
    caches.delete(studyId);
    waitHorizon.clear(); // ids of the study's trials may be reused by new trials of others
    records.delete(studyId);
    noWaiting.delete(studyId);
    trialCounts.delete(studyId);
    for (const [id, hit] of finishedById) if (hit.studyId === studyId) finishedById.delete(id);
    for (const [id, hit] of live) if (hit.studyId === studyId) live.delete(id);
  };

  const emptyCache = (name: string): StudyCache => ({
    ...EMPTY_TRIAL_CACHE,
    name,
    firstDistributions: new Map(),
  });

  /** The study's cache, reset when the study's name no longer matches. */
  const cacheFor = (studyId: number, name: string): StudyCache => {
    const c = caches.get(studyId);
    if (c !== undefined && c.name === name) return c;
    const fresh = emptyCache(name);
    caches.set(studyId, fresh);
    return fresh;
  };

  /** The first distribution stored for `name` in the study (cached; read once otherwise). */
  const firstDistribution = (
    studyId: number,
    cache: StudyCache,
    name: string,
  ): Distribution | undefined => {
    const known = cache.firstDistributions.get(name);
    if (known !== undefined) return known;
    const row = q(
      "SELECT p.distribution_json FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id WHERE t.study_id = ? AND p.param_name = ? LIMIT 1",
    ).get(studyId, name);
    if (row === undefined) return undefined;
    const d = distribution(String(row.distribution_json));
    cache.firstDistributions.set(name, d);
    return d;
  };

  /** Reads only what changed since the last read: new trials and the ones seen unfinished. */
  const syncTrials = (studyId: number, name: string): ReadonlyArray<FrozenTrial> => {
    const previous = caches.get(studyId);
    let cache = previous !== undefined && previous.name === name ? previous : emptyCache(name);
    // the rowid range and the id list, then the study (an index on study_id would scan it all)
    const changedSql =
      `SELECT ${TRIAL_COLUMNS} FROM trials WHERE (trial_id > ?2 OR trial_id IN (SELECT value FROM json_each(?3))) AND +study_id = ?1`;
    const unfinishedIds = new Set(cache.unfinished.map((t) => t.trialId));
    let rows = q(changedSql).all(
      studyId,
      cache.maxSeenId,
      JSON.stringify([...unfinishedIds]),
    ) as unknown as ReadonlyArray<TrialRow>;
    const stillThere = rows.filter((r) => unfinishedIds.has(Number(r.trial_id))).length;
    // a study deleted and created again under the same id and name by another process: its
    // first trial is another one (trials are never deleted one by one)
    const first = cache.finished[0];
    const firstRow = first === undefined ? undefined : trialRow(first.trialId);
    const sameFirst = first === undefined ||
      (firstRow !== undefined && Number(firstRow.study_id) === studyId &&
        Number(firstRow.number) === first.number &&
        parseDatetime(firstRow.datetime_start) === first.datetimeStart);
    if (stillThere !== unfinishedIds.size || !sameFirst) {
      for (const [id, hit] of finishedById) if (hit.studyId === studyId) finishedById.delete(id);
      cache = emptyCache(name);
      rows = q(changedSql).all(studyId, -1, "[]") as unknown as ReadonlyArray<TrialRow>;
    }
    const reuse: FrozenTrial[] = [];
    const toLoad: TrialRow[] = [];
    for (const r of rows) {
      const id = Number(r.trial_id);
      const hit = isFinished(r.state as TrialState) ? cachedFinished(r) : live.get(id)?.trial;
      if (hit !== undefined && hit.state === r.state) reuse.push(hit);
      else toLoad.push(r);
    }
    const loaded = loadTrials(toLoad);
    const folded = foldChanged(cache, [...reuse, ...loaded]);
    const next: StudyCache = {
      name,
      maxSeenId: folded.maxSeenId,
      finished: folded.finished,
      unfinished: folded.unfinished,
      all: folded.all,
      firstDistributions: cache.firstDistributions,
    };
    later(() => {
      caches.set(studyId, next);
      remember(studyId, loaded);
    });
    return folded.all;
  };

  /**
   * How many trials the study holds: the number of its next trial. Counted once, then kept
   * while no other connection writes (the volatile caches are dropped when one does).
   */
  const trialCount = (studyId: number): number =>
    trialCounts.get(studyId) ??
      Number(q("SELECT COUNT(*) AS n FROM trials WHERE study_id = ?").get(studyId)?.n ?? 0);

  // ---- writing rows ----------------------------------------------------------------

  const attrTable = (owner: "study" | "trial", kind: "user" | "system"): string =>
    `${owner}_${kind}_attributes`;

  const insertValues = (trialId: number, values: ReadonlyArray<number>): void => {
    const upsert = q(WRITE.value);
    values.forEach((v, objective) => {
      const [value, type] = encodeValue(v);
      upsert.run(trialId, objective, value, type);
    });
    q(WRITE.dropValuesFrom).run(trialId, values.length);
  };

  const insertIntermediate = (trialId: number, step: number, v: number): void => {
    const [value, type] = encodeValue(v);
    q(WRITE.intermediate).run(trialId, step, value, type);
  };

  const upsertAttr = (
    owner: "study" | "trial",
    kind: "user" | "system",
    id: number,
    key: string,
    value: JsonValue,
  ): void => {
    if (owner === "trial") {
      q(WRITE.attr[kind]).run(id, key, encodeJson(value));
      return;
    }
    q(
      `INSERT INTO ${
        attrTable(owner, kind)
      } (${owner}_id, "key", value_json) VALUES (?, ?, ?) ON CONFLICT (${owner}_id, "key") DO UPDATE SET value_json = excluded.value_json`,
    ).run(id, key, encodeJson(value));
  };

  /** Inserts a parameter; returns the distribution as it reads back. */
  const insertParam = (
    trialId: number,
    name: string,
    internal: number,
    d: Distribution,
  ): Distribution => {
    const json = distributionToJson(d);
    q(WRITE.param).run(trialId, name, internal, json);
    return distribution(json);
  };

  /** What the decisions need to know about a trial; `undefined` when missing. */
  const head = (trialId: number): TrialHead | undefined => {
    const held = live.get(trialId);
    if (held !== undefined) {
      return { studyId: held.studyId, number: held.trial.number, state: held.trial.state };
    }
    const row = typeof trialId === "number" ? trialRow(trialId) : undefined;
    if (row === undefined) return undefined;
    return {
      studyId: Number(row.study_id),
      number: Number(row.number),
      state: decodeState(row.state) ?? "FAIL",
    };
  };

  /** The first distribution of a parameter in the study (for the decisions). */
  const firstOf = (studyId: number, name: string): Distribution | undefined =>
    firstDistribution(studyId, cacheFor(studyId, studyName(studyId) ?? ""), name);

  // ---- the record ----------------------------------------------------------------------

  return {
    url,
    persistent: path !== ":memory:",
    ...(heartbeat === undefined ? {} : { heartbeat }),
    createStudy: (args) =>
      run("create the study", "write", () => {
        const name = checkStudyName(args?.studyName);
        if (name._tag === "Left") return name;
        const directions = checkDirections(args.directions);
        if (directions._tag === "Left") return directions;
        if (q("SELECT study_id FROM studies WHERE study_name = ?").get(name.right) !== undefined) {
          return left(duplicatedStudy(name.right));
        }
        const row = q("INSERT INTO studies (study_name) VALUES (?) RETURNING study_id").get(
          name.right,
        );
        const studyId = Number(row?.study_id);
        const insert = q(
          "INSERT INTO study_directions (direction, study_id, objective) VALUES (?, ?, ?)",
        );
        directions.right.forEach((d, i) => insert.run(encodeDirection(d), studyId, i));
        const record: StudyRecord = {
          studyId,
          studyName: name.right,
          directions: [...directions.right],
          userAttrs: {},
          systemAttrs: {},
        };
        later(() => {
          forgetStudy(studyId);
          if (mirror) records.set(studyId, record);
        });
        return right(record);
      }),
    deleteStudy: (studyId) =>
      run("delete the study", "write", () => {
        if (studyName(studyId) === undefined) return left(studyNotFound(`#${show(studyId)}`));
        const trialsOf = "SELECT trial_id FROM trials WHERE study_id = ?";
        for (const t of TRIAL_CHILD_TABLES) {
          q(`DELETE FROM ${t} WHERE trial_id IN (${trialsOf})`).run(studyId);
        }
        for (const t of STUDY_TABLES) q(`DELETE FROM ${t} WHERE study_id = ?`).run(studyId);
        later(() => forgetStudy(studyId));
        return right(undefined);
      }),
    renameStudy: (args) =>
      run("rename the study", "write", () => {
        const studyId = args?.studyId;
        const old = studyName(studyId);
        if (old === undefined) return left(studyNotFound(`#${show(studyId)}`));
        const name = checkStudyName(args.studyName);
        if (name._tag === "Left") return name;
        const taken = q("SELECT study_id FROM studies WHERE study_name = ?").get(name.right);
        if (taken !== undefined && Number(taken.study_id) !== studyId) {
          return left(duplicatedStudy(name.right));
        }
        q("UPDATE studies SET study_name = ? WHERE study_id = ?").run(name.right, studyId);
        const record = { ...loadStudyRecord(studyId, old), studyName: name.right };
        later(() => {
          records.delete(studyId);
          if (mirror) records.set(studyId, record);
        });
        return right(record);
      }),
    getStudy: (name) =>
      run("get the study", "read", () => {
        for (const r of records.values()) if (r.studyName === name) return right(r);
        const row = typeof name === "string"
          ? q("SELECT study_id FROM studies WHERE study_name = ?").get(name)
          : undefined;
        if (row === undefined) {
          return left(studyNotFound(typeof name === "string" ? name : show(name)));
        }
        return right(loadStudyRecord(Number(row.study_id), name));
      }),
    getStudyById: (studyId) =>
      run("get the study", "read", () => {
        const name = studyName(studyId);
        if (name === undefined) return left(studyNotFound(`#${show(studyId)}`));
        return right(loadStudyRecord(studyId, name));
      }),
    listStudies: () =>
      run("list the studies", "read", () => {
        const studies = q("SELECT study_id, study_name FROM studies ORDER BY study_id").all();
        const directions = new Map<number, Direction[]>();
        for (
          const r of q(
            "SELECT study_id, direction FROM study_directions ORDER BY study_id, objective",
          ).all()
        ) {
          const id = Number(r.study_id);
          let list = directions.get(id);
          if (list === undefined) directions.set(id, list = []);
          list.push(decodeDirection(r.direction));
        }
        const attrs = (kind: "user" | "system") => {
          const m = new Map<number, Record<string, JsonValue>>();
          for (
            const r of q(
              `SELECT study_id, "key", value_json FROM ${
                attrTable("study", kind)
              } ORDER BY study_${kind}_attribute_id`,
            ).all()
          ) {
            const id = Number(r.study_id);
            let a = m.get(id);
            if (a === undefined) m.set(id, a = {});
            setOwn(a, String(r.key), decodeJson(r.value_json));
          }
          return m;
        };
        const user = attrs("user");
        const system = attrs("system");
        return right(studies.map((r): StudyRecord => {
          const id = Number(r.study_id);
          return {
            studyId: id,
            studyName: String(r.study_name),
            directions: directions.get(id) ?? [],
            userAttrs: user.get(id) ?? {},
            systemAttrs: system.get(id) ?? {},
          };
        }));
      }),
    setStudyAttr: (args) =>
      run("set the study attribute", "write", () => {
        const name = studyName(args?.id);
        if (name === undefined) return left(studyNotFound(`#${show(args?.id)}`));
        const checked = checkAttrWrite(args);
        if (checked._tag === "Left") return checked;
        const kind = args.kind === "user" ? "user" : "system";
        upsertAttr("study", kind, args.id, args.key, args.value);
        const held = records.get(args.id);
        later(() => {
          if (held === undefined) return;
          const field = kind === "user" ? "userAttrs" : "systemAttrs";
          records.set(args.id, {
            ...held,
            [field]: { ...held[field], [args.key]: storedJson(args.value) },
          });
        });
        return right(undefined);
      }),
    createTrial: (studyId, template) =>
      run("create the trial", "write", () => {
        const name = studyName(studyId);
        if (name === undefined) return left(studyNotFound(`#${show(studyId)}`));
        const t = normaliseTemplate(template, now());
        if (t._tag === "Left") return t;
        const n = t.right;
        const cache = cacheFor(studyId, name);
        for (const [param, d] of Object.entries(n.distributions)) {
          const first = firstDistribution(studyId, cache, param);
          if (first !== undefined) {
            const ok = checkCompatible(first, d, param);
            if (ok._tag === "Left") return ok;
          }
        }
        const number = trialCount(studyId);
        const row = q(
          "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES (?5, ?1, ?2, ?3, ?4) RETURNING trial_id, number",
        ).get(
          studyId,
          n.state,
          n.datetimeStart === null ? null : formatDatetime(n.datetimeStart),
          n.datetimeComplete === null ? null : formatDatetime(n.datetimeComplete),
          number,
        );
        const trialId = Number(row?.trial_id);
        const params: Record<string, ParamValue> = {};
        const distributions: Record<string, Distribution> = {};
        for (const [param, internal] of Object.entries(n.internalParams)) {
          const d = insertParam(trialId, param, internal, n.distributions[param] as Distribution);
          setOwn(distributions, param, d);
          setOwn(params, param, toExternal(d, stored(internal)));
        }
        if (n.values !== null) insertValues(trialId, n.values);
        const intermediateValues: Record<number, number> = {};
        for (const [step, value] of Object.entries(n.intermediateValues)) {
          insertIntermediate(trialId, Number(step), value);
          intermediateValues[Number(step)] = stored(value);
        }
        const userAttrs: Record<string, JsonValue> = {};
        for (const [key, value] of Object.entries(n.userAttrs)) {
          upsertAttr("trial", "user", trialId, key, value);
          setOwn(userAttrs, key, storedJson(value));
        }
        const systemAttrs: Record<string, JsonValue> = {};
        for (const [key, value] of Object.entries(n.systemAttrs)) {
          upsertAttr("trial", "system", trialId, key, value);
          setOwn(systemAttrs, key, storedJson(value));
        }
        const frozen: FrozenTrial = {
          number: Number(row?.number),
          trialId,
          state: n.state,
          values: n.values === null ? null : n.values.map(stored),
          params,
          distributions,
          intermediateValues,
          userAttrs,
          systemAttrs,
          datetimeStart: storedDatetime(n.datetimeStart),
          datetimeComplete: storedDatetime(n.datetimeComplete),
        };
        later(() => {
          for (const [param, d] of Object.entries(distributions)) {
            if (!cache.firstDistributions.has(param)) cache.firstDistributions.set(param, d);
          }
          if (n.state === "WAITING") noWaiting.delete(studyId);
          if (mirror) trialCounts.set(studyId, number + 1);
          remember(studyId, [frozen]);
        });
        return right(frozen);
      }),
    claimWaitingTrial: (studyId) => async () => {
      // a cheap look first, so that asking without enqueued trials takes no write lock
      const peek = await transact("claim a waiting trial", "read", () => {
        if (studyName(studyId) === undefined) return left(studyNotFound(`#${show(studyId)}`));
        if (noWaiting.has(studyId)) return right(false);
        // look only at trials created since the last look (a rowid range, not the whole study)
        const max = Number(q("SELECT MAX(trial_id) AS m FROM trials").get()?.m ?? -1);
        const known = waitHorizon.get(studyId) ?? -1;
        const from = max < known ? -1 : known; // trials were deleted: look at everything again
        const first = q(
          "SELECT trial_id FROM trials WHERE trial_id > ?2 AND +study_id = ?1 AND state = 'WAITING' ORDER BY trial_id LIMIT 1",
        ).get(studyId, from);
        const horizon = first === undefined ? max : Number(first.trial_id) - 1;
        later(() => {
          waitHorizon.set(studyId, horizon);
          if (first === undefined && mirror) noWaiting.add(studyId);
        });
        return right(first !== undefined);
      });
      if (peek._tag === "Left" || !peek.right) {
        return peek._tag === "Left" ? peek : right(undefined);
      }
      return await transact("claim a waiting trial", "write", () => {
        if (studyName(studyId) === undefined) return left(studyNotFound(`#${show(studyId)}`));
        const row = q(
          `UPDATE trials SET state = 'RUNNING', datetime_start = ?2 WHERE trial_id = (SELECT trial_id FROM trials WHERE study_id = ?1 AND state = 'WAITING' ORDER BY number, trial_id LIMIT 1) RETURNING ${TRIAL_COLUMNS}`,
        ).get(studyId, formatDatetime(now())) as TrialRow | undefined;
        if (row === undefined) return right(undefined);
        const trial = loadTrials([row])[0] as FrozenTrial;
        later(() => remember(studyId, [trial]));
        return right(trial);
      });
    },
    setTrialParam: (args) =>
      run(
        "set the trial parameter",
        "write",
        () => {
          const h = head(args?.trialId);
          return mapRight(decideParam(h, args, firstOf), (w) => {
            const d = insertParam(w.trialId, w.name, w.internal, w.distribution);
            // the decision looked the first distribution up: the study's cache is current
            const cache = caches.get((h as TrialHead).studyId);
            later(() => {
              if (cache !== undefined && !cache.firstDistributions.has(w.name)) {
                cache.firstDistributions.set(w.name, d);
              }
              patch(w.trialId, (t) =>
                Object.hasOwn(t.params, w.name) ? t : {
                  ...t,
                  params: { ...t.params, [w.name]: toExternal(d, stored(w.internal)) },
                  distributions: { ...t.distributions, [w.name]: d },
                });
            });
          });
        },
      ),
    setTrialIntermediateValue: (args) =>
      run(
        "set the intermediate value",
        "write",
        () =>
          mapRight(decideIntermediate(head(args?.trialId), args), (w) => {
            insertIntermediate(w.trialId, w.step, w.value);
            later(() =>
              patch(w.trialId, (t) => ({
                ...t,
                intermediateValues: { ...t.intermediateValues, [w.step]: stored(w.value) },
              }))
            );
          }),
      ),
    setTrialStateValues: (args) =>
      run(
        "set the trial state",
        "write",
        () =>
          mapRight(decideState(head(args?.trialId), args), (w) => {
            if (w === undefined) return false;
            if (w.values !== undefined) insertValues(w.trialId, w.values);
            const ms = now();
            const time = formatDatetime(ms);
            q(
              "UPDATE trials SET state = ?1, datetime_start = COALESCE(?2, datetime_start), datetime_complete = COALESCE(?3, datetime_complete) WHERE trial_id = ?4",
            ).run(w.state, w.start ? time : null, w.complete ? time : null, w.trialId);
            later(() =>
              patch(w.trialId, (t) => ({
                ...t,
                state: w.state,
                values: w.values === undefined ? t.values : w.values.map(stored),
                datetimeStart: w.start ? storedDatetime(ms) : t.datetimeStart,
                datetimeComplete: w.complete ? storedDatetime(ms) : t.datetimeComplete,
              }))
            );
            return true;
          }),
      ),
    setTrialAttr: (args) =>
      run(
        "set the trial attribute",
        "write",
        () =>
          mapRight(decideTrialAttr(head(args?.id), args), (w) => {
            upsertAttr("trial", w.kind, w.trialId, w.key, w.value);
            later(() =>
              patch(w.trialId, (t) => {
                const field = w.kind === "user" ? "userAttrs" : "systemAttrs";
                return { ...t, [field]: { ...t[field], [w.key]: storedJson(w.value) } };
              })
            );
          }),
      ),
    getTrial: (trialId) =>
      run("get the trial", "read", () => {
        const held = live.get(trialId);
        if (held !== undefined) return right(held.trial);
        const row = typeof trialId === "number" ? trialRow(trialId) : undefined;
        if (row === undefined) return left(trialNotFound(trialId, "id"));
        const hit = isFinished(row.state as TrialState) ? cachedFinished(row) : undefined;
        if (hit !== undefined) return right(hit);
        const trial = loadTrials([row])[0] as FrozenTrial;
        later(() => remember(Number(row.study_id), [trial]));
        return right(trial);
      }),
    getAllTrials: (studyId, opts) =>
      run("get the trials", "read", () => {
        const name = studyName(studyId);
        if (name === undefined) {
          forgetStudy(studyId);
          return left(studyNotFound(`#${show(studyId)}`));
        }
        const checked = checkTrialQuery(opts);
        if (checked._tag === "Left") return checked;
        const trials = syncTrials(studyId, name);
        const states = checked.right;
        return right(states ? trials.filter((t) => states.includes(t.state)) : trials);
      }),
    recordHeartbeat: (trialId) =>
      run(
        "record the heartbeat",
        "write",
        () =>
          mapRight(decideHeartbeat(trialId, head(trialId)), (write) => {
            if (!write) return;
            q(
              "INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ?) ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat",
            ).run(trialId, formatDatetime(now()));
          }),
      ),
    failStaleTrials: (args) =>
      run("fail stale trials", "write", () => {
        const studyId = args?.studyId;
        if (studyName(studyId) === undefined) return left(studyNotFound(`#${show(studyId)}`));
        const invalid = invalidGracePeriod(args.gracePeriodMs);
        if (invalid !== undefined) return left(invalid);
        const time = now();
        const stale = q(
          "SELECT t.trial_id, h.heartbeat FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id WHERE t.study_id = ? AND t.state = 'RUNNING'",
        ).all(studyId).filter((r) => {
          const beat = parseDatetime(r.heartbeat);
          return beat !== null && time - beat > args.gracePeriodMs;
        });
        const rows: TrialRow[] = [];
        const fail = q(
          `UPDATE trials SET state = 'FAIL', datetime_complete = ? WHERE trial_id = ? AND state = 'RUNNING' RETURNING ${TRIAL_COLUMNS}`,
        );
        for (const r of stale) {
          const row = fail.get(formatDatetime(time), Number(r.trial_id)) as TrialRow | undefined;
          if (row !== undefined) rows.push(row);
        }
        const failed = loadTrials(rows).sort(byNumber);
        later(() => remember(studyId, failed));
        return right(failed);
      }),
    close: () => () => {
      if (closed) return Promise.resolve(right(undefined));
      closed = true;
      statements.clear();
      caches.clear();
      finishedById.clear();
      waitHorizon.clear();
      forgetVolatile();
      try {
        db.close();
        return Promise.resolve(right(undefined));
      } catch (e) {
        return Promise.resolve(left(storageError(`close '${path}'`, errorMessage(e))));
      }
    },
  };
}
