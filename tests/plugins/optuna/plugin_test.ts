import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ask,
  createStudy,
  enqueueTrial,
  getTrials,
  gridSampler,
  loadStudy,
  memoryStorage,
  optimize,
  type Pruner,
  qmcSampler,
  randomSampler,
  report,
  right,
  runOrThrow,
  type Storage,
  suggestCategorical,
  suggestFloat,
  tell,
  type Trial,
  trialPruned,
} from "../../../mod.ts";
import {
  createTrainer,
  fit,
  getOrThrow,
  type Model,
  type Plugin,
  registerPlugin,
} from "../../../lib/trainer/mod.ts";
import {
  checkpointSampler,
  OPTUNA_PLUGIN_ID,
  optunaPlugin,
  ORIGINAL_NUMBER_KEY,
  planResume,
  PRUNED_CYCLE_KEY,
  PRUNED_KEY,
  restoreSampler,
  RESUME_MARK_KEY,
  resumeStudy,
} from "../../../lib/plugins/optuna/mod.ts";
import { storageError } from "../../../lib/errors.ts";
import { openStorage } from "../../../lib/storage/open.ts";
import { expectLeft } from "../../_helpers/study.ts";

/** A memory storage that claims to be persistent: exercises the plug-in logic without files. */
const persistentMemory = (): Storage => ({
  ...memoryStorage(),
  persistent: true,
  url: "memory:persistent",
});

const pruneAlways: Pruner = { kind: "always", options: {}, prune: () => right({ prune: true }) };

/** A model whose loss decays by `rate` per batch; it records the hooks it saw. */
function toy(rate: number, seen: string[] = []): Model<number, number> {
  return {
    saveName: "plugin-model",
    setup: () => 1,
    trainStep: (loss) => ({ state: loss * (1 - rate) }),
    onValidationEnd: (loss) => ({ state: loss, metrics: { loss } }),
    onTrainingEnd: (loss) => {
      seen.push("model.onTrainingEnd");
      return loss;
    },
  };
}
const data = { trainBatches: ({ start }: { start: number }) => [0, 0, 0].slice(start) };

Deno.test("optunaPlugin() has the id 'optuna'", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory() }));
  const plugin = optunaPlugin(await runOrThrow(ask(study)), "loss");
  assert.equal(plugin.id, "optuna");
  assert.equal(OPTUNA_PLUGIN_ID, "optuna");
});

Deno.test("setup() refuses a study on non-persistent storage", async () => {
  const study = await runOrThrow(createStudy({ storage: memoryStorage() }));
  const plugin = optunaPlugin(await runOrThrow(ask(study)), "loss");
  const e = expectLeft(await plugin.setup(), "NotPersistentStorage");
  assert.match(e.message, /'memory:' is not persistent/);
  const persistent = await runOrThrow(createStudy({ storage: persistentMemory() }));
  assert.equal(
    (await optunaPlugin(await runOrThrow(ask(persistent)), "loss").setup())._tag,
    "Right",
  );
});

Deno.test("configureTrainer() registers the plug-in once and lets TrialPruned escape fit", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory() }));
  const plugin = optunaPlugin(await runOrThrow(ask(study)), "loss");
  const trainer = getOrThrow(plugin.configureTrainer(getOrThrow(createTrainer())));
  assert.deepEqual(trainer.plugins.map((p) => p.id), ["optuna"]);
  assert.equal(trainer.plugins[0], plugin as Plugin);
  assert.deepEqual(trainer.trainExceptions, ["TrialPruned"]);
  expectLeft(plugin.configureTrainer(trainer), "DuplicatePlugin");
});

Deno.test("configureModel() names the model after the study and the trial, or the trial it re-runs", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory(), studyName: "s" }));
  const first = optunaPlugin(await runOrThrow(ask(study)), "loss");
  assert.equal(first.configureModel(toy(0.1)).saveName, "plugin-model_s_trial-0");
  await runOrThrow(enqueueTrial(study, {}, { userAttrs: { "hyperion:original_number": 7 } }));
  const rerun = optunaPlugin(await runOrThrow(ask(study)), "loss");
  assert.equal(rerun.configureModel(toy(0.1)).saveName, "plugin-model_s_trial-7");
  const odd = await runOrThrow(createStudy({ storage: persistentMemory(), studyName: "a/b_c" }));
  const named = optunaPlugin(await runOrThrow(ask(odd)), "loss");
  assert.equal(named.configureModel(toy(0.1)).saveName, "plugin-model_a%2Fb%5Fc_trial-0");
});

Deno.test("suggest() dispatches by type name and refuses unknown ones", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory() }));
  const plugin = optunaPlugin(await runOrThrow(ask(study)), "loss");
  const e = expectLeft(await plugin.suggest("foo", "x", {})(), "UnknownSuggestType");
  assert.match(e.message, /'foo'/);
  assert.ok(
    [1, 2, 3].includes(
      await runOrThrow(plugin.suggest("categorical", "c", { choices: [1, 2, 3] })) as number,
    ),
  );
  const n = await runOrThrow(plugin.suggest("int", "n", { low: 0, high: 10 })) as number;
  assert.ok(Number.isInteger(n) && n >= 0 && n <= 10);
  const x = await runOrThrow(plugin.suggest("float", "x", { low: 0, high: 1 })) as number;
  assert.ok(x >= 0 && x <= 1);
  expectLeft(await plugin.suggest("float", "bad", { low: 1, high: 0 })(), "InvalidDistribution");
});

