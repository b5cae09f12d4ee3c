import assert from "node:assert/strict";
import fc from "fast-check";
import {
  categoricalDistribution,
  type Distribution,
  flatMap,
  floatDistribution,
  getOrThrow,
  intDistribution,
  map,
  randomSampler,
  rngFromSeed,
  samplerFromSnapshot,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
} from "../../mod.ts";
import { contains } from "../../lib/core/distributions.ts";
import { sampleUniformInternal } from "../../lib/samplers/random.ts";
import { checkReplay, checkRerun } from "../_helpers/sampler_replay.ts";

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

/** A float, a log-int and a categorical parameter. */
const threeParams = (t: Trial) =>
  flatMap(
    suggestFloat(t, "x", -5, 5),
    (x) =>
      flatMap(suggestInt(t, "n", 1, 1000, { log: true }), (n) =>
        map(suggestCategorical(t, "c", ["a", "b", "c"]), (c) => x * x + n / 100 + c.length)),
  );

Deno.test("randomSampler() continues a study exactly from any older snapshot or a fresh sampler with the same seed", async () => {
  await checkReplay({
    sampler: () => randomSampler({ seed: 17 }),
    objective: threeParams,
    nTrials: 12,
    cuts: [[0, 5], [3, 5], [5, 5], [2, 9], [9, 9]],
  });
});

Deno.test("randomSampler(): a re-run with some parameters fixed draws the others as the original trial", async () => {
  await checkRerun({
    sampler: () => randomSampler({ seed: 23 }),
    objective: threeParams,
    nTrials: 8,
    rerun: 5,
    fixed: [["x"], ["n"], ["x", "n"], ["c"]],
  });
});

Deno.test("randomSampler() without a seed records the one it drew, so its snapshot replays", async () => {
  const s = randomSampler();
  const seed = (s.options as { seed: unknown }).seed;
  assert.ok(typeof seed === "number" && Number.isSafeInteger(seed), String(seed));
  assert.notEqual(seed, (randomSampler().options as { seed: unknown }).seed);
  const json = JSON.stringify(s);
  await checkReplay({
    sampler: () => getOrThrow(samplerFromSnapshot(json)),
    objective: threeParams,
    nTrials: 6,
    cuts: [[0, 3]],
  });
});

Deno.test("samplerFromSnapshot() accepts a random sampler of the older shape (an RNG stream in its state)", () => {
  const old = {
    kind: "random",
    options: { seed: 4 },
    state: { rng: { algorithm: "xoshiro128**", s: [1, 2, 3, 4] } },
  };
  assert.deepEqual(getOrThrow(samplerFromSnapshot(old)), {
    kind: "random",
    options: { seed: 4 },
    state: {},
  });
  // unseeded: the seed is hashed from the recorded stream, the same every time
  const unseeded = { ...old, options: { seed: null } };
  const a = getOrThrow(samplerFromSnapshot(unseeded));
  assert.deepEqual(a, getOrThrow(samplerFromSnapshot(JSON.stringify(unseeded))));
  assert.ok(Number.isSafeInteger((a.options as { seed: number }).seed));
  const noSeed = samplerFromSnapshot({ kind: "random", options: { seed: null }, state: {} });
  assert.match(
    noSeed._tag === "Left" ? noSeed.left.message : "",
    /Invalid 'random.options.seed': expected an integer/,
  );
});
