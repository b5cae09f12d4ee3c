/**
 * Optuna's RDB schema as PostgreSQL DDL (alembic revision `v3.2.0.a`, `version_info` schema
 * 12), with the exact statements SQLAlchemy 2 emits for Optuna 5.0 (`SERIAL` keys, enum types
 * for states, directions and value types, `FLOAT(53)`, `TIMESTAMP WITHOUT TIME ZONE`), and the
 * check that decides whether an existing database can be used. Private to the library.
 *
 * @module
 */
import { ALEMBIC_HEAD, LIBRARY_VERSION, SCHEMA_VERSION } from "./codec.ts";
import { schemaDdl, schemaJudge, type SchemaState } from "./schema.ts";
import type { PgQuery } from "./postgres_connection.ts";

export type { SchemaState };

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Every statement creating the schema, in the order SQLAlchemy and alembic run them. */
export const POSTGRES_DDL: ReadonlyArray<string> = schemaDdl({
  prelude: [
    "CREATE TYPE studydirection AS ENUM ('NOT_SET', 'MINIMIZE', 'MAXIMIZE')",
    "CREATE TYPE trialstate AS ENUM ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING')",
    "CREATE TYPE trialvaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG')",
    "CREATE TYPE trialintermediatevaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG', 'NAN')",
  ],
  serial: "SERIAL",
  key: "key",
  float: "FLOAT(53)",
  datetime: "TIMESTAMP WITHOUT TIME ZONE",
  direction: "studydirection",
  state: "trialstate",
  valueType: "trialvaluetype",
  intermediateValueType: "trialintermediatevaluetype",
});

/** A key for `pg_advisory_xact_lock` that serialises schema creation among our workers. */
export const SCHEMA_LOCK_KEY = 7_201_305_512;

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * Reads (never writes) what the database's current schema (`search_path`) holds: no Optuna
 * table at all, Optuna's head revision, or something else with advice on what to do, phrased
 * to follow the database's description ("'db' at host was written by …").
 */
export async function inspectSchema(q: PgQuery, url: string): Promise<SchemaState> {
  const judge = schemaJudge(url, "database");
  const tables = new Set(
    (await q(
      "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema()",
    )).map((r) => String(r.name)),
  );
  const byTables = judge.tables(tables);
  if (byTables !== undefined) return byTables;
  const revisions = (await q("SELECT version_num FROM alembic_version")).map((r) =>
    String(r.version_num)
  );
  const byRevisions = judge.revisions(revisions, tables);
  if (byRevisions !== undefined) return byRevisions;
  const info = await q("SELECT schema_version FROM version_info WHERE version_info_id = 1");
  return judge.schemaVersion(info[0]);
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Creates every type, table and index and stamps the version tables. Run it inside a
 * transaction, after {@link inspectSchema} said `empty`.
 */
export async function createSchema(q: PgQuery): Promise<void> {
  for (const ddl of POSTGRES_DDL) await q(ddl);
  await q(
    "INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, $1, $2)",
    [SCHEMA_VERSION, LIBRARY_VERSION],
  );
  await q("INSERT INTO alembic_version (version_num) VALUES ($1)", [ALEMBIC_HEAD]);
}
