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
} from "./rdb_codec.ts";

// the schema constants live in the codec shared with PostgreSQL
export { ALEMBIC_HEAD, LIBRARY_VERSION, OLDER_REVISIONS, SCHEMA_TABLES, SCHEMA_VERSION };

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What an existing database holds. */
export type SchemaState =
  | { readonly kind: "empty" }
  | { readonly kind: "ok" }
  | { readonly kind: "mismatch"; readonly found: string; readonly advice: string };

function table(name: string, lines: ReadonlyArray<string>): string {
  return `CREATE TABLE ${name} (\n\t${lines.join(", \n\t")}\n)`;
}

function attrs(owner: "study" | "trial", kind: "user" | "system"): string {
  const parent = owner === "study" ? "studies" : "trials";
  return table(`${owner}_${kind}_attributes`, [
    `${owner}_${kind}_attribute_id INTEGER NOT NULL`,
    `${owner}_id INTEGER`,
    `"key" VARCHAR(512)`,
    `value_json TEXT`,
    `PRIMARY KEY (${owner}_${kind}_attribute_id)`,
    `UNIQUE (${owner}_id, "key")`,
    `FOREIGN KEY(${owner}_id) REFERENCES ${parent} (${owner}_id)`,
  ]);
}

/** Every statement creating the schema, in the order SQLAlchemy runs them. */
export const SCHEMA_DDL: ReadonlyArray<string> = [
  table("studies", [
    "study_id INTEGER NOT NULL",
    "study_name VARCHAR(512) NOT NULL",
    "PRIMARY KEY (study_id)",
  ]),
  "CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name)",
  table("version_info", [
    "version_info_id INTEGER NOT NULL",
    "schema_version INTEGER",
    "library_version VARCHAR(256)",
    "PRIMARY KEY (version_info_id)",
    "CHECK (version_info_id=1)",
  ]),
  table("study_directions", [
    "study_direction_id INTEGER NOT NULL",
    "direction VARCHAR(8) NOT NULL",
    "study_id INTEGER NOT NULL",
    "objective INTEGER NOT NULL",
    "PRIMARY KEY (study_direction_id)",
    "UNIQUE (study_id, objective)",
    "FOREIGN KEY(study_id) REFERENCES studies (study_id)",
  ]),
  attrs("study", "user"),
  attrs("study", "system"),
  table("trials", [
    "trial_id INTEGER NOT NULL",
    "number INTEGER",
    "study_id INTEGER",
    "state VARCHAR(8) NOT NULL",
    "datetime_start DATETIME",
    "datetime_complete DATETIME",
    "PRIMARY KEY (trial_id)",
    "FOREIGN KEY(study_id) REFERENCES studies (study_id)",
  ]),
  "CREATE INDEX ix_trials_study_id ON trials (study_id)",
  attrs("trial", "user"),
  attrs("trial", "system"),
  table("trial_params", [
    "param_id INTEGER NOT NULL",
    "trial_id INTEGER",
    "param_name VARCHAR(512)",
    "param_value FLOAT",
    "distribution_json TEXT",
    "PRIMARY KEY (param_id)",
    "UNIQUE (trial_id, param_name)",
    "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
  ]),
  table("trial_values", [
    "trial_value_id INTEGER NOT NULL",
    "trial_id INTEGER NOT NULL",
    "objective INTEGER NOT NULL",
    "value FLOAT",
    "value_type VARCHAR(7) NOT NULL",
    "PRIMARY KEY (trial_value_id)",
    "UNIQUE (trial_id, objective)",
    "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
  ]),
  table("trial_intermediate_values", [
    "trial_intermediate_value_id INTEGER NOT NULL",
    "trial_id INTEGER NOT NULL",
    "step INTEGER NOT NULL",
    "intermediate_value FLOAT",
    "intermediate_value_type VARCHAR(7) NOT NULL",
    "PRIMARY KEY (trial_intermediate_value_id)",
    "UNIQUE (trial_id, step)",
    "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
  ]),
  table("trial_heartbeats", [
    "trial_heartbeat_id INTEGER NOT NULL",
    "trial_id INTEGER NOT NULL",
    "heartbeat DATETIME NOT NULL",
    "PRIMARY KEY (trial_heartbeat_id)",
    "UNIQUE (trial_id)",
    "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
  ]),
  table("alembic_version", [
    "version_num VARCHAR(32) NOT NULL",
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)",
  ]),
];

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * Reads (never writes) what the database holds: no Optuna table at all, Optuna's head
 * revision, or something else with advice on what to do, phrased to follow the file's name
 * ("'x.db' was written by …"). `url` appears in the advice.
 */
export function inspectSchema(db: SqliteDriver, url: string): SchemaState {
  const upgrade = `\`optuna storage upgrade --storage ${url}\` (Python Optuna 3.2 to 5.0)`;
  const untouched = "(the file was not modified)";
  const tables = new Set(
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
      .map((r) => String(r.name)),
  );
  const present = SCHEMA_TABLES.filter((t) => tables.has(t));
  if (present.length === 0) return { kind: "empty" };
  if (!tables.has("alembic_version")) {
    return {
      kind: "mismatch",
      found: "none (the file has Optuna tables but no alembic_version table)",
      advice: `was written by Optuna before 1.0 or changed by another program: upgrade it with ` +
        `${upgrade} or use another file ${untouched}`,
    };
  }
  const revisions = db.prepare("SELECT version_num FROM alembic_version").all()
    .map((r) => String(r.version_num));
  if (revisions.length !== 1) {
    return {
      kind: "mismatch",
      found: revisions.length === 0 ? "none (alembic_version is empty)" : revisions.join(", "),
      advice: `records no single schema revision: stamp it with ${upgrade} or use another file ` +
        untouched,
    };
  }
  const revision = revisions[0] as string;
  if (revision !== ALEMBIC_HEAD) {
    return {
      kind: "mismatch",
      found: revision,
      advice: OLDER_REVISIONS.includes(revision)
        ? `was written by an older Optuna: upgrade it with ${upgrade}, then open it again ` +
          untouched
        : "was written by a newer or unknown version of Optuna: open it with that version, or " +
          `copy the study into a new file with it ${untouched}`,
    };
  }
  const missing = SCHEMA_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    return {
      kind: "mismatch",
      found: `${revision} without the tables ${missing.join(", ")}`,
      advice: `is incomplete or was changed by another program: use another file ${untouched}`,
    };
  }
  const info = db.prepare("SELECT schema_version FROM version_info WHERE version_info_id = 1")
    .get();
  if (info !== undefined && Number(info.schema_version) !== SCHEMA_VERSION) {
    return {
      kind: "mismatch",
      found: `${revision} with schema version ${String(info.schema_version)}`,
      advice: `has another schema version: upgrade it with ${upgrade}, then open it again ` +
        untouched,
    };
  }
  return { kind: "ok" };
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