Deno.test("stateDict() holds the study's name, the trial's original number and its parameters", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory(), studyName: "s" }));
  const trial = await runOrThrow(ask(study));
  const plugin = optunaPlugin(trial, "loss");
  const x = await runOrThrow(suggestFloat(trial, "x", -10, 10));
  assert.deepEqual(plugin.stateDict(), {
    format: "hyperion-optuna",
    studyName: "s",
    trialNumber: 0,
    params: { x },
  });
  assert.equal(plugin.acceptCheckpoint(plugin.stateDict() as never), true);
  const other = { ...plugin.stateDict(), studyName: "t" };
  assert.match(String(plugin.acceptCheckpoint(other as never)), /written by study 't' trial 0/);
  const moved = { ...plugin.stateDict(), params: { x: x + 1 } };
  assert.match(String(plugin.acceptCheckpoint(moved as never)), /not by study 's' trial 0/);
  assert.match(String(plugin.acceptCheckpoint(undefined)), /not written by the tuning plug-in/);
  assert.match(String(plugin.acceptCheckpoint({ x })), /not written by the tuning plug-in/);
});

Deno.test("reportMetrics() reports on rank 0 only and ignores an absent metric", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory() }));
  const trial = await runOrThrow(ask(study));
  const plugin = optunaPlugin(trial, "accuracy");
  await runOrThrow(plugin.reportMetrics(0, { loss: 1 }));
  await runOrThrow(plugin.reportMetrics(1, { accuracy: 0.5 }));
  const other = await runOrThrow(ask(study));
  const rank1 = optunaPlugin(other, "accuracy");
  await rank1.setup({ rank: 1, worldSize: 2 } as never);
  await runOrThrow(rank1.reportMetrics(0, { accuracy: 0.9 }));
  const [a, b] = await runOrThrow(getTrials(study));
  assert.deepEqual(a?.intermediateValues, { 1: 0.5 });
  assert.deepEqual(b?.intermediateValues, {});
});

Deno.test("a pruned trial ends fit with TrialPruned after the model's onTrainingEnd ran once; optimize records PRUNED", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory(), pruner: pruneAlways }));
  const seen: string[] = [];
  const summary = await runOrThrow(optimize(study, (trial) => async () => {
    const plugin = optunaPlugin(trial, "loss");
    const trainer = getOrThrow(plugin.configureTrainer(
      getOrThrow(createTrainer({ totalSteps: 10, validationFrequency: 1 })),
    ));
    const result = await fit(trainer, plugin.configureModel(toy(0.2, seen)), data)();
    return result._tag === "Left" ? result : right(result.right.state);
  }, { nTrials: 1 }));
  assert.deepEqual(summary.counts, { COMPLETE: 0, PRUNED: 1, FAIL: 0 });
  assert.deepEqual(seen, ["model.onTrainingEnd"]);
  const [t] = await runOrThrow(getTrials(study));
  assert.equal(t?.userAttrs[PRUNED_KEY], true);
  assert.equal(t?.userAttrs[PRUNED_CYCLE_KEY], 0);
  assert.deepEqual(t?.values, [t?.intermediateValues[0]]);
});

Deno.test("in distributed training ranks share the decision through the trial and checkPruned reports it", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory(), pruner: pruneAlways }));
  const trial = await runOrThrow(ask(study));
  const rank0 = optunaPlugin(trial, "loss"), rank1 = optunaPlugin(trial, "loss");
  const ctx = (rank: number) => ({ rank, worldSize: 2 }) as never;
  await rank0.setup(ctx(0));
  await rank1.setup(ctx(1));
  assert.deepEqual(await rank1.shouldTrainingStop(ctx(1)), right(false));
  await rank0.onValidationEnd({ cycle: 3, metrics: { loss: 0.5 } }, ctx(0));
  assert.deepEqual(await rank0.shouldTrainingStop(ctx(0)), right(true));
  assert.deepEqual(await rank1.shouldTrainingStop(ctx(1)), right(true));
  assert.deepEqual(await rank0.onTrainingEnd(ctx(0)), right(undefined));
  const e = expectLeft(await rank0.checkPruned()(), "TrialPruned");
  assert.equal(e.message, "Pruned on validation cycle 3");
  const notPruned = optunaPlugin(await runOrThrow(ask(study)), "loss");
  assert.deepEqual(await notPruned.checkPruned()(), right(undefined));
});

Deno.test("resumeStudy() rejects every invalid argument naming the field", async () => {
  const storage = persistentMemory();
  const cases: Array<
    [Parameters<typeof resumeStudy>[0], Parameters<typeof resumeStudy>[1], string]
  > = [
    [{ studyName: "s", loadIfExists: true }, {}, "storage"],
    [{ storage, studyName: "s" }, {}, "loadIfExists"],
    [{ storage, studyName: "s", loadIfExists: false }, {}, "loadIfExists"],
    [{ storage, loadIfExists: true }, {}, "studyName"],
    [{ storage, studyName: "s", loadIfExists: true }, { failedStates: ["PRUNED"] }, "failedStates"],
    [
      { storage, studyName: "s", loadIfExists: true },
      { failedStates: ["COMPLETE"] },
      "failedStates",
    ],
    [
      { storage, studyName: "s", loadIfExists: true },
      { failedStates: ["BROKEN" as never] },
      "failedStates",
    ],
    [{ storage: memoryStorage(), studyName: "s", loadIfExists: true }, {}, "storage"],
  ];
  for (const [args, options, field] of cases) {
    const e = expectLeft(await resumeStudy(args, options)(), "InvalidStudyArgs");
    assert.equal((e as { field: string }).field, field, e.message);
  }
  assert.deepEqual(await runOrThrow(storage.listStudies()), []);
});

