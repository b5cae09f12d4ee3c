/**
 * Optuna's RDB schema, shared by the SQLite and PostgreSQL storages: the schema revision
 * constants, the encodings (datetimes as naive-UTC text with microseconds, objective and
 * intermediate values with a type column `FINITE`/`INF_POS`/`INF_NEG`/`NAN`, enum names for
 * states and directions, attribute JSON tolerating Python's `NaN`/`Infinity` tokens) and the
 * assembly of a {@link FrozenTrial} from its rows. Private to the library.
 *
 * @module
 */
import { allowsNonFinite, setOwn } from "../rules.ts";
import { type Distribution, toExternal } from "../../core/distributions.ts";
import { distributionFromJson } from "../../core/distribution_json.ts";
import type { JsonValue, ParamValue } from "../../core/json.ts";
import { parsePythonJson, pythonJson } from "../../core/json.ts";
import type { Direction } from "../../core/study.ts";
import type { Attrs, FrozenTrial, TrialState } from "../../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The alembic revision Optuna 3.2 to 5.0 write and expect. */
export const ALEMBIC_HEAD = "v3.2.0.a";

/** `version_info.schema_version` of Optuna 3.2 to 5.0. */
export const SCHEMA_VERSION = 12;

/** What this library writes into `version_info.library_version`. */
export const LIBRARY_VERSION = "hyperion 0.1.0";

/** Older Optuna revisions, oldest first (`optuna storage upgrade` moves them to the head). */
export const OLDER_REVISIONS: ReadonlyArray<string> = [
  "v0.9.0.a",
  "v1.2.0.a",
  "v1.3.0.a",
  "v2.4.0.a",
  "v2.6.0.a",
  "v3.0.0.a",
  "v3.0.0.b",
  "v3.0.0.c",
  "v3.0.0.d",
];

/** The tables of the schema, in the order SQLAlchemy creates them. */
export const SCHEMA_TABLES: ReadonlyArray<string> = [
  "studies",
  "version_info",
  "study_directions",
  "study_user_attributes",
  "study_system_attributes",
  "trials",
  "trial_user_attributes",
  "trial_system_attributes",
  "trial_params",
  "trial_values",
  "trial_intermediate_values",
  "trial_heartbeats",
  "alembic_version",
];

/** A `trials` row (datetimes as stored text). */
export interface TrialRow {
  readonly trial_id: unknown;
  readonly number: unknown;
  readonly state: unknown;
  readonly datetime_start: unknown;
  readonly datetime_complete: unknown;
}

/**
 * A child row as a driver returns it, by column name: `trial_params` (`param_name`,
 * `param_value`, `distribution_json`), `trial_values` (`value`, `value_type`),
 * `trial_intermediate_values` (`step`, `intermediate_value`, `intermediate_value_type`) and the
 * attribute tables (`key`, `value_json`).
 */
export type Row = Readonly<Record<string, unknown>>;

/** Everything stored about one trial; child rows in id order (values by objective). */
export interface TrialRows {
  readonly trial: TrialRow;
  readonly params: ReadonlyArray<Row>;
  readonly values: ReadonlyArray<Row>;
  readonly intermediate: ReadonlyArray<Row>;
  readonly userAttrs: ReadonlyArray<Row>;
  readonly systemAttrs: ReadonlyArray<Row>;
}

// -------------------------------------------------------------------------------------
// utils: datetimes
// -------------------------------------------------------------------------------------

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/**
 * Epoch milliseconds (fractions keep microseconds) → `YYYY-MM-DD HH:MM:SS.ffffff`, naive UTC,
 * as SQLAlchemy stores Optuna 5.0's datetimes.
 */
