import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import {
  ask,
  categoricalDistribution,
  createStudy,
  distributionFromJson,
  distributionToJson,
  getOrThrow,
  getTrials,
  loadStudy,
  runOrThrow,
  suggestCategorical,
  tell,
} from "../../mod.ts";
import { parsePythonJson } from "../../lib/core/json.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { optunaTest, runPython } from "../_helpers/optuna_python.ts";

Deno.test("distributionToJson()/distributionFromJson() round-trip infinite categorical choices as Python writes them", () => {
  const d = getOrThrow(categoricalDistribution([Infinity, -Infinity, 1.5, "Infinity", null]));
  const json = distributionToJson(d);
  assert.equal(
    json,
    '{"name": "CategoricalDistribution", "attributes": {"choices": [Infinity, -Infinity, 1.5, "Infinity", null]}}',
  );
  assert.deepEqual(getOrThrow(distributionFromJson(json)), d);
});

Deno.test("distributionFromJson() round-trips any categorical choices (property)", () => {
  const choice = fc.oneof(
    fc.double({ noNaN: true }),
    fc.constantFrom(Infinity, -Infinity, "NaN", "-Infinity", null, true),
    fc.string(),
  );
  fc.assert(
    fc.property(
      fc.uniqueArray(choice, { minLength: 1, maxLength: 6, comparator: Object.is }),
      (choices) => {
        const d = getOrThrow(categoricalDistribution(choices));
        assert.deepEqual(getOrThrow(distributionFromJson(distributionToJson(d))), d);
      },
    ),
  );
});

Deno.test("parsePythonJson() reads Python's bare tokens outside strings only", () => {
  assert.deepEqual(parsePythonJson('[NaN, Infinity, -Infinity, "NaN", "a \\"Infinity\\""]'), [
    NaN,
    Infinity,
    -Infinity,
    "NaN",
    'a "Infinity"',
  ]);
  assert.deepEqual(parsePythonJson("[NaN]", null), [null]);
  assert.throws(() => parsePythonJson("[Infinit]"), SyntaxError);
});

const PY_WRITE = `
import sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.create_study(study_name="py", storage="sqlite:///" + sys.argv[1])
for _ in range(2):
    t = s.ask()
    t.suggest_categorical("c", [float("inf"), float("-inf"), 1.0])
    s.tell(t, 0.0)
`;

const PY_READ = `
import json, sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.load_study(study_name="ts", storage="sqlite:///" + sys.argv[1])
print(json.dumps([[t.params["c"], list(t.distributions["c"].choices)] for t in s.trials]))
`;

optunaTest(
  "categorical choices Infinity and -Infinity: ours load Python's study and Python loads ours",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "c.db");
      await runPython(PY_WRITE, [path]);
      const storage = await runOrThrow(sqliteStorage(path));
      const py = await runOrThrow(loadStudy({ storage, studyName: "py" }));
      for (const t of await runOrThrow(getTrials(py))) {
        assert.ok([Infinity, -Infinity, 1].includes(t.params.c as number));
        assert.deepEqual(
          t.distributions.c,
          getOrThrow(categoricalDistribution([Infinity, -Infinity, 1])),
        );
      }
      const ts = await runOrThrow(createStudy({ storage, studyName: "ts" }));
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        const trial = await runOrThrow(ask(ts));
        seen.push(await runOrThrow(suggestCategorical(trial, "c", [Infinity, -Infinity, 2])));
        await runOrThrow(tell(ts, trial, { values: 0 }));
      }
      await runOrThrow(storage.close());
      const theirs = JSON.parse(
        (await runPython(PY_READ, [path])).replace(/-Infinity/g, '"-inf"').replace(
          /(?<!-)Infinity/g,
          '"inf"',
        ),
      );
      const asPy = (x: number) => x === Infinity ? "inf" : x === -Infinity ? "-inf" : x;
      assert.deepEqual(theirs, seen.map((x) => [asPy(x), ["inf", "-inf", 2]]));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
