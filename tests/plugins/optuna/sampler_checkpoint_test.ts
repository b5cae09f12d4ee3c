/**
 * `checkpointSampler()` and `restoreSampler()`: sampler checkpoints written atomically, one
 * file per study and trial, and restored without executing anything.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ask,
  createStudy,
  memoryStorage,
  optimize,
  randomSampler,
  right,
  runOrThrow,
  type Storage,
  suggestFloat,
  tell,
} from "../../../mod.ts";
import { checkpointSampler, restoreSampler, resumeStudy } from "../../../lib/plugins/optuna/mod.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { persistentMemory } from "./_helpers.ts";

Deno.test("checkpointSampler()/restoreSampler() reproduce the uninterrupted suggestions", async () => {
  const root = await Deno.makeTempDir();
  try {
    const run = async (
      folder: string,
      storage: Storage,
      failAt?: number,
      sampler = randomSampler({ seed: 6691 }),
    ) => {
      const study = await runOrThrow(createStudy({ storage, studyName: "s", sampler }));
      const xs: number[] = [];
      await optimize(study, (trial) => async () => {
        await runOrThrow(checkpointSampler(trial, join(root, folder)));
        if (trial.number === failAt) throw new Error("half-way stop");
        const x = await runOrThrow(suggestFloat(trial, "x", -10, 10));
        xs.push(x);
        return right(x);
      }, { nTrials: failAt === undefined ? 10 : 10 })();
      return xs;
    };
    const straight = await run("a", memoryStorage());
    assert.deepEqual(
      (await readdir(join(root, "a"))).sort(),
      [...Array(10).keys()].map((n) => `sampler_s_trial-${n}.json`).sort(),
    );
    assert.equal(await runOrThrow(restoreSampler(join(root, "b"))), undefined);
    const storage = persistentMemory();
    const firstHalf = await run("b", storage, 5);
    assert.equal(firstHalf.length, 5);
    const restored = await runOrThrow(restoreSampler(join(root, "b")));
    assert.ok(restored !== undefined);
    assert.deepEqual(
      await runOrThrow(restoreSampler(join(root, "b"), { studyName: "s" })),
      restored,
    );
    // the failed trial 5 is re-run at its own number: its draws derive from (seed, 5, "param:x")
    const study = await runOrThrow(resumeStudy(
      { storage, studyName: "s", loadIfExists: true, sampler: restored },
      { backupStudy: false },
    ));
    const secondHalf: number[] = [];
    await runOrThrow(optimize(study, (trial) => async () => {
      const x = await runOrThrow(suggestFloat(trial, "x", -10, 10));
      secondHalf.push(x);
      return right(x);
    }, { nTrials: 5 }));
    assert.deepEqual([...firstHalf, ...secondHalf], straight);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("restoreSampler() picks the highest number, ignores other files and names corrupt ones", async () => {
  const root = await Deno.makeTempDir();
  try {
    const study = await runOrThrow(
      createStudy({ sampler: randomSampler({ seed: 1 }), studyName: "s" }),
    );
    for (let i = 0; i < 11; i++) {
      const trial = await runOrThrow(ask(study));
      await runOrThrow(checkpointSampler(trial, root));
      await runOrThrow(tell(study, trial, { values: [i] }));
    }
    await writeFile(join(root, "notes.txt"), "hello");
    await writeFile(join(root, "sampler_trial-x.json"), "{}");
    const restored = await runOrThrow(restoreSampler(root));
    assert.equal(restored?.kind, "random");
    await writeFile(join(root, "sampler_s_trial-12.json"), "{ not json");
    const e = expectLeft(await restoreSampler(root)(), "CorruptCheckpoint");
    assert.match(e.message, /sampler_s_trial-12\.json/);
    await writeFile(
      join(root, "sampler_s_trial-12.json"),
      JSON.stringify({
        format: "hyperion-sampler",
        version: 1,
        sampler: { kind: "evil", options: {}, state: {} },
      }),
    );
    assert.match(expectLeft(await restoreSampler(root)(), "CorruptCheckpoint").message, /'evil'/);
    await writeFile(
      join(root, "sampler_s_trial-12.json"),
      JSON.stringify({ format: "something-else" }),
    );
    expectLeft(await restoreSampler(root)(), "CorruptCheckpoint");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("checkpointSampler() reports a folder that cannot be written", async () => {
  const root = await Deno.makeTempDir();
  try {
    const blocker = join(root, "file");
    await writeFile(blocker, "");
    const study = await runOrThrow(createStudy());
    const trial = await runOrThrow(ask(study));
    const e = expectLeft(await checkpointSampler(trial, join(blocker, "sub"))(), "StorageError");
    assert.match(e.message, /sampler_.*_trial-0\.json/);
    await mkdir(join(root, "ok"));
    assert.equal(
      await runOrThrow(checkpointSampler(trial, join(root, "ok"))),
      join(root, "ok", `sampler_${study.studyName}_trial-0.json`),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("restoreSampler() never restores another study's sampler from a shared folder", async () => {
  const root = await Deno.makeTempDir();
  try {
    const write = async (studyName: string, seed: number, n: number) => {
      const study = await runOrThrow(
        createStudy({ studyName, sampler: randomSampler({ seed }) }),
      );
      for (let i = 0; i < n; i++) {
        const trial = await runOrThrow(ask(study));
        await runOrThrow(suggestFloat(trial, "x", 0, 1));
        await runOrThrow(checkpointSampler(trial, root));
        await runOrThrow(tell(study, trial, { values: [i] }));
      }
    };
    await write("a", 1, 2);
    await write("b", 2, 5);
    const names = (await readdir(root)).sort();
    assert.ok(names.includes("sampler_a_trial-1.json") && names.includes("sampler_b_trial-4.json"));
    const a = await runOrThrow(restoreSampler(root, { studyName: "a" }));
    const b = await runOrThrow(restoreSampler(root, { studyName: "b" }));
    assert.deepEqual((a?.options as { seed?: number }).seed, 1);
    assert.deepEqual((b?.options as { seed?: number }).seed, 2);
    assert.equal(await runOrThrow(restoreSampler(root, { studyName: "c" })), undefined);
    // the one-argument call refuses to guess between two studies
    const e = expectLeft(await restoreSampler(root)(), "InvalidArgument");
    assert.match(e.message, /'studyName'.*'a', 'b'/);
    // a file named for study a but holding b's sampler is ignored
    await Deno.copyFile(join(root, "sampler_b_trial-4.json"), join(root, "sampler_a_trial-9.json"));
    const stillA = await runOrThrow(restoreSampler(root, { studyName: "a" }));
    assert.deepEqual((stillA?.options as { seed?: number }).seed, 1);
    // a half-written temporary file is ignored
    await writeFile(join(root, `sampler_a_trial-10.json.${crypto.randomUUID()}.tmp`), "{ half");
    assert.deepEqual(await runOrThrow(restoreSampler(root, { studyName: "a" })), stillA);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
