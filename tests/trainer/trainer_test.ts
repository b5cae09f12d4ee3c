import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { trialPruned } from "../../lib/errors.ts";
import { rngFromSeed, uniform } from "../../lib/random/rng.ts";
import {
  addTrainExceptions,
  arrayDataModule,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  configureModel,
  configureTrainer,
  createTrainer,
  type DataModule,
  findLatestCheckpoint,
  findPlugin,
  fit,
  getOrThrow,
  type HyperionError,
  left,
  type Model,
  type Plugin,
  readCheckpoint,
  registerPlugin,
  type TrainerConfig,
  type TrainingContext,
} from "../../lib/trainer/mod.ts";
import { checkpointFileName } from "../../lib/trainer/checkpoint.ts";
import {
  probePlugin,
  regressionData,
  regressionModel,
  type RegressionState,
  type Sample,
  trainerOf,
  withTempDir,
} from "../fixtures/trainer_fixture.ts";

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

async function listFiles(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    out.set(name, await readFile(join(dir, name), "utf8"));
  }
  return out;
}

function expectLeft<A>(
  result: { _tag: "Left"; left: HyperionError } | { _tag: "Right"; right: A },
): HyperionError {
  assert.equal(result._tag, "Left", "expected a Left");
  return (result as { left: HyperionError }).left;
}

/** A model and plug-ins that record every hook call into `events`. */
function tracing(events: string[]) {
  const push = (e: string) => {
    events.push(e);
  };
  const model: Model<number, ReadonlyArray<number>> = {
    saveName: "trace",
    setup: () => (push("model.setup"), 0),
    trainStep: (s, _b, c) => {
      push(
        `model.trainStep e${c.epoch} b${c.batchIndex} i${c.iteration}${c.optimizerStep ? "*" : ""}`,
      );
      return { state: s + 1, losses: { loss: 1 / (s + 1) } };
    },
    onTrainingStart: (s) => (push("model.onTrainingStart"), s),
    onTrainingEpochStart: (s, c) => (push(`model.onTrainingEpochStart ${c.epoch}`), s),
    onTrainingBatchStart: (s) => (push("model.onTrainingBatchStart"), s),
    onTrainingBatchEnd: (s) => (push("model.onTrainingBatchEnd"), s),
    onTrainingEpochEnd: (s, c) => (push(`model.onTrainingEpochEnd ${c.epoch}`), s),
    onTrainingEnd: (s) => (push("model.onTrainingEnd"), s),
    onValidationStart: (s, c) => (push(`model.onValidationStart ${c.cycle}`), s),
    validStep: (s, b, c) => (push(`model.validStep ${c.step} ${JSON.stringify(b)}`), s),
    onValidationEnd: (s, c) => {
      push(`model.onValidationEnd ${c.cycle}`);
      return { state: s, metrics: { acc: c.cycle / 10 } };
    },
    haveMetricsImproved: (_s, c) => (push(`model.haveMetricsImproved ${c.metrics.acc}`), true),
    shouldTrainingStop: () => (push("model.shouldTrainingStop"), false),
  };
  const plugin = (id: string): Plugin => ({
    id,
    setup: () => push(`${id}.setup`),
    onTrainingStart: () => push(`${id}.onTrainingStart`),
    onTrainingEpochStart: () => push(`${id}.onTrainingEpochStart`),
    processTrainingBatch: (b) => (push(`${id}.processTrainingBatch`), b),
    onTrainingBatchStart: () => push(`${id}.onTrainingBatchStart`),
    onTrainingBatchEnd: () => push(`${id}.onTrainingBatchEnd`),
    onTrainingEpochEnd: () => push(`${id}.onTrainingEpochEnd`),
    onValidationStart: (c) => push(`${id}.onValidationStart ${c.cycle}`),
    processValidationBatch: (b) => (push(`${id}.processValidationBatch`), b),
    onValidationEnd: (e) => push(`${id}.onValidationEnd ${JSON.stringify(e)}`),
    shouldTrainingStop: () => (push(`${id}.shouldTrainingStop`), false),
    onTrainingEnd: () => push(`${id}.onTrainingEnd`),
  });
  return { model, plugin };
}

// -------------------------------------------------------------------------------------
// trainer records
// -------------------------------------------------------------------------------------

Deno.test("createTrainer() fills in every default", () => {
  const trainer = getOrThrow(createTrainer());
  assert.deepEqual(trainer.plugins, []);
  assert.deepEqual(trainer.trainExceptions, []);
  assert.deepEqual(trainer.config, {
    trainUnit: "epoch",
    totalSteps: 1,
    accumulationSteps: 1,
    validationFrequency: undefined,
    checkpointFrequency: undefined,
    logFrequency: undefined,
    earlyStopCycles: undefined,
    seed: 6691,
    chkptRoot: undefined,
    keepLastCheckpoints: undefined,
    logPath: undefined,
    progress: false,
    rank: 0,
    worldSize: 1,
  });
});