Deno.test("planResume() re-runs failed trials at their numbers, keeping completed re-runs and original numbers", () => {
  const t = (
    number: number,
    state: "COMPLETE" | "FAIL" | "RUNNING" | "PRUNED",
    userAttrs = {},
  ) => ({
    number,
    trialId: number,
    state,
    values: state === "COMPLETE" ? [number] : null,
    params: { x: number / 10 },
    distributions: {
      x: { _tag: "FloatDistribution" as const, low: 0, high: 1, log: false, step: null },
    },
    intermediateValues: { 0: number },
    userAttrs,
    systemAttrs: state === "FAIL" ? { grid_id: number, fail_reason: "boom" } : {},
    datetimeStart: 0,
    datetimeComplete: 0,
  });
  const trials = [
    t(0, "COMPLETE"),
    t(1, "FAIL"),
    t(2, "FAIL", { "hyperion:original_number": 1 }), // a re-run of 1 that failed again
    t(3, "RUNNING"),
    t(4, "FAIL"),
    t(5, "COMPLETE", { "hyperion:original_number": 4 }), // 4 was already re-run successfully
    t(6, "PRUNED"),
  ];
  const { plan, templates } = planResume(trials, ["FAIL", "RUNNING"]);
  assert.deepEqual(plan.rerun, [1, 2, 3]);
  assert.deepEqual(plan.kept, [0, 4, 5, 6]);
  assert.equal(templates[2]?.state, "WAITING");
  assert.equal(templates[2]?.userAttrs?.["hyperion:original_number"], 1);
  assert.equal(templates[3]?.userAttrs?.["hyperion:original_number"], 3);
  // the sampler's record of the trial is kept, the failure's reason is not
  assert.deepEqual(templates[1]?.systemAttrs, { grid_id: 1, fixed_params: { x: 0.1 } });
  assert.deepEqual(templates[3]?.systemAttrs, { fixed_params: { x: 0.3 } });
  assert.deepEqual(templates[1]?.intermediateValues, { 0: 1 });
  assert.equal(planResume(trials, ["FAIL"]).plan.rerun.includes(3), false);
});

Deno.test("resumeStudy() rebuilds the study keeping numbers and leaves other studies alone", async () => {
  const storage = persistentMemory();
  const other = await runOrThrow(createStudy({ storage, studyName: "other" }));
  await runOrThrow(tell(other, await runOrThrow(ask(other)), { values: [1] }));
  const study = await runOrThrow(
    createStudy({ storage, studyName: "main", sampler: randomSampler({ seed: 1 }) }),
  );
  for (let i = 0; i < 4; i++) {
    const trial = await runOrThrow(ask(study));
    const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
    await runOrThrow(tell(study, trial, i === 2 ? { state: "FAIL" } : { values: [x] }));
  }
  const before = await runOrThrow(getTrials(study));
  const resumed = await runOrThrow(resumeStudy({ storage, studyName: "main", loadIfExists: true }));
  const after = await runOrThrow(getTrials(resumed));
  assert.deepEqual(after.map((t) => [t.number, t.state]), [[0, "COMPLETE"], [1, "COMPLETE"], [
    2,
    "WAITING",
  ], [3, "COMPLETE"]]);
  assert.deepEqual(after[2]?.params, before[2]?.params);
  assert.deepEqual(after[3]?.values, before[3]?.values);
  const names = (await runOrThrow(storage.listStudies())).map((s) => s.studyName).sort();
  assert.deepEqual(names, ["main", "main_backup-0", "other"]);
  // the re-run gets its parameters back
  const rerun = await runOrThrow(ask(resumed));
  assert.equal(rerun.number, 2);
  assert.equal(await runOrThrow(suggestFloat(rerun, "x", 0, 1)), before[2]?.params.x);
  await runOrThrow(tell(resumed, rerun, { values: [0.5] }));
  // nothing failed any more: a second resume changes nothing but makes another backup
  const again = await runOrThrow(resumeStudy({ storage, studyName: "main", loadIfExists: true }));
  assert.equal(
    (await runOrThrow(getTrials(again))).filter((t) => t.state === "COMPLETE").length,
    4,
  );
  assert.ok((await runOrThrow(storage.listStudies())).some((s) => s.studyName === "main_backup-1"));
});

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

Deno.test("trialPruned() from the objective is recorded as PRUNED even without the plug-in", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory() }));
  const s = await runOrThrow(
    optimize(study, () => () => Promise.resolve({ _tag: "Left", left: trialPruned() }), {
      nTrials: 2,
    }),
  );
  assert.equal(s.counts.PRUNED, 2);
});

