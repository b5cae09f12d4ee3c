import assert from "node:assert/strict";
import fc from "fast-check";
import { previousDouble } from "../../lib/samplers/_utils.ts";

/** The double below `x` by its bits (the definition). */
function byBits(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return buf.getFloat64(0);
}

Deno.test("previousDouble() is the double below x, for every double", () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true }), (x) => {
      assert.ok(Object.is(previousDouble(x), byBits(x)), `${x}`);
    }),
    { numRuns: 20000 },
  );
  for (let e = -1074; e <= 1023; e++) {
    for (const x of [2 ** e, 2 ** e * 1.5, 2 ** e * (1 + 2 ** -52), 2 ** e * (2 - 2 ** -52)]) {
      if (!Number.isFinite(x)) continue;
      assert.ok(Object.is(previousDouble(x), byBits(x)), `${x}`);
      assert.ok(Object.is(previousDouble(-x), byBits(-x)), `${-x}`);
    }
  }
  assert.equal(previousDouble(Infinity), Number.MAX_VALUE);
  assert.equal(previousDouble(0), -Number.MIN_VALUE);
  assert.equal(previousDouble(1), 1 - 2 ** -53);
});
