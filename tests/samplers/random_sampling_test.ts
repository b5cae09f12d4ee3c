/**
 * The random sampler's own behaviour: the shape of its draws on log domains and its seeding.
 */
import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  flatMap,
  getTrials,
  map,
  optimize,
  randomSampler,
  runOrThrow,
  type Sampler,
  suggestFloat,
  suggestInt,
  tell,
  type Trial,
} from "../../mod.ts";

/** `n` draws of a log-float `lr` in [1e-4, 1] and a log-int `units` in [1, 1000]. */
async function logDraws(seed: number, n: number): Promise<{ lr: number[]; units: number[] }> {
  const study = await runOrThrow(createStudy({ sampler: randomSampler({ seed }) }));
  const lr: number[] = [], units: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = await runOrThrow(ask(study));
    lr.push(await runOrThrow(suggestFloat(t, "lr", 1e-4, 1, { log: true })));
    units.push(await runOrThrow(suggestInt(t, "units", 1, 1000, { log: true })));
    await runOrThrow(tell(study, t, { values: [0] }));
  }
  return { lr, units };
}

/** Asserts that the share of `xs` satisfying `pred` is `p`, within 4.5 standard errors. */
function assertShare(xs: ReadonlyArray<number>, pred: (x: number) => boolean, p: number): void {
  const share = xs.filter(pred).length / xs.length;
  const tolerance = 4.5 * Math.sqrt((p * (1 - p)) / xs.length);
  assert.ok(Math.abs(share - p) <= tolerance, `share ${share}, expected ${p} ± ${tolerance}`);
}

Deno.test("randomSampler() draws log domains uniformly on the log scale (half the draws below the geometric mean)", async () => {
  const n = 2000;
  const { lr, units } = await logDraws(3, n);
  // log-uniform on [1e-4, 1]: P(x < 1e-2) = 1/2, P(x < 1e-3) = 1/4 (uniform: 0.01 and 0.001)
  assertShare(lr, (x) => x < 1e-2, 0.5);
  assertShare(lr, (x) => x < 1e-3, 0.25);
  // an int log domain is drawn log-uniformly on [low − 0.5, high + 0.5] and rounded
  const below = (k: number) => (Math.log(k + 0.5) - Math.log(0.5)) / Math.log(1000.5 / 0.5);
  assertShare(units, (x) => x <= 31, below(31));
  assertShare(units, (x) => x <= 3, below(3));
});

/** Two float parameters and an int one. */
const objective = (t: Trial) =>
  flatMap(
    suggestFloat(t, "x", -5, 5),
    (x) =>
      flatMap(
        suggestFloat(t, "y", -5, 5),
        (y) => map(suggestInt(t, "k", 0, 1_000_000), (k) => x + y + k),
      ),
  );

async function paramsOf(sampler: Sampler, nTrials = 8) {
  const study = await runOrThrow(createStudy({ sampler }));
  await runOrThrow(optimize(study, objective, { nTrials }));
  return (await runOrThrow(getTrials(study))).map((t) => t.params);
}

Deno.test("randomSampler() with the same seed suggests the same parameters, with another seed others", async () => {
  const a = await paramsOf(randomSampler({ seed: 1 }));
  assert.deepEqual(await paramsOf(randomSampler({ seed: 1 })), a);
  const b = await paramsOf(randomSampler({ seed: 2 }));
  for (let i = 0; i < a.length; i++) {
    for (const name of ["x", "y", "k"]) assert.notEqual(b[i]![name], a[i]![name], `${i} ${name}`);
  }
});

Deno.test("randomSampler() draws each trial and each parameter from its own stream", async () => {
  const params = await paramsOf(randomSampler({ seed: 5 }), 20);
  assert.equal(new Set(params.map((p) => p.x)).size, 20);
  assert.equal(new Set(params.map((p) => p.k)).size, 20);
  for (const p of params) assert.notEqual(p.x, p.y);
});

Deno.test("randomSampler() without a seed draws a new one per sampler and records it, so it replays", async () => {
  const samplers = Array.from({ length: 5 }, () => randomSampler());
  const seeds = samplers.map((s) => (s.options as { seed: number }).seed);
  assert.equal(new Set(seeds).size, 5, String(seeds));
  const first = await paramsOf(samplers[0]!);
  assert.notDeepEqual(await paramsOf(samplers[1]!), first);
  assert.deepEqual(await paramsOf(randomSampler({ seed: seeds[0] })), first);
});
