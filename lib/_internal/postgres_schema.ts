/**
 * Optuna's RDB schema as PostgreSQL DDL (alembic revision `v3.2.0.a`, `version_info` schema
 * 12), with the exact statements SQLAlchemy 2 emits for Optuna 5.0 (`SERIAL` keys, enum types
 * for states, directions and value types, `FLOAT(53)`, `TIMESTAMP WITHOUT TIME ZONE`), and the
 * check that decides whether an existing database can be used. Private to the library.
 *
 * @module
 */
import {
  ALEMBIC_HEAD,
  LIBRARY_VERSION,
  OLDER_REVISIONS,
  SCHEMA_TABLES,
  SCHEMA_VERSION,
} from "./rdb_codec.ts";
import type { PgQuery } from "./postgres_connection.ts";

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
    `${owner}_${kind}_attribute_id SERIAL NOT NULL`,
    `${owner}_id INTEGER`,
    "key VARCHAR(512)",
    "value_json TEXT",
    `PRIMARY KEY (${owner}_${kind}_attribute_id)`,
    `UNIQUE (${owner}_id, key)`,
    `FOREIGN KEY(${owner}_id) REFERENCES ${parent} (${owner}_id)`,
  ]);
}

/** Every statement creating the schema, in the order SQLAlchemy and alembic run them. */
export const POSTGRES_DDL: ReadonlyArray<string> = [
  "CREATE TYPE studydirection AS ENUM ('NOT_SET', 'MINIMIZE', 'MAXIMIZE')",
  "CREATE TYPE trialstate AS ENUM ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING')",
  "CREATE TYPE trialvaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG')",
  "CREATE TYPE trialintermediatevaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG', 'NAN')",
  table("studies", [
    "study_id SERIAL NOT NULL",
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
    "study_direction_id SERIAL NOT NULL",
    "direction studydirection NOT NULL",
    "study_id INTEGER NOT NULL",
    "objective INTEGER NOT NULL",
    "PRIMARY KEY (study_direction_id)",
    "UNIQUE (study_id, objective)",
    "FOREIGN KEY(study_id) REFERENCES studies (study_id)",
  ]),
  attrs("study", "user"),
  attrs("study", "system"),
  table("trials", [
    "trial_id SERIAL NOT NULL",
    "number INTEGER",
    "study_id INTEGER",
    "state trialstate NOT NULL",
    "datetime_start TIMESTAMP WITHOUT TIME ZONE",
    "datetime_complete TIMESTAMP WITHOUT TIME ZONE",
    "PRIMARY KEY (trial_id)",
    "FOREIGN KEY(study_id) REFERENCES studies (study_id)",
  ]),
  "CREATE INDEX ix_trials_study_id ON trials (study_id)",
  attrs("trial", "user"),
  attrs("trial", "system"),
  table("trial_params", [
    "param_id SERIAL NOT NULL",
    "trial_id INTEGER",
    "param_name VARCHAR(512)",
    "param_value FLOAT(53)",
    "distribution_json TEXT",
    "PRIMARY KEY (param_id)",
    "UNIQUE (trial_id, param_name)",
    "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
  ]),
  table("trial_values", [
    "trial_value_id SERIAL NOT NULL",
    "trial_id INTEGER NOT NULL",
    "objective INTEGER NOT NULL",
    "value FLOAT(53)",
    "value_type trialvaluetype NOT NULL",
    "PRIMARY KEY (trial_value_id)",
    "UNIQUE (trial_id, objective)",
    "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
  ]),
  table("trial_intermediate_values", [
    "trial_intermediate_value_id SERIAL NOT NULL",
    "trial_id INTEGER NOT NULL",
    "step INTEGER NOT NULL",
    "intermediate_value FLOAT(53)",
    "intermediate_value_type trialintermediatevaluetype NOT NULL",
    "PRIMARY KEY (trial_intermediate_value_id)",
    "UNIQUE (trial_id, step)",
    "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
  ]),
  table("trial_heartbeats", [
    "trial_heartbeat_id SERIAL NOT NULL",
    "trial_id INTEGER NOT NULL",
    "heartbeat TIMESTAMP WITHOUT TIME ZONE NOT NULL",
    "PRIMARY KEY (trial_heartbeat_id)",
    "UNIQUE (trial_id)",
    "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
  ]),
  // alembic creates its table when it stamps the revision
  table("alembic_version", [
    "version_num VARCHAR(32) NOT NULL",
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)",
  ]),
];

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
  const upgrade = `\`optuna storage upgrade --storage ${url}\` (Python Optuna 3.2 to 5.0)`;
  const untouched = "(the database was not modified)";
  const tables = new Set(
    (await q(
      "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema()",
    )).map((r) => String(r.name)),
  );
  const present = SCHEMA_TABLES.filter((t) => tables.has(t));
  if (present.length === 0) return { kind: "empty" };
  if (!tables.has("alembic_version")) {
    return {
      kind: "mismatch",
      found: "none (the database has Optuna tables but no alembic_version table)",
      advice: `was written by Optuna before 1.0 or changed by another program: upgrade it with ` +
        `${upgrade} or use another database ${untouched}`,
    };
  }
  const revisions = (await q("SELECT version_num FROM alembic_version")).map((r) =>
    String(r.version_num)
  );
  if (revisions.length !== 1) {
    return {
      kind: "mismatch",
      found: revisions.length === 0 ? "none (alembic_version is empty)" : revisions.join(", "),
      advice: `records no single schema revision: stamp it with ${upgrade} or use another ` +
        `database ${untouched}`,
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
          `copy the study into a new database with it ${untouched}`,
    };
  }
  const missing = SCHEMA_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    return {
      kind: "mismatch",
      found: `${revision} without the tables ${missing.join(", ")}`,
      advice: `is incomplete or was changed by another program: use another database ${untouched}`,
    };
  }
  const info = await q("SELECT schema_version FROM version_info WHERE version_info_id = 1");
  const version = info[0]?.schema_version;
  if (info.length > 0 && Number(version) !== SCHEMA_VERSION) {
    return {
      kind: "mismatch",
      found: `${revision} with schema version ${String(version)}`,
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
