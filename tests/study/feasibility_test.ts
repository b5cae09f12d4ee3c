/**
 * Constrained studies: getBestTrial, getBestTrials and summaries see only feasible trials (as
 * Optuna's `best_trial`, `best_trials`), checked against Python Optuna on the same SQLite file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  createStudy,
  type FrozenTrial,
  getAllStudySummaries,
  getBestTrial,
  getBestTrials,
  memoryStorage,
  runOrThrow,
  type Storage,
  type Study,
} from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { expectLeft } from "../_helpers/study.ts";
import { optunaTest, runPython } from "../_helpers/optuna_python.ts";

/** COMPLETE trials with values and constraint attributes, as Optuna's samplers write them. */
async function addConstrained(
  storage: Storage,
  study: Study,
  rows: ReadonlyArray<readonly [ReadonlyArray<number>, FrozenTrial["systemAttrs"]]>,
): Promise<void> {
  for (const [values, systemAttrs] of rows) {
    await runOrThrow(
      storage.createTrial(study.studyId, { state: "COMPLETE", values, systemAttrs }),
    );
  }
}

const SINGLE = [
  [[0], { constraints: [1] }],
  [[1], { "constraints:c": 0.5 }],
  [[2], { constraints: [0, -1] }],
  [[3], {}],
  [[2], { constraints: [-2] }],
] as const;

const MULTI = [
  [[0, 0], { constraints: [0.1] }],
  [[1, 2], { constraints: [0] }],
  [[2, 1], {}],
  [[3, 3], {}],
] as const;

Deno.test("getBestTrial(), getBestTrials() and summaries skip infeasible trials", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(createStudy({ storage, studyName: "s" }));
  await addConstrained(storage, study, SINGLE);
  assert.equal((await runOrThrow(getBestTrial(study))).number, 2);
  assert.deepEqual((await runOrThrow(getBestTrials(study))).map((t) => t.number), [2, 4]);
  const [summary] = await runOrThrow(getAllStudySummaries(storage));
  assert.equal(summary?.bestTrial?.number, 2);
  const mo = await runOrThrow(createStudy({ storage, directions: ["minimize", "minimize"] }));
  await addConstrained(storage, mo, MULTI);
  assert.deepEqual((await runOrThrow(getBestTrials(mo))).map((t) => t.number), [1, 2]);
});

Deno.test("getBestTrial() fails with 'no feasible trials' when every COMPLETE trial is infeasible", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(createStudy({ storage, studyName: "inf" }));
  await addConstrained(storage, study, [[[0], { constraints: [1] }], [[1], {
    "constraints:a": 2,
  }]]);
  const e = expectLeft(await getBestTrial(study)(), "NoCompletedTrials");
  assert.match(e.message, /'inf'.*no feasible trials are completed yet/);
  assert.deepEqual(await runOrThrow(getBestTrials(study)), []);
  const [summary] = await runOrThrow(getAllStudySummaries(storage));
  assert.equal(summary?.bestTrial, undefined);
});

const PY_BEST = `
import json, sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
out = {}
for name in ["single", "multi"]:
    s = optuna.load_study(study_name=name, storage="sqlite:///" + sys.argv[1])
    out[name] = {"best_trials": [t.number for t in s.best_trials]}
    if name == "single":
        out[name]["best_trial"] = s.best_trial.number
print(json.dumps(out))
`;

optunaTest(
  "getBestTrial() and getBestTrials() pick the trials Python Optuna picks on constrained studies",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "c.db");
      const storage = await runOrThrow(sqliteStorage(path));
      const single = await runOrThrow(createStudy({ storage, studyName: "single" }));
      await addConstrained(storage, single, SINGLE);
      const multi = await runOrThrow(
        createStudy({ storage, studyName: "multi", directions: ["minimize", "minimize"] }),
      );
      await addConstrained(storage, multi, MULTI);
      const ours = {
        single: {
          best_trials: (await runOrThrow(getBestTrials(single))).map((t) => t.number),
          best_trial: (await runOrThrow(getBestTrial(single))).number,
        },
        multi: { best_trials: (await runOrThrow(getBestTrials(multi))).map((t) => t.number) },
      };
      await runOrThrow(storage.close());
      assert.deepEqual(JSON.parse(await runPython(PY_BEST, [path])), ours);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