Deno.test("createTrainer() returns InvalidTrainerConfig naming the bad field", () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [
      { validationFrequency: 0 },
      "validationFrequency",
      "Invalid trainer config 'validationFrequency': expected a positive integer, got 0",
    ],
    [{ checkpointFrequency: -2, chkptRoot: "x" }, "checkpointFrequency", "got -2"],
    [{ logFrequency: 1.5 }, "logFrequency", "got 1.5"],
    [{ trainUnit: "epochs" }, "trainUnit", "expected 'epoch' or 'iteration', got 'epochs'"],
    [{ totalSteps: 0 }, "totalSteps", "got 0"],
    [{ totalSteps: 2.5 }, "totalSteps", "got 2.5"],
    [
      { totalSteps: Infinity },
      "earlyStopCycles",
      "expected a positive integer when 'totalSteps' is Infinity, got undefined",
    ],
    [{ earlyStopCycles: 0 }, "earlyStopCycles", "got 0"],
    [{ earlyStopCycles: 2 }, "validationFrequency", "when 'earlyStopCycles' is set"],
    [{ accumulationSteps: 0 }, "accumulationSteps", "got 0"],
    [{ checkpointFrequency: 1 }, "chkptRoot", "when 'checkpointFrequency' is set"],
    [{ chkptRoot: "" }, "chkptRoot", "a non-empty folder path"],
    [{ seed: 1.5 }, "seed", "an integer or a string"],
    [{ rank: 2, worldSize: 2 }, "rank", "expected an integer in [0, 1], got 2"],
    [{ worldSize: 0 }, "worldSize", "got 0"],
    [{ progress: "yes" }, "progress", "a boolean or a function"],
    [{ trainExceptions: [""] }, "trainExceptions", "non-empty error tags"],
  ];
  for (const [config, field, message] of cases) {
    const e = expectLeft(createTrainer(config as TrainerConfig));
    assert.equal(e._tag, "InvalidTrainerConfig", JSON.stringify(config));
    assert.equal((e as { field: string }).field, field, JSON.stringify(config));
    assert.ok(e.message.includes(message), `${e.message} should include ${message}`);
  }
  assert.equal(
    createTrainer({ totalSteps: Infinity, earlyStopCycles: 3, validationFrequency: 1 })._tag,
    "Right",
  );
});

Deno.test("registerPlugin() returns DuplicatePlugin for a taken id and keeps call order", () => {
  const trainer = trainerOf({}, [{ id: "a" }, { id: "b" }]);
  assert.deepEqual(trainer.plugins.map((p) => p.id), ["a", "b"]);
  const e = expectLeft(registerPlugin(trainer, { id: "a" }));
  assert.equal(e._tag, "DuplicatePlugin");
  assert.equal(
    e.message,
    "Cannot register plug-in 'a' as a plug-in with that id is already registered",
  );
  assert.equal(expectLeft(registerPlugin(trainer, { id: "" }))._tag, "InvalidArgument");
  assert.equal(findPlugin(trainer.plugins, "b")?.id, "b");
});

Deno.test("configureTrainer() revalidates the patch and keeps plug-ins and exceptions", () => {
  const trainer = addTrainExceptions(trainerOf({ totalSteps: 3 }, [{ id: "a" }]), [
    "TrialPruned",
    "TrialPruned",
  ]);
  assert.deepEqual(trainer.trainExceptions, ["TrialPruned"]);
  const next = getOrThrow(configureTrainer(trainer, { trainUnit: "iteration" }));
  assert.equal(next.config.trainUnit, "iteration");
  assert.equal(next.config.totalSteps, 3);
  assert.deepEqual(next.plugins.map((p) => p.id), ["a"]);
  assert.deepEqual(next.trainExceptions, ["TrialPruned"]);
  assert.equal(trainer.config.trainUnit, "epoch");
  const e = expectLeft(configureTrainer(trainer, { accumulationSteps: 0 }));
  assert.equal((e as { field: string }).field, "accumulationSteps");
});

Deno.test("configureModel() and a record spread both rename a model", () => {
  const model = regressionModel("net");
  assert.equal(configureModel(model, { saveName: "net_trial-2" }).saveName, "net_trial-2");
  assert.equal({ ...model, saveName: "other" }.saveName, "other");
  assert.equal(model.saveName, "net");
});

// -------------------------------------------------------------------------------------
// hook order
// -------------------------------------------------------------------------------------

