/**
 * `storage check`: reads an SQLite file of Optuna's schema without changing it and reports
 * its schema revision, `PRAGMA integrity_check`, foreign keys, rows whose study or trial is
 * gone (orphans), and trials whose stored shape breaks Optuna's rules (numbers not 0..n-1,
 * COMPLETE trials without one value per objective). Private to the CLI.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { type Either, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, storageError } from "../errors.ts";
import { parseStorageUrl } from "../storage/open.ts";
import { ALEMBIC_HEAD, SCHEMA_TABLES, SCHEMA_VERSION } from "../storage/rdb/codec.ts";
import { importNodeSqlite, type SqliteDriver } from "../storage/rdb/sqlite_driver.ts";
import { EXIT } from "./_context.ts";
import type { Outcome } from "./_command.ts";
import { cellRecord, formatOutput, type OutputFormat } from "./_output.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One finding: what was checked, `ok`, `warning` or `error`, and what was found. */
export interface Finding {
  readonly check: string;
  readonly status: "ok" | "warning" | "error";
  readonly detail: string;
}

type Query = (sql: string) => ReadonlyArray<Readonly<Record<string, unknown>>>;

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

const ok = (check: string, detail: string): Finding => ({ check, status: "ok", detail });
const bad = (check: string, detail: string): Finding => ({ check, status: "error", detail });

function schemaFindings(q: Query, tables: ReadonlySet<string>): Finding[] {
  const missing = SCHEMA_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) return [bad("tables", `missing: ${missing.join(", ")}`)];
  const revisions = q("SELECT version_num FROM alembic_version").map((r) => String(r.version_num));
  const info = q("SELECT schema_version, library_version FROM version_info");
  const version = info[0]?.schema_version;
  return [
    ok("tables", `all ${SCHEMA_TABLES.length} tables of Optuna's schema`),
    revisions.length === 1 && revisions[0] === ALEMBIC_HEAD
      ? ok("alembic revision", ALEMBIC_HEAD)
      : bad("alembic revision", `${revisions.join(", ") || "none"} (expected ${ALEMBIC_HEAD})`),
    Number(version) === SCHEMA_VERSION
      ? ok("schema version", `${version} (written by ${String(info[0]?.library_version)})`)
      : bad("schema version", `${String(version)} (expected ${SCHEMA_VERSION})`),
  ];
}

const ORPHANS: ReadonlyArray<readonly [string, string, string]> = [
  ["trials", "study_id", "studies"],
  ["study_directions", "study_id", "studies"],
  ["study_user_attributes", "study_id", "studies"],
  ["study_system_attributes", "study_id", "studies"],
  ["trial_params", "trial_id", "trials"],
  ["trial_values", "trial_id", "trials"],
  ["trial_intermediate_values", "trial_id", "trials"],
  ["trial_user_attributes", "trial_id", "trials"],
  ["trial_system_attributes", "trial_id", "trials"],
  ["trial_heartbeats", "trial_id", "trials"],
];

function orphanFindings(q: Query): Finding[] {
  const found = ORPHANS.flatMap(([table, key, parent]) => {
    const n = Number(
      q(`SELECT COUNT(*) AS n FROM ${table} WHERE ${key} IS NULL OR ${key} NOT IN (SELECT ${key} FROM ${parent})`)[
        0
      ]?.n ?? 0,
    );
    return n === 0 ? [] : [`${n} in ${table}`];
  });
  return [found.length === 0 ? ok("orphan rows", "none") : bad("orphan rows", found.join(", "))];
}

