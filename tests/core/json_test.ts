import assert from "node:assert/strict";
import fc from "fast-check";
import { isJsonValue, pythonFloat, pythonJson } from "../../lib/core/json.ts";

// Expected strings are Python 3.11's repr() of the same floats.
Deno.test("pythonFloat() renders numbers as Python's repr does", () => {
  const cases: Array<[number, string]> = [
    [1, "1.0"],
    [1e-5, "1e-05"],
    [1e16, "1e+16"],
    [123456789012345678, "1.2345678901234568e+17"],
    [0.0001, "0.0001"],
    [1.5e-7, "1.5e-07"],
    [0.1 + 0.2, "0.30000000000000004"],
    [2.5e300, "2.5e+300"],
    [-3, "-3.0"],
    [0, "0.0"],
  ];
  for (const [x, expected] of cases) assert.equal(pythonFloat(x), expected, String(x));
});

Deno.test("pythonFloat() round-trips every finite double", () => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
    const back = Number(pythonFloat(x));
    return Object.is(back, x) || (x === 0 && back === 0);
  }));
});

Deno.test("pythonJson() uses Python's json.dumps spacing", () => {
  assert.equal(
    pythonJson({ a: [1, "x", null, true], b: 0.5 }),
    '{"a": [1, "x", null, true], "b": 0.5}',
  );
  assert.equal(pythonJson({ low: 0 }, (k) => k === "low"), '{"low": 0.0}');
});

Deno.test("isJsonValue() accepts plain JSON and rejects the rest", () => {
  assert.equal(isJsonValue({ a: [1, { b: null }] }), true);
  assert.equal(isJsonValue(NaN), false);
  assert.equal(isJsonValue(new Date()), false);
  assert.equal(isJsonValue(() => 1), false);
  assert.equal(isJsonValue(undefined), false);
});
