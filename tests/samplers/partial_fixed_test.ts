import assert from "node:assert/strict";
import {
  createStudy,
  flatMap,
  getOrThrow,
  getTrials,
  map,
  nsgaIISampler,
  optimize,
  partialFixedSampler,
  qmcSampler,
  randomSampler,
  runOrThrow,
  samplerFromSnapshot,
  studySampler,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tpeSampler,
  type Trial,
} from "../../mod.ts";
import { contains } from "../../lib/core/distributions.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { expectLeft } from "../_helpers/study.ts";
import { checkReplay } from "../_helpers/sampler_replay.ts";

const objective = (t: Trial) =>
  flatMap(
    suggestFloat(t, "x", -2, 2),
    (x) =>
      flatMap(
        suggestInt(t, "n", 1, 8),
        (n) =>
          map(suggestCategorical(t, "c", ["a", "b", "c"]), (c) => x * x + n + (c === "b" ? 0 : 1)),
      ),
  );

Deno.test("partialFixedSampler() returns the fixed values and draws the others from the base sampler", async () => {
  const study = await runOrThrow(createStudy({
    sampler: partialFixedSampler({ n: 3, c: "b" }, tpeSampler({ seed: 2, nStartupTrials: 5 })),
  }));
  await runOrThrow(optimize(study, objective, { nTrials: 20 }));
  const trials = await runOrThrow(getTrials(study));
  assert.ok(trials.every((t) => t.params.n === 3 && t.params.c === "b"));
  assert.ok(new Set(trials.map((t) => t.params.x)).size === 20);
  for (const t of trials) assert.ok(contains(t.distributions.x!, t.params.x as number));
});

Deno.test("partialFixedSampler() draws the free parameters as its base sampler does with them fixed", async () => {
  // random sampling keys draws by parameter name, so fixing n and c leaves x's draws unchanged
  const run = async (sampler: ReturnType<typeof randomSampler>) => {
    const study = await runOrThrow(createStudy({ sampler }));
    await runOrThrow(optimize(study, objective, { nTrials: 8 }));
    return (await runOrThrow(getTrials(study))).map((t) => t.params.x);
  };
  assert.deepEqual(
    await run(partialFixedSampler({ n: 1 }, randomSampler({ seed: 5 }))),
    await run(randomSampler({ seed: 5 })),
  );
});

Deno.test("partialFixedSampler() keeps fixed parameters out of the base sampler's joint space", async () => {
  const study = await runOrThrow(createStudy({
    sampler: partialFixedSampler({ x: 0.25 }, qmcSampler({ seed: 0 })),
  }));
  await runOrThrow(optimize(study, objective, { nTrials: 6 }));
  const trials = await runOrThrow(getTrials(study));
  assert.ok(trials.every((t) => t.params.x === 0.25));
  // the QMC counter runs over the two free parameters (n, c), from the origin
  assert.deepEqual(trials.slice(1, 3).map((t) => t.params.n), [1, 5]);
});

Deno.test("partialFixedSampler() uses an out-of-range numeric value as given, as Optuna does", async () => {
  const study = await runOrThrow(
    createStudy({ sampler: partialFixedSampler({ x: 7 }, randomSampler({ seed: 1 })) }),
  );
  await runOrThrow(optimize(study, objective, { nTrials: 2 }));
  const trials = await runOrThrow(getTrials(study));
  assert.deepEqual(trials.map((t) => t.params.x), [7, 7]);
});

Deno.test("partialFixedSampler() fails a trial whose fixed categorical value is not a choice", async () => {
  const study = await runOrThrow(
    createStudy({ sampler: partialFixedSampler({ c: "z" }, randomSampler({ seed: 1 })) }),
  );
  await optimize(study, objective, { nTrials: 1 })();
  const trials = await runOrThrow(getTrials(study));
  assert.equal(trials[0]!.state, "FAIL");
  assert.equal(trials[0]!.params.c, undefined);
});

Deno.test("partialFixedSampler() continues a study exactly from any older snapshot or a fresh sampler", async () => {
  await checkReplay({
    sampler: () => partialFixedSampler({ n: 2 }, tpeSampler({ seed: 9, nStartupTrials: 4 })),
    objective,
    nTrials: 10,
    cuts: [[0, 3], [4, 6], [9, 9]],
  });
  await checkReplay({
    sampler: () => partialFixedSampler({ c: "a" }, nsgaIISampler({ seed: 3, populationSize: 4 })),
    objective,
    nTrials: 14,
    cuts: [[0, 5], [6, 9], [13, 13]],
  });
});

Deno.test("partialFixedSampler() nests the base sampler's record and restores it from a snapshot", async () => {
  const sampler = partialFixedSampler({ n: 2 }, tpeSampler({ seed: 9 }));
  const restored = getOrThrow(samplerFromSnapshot(JSON.stringify(sampler)));
  assert.equal(restored.kind, "partialFixed");
  const o = restored.options as { baseSampler: { kind: string; options: { seed: number } } };
  assert.equal(o.baseSampler.kind, "tpe");
  assert.equal(o.baseSampler.options.seed, 9);
  const study = await runOrThrow(createStudy({ sampler: restored }));
  assert.equal(studySampler(study).kind, "partialFixed");
});

Deno.test("partialFixedSampler() runs on SQLite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const storage = await runOrThrow(sqliteStorage(`${dir}/pf.db`));
    const study = await runOrThrow(createStudy({
      storage,
      sampler: partialFixedSampler({ c: "c" }, tpeSampler({ seed: 4, nStartupTrials: 3 })),
    }));
    await runOrThrow(optimize(study, objective, { nTrials: 8 }));
    const trials = await runOrThrow(getTrials(study));
    assert.ok(trials.every((t) => t.state === "COMPLETE" && t.params.c === "c"));
    await runOrThrow(storage.close());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("partialFixedSampler() rejects bad options, naming them", () => {
  const check = (s: unknown, field: RegExp) => {
    const e = expectLeft(samplerFromSnapshot(JSON.stringify(s)), "InvalidArgument");
    assert.match(JSON.stringify(e), field);
  };
  check(
    partialFixedSampler({ x: [1] as unknown as number }, randomSampler({ seed: 1 })),
    /fixedParams\.x/,
  );
  check(
    partialFixedSampler({ x: 1 }, null as unknown as ReturnType<typeof randomSampler>),
    /baseSampler/,
  );
  check(
    partialFixedSampler({ x: 1 }, { kind: "nope", options: {}, state: {} }),
    /baseSampler\.kind/,
  );
  check(
    partialFixedSampler({ x: 1 }, { kind: "random", options: { seed: "a" }, state: {} }),
    /seed/,
  );
  check(partialFixedSampler({}, nsgaIISampler({ populationSize: 1 })), /populationSize/);
});