Deno.test("resumeStudy() on SQLite backs the file up as <stem>_backup-0, -1, … and only when the study exists", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const url = `sqlite:///${join(dir, "runs.db")}`;
    const args = { storage: url, studyName: "s", loadIfExists: true } as const;
    const fresh = await runOrThrow(resumeStudy(args));
    assert.deepEqual((await readdir(dir)).filter((f) => f.includes("_backup-")), []);
    const trial = await runOrThrow(ask(fresh));
    await runOrThrow(suggestFloat(trial, "x", 0, 1));
    await runOrThrow(tell(fresh, trial, { state: "FAIL" }));
    await runOrThrow(fresh.storage.close());

    const first = await runOrThrow(resumeStudy(args));
    await runOrThrow(first.storage.close());
    const second = await runOrThrow(resumeStudy(args));
    await runOrThrow(second.storage.close());
    assert.deepEqual((await readdir(dir)).filter((f) => f.includes("_backup-")).sort(), [
      "runs_backup-0.db",
      "runs_backup-1.db",
    ]);
    // the first backup holds the study as it was before the first resume: trial 0 FAIL
    const backup = await runOrThrow(openStorage(`sqlite:///${join(dir, "runs_backup-0.db")}`));
    const old = await runOrThrow(loadStudy({ storage: backup, studyName: "s" }));
    assert.deepEqual((await runOrThrow(getTrials(old))).map((t) => t.state), ["FAIL"]);
    await runOrThrow(backup.close());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resumeStudy() keeps the original number when a re-run fails again", async () => {
  const storage = persistentMemory();
  const args = { storage, studyName: "again", loadIfExists: true, backupStudy: false } as const;
  const study = await runOrThrow(createStudy({ storage, studyName: "again" }));
  for (const state of ["COMPLETE", "FAIL"] as const) {
    const t = await runOrThrow(ask(study));
    await runOrThrow(suggestFloat(t, "x", 0, 1));
    await runOrThrow(tell(study, t, state === "FAIL" ? { state } : { values: [1] }));
  }
  const once = await runOrThrow(resumeStudy(args, { backupStudy: false }));
  const rerun = await runOrThrow(ask(once));
  assert.equal(rerun.number, 1);
  await runOrThrow(tell(once, rerun, { state: "FAIL" }));
  const twice = await runOrThrow(resumeStudy(args, { backupStudy: false }));
  const trials = await runOrThrow(getTrials(twice));
  assert.deepEqual(trials.map((t) => [t.number, t.state, t.userAttrs[ORIGINAL_NUMBER_KEY]]), [
    [0, "COMPLETE", undefined],
    [1, "WAITING", 1],
  ]);
  const names = (await runOrThrow(storage.listStudies())).map((s) => s.studyName);
  assert.deepEqual(names, ["again"]);
});

Deno.test("resumeStudy() never deletes a study it did not create, even one named <name>.resume-*", async () => {
  const storage = persistentMemory();
  // Studies of the user's that look like the temporaries of an older version.
  for (const name of ["main.resume-x", "main.resume-old-dead", "main.resume-dead"]) {
    const s = await runOrThrow(createStudy({ storage, studyName: name }));
    await runOrThrow(tell(s, await runOrThrow(ask(s)), { values: [1] }));
  }
  const main = await runOrThrow(createStudy({ storage, studyName: "main" }));
  const t = await runOrThrow(ask(main));
  await runOrThrow(suggestFloat(t, "x", 0, 1));
  await runOrThrow(tell(main, t, { state: "FAIL" }));
  const resumed = await runOrThrow(
    resumeStudy({ storage, studyName: "main", loadIfExists: true }, { backupStudy: false }),
  );
  assert.deepEqual((await runOrThrow(getTrials(resumed))).map((x) => [x.number, x.state]), [
    [0, "WAITING"],
  ]);
  assert.deepEqual((await runOrThrow(storage.listStudies())).map((s) => s.studyName).sort(), [
    "main",
    "main.resume-dead",
    "main.resume-old-dead",
    "main.resume-x",
  ]);
  for (const name of ["main.resume-x", "main.resume-old-dead", "main.resume-dead"]) {
    const s = await runOrThrow(loadStudy({ storage, studyName: name }));
    assert.deepEqual((await runOrThrow(getTrials(s))).map((x) => x.state), ["COMPLETE"]);
  }
});

