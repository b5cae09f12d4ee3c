import assert from "node:assert/strict";
import { join } from "node:path";
import {
  addTrial,
  addTrials,
  ask,
  categoricalDistribution,
  createStudy,
  createTrial,
  floatDistribution,
  getBestTrial,
  getOrThrow,
  getTrials,
  intDistribution,
  runOrThrow,
  suggestFloat,
  tell,
  tpeSampler,
} from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { expectLeft } from "../_helpers/study.ts";
import { optunaTest, runPython } from "../_helpers/optuna_python.ts";

const x = getOrThrow(floatDistribution(-10, 10));
const n = getOrThrow(intDistribution(1, 8));
const c = getOrThrow(categoricalDistribution(["a", "b"]));

Deno.test("createTrial() builds a finished trial with times and constraints, numbered -1", () => {
  const before = Date.now();
  const t = getOrThrow(createTrial({
    params: { x: 1.5, n: 3, c: "b" },
    distributions: { x, n, c },
    value: 2,
    userAttrs: { source: "paper" },
    constraints: { memory: -1 },
  }));
  assert.equal(t.state, "COMPLETE");
  assert.deepEqual(t.values, [2]);
  assert.equal(t.number, -1);
  assert.ok(t.datetimeStart !== null && t.datetimeStart >= before);
  assert.equal(t.datetimeComplete, t.datetimeStart);
  assert.deepEqual(t.systemAttrs, { "constraints:memory": -1 });
  const waiting = getOrThrow(createTrial({ state: "WAITING" }));
  assert.deepEqual([waiting.datetimeStart, waiting.datetimeComplete], [null, null]);
});

Deno.test("createTrial() validates as Optuna's FrozenTrial._validate, naming the field", () => {
  const cases: ReadonlyArray<[Parameters<typeof createTrial>[0], string, string?]> = [
    [{}, "values"],
    [{ value: NaN }, "values"],
    [{ state: "FAIL", value: 1 }, "values"],
    [{ value: 1, values: [1] }, "value"],
    [{ state: "RUNNING" as never, value: 1 }, "state"],
    [{ value: 1, params: { x: 1 } }, "distributions"],
    [{ value: 1, params: { x: 11 }, distributions: { x } }, "params.x"],
    [{ value: 1, params: { c: "z" }, distributions: { c } }, "'z'", "InvalidDistribution"],
    [{ value: 1, constraints: { m: NaN } }, "constraints.m"],
    [{ value: 1, userAttrs: { f: (() => 1) as never } }, "userAttrs.f"],
  ];
  for (const [args, field, tag] of cases) {
    const e = expectLeft(createTrial(args), tag ?? "InvalidArgument");
    assert.ok(e.message.includes(field), `${e.message} names ${field}`);
  }
});

Deno.test("addTrial()/addTrials() store trials that samplers and queries see; a bad one stores nothing", async () => {
  const study = await runOrThrow(createStudy({ sampler: tpeSampler({ seed: 1 }) }));
  const stored = await runOrThrow(addTrials(study, [
    getOrThrow(createTrial({ params: { x: 3 }, distributions: { x }, value: 9 })),
    getOrThrow(createTrial({ params: { x: 0.5 }, distributions: { x }, value: 0.25 })),
    getOrThrow(createTrial({ state: "PRUNED", params: { x: 5 }, distributions: { x } })),
  ]));
  assert.deepEqual(stored.map((t) => t.number), [0, 1, 2]);
  assert.equal((await runOrThrow(getBestTrial(study))).number, 1);
  const bad = [
    getOrThrow(createTrial({ params: { x: 1 }, distributions: { x }, value: 1 })),
    getOrThrow(createTrial({ values: [1, 2] })),
  ];
  const e = expectLeft(await addTrials(study, bad)(), "InvalidArgument");
  assert.match(e.message, /'values'/);
  assert.equal((await runOrThrow(getTrials(study))).length, 3);
  // a trial of another study is added as is, renumbered
  const other = await runOrThrow(createStudy());
  const t = await runOrThrow(ask(other));
  await runOrThrow(suggestFloat(t, "x", -10, 10));
  const done = await runOrThrow(tell(other, t, { values: 4 }));
  const copy = await runOrThrow(addTrial(study, done));
  assert.deepEqual({ ...copy, number: 0, trialId: done.trialId }, done);
  assert.equal(copy.number, 3);
});

Deno.test("addTrial() refuses values whose count differs from the study's objectives", async () => {
  const study = await runOrThrow(createStudy({ directions: ["minimize", "maximize"] }));
  expectLeft(await addTrial(study, getOrThrow(createTrial({ value: 1 })))(), "InvalidArgument");
  await runOrThrow(addTrial(study, getOrThrow(createTrial({ values: [1, 2] }))));
  assert.equal((await runOrThrow(getTrials(study))).length, 1);
});

const PY_READ = `
import json, sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.load_study(study_name="added", storage="sqlite:///" + sys.argv[1])
print(json.dumps([[t.state.name, t.values, t.params, t.constraints] for t in s.trials]))
`;

optunaTest("trials added here read the same in Python Optuna", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "a.db");
    const storage = await runOrThrow(sqliteStorage(path));
    const study = await runOrThrow(createStudy({ storage, studyName: "added" }));
    await runOrThrow(addTrials(study, [
      getOrThrow(createTrial({ params: { x: 1.5, n: 2 }, distributions: { x, n }, value: 3 })),
      getOrThrow(createTrial({ state: "FAIL", params: { c: "a" }, distributions: { c } })),
      getOrThrow(createTrial({ value: 1, constraints: { m: 0.5 } })),
    ]));
    await runOrThrow(storage.close());
    assert.deepEqual(JSON.parse(await runPython(PY_READ, [path])), [
      ["COMPLETE", [3], { x: 1.5, n: 2 }, {}],
      ["FAIL", null, { c: "a" }, {}],
      ["COMPLETE", [1], {}, { m: 0.5 }],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
