/**
 * Optuna's RDB schema as both SQL backends share it: the tables and their order rendered for
 * a dialect (column types are the only difference between SQLite and PostgreSQL), the tables
 * a study's deletion empties, and the judgement of what an existing database holds, phrased
 * for a file (SQLite) or a database (PostgreSQL). The reads themselves stay with each
 * backend, which is synchronous for SQLite and asynchronous for PostgreSQL. Private to the
 * library.
 *
 * @module
 */
import { ALEMBIC_HEAD, OLDER_REVISIONS, SCHEMA_TABLES, SCHEMA_VERSION } from "./codec.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What an existing database holds. */
export type SchemaState =
  | { readonly kind: "empty" }
  | { readonly kind: "ok" }
  | { readonly kind: "mismatch"; readonly found: string; readonly advice: string };

/** How the advice names the store: SQLite's `file`, PostgreSQL's `database`. */
export type StoreNoun = "file" | "database";

/** The column types and statements in which SQLAlchemy's DDL differs between dialects. */
export interface RdbDialect {
  /** Statements before the tables (PostgreSQL's enum types). */
  readonly prelude: ReadonlyArray<string>;
  /** The type of an autoincrementing primary key. */
  readonly serial: string;
  /** The attribute tables' `key` column, quoted where the dialect needs it. */
  readonly key: string;
  /** Objective and intermediate values, parameter values. */
  readonly float: string;
  /** `datetime_start`, `datetime_complete`, `heartbeat`. */
  readonly datetime: string;
  /** `study_directions.direction`. */
  readonly direction: string;
  /** `trials.state`. */
  readonly state: string;
  /** `trial_values.value_type`. */
  readonly valueType: string;
  /** `trial_intermediate_values.intermediate_value_type`. */
  readonly intermediateValueType: string;
}

/** The judgements of {@link schemaJudge}; `undefined` means: make the next read. */
export interface SchemaJudge {
  /** From the table names: `empty`, a mismatch, or read `alembic_version` next. */
  readonly tables: (tables: ReadonlySet<string>) => SchemaState | undefined;
  /**
   * From the revisions in `alembic_version` (and, at the head revision, whether every table
   * is there): a mismatch, or read `version_info` next.
   */
  readonly revisions: (
    revisions: ReadonlyArray<string>,
    tables: ReadonlySet<string>,
  ) => SchemaState | undefined;
  /** From `version_info`'s row (`undefined` when it has none, which is accepted). */
  readonly schemaVersion: (row: { readonly schema_version?: unknown } | undefined) => SchemaState;
}

/** The tables holding a trial's rows (by `trial_id`), emptied first when a study is deleted. */
export const TRIAL_CHILD_TABLES: ReadonlyArray<string> = [
  "trial_params",
  "trial_values",
  "trial_intermediate_values",
  "trial_user_attributes",
  "trial_system_attributes",
  "trial_heartbeats",
];

/** The tables holding a study's rows (by `study_id`), the study row last. */
export const STUDY_TABLES: ReadonlyArray<string> = [
  "trials",
  "study_directions",
  "study_user_attributes",
  "study_system_attributes",
  "studies",
];

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

function table(name: string, lines: ReadonlyArray<string>): string {
  return `CREATE TABLE ${name} (\n\t${lines.join(", \n\t")}\n)`;
}

/**
 * Every statement creating the schema in `d`, in the order SQLAlchemy and alembic run them,
 * with the exact text SQLAlchemy emits for Optuna 5.0.
 */