Deno.test("fit() runs plug-in hooks before the model's hook of the same name", async () => {
  const events: string[] = [];
  const { model, plugin } = tracing(events);
  const trainer = trainerOf({ totalSteps: 2, validationFrequency: 2 }, [plugin("a"), plugin("b")]);
  const data: DataModule<ReadonlyArray<number>> = {
    ...arrayDataModule([1, 2, 3], { batchSize: 2, shuffle: false, validation: [9] }),
    setup: () => void events.push("data.setup"),
  };
  const result = getOrThrow(await fit(trainer, model, data)());
  assert.equal(result.stopReason, "completed");
  const batch = (e: number, b: number) => [
    "a.processTrainingBatch",
    "b.processTrainingBatch",
    "a.onTrainingBatchStart",
    "b.onTrainingBatchStart",
    "model.onTrainingBatchStart",
    `model.trainStep e${e} b${b} i${2 * (e - 1) + b + 1}*`,
    "a.onTrainingBatchEnd",
    "b.onTrainingBatchEnd",
    "model.onTrainingBatchEnd",
    "a.shouldTrainingStop",
    "b.shouldTrainingStop",
    "model.shouldTrainingStop",
  ];
  const epochStart = (e: number) => [
    "a.onTrainingEpochStart",
    "b.onTrainingEpochStart",
    `model.onTrainingEpochStart ${e}`,
  ];
  const epochEnd = (e: number) => [
    "a.onTrainingEpochEnd",
    "b.onTrainingEpochEnd",
    `model.onTrainingEpochEnd ${e}`,
  ];
  assert.deepEqual(events, [
    "a.setup",
    "b.setup",
    "data.setup",
    "model.setup",
    "a.onTrainingStart",
    "b.onTrainingStart",
    "model.onTrainingStart",
    ...epochStart(1),
    ...batch(1, 0),
    ...batch(1, 1),
    ...epochEnd(1),
    "a.shouldTrainingStop",
    "b.shouldTrainingStop",
    "model.shouldTrainingStop",
    ...epochStart(2),
    ...batch(2, 0),
    ...batch(2, 1),
    "a.onValidationStart 0",
    "b.onValidationStart 0",
    "model.onValidationStart 0",
    "a.processValidationBatch",
    "b.processValidationBatch",
    "model.validStep 0 [9]",
    "model.onValidationEnd 0",
    'a.onValidationEnd {"cycle":0,"metrics":{"acc":0}}',
    'b.onValidationEnd {"cycle":0,"metrics":{"acc":0}}',
    "model.haveMetricsImproved 0",
    ...epochEnd(2),
    "a.onTrainingEnd",
    "b.onTrainingEnd",
    "model.onTrainingEnd",
  ]);
});

Deno.test("fit() gives plug-ins onValidationEnd after the model's metrics exist, as { cycle, metrics }", async () => {
  const seen: Array<{ cycle: number; metrics: unknown; ctxMetrics: unknown; ctxCycle: number }> =
    [];
  const plugin: Plugin = {
    id: "watch",
    onValidationEnd: ({ cycle, metrics }, ctx) => {
      seen.push({ cycle, metrics, ctxMetrics: ctx.metrics, ctxCycle: ctx.cycle });
    },
  };
  const trainer = trainerOf({ totalSteps: 3, validationFrequency: 1 }, [plugin]);
  const result = getOrThrow(await fit(trainer, regressionModel(), regressionData())());
  assert.deepEqual(seen.map((s) => s.cycle), [0, 1, 2]);
  for (const s of seen) {
    assert.deepEqual(s.metrics, s.ctxMetrics);
    assert.equal(s.cycle, s.ctxCycle);
    assert.equal(typeof (s.metrics as { mse: number }).mse, "number");
  }
  assert.deepEqual(result.metrics, seen[2]?.metrics);
  assert.equal(result.training.validationCycles, 3);
});

Deno.test("fit() in iteration unit accumulates gradients, validates per step and stops mid-epoch", async () => {
  const events: string[] = [];
  const { model, plugin } = tracing(events);
  const trainer = trainerOf(
    { trainUnit: "iteration", totalSteps: 3, accumulationSteps: 2, validationFrequency: 2 },
    [plugin("a")],
  );
  const data = arrayDataModule([1, 2, 3, 4], { batchSize: 1, shuffle: false });
  const result = getOrThrow(await fit(trainer, model, data)());
  const kept = events.filter((e) =>
    /^model\.(trainStep|onValidationEnd|onTrainingEpoch|onTrainingEnd)/.test(e)
  );
  assert.deepEqual(kept, [
    "model.onTrainingEpochStart 1",
    "model.trainStep e1 b0 i0",
    "model.trainStep e1 b1 i1*",
    "model.trainStep e1 b2 i1",
    "model.trainStep e1 b3 i2*",
    "model.onValidationEnd 0",
    "model.onTrainingEpochEnd 1",
    "model.onTrainingEpochStart 2",
    "model.trainStep e2 b0 i2",
    "model.trainStep e2 b1 i3*",
    "model.onTrainingEnd",
  ]);
  assert.equal(result.stopReason, "completed");
  assert.equal(result.training.iteration, 3);
  assert.equal(result.training.globalIteration, 6);
  assert.equal(result.training.epoch, 2);
  assert.equal(result.training.epochDone, false);
  // stop checks run after every batch and after the epoch
  assert.equal(events.filter((e) => e === "a.shouldTrainingStop").length, 6);
});

