/**
 * The SQL that differs between SQLite and PostgreSQL, as data (Effect's `SqlMessageStorage`
 * habit: `sql.onDialectOrElse`): placeholders and casts, how a guarded row is inserted,
 * `RETURNING`, the server clock, row locks. The statements of the trial writes are built once
 * per dialect from one template each, so both adapters write the same rows. Private to the
 * library.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One SQL dialect.
 *
 * @category model
 */
export interface Dialect {
  readonly name: "sqlite" | "postgresql";
  /** Placeholder `n` (1-based), cast to `type` where the dialect needs casts. */
  readonly param: (n: number, type?: string) => string;
  /**
   * The row to insert: `VALUES (…)` where the adapter checked the trial in the same
   * transaction (SQLite), `SELECT … WHERE guard` where the write itself is the check
   * (PostgreSQL, one round trip).
   */
  readonly row: (values: ReadonlyArray<string>, guard: string) => string;
  /** What a guarded write returns so that the adapter sees whether it wrote. */
  readonly returningOk: string;
  /** Appended to a `SELECT` that must lock the rows it reads until the commit. */
  readonly forUpdate: string;
  /** The database server's clock as a naive UTC timestamp. */
  readonly now: string;
}

/**
 * The statements of the trial writes in one dialect.
 *
 * @category model
 */
export interface TrialWriteSql {
  /** `(trial_id, param_name, param_value, distribution_json)`; a set name is kept. */
  readonly param: string;
  /** `(trial_id, step, intermediate_value, intermediate_value_type)`. */
  readonly intermediate: string;
  /** `(trial_id, key, value_json)` by kind. */
  readonly attr: { readonly user: string; readonly system: string };
  /** `(trial_id, objective, value, value_type)`. */
  readonly value: string;
  /** `(trial_id, objective)`: drops the values from that objective on. */
  readonly dropValuesFrom: string;
}

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * SQLite: numbered `?n` placeholders, no casts, writes checked in a `BEGIN IMMEDIATE`
 * transaction, no row locks (the write transaction locks the database).
 *
 * @category instances
 */
export const SQLITE: Dialect = Object.freeze({
  name: "sqlite",
  param: (n: number) => `?${n}`,
  row: (values: ReadonlyArray<string>) => `VALUES (${values.join(", ")})`,
  returningOk: "",
  forUpdate: "",
  now: "strftime('%Y-%m-%d %H:%M:%f', 'now')",
});

/**
 * PostgreSQL: `$n` placeholders with casts to Optuna's enum types, guarded single-statement
 * writes, `SELECT … FOR UPDATE` row locks, the server's clock in UTC whatever the session's
 * time zone (Optuna's naive-UTC columns).
 *
 * @category instances
 */
export const POSTGRESQL: Dialect = Object.freeze({
  name: "postgresql",
  param: (n: number, type?: string) => type === undefined ? `$${n}` : `$${n}::${type}`,
  row: (values: ReadonlyArray<string>, guard: string) =>
    `SELECT ${values.join(", ")} WHERE ${guard}`,
  returningOk: " RETURNING 1 AS ok",
  forUpdate: " FOR UPDATE",
  now: "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')",
});

// -------------------------------------------------------------------------------------
// statements
// -------------------------------------------------------------------------------------

/**
 * The trial-write statements of a dialect.
 *
 * @category statements
 */
export function trialWriteSql(d: Dialect): TrialWriteSql {
  const p = d.param;
  const updatable = `EXISTS (SELECT 1 FROM trials WHERE trial_id = ${
    p(1)
  } AND state IN ('RUNNING', 'WAITING'))`;
  const attr = (kind: "user" | "system") =>
    `INSERT INTO trial_${kind}_attributes (trial_id, "key", value_json) ${
      d.row([p(1), p(2), p(3)], updatable)
    } ON CONFLICT (trial_id, "key") DO UPDATE SET value_json = excluded.value_json${d.returningOk}`;
  return Object.freeze({
    param: `INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) ${
      d.row([p(1), p(2), p(3, "float8"), p(4)], updatable)
    } ON CONFLICT (trial_id, param_name) DO NOTHING${d.returningOk}`,
    intermediate:
      `INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) ${
        d.row([p(1), p(2), p(3, "float8"), p(4, "trialintermediatevaluetype")], updatable)
      } ON CONFLICT (trial_id, step) DO UPDATE SET intermediate_value = excluded.intermediate_value, intermediate_value_type = excluded.intermediate_value_type${d.returningOk}`,
    attr: Object.freeze({ user: attr("user"), system: attr("system") }),
    value: `INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (${p(1)}, ${
      p(2)
    }, ${p(3, "float8")}, ${
      p(4, "trialvaluetype")
    }) ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value, value_type = excluded.value_type`,
    dropValuesFrom: `DELETE FROM trial_values WHERE trial_id = ${p(1)} AND objective >= ${p(2)}`,
  });
}
