/**
 * The PostgreSQL connection layer of the PostgreSQL storage, on `npm:postgres` (postgres.js):
 * URL parsing (with SQLAlchemy's `postgresql+driver://` spelling), the password-free
 * description of the target used in every message, the pool, a small query function, and the
 * classification of errors. Private to the library.
 *
 * @module
 */
import type postgres from "postgres";
import { envVar } from "../../runtime/mod.ts";
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A row as the driver returns it, by column name. */
export type PgRow = Readonly<Record<string, unknown>>;

/**
 * A bound parameter; a list is sent as JSON to a `$n::json` parameter (the driver learns the
 * parameter's type when it prepares the statement and serialises it with `JSON.stringify`).
 */
export type PgParam = string | number | boolean | null | ReadonlyArray<unknown>;

/** Runs one statement with `$1…` parameters and returns its rows. */
export type PgQuery = (
  text: string,
  params?: ReadonlyArray<PgParam>,
) => Promise<ReadonlyArray<PgRow>>;

/** The connection pool (postgres.js's `Sql`). */
export type PgPool = postgres.Sql;

/** Where a URL points, without the password except in `driverUrl`. */
export interface PgTarget {
  /** The URL handed to the driver (`postgresql+psycopg2://` becomes `postgresql://`). */
  readonly driverUrl: string;
  /** The URL with the password replaced by `***` (safe for messages and `Storage.url`). */
  readonly redactedUrl: string;
  /** Host name (or socket folder), as the driver will use it. */
  readonly host: string;
  /** Port. */
  readonly port: string;
  /** Database name. */
  readonly database: string;
  /** User name. */
  readonly user: string;
  /** The password, only to scrub it from messages. */
  readonly password: string;
}

/** Pool settings, already validated. */
export interface PoolSettings {
  readonly max: number;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxLifetimeMs: number | null;
  readonly applicationName: string;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Parses a `postgresql://` or `postgres://` URL (also SQLAlchemy's `postgresql+driver://`).
 * Host, port, database and user default as the driver does (`PGHOST`, `PGPORT`, …), which
 * only matters for the description.
 */
export function parsePostgresUrl(url: unknown): Either<HyperionError, PgTarget> {
  const bad = (expected: string) =>
    left(invalidArgument({ field: "url", value: redact(url), expected }));
  if (typeof url !== "string" || url.length === 0) {
    return bad("a URL such as 'postgresql://user:password@host:5432/database'");
  }
  const m = /^(postgres|postgresql)(\+[a-z0-9_]+)?:\/\//i.exec(url);
  if (!m) return bad("a URL starting with 'postgresql://' or 'postgres://'");
  const driverUrl = `postgresql://${url.slice(m[0].length)}`;
  let parsed: URL;
  try {
    parsed = new URL(driverUrl);
  } catch {
    return bad("a well-formed URL such as 'postgresql://user:password@host:5432/database'");
  }
  const env = envVar; // without --allow-env the driver sees no variable either
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const password = decode(parsed.password);
  const user = decode(parsed.username) || env("PGUSER") || env("PGUSERNAME") || "(default user)";
  const host = parsed.hostname || parsed.searchParams.get("host") || env("PGHOST") ||
    "localhost";
  const port = parsed.port || env("PGPORT") || "5432";
  const database = decode(parsed.pathname.replace(/^\//, "")) || env("PGDATABASE") || user;
  return right({
    driverUrl,
    redactedUrl: password === "" ? url : redactUrl(url),
    host,
    port,
    database,
    user,
    password,
  });
}

/**
 * Opens a pool that connects lazily (nothing happens until the first query). The driver
 * (`npm:postgres`) is imported here, on the first PostgreSQL open, so SQLite users never load
 * it; a runtime that cannot load it gets a `Left` with the reason.
 */
export async function openPool(
  target: PgTarget,
  settings: PoolSettings,
): Promise<Either<string, PgPool>> {
  let driver: typeof postgres;
  try {
    driver = (await import("postgres")).default;
  } catch (e) {
    return left(`cannot load the PostgreSQL driver 'postgres' (postgres.js): ${String(e)}`);
  }
  return right(driver(target.driverUrl, {
    max: settings.max,
    idle_timeout: settings.idleTimeoutMs / 1000,
    connect_timeout: settings.connectTimeoutMs / 1000,
    max_lifetime: settings.maxLifetimeMs === null ? null : settings.maxLifetimeMs / 1000,
    prepare: true,
    fetch_types: false,
    onnotice: () => {},
    connection: { application_name: settings.applicationName },
  }));
}

/** A {@link PgQuery} on a pool or a transaction (statements are prepared and cached). */
export function queryOn(db: postgres.Sql | postgres.TransactionSql): PgQuery {
  return async (text, params = []) =>
    await db.unsafe(text, params as never[], { prepare: params.length > 0 });
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** `PostgreSQL database 'db' at host:port` — no user, no password. */
export function describeTarget(target: PgTarget): string {
  return `PostgreSQL database '${target.database}' at ${target.host}:${target.port}`;
}

/** The SQLSTATE of a server error (`40P01`, `23505`, …), else `undefined`. */
export function sqlState(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True for failures after which running the statement or transaction again is safe and may
 * succeed: deadlocks and serialization failures (the server rolled back), and connections
 * that could not be opened (nothing ran).
 */
export function isRetryable(e: unknown): boolean {
  const state = sqlState(e);
  if (state === "40P01" || state === "40001") return true;
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  return code === "ECONNREFUSED" || code === "CONNECT_TIMEOUT";
}

/** True when the error is a refused or timed-out connection (nothing was run). */
export function isConnectionError(e: unknown): boolean {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" &&
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|CONNECT_TIMEOUT|CONNECTION_CLOSED|CONNECTION_DESTROYED|ECONNRESET|ENOENT|EACCES|28P01|28000|3D000)$/
      .test(code);
}

/**
 * A one-line description of a driver error: the message, the SQLSTATE and the server's
 * detail; the password (when it is long enough to be told apart) is scrubbed.
 */
export function errorText(e: unknown, target?: PgTarget): string {
  let text: string;
  if (e instanceof Error) {
    const state = sqlState(e);
    const detail = (e as { detail?: unknown }).detail;
    text = e.message + (state ? ` (SQLSTATE ${state})` : "") +
      (typeof detail === "string" && detail !== "" ? `: ${detail}` : "");
  } else {
    text = String(e);
  }
  const password = target?.password ?? "";
  return password.length >= 4 ? text.split(password).join("***") : text;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** The URL with its password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z0-9+.-]+:\/\/[^:@/?#]*):[^@/?#]*@/i, "$1:***@");
}

function redact(value: unknown): unknown {
  return typeof value === "string" ? redactUrl(value) : value;
}
