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
import { checkCompatible, type Distribution } from "../../core/distributions.ts";
import { distributionToJson } from "../../core/distribution_json.ts";
import type { JsonValue } from "../../core/json.ts";
import type { Direction, StudyRecord } from "../../core/study.ts";
import {
  checkTransition,
  type FrozenTrial,
  isFinished,
  type TrialState,
} from "../../core/trial.ts";
import {
  checkAttrWrite,
  checkDirections,
  checkIntermediate,
  checkParam,
  checkStudyName,
  checkTrialQuery,
  checkValues,
  invalidGracePeriod,
  normaliseTemplate,
} from "../rules.ts";
import {
  ALEMBIC_HEAD,
  decodeAttrs,
  decodeDirection,
  distributionParser,
  encodeDirection,
  encodeJson,
  encodeValue,
  formatDatetime,
  type Row,
  storedDatetime,
  trialFromRows,
} from "./codec.ts";
import { STUDY_TABLES, TRIAL_CHILD_TABLES } from "./schema.ts";
import {
  byNumber,
  EMPTY_TRIAL_CACHE,
  foldChanged,
  runningTrial,
  type TrialCache,
} from "../trial_cache.ts";
import { backoffMs, sleep } from "./retry.ts";
import { POSTGRESQL, trialWriteSql } from "./dialect.ts";
import {
  decideIntermediate,
  decideParam,
  decideState,
  decideTrialAttr,
  mapRight,
} from "../trial_writes.ts";
import {
  describeTarget,
  errorText,
  isConnectionError,
  isRetryable,
  openPool,
  parsePostgresUrl,
  type PgParam,
  type PgPool,
  type PgQuery,
  type PgRow,
  type PgTarget,
  queryOn,
  sqlState,
} from "./postgres_connection.ts";
import { createSchema, inspectSchema, SCHEMA_LOCK_KEY } from "./postgres_schema.ts";
import type { HeartbeatOptions, Storage, StorageHeartbeatOptions } from "../storage.ts";
import { storageHeartbeat } from "../heartbeat_options.ts";

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

/** A study's cache: finished trials never change, and neither does a first distribution. */
interface StudyCache {
  /** The study's trials (ids grow in commit order within a study: the study lock). */
  trials: TrialCache;
  /** The first distribution stored for each parameter name. */
  readonly firstDistributions: Map<string, Distribution>;
}

const TS = "YYYY-MM-DD HH24:MI:SS.US";

/** The trial-write statements in PostgreSQL's dialect (guarded: the write is the check). */
const WRITE = trialWriteSql(POSTGRESQL);

const attrsJson = (owner: "study" | "trial", kind: "user" | "system", alias: string): string =>
  `COALESCE((SELECT json_agg(json_build_object('key', a.key, 'value_json', a.value_json) ORDER BY a.${owner}_${kind}_attribute_id) FROM ${owner}_${kind}_attributes a WHERE a.${owner}_id = ${alias}.${owner}_id), '[]')`;

/** A trial with everything stored about it, in one row. */
const FULL_TRIAL = `SELECT t.trial_id, t.number, t.study_id, t.state::text AS state, ` +
  `to_char(t.datetime_start, '${TS}') AS datetime_start, ` +
  `to_char(t.datetime_complete, '${TS}') AS datetime_complete, ` +
  `COALESCE((SELECT json_agg(json_build_object('param_name', p.param_name, 'param_value', p.param_value, 'distribution_json', p.distribution_json) ORDER BY p.param_id) FROM trial_params p WHERE p.trial_id = t.trial_id), '[]') AS params_json, ` +
  `COALESCE((SELECT json_agg(json_build_object('value', v.value, 'value_type', v.value_type) ORDER BY v.objective) FROM trial_values v WHERE v.trial_id = t.trial_id), '[]') AS values_json, ` +
  `COALESCE((SELECT json_agg(json_build_object('step', i.step, 'intermediate_value', i.intermediate_value, 'intermediate_value_type', i.intermediate_value_type) ORDER BY i.step) FROM trial_intermediate_values i WHERE i.trial_id = t.trial_id), '[]') AS intermediate_json, ` +
  `${attrsJson("trial", "user", "t")} AS user_attrs_json, ` +
  `${attrsJson("trial", "system", "t")} AS system_attrs_json ` +
  `FROM trials t`;

