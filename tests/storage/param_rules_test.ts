/** A parameter's internal value is checked against its distribution before it is stored. */
import assert from "node:assert/strict";
import {
  categoricalDistribution,
  getOrThrow,
  memoryStorage,
  runOrThrow,
  type Storage,
} from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { expectLeft } from "../_helpers/study.ts";

async function checkCategoricalIndex(storage: Storage): Promise<void> {
  const { studyId } = await runOrThrow(
    storage.createStudy({ studyName: "s", directions: ["minimize"] }),
  );
  const trial = await runOrThrow(storage.createTrial(studyId));
  const distribution = getOrThrow(categoricalDistribution(["a", "b"]));
  for (const internal of [2, -1, 0.5]) {
    const err = expectLeft(
      await storage.setTrialParam({ trialId: trial.trialId, name: "c", internal, distribution })(),
      "InvalidArgument",
    );
    assert.match(err.message, /params\.c/);
  }
  assert.deepEqual((await runOrThrow(storage.getTrial(trial.trialId))).params, {});
  await runOrThrow(
    storage.setTrialParam({ trialId: trial.trialId, name: "c", internal: 1, distribution }),
  );
  assert.deepEqual((await runOrThrow(storage.getTrial(trial.trialId))).params, { c: "b" });
}

Deno.test("memoryStorage() refuses a categorical index outside the choices and stores nothing", async () => {
  await checkCategoricalIndex(memoryStorage());
});

Deno.test("sqliteStorage() refuses a categorical index outside the choices and stores nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const storage = await runOrThrow(sqliteStorage(`${dir}/p.db`));
    await checkCategoricalIndex(storage);
    await runOrThrow(storage.close());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