Deno.test("resumeStudy() on SQLite backs up before anything changes: a user's <name>.resume-x study survives and is in the backup", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const url = `sqlite:///${join(dir, "runs.db")}`;
    const storage = await runOrThrow(openStorage(url));
    const mine = await runOrThrow(createStudy({ storage, studyName: "main.resume-x" }));
    await runOrThrow(tell(mine, await runOrThrow(ask(mine)), { values: [3] }));
    const main = await runOrThrow(createStudy({ storage, studyName: "main" }));
    const t = await runOrThrow(ask(main));
    await runOrThrow(suggestFloat(t, "x", 0, 1));
    await runOrThrow(tell(main, t, { state: "FAIL" }));
    const resumed = await runOrThrow(
      resumeStudy({ storage, studyName: "main", loadIfExists: true }),
    );
    assert.deepEqual((await runOrThrow(getTrials(resumed))).map((x) => x.state), ["WAITING"]);
    assert.deepEqual((await runOrThrow(storage.listStudies())).map((s) => s.studyName).sort(), [
      "main",
      "main.resume-x",
    ]);
    await runOrThrow(storage.close());
    assert.deepEqual((await readdir(dir)).filter((f) => f.includes("_backup-")), [
      "runs_backup-0.db",
    ]);
    const backup = await runOrThrow(openStorage(`sqlite:///${join(dir, "runs_backup-0.db")}`));
    const names = (await runOrThrow(backup.listStudies())).map((s) => s.studyName).sort();
    assert.deepEqual(names, ["main", "main.resume-x"]);
    const old = await runOrThrow(loadStudy({ storage: backup, studyName: "main" }));
    assert.deepEqual((await runOrThrow(getTrials(old))).map((x) => x.state), ["FAIL"]);
    assert.equal(
      (await runOrThrow(backup.getStudy("main"))).systemAttrs[RESUME_MARK_KEY],
      undefined,
      "the backup was taken before the study was marked",
    );
    const user = await runOrThrow(loadStudy({ storage: backup, studyName: "main.resume-x" }));
    assert.deepEqual((await runOrThrow(getTrials(user))).map((x) => x.values), [[3]]);
    await runOrThrow(backup.close());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const WRITES = [
  "createStudy",
  "deleteStudy",
  "renameStudy",
  "setStudyAttr",
  "createTrial",
  "claimWaitingTrial",
  "setTrialParam",
  "setTrialIntermediateValue",
  "setTrialStateValues",
  "setTrialAttr",
  "recordHeartbeat",
  "failStaleTrials",
] as const;

/**
 * The storage as a process that dies after its `k`-th write sees it: that write lands, then
 * every later call (read or write) fails and changes nothing. `writes()` counts the writes.
 */
function killAfter(storage: Storage, k: number): { storage: Storage; writes: () => number } {
  let writes = 0;
  const dead = () => writes > k;
  const wrapped: Record<string, unknown> = { ...storage };
  for (const [name, f] of Object.entries(storage)) {
    if (typeof f !== "function" || name === "close") continue;
    const isWrite = (WRITES as ReadonlyArray<string>).includes(name);
    wrapped[name] = (...args: unknown[]) => () => {
      if (dead()) return Promise.resolve({ _tag: "Left", left: storageError(name, "killed") });
      if (isWrite && ++writes > k) {
        return Promise.resolve({ _tag: "Left", left: storageError(name, "killed") });
      }
      return (f as (...a: unknown[]) => () => Promise<unknown>)(...args)();
    };
  }
  return { storage: wrapped as unknown as Storage, writes: () => writes };
}

/** A storage holding the user's studies and a study "main" with trials to re-run. */
async function crashedStorage(): Promise<Storage> {
  const storage = persistentMemory();
  const mine = await runOrThrow(createStudy({ storage, studyName: "main.resume-x" }));
  await runOrThrow(tell(mine, await runOrThrow(ask(mine)), { values: [1] }));
  await runOrThrow(createStudy({ storage, studyName: "other" }));
  const main = await runOrThrow(
    createStudy({ storage, studyName: "main", sampler: randomSampler({ seed: 3 }) }),
  );
  await runOrThrow(storage.setStudyAttr({ id: main.studyId, kind: "user", key: "k", value: 1 }));
  for (let i = 0; i < 4; i++) {
    const trial = await runOrThrow(ask(main));
    await runOrThrow(suggestFloat(trial, "x", 0, 1));
    await runOrThrow(report(trial, i, 0));
    if (i === 3) break; // left RUNNING by the crash
    await runOrThrow(tell(main, trial, i === 1 ? { state: "FAIL" } : { values: [i] }));
  }
  return storage;
}

/** A study's content without ids, dates and the resume mark. */
async function content(storage: Storage, name: string): Promise<unknown> {
  const record = await runOrThrow(storage.getStudy(name));
  const trials = await runOrThrow(storage.getAllTrials(record.studyId));
  const { [RESUME_MARK_KEY]: _mark, ...systemAttrs } = record.systemAttrs;
  return {
    directions: record.directions,
    userAttrs: record.userAttrs,
    systemAttrs,
    trials: trials.map((t) => ({
      number: t.number,
      state: t.state,
      values: t.values,
      params: t.params,
      distributions: t.distributions,
      intermediateValues: t.intermediateValues,
      userAttrs: t.userAttrs,
      systemAttrs: t.systemAttrs,
    })),
  };
}

Deno.test("resumeStudy() killed after any write, once or twice in a row, ends like an uninterrupted call on the next call", async () => {
  const args = (storage: Storage) => ({ storage, studyName: "main", loadIfExists: true }) as const;
  const options = { failedStates: ["FAIL", "RUNNING"] } as const;
  // the uninterrupted call
  const reference = await crashedStorage();
  const original = await content(reference, "main");
  const counted = killAfter(reference, Infinity);
  await runOrThrow(resumeStudy(args(counted.storage), options));
  const total = counted.writes();
  const expected = await content(reference, "main");
  assert.notDeepEqual(expected, original);
  assert.ok(total > 10, `the call writes ${total} times`);

  const check = async (storage: Storage, label: string) => {
    const names = (await runOrThrow(storage.listStudies())).map((s) => s.studyName);
    const backups = names.filter((n) => /^main_backup-\d+$/.test(n));
    assert.deepEqual(
      names.filter((n) => !backups.includes(n)).sort(),
      ["main", "main.resume-x", "other"],
      label,
    );
    assert.deepEqual(await content(storage, "main"), expected, label);
    assert.deepEqual(
      (await content(storage, "main.resume-x") as { trials: unknown[] }).trials.length,
      1,
      label,
    );
    assert.ok(backups.length >= 1, label);
    for (const b of backups) {
      const copy = await content(storage, b);
      assert.ok(
        JSON.stringify(copy) === JSON.stringify(original) ||
          JSON.stringify(copy) === JSON.stringify(expected),
        `${label}: ${b} is a whole copy`,
      );
    }
    assert.ok(
      await Promise.all(backups.map((b) => content(storage, b))).then((cs) =>
        cs.some((c) => JSON.stringify(c) === JSON.stringify(original))
      ),
      `${label}: the original is backed up`,
    );
  };

  for (let k = 0; k < total; k++) {
    const storage = await crashedStorage();
    const killed = await resumeStudy(args(killAfter(storage, k).storage), options)();
    assert.equal(killed._tag, "Left", `killed after write ${k}`);
    await runOrThrow(resumeStudy(args(storage), options));
    await check(storage, `killed after write ${k}`);
    // twice in a row: the restart is killed too, at every write it makes
    for (let k2 = 0;; k2++) {
      const again = await crashedStorage();
      await resumeStudy(args(killAfter(again, k).storage), options)();
      const second = killAfter(again, k2);
      const r = await resumeStudy(args(second.storage), options)();
      if (r._tag === "Right") {
        await check(again, `killed after write ${k}, then after write ${k2} (finished)`);
        break;
      }
      await runOrThrow(resumeStudy(args(again), options));
      await check(again, `killed after write ${k}, then after write ${k2}`);
    }
  }
});

/** Runs the crash-test worker; returns its exit code and, when it finished, what it wrote. */
async function runWorker(
  root: string,
  extra: string[] = [],
): Promise<{ code: number; out?: WorkerOut }> {
  const outPath = join(root, `out-${crypto.randomUUID()}.json`);
  const worker = new URL("../../fixtures/plugin/tune_worker.ts", import.meta.url).pathname;
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", worker, "--root", root, "--out", outPath, "--n-trials", "10", ...extra],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!run.success && run.code !== 137) {
    throw new Error(`worker failed (${run.code}): ${new TextDecoder().decode(run.stderr)}`);
  }
  if (!run.success) return { code: run.code };
  return { code: run.code, out: JSON.parse(await Deno.readTextFile(outPath)) as WorkerOut };
}

