/**
 * `optunaPlugin()`: reports, pruning decisions, checkpoint names and ownership, distributed
 * ranks, and a real SIGKILLed worker that resumes from its trial's checkpoint.
 */
import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ask,
  createStudy,
  enqueueTrial,
  getTrials,
  memoryStorage,
  optimize,
  type Pruner,
  right,
  runOrThrow,
  suggestFloat,
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
  PRUNED_CYCLE_KEY,
  PRUNED_KEY,
  restoreSampler,
  resumeStudy,
} from "../../../lib/plugins/optuna/mod.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { persistentMemory } from "./_helpers.ts";

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

Deno.test("trialPruned() from the objective is recorded as PRUNED even without the plug-in", async () => {
  const study = await runOrThrow(createStudy({ storage: persistentMemory() }));
  const s = await runOrThrow(
    optimize(study, () => () => Promise.resolve({ _tag: "Left", left: trialPruned() }), {
      nTrials: 2,
    }),
  );
  assert.equal(s.counts.PRUNED, 2);
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
