import assert from "node:assert/strict";
import {
  ask,
  BUILTIN_SAMPLERS,
  createStudy,
  floatDistribution,
  getOrThrow,
  getTrials,
  gridSampler,
  loadStudy,
  memoryStorage,
  optimize,
  qmcSampler,
  randomSampler,
  right,
  runOrThrow,
  type Sampler,
  samplerFromSnapshot,
  type SamplerImpl,
  type SamplerKinds,
  setStudySampler,
  studySampler,
  suggestFloat,
  suggestInt,
} from "../../mod.ts";
import { gridSamplerImpl, makeGridSamplerImpl, newGridMemo } from "../../lib/samplers/grid.ts";
import { makeQmcSamplerImpl, newQmcMemo } from "../../lib/samplers/qmc/mod.ts";
import { randomSamplerImpl } from "../../lib/samplers/random.ts";
import { registeredSamplerKinds } from "../../lib/samplers/catalog.ts";
import { checkpointSampler, restoreSampler } from "../../lib/plugins/optuna/mod.ts";
import { expectLeft } from "../_helpers/study.ts";

/** A sampler kind of our own: every parameter at its lowest value. */
const lowest: SamplerImpl = {
  kind: "lowest",
  needsHistory: false,
  validate: (sampler) => right(sampler),
  sampleIndependent: (sampler, _ctx, { distribution }) =>
    right({
      value: distribution._tag === "CategoricalDistribution" ? 0 : distribution.low,
      state: sampler.state,
    }),
};
const lowestSampler: Sampler = { kind: "lowest", options: {}, state: {} };
const withLowest: SamplerKinds = { ...BUILTIN_SAMPLERS, lowest };

Deno.test("the built-in sampler kinds are a value", () => {
  assert.deepEqual(Object.keys(BUILTIN_SAMPLERS).sort(), [
    "auto",
    "bruteForce",
    "cmaEs",
    "gp",
    "grid",
    "nsgaII",
    "nsgaIII",
    "partialFixed",
    "qmc",
    "random",
    "tpe",
  ]);
  for (const [kind, impl] of Object.entries(BUILTIN_SAMPLERS)) assert.equal(impl.kind, kind);
  assert.ok(Object.isFrozen(BUILTIN_SAMPLERS));
  assert.deepEqual(registeredSamplerKinds(), Object.keys(BUILTIN_SAMPLERS).sort());
  assert.deepEqual(
    registeredSamplerKinds(withLowest),
    [...registeredSamplerKinds(), "lowest"].sort(),
  );
});

Deno.test("createStudy() runs a sampler kind given in samplerKinds, and only the study given it", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(
    createStudy({ storage, studyName: "own", sampler: lowestSampler, samplerKinds: withLowest }),
  );
  await runOrThrow(optimize(study, (trial) => suggestFloat(trial, "x", 2, 5), { nTrials: 3 }));
  const trials = await runOrThrow(getTrials(study));
  assert.deepEqual(trials.map((t) => t.params.x), [2, 2, 2]);
  // the kind is not known anywhere else: giving it to one study registered nothing
  const other = await createStudy({ storage, studyName: "other", sampler: lowestSampler })();
  assert.equal(expectLeft(other, "UnknownSamplerKind").message.includes("'lowest'"), true);
  expectLeft(
    await loadStudy({ storage, studyName: "own", sampler: lowestSampler })(),
    "UnknownSamplerKind",
  );
  const loaded = await runOrThrow(
    loadStudy({ storage, studyName: "own", sampler: lowestSampler, samplerKinds: withLowest }),
  );
  assert.deepEqual(studySampler(loaded), lowestSampler);
  expectLeft(samplerFromSnapshot(JSON.stringify(lowestSampler)), "UnknownSamplerKind");
  assert.deepEqual(
    getOrThrow(samplerFromSnapshot(JSON.stringify(lowestSampler), { samplerKinds: withLowest })),
    lowestSampler,
  );
  const names = (await runOrThrow(storage.listStudies())).map((s) => s.studyName);
  assert.deepEqual(names, ["own"]);
});

Deno.test("setStudySampler() accepts the study's own sampler kinds only", async () => {
  const plain = await runOrThrow(createStudy({ sampler: randomSampler({ seed: 1 }) }));
  expectLeft(setStudySampler(plain, lowestSampler), "UnknownSamplerKind");
  assert.equal(studySampler(plain).kind, "random");
  const own = await runOrThrow(
    createStudy({ sampler: randomSampler({ seed: 1 }), samplerKinds: withLowest }),
  );
  getOrThrow(setStudySampler(own, lowestSampler));
  assert.deepEqual(studySampler(own), lowestSampler);
  // a study given only its own kind cannot switch to a built-in one
  const only = await runOrThrow(
    createStudy({ sampler: lowestSampler, samplerKinds: { lowest } }),
  );
  expectLeft(setStudySampler(only, randomSampler({ seed: 1 })), "UnknownSamplerKind");
});

