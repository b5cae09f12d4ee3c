/**
 * The CLI's output formats, as Optuna's `cli.py` writes them: records whose columns are
 * `(name, key)` pairs (`("params", "x")`, `("values", 0)`, `("number", "")`), turned into plain
 * objects, nested (`{"params": {"x": 1}}`) or flattened (`params_x`), then printed as a table,
 * JSON, YAML or bare values. Private to the CLI.
 *
 * @module
 */
import YAML from "yaml";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** An output format: Optuna's `-f/--format` choices. */
export type OutputFormat = "table" | "json" | "yaml" | "value";

/** The output formats, in the order `--help` lists them. */
export const OUTPUT_FORMATS: ReadonlyArray<OutputFormat> = ["table", "json", "yaml", "value"];

/** A column: the attribute's name and, for nested ones, the key within it ("" for none). */
export interface Column {
  readonly name: string;
  readonly key: string | number;
}

/** One record: a value per column id ({@link columnId}). */
export type CellRecord = ReadonlyMap<string, unknown>;

/** A plain output object, nested or flat. */
type Plain = Record<string, unknown>;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The map key of a column. */
export function columnId(c: Column): string {
  return `${c.name}\u0000${typeof c.key}\u0000${c.key}`;
}

/** A record from `[column, value]` pairs. */
export function cellRecord(cells: ReadonlyArray<readonly [Column, unknown]>): CellRecord {
  return new Map(cells.map(([c, v]) => [columnId(c), v]));
}

// -------------------------------------------------------------------------------------
// conversion (Optuna's `_convert_to_dict`)
// -------------------------------------------------------------------------------------

const isList = (v: unknown): boolean => Array.isArray(v);

function flatHeader(records: ReadonlyArray<CellRecord>, columns: ReadonlyArray<Column>): string[] {
  const header: string[] = [];
  for (const c of columns) {
    if (c.key !== "") header.push(`${c.name}_${c.key}`);
    else if (records.some((r) => isList(r.get(columnId(c))))) {
      const longest = Math.max(
        0,
        ...records.map((r) => (r.get(columnId(c)) as unknown[] | undefined)?.length ?? 0),
      );
      for (let i = 0; i < longest; i++) header.push(`${c.name}_${i}`);
    } else header.push(c.name);
  }
  return header;
}

function flatRow(
  record: CellRecord,
  columns: ReadonlyArray<Column>,
  listColumns: ReadonlySet<string>,
): Plain {
  const row: Plain = {};
  for (const c of columns) {
    const id = columnId(c);
    if (!record.has(id)) continue;
    const value = record.get(id);
    if (c.key !== "") row[`${c.name}_${c.key}`] = value;
    else if (listColumns.has(id)) (value as unknown[]).forEach((v, i) => row[`${c.name}_${i}`] = v);
    else row[c.name] = value;
  }
  return row;
}

function nestedRow(record: CellRecord, columns: ReadonlyArray<Column>, header: string[]): Plain {
  const row: Plain = Object.fromEntries(header.map((h) => [h, {}]));
  for (const c of columns) {
    const id = columnId(c);
    if (!record.has(id)) continue;
    const value = record.get(id);
    if (typeof c.key === "number") {
      const list = Array.isArray(row[c.name]) ? row[c.name] as unknown[] : [];
      while (list.length <= c.key) list.push(null);
      list[c.key] = value;
      row[c.name] = list;
    } else if (c.key !== "") (row[c.name] as Plain)[c.key] = value;
    else row[c.name] = value;
  }
  return row;
}

/** Records as plain objects and the header, nested or flattened (Optuna's `_convert_to_dict`). */
export function toPlain(
  records: ReadonlyArray<CellRecord>,
  columns: ReadonlyArray<Column>,
  flatten: boolean,
): { readonly rows: ReadonlyArray<Plain>; readonly header: ReadonlyArray<string> } {
  if (flatten) {
    const listColumns = new Set(
      columns.filter((c) => c.key === "" && records.some((r) => isList(r.get(columnId(c)))))
        .map(columnId),
    );
    return {
      rows: records.map((r) => flatRow(r, columns, listColumns)),
      header: flatHeader(records, columns),
    };
  }
  const header = [...new Set(columns.map((c) => c.name))];
  return { rows: records.map((r) => nestedRow(r, columns, header)), header };
}

// -------------------------------------------------------------------------------------
// rendering
// -------------------------------------------------------------------------------------

/** A cell as text: strings as they are, other values as JSON, `null` as empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return jsonNumber(value);
  return JSON.stringify(value, (_k, v) => typeof v === "number" ? jsonSafe(v) : v);
}

function jsonNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return String(v);
}

/** Numbers JSON cannot hold (NaN, ±Infinity) as the strings Python's `json` would print. */
function jsonSafe(v: number): number | string {
  return Number.isFinite(v) ? v : jsonNumber(v);
}

function isNumeric(v: unknown): boolean {
  return v === null || v === undefined || typeof v === "number";
}

/** Optuna's `_dump_table`: a `+---+` framed table, numeric columns right-aligned. */
export function dumpTable(rows: ReadonlyArray<Plain>, header: ReadonlyArray<string>): string {
  let separator = "+";
  let head = "|";
  const lines = rows.map(() => "|");
  for (const name of header) {
    const cells = rows.map((r) => r[name]);
    const numeric = cells.every(isNumeric);
    // as in Optuna, an empty (None) cell is as wide as the text "None"
    const width = Math.max(
      name.length,
      ...cells.map((c) => c === null || c === undefined ? 4 : cellText(c).length),
    );
    const align = (s: string) => numeric ? s.padStart(width) : s.padEnd(width);
    separator += "-".repeat(width + 2) + "+";
    head += ` ${align(name)} |`;
    cells.forEach((c, i) => lines[i] += ` ${align(cellText(c))} |`);
  }
  return [separator, head, separator, ...lines, separator].join("\n");
}

/** Optuna's `_dump_value`: one line per record, the cells separated by spaces. */
export function dumpValue(rows: ReadonlyArray<Plain>, header: ReadonlyArray<string>): string {
  return rows.map((r) => header.map((h) => cellText(r[h])).join(" ")).join("\n").trim();
}

function jsonReady(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => typeof v === "number" ? jsonSafe(v) : v) ?? "null",
  );
}

/**
 * Renders records in a format (Optuna's `_format_output`): a list, or with `single` the one
 * record as an object.
 */
export function formatOutput(
  records: ReadonlyArray<CellRecord>,
  columns: ReadonlyArray<Column>,
  options: { readonly format: OutputFormat; readonly flatten: boolean; readonly single?: boolean },
): string {
  const { rows, header } = toPlain(records, columns, options.flatten);
  const data = options.single === true ? rows[0] ?? {} : rows;
  switch (options.format) {
    case "value":
      return dumpValue(rows, header);
    case "table":
      return dumpTable(rows, header);
    case "json":
      return JSON.stringify(jsonReady(data));
    case "yaml":
      return YAML.stringify(jsonReady(data)).trimEnd();
  }
}