interface WorkerOut {
  readonly trials: ReadonlyArray<
    {
      number: number;
      state: string;
      params: Record<string, unknown>;
      values?: number[];
      intermediateValues: Record<string, number>;
      originalNumber?: number;
    }
  >;
  readonly resumedFrom: Record<string, string>;
}

Deno.test("a worker killed with SIGKILL mid-training resumes from the trial's checkpoint and ends like an uninterrupted run", async () => {
  const clean = await Deno.makeTempDir();
  const crashed = await Deno.makeTempDir();
  try {
    const reference = await runWorker(clean);
    assert.equal(reference.code, 0);
    assert.deepEqual(reference.out?.resumedFrom, {});

    const killed = await runWorker(crashed, ["--kill-trial", "4", "--kill-epoch", "5"]);
    assert.equal(killed.code, 137, "the worker died of SIGKILL");
    const checkpoints = await readdir(join(crashed, "chkpt", "regression_crash_trial-4"));
    assert.ok(checkpoints.some((f) => f.includes("epoch_4")), checkpoints.join(", "));

    const resumed = await runWorker(crashed);
    assert.equal(resumed.code, 0);
    // trial 4 (left RUNNING by the kill) was re-run at its number, from its epoch-4 checkpoint
    assert.match(
      resumed.out?.resumedFrom["4"] ?? "",
      /regression_crash_trial-4_epoch_4_iter_\d+\.json$/,
    );
    assert.deepEqual(Object.keys(resumed.out?.resumedFrom ?? {}), ["4"]);
    const rerun = resumed.out?.trials.find((t) => t.number === 4);
    assert.equal(rerun?.originalNumber, 4);
    // and the study ends with the params, values and states of the run that was never killed
    const shape = (out: WorkerOut | undefined) =>
      out?.trials.map((t) => ({
        number: t.number,
        state: t.state,
        params: Object.fromEntries(Object.entries(t.params).sort()),
        values: t.values,
        intermediateValues: t.intermediateValues,
      }));
    assert.deepEqual(shape(resumed.out), shape(reference.out));
    assert.ok(
      reference.out?.trials.some((t) => t.state === "PRUNED"),
      "the median pruner acted in the run",
    );
    assert.deepEqual(
      (await readdir(crashed)).filter((f) => f.includes("_backup-")),
      ["study_backup-0.db"],
    );
  } finally {
    await Deno.remove(clean, { recursive: true });
    await Deno.remove(crashed, { recursive: true });
  }
});