// -------------------------------------------------------------------------------------
// stop rules
// -------------------------------------------------------------------------------------

Deno.test("fit() checks for a stop after every batch and still validates and checkpoints a cut-short epoch", async () => {
  await withTempDir(async (dir) => {
    let asked = 0;
    const stopper: Plugin = {
      id: "stopper",
      shouldTrainingStop: (ctx) => {
        asked++;
        return ctx.globalIteration === 20;
      },
    };
    const trainer = trainerOf({
      totalSteps: 10,
      validationFrequency: 1,
      checkpointFrequency: 1,
      chkptRoot: dir,
    }, [stopper]);
    const result = getOrThrow(await fit(trainer, regressionModel(), regressionData())());
    assert.equal(result.stopReason, "requested");
    assert.equal(result.stoppedBy, "plug-in 'stopper'");
    assert.equal(result.training.epoch, 2);
    assert.equal(result.training.batchIndex, 5);
    assert.equal(result.training.validationCycles, 2);
    assert.equal(asked, 15 + 1 + 5);
    assert.deepEqual(result.checkpoints.map((p) => p.slice(dir.length + 1)), [
      "reg/reg_epoch_1_iter_15.json",
      "reg/reg_epoch_2_iter_20.json",
    ]);
    // a run resumed from the stopped checkpoint stops at once, for the same reason
    const again = getOrThrow(
      await fit(
        trainerOf({ ...trainer.config, progress: false }),
        regressionModel(),
        regressionData(),
      )(),
    );
    assert.equal(again.stopReason, "requested");
    assert.equal(again.stoppedBy, "plug-in 'stopper'");
    assert.deepEqual(again.state, result.state);
  });
});

Deno.test("fit() lets the model stop training in iteration unit", async () => {
  const model = regressionModel("reg", { shouldTrainingStop: (_s, ctx) => ctx.iteration >= 7 });
  const trainer = trainerOf({ trainUnit: "iteration", totalSteps: 100 });
  const result = getOrThrow(await fit(trainer, model, regressionData())());
  assert.equal(result.stopReason, "requested");
  assert.equal(result.stoppedBy, "model");
  assert.equal(result.training.iteration, 7);
});

Deno.test("fit() stops early after earlyStopCycles non-improving cycles with unbounded totalSteps", async () => {
  let cycles = 0;
  const model = regressionModel("reg", {
    haveMetricsImproved: (_s, ctx) => ctx.cycle < 3,
    onValidationEnd: (s) => (cycles++, { state: s, metrics: { m: cycles } }),
  });
  const trainer = trainerOf({
    trainUnit: "iteration",
    totalSteps: Infinity,
    validationFrequency: 5,
    earlyStopCycles: 2,
  });
  const result = getOrThrow(await fit(trainer, model, regressionData())());
  assert.equal(result.stopReason, "earlyStop");
  assert.equal(cycles, 5);
  assert.equal(result.training.iteration, 25);
  assert.equal(result.training.earlyStopCount, 2);
});

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

Deno.test("fit() returns a tag listed in trainExceptions unchanged and still runs the model's onTrainingEnd once", async () => {
  const pruned = trialPruned("Pruned on validation cycle 1");
  let modelEnds = 0;
  const pruner: Plugin = { id: "pruner", onTrainingEnd: () => left(pruned) };
  const model = regressionModel("reg", { onTrainingEnd: (s) => (modelEnds++, s) });
  const listed = addTrainExceptions(trainerOf({ totalSteps: 2 }, [pruner]), ["TrialPruned"]);
  assert.equal(expectLeft(await fit(listed, model, regressionData())()), pruned);
  assert.equal(modelEnds, 1);

  const unlisted = trainerOf({ totalSteps: 2 }, [pruner]);
  const e = expectLeft(await fit(unlisted, model, regressionData())());
  assert.equal(e._tag, "TrainingFailed");
  assert.equal((e as { cause: unknown }).cause, pruned);
  assert.equal((e as { at: string }).at, "epoch 2, iteration 30 in plug-in 'pruner'.onTrainingEnd");
  assert.equal(modelEnds, 2);
});

