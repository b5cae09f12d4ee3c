/**
 * The SQLite adapter's row writers: the trial-write statements of the dialect table, run
 * inside a write transaction of the connection after the shared decision allowed the write.
 * Private to the library.
 *
 * @module
 */
import type { Distribution } from "../../../core/distributions.ts";
import { distributionToJson } from "../../../core/distribution_json.ts";
import type { JsonValue } from "../../../core/json.ts";
import { decodeJson, encodeJson, encodeValue } from "../codec.ts";
import { SQLITE, trialWriteSql } from "../dialect.ts";
import type { SqliteConnection } from "./connection.ts";

/** The trial-write statements in SQLite's dialect. */
const WRITE = trialWriteSql(SQLITE);

/** A number as it reads back from a FLOAT column (SQLite keeps no negative zero). */
export function stored(v: number): number {
  return v === 0 ? 0 : v;
}

/** A JSON value as it reads back from a `value_json` column. */
export function storedJson(v: JsonValue): JsonValue {
  return decodeJson(encodeJson(v), true);
}

/** Replaces the trial's objective values. */
export function insertValues(
  c: SqliteConnection,
  trialId: number,
  values: ReadonlyArray<number>,
): void {
  const upsert = c.q(WRITE.value);
  values.forEach((v, objective) => {
    const [value, type] = encodeValue(v);
    upsert.run(trialId, objective, value, type);
  });
  c.q(WRITE.dropValuesFrom).run(trialId, values.length);
}

/** Stores (or replaces) the value reported at a step. */
export function insertIntermediate(
  c: SqliteConnection,
  trialId: number,
  step: number,
  v: number,
): void {
  const [value, type] = encodeValue(v);
  c.q(WRITE.intermediate).run(trialId, step, value, type);
}

/** Stores (or replaces) a study's or a trial's attribute. */
export function upsertAttr(
  c: SqliteConnection,
  owner: "study" | "trial",
  kind: "user" | "system",
  id: number,
  key: string,
  value: JsonValue,
): void {
  if (owner === "trial") {
    c.q(WRITE.attr[kind]).run(id, key, encodeJson(value));
    return;
  }
  c.q(
    `INSERT INTO ${owner}_${kind}_attributes (${owner}_id, "key", value_json) VALUES (?, ?, ?) ON CONFLICT (${owner}_id, "key") DO UPDATE SET value_json = excluded.value_json`,
  ).run(id, key, encodeJson(value));
}

/** Inserts a parameter; returns the distribution as it reads back. */
export function insertParam(
  c: SqliteConnection,
  trialId: number,
  name: string,
  internal: number,
  d: Distribution,
): Distribution {
  const json = distributionToJson(d);
  c.q(WRITE.param).run(trialId, name, internal, json);
  return c.distribution(json);
}
