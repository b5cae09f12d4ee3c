import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  enqueueTrial,
  flatMap,
  getTrials,
  gridSampler,
  map,
  optimize,
  runOrThrow,
  samplerFromSnapshot,
  studySampler,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tell,
} from "../../mod.ts";
import { gridExhausted, gridSize } from "../../lib/samplers/grid.ts";
import { expectLeft } from "../_helpers/study.ts";
import { checkReplay } from "../_helpers/sampler_replay.ts";

const space = { x: [-1, 0, 1], act: ["relu", "tanh"] } as const;

const objective = (trial: Parameters<Parameters<typeof optimize>[1]>[0]) =>
  flatMap(
    suggestFloat(trial, "x", -1, 1),
    (x) =>
      map(suggestCategorical(trial, "act", ["relu", "tanh"]), (act) =>
        x * x + (act === "relu" ? 0 : 1)),
  );

Deno.test("gridSampler() evaluates every grid point exactly once, then stops the study", async () => {
  const study = await runOrThrow(createStudy({ sampler: gridSampler(space) }));
  const summary = await runOrThrow(optimize(study, objective, { nTrials: 50 }));
  assert.equal(summary.nTrials, 6);
  assert.equal(summary.stoppedBy, "sampler");
  const trials = await runOrThrow(getTrials(study));
  const seen = new Set(trials.map((t) => `${t.params.x}|${t.params.act}`));
  assert.equal(seen.size, 6);
  assert.ok(gridExhausted(studySampler(study), trials));
  assert.equal(gridSize(gridSampler(space)), 6);
});

Deno.test("gridSampler() records grid_id and search_space like Optuna", async () => {
  const study = await runOrThrow(createStudy({ sampler: gridSampler(space) }));
  await runOrThrow(optimize(study, objective, { nTrials: 3 }));
  const trials = await runOrThrow(getTrials(study));
  trials.forEach((t, i) => {
    assert.equal(t.systemAttrs["grid_id"], i);
    assert.deepEqual(t.systemAttrs["search_space"], { act: ["relu", "tanh"], x: [-1, 0, 1] });
  });
});

Deno.test("gridSampler() visits the grid in a deterministic shuffled order that the seed changes", async () => {
  const order = async (seed?: number) => {
    const study = await runOrThrow(createStudy({ sampler: gridSampler(space, { seed }) }));
    await runOrThrow(optimize(study, objective, { nTrials: 6 }));
    return (await runOrThrow(getTrials(study))).map((t) => `${t.params.x}|${t.params.act}`);
  };
  assert.deepEqual(await order(), await order(0));
  const seeds = await Promise.all([1, 2, 3].map(order));
  assert.ok(seeds.some((o) => o.join() !== seeds[0]!.join()));
});

Deno.test("gridSampler() rejects a parameter with no values when the study is created", async () => {
  const err = expectLeft(
    await createStudy({ sampler: gridSampler({ x: [] }) })(),
    "InvalidArgument",
  );
  assert.match(err.message, /grid\.searchSpace\.x/);
  assert.match(err.message, /non-empty array/);
});

Deno.test("gridSampler() fails a trial that suggests a parameter missing from the grid", async () => {
  const study = await runOrThrow(createStudy({ sampler: gridSampler({ x: [1, 2] }) }));
  const trial = await runOrThrow(ask(study));
  const err = expectLeft(await suggestFloat(trial, "y", 0, 1)(), "InvalidArgument");
  assert.match(err.message, /Cannot suggest 'y' as it is not in the grid: the grid has 'x'/);
});

Deno.test("gridSampler() fails when a grid value is not one of a categorical's choices", async () => {
  const study = await runOrThrow(createStudy({ sampler: gridSampler({ c: ["a", "z"] }) }));
  const messages: string[] = [];
  for (let i = 0; i < 2; i++) {
    const trial = await runOrThrow(ask(study));
    const r = await suggestCategorical(trial, "c", ["a", "b"])();
    if (r._tag === "Left") messages.push(r.left.message);
    else await runOrThrow(tell(study, trial, { values: [0] }));
  }
  assert.equal(messages.length, 1);
  assert.match(messages[0]!, /grid value 'z' is not one of the choices/);
});

Deno.test("gridSampler() uses a numerical grid value outside the suggested range as it is", async () => {
  const study = await runOrThrow(createStudy({ sampler: gridSampler({ n: [5] }) }));
  const trial = await runOrThrow(ask(study));
  assert.equal(await runOrThrow(suggestInt(trial, "n", 0, 3)), 5);
});

Deno.test("gridSampler() needs every parameter of an enqueued trial", async () => {
  const study = await runOrThrow(createStudy({ sampler: gridSampler({ x: [1, 2], y: [3] }) }));
  await runOrThrow(enqueueTrial(study, { x: 1 }));
  const trial = await runOrThrow(ask(study));
  assert.equal(await runOrThrow(suggestInt(trial, "x", 0, 3)), 1);
  const err = expectLeft(await suggestInt(trial, "y", 0, 3)(), "InvalidArgument");
  assert.match(err.message, /all parameters must be specified/);
});

Deno.test("gridSampler() re-evaluates a random point once the grid is exhausted (ask and tell)", async () => {
  const study = await runOrThrow(createStudy({ sampler: gridSampler({ x: [1, 2] }) }));
  for (let i = 0; i < 4; i++) {
    const trial = await runOrThrow(ask(study));
    const x = await runOrThrow(suggestInt(trial, "x", 0, 3));
    assert.ok(x === 1 || x === 2);
    await runOrThrow(tell(study, trial, { values: [x] }));
  }
  const ids = (await runOrThrow(getTrials(study))).map((t) => t.systemAttrs["grid_id"]);
  assert.deepEqual(ids.slice(0, 2), [0, 1]);
  assert.ok(ids.slice(2).every((id) => id === 0 || id === 1));
});

Deno.test("gridSampler() survives a JSON snapshot and restore", () => {
  const restored = samplerFromSnapshot(JSON.stringify(gridSampler(space, { seed: 3 })));
  assert.equal(restored._tag, "Right");
  expectLeft(
    samplerFromSnapshot({
      kind: "grid",
      options: { searchSpace: { x: 1 }, seed: null },
      state: {},
    }),
    "InvalidArgument",
  );
});

Deno.test("gridSampler() continues a study exactly from any older snapshot or a fresh sampler with the same seed", async () => {
  // five enqueued trials take numbers 0–4 without a grid point: trials 6–10 draw the
  // unvisited points 0–4 at random
  const enqueue = [-1, 0, 1, -1, 0].map((x) => ({ x, act: "relu" }));
  const straight = await checkReplay({
    sampler: () => gridSampler(space, { seed: 5 }),
    objective,
    nTrials: 11,
    enqueue,
    cuts: [[0, 5], [2, 6], [6, 7], [7, 8], [3, 9], [0, 10]],
  });
  const ids = straight.map((t) => t.systemAttrs["grid_id"]);
  assert.deepEqual(ids.slice(0, 6), [undefined, undefined, undefined, undefined, undefined, 5]);
  assert.deepEqual([...ids.slice(6)].sort(), [0, 1, 2, 3, 4]);
});
