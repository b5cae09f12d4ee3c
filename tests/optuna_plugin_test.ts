import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ask,
  createStudy,
  enqueueTrial,
  getTrials,
  loadStudy,
  memoryStorage,
  optimize,
  type Pruner,
  randomSampler,
  right,
  runOrThrow,
  type Storage,
  suggestFloat,
  tell,
  trialPruned,
} from "../mod.ts";
import { createTrainer, fit, getOrThrow, type Model, type Plugin } from "../lib/trainer/mod.ts";
import {
  checkpointSampler,
  OPTUNA_PLUGIN_ID,
  optunaPlugin,
  ORIGINAL_NUMBER_KEY,
  planResume,
  PRUNED_CYCLE_KEY,
  PRUNED_KEY,
  restoreSampler,
  resumeStudy,
} from "../lib/plugins/optuna.ts";
import { openStorage } from "../lib/storage/open.ts";
import { expectLeft } from "./_helpers/study.ts";

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

Deno.test("configureModel() names the model after the trial, or the trial it re-runs", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory() }));
  const first = optunaPlugin(await runOrThrow(ask(study)), "loss");
  assert.equal(first.configureModel(toy(0.1)).saveName, "plugin-model_trial-0");
  await runOrThrow(enqueueTrial(study, {}, { userAttrs: { "hyperion:original_number": 7 } }));
  const rerun = optunaPlugin(await runOrThrow(ask(study)), "loss");
  assert.equal(rerun.configureModel(toy(0.1)).saveName, "plugin-model_trial-7");
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

Deno.test("stateDict() holds the trial's parameters", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory() }));
  const trial = await runOrThrow(ask(study));
  const plugin = optunaPlugin(trial, "loss");
  const x = await runOrThrow(suggestFloat(trial, "x", -10, 10));
  assert.deepEqual(plugin.stateDict(), { x });
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
    systemAttrs: {},
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
  assert.deepEqual(templates[1]?.systemAttrs, { fixed_params: { x: 0.1 } });
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
      [...Array(10).keys()].map((n) => `sampler_trial-${n}.json`).sort(),
    );
    assert.equal(await runOrThrow(restoreSampler(join(root, "b"))), undefined);
    const storage = persistentMemory();
    const firstHalf = await run("b", storage, 5);
    assert.equal(firstHalf.length, 5);
    const restored = await runOrThrow(restoreSampler(join(root, "b")));
    assert.ok(restored !== undefined);
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
    const study = await runOrThrow(createStudy({ sampler: randomSampler({ seed: 1 }) }));
    for (let i = 0; i < 11; i++) {
      const trial = await runOrThrow(ask(study));
      await runOrThrow(checkpointSampler(trial, root));
      await runOrThrow(tell(study, trial, { values: [i] }));
    }
    await writeFile(join(root, "notes.txt"), "hello");
    await writeFile(join(root, "sampler_trial-x.json"), "{}");
    const restored = await runOrThrow(restoreSampler(root));
    assert.equal(restored?.kind, "random");
    await writeFile(join(root, "sampler_trial-12.json"), "{ not json");
    const e = expectLeft(await restoreSampler(root)(), "CorruptCheckpoint");
    assert.match(e.message, /sampler_trial-12\.json/);
    await writeFile(
      join(root, "sampler_trial-12.json"),
      JSON.stringify({
        format: "hyperion-sampler",
        version: 1,
        sampler: { kind: "evil", options: {}, state: {} },
      }),
    );
    assert.match(expectLeft(await restoreSampler(root)(), "CorruptCheckpoint").message, /'evil'/);
    await writeFile(
      join(root, "sampler_trial-12.json"),
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
    assert.match(e.message, /sampler_trial-0\.json/);
    await mkdir(join(root, "ok"));
    assert.equal(
      await runOrThrow(checkpointSampler(trial, join(root, "ok"))),
      join(root, "ok", "sampler_trial-0.json"),
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

Deno.test("resumeStudy() finishes the swap a killed process left halfway", async () => {
  const storage = persistentMemory();
  // The killed process had renamed the original away and not yet renamed the rebuilt one in.
  const original = await runOrThrow(createStudy({ storage, studyName: "main.resume-old-dead" }));
  const t = await runOrThrow(ask(original));
  await runOrThrow(suggestFloat(t, "x", 0, 1));
  await runOrThrow(tell(original, t, { state: "FAIL" }));
  await runOrThrow(createStudy({ storage, studyName: "main.resume-dead" }));
  const resumed = await runOrThrow(
    resumeStudy({ storage, studyName: "main", loadIfExists: true }, { backupStudy: false }),
  );
  const trials = await runOrThrow(getTrials(resumed));
  assert.deepEqual(trials.map((x) => [x.number, x.state]), [[0, "WAITING"]]);
  assert.deepEqual((await runOrThrow(storage.listStudies())).map((s) => s.studyName), ["main"]);
});

/** Runs the crash-test worker; returns its exit code and, when it finished, what it wrote. */
async function runWorker(
  root: string,
  extra: string[] = [],
): Promise<{ code: number; out?: WorkerOut }> {
  const outPath = join(root, `out-${crypto.randomUUID()}.json`);
  const worker = new URL("./fixtures/plugin/tune_worker.ts", import.meta.url).pathname;
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
    const checkpoints = await readdir(join(crashed, "chkpt", "regression_trial-4"));
    assert.ok(checkpoints.some((f) => f.includes("epoch_4")), checkpoints.join(", "));

    const resumed = await runWorker(crashed);
    assert.equal(resumed.code, 0);
    // trial 4 (left RUNNING by the kill) was re-run at its number, from its epoch-4 checkpoint
    assert.match(resumed.out?.resumedFrom["4"] ?? "", /regression_trial-4_epoch_4_iter_\d+\.json$/);
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
