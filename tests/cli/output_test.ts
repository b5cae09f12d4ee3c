/**
 * The CLI's output formats against Python Optuna 5.0's own `cli.py` helpers
 * (`tests/fixtures/cli/format.json`, made by `make_fixtures.py` beside it): nested and flattened
 * records, the framed table, bare values and Python's `str(timedelta)`; CSV fields read back as
 * they were written.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cellRecord,
  type Column,
  dumpTable,
  dumpValue,
  formatOutput,
  toPlain,
} from "../../lib/cli/_output.ts";
import { pythonTimedelta } from "../../lib/cli/_records.ts";
import { csvField } from "../../lib/cli/_export.ts";
import YAML from "yaml";

interface Conversion {
  readonly records: ReadonlyArray<ReadonlyArray<[[string, string | number], unknown]>>;
  readonly columns: ReadonlyArray<[string, string | number]>;
  readonly flatten: boolean;
  readonly values: ReadonlyArray<Record<string, unknown>>;
  readonly header: ReadonlyArray<string>;
  readonly table?: string;
  readonly value?: string;
}

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/cli/format.json", import.meta.url)),
) as { timedeltas: Array<[number, string]>; conversions: Conversion[] };

const col = ([name, key]: [string, string | number]): Column => ({ name, key });

Deno.test("durations print as Python's str(timedelta)", () => {
  for (const [ms, text] of fixture.timedeltas) assert.equal(pythonTimedelta(ms), text, `${ms} ms`);
});

Deno.test("records convert, nested or flattened, as Optuna's _convert_to_dict does", () => {
  for (const c of fixture.conversions) {
    const records = c.records.map((cells) => cellRecord(cells.map(([k, v]) => [col(k), v])));
    const { rows, header } = toPlain(records, c.columns.map(col), c.flatten);
    assert.deepEqual(header, c.header);
    assert.deepEqual(rows, c.values);
    if (c.table !== undefined) assert.equal(dumpTable(rows, header), c.table);
    if (c.value !== undefined) assert.equal(dumpValue(rows, header), c.value);
  }
});

Deno.test("json and yaml outputs parse back to the same records; single gives one object", () => {
  const columns: Column[] = [{ name: "number", key: "" }, { name: "params", key: "x" }];
  const records = [
    cellRecord([[columns[0]!, 0], [columns[1]!, 0.5]]),
    cellRecord([[columns[0]!, 1], [columns[1]!, "a: b"]]),
  ];
  const expected = [{ number: 0, params: { x: 0.5 } }, { number: 1, params: { x: "a: b" } }];
  for (const format of ["json", "yaml"] as const) {
    const text = formatOutput(records, columns, { format, flatten: false });
    assert.deepEqual(format === "json" ? JSON.parse(text) : YAML.parse(text), expected);
    const one = formatOutput(records, columns, { format, flatten: true, single: true });
    assert.deepEqual(format === "json" ? JSON.parse(one) : YAML.parse(one), {
      number: 0,
      params_x: 0.5,
    });
  }
});

Deno.test("non-finite values are written as NaN / Infinity text, never as invalid JSON", () => {
  const columns: Column[] = [{ name: "value", key: "" }];
  const records = [NaN, Infinity, -Infinity].map((v) => cellRecord([[columns[0]!, v]]));
  const json = JSON.parse(formatOutput(records, columns, { format: "json", flatten: false }));
  assert.deepEqual(json, [{ value: "NaN" }, { value: "Infinity" }, { value: "-Infinity" }]);
});

/** RFC 4180 reader for one record, for the round trip below. */
function readCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let field = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') (field += '"', i += 2);
        else if (line[i] === '"') break;
        else field += line[i++];
      }
      out.push(field);
      i += 2; // closing quote and comma
    } else {
      const end = line.indexOf(",", i);
      const stop = end === -1 ? line.length : end;
      out.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return out;
}

Deno.test("CSV fields read back as the text they were written from (property)", () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: "grapheme-ascii" }), { minLength: 1, maxLength: 5 }), (
      fields,
    ) => {
      assert.deepEqual(readCsvLine(fields.map(csvField).join(",")), fields);
    }),
  );
  assert.equal(csvField('say "hi", ok'), '"say ""hi"", ok"');
  assert.equal(csvField(null), "");
  assert.equal(csvField({ a: [1, 2] }), '"{""a"":[1,2]}"');
});
