import assert from "node:assert/strict";
import fc from "fast-check";
import { remember } from "../../lib/samplers/_recent.ts";

Deno.test("remember() keeps the most recently stored entries, at most the limit", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 9 })), fc.integer({ min: 1, max: 5 }), (
      keys,
      limit,
    ) => {
      const map = new Map<number, number>();
      keys.forEach((k, i) => remember(map, k, i, limit));
      // the expected content: the last `limit` distinct keys, each with its last value
      const recent: number[] = [];
      for (let i = keys.length - 1; i >= 0 && recent.length < limit; i--) {
        if (!recent.includes(keys[i]!)) recent.push(keys[i]!);
      }
      assert.deepEqual([...map.keys()], recent.reverse());
      for (const [k, v] of map) assert.equal(v, keys.lastIndexOf(k));
    }),
  );
});