Deno.test("fit() wraps any other failure in TrainingFailed with its cause and step", async () => {
  const boom = new Error("boom");
  const model = regressionModel("reg", {
    trainStep: (s, _b, ctx) => {
      if (ctx.globalIteration === 17) throw boom;
      return { state: s };
    },
  });
  const e = expectLeft(await fit(trainerOf({ totalSteps: 3 }), model, regressionData())());
  assert.equal(e._tag, "TrainingFailed");
  assert.equal((e as { cause: unknown }).cause, boom);
  assert.equal(
    e.message,
    "Training failed at epoch 2, iteration 17 in model.trainStep: Error: boom",
  );

  const rejecting: DataModule<number> = {
    trainBatches: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new RangeError("disk gone")) }),
    }),
  };
  const e2 = expectLeft(
    await fit(
      trainerOf({}),
      { saveName: "d", setup: () => 0, trainStep: (s) => ({ state: s }) },
      rejecting,
    )(),
  );
  assert.equal(
    e2.message,
    "Training failed at epoch 1, iteration 0 in data.trainBatches: RangeError: disk gone",
  );

  const badReturn = regressionModel("reg", {
    shouldTrainingStop: () => "yes" as unknown as boolean,
  });
  const e3 = expectLeft(await fit(trainerOf({}), badReturn, regressionData())());
  assert.ok(e3.message.includes("'model.shouldTrainingStop' must return a boolean, got string"));

  const empty = arrayDataModule<Sample>([]);
  const e4 = expectLeft(await fit(trainerOf({}), regressionModel(), empty)());
  assert.ok(e4.message.includes("'trainBatches' yielded no batch for epoch 1"), e4.message);

  const e5 = expectLeft(await fit(trainerOf({}), regressionModel("../up"), regressionData())());
  assert.equal(e5._tag, "InvalidArgument");
});

Deno.test("fit() lets a user-defined tagged error escape when its tag is listed", async () => {
  const mine = { _tag: "OutOfBudget", message: "no more GPU hours" };
  const plugin: Plugin = {
    id: "budget",
    onTrainingEpochStart: (ctx) => (ctx.epoch === 2 ? Promise.resolve(left(mine)) : undefined),
  };
  const trainer = trainerOf({ totalSteps: 3, trainExceptions: ["OutOfBudget"] }, [plugin]);
  const e: unknown = expectLeft(await fit(trainer, regressionModel(), regressionData())());
  assert.equal(e, mine);
});

// -------------------------------------------------------------------------------------
// checkpoints and resume
// -------------------------------------------------------------------------------------

Deno.test("fit() writes checkpoints with format version, training, model, RNG and plug-in states", async () => {
  await withTempDir(async (dir) => {
    const probe = probePlugin();
    const trainer = trainerOf(
      { totalSteps: 2, validationFrequency: 1, checkpointFrequency: 1, chkptRoot: dir, seed: 7 },
      [probe, { id: "stateless" }],
    );
    const result = getOrThrow(await fit(trainer, regressionModel(), regressionData())());
    const folder = join(dir, "reg");
    assert.deepEqual((await readdir(folder)).sort(), [
      checkpointFileName("reg", 1, 15),
      checkpointFileName("reg", 2, 30),
    ]);
    const raw = JSON.parse(await readFile(join(folder, "reg_epoch_2_iter_30.json"), "utf8"));
    assert.equal(raw.format, CHECKPOINT_FORMAT);
    assert.equal(raw.version, CHECKPOINT_VERSION);
    assert.equal(raw.saveName, "reg");
    assert.deepEqual(Object.keys(raw).sort(), [
      "format",
      "log",
      "model",
      "plugins",
      "rng",
      "saveName",
      "trainingState",
      "version",
    ]);
    // the model's onTrainingEnd draws once more after the last checkpoint
    assert.deepEqual(raw.model, { ...result.state, draws: result.state.draws.slice(0, -1) });
    assert.deepEqual(raw.plugins, { probe: probe.current() });
    assert.equal(raw.rng.algorithm, "xoshiro128**");
    assert.equal(raw.log, null);
    const cp = getOrThrow(await readCheckpoint(join(folder, "reg_epoch_2_iter_30.json"), "reg")());
    assert.deepEqual(cp.trainingState, result.training);
    assert.equal(
      getOrThrow(await findLatestCheckpoint(dir, "reg")()),
      join(folder, "reg_epoch_2_iter_30.json"),
    );
  });
});