Deno.test("a wrong samplerKinds is refused naming the field, and nothing is stored", async () => {
  const storage = memoryStorage();
  const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
    [{ mine: randomSamplerImpl }, /samplerKinds\.mine/],
    [{ lowest: { ...lowest, sampleIndependent: undefined } }, /samplerKinds\.lowest/],
    [{ lowest: { ...lowest, needsHistory: "no" } }, /samplerKinds\.lowest/],
    [[lowest], /samplerKinds/],
    [null, /samplerKinds/],
  ];
  for (const [samplerKinds, field] of cases) {
    const created = await createStudy({
      storage,
      sampler: lowestSampler,
      samplerKinds: samplerKinds as SamplerKinds,
    })();
    assert.match(expectLeft(created, "InvalidArgument").message, field);
    const snapshot = samplerFromSnapshot(JSON.stringify(lowestSampler), {
      samplerKinds: samplerKinds as SamplerKinds,
    });
    assert.match(expectLeft(snapshot, "InvalidArgument").message, field);
  }
  assert.deepEqual(await runOrThrow(storage.listStudies()), []);
});

Deno.test("restoreSampler() restores a checkpoint of a sampler kind given in samplerKinds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const study = await runOrThrow(
      createStudy({ studyName: "own", sampler: lowestSampler, samplerKinds: withLowest }),
    );
    await runOrThrow(checkpointSampler(await runOrThrow(ask(study)), dir));
    const corrupt = await restoreSampler(dir)();
    assert.match(expectLeft(corrupt, "CorruptCheckpoint").message, /lowest/);
    const restored = await runOrThrow(restoreSampler(dir, { samplerKinds: withLowest }));
    assert.deepEqual(restored, lowestSampler);
    const bad = await restoreSampler(dir, { samplerKinds: { x: lowest } })();
    assert.match(expectLeft(bad, "InvalidArgument").message, /samplerKinds\.x/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function paramsWith(
  sampler: Sampler,
  samplerKinds: SamplerKinds,
): Promise<ReadonlyArray<unknown>> {
  const study = await runOrThrow(createStudy({ sampler, samplerKinds }));
  await runOrThrow(optimize(study, (trial) => suggestInt(trial, "x", 0, 7), { nTrials: 9 }));
  return (await runOrThrow(getTrials(study))).map((t) => t.params.x);
}

Deno.test("a study runs grid and QMC with its own workspace: the implementation value's memo stays untouched and samples are the same", async () => {
  const grid = gridSampler({ x: [0, 1, 2, 3, 4, 5, 6, 7] }, { seed: 3 });
  const gridMemo = newGridMemo();
  const fresh = makeGridSamplerImpl(gridMemo);
  assert.equal(fresh.memo, gridMemo);
  assert.notEqual(fresh.memo, gridSamplerImpl.memo);
  const viaFresh = await paramsWith(grid, { ...BUILTIN_SAMPLERS, grid: fresh });
  assert.equal(gridMemo.grids.size, 0);
  assert.deepEqual(viaFresh, await paramsWith(grid, BUILTIN_SAMPLERS));
  assert.equal(new Set(viaFresh.slice(0, 8)).size, 8);

  const qmc = qmcSampler({ seed: 5, scramble: true });
  const qmcMemo = newQmcMemo();
  const viaQmc = await paramsWith(qmc, { ...BUILTIN_SAMPLERS, qmc: makeQmcSamplerImpl(qmcMemo) });
  assert.equal(qmcMemo.engines.size, 0);
  assert.deepEqual(viaQmc, await paramsWith(qmc, BUILTIN_SAMPLERS));
});

Deno.test("grid and QMC hooks use the workspace they are given (createWorkspace), not their own memo", async () => {
  const storage = memoryStorage();
  const grid = gridSampler({ x: [0, 1] }, { seed: 1 });
  const study = await runOrThrow(createStudy({ storage, sampler: grid }));
  await runOrThrow(ask(study));
  const [trial] = await runOrThrow(getTrials(study));
  const record = await runOrThrow(storage.getStudyById(study.studyId));
  const ctx = { study: record, directions: study.directions, trials: [trial!], trial: trial! };

  const gridImpl = makeGridSamplerImpl();
  const gridSpace = gridImpl.createWorkspace();
  getOrThrow(gridImpl.afterTrial!(grid, ctx, { state: "COMPLETE", values: [1] }, gridSpace));
  assert.deepEqual([gridSpace.grids.size, gridImpl.memo.grids.size], [1, 0]);
  getOrThrow(gridImpl.afterTrial!(grid, ctx, { state: "COMPLETE", values: [1] }));
  assert.deepEqual([gridSpace.grids.size, gridImpl.memo.grids.size], [1, 1]);

  const qmcImpl = makeQmcSamplerImpl();
  const qmcSpace = qmcImpl.createWorkspace();
  const space = { x: getOrThrow(floatDistribution(0, 1)) };
  const sampled = getOrThrow(
    qmcImpl.sampleRelative!(qmcSampler({ seed: 2 }), ctx, space, qmcSpace),
  );
  assert.deepEqual([qmcSpace.engines.size, qmcImpl.memo.engines.size], [1, 0]);
  const again = getOrThrow(qmcImpl.sampleRelative!(qmcSampler({ seed: 2 }), ctx, space));
  assert.deepEqual(again.value, sampled.value);
  assert.equal(qmcImpl.memo.engines.size, 1);
});