export function formatDatetime(ms: number): string {
  const micros = Math.round(ms * 1000);
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros - seconds * 1e6;
  const d = new Date(seconds * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${
    pad(d.getUTCHours(), 2)
  }:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(fraction, 6)}`;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/;

/**
 * Parses a stored datetime (with or without fraction; `T` or space) as UTC epoch
 * milliseconds; `null` for NULL or an unreadable value.
 */
export function parseDatetime(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const m = DATETIME.exec(String(value));
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = ""] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const micros = frac === "" ? 0 : Number(frac.padEnd(6, "0"));
  return micros === 0 ? base : base + micros / 1000;
}

/** A time (epoch ms) as it reads back from a datetime column (microseconds); `null` stays. */
export function storedDatetime(ms: number | null): number | null {
  return ms === null ? null : parseDatetime(formatDatetime(ms));
}

// -------------------------------------------------------------------------------------
// utils: values
// -------------------------------------------------------------------------------------

/** A number as `[value, type]`: NULL value for infinities and NaN. */
export function encodeValue(v: number): readonly [number | null, string] {
  if (Number.isNaN(v)) return [null, "NAN"];
  if (v === Infinity) return [null, "INF_POS"];
  if (v === -Infinity) return [null, "INF_NEG"];
  return [v, "FINITE"];
}

/** `[value, type]` → the number. */
export function decodeValue(value: unknown, type: unknown): number {
  switch (type) {
    case "INF_POS":
      return Infinity;
    case "INF_NEG":
      return -Infinity;
    case "NAN":
      return NaN;
    default:
      return value === null || value === undefined ? NaN : Number(value);
  }
}

// -------------------------------------------------------------------------------------
// utils: enums
// -------------------------------------------------------------------------------------

/** `"minimize"` → `MINIMIZE`. */
export function encodeDirection(d: Direction): string {
  return d === "maximize" ? "MAXIMIZE" : "MINIMIZE";
}

/** `MAXIMIZE` → `"maximize"`; anything else (`MINIMIZE`, `NOT_SET`) → `"minimize"`. */
export function decodeDirection(value: unknown): Direction {
  return value === "MAXIMIZE" ? "maximize" : "minimize";
}

/** A stored state name, or `undefined` when it is not one. */
export function decodeState(value: unknown): TrialState | undefined {
  switch (value) {
    case "RUNNING":
    case "COMPLETE":
    case "PRUNED":
    case "FAIL":
    case "WAITING":
      return value;
    default:
      return undefined;
  }
}

// -------------------------------------------------------------------------------------
// utils: JSON
// -------------------------------------------------------------------------------------

/** An attribute value as Python's `json.dumps` writes it. */
export function encodeJson(value: JsonValue): string {
  return pythonJson(value);
}

const NON_FINITE = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;

/**
 * Parses `value_json`; Python may have written the bare tokens `NaN`, `Infinity` and
 * `-Infinity`: with `keepNonFinite` they become those numbers (the attributes that may hold
 * them, such as `fixed_params`), else `null` (attribute values are finite JSON here).
 */
export function decodeJson(text: unknown, keepNonFinite = false): JsonValue {
  const s = String(text);
  if (keepNonFinite) return parsePythonJson(s) as JsonValue;
  try {
    return JSON.parse(s) as JsonValue;
  } catch {
    return JSON.parse(s.replace(NON_FINITE, (m) => m.startsWith('"') ? m : "null")) as JsonValue;
  }
}

/**
 * Attribute rows → the attribute map (a later row wins on a repeated key). System attributes
 * that may hold NaN or infinities (`fixed_params`) keep them.
 */
export function decodeAttrs(rows: ReadonlyArray<Row>, system = false): Attrs {
  const out: Record<string, JsonValue> = {};
  for (const r of rows) {
    const key = String(r.key);
    setOwn(out, key, decodeJson(r.value_json, system && allowsNonFinite(key)));
  }
  return out;
}

// -------------------------------------------------------------------------------------
// utils: trials
// -------------------------------------------------------------------------------------

/**
 * Builds a trial from its rows. `distribution` parses a `distribution_json` text (callers
 * cache it) and throws on unreadable text; an unknown state throws too (both are damage the
 * storage reports as `StorageError`).
 */
export function trialFromRows(
  rows: TrialRows,
  distribution: (json: string) => Distribution,
): FrozenTrial {
  const row = rows.trial;
  const id = Number(row.trial_id);
  const state = decodeState(row.state);
  if (state === undefined) {
    throw new Error(`trial id ${id} has an unknown state ${String(row.state)}`);
  }
  const params: Record<string, ParamValue> = {};
  const distributions: Record<string, Distribution> = {};
  for (const p of rows.params) {
    const name = String(p.param_name);
    const d = distribution(String(p.distribution_json));
    setOwn(distributions, name, d);
    setOwn(params, name, toExternal(d, Number(p.param_value)));
  }
  const values = rows.values.map((v) => decodeValue(v.value, v.value_type));
  const intermediateValues: Record<number, number> = {};
  for (const v of rows.intermediate) {
    intermediateValues[Number(v.step)] = decodeValue(
      v.intermediate_value,
      v.intermediate_value_type,
    );
  }
  return {
    number: row.number === null || row.number === undefined ? -1 : Number(row.number),
    trialId: id,
    state,
    values: values.length === 0 ? null : values,
    params,
    distributions,
    intermediateValues,
    userAttrs: decodeAttrs(rows.userAttrs),
    systemAttrs: decodeAttrs(rows.systemAttrs, true),
    datetimeStart: parseDatetime(row.datetime_start),
    datetimeComplete: parseDatetime(row.datetime_complete),
  };
}

/**
 * A parser of `distribution_json` texts for {@link trialFromRows} that parses each text once
 * (a storage keeps one for its lifetime) and throws on unreadable text.
 */
export function distributionParser(): (json: string) => Distribution {
  const cache = new Map<string, Distribution>();
  return (json) => {
    let d = cache.get(json);
    if (d === undefined) {
      const parsed = distributionFromJson(json);
      if (parsed._tag === "Left") {
        throw new Error(`unreadable distribution_json ${json}: ${parsed.left.message}`);
      }
      d = parsed.right;
      cache.set(json, d);
    }
    return d;
  };
}

/** Groups child rows by their `trial_id` column, keeping their order. */
export function groupByTrial<R extends Row>(
  rows: ReadonlyArray<R>,
): Map<number, R[]> {
  const m = new Map<number, R[]>();
  for (const r of rows) {
    const id = Number(r.trial_id);
    let g = m.get(id);
    if (g === undefined) m.set(id, g = []);
    g.push(r);
  }
  return m;
}
