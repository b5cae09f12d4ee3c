import assert from "node:assert/strict";
import fc from "fast-check";
import {
  parseTrialQuery,
  queryTrials,
  type TrialQuery,
  type TrialRow,
} from "../../lib/dashboard/_query.ts";

const STATES = ["COMPLETE", "PRUNED", "FAIL", "RUNNING"];

const rowArb = (number: number) =>
  fc.record({
    state: fc.constantFrom(...STATES),
    value: fc.option(fc.double({ noNaN: true, min: -100, max: 100 }), { nil: null }),
    x: fc.option(fc.double({ noNaN: true, min: -10, max: 10 }), { nil: undefined }),
    c: fc.option(fc.constantFrom("a", "b", "<c>"), { nil: undefined }),
  }).map(({ state, value, x, c }): TrialRow => ({
    number,
    trialId: number + 1,
    state,
    values: value === null ? null : [value],
    params: { ...(x === undefined ? {} : { x }), ...(c === undefined ? {} : { c }) },
    userAttrs: {},
    start: 0,
    complete: state === "RUNNING" ? null : number,
    steps: 0,
  }));

const rowsArb = fc.nat(60).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => rowArb(i))) as fc.Arbitrary<TrialRow[]>
);

const query = (q: Partial<TrialQuery>): TrialQuery => ({
  states: [],
  param: undefined,
  min: undefined,
  max: undefined,
  equals: undefined,
  sort: "number",
  desc: false,
  offset: 0,
  limit: 50,
  ...q,
});

Deno.test("query: the pages of a filter hold exactly the matching rows, each once", () => {
  fc.assert(
    fc.property(
      rowsArb,
      fc.constantFrom(...STATES),
      fc.integer({ min: 1, max: 7 }),
      (rows, state, limit) => {
        const expected = rows.filter((r) =>
          r.state === state && "x" in r.params && (r.params.x as number) >= 0
        );
        const seen: number[] = [];
        for (let offset = 0; offset < rows.length + limit; offset += limit) {
          const page = queryTrials(
            rows,
            query({ states: [state], param: "x", min: 0, offset, limit }),
          );
          assert.equal(page.total, expected.length);
          assert.ok(page.rows.length <= limit);
          seen.push(...page.rows.map((r) => r.number));
        }
        assert.deepEqual(
          seen,
          expected.map((r) => r.number),
        );
      },
    ),
  );
});

Deno.test("query: sorting by value orders the rows, missing values last either way", () => {
  fc.assert(fc.property(rowsArb, fc.boolean(), (rows, desc) => {
    const page = queryTrials(rows, query({ sort: "value:0", desc, limit: 1000 }));
    const values = page.rows.map((r) => r.values?.[0] as number | undefined);
    const present = values.filter((v) => v !== undefined) as number[];
    assert.deepEqual(values.slice(present.length).every((v) => v === undefined), true);
    for (let i = 1; i < present.length; i++) {
      assert.ok(desc ? present[i - 1]! >= present[i]! : present[i - 1]! <= present[i]!);
    }
  }));
});

Deno.test("query: a categorical filter matches the choice's text exactly", () => {
  fc.assert(fc.property(rowsArb, (rows) => {
    const page = queryTrials(rows, query({ param: "c", equals: "<c>", limit: 1000 }));
    assert.deepEqual(
      page.rows.map((r) => r.number),
      rows.filter((r) => r.params.c === "<c>").map((r) => r.number),
    );
  }));
});

Deno.test("query: the function runs the same from its source text (as the report ships it)", () => {
  const shipped = new Function(`return (${queryTrials.toString()})`)() as typeof queryTrials;
  fc.assert(
    fc.property(
      rowsArb,
      fc.constantFrom("number", "state", "value:0", "param:x", "param:c"),
      (rows, sort) => {
        const q = query({ sort, desc: true, offset: 1, limit: 5 });
        assert.deepEqual(shipped(rows, q), queryTrials(rows, q));
      },
    ),
    { numRuns: 50 },
  );
});

Deno.test("query: URL parameters are read, bad numbers name the parameter", () => {
  const ok = parseTrialQuery(
    new URLSearchParams(
      "state=FAIL&state=PRUNED&param=x&min=1&sort=param:x&desc=1&offset=50&limit=25",
    ),
  );
  assert.deepEqual(
    ok._tag === "Right" && ok.right,
    query({
      states: ["FAIL", "PRUNED"],
      param: "x",
      min: 1,
      sort: "param:x",
      desc: true,
      offset: 50,
      limit: 25,
    }),
  );
  const bad = parseTrialQuery(new URLSearchParams("limit=100000"));
  assert.equal(bad._tag === "Left" && bad.left.field, "limit");
  const nan = parseTrialQuery(new URLSearchParams("min=abc"));
  assert.match(nan._tag === "Left" ? nan.left.message : "", /Invalid 'min'.*'abc'/);
});
