// Records handed out while a trial is suggested stay as they were: the memory storage and the
// live trial add parameters in place only to records no one holds yet (O(p) per trial).
import assert from "node:assert/strict";
import {
  ask,
  BUILTIN_SAMPLERS,
  createStudy,
  type FrozenTrial,
  getTrials,
  memoryStorage,
  nsgaIISampler,
  randomSampler,
  right,
  runOrThrow,
  type Sampler,
  type SamplerImpl,
  type Storage,
  suggestFloat,
  tell,
  tpeSampler,
  trialSnapshot,
} from "../../mod.ts";
import { journalFileBackend } from "../../lib/storage/journal/backend.ts";
import { journalStorage } from "../../lib/storage/journal/journal.ts";

const names = (t: FrozenTrial): string[] => Object.keys(t.params);

async function storages(): Promise<Array<[string, Storage, () => Promise<void>]>> {
  const dir = await Deno.makeTempDir();
  return [
    ["memory", memoryStorage(), () => Promise.resolve()],
    [
      "journal",
      await runOrThrow(journalStorage(journalFileBackend(`${dir}/j.log`))),
      () => Deno.remove(dir, { recursive: true }),
    ],
  ];
}

for (const sampler of [randomSampler({ seed: 1 }), tpeSampler({ seed: 1 })] as Sampler[]) {
  Deno.test(`records read mid-trial keep their parameters [${sampler.kind}]`, async () => {
    for (const [name, storage, cleanup] of await storages()) {
      const study = await runOrThrow(createStudy({ storage, sampler }));
      const trial = await runOrThrow(ask(study));
      for (const p of ["a", "b"]) await runOrThrow(suggestFloat(trial, p, 0, 1));
      const snapshot = await runOrThrow(() => Promise.resolve(trialSnapshot(trial)));
      const one = await runOrThrow(storage.getTrial(trial.trialId));
      for (const p of ["c", "d"]) await runOrThrow(suggestFloat(trial, p, 0, 1));
      const all = await runOrThrow(getTrials(study));
      for (const p of ["e", "f"]) await runOrThrow(suggestFloat(trial, p, 0, 1));
      assert.deepEqual(names(snapshot), ["a", "b"], name);
      assert.deepEqual(Object.keys(snapshot.distributions), ["a", "b"], name);
      assert.deepEqual(names(one), ["a", "b"], name);
      assert.deepEqual(Object.keys(one.distributions), ["a", "b"], name);
      assert.deepEqual(names(all[0]!), ["a", "b", "c", "d"], name);
      const done = await runOrThrow(tell(study, trial, { values: 1 }));
      assert.deepEqual(names(done), ["a", "b", "c", "d", "e", "f"], name);
      const stored = await runOrThrow(storage.getTrial(trial.trialId));
      assert.deepEqual(stored.params, done.params, name);
      assert.deepEqual(Object.keys(stored.distributions), names(done), name);
      // the values suggested are the values stored
      const live = await runOrThrow(() => Promise.resolve(trialSnapshot(trial)));
      assert.deepEqual(live.params, stored.params, name);
      await runOrThrow(storage.close());
      await cleanup();
    }
  });
}

Deno.test("a sampler that may read the trial's parameters keeps records that do not change", async () => {
  const seen: Array<{ trial: FrozenTrial; size: number }> = [];
  const recording: SamplerImpl = {
    kind: "test-keeping",
    needsHistory: false,
    validate: (s) => right(s),
    sampleIndependent: (s, ctx) => {
      seen.push({ trial: ctx.trial, size: names(ctx.trial).length });
      return right({ value: 0.25, state: s.state });
    },
  };
  const study = await runOrThrow(createStudy({
    sampler: { kind: "test-keeping", options: null, state: null },
    samplerKinds: { ...BUILTIN_SAMPLERS, "test-keeping": recording },
  }));
  const trial = await runOrThrow(ask(study));
  for (let i = 0; i < 6; i++) await runOrThrow(suggestFloat(trial, `x${i}`, 0, 1));
  assert.deepEqual(seen.map((s) => s.size), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(seen.map((s) => names(s.trial).length), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(seen.map((s) => Object.keys(s.trial.distributions).length), [0, 1, 2, 3, 4, 5]);
});

Deno.test("a seeded study suggests the same whatever records are read between suggests", async () => {
  const run = async (read: boolean) => {
    const study = await runOrThrow(createStudy({
      sampler: nsgaIISampler({ seed: 3, populationSize: 4 }),
      directions: ["minimize", "minimize"],
    }));
    for (let n = 0; n < 12; n++) {
      const trial = await runOrThrow(ask(study));
      const x: number[] = [];
      for (let i = 0; i < 5; i++) {
        x.push(await runOrThrow(suggestFloat(trial, `x${i}`, 0, 1)));
        if (read && i % 2 === 0) await runOrThrow(getTrials(study));
      }
      await runOrThrow(tell(study, trial, { values: [x[0]!, x[1]! + x[2]!] }));
    }
    return (await runOrThrow(getTrials(study))).map((t) => t.params);
  };
  assert.deepEqual(await run(true), await run(false));
});
