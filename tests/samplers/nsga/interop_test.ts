/**
 * Python Optuna 5.0's NSGAIISampler continues a study of our nsgaIISampler (and ours continues
 * Python's) through the SQLite storage, reading the generations and parent lists written under
 * Optuna's keys. Python Optuna is taken from `.venv-optuna/bin/python` at the repository root
 * (or `$OPTUNA_PYTHON`); without it the test is skipped, saying so.
 */
import assert from "node:assert/strict";
import {
  createStudy,
  flatMap,
  getTrials,
  loadStudy,
  map,
  nsgaIISampler,
  optimize,
  runOrThrow,
  suggestFloat,
  type Trial,
} from "../../../mod.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";

const found = await findOptunaPython();
const PYTHON = Deno.env.get("OPTUNA_PYTHON") ?? ("python" in found ? found.python : undefined);
if (PYTHON === undefined && "why" in found) console.warn(`NSGA interop test skipped: ${found.why}`);

const objective = (t: Trial) =>
  flatMap(
    suggestFloat(t, "x", 0, 1),
    (x) => map(suggestFloat(t, "y", 0, 1), (y) => [x + y, 2 - x - y * y]),
  );

const SCRIPT = `
import sys, optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
study = optuna.load_study(study_name="s", storage="sqlite:///" + sys.argv[1],
                          sampler=optuna.samplers.NSGAIISampler(population_size=4, seed=0))
study.optimize(lambda t: (t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1),
                          2 - t.params["x"] - t.params["y"] ** 2), n_trials=6)
print(",".join(str(t.system_attrs.get("NSGAIISampler:generation")) for t in study.trials))
`;
import { findOptunaPython } from "../../_helpers/python_optuna.ts";

Deno.test({
  name:
    "Python Optuna's NSGAIISampler continues our nsgaIISampler's generations, and ours continues Python's",
  ignore: PYTHON === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/nsga.db`;
      let storage = await runOrThrow(sqliteStorage(path));
      const study = await runOrThrow(createStudy({
        storage,
        studyName: "s",
        sampler: nsgaIISampler({ seed: 1, populationSize: 4 }),
        directions: ["minimize", "minimize"],
      }));
      await runOrThrow(optimize(study, objective, { nTrials: 10 }));
      const before = await runOrThrow(() => storage.getStudyById(study.studyId)());
      await runOrThrow(storage.close());

      const out = await new Deno.Command(PYTHON!, {
        args: ["-c", SCRIPT, path],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const gens = new TextDecoder().decode(out.stdout).trim().split(",").map(Number);
      // ours: 4 + 4 + 2 trials; Python fills generation 2 and starts generation 3
      assert.deepEqual(gens, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);

      storage = await runOrThrow(sqliteStorage(path));
      const after = await runOrThrow(() => storage.getStudyById(study.studyId)());
      for (const g of [1, 2]) {
        const key = `NSGAIISampler:parent:${g}`;
        assert.deepEqual(after.systemAttrs[key], before.systemAttrs[key], `${key} kept by Python`);
      }
      assert.ok(
        Array.isArray(after.systemAttrs["NSGAIISampler:parent:3"]),
        "Python's parents of 3",
      );
      const loaded = await runOrThrow(loadStudy({
        storage,
        studyName: "s",
        sampler: nsgaIISampler({ seed: 1, populationSize: 4 }),
      }));
      await runOrThrow(optimize(loaded, objective, { nTrials: 4 }));
      const trials = await runOrThrow(getTrials(loaded));
      assert.deepEqual(
        trials.slice(16).map((t) => t.systemAttrs["NSGAIISampler:generation"]),
        [4, 4, 4, 4],
      );
      const parents4 = (await runOrThrow(() => storage.getStudyById(study.studyId)()))
        .systemAttrs["NSGAIISampler:parent:4"] as number[];
      assert.equal(parents4.length, 4);
      await runOrThrow(storage.close());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