Deno.test("fit() restores model, RNG and plug-in state from the latest checkpoint", async () => {
  await withTempDir(async (dir) => {
    const config = {
      totalSteps: 2,
      checkpointFrequency: 1,
      chkptRoot: dir,
      validationFrequency: 1,
    };
    getOrThrow(
      await fit(
        trainerOf({ ...config, totalSteps: 1 }, [probePlugin()]),
        regressionModel(),
        regressionData(),
      )(),
    );
    const saved = getOrThrow(await readCheckpoint(join(dir, "reg", "reg_epoch_1_iter_15.json"))());

    const loaded: unknown[] = [];
    const probe = probePlugin();
    const observer: Plugin = {
      id: "observer",
      loadStateDict: (s) => void loaded.push(s),
      onTrainingStart: (ctx) => {
        loaded.push({ resumedFrom: ctx.resumedFrom, epoch: ctx.epoch, draw: uniform(ctx.rng) });
      },
    };
    let loadedModel: unknown;
    const model = regressionModel("reg", {
      loadStateDict: (_fresh, dict) => ((loadedModel = dict), dict as unknown as RegressionState),
    });
    const result = getOrThrow(
      await fit(trainerOf(config, [probe, observer]), model, regressionData())(),
    );
    assert.equal(result.resumedFrom, join(dir, "reg", "reg_epoch_1_iter_15.json"));
    assert.deepEqual(loadedModel, saved.model);
    // "observer" has no state in the checkpoint: its loadStateDict is not called
    assert.equal(loaded.length, 1);
    const rng = rngFromSeed(0);
    rng.s.set(saved.rng.s);
    assert.deepEqual(loaded[0], {
      resumedFrom: result.resumedFrom,
      epoch: 1,
      draw: uniform(rng),
    });
    // the probe continued from its saved count: 15 batches before, 15 after
    assert.equal(probe.current().batches, 30);
    assert.deepEqual(probe.current().cycles, [0, 1]);
  });
});

for (const unit of ["epoch", "iteration"] as const) {
  Deno.test(`fit() resumed after a failure ends exactly as an uninterrupted run (${unit} unit)`, async () => {
    await withTempDir(async (dir) => {
      const config: TrainerConfig = unit === "epoch"
        ? { totalSteps: 5, validationFrequency: 1, checkpointFrequency: 2, earlyStopCycles: 3 }
        : {
          trainUnit: "iteration",
          totalSteps: 30,
          accumulationSteps: 3,
          validationFrequency: 4,
          checkpointFrequency: 6,
          logFrequency: 5,
        };
      const run = async (root: string, failAt?: number) => {
        const crash: Plugin = {
          id: "crash",
          onTrainingBatchStart: (ctx) => {
            if (ctx.globalIteration === failAt) throw new Error("power cut");
          },
        };
        const probe = probePlugin();
        const trainer = trainerOf(
          { ...config, chkptRoot: join(root, "chkpt"), logPath: join(root, "logs") },
          [probe, crash],
        );
        const result = await fit(trainer, regressionModel(), regressionData())();
        return { result, probe: probe.current() };
      };
      const reference = await run(join(dir, "a"));
      const first = await run(join(dir, "b"), 50);
      assert.equal(expectLeft(first.result)._tag, "TrainingFailed");
      const second = await run(join(dir, "b"));
      const a = getOrThrow(reference.result), b = getOrThrow(second.result);
      assert.ok(b.resumedFrom !== undefined);
      assert.deepEqual(b.state, a.state);
      assert.deepEqual(b.training, a.training);
      assert.deepEqual(second.probe, reference.probe);
      for (const sub of ["chkpt/reg", "logs"]) {
        assert.deepEqual(
          await listFiles(join(dir, "b", sub)),
          await listFiles(join(dir, "a", sub)),
        );
      }
    });
  });
}

Deno.test("fit() returns CorruptCheckpoint naming the file and overwrites nothing", async () => {
  await withTempDir(async (dir) => {
    const config = {
      totalSteps: 2,
      checkpointFrequency: 1,
      chkptRoot: dir,
      logPath: join(dir, "logs"),
    };
    getOrThrow(await fit(trainerOf(config), regressionModel(), regressionData())());
    const folder = join(dir, "reg");
    const latest = join(folder, "reg_epoch_2_iter_30.json");
    const good = await readFile(latest, "utf8");
    const bad = [
      ["{ not json", "it is not valid JSON"],
      [JSON.stringify({ hello: "world" }), "it was not written by Hyperion's trainer"],
      [
        JSON.stringify({ ...JSON.parse(good), version: CHECKPOINT_VERSION + 1 }),
        "written with format version 2",
      ],
      [
        JSON.stringify({ ...JSON.parse(good), saveName: "other" }),
        "it belongs to save name 'other'",
      ],
      [
        JSON.stringify({ ...JSON.parse(good), rng: { algorithm: "mt" } }),
        "its 'rng' state is invalid",
      ],
    ];
    for (const [text, reason] of bad) {
      await writeFile(latest, text as string);
      const before = await listFiles(folder);
      const logBefore = await readFile(join(dir, "logs", "reg.jsonl"), "utf8");
      let setups = 0;
      const base = regressionModel();
      const model = configureModel(base, { setup: (ctx) => (setups++, base.setup(ctx)) });
      const e = expectLeft(
        await fit(trainerOf({ ...config, totalSteps: 4 }), model, regressionData())(),
      );
      assert.equal(e._tag, "CorruptCheckpoint");
      assert.equal((e as { path: string }).path, latest);
      assert.ok(e.message.startsWith(`Cannot read checkpoint '${latest}': `), e.message);
      assert.ok(e.message.includes(reason as string), e.message);
      assert.equal(setups, 0);
      assert.deepEqual(await listFiles(folder), before);
      assert.equal(await readFile(join(dir, "logs", "reg.jsonl"), "utf8"), logBefore);
    }
  });
});

