/**
 * Trials as output records, as Optuna's `_create_records_and_aggregate_column` builds them for
 * `trials`, `best-trial(s)` and `trials_dataframe`: one column per attribute, nested attributes
 * (`params`, `user_attrs`, `system_attrs`, the values of several objectives) one column per
 * key, the keys sorted. Private to the CLI.
 *
 * @module
 */
import type { FrozenTrial } from "../core/trial.ts";
import type { StudyRecord } from "../core/study.ts";
import { formatDatetime } from "../storage/rdb/codec.ts";
import { type CellRecord, cellRecord, type Column, columnId } from "./_output.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A trial attribute, by Optuna's name. */
export type TrialAttr =
  | "number"
  | "value"
  | "datetime_start"
  | "datetime_complete"
  | "duration"
  | "params"
  | "user_attrs"
  | "system_attrs"
  | "state";

/** How datetimes and durations are written. */
export interface TimeStyle {
  /** An epoch-milliseconds time as text. */
  readonly datetime: (ms: number) => string;
  /** A duration in milliseconds as a cell value. */
  readonly duration: (ms: number) => string | number;
}

/** The attributes of `trials_dataframe()` (Optuna's defaults), for `export`. */
export const EXPORT_ATTRS: ReadonlyArray<TrialAttr> = [
  "number",
  "value",
  "datetime_start",
  "datetime_complete",
  "duration",
  "params",
  "user_attrs",
  "system_attrs",
  "state",
];

/**
 * The attributes of Optuna's `trials`, `best-trial` and `best-trials` commands: those of
 * `export` but `system_attrs`.
 */
export const TRIAL_ATTRS: ReadonlyArray<TrialAttr> = EXPORT_ATTRS.filter((a) =>
  a !== "system_attrs"
);

// -------------------------------------------------------------------------------------
// time styles
// -------------------------------------------------------------------------------------

/** Python's `str(timedelta)`: `H:MM:SS[.ffffff]`, with `N day(s), ` in front. */
export function pythonTimedelta(ms: number): string {
  const micros = Math.round(ms * 1000);
  const sign = micros < 0 ? -1 : 1;
  const abs = Math.abs(micros);
  const days = Math.floor(abs / 86_400e6);
  const rest = abs - days * 86_400e6;
  const h = Math.floor(rest / 3600e6);
  const m = Math.floor((rest % 3600e6) / 60e6);
  const s = Math.floor((rest % 60e6) / 1e6);
  const us = rest % 1e6;
  const clock = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` +
    (us === 0 ? "" : `.${String(us).padStart(6, "0")}`);
  const dayText = days === 0 ? "" : `${sign * days} day${days === 1 ? "" : "s"}, `;
  return (sign < 0 && days === 0 ? "-" : "") + dayText + clock;
}

/** The CLI's listings: datetimes to the second (`%Y-%m-%d %H:%M:%S`, UTC), durations as Python prints them. */
export const LISTING_TIMES: TimeStyle = {
  datetime: (ms) => formatDatetime(ms).slice(0, 19),
  duration: pythonTimedelta,
};

/** `export`: datetimes with microseconds (UTC), durations in seconds. */
export const EXPORT_TIMES: TimeStyle = {
  datetime: formatDatetime,
  duration: (ms) => ms / 1000,
};

// -------------------------------------------------------------------------------------
// records
// -------------------------------------------------------------------------------------

/** The names of the objectives (`study:metric_names`), when the study has them. */
export function metricNames(study: StudyRecord): ReadonlyArray<string> | undefined {
  const names = study.systemAttrs["study:metric_names"];
  return Array.isArray(names) && names.length === study.directions.length &&
      names.every((n) => typeof n === "string")
    ? names as string[]
    : undefined;
}

function valueCells(
  trial: FrozenTrial,
  study: StudyRecord,
): Array<readonly [Column, unknown]> {
  const names = metricNames(study);
  if (study.directions.length === 1) {
    return [[{ name: "value", key: names?.[0] ?? "" }, trial.values?.[0] ?? null]];
  }
  return study.directions.map((_, i) => [
    { name: "values", key: names?.[i] ?? i },
    trial.values?.[i] ?? null,
  ]);
}

function nested(name: string, map: Readonly<Record<string, unknown>>) {
  return Object.entries(map).map(([k, v]) => [{ name, key: k }, v] as const);
}

function attrCells(
  attr: TrialAttr,
  trial: FrozenTrial,
  study: StudyRecord,
  times: TimeStyle,
): Array<readonly [Column, unknown]> {
  const { datetimeStart: start, datetimeComplete: end } = trial;
  switch (attr) {
    case "value":
      return valueCells(trial, study);
    case "datetime_start":
      return [[{ name: attr, key: "" }, start === null ? null : times.datetime(start)]];
    case "datetime_complete":
      return [[{ name: attr, key: "" }, end === null ? null : times.datetime(end)]];
    case "duration":
      return [[
        { name: attr, key: "" },
        start === null || end === null ? null : times.duration(end - start),
      ]];
    case "params":
      return nested("params", trial.params);
    case "user_attrs":
      return nested("user_attrs", trial.userAttrs);
    case "system_attrs":
      return nested("system_attrs", trial.systemAttrs);
    case "number":
    case "state":
      return [[{ name: attr, key: "" }, trial[attr]]];
  }
}

function compareKeys(a: Column, b: Column): number {
  if (typeof a.key === "number" && typeof b.key === "number") return a.key - b.key;
  const x = String(a.key), y = String(b.key);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Each trial as a record, and the columns in Optuna's order: the attributes in the order
 * given, the keys of each nested one sorted (metric names in their own order).
 */
export function trialRecords(
  trials: ReadonlyArray<FrozenTrial>,
  study: StudyRecord,
  attrs: ReadonlyArray<TrialAttr>,
  times: TimeStyle,
): { readonly records: ReadonlyArray<CellRecord>; readonly columns: ReadonlyArray<Column> } {
  const seen = new Map<TrialAttr, Map<string, Column>>(attrs.map((a) => [a, new Map()]));
  const records = trials.map((trial) => {
    const cells = attrs.flatMap((attr) => {
      const these = attrCells(attr, trial, study, times);
      for (const [c] of these) seen.get(attr)?.set(columnId(c), c);
      return these;
    });
    return cellRecord(cells);
  });
  const names = metricNames(study);
  const columns = attrs.flatMap((attr) => {
    const found = [...(seen.get(attr)?.values() ?? [])];
    return attr === "value" && names !== undefined ? found : found.sort(compareKeys);
  });
  return { records, columns };
}
