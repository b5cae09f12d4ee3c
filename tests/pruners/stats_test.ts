import assert from "node:assert/strict";
import fc from "fast-check";
import {
  crc32,
  nanMax,
  nanMin,
  nanPercentile,
  ndtr,
  pairwiseSum,
  wilcoxonSignedRankPValue,
} from "../../lib/pruners/_stats.ts";
import { loadFixture, type Num, num } from "../_helpers/pruner_fixtures.ts";

interface Stats {
  readonly wilcoxon: ReadonlyArray<{ d: number[]; alternative: "less" | "greater"; p: Num }>;
  readonly nanpercentile: ReadonlyArray<{ values: Num[]; q: number; result: Num }>;
  readonly ndtr: ReadonlyArray<{ x: number; ndtr: Num }>;
  readonly crc32: ReadonlyArray<{ s: string; crc32: number }>;
}

const STATS = loadFixture<Stats>("stats.json");

Deno.test("wilcoxonSignedRankPValue() gives SciPy 1.17's p-values bit for bit (exact, permutation and normal)", () => {
  assert.ok(STATS.wilcoxon.length >= 700);
  for (const c of STATS.wilcoxon) {
    const p = wilcoxonSignedRankPValue(c.d, c.alternative);
    assert.equal(p, num(c.p), `n=${c.d.length} ${c.alternative} d=${JSON.stringify(c.d)}`);
  }
});

Deno.test("wilcoxonSignedRankPValue() is a probability, symmetric in the sign of the differences", () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 1, maxLength: 60 }),
    (d) => {
      const less = wilcoxonSignedRankPValue(d, "less");
      const greater = wilcoxonSignedRankPValue(d.map((x) => -x), "greater");
      return less >= 0 && less <= 1 + 1e-12 && Math.abs(less - greater) < 1e-12;
    },
  ));
  assert.ok(Number.isNaN(wilcoxonSignedRankPValue([], "less")));
});

Deno.test("nanPercentile() matches NumPy's nanpercentile, NaN and infinity quirks included", () => {
  for (const c of STATS.nanpercentile) {
    const got = nanPercentile(c.values.map(num), c.q);
    assert.ok(Object.is(got, num(c.result)), `${JSON.stringify(c)} → ${got}`);
  }
  assert.ok(Number.isNaN(nanPercentile([1, Infinity], 50)));
  assert.equal(nanPercentile([NaN, 1], 50), 1);
});

Deno.test("ndtr() matches SciPy's special.ndtr to the last bit or so", () => {
  for (const c of STATS.ndtr) {
    const want = num(c.ndtr);
    const got = ndtr(c.x);
    assert.ok(
      Math.abs(got - want) <= 4e-16 * Math.abs(want),
      `ndtr(${c.x}) = ${got}, want ${want}`,
    );
  }
});

Deno.test("crc32() matches Python's binascii.crc32 on UTF-8 text", () => {
  for (const c of STATS.crc32) assert.equal(crc32(c.s), c.crc32, c.s);
});

Deno.test("pairwiseSum() is exact on small integers and nanMin/nanMax skip NaN", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 400 }),
      (xs) => pairwiseSum(xs) === xs.reduce((a, b) => a + b, 0),
    ),
  );
  assert.equal(nanMin([NaN, 3, -1, NaN]), -1);
  assert.equal(nanMax([NaN, 3, -1]), 3);
  assert.ok(Number.isNaN(nanMin([NaN, NaN])));
  assert.equal(nanMin([Infinity]), Infinity);
});