Deno.test("a resumed run asked to prune before it reports records the trial's last reported cycle, never null", async () => {
  const chkptRoot = await Deno.makeTempDir();
  try {
    let pruneNow = false;
    const pruner: Pruner = {
      kind: "when-told",
      options: {},
      prune: () => right({ prune: pruneNow }),
    };
    const study = await runOrThrow(
      createStudy({ storage: persistentMemory(), studyName: "p", pruner }),
    );
    const trial = await runOrThrow(ask(study));
    const config = { totalSteps: 6, validationFrequency: 1, checkpointFrequency: 1, chkptRoot };
    // The power cut lands after the epoch-3 checkpoint, before the pruning decision is stored.
    const powerCut: Plugin = {
      id: "power-cut",
      shouldTrainingStop: (ctx) => {
        // after epoch 3's validation and checkpoint, before the plug-in decides
        if (ctx.epoch === 3 && ctx.validationCycles === 3) throw new Error("power cut");
        return false;
      },
    };
    const first = optunaPlugin(trial, "loss");
    const cut = getOrThrow(registerPlugin(getOrThrow(createTrainer(config)), powerCut));
    const died = await fit(
      getOrThrow(first.configureTrainer(cut)),
      first.configureModel(toy(0.1)),
      data,
    )();
    assert.ok(died._tag === "Left" && /power cut/.test(died.left.message));
    assert.deepEqual(Object.keys((await runOrThrow(getTrials(study)))[0]!.intermediateValues), [
      "0",
      "1",
      "2",
    ]);
    pruneNow = true;
    const again = optunaPlugin(trial, "loss");
    const trainer = getOrThrow(again.configureTrainer(getOrThrow(createTrainer(config))));
    const seen: string[] = [];
    const r = await fit(trainer, again.configureModel(toy(0.1, seen)), data)();
    const e = expectLeft(r, "TrialPruned");
    assert.equal(e.message, "Pruned on validation cycle 2");
    assert.deepEqual(seen, ["model.onTrainingEnd"]);
    const [t] = await runOrThrow(getTrials(study));
    assert.equal(t?.userAttrs[PRUNED_KEY], true);
    assert.equal(t?.userAttrs[PRUNED_CYCLE_KEY], 2);
  } finally {
    await Deno.remove(chkptRoot, { recursive: true });
  }
});

Deno.test("two studies sharing a chkptRoot never resume each other's checkpoints", async () => {
  const root = await Deno.makeTempDir();
  try {
    const chkptRoot = join(root, "chkpt");
    const config = { totalSteps: 4, validationFrequency: 1, checkpointFrequency: 1, chkptRoot };
    const train = async (trial: Trial, rate: number) => {
      const plugin = optunaPlugin(trial, "loss");
      const trainer = getOrThrow(plugin.configureTrainer(getOrThrow(createTrainer(config))));
      return await fit(trainer, plugin.configureModel(toy(rate)), data)();
    };
    const storage = persistentMemory();
    const a = await runOrThrow(createStudy({ storage, studyName: "a" }));
    const b = await runOrThrow(createStudy({ storage, studyName: "b" }));
    const ta = await runOrThrow(ask(a));
    await runOrThrow(suggestFloat(ta, "rate", 0, 1));
    const ra = getOrThrow(await train(ta, 0.5));
    assert.equal(ra.resumedFrom, undefined);
    // study b's trial 0, same folder, same model: its own checkpoints, from scratch
    const tb = await runOrThrow(ask(b));
    await runOrThrow(suggestFloat(tb, "rate", 0, 1));
    const rb = getOrThrow(await train(tb, 0.1));
    assert.equal(rb.resumedFrom, undefined);
    assert.notEqual(rb.state, ra.state);
    assert.deepEqual((await readdir(chkptRoot)).sort(), [
      "plugin-model_a_trial-0",
      "plugin-model_b_trial-0",
    ]);
    // a re-run of a's trial 0 with the same parameters resumes a's checkpoint
    const again = getOrThrow(await train(ta, 0.5));
    assert.match(again.resumedFrom ?? "", /plugin-model_a_trial-0_epoch_4_iter_\d+\.json$/);
    // a checkpoint of another study (or other parameters) moved into the folder is refused
    const foreign = join(chkptRoot, "plugin-model_b_trial-0");
    for (const f of await readdir(foreign)) {
      const doc = JSON.parse(await Deno.readTextFile(join(foreign, f)));
      doc.plugins.optuna.studyName = "a";
      doc.plugins.optuna.params = { rate: 0.123 };
      await writeFile(join(foreign, f), JSON.stringify(doc));
    }
    const refused = await train(tb, 0.1);
    const e = expectLeft(refused, "CorruptCheckpoint");
    assert.match(e.message, /plug-in 'optuna' refuses it: it was written by study 'a' trial 0/);
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

Deno.test("optunaPlugin(), checkpointSampler(), restoreSampler() and resumeStudy() give a Left naming the field on null, undefined, a Symbol or a wrong type", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory(), studyName: "s" }));
  const trial = await runOrThrow(ask(study));
  const bad: unknown[] = [null, undefined, Symbol("t"), 42, "trial", {}];
  for (const value of bad) {
    const plugin = optunaPlugin(value as never, "loss");
    for (
      const r of [
        await plugin.setup(),
        plugin.configureTrainer(getOrThrow(createTrainer())),
        await plugin.shouldTrainingStop(),
        await plugin.onTrainingEnd(),
        await plugin.suggest("float", "x", { low: 0, high: 1 })(),
        await plugin.reportMetrics(0, { loss: 1 })(),
        await plugin.checkPruned()(),
      ]
    ) {
      const e = expectLeft(r, "InvalidArgument");
      assert.match(e.message, /'trial'/);
    }
    // fit fails before training, naming the field
    const trainer = getOrThrow(createTrainer());
    const withPlugin = getOrThrow(
      registerPlugin(trainer, plugin),
    );
    const r = await fit(withPlugin, plugin.configureModel(toy(0.1)), data)();
    assert.ok(r._tag === "Left" && /'trial'/.test(r.left.message), String(value));
    const cp = expectLeft(await checkpointSampler(value as never, "/tmp/x")(), "InvalidArgument");
    assert.match(cp.message, /'trial'/);
  }
  for (const value of [null, undefined, Symbol("m"), 3, ""]) {
    const e = expectLeft(await optunaPlugin(trial, value as never).setup(), "InvalidArgument");
    assert.match(e.message, /'metricName'/);
    assert.ok(e.message.includes(String(value === "" ? "''" : value)), e.message);
  }
  for (const value of [null, undefined, Symbol("d"), 3, ""]) {
    const cp = expectLeft(await checkpointSampler(trial, value as never)(), "InvalidArgument");
    assert.match(cp.message, /'chkptRoot'/);
    const rs = expectLeft(await restoreSampler(value as never)(), "InvalidArgument");
    assert.match(rs.message, /'chkptRoot'/);
  }
  for (const value of [null, Symbol("o"), 3, "opts"]) {
    const rs = expectLeft(await restoreSampler("/tmp", value as never)(), "InvalidArgument");
    assert.match(rs.message, /'options'/);
  }
  for (const value of [null, Symbol("n"), 3, ""]) {
    const rs = expectLeft(
      await restoreSampler("/tmp", { studyName: value as never })(),
      "InvalidArgument",
    );
    assert.match(rs.message, /'studyName'/);
  }
  const storage = persistentMemory();
  const before = await runOrThrow(storage.listStudies());
  const cases: Array<[unknown, unknown, string]> = [
    [null, {}, "studyArgs"],
    [undefined, {}, "studyArgs"],
    [Symbol("a"), {}, "studyArgs"],
    ["args", {}, "studyArgs"],
    [{ storage, studyName: "s", loadIfExists: true }, null, "options"],
    [{ storage, studyName: "s", loadIfExists: true }, Symbol("o"), "options"],
    [{ storage, studyName: "s", loadIfExists: true }, { failedStates: null }, "failedStates"],
    [{ storage, studyName: "s", loadIfExists: true }, { failedStates: "FAIL" }, "failedStates"],
    [{ storage, studyName: "s", loadIfExists: true }, { backupStudy: "yes" }, "backupStudy"],
    [{ storage: null, studyName: "s", loadIfExists: true }, {}, "storage"],
    [{ storage: Symbol("s"), studyName: "s", loadIfExists: true }, {}, "storage"],
    [{ storage: 42, studyName: "s", loadIfExists: true }, {}, "storage"],
    [{ storage: {}, studyName: "s", loadIfExists: true }, {}, "storage"],
    [{ storage, studyName: null, loadIfExists: true }, {}, "studyName"],
    [{ storage, studyName: Symbol("n"), loadIfExists: true }, {}, "studyName"],
  ];
  for (const [args, options, field] of cases) {
    const e = expectLeft(await resumeStudy(args as never, options as never)(), "InvalidStudyArgs");
    assert.equal((e as { field: string }).field, field, e.message);
    assert.ok(e.message.includes(`'${field}'`), e.message);
  }
  assert.deepEqual(await runOrThrow(storage.listStudies()), before, "nothing was stored");
});