/** A study with its directions and attributes, in one row. */
const FULL_STUDY = `SELECT s.study_id, s.study_name, ` +
  `COALESCE((SELECT json_agg(d.direction::text ORDER BY d.objective) FROM study_directions d WHERE d.study_id = s.study_id), '[]') AS directions_json, ` +
  `${attrsJson("study", "user", "s")} AS user_attrs_json, ` +
  `${attrsJson("study", "system", "s")} AS system_attrs_json ` +
  `FROM studies s`;

/** Trial states from which a write may move the trial to RUNNING / to a finished state. */
const FROM_STATES = {
  claim: "'WAITING'",
  other: "'RUNNING', 'WAITING'",
} as const;

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

interface Settings {
  readonly max: number;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxLifetimeMs: number | null;
  readonly retries: number;
  readonly applicationName: string;
  readonly now: (() => number) | undefined;
  readonly heartbeat: HeartbeatOptions | undefined;
}

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

/** The pause before retry `attempt` of a statement or transaction. */
const retryPauseMs = (attempt: number): number => backoffMs(attempt, 20);

async function open(
  url: string,
  options: PostgresStorageOptions,
): Promise<Either<HyperionError, Storage>> {
  const parsed = parsePostgresUrl(url);
  if (parsed._tag === "Left") return parsed;
  const target = parsed.right;
  const settings = checkOptions(options);
  if (settings._tag === "Left") return settings;
  const pool = openPool(target, settings.right);
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

/** Thrown inside a transaction to roll it back when the body returned a `Left`. */
const ROLLBACK: unique symbol = Symbol("rollback");

type Later = (f: () => void) => void;
type Body<A> = (q: PgQuery, later: Later) => Promise<Either<HyperionError, A>>;

/** A list for a `$n::json` parameter. */
const json = (value: ReadonlyArray<unknown>): PgParam => value;

function makeStorage(pool: PgPool, target: PgTarget, settings: Settings): Storage {
  const now = settings.now ?? Date.now;
  const where = ` in the ${describeTarget(target)}`;
  const distribution = distributionParser();
  const caches = new Map<number, StudyCache>();
  const finishedById = new Map<number, FrozenTrial>();
  const studyOfTrial = new Map<number, number>();
  let closed = false;

  const attempt = async <A>(
    operation: string,
    transaction: boolean,
    body: Body<A>,
  ): Promise<Either<HyperionError, A>> => {
    for (let n = 0;; n++) {
      if (closed) return left(storageError(operation, "the storage is closed"));
      const pending: Array<() => void> = [];
      const later: Later = (f) => void pending.push(f);
      let result: Either<HyperionError, A> | undefined;
      try {
        if (transaction) {
          await pool.begin(async (tx) => {
            result = await body(queryOn(tx), later);
            if (result._tag === "Left") throw ROLLBACK;
          });
        } else {
          result = await body(queryOn(pool), later);
        }
        if (result === undefined) throw new Error("the transaction returned nothing");
        if (result._tag === "Right") { for (const f of pending) f(); }
        return result;
      } catch (e) {
        if (e === ROLLBACK && result !== undefined) return result;
        if (closed) return left(storageError(operation, "the storage is closed"));
        if (isRetryable(e) && n < settings.retries) {
          await sleep(retryPauseMs(n));
          continue;
        }
        return left(storageError(operation + where, errorText(e, target)));
      }
    }
  };
  const run = <A>(operation: string, body: Body<A>): TaskEither<HyperionError, A> => () =>
    attempt(operation, false, body);
  const runTx = <A>(operation: string, body: Body<A>): TaskEither<HyperionError, A> => () =>
    attempt(operation, true, body);

  // ---- reading rows ----------------------------------------------------------------

  const rows = (value: unknown): ReadonlyArray<Row> =>
    Array.isArray(value) ? value as ReadonlyArray<Row> : [];

  const toTrial = (r: PgRow): FrozenTrial =>
    trialFromRows({
      trial: {
        trial_id: r.trial_id,
        number: r.number,
        state: r.state,
        datetime_start: r.datetime_start,
        datetime_complete: r.datetime_complete,
      },
      params: rows(r.params_json),
      values: rows(r.values_json),
      intermediate: rows(r.intermediate_json),
      userAttrs: rows(r.user_attrs_json),
      systemAttrs: rows(r.system_attrs_json),
    }, distribution);

  const toStudy = (r: PgRow): StudyRecord => ({
    studyId: Number(r.study_id),
    studyName: String(r.study_name),
    directions: (Array.isArray(r.directions_json) ? r.directions_json : []).map((d): Direction =>
      decodeDirection(d)
    ),
    userAttrs: decodeAttrs(rows(r.user_attrs_json)),
    systemAttrs: decodeAttrs(rows(r.system_attrs_json)),
  });

  const loadTrial = async (q: PgQuery, trialId: number): Promise<FrozenTrial | undefined> => {
    const found = await q(`${FULL_TRIAL} WHERE t.trial_id = $1`, [trialId]);
    const row = found[0];
    if (row === undefined) return undefined;
    studyOfTrial.set(trialId, Number(row.study_id));
    return toTrial(row);
  };

  const studyExists = async (q: PgQuery, studyId: unknown): Promise<boolean> =>
    typeof studyId === "number" && Number.isSafeInteger(studyId) &&
    (await q("SELECT 1 FROM studies WHERE study_id = $1", [studyId])).length > 0;

  /** The trial's number and state, for error messages; `undefined` when missing. */
  const trialHead = async (
    q: PgQuery,
    trialId: unknown,
  ): Promise<{ number: number; state: TrialState; studyId: number } | undefined> => {
    if (typeof trialId !== "number" || !Number.isSafeInteger(trialId)) return undefined;
    const r = (await q(
      "SELECT number, state::text AS state, study_id FROM trials WHERE trial_id = $1",
      [trialId],
    ))[0];
    if (r === undefined) return undefined;
    studyOfTrial.set(trialId, Number(r.study_id));
    return { number: Number(r.number), state: r.state as TrialState, studyId: Number(r.study_id) };
  };

  const cacheFor = (studyId: number): StudyCache => {
    let c = caches.get(studyId);
    if (c === undefined) {
      c = { trials: EMPTY_TRIAL_CACHE, firstDistributions: new Map() };
      caches.set(studyId, c);
    }
    return c;
  };

  /** The first distribution stored for `name` in the study (cached; read once otherwise). */
  const firstDistribution = async (
    q: PgQuery,
    studyId: number,
    name: string,
  ): Promise<Distribution | undefined> => {
    const cache = cacheFor(studyId);
    const known = cache.firstDistributions.get(name);
    if (known !== undefined) return known;
    const r = (await q(
      "SELECT p.distribution_json FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id WHERE t.study_id = $1 AND p.param_name = $2 ORDER BY p.param_id LIMIT 1",
      [studyId, name],
    ))[0];
    if (r === undefined) return undefined;
    const d = distribution(String(r.distribution_json));
    cache.firstDistributions.set(name, d);
    return d;
  };

  const checkFirst = async (
    q: PgQuery,
    studyId: number,
    distributions: Readonly<Record<string, Distribution>>,
  ): Promise<Either<HyperionError, void>> => {
    for (const [name, d] of Object.entries(distributions)) {
      const first = await firstDistribution(q, studyId, name);
      if (first !== undefined) {
        const ok = checkCompatible(first, d, name);
        if (ok._tag === "Left") return ok;
      }
    }
    return right(undefined);
  };

  const rememberFirst = (
    studyId: number,
    distributions: Readonly<Record<string, Distribution>>,
  ) => {
    const cache = cacheFor(studyId);
    for (const [name, d] of Object.entries(distributions)) {
      if (!cache.firstDistributions.has(name)) cache.firstDistributions.set(name, d);
    }
  };

  const remember = (trials: ReadonlyArray<FrozenTrial>): void => {
    for (const t of trials) if (isFinished(t.state)) finishedById.set(t.trialId, t);
  };

  const forgetStudy = (studyId: number): void => {
    caches.delete(studyId);
    for (const [id, s] of studyOfTrial) {
      if (s === studyId) {
        studyOfTrial.delete(id);
        finishedById.delete(id);
      }
    }
  };

  // ---- writing rows ----------------------------------------------------------------

  const insertChildren = async (
    q: PgQuery,
    trialId: number,
    t: {
      readonly internalParams: Readonly<Record<string, number>>;
      readonly distributions: Readonly<Record<string, Distribution>>;
      readonly values: ReadonlyArray<number> | null;
      readonly intermediateValues: Readonly<Record<number, number>>;
      readonly userAttrs: Readonly<Record<string, JsonValue>>;
      readonly systemAttrs: Readonly<Record<string, JsonValue>>;
    },
  ): Promise<void> => {
    const params = Object.entries(t.internalParams).map(([name, internal]) => [
      name,
      internal,
      distributionToJson(t.distributions[name] as Distribution),
    ]);
    if (params.length > 0) {
      await q(
        "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) SELECT $1, e->>0, (e->>1)::float8, e->>2 FROM json_array_elements($2::json) WITH ORDINALITY AS x(e, o) ORDER BY o",
        [trialId, json(params)],
      );
    }
    if (t.values !== null) await upsertValues(q, trialId, t.values);
    const inter = Object.entries(t.intermediateValues).map(([step, v]) => [
      Number(step),
      ...encodeValue(v),
    ]);
    if (inter.length > 0) {
      await q(
        "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) SELECT $1, (e->>0)::int, (e->>1)::float8, (e->>2)::trialintermediatevaluetype FROM json_array_elements($2::json) WITH ORDINALITY AS x(e, o) ORDER BY o",
        [trialId, json(inter)],
      );
    }
    for (const kind of ["user", "system"] as const) {
      const attrs = Object.entries(kind === "user" ? t.userAttrs : t.systemAttrs).map((
        [key, value],
      ) => [key, encodeJson(value)]);
      if (attrs.length > 0) {
        await q(
          `INSERT INTO trial_${kind}_attributes (trial_id, key, value_json) SELECT $1, e->>0, e->>1 FROM json_array_elements($2::json) WITH ORDINALITY AS x(e, o) ORDER BY o`,
          [trialId, json(attrs)],
        );
      }
    }
  };

  const upsertValues = async (
    q: PgQuery,
    trialId: number,
    values: ReadonlyArray<number>,
  ): Promise<void> => {
    await q(
      "INSERT INTO trial_values (trial_id, objective, value, value_type) SELECT $1, (o - 1)::int, (e->>0)::float8, (e->>1)::trialvaluetype FROM json_array_elements($2::json) WITH ORDINALITY AS x(e, o) ORDER BY o ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value, value_type = excluded.value_type",
      [trialId, json(values.map(encodeValue))],
    );
    await q("DELETE FROM trial_values WHERE trial_id = $1 AND objective >= $2", [
      trialId,
      values.length,
    ]);
  };

  const heartbeatTime = (): PgParam => settings.now ? formatDatetime(settings.now()) : null;

  const isId = (id: unknown): id is number => typeof id === "number" && Number.isSafeInteger(id);

  // ---- the record ----------------------------------------------------------------------

  return {
    url: target.redactedUrl,
    persistent: true,
    ...(settings.heartbeat === undefined ? {} : { heartbeat: settings.heartbeat }),
    createStudy: (args) =>
      runTx("create the study", async (q, later) => {
        const name = checkStudyName(args?.studyName);
        if (name._tag === "Left") return name;
        const directions = checkDirections(args.directions);
        if (directions._tag === "Left") return directions;
        const inserted = await q(
          "INSERT INTO studies (study_name) VALUES ($1) ON CONFLICT (study_name) DO NOTHING RETURNING study_id",
          [name.right],
        );
        const row = inserted[0];
        if (row === undefined) return left(duplicatedStudy(name.right));
        const studyId = Number(row.study_id);
        await q(
          "INSERT INTO study_directions (direction, study_id, objective) SELECT (e #>> '{}')::studydirection, $1, (o - 1)::int FROM json_array_elements($2::json) WITH ORDINALITY AS x(e, o) ORDER BY o",
          [studyId, json(directions.right.map(encodeDirection))],
        );
        later(() => forgetStudy(studyId));
        return right({
          studyId,
          studyName: name.right,
          directions: [...directions.right],
          userAttrs: {},
          systemAttrs: {},
        });
      }),
    deleteStudy: (studyId) =>
      runTx("delete the study", async (q, later) => {
        if (
          !isId(studyId) ||
          (await q("SELECT 1 FROM studies WHERE study_id = $1 FOR UPDATE", [studyId])).length === 0
        ) {
          return left(studyNotFound(`#${show(studyId)}`));
        }
        const trialsOf = "SELECT trial_id FROM trials WHERE study_id = $1";
        for (const table of TRIAL_CHILD_TABLES) {
          await q(`DELETE FROM ${table} WHERE trial_id IN (${trialsOf})`, [studyId]);
        }
        for (const table of STUDY_TABLES) {
          await q(`DELETE FROM ${table} WHERE study_id = $1`, [studyId]);
        }
        later(() => forgetStudy(studyId));
        return right(undefined);
      }),
    renameStudy: (args) =>
      runTx("rename the study", async (q) => {
        const studyId = args?.studyId;
        if (
          !isId(studyId) ||
          (await q("SELECT 1 FROM studies WHERE study_id = $1 FOR UPDATE", [studyId])).length === 0
        ) {
          return left(studyNotFound(`#${show(studyId)}`));
        }
        const name = checkStudyName(args.studyName);
        if (name._tag === "Left") return name;
        const taken = (await q("SELECT study_id FROM studies WHERE study_name = $1", [name.right]))[
          0
        ];
        if (taken !== undefined && Number(taken.study_id) !== studyId) {
          return left(duplicatedStudy(name.right));
        }
        await q("UPDATE studies SET study_name = $1 WHERE study_id = $2", [name.right, studyId]);
        const row = (await q(`${FULL_STUDY} WHERE s.study_id = $1`, [studyId]))[0];
        return row === undefined ? left(studyNotFound(`#${show(studyId)}`)) : right(toStudy(row));
      }),
    getStudy: (studyName) =>
      run("get the study", async (q) => {
        const row = typeof studyName === "string"
          ? (await q(`${FULL_STUDY} WHERE s.study_name = $1`, [studyName]))[0]
          : undefined;
        return row === undefined ? left(studyNotFound(studyName)) : right(toStudy(row));
      }),
    getStudyById: (studyId) =>
      run("get the study", async (q) => {
        const row = isId(studyId)
          ? (await q(`${FULL_STUDY} WHERE s.study_id = $1`, [studyId]))[0]
          : undefined;
        return row === undefined ? left(studyNotFound(`#${show(studyId)}`)) : right(toStudy(row));
      }),
    listStudies: () =>
      run(
        "list the studies",
        async (q) => right((await q(`${FULL_STUDY} ORDER BY s.study_id`)).map(toStudy)),
      ),
    setStudyAttr: (args) =>
      run("set the study attribute", async (q) => {
        if (!isId(args?.id) || !(await studyExists(q, args.id))) {
          return left(studyNotFound(`#${show(args?.id)}`));
        }
        const checked = checkAttrWrite(args);
        if (checked._tag === "Left") return checked;
        const kind = args.kind === "user" ? "user" : "system";
        const written = await q(
          `INSERT INTO study_${kind}_attributes (study_id, key, value_json) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM studies WHERE study_id = $1) ON CONFLICT (study_id, key) DO UPDATE SET value_json = excluded.value_json RETURNING 1 AS ok`,
          [args.id, args.key, encodeJson(args.value)],
        );
        return written.length === 0 ? left(studyNotFound(`#${show(args.id)}`)) : right(undefined);
      }),
    createTrial: (studyId, template) =>
      runTx("create the trial", async (q, later) => {
        if (
          !isId(studyId) ||
          (await q("SELECT 1 FROM studies WHERE study_id = $1 FOR UPDATE", [studyId])).length === 0
        ) {
          return left(studyNotFound(`#${show(studyId)}`));
        }
        const normalised = normaliseTemplate(template, now());
        if (normalised._tag === "Left") return normalised;
        const t = normalised.right;
        const compatible = await checkFirst(q, studyId, t.distributions);
        if (compatible._tag === "Left") return compatible;
        // a new statement, so it sees every trial committed before the lock was granted
        const row = (await q(
          "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES ((SELECT COUNT(*) FROM trials WHERE study_id = $1), $1, $2::trialstate, $3::timestamp, $4::timestamp) RETURNING trial_id, number",
          [
            studyId,
            t.state,
            t.datetimeStart === null ? null : formatDatetime(t.datetimeStart),
            t.datetimeComplete === null ? null : formatDatetime(t.datetimeComplete),
          ],
        ))[0] as PgRow;
        const trialId = Number(row.trial_id);
        let frozen: FrozenTrial;
        if (template === undefined) {
          frozen = runningTrial(Number(row.number), trialId, storedDatetime(t.datetimeStart));
        } else {
          await insertChildren(q, trialId, t);
          frozen = (await loadTrial(q, trialId)) as FrozenTrial;
        }
        later(() => {
          studyOfTrial.set(trialId, studyId);
          rememberFirst(studyId, frozen.distributions);
          remember([frozen]);
        });
        return right(frozen);
      }),
    claimWaitingTrial: (studyId) =>
      run("claim a waiting trial", async (q, later) => {
        if (!isId(studyId)) return left(studyNotFound(`#${show(studyId)}`));
        const r = (await q(
          `WITH claimed AS (UPDATE trials SET state = 'RUNNING', datetime_start = $2::timestamp WHERE trial_id = (SELECT trial_id FROM trials WHERE study_id = $1 AND state = 'WAITING' ORDER BY number, trial_id LIMIT 1 FOR UPDATE SKIP LOCKED) AND state = 'WAITING' RETURNING trial_id) SELECT (SELECT trial_id FROM claimed) AS trial_id, EXISTS (SELECT 1 FROM studies WHERE study_id = $1) AS found`,
          [studyId, formatDatetime(now())],
        ))[0];
        if (r === undefined || r.found !== true) return left(studyNotFound(`#${show(studyId)}`));
        if (r.trial_id === null || r.trial_id === undefined) return right(undefined);
        const trial = await loadTrial(q, Number(r.trial_id));
        if (trial === undefined) return left(trialNotFound(Number(r.trial_id), "id"));
        later(() => studyOfTrial.set(trial.trialId, studyId));
        return right(trial);
      }),
    setTrialParam: (args) =>
      run("set the trial parameter", async (q, later) => {
        const trialId = args?.trialId;
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        let studyId = studyOfTrial.get(trialId);
        if (studyId === undefined) {
          const head = await trialHead(q, trialId);
          if (head === undefined) return left(trialNotFound(trialId as number, "id"));
          studyId = head.studyId;
        }
        const param = checkParam(args.name, args.internal, args.distribution);
        const first = param._tag === "Right"
          ? await firstDistribution(q, studyId, args.name)
          : undefined;
        // why the write is refused (or that the name was already set): the shared decision
        const explain = async () => decideParam(await trialHead(q, trialId), args, () => first);
        if (
          param._tag === "Left" ||
          (first !== undefined && checkCompatible(first, param.right, args.name)._tag === "Left")
        ) return mapRight(await explain(), () => undefined);
        const text = distributionToJson(param.right);
        const written = await q(WRITE.param, [trialId, args.name, args.internal, text]);
        if (written.length === 0) {
          const why = await explain();
          if (why._tag === "Left") return why;
        }
        const d = distribution(text);
        later(() => rememberFirst(studyId, { [args.name]: d }));
        return right(undefined);
      }),
    setTrialIntermediateValue: (args) =>
      run("set the intermediate value", async (q) => {
        const trialId = args?.trialId;
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        const explain = async () => decideIntermediate(await trialHead(q, trialId), args);
        if (checkIntermediate(args.step, args.value)._tag === "Left") {
          return mapRight(await explain(), () => undefined);
        }
        const [value, type] = encodeValue(args.value);
        const written = await q(WRITE.intermediate, [trialId, args.step, value, type]);
        if (written.length === 0) {
          const why = await explain();
          if (why._tag === "Left") return why;
          return left(storageError("set the intermediate value" + where, "nothing was written"));
        }
        return right(undefined);
      }),
    setTrialStateValues: (args) =>
      run("set the trial state", async (q, later) => {
        const trialId = args?.trialId;
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        const state = args.state;
        const values = args.values ?? null;
        // the checks that do not depend on the stored state; reported after TrialNotFound
        // and TrialNotUpdatable, as every backend orders them
        const pre = checkTransition({ number: -1, state: "RUNNING" }, state, values);
        const valid = pre._tag === "Left" || values === null ? pre : checkValues(values);
        if (valid._tag === "Left") {
          const decided = decideState(await trialHead(q, trialId), args);
          return decided._tag === "Left"
            ? decided
            : decided.right === undefined
            ? right(false)
            : valid;
        }
        const time = formatDatetime(now());
        const fromStates = state === "RUNNING" ? FROM_STATES.claim : FROM_STATES.other;
        const update =
          `UPDATE trials SET state = $2::trialstate, datetime_start = COALESCE($3::timestamp, datetime_start), datetime_complete = COALESCE($4::timestamp, datetime_complete) WHERE trial_id = $1 AND state IN (${fromStates}) RETURNING trial_id, number, study_id, state::text AS state`;
        const params: PgParam[] = [
          trialId,
          state,
          state === "RUNNING" ? time : null,
          isFinished(state) ? time : null,
        ];
        const written = values === null ? await q(update, params) : await q(
          `WITH upd AS (${update}), ` +
            `vals AS (INSERT INTO trial_values (trial_id, objective, value, value_type) SELECT upd.trial_id, (o - 1)::int, (e->>0)::float8, (e->>1)::trialvaluetype FROM upd, json_array_elements($5::json) WITH ORDINALITY AS x(e, o) ORDER BY o ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value, value_type = excluded.value_type), ` +
            `del AS (DELETE FROM trial_values WHERE trial_id IN (SELECT trial_id FROM upd) AND objective >= $6) ` +
            `SELECT * FROM upd`,
          [...params, json(values.map(encodeValue)), values.length],
        );
        if (written.length === 0) {
          const decided = decideState(await trialHead(q, trialId), args);
          // otherwise RUNNING was asked for a trial that is no longer WAITING
          return decided._tag === "Left" ? decided : right(false);
        }
        later(() => {
          const head = written[0] as PgRow;
          studyOfTrial.set(trialId, Number(head.study_id));
        });
        return right(true);
      }),
    setTrialAttr: (args) =>
      run("set the trial attribute", async (q) => {
        const trialId = args?.id;
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        const explain = async () => decideTrialAttr(await trialHead(q, trialId), args);
        if (checkAttrWrite(args)._tag === "Left") return mapRight(await explain(), () => undefined);
        const kind = args.kind === "user" ? "user" : "system";
        const written = await q(WRITE.attr[kind], [trialId, args.key, encodeJson(args.value)]);
        if (written.length === 0) {
          const why = await explain();
          if (why._tag === "Left") return why;
          return left(storageError("set the trial attribute" + where, "nothing was written"));
        }
        return right(undefined);
      }),
    getTrial: (trialId) =>
      run("get the trial", async (q, later) => {
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        const hit = finishedById.get(trialId);
        if (hit !== undefined) {
          // still there? (the study may have been deleted by another worker)
          if ((await q("SELECT 1 FROM trials WHERE trial_id = $1", [trialId])).length > 0) {
            return right(hit);
          }
          later(() => finishedById.delete(trialId));
          return left(trialNotFound(trialId as number, "id"));
        }
        const trial = await loadTrial(q, trialId);
        if (trial === undefined) return left(trialNotFound(trialId as number, "id"));
        later(() => remember([trial]));
        return right(trial);
      }),
    getAllTrials: (studyId, opts) =>
      run("get the trials", async (q, later) => {
        if (!isId(studyId)) return left(studyNotFound(`#${show(studyId)}`));
        const checked = checkTrialQuery(opts);
        if (checked._tag === "Left") return checked;
        const cache = cacheFor(studyId);
        const unfinishedIds = cache.trials.unfinished.map((t) => t.trialId);
        const changed = await q(
          `${FULL_TRIAL} WHERE t.study_id = $1 AND (t.trial_id > $2 OR t.trial_id IN (SELECT value::int FROM json_array_elements_text($3::json)))`,
          [studyId, cache.trials.maxSeenId, json(unfinishedIds)],
        );
        if (changed.length < unfinishedIds.length || changed.length === 0) {
          // nothing new, or trials vanished: is the study still there?
          if (!(await studyExists(q, studyId))) {
            later(() => forgetStudy(studyId));
            return left(studyNotFound(`#${show(studyId)}`));
          }
        }
        const loaded = changed.map(toTrial);
        const folded = foldChanged(cache.trials, loaded);
        later(() => {
          cache.trials = folded;
          for (const t of loaded) studyOfTrial.set(t.trialId, studyId);
          remember(folded.newlyFinished);
        });
        const states = checked.right;
        return right(states ? folded.all.filter((t) => states.includes(t.state)) : folded.all);
      }),
    recordHeartbeat: (trialId) =>
      run("record the heartbeat", async (q) => {
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        const r = (await q(
          "WITH t AS (SELECT trial_id, state FROM trials WHERE trial_id = $1), hb AS (INSERT INTO trial_heartbeats (trial_id, heartbeat) SELECT trial_id, COALESCE($2::timestamp, LOCALTIMESTAMP) FROM t WHERE state = 'RUNNING' ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat RETURNING 1) SELECT EXISTS (SELECT 1 FROM t) AS found",
          [trialId, heartbeatTime()],
        ))[0];
        return r?.found === true ? right(undefined) : left(trialNotFound(trialId as number, "id"));
      }),
    failStaleTrials: (args) =>
      run("fail stale trials", async (q, later) => {
        const studyId = args?.studyId;
        if (!isId(studyId)) return left(studyNotFound(`#${show(studyId)}`));
        const invalid = invalidGracePeriod(args.gracePeriodMs);
        if (invalid !== undefined) return left(invalid);
        // beyond ±31 years the interval would overflow; nothing is that old or that new
        const grace = Math.max(-1e12, Math.min(args.gracePeriodMs, 1e12));
        const r = (await q(
          "WITH stale AS (UPDATE trials t SET state = 'FAIL', datetime_complete = $3::timestamp FROM trial_heartbeats h WHERE h.trial_id = t.trial_id AND t.study_id = $1 AND t.state = 'RUNNING' AND h.heartbeat < COALESCE($4::timestamp, LOCALTIMESTAMP) - make_interval(secs => $2::float8 / 1000) RETURNING t.trial_id) SELECT COALESCE((SELECT json_agg(trial_id) FROM stale), '[]') AS ids, EXISTS (SELECT 1 FROM studies WHERE study_id = $1) AS found",
          [studyId, grace, formatDatetime(now()), heartbeatTime()],
        ))[0];
        if (r?.found !== true) return left(studyNotFound(`#${show(studyId)}`));
        const ids = (Array.isArray(r.ids) ? r.ids : []).map(Number);
        if (ids.length === 0) return right([]);
        const failed = (await q(
          `${FULL_TRIAL} WHERE t.trial_id IN (SELECT value::int FROM json_array_elements_text($1::json))`,
          [
            json(ids),
          ],
        )).map(toTrial).sort(byNumber);
        later(() => remember(failed));
        return right(failed);
      }),
    close: () => async () => {
      if (closed) return right(undefined);
      closed = true;
      caches.clear();
      finishedById.clear();
      studyOfTrial.clear();
      try {
        await pool.end({ timeout: 5 });
        return right(undefined);
      } catch (e) {
        return left(
          storageError(
            `close the connections to the ${describeTarget(target)}`,
            errorText(e, target),
          ),
        );
      }
    },
  };
}