function trialFindings(q: Query): Finding[] {
  const numbering = q(
    "SELECT s.study_name AS name, COUNT(t.trial_id) AS n, COUNT(DISTINCT t.number) AS d, " +
      "MIN(t.number) AS lo, MAX(t.number) AS hi FROM studies s JOIN trials t ON t.study_id = s.study_id " +
      "GROUP BY s.study_id",
  ).filter((r) => !(r.n === r.d && Number(r.lo) === 0 && Number(r.hi) === Number(r.n) - 1))
    .map((r) => `study '${String(r.name)}'`);
  const values = Number(
    q(
      "SELECT COUNT(*) AS n FROM trials t WHERE t.state = 'COMPLETE' AND " +
        "(SELECT COUNT(*) FROM trial_values v WHERE v.trial_id = t.trial_id) <> " +
        "(SELECT COUNT(*) FROM study_directions d WHERE d.study_id = t.study_id)",
    )[0]?.n ?? 0,
  );
  const noDirection = Number(
    q(
      "SELECT COUNT(*) AS n FROM studies s WHERE NOT EXISTS " +
        "(SELECT 1 FROM study_directions d WHERE d.study_id = s.study_id)",
    )[0]?.n ?? 0,
  );
  const running = Number(q("SELECT COUNT(*) AS n FROM trials WHERE state = 'RUNNING'")[0]?.n ?? 0);
  return [
    numbering.length === 0
      ? ok("trial numbers", "0..n-1 in every study")
      : bad("trial numbers", `not 0..n-1 in ${numbering.join(", ")}`),
    values === 0
      ? ok("objective values", "one per objective on every COMPLETE trial")
      : bad("objective values", `${values} COMPLETE trials without one value per objective`),
    noDirection === 0
      ? ok("study directions", "every study has its directions")
      : bad("study directions", `${noDirection} studies without a direction`),
    {
      check: "running trials",
      status: running === 0 ? "ok" : "warning",
      detail: running === 0
        ? "none"
        : `${running} RUNNING (a worker is running, or one died: see heartbeats)`,
    },
  ];
}

/** Every check of an open SQLite database. */
export function sqliteFindings(db: SqliteDriver): ReadonlyArray<Finding> {
  const q: Query = (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>;
  const integrity = q("PRAGMA integrity_check").map((r) => String(Object.values(r)[0]));
  const first = integrity.join("; ") === "ok"
    ? ok("integrity_check", "ok")
    : bad("integrity_check", integrity.slice(0, 5).join("; "));
  if (first.status === "error") return [first];
  const tables = new Set(
    q("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => String(r.name)),
  );
  const schema = schemaFindings(q, tables);
  if (schema.some((f) => f.status === "error") && schema[0]?.status === "error") {
    return [first, ...schema];
  }
  const fk = q("PRAGMA foreign_key_check");
  return [
    first,
    ...schema,
    fk.length === 0
      ? ok("foreign keys", "every reference resolves")
      : bad("foreign keys", `${fk.length} broken references`),
    ...orphanFindings(q),
    ...trialFindings(q),
  ];
}

// -------------------------------------------------------------------------------------
// the command
// -------------------------------------------------------------------------------------

/** The findings on the SQLite file at `path`, opened read-only (node:sqlite loaded now). */
async function findingsOf(
  path: string,
  operation: string,
): Promise<Either<HyperionError, ReadonlyArray<Finding>>> {
  const sqlite = await importNodeSqlite();
  if (sqlite._tag === "Left") return left(storageError(operation, sqlite.left));
  try {
    const db = new sqlite.right.DatabaseSync(path, { readOnly: true });
    try {
      return right(sqliteFindings(db));
    } finally {
      db.close();
    }
  } catch (e) {
    return left(storageError(operation, e));
  }
}

function render(findings: ReadonlyArray<Finding>, format: OutputFormat): Outcome {
  const records = findings.map((f) =>
    cellRecord([
      [{ name: "check", key: "" }, f.check],
      [{ name: "status", key: "" }, f.status],
      [{ name: "detail", key: "" }, f.detail],
    ])
  );
  const text = formatOutput(
    records,
    ["check", "status", "detail"].map((name) => ({ name, key: "" })),
    { format, flatten: false },
  );
  const failed = findings.some((f) => f.status === "error");
  return { text, code: failed ? EXIT.error : EXIT.ok };
}

/** Runs the checks on the storage at `url` and renders them; exit 1 when one fails. */
export function checkStorage(
  url: string,
  format: OutputFormat,
): TaskEither<HyperionError, Outcome> {
  return () => {
    const where = parseStorageUrl(url);
    if (where._tag === "Left") return Promise.resolve(where);
    if (where.right.kind !== "sqlite" || where.right.path === ":memory:") {
      return Promise.resolve(left(invalidArgument({
        field: "--storage",
        value: url,
        expected: "an SQLite file URL (storage check reads SQLite files only)",
      })));
    }
    const path = where.right.path;
    const operation = `check the SQLite database '${path}'`;
    if (!existsSync(path)) {
      return Promise.resolve(left(storageError(operation, "the file does not exist")));
    }
    return findingsOf(path, operation).then((found) =>
      found._tag === "Left" ? found : right(render(found.right, format))
    );
  };
}
