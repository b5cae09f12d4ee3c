/**
 * `export`'s formats: CSV (RFC 4180: a header line, fields quoted when they hold a comma, a
 * quote or a line break) and JSON lines (one object per trial, every column present, `null`
 * where a trial has no value). Private to the CLI.
 *
 * @module
 */
import { type CellRecord, cellText, type Column, toPlain } from "./_output.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** `csv` or `jsonl`. */
export type ExportFormat = "csv" | "jsonl";

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** One CSV field, quoted when it must be. */
export function csvField(value: unknown): string {
  const text = cellText(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function jsonCell(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "number" && !Number.isFinite(value)) return cellText(value);
  return value;
}

/** Notes for the parameters some trials do not have (their cells are empty). */
function absentParams(
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  header: ReadonlyArray<string>,
): string[] {
  return header.filter((h) => h.startsWith("params_")).flatMap((h) => {
    const missing = rows.filter((r) => !(h in r)).length;
    return missing === 0 ? [] : [
      `note: parameter '${
        h.slice("params_".length)
      }' is absent from ${missing} of ${rows.length} trials: ${h} is empty there`,
    ];
  });
}

/** The trials as CSV or JSON lines (ending with a line break), with notes for stderr. */
export function exportTrials(
  records: ReadonlyArray<CellRecord>,
  columns: ReadonlyArray<Column>,
  format: ExportFormat,
): { readonly text: string; readonly notes: ReadonlyArray<string> } {
  const { rows, header } = toPlain(records, columns, true);
  const notes = absentParams(rows, header);
  const lines = format === "csv"
    ? [
      header.map(csvField).join(","),
      ...rows.map((r) => header.map((h) => csvField(r[h])).join(",")),
    ]
    : rows.map((r) => JSON.stringify(Object.fromEntries(header.map((h) => [h, jsonCell(r[h])]))));
  return { text: lines.map((l) => `${l}\n`).join(""), notes };
}
