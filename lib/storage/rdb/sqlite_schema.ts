/**
 * Optuna's RDB schema as SQLite DDL (alembic revision `v3.2.0.a`, `version_info` schema 12),
 * written with the exact text SQLAlchemy emits for Optuna 5.0, and the check that decides
 * whether an existing file can be used. Private to the library.
 *
 * @module
 */
import type { SqliteDriver } from "./sqlite_driver.ts";
import {
  ALEMBIC_HEAD,
  LIBRARY_VERSION,
  OLDER_REVISIONS,
  SCHEMA_TABLES,
  SCHEMA_VERSION,
} from "./codec.ts";
import { schemaDdl, schemaJudge, type SchemaState } from "./schema.ts";

// the schema constants live in the codec shared with PostgreSQL
export { ALEMBIC_HEAD, LIBRARY_VERSION, OLDER_REVISIONS, SCHEMA_TABLES, SCHEMA_VERSION };
export type { SchemaState };

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Every statement creating the schema, in the order SQLAlchemy runs them. */
export const SCHEMA_DDL: ReadonlyArray<string> = schemaDdl({
  prelude: [],
  serial: "INTEGER",
  key: `"key"`,
  float: "FLOAT",
  datetime: "DATETIME",
  direction: "VARCHAR(8)",
  state: "VARCHAR(8)",
  valueType: "VARCHAR(7)",
  intermediateValueType: "VARCHAR(7)",
});

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * Reads (never writes) what the database holds: no Optuna table at all, Optuna's head
 * revision, or something else with advice on what to do, phrased to follow the file's name
 * ("'x.db' was written by …"). `url` appears in the advice.
 */
export function inspectSchema(db: SqliteDriver, url: string): SchemaState {
  const judge = schemaJudge(url, "file");
  const tables = new Set(
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
      .map((r) => String(r.name)),
  );
  const byTables = judge.tables(tables);
  if (byTables !== undefined) return byTables;
  const revisions = db.prepare("SELECT version_num FROM alembic_version").all()
    .map((r) => String(r.version_num));
  const byRevisions = judge.revisions(revisions, tables);
  if (byRevisions !== undefined) return byRevisions;
  const info = db.prepare("SELECT schema_version FROM version_info WHERE version_info_id = 1")
    .get();
  return judge.schemaVersion(info);
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Creates every table and index and stamps the version tables. Run it inside a write
 * transaction, after {@link inspectSchema} said `empty`.
 */
export function createSchema(db: SqliteDriver): void {
  for (const ddl of SCHEMA_DDL) db.exec(ddl);
  db.prepare(
    "INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, ?, ?)",
  ).run(SCHEMA_VERSION, LIBRARY_VERSION);
  db.prepare("INSERT INTO alembic_version (version_num) VALUES (?)").run(ALEMBIC_HEAD);
}
