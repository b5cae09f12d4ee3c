import assert from "node:assert/strict";
import fc from "fast-check";
import { cloneJson } from "../../lib/storage/rules.ts";
import type { JsonValue } from "../../lib/core/json.ts";

Deno.test("cloneJson() copies a JSON value deeply, never aliasing an object or array", () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    const value = v as JsonValue;
    const copy = cloneJson(value);
    assert.deepEqual(copy, value);
    if (typeof value === "object" && value !== null) assert.notEqual(copy, value);
  }));
  for (const empty of [{}, []] as JsonValue[]) {
    const copy = cloneJson(empty);
    assert.deepEqual(copy, empty);
    assert.notEqual(copy, empty);
    assert.equal(Array.isArray(copy), Array.isArray(empty));
  }
});
