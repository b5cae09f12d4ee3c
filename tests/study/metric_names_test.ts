import assert from "node:assert/strict";
import { join } from "node:path";
import {
  createStudy,
  getMetricNames,
  loadStudy,
  memoryStorage,
  runOrThrow,
  setMetricNames,
} from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { expectLeft } from "../_helpers/study.ts";
import { optunaTest, runPython } from "../_helpers/optuna_python.ts";

Deno.test("setMetricNames() stores one name per objective in study:metric_names; getMetricNames() reads them", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(
    createStudy({ storage, studyName: "m", directions: ["minimize", "maximize"] }),
  );
  assert.equal(await runOrThrow(getMetricNames(study)), undefined);
  await runOrThrow(setMetricNames(study, ["loss", "acc"]));
  const again = await runOrThrow(loadStudy({ storage, studyName: "m" }));
  assert.deepEqual(await runOrThrow(getMetricNames(again)), ["loss", "acc"]);
  assert.deepEqual((await runOrThrow(storage.getStudy("m"))).systemAttrs["study:metric_names"], [
    "loss",
    "acc",
  ]);
});

Deno.test("setMetricNames() refuses a count that differs from the objectives, storing nothing", async () => {
  const study = await runOrThrow(createStudy());
  const e = expectLeft(await setMetricNames(study, ["a", "b"])(), "InvalidArgument");
  assert.match(e.message, /'names'.*as many names as objectives \(1\)/);
  expectLeft(await setMetricNames(study, [1 as never])(), "InvalidArgument");
  assert.equal(await runOrThrow(getMetricNames(study)), undefined);
});

optunaTest(
  "metric names set here are Python Optuna's study.metric_names, and the reverse",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "m.db");
      const storage = await runOrThrow(sqliteStorage(path));
      const study = await runOrThrow(
        createStudy({ storage, studyName: "ours", directions: ["minimize", "maximize"] }),
      );
      await runOrThrow(setMetricNames(study, ["loss", "accuracy"]));
      await runOrThrow(storage.close());
      const out = await runPython(
        `
import json, sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
url = "sqlite:///" + sys.argv[1]
print(json.dumps(optuna.load_study(study_name="ours", storage=url).metric_names))
s = optuna.create_study(study_name="theirs", storage=url)
s.set_metric_names(["rmse"])
`,
        [path],
      );
      assert.deepEqual(JSON.parse(out), ["loss", "accuracy"]);
      const again = await runOrThrow(sqliteStorage(path));
      try {
        const theirs = await runOrThrow(loadStudy({ storage: again, studyName: "theirs" }));
        assert.deepEqual(await runOrThrow(getMetricNames(theirs)), ["rmse"]);
      } finally {
        await runOrThrow(again.close());
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
