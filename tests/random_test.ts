import assert from "node:assert/strict";
import fc from "fast-check";
import {
  categoricalDistribution,
  contains,
  type Distribution,
  floatDistribution,
  getOrThrow,
  intDistribution,
  randomSampler,
  rngFromSeed,
  samplerFromSnapshot,
} from "../mod.ts";
import { sampleUniformInternal } from "../lib/samplers/random.ts";

const distribution = fc.oneof(
  fc.tuple(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.double({ min: 0, max: 1e6, noNaN: true }),
  )
    .map(([low, span]) => getOrThrow(floatDistribution(low, low + span)) as Distribution),
  fc.tuple(
    fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
    fc.double({ min: 1, max: 1e3, noNaN: true }),
  )
    .map(([low, f]) => getOrThrow(floatDistribution(low, low * f, { log: true })) as Distribution),
  fc.tuple(
    fc.integer({ min: -100, max: 100 }),
    fc.integer({ min: 0, max: 100 }),
    fc.constantFrom(0.1, 0.25, 0.5, 3),
  )
    .map(([low, span, step]) =>
      getOrThrow(floatDistribution(low, low + span, { step })) as Distribution
    ),
  fc.tuple(
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 1, max: 9 }),
  )
    .map(([low, span, step]) =>
      getOrThrow(intDistribution(low, low + span, { step })) as Distribution
    ),
  fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 }))
    .map(([low, span]) =>
      getOrThrow(intDistribution(low, low + span, { log: true })) as Distribution
    ),
  fc.integer({ min: 1, max: 6 }).map((k) =>
    getOrThrow(categoricalDistribution([...Array(k).keys()].map(String))) as Distribution
  ),
);

Deno.test("randomSampler() suggestions always lie in their distribution, on the step grid", () => {
  fc.assert(fc.property(distribution, fc.integer(), (d, seed) => {
    const rng = rngFromSeed(seed);
    for (let i = 0; i < 20; i++) {
      if (!contains(d, sampleUniformInternal(rng, d))) return false;
    }
    return true;
  }));
});

Deno.test("randomSampler() draws every grid point of an int domain with equal frequency", () => {
  const d = getOrThrow(intDistribution(0, 4));
  const rng = rngFromSeed(5);
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < 25000; i++) counts[sampleUniformInternal(rng, d)]! += 1;
  for (const c of counts) assert.ok(Math.abs(c - 5000) < 300, String(counts));
});

Deno.test("randomSampler() snapshots round-trip and bad ones are rejected naming the field", () => {
  const s = randomSampler({ seed: 4 });
  assert.deepEqual(getOrThrow(samplerFromSnapshot(JSON.stringify(s))), s);
  const bad = samplerFromSnapshot({ kind: "random", options: { seed: 1.5 }, state: s.state });
  assert.match(bad._tag === "Left" ? bad.left.message : "", /'seed': expected an integer, got 1.5/);
  const badState = samplerFromSnapshot({ kind: "random", options: {}, state: { rng: [1] } });
  assert.match(badState._tag === "Left" ? badState.left.message : "", /random.state.rng/);
  assert.equal(samplerFromSnapshot("{not json")._tag, "Left");
  assert.equal(samplerFromSnapshot({ kind: "zzz", options: {}, state: {} })._tag, "Left");
});
