/**
 * The GP sampler's output warping (`lib/samplers/gp/_warp.ts`): the Yeo–Johnson transform and
 * its log-likelihood equal SciPy's (fixtures recorded by `tests/fixtures/gp/make_warp_fixtures.py`),
 * the exponent is SciPy's maximum-likelihood one clipped to `[0, 2]`, and the warped values
 * keep the order of the values and are standardised.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { warpOutputs, yeoJohnson, yeoJohnsonLlf } from "../../../lib/samplers/gp/_warp.ts";

interface Case {
  name: string;
  y: number[];
  llf: Array<[number, number]>;
  scipyLambda: number;
  lambda: number;
  warped: number[];
}

const fixture: { cases: Case[] } = JSON.parse(
  Deno.readTextFileSync(new URL("../../fixtures/gp/warp.json", import.meta.url)),
);

Deno.test("gp warp: the Yeo–Johnson log-likelihood equals SciPy's yeojohnson_llf", () => {
  for (const c of fixture.cases) {
    for (const [lambda, expected] of c.llf) {
      const ours = yeoJohnsonLlf(Float64Array.from(c.y), lambda);
      assert.ok(
        Math.abs(ours - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
        `${c.name}, lambda ${lambda}: ${ours} vs ${expected}`,
      );
    }
  }
});

Deno.test("gp warp: the values warp as SciPy's maximum-likelihood transform clipped to [0, 2]", () => {
  for (const c of fixture.cases) {
    const ours = warpOutputs(Float64Array.from(c.y));
    c.warped.forEach((v, i) =>
      assert.ok(
        Math.abs(ours[i]! - v) <= 1e-3,
        `${c.name} [${i}]: ${ours[i]} vs ${v} (λ ${c.lambda})`,
      )
    );
  }
});

Deno.test("gp warp: the transform is the identity at exponent 1 and maps 0 to 0", () => {
  fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (y) => {
    assert.ok(Math.abs(yeoJohnson(y, 1) - y) <= 1e-9 * Math.max(1, Math.abs(y)));
  }));
  fc.assert(fc.property(fc.double({ min: 0, max: 2, noNaN: true }), (lambda) => {
    assert.equal(yeoJohnson(0, lambda), 0);
  }));
});

const values = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), {
  minLength: 2,
  maxLength: 40,
});

function standardized(v: ReadonlyArray<number>): Float64Array {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return Float64Array.from(v, (x) => (x - mean) / Math.max(1e-10, std));
}

Deno.test("gp warp: warped values keep the order of the values and are standardised", () => {
  fc.assert(fc.property(values, (raw) => {
    const y = standardized(raw), w = warpOutputs(y);
    for (let i = 0; i < y.length; i++) {
      assert.ok(Number.isFinite(w[i]!));
      for (let j = 0; j < y.length; j++) if (y[i]! < y[j]!) assert.ok(w[i]! <= w[j]!);
    }
    const spread = Math.max(...y) - Math.min(...y);
    if (spread > 1e-6) {
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
      assert.ok(Math.abs(mean) <= 1e-9 && Math.abs(sd - 1) <= 1e-9, `mean ${mean}, sd ${sd}`);
    }
  }));
});

Deno.test("gp warp: constant values stay as they are", () => {
  const y = new Float64Array(7);
  assert.deepEqual(warpOutputs(y), y);
});
