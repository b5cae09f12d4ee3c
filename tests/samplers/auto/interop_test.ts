/**
 * A study created and run by Python Optuna 5.0 (its default TPE sampler, a categorical and two
 * numeric parameters) is continued by `loadStudy` with the default sampler (the automatic
 * one) through the SQLite storage, and Python continues ours. Python Optuna is taken from
 * `.venv-optuna/bin/python` at the repository root (or `$OPTUNA_PYTHON`); without it the test
 * is skipped, saying so.
 */
import assert from "node:assert/strict";
import {
  getTrials,
  loadStudy,
  optimize,
  runOrThrow,
  studySampler,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
} from "../../../mod.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";

const found = await findOptunaPython();
const PYTHON = Deno.env.get("OPTUNA_PYTHON") ?? ("python" in found ? found.python : undefined);
if (PYTHON === undefined && "why" in found) {
  console.warn(`autoSampler interop test skipped: ${found.why}`);
}

const SCRIPT = `
import sys, optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
def objective(t):
    x = t.suggest_float("x", -3, 3)
    n = t.suggest_int("n", 1, 9)
    act = t.suggest_categorical("act", ["relu", "tanh"])
    return (x - 1) ** 2 + 0.1 * (n - 4) ** 2 + (0 if act == "tanh" else 1)
study = optuna.create_study(study_name="s", storage="sqlite:///" + sys.argv[1], load_if_exists=True,
                            sampler=optuna.samplers.TPESampler(seed=0))
study.optimize(objective, n_trials=int(sys.argv[2]))
print(len(study.trials), sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials))
`;
import { findOptunaPython } from "../../_helpers/python_optuna.ts";

const objective = (t: Trial) => async () => {
  const x = await runOrThrow(suggestFloat(t, "x", -3, 3));
  const n = await runOrThrow(suggestInt(t, "n", 1, 9));
  const act = await runOrThrow(suggestCategorical(t, "act", ["relu", "tanh"]));
  return {
    _tag: "Right" as const,
    right: (x - 1) ** 2 + 0.1 * (n - 4) ** 2 + (act === "tanh" ? 0 : 1),
  };
};

async function python(path: string, nTrials: number): Promise<string> {
  const out = await new Deno.Command(PYTHON!, {
    args: ["-c", SCRIPT, path, String(nTrials)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test({
  name:
    "a study of Python Optuna continues with the default (automatic) sampler, and Python continues ours",
  ignore: PYTHON === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/auto.db`;
      assert.equal(await python(path, 8), "8 8");
      let storage = await runOrThrow(sqliteStorage(path));
      const study = await runOrThrow(loadStudy({ storage, studyName: "s" }));
      assert.equal(studySampler(study).kind, "auto");
      await runOrThrow(optimize(study, objective, { nTrials: 6 }));
      const trials = await runOrThrow(getTrials(study));
      assert.equal(trials.length, 14);
      assert.ok(trials.every((t) => t.state === "COMPLETE"));
      // Python's trials carry no choice; ours chose the GP (8+ complete trials, no condition)
      assert.deepEqual(
        trials.map((t) => t.systemAttrs["auto:sampler"] ?? null),
        [...Array(8).fill(null), ...Array(6).fill("gp")],
      );
      // …which modelled the trials past its 10 startup trials (its kernel fit is recorded)
      assert.ok(trials.slice(10).every((t) => t.systemAttrs["gp:kernel_params"] !== undefined));
      await runOrThrow(storage.close());
      assert.equal(await python(path, 3), "17 17");
      storage = await runOrThrow(sqliteStorage(path));
      const again = await runOrThrow(loadStudy({ storage, studyName: "s" }));
      await runOrThrow(optimize(again, objective, { nTrials: 1 }));
      const last = (await runOrThrow(getTrials(again))).at(-1)!;
      assert.equal(last.systemAttrs["auto:sampler"], "gp");
      await runOrThrow(storage.close());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