Deno.test("a re-run keeps its sampler's record: a grid point and a QMC index stay the failed trial's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const space = { x: [0, 1, 2], y: [10, 20] };
    const cases = [
      ["grid", () => gridSampler(space, { seed: 4 })],
      ["qmc", () => qmcSampler({ seed: 4, scramble: true })],
    ] as const;
    for (const [name, sampler] of cases) {
      const url = `sqlite:///${join(dir, `${name}.db`)}`;
      const objective = (failAt?: number) => (trial: Trial) => async () => {
        const x = await runOrThrow(suggestCategorical(trial, "x", space.x));
        // a crash between two suggestions: the re-run keeps x and draws y
        if (trial.number === failAt) throw new Error("crash after x");
        const y = await runOrThrow(suggestCategorical(trial, "y", space.y));
        return right(x + y);
      };
      const straight = await runOrThrow(createStudy({ sampler: sampler() }));
      await runOrThrow(optimize(straight, objective(), { nTrials: 5 }));
      const first = await runOrThrow(
        createStudy({
          storage: await runOrThrow(openStorage(url)),
          studyName: "s",
          sampler: sampler(),
        }),
      );
      await optimize(first, objective(3), { nTrials: 5 })();
      await runOrThrow(first.storage.close());
      const resumed = await runOrThrow(resumeStudy(
        { storage: url, studyName: "s", loadIfExists: true, sampler: sampler() },
        { backupStudy: false },
      ));
      const plan = await runOrThrow(getTrials(resumed));
      assert.equal(plan[3]?.state, "WAITING", name);
      await runOrThrow(optimize(resumed, objective(), { nTrials: 2 }));
      const params = (s: ReadonlyArray<{ params: unknown }>) => s.map((t) => t.params);
      assert.deepEqual(
        params(await runOrThrow(getTrials(resumed))),
        params(await runOrThrow(getTrials(straight))),
        name,
      );
      await runOrThrow(resumed.storage.close());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