Deno.test("fit() fails clearly at the first checkpoint when a state dict is not JSON and writes no file", async () => {
  await withTempDir(async (dir) => {
    const config = { totalSteps: 3, checkpointFrequency: 1, chkptRoot: dir };
    const typed = regressionModel("typed", {
      stateDict: (s) => ({ w: new Float32Array(s.w), b: s.b }),
    });
    const e = expectLeft(await fit(trainerOf(config), typed, regressionData())());
    assert.equal(e._tag, "TrainingFailed");
    assert.equal(
      e.message,
      "Training failed at epoch 1, iteration 15 in checkpoint: TypeError: Cannot write checkpoint as the model's state dict is not JSON-serialisable: '$.w' is a Float32Array",
    );
    assert.deepEqual(await readdir(join(dir, "typed")), []);

    const nan = regressionModel("nan", { stateDict: (s) => ({ ...s, b: NaN }) });
    const e2 = expectLeft(await fit(trainerOf(config), nan, regressionData())());
    assert.ok(e2.message.endsWith("'$.b' is NaN"), e2.message);
    assert.deepEqual(await readdir(join(dir, "nan")), []);

    const plugin: Plugin = { id: "bad", stateDict: () => ({ f: () => 1 }) };
    const e3 = expectLeft(
      await fit(trainerOf(config, [plugin]), regressionModel(), regressionData())(),
    );
    assert.ok(
      e3.message.endsWith("plug-in 'bad' state dict is not JSON-serialisable: '$.f' is a function"),
      e3.message,
    );
    assert.deepEqual(await readdir(join(dir, "reg")), []);
  });
});

Deno.test("fit() returns InvalidTrainerConfig when a folder cannot be created", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "plain.txt");
    await writeFile(file, "not a folder");
    const e = expectLeft(
      await fit(
        trainerOf({ chkptRoot: join(file, "chkpt") }),
        regressionModel(),
        regressionData(),
      )(),
    );
    assert.equal(e._tag, "InvalidTrainerConfig");
    assert.equal((e as { field: string }).field, "chkptRoot");
    assert.ok(
      e.message.startsWith(
        "Invalid trainer config 'chkptRoot': expected a folder that exists or can be created",
      ),
    );
    const e2 = expectLeft(
      await fit(trainerOf({ logPath: file }), regressionModel(), regressionData())(),
    );
    assert.equal((e2 as { field: string }).field, "logPath");
  });
});

Deno.test("fit() refuses to resume a checkpoint written with another train unit", async () => {
  await withTempDir(async (dir) => {
    getOrThrow(
      await fit(
        trainerOf({ checkpointFrequency: 1, chkptRoot: dir }),
        regressionModel(),
        regressionData(),
      )(),
    );
    const e = expectLeft(
      await fit(
        trainerOf({ trainUnit: "iteration", totalSteps: 50, chkptRoot: dir }),
        regressionModel(),
        regressionData(),
      )(),
    );
    assert.equal(e._tag, "InvalidTrainerConfig");
    assert.equal((e as { field: string }).field, "trainUnit");
  });
});

Deno.test("fit() asks the data module for the batch where a resumed epoch left off", async () => {
  await withTempDir(async (dir) => {
    const requests: Array<[number, number]> = [];
    const base = regressionData();
    const data: DataModule<ReadonlyArray<Sample>> = {
      trainBatches: (request) => {
        requests.push([request.epoch, request.start]);
        const batches = base.trainBatches(request) as Iterable<ReadonlyArray<Sample>>;
        return (async function* () {
          yield* batches;
        })();
      },
    };
    const config = { trainUnit: "iteration" as const, checkpointFrequency: 10, chkptRoot: dir };
    getOrThrow(await fit(trainerOf({ ...config, totalSteps: 20 }), regressionModel(), data)());
    assert.deepEqual(requests, [[1, 0], [2, 0]]);
    requests.length = 0;
    const result = getOrThrow(
      await fit(trainerOf({ ...config, totalSteps: 25 }), regressionModel(), data)(),
    );
    assert.deepEqual(requests, [[2, 5]]);
    assert.equal(result.training.iteration, 25);
  });
});

// -------------------------------------------------------------------------------------
// logs, progress, ranks, seeds
// -------------------------------------------------------------------------------------

