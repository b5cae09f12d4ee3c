/**
 * The PostgreSQL adapter's batch row writers: a new trial's children and a trial's objective
 * values, one statement per table (`json_array_elements` of the rows). Private to the library.
 *
 * @module
 */
import type { Distribution } from "../../../core/distributions.ts";
import { distributionToJson } from "../../../core/distribution_json.ts";
import type { NormalisedTemplate } from "../../rules.ts";
import { encodeJson, encodeValue } from "../codec.ts";
import type { PgQuery } from "../postgres_connection.ts";
import { json } from "./reads.ts";

/** Inserts a new trial's parameters, values, intermediate values and attributes. */
export async function insertChildren(
  q: PgQuery,
  trialId: number,
  t: NormalisedTemplate,
): Promise<void> {
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
}

/** Replaces the trial's objective values. */
export async function upsertValues(
  q: PgQuery,
  trialId: number,
  values: ReadonlyArray<number>,
): Promise<void> {
  await q(
    "INSERT INTO trial_values (trial_id, objective, value, value_type) SELECT $1, (o - 1)::int, (e->>0)::float8, (e->>1)::trialvaluetype FROM json_array_elements($2::json) WITH ORDINALITY AS x(e, o) ORDER BY o ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value, value_type = excluded.value_type",
    [trialId, json(values.map(encodeValue))],
  );
  await q("DELETE FROM trial_values WHERE trial_id = $1 AND objective >= $2", [
    trialId,
    values.length,
  ]);
}
