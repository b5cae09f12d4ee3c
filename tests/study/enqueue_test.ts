import assert from "node:assert/strict";
import { join } from "node:path";
import {
  createStudy,
  enqueueTrial,
  getTrials,
  loadStudy,
  memoryStorage,
  runOrThrow,
  type Storage,
} from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { optunaTest, runPython } from "../_helpers/optuna_python.ts";

async function withSqlite(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-enqueue-" });
  try {
    await fn(join(dir, "s.db"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function fixedParams(storage: Storage, name: string): Promise<unknown[]> {
  const study = await runOrThrow(loadStudy({ storage, studyName: name }));
  return (await runOrThrow(getTrials(study))).map((t) => t.systemAttrs["fixed_params"]);
}

async function enqueueNonFinite(storage: Storage): Promise<void> {
  const study = await runOrThrow(createStudy({ storage, studyName: "nf" }));
  await runOrThrow(enqueueTrial(study, { x: NaN }));
  await runOrThrow(enqueueTrial(study, { x: Infinity }));
  await runOrThrow(enqueueTrial(study, { x: -Infinity, y: 1 }));
  // repeats: two NaNs, equal infinities
  await runOrThrow(enqueueTrial(study, { x: NaN }, { skipIfExists: true }));
  await runOrThrow(enqueueTrial(study, { x: Infinity }, { skipIfExists: true }));
  await runOrThrow(enqueueTrial(study, { x: -Infinity, y: 1 }, { skipIfExists: true }));
  // not repeats: the other infinity, a finite value
  await runOrThrow(enqueueTrial(study, { x: -Infinity }, { skipIfExists: true }));
  await runOrThrow(enqueueTrial(study, { x: 1e308 }, { skipIfExists: true }));
}

const EXPECTED = [{ x: NaN }, { x: Infinity }, { x: -Infinity, y: 1 }, { x: -Infinity }, {
  x: 1e308,
}];

Deno.test("enqueueTrial() enqueues NaN and infinities, and skipIfExists treats equal ones as repeats (memory)", async () => {
  const storage = memoryStorage();
  await enqueueNonFinite(storage);
  assert.deepEqual(await fixedParams(storage, "nf"), EXPECTED);
});

Deno.test("enqueueTrial() stores NaN and infinities in SQLite, read back by a fresh connection", async () => {
  await withSqlite(async (path) => {
    const storage = await runOrThrow(sqliteStorage(path));
    await enqueueNonFinite(storage);
    await runOrThrow(storage.close());
    const again = await runOrThrow(sqliteStorage(path));
    try {
      assert.deepEqual(await fixedParams(again, "nf"), EXPECTED);
    } finally {
      await runOrThrow(again.close());
    }
  });
});

Deno.test("enqueueTrial() still refuses values that are not parameter values", async () => {
  const study = await runOrThrow(createStudy());
  for (const bad of [{ x: [1] }, { x: undefined }, { x: 1n }]) {
    const r = await enqueueTrial(study, bad as never)();
    assert.equal(r._tag, "Left");
  }
  assert.equal((await runOrThrow(getTrials(study))).length, 0);
});

const PY_READ = `
import json, sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.load_study(study_name="nf", storage="sqlite:///" + sys.argv[1])
print(json.dumps([t.system_attrs["fixed_params"] for t in s.trials]))
`;

const PY_WRITE = `
import sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.create_study(study_name="nf", storage="sqlite:///" + sys.argv[1])
s.enqueue_trial({"x": float("nan")})
s.enqueue_trial({"x": float("inf")})
s.enqueue_trial({"x": float("-inf"), "y": 1})
`;

optunaTest(
  "enqueueTrial() with NaN and infinities: Python Optuna reads ours, and ours skips Python's repeats",
  async () => {
    await withSqlite(async (path) => {
      const storage = await runOrThrow(sqliteStorage(path));
      await enqueueNonFinite(storage);
      await runOrThrow(storage.close());
      assert.equal(
        (await runPython(PY_READ, [path])).trim(),
        '[{"x": NaN}, {"x": Infinity}, {"x": -Infinity, "y": 1}, {"x": -Infinity}, {"x": 1e+308}]',
      );
    });
    await withSqlite(async (path) => {
      await runPython(PY_WRITE, [path]);
      const storage = await runOrThrow(sqliteStorage(path));
      try {
        const study = await runOrThrow(loadStudy({ storage, studyName: "nf" }));
        await runOrThrow(enqueueTrial(study, { x: NaN }, { skipIfExists: true }));
        await runOrThrow(enqueueTrial(study, { x: Infinity }, { skipIfExists: true }));
        await runOrThrow(enqueueTrial(study, { x: -Infinity, y: 1 }, { skipIfExists: true }));
        assert.deepEqual(await fixedParams(storage, "nf"), [
          { x: NaN },
          { x: Infinity },
          { x: -Infinity, y: 1 },
        ]);
      } finally {
        await runOrThrow(storage.close());
      }
    });
  },
);