Deno.test("fit() writes a JSON-lines log of losses and metrics per cycle and epoch", async () => {
  await withTempDir(async (dir) => {
    const events: string[] = [];
    const { model } = tracing(events);
    const trainer = trainerOf({ totalSteps: 2, validationFrequency: 1, logPath: dir });
    const data = arrayDataModule([1, 2, 3, 4], { batchSize: 2, shuffle: false });
    const result = getOrThrow(await fit(trainer, model, data)());
    assert.equal(result.logFile, join(dir, "trace.jsonl"));
    const lines = (await readFile(join(dir, "trace.jsonl"), "utf8")).trimEnd().split("\n");
    assert.deepEqual(lines.map((l) => JSON.parse(l)), [
      {
        event: "validation",
        cycle: 0,
        epoch: 1,
        iteration: 2,
        losses: { loss: 0.75 },
        metrics: { acc: 0 },
      },
      { event: "epoch", epoch: 1, iteration: 2, losses: { loss: 0.75 } },
      {
        event: "validation",
        cycle: 1,
        epoch: 2,
        iteration: 4,
        losses: { loss: (1 / 3 + 1 / 4) / 2 },
        metrics: { acc: 0.1 },
      },
      { event: "epoch", epoch: 2, iteration: 4, losses: { loss: (1 / 3 + 1 / 4) / 2 } },
      { event: "end", epoch: 2, iteration: 4, stopReason: "completed" },
    ]);
  });
});

Deno.test("fit() sends progress lines to a progress function", async () => {
  const lines: string[] = [];
  const trainer = trainerOf({
    totalSteps: 2,
    validationFrequency: 1,
    progress: (l) => lines.push(l),
  });
  getOrThrow(await fit(trainer, regressionModel(), regressionData())());
  assert.equal(lines.length, 31);
  assert.match(lines[0] ?? "", /^reg · epoch 1\/2 · iter 1 · mse \d/);
  assert.match(lines[30] ?? "", /^reg · epoch 2\/2 · iter 30 · val mse \d[.\d]*$/);
});

Deno.test("fit() passes rank and worldSize to hooks and writes nothing on other ranks", async () => {
  await withTempDir(async (dir) => {
    const seen: Array<[number, number]> = [];
    const plugin: Plugin = {
      id: "rank",
      setup: (ctx: TrainingContext) => void seen.push([ctx.rank, ctx.worldSize]),
      stateDict: () => {
        throw new Error("not on rank 1");
      },
    };
    const trainer = trainerOf({
      rank: 1,
      worldSize: 2,
      checkpointFrequency: 1,
      chkptRoot: join(dir, "chkpt"),
      logPath: join(dir, "logs"),
    }, [plugin]);
    let batchSizes = 0;
    const model = regressionModel("reg", {
      trainStep: (s, batch) => ((batchSizes += batch.length), { state: s }),
    });
    const result = getOrThrow(await fit(trainer, model, regressionData())());
    assert.deepEqual(seen, [[1, 2]]);
    assert.equal(batchSizes, 30);
    assert.deepEqual(result.checkpoints, []);
    assert.deepEqual(await readdir(dir), []);
  });
});

Deno.test("fit() hands the model a seeded RNG: same seed same run, other seed other run", async () => {
  const once = async (seed: number) =>
    getOrThrow(await fit(trainerOf({ totalSteps: 2, seed }), regressionModel(), regressionData())())
      .state;
  assert.deepEqual(await once(1), await once(1));
  assert.notDeepEqual(await once(1), await once(2));
});

Deno.test("findLatestCheckpoint() takes the highest epoch then iteration and ignores other files", async () => {
  await withTempDir(async (dir) => {
    assert.equal(getOrThrow(await findLatestCheckpoint(dir, "net")()), undefined);
    await Deno.mkdir(join(dir, "net"));
    for (
      const name of [
        "net_epoch_9_iter_90.json",
        "net_epoch_10_iter_95.json",
        "net_epoch_10_iter_100.json",
        "net_epoch_11_iter_110.json.123.tmp",
        "other_epoch_99_iter_999.json",
        "net_x_epoch_50_iter_500.json",
        "net_epoch_3_iter_30.txt",
      ]
    ) await writeFile(join(dir, "net", name), "{}");
    assert.equal(
      getOrThrow(await findLatestCheckpoint(dir, "net")()),
      join(dir, "net", "net_epoch_10_iter_100.json"),
    );
  });
});

Deno.test("arrayDataModule() shards by rank and fails lazily on a bad batch size", async () => {
  const data = arrayDataModule([0, 1, 2, 3, 4, 5, 6], { batchSize: 2, shuffle: false });
  const rank1 = data.trainBatches({ epoch: 1, start: 0, seed: 1, rank: 1, worldSize: 2 });
  assert.deepEqual([...(rank1 as Iterable<ReadonlyArray<number>>)], [[1, 3], [5]]);
  const e = expectLeft(
    await fit(
      trainerOf({}),
      { saveName: "x", setup: () => 0, trainStep: (s) => ({ state: s }) },
      arrayDataModule([1], { batchSize: 0 }),
    )(),
  );
  assert.equal(e._tag, "TrainingFailed");
  assert.ok(
    e.message.includes("Invalid 'batchSize': expected a positive integer, got 0"),
    e.message,
  );
});
