/**
 * The TPE options that change suggestions: each test compares runs that differ in one option
 * only, on the same seed and objective, and checks the effect that only the option explains.
 */
import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  enqueueTrial,
  flatMap,
  getTrials,
  map,
  optimize,
  randomSampler,
  rngFromSeed,
  runOrThrow,
  suggestFloat,
  tell,
  tpeSampler,
  type TpeSamplerOptions,
  type Trial,
  uniform,
} from "../../mod.ts";

/** The suggestions of a seeded TPE run on `objective`, trial by trial. */
async function run(
  options: TpeSamplerOptions,
  objective: (t: Trial) => ReturnType<typeof quadratic>,
  nTrials: number,
): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> {
  const study = await runOrThrow(createStudy({ sampler: tpeSampler(options) }));
  await runOrThrow(optimize(study, objective, { nTrials }));
  return (await runOrThrow(getTrials(study))).map((t) => t.params);
}

const quadratic = (t: Trial) => map(suggestFloat(t, "x", -10, 10), (x) => (x - 2) ** 2);

/** Mean distance to the optimum x = 2 of the model-based (post-startup) suggestions. */
const spread = (params: ReadonlyArray<Readonly<Record<string, unknown>>>) => {
  const xs = params.slice(10).map((p) => Math.abs((p.x as number) - 2));
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};

Deno.test("tpeSampler() with a heavier priorWeight explores farther from the good trials", async () => {
  let wider = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const light = await run({ seed, priorWeight: 0.1 }, quadratic, 40);
    const heavy = await run({ seed, priorWeight: 20 }, quadratic, 40);
    // the startup trials are random and do not read the option
    assert.deepEqual(heavy.slice(0, 10), light.slice(0, 10));
    assert.notDeepEqual(heavy.slice(10), light.slice(10), `seed ${seed}`);
    if (spread(heavy) > spread(light)) wider++;
  }
  assert.ok(wider >= 4, `the heavy prior explored wider on ${wider} of 5 seeds`);
});

Deno.test("tpeSampler() with more nEiCandidates picks points closer to the good trials", async () => {
  let closer = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const one = await run({ seed, nEiCandidates: 1 }, quadratic, 40);
    const many = await run({ seed, nEiCandidates: 200 }, quadratic, 40);
    const usual = await run({ seed }, quadratic, 40);
    assert.notDeepEqual(one.slice(10), usual.slice(10), `seed ${seed}: 1 vs 24 candidates`);
    assert.notDeepEqual(many.slice(10), usual.slice(10), `seed ${seed}: 200 vs 24 candidates`);
    if (spread(many) < spread(one)) closer++;
  }
  assert.ok(closer >= 4, `200 candidates were closer than 1 on ${closer} of 5 seeds`);
});

/**
 * Good trials in two blobs around (2, 2) and (8, 8), bad ones around (2, 8) and (8, 2): each
 * parameter alone is bimodal in both sets, so only a joint model sees where the good trials are.
 */
async function twinBlobs(multivariate: boolean, seed: number): Promise<number> {
  const sampler = tpeSampler({
    seed,
    multivariate,
    constantLiar: false,
    nStartupTrials: 0,
    gamma: { kind: "fixed", n: 20 },
  });
  const study = await runOrThrow(createStudy({ sampler }));
  const rng = rngFromSeed(seed);
  const jitter = () => uniform(rng, -0.5, 0.5);
  const suggestXY = async (t: Trial) => [
    await runOrThrow(suggestFloat(t, "x", 0, 10)),
    await runOrThrow(suggestFloat(t, "y", 0, 10)),
  ];
  for (let i = 0; i < 10; i++) {
    for (const [x, y, value] of [[2, 2, 0], [8, 8, 0], [2, 8, 10], [8, 2, 10]] as const) {
      await runOrThrow(enqueueTrial(study, { x: x + jitter(), y: y + jitter() }));
      const t = await runOrThrow(ask(study));
      await suggestXY(t);
      await runOrThrow(tell(study, t, { values: [value] }));
    }
  }
  // 40 draws from the same model (running trials are ignored without the constant liar)
  let sameBlob = 0;
  for (let i = 0; i < 40; i++) {
    const [x, y] = await suggestXY(await runOrThrow(ask(study)));
    if ((x! < 5) === (y! < 5)) sameBlob++;
  }
  return sameBlob / 40;
}

Deno.test("tpeSampler() with multivariate samples the good trials' joint region that independent sampling misses", async () => {
  let independent = 0;
  for (const seed of [1, 2, 3]) {
    const joint = await twinBlobs(true, seed);
    assert.ok(joint >= 0.9, `seed ${seed}: joint sampling put ${joint} in a good blob`);
    independent += await twinBlobs(false, seed) / 3;
  }
  // independent draws pair the sides of x and y freely: about half in a good blob
  assert.ok(independent < 0.7, `independent sampling put ${independent} in a good blob`);
});

Deno.test("tpeSampler() samples at random for exactly nStartupTrials finished trials, then from its joint model", async () => {
  const twoParams = (t: Trial) =>
    flatMap(
      suggestFloat(t, "x", -10, 10),
      (x) => map(suggestFloat(t, "y", -10, 10), (y) => x * x + y * y),
    );
  const study = await runOrThrow(
    createStudy({ sampler: tpeSampler({ seed: 9, nStartupTrials: 5 }) }),
  );
  await runOrThrow(optimize(study, twoParams, { nTrials: 7 }));
  const trials = await runOrThrow(getTrials(study));
  const random = await runOrThrow(createStudy({ sampler: randomSampler({ seed: 9 }) }));
  await runOrThrow(optimize(random, twoParams, { nTrials: 7 }));
  const randomParams = (await runOrThrow(getTrials(random))).map((t) => t.params);
  // the startup trials are the random sampler's draws (same seed, same streams)
  assert.deepEqual(trials.slice(0, 5).map((t) => t.params), randomParams.slice(0, 5));
  const joint = (i: number) =>
    Object.keys(trials[i]!.systemAttrs).some((k) => k.startsWith("tpe:relative_params"));
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(joint), [
    false,
    false,
    false,
    false,
    false,
    true,
    true,
  ]);
  assert.notDeepEqual(trials[5]!.params, randomParams[5]);
});