export function schemaDdl(d: RdbDialect): ReadonlyArray<string> {
  const attrs = (owner: "study" | "trial", kind: "user" | "system"): string => {
    const parent = owner === "study" ? "studies" : "trials";
    return table(`${owner}_${kind}_attributes`, [
      `${owner}_${kind}_attribute_id ${d.serial} NOT NULL`,
      `${owner}_id INTEGER`,
      `${d.key} VARCHAR(512)`,
      "value_json TEXT",
      `PRIMARY KEY (${owner}_${kind}_attribute_id)`,
      `UNIQUE (${owner}_id, ${d.key})`,
      `FOREIGN KEY(${owner}_id) REFERENCES ${parent} (${owner}_id)`,
    ]);
  };
  return [
    ...d.prelude,
    table("studies", [
      `study_id ${d.serial} NOT NULL`,
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
      `study_direction_id ${d.serial} NOT NULL`,
      `direction ${d.direction} NOT NULL`,
      "study_id INTEGER NOT NULL",
      "objective INTEGER NOT NULL",
      "PRIMARY KEY (study_direction_id)",
      "UNIQUE (study_id, objective)",
      "FOREIGN KEY(study_id) REFERENCES studies (study_id)",
    ]),
    attrs("study", "user"),
    attrs("study", "system"),
    table("trials", [
      `trial_id ${d.serial} NOT NULL`,
      "number INTEGER",
      "study_id INTEGER",
      `state ${d.state} NOT NULL`,
      `datetime_start ${d.datetime}`,
      `datetime_complete ${d.datetime}`,
      "PRIMARY KEY (trial_id)",
      "FOREIGN KEY(study_id) REFERENCES studies (study_id)",
    ]),
    "CREATE INDEX ix_trials_study_id ON trials (study_id)",
    attrs("trial", "user"),
    attrs("trial", "system"),
    table("trial_params", [
      `param_id ${d.serial} NOT NULL`,
      "trial_id INTEGER",
      "param_name VARCHAR(512)",
      `param_value ${d.float}`,
      "distribution_json TEXT",
      "PRIMARY KEY (param_id)",
      "UNIQUE (trial_id, param_name)",
      "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
    ]),
    table("trial_values", [
      `trial_value_id ${d.serial} NOT NULL`,
      "trial_id INTEGER NOT NULL",
      "objective INTEGER NOT NULL",
      `value ${d.float}`,
      `value_type ${d.valueType} NOT NULL`,
      "PRIMARY KEY (trial_value_id)",
      "UNIQUE (trial_id, objective)",
      "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
    ]),
    table("trial_intermediate_values", [
      `trial_intermediate_value_id ${d.serial} NOT NULL`,
      "trial_id INTEGER NOT NULL",
      "step INTEGER NOT NULL",
      `intermediate_value ${d.float}`,
      `intermediate_value_type ${d.intermediateValueType} NOT NULL`,
      "PRIMARY KEY (trial_intermediate_value_id)",
      "UNIQUE (trial_id, step)",
      "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)",
    ]),
    table("trial_heartbeats", [
      `trial_heartbeat_id ${d.serial} NOT NULL`,
      "trial_id INTEGER NOT NULL",
      `heartbeat ${d.datetime} NOT NULL`,
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
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * Judges what a database holds from three reads a backend makes in turn, each only when the
 * judgement before it returned `undefined`: the table names, then `alembic_version`, then
 * `version_info`. The advice names `url` in the upgrade command and the store as `noun`.
 */
export function schemaJudge(url: string, noun: StoreNoun): SchemaJudge {
  const upgrade = `\`optuna storage upgrade --storage ${url}\` (Python Optuna 3.2 to 5.0)`;
  const untouched = `(the ${noun} was not modified)`;
  return {
    tables: (tables) => {
      if (!SCHEMA_TABLES.some((t) => tables.has(t))) return { kind: "empty" };
      if (tables.has("alembic_version")) return undefined;
      return {
        kind: "mismatch",
        found: `none (the ${noun} has Optuna tables but no alembic_version table)`,
        advice: `was written by Optuna before 1.0 or changed by another program: upgrade it ` +
          `with ${upgrade} or use another ${noun} ${untouched}`,
      };
    },
    revisions: (revisions, tables) => {
      if (revisions.length !== 1) {
        return {
          kind: "mismatch",
          found: revisions.length === 0 ? "none (alembic_version is empty)" : revisions.join(", "),
          advice: `records no single schema revision: stamp it with ${upgrade} or use another ` +
            `${noun} ${untouched}`,
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
            : "was written by a newer or unknown version of Optuna: open it with that version, " +
              `or copy the study into a new ${noun} with it ${untouched}`,
        };
      }
      const missing = SCHEMA_TABLES.filter((t) => !tables.has(t));
      if (missing.length > 0) {
        return {
          kind: "mismatch",
          found: `${revision} without the tables ${missing.join(", ")}`,
          advice: `is incomplete or was changed by another program: use another ${noun} ` +
            untouched,
        };
      }
      return undefined;
    },
    schemaVersion: (row) => {
      if (row === undefined || Number(row.schema_version) === SCHEMA_VERSION) {
        return { kind: "ok" };
      }
      return {
        kind: "mismatch",
        found: `${ALEMBIC_HEAD} with schema version ${String(row.schema_version)}`,
        advice: `has another schema version: upgrade it with ${upgrade}, then open it again ` +
          untouched,
      };
    },
  };
}
