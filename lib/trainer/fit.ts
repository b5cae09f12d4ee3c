/**
 * `fit`: runs a model's training loop under a trainer, with its plug-ins, validation cycles,
 * early stopping, atomic checkpoints, exact resume, a progress line and a JSON-lines log.
 *
 * The run is a sequence of named steps over an explicit loop state (`_state.ts`): open (check
 * the save name, create the folders, find the checkpoint to resume from), set up, restore,
 * open the log, start, the loop (`_loop.ts`), end. Each step returns an `Either`; the first
 * `Left` ends the run (only the end step goes on after a failure, so that the model's
 * `onTrainingEnd` always runs once).
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fromAsync, left, right, type TaskEither } from "../effect/mod.ts";
import { describeCause, type HyperionError, invalidArgument } from "../errors.ts";
import { invalidTrainerConfig, trainingFailed } from "./errors.ts";
import { rngFromSeed } from "../random/rng.ts";
import type { DataModule } from "./data.ts";
import type { Model } from "./model.ts";
import type { Trainer } from "./trainer.ts";
import type { Collective, FitResult, StopReason } from "./types.ts";
import { localCollective } from "./parallel/_collective.ts";
import { findResumable, removeStaleTemps, restore, type Resumable } from "./_checkpointing.ts";
import { call, lifecycle, modelHook, pluginHooks, pluginName, steps } from "./_handlers.ts";
import { logLine, openLog, progressSink, showProgress } from "./_log.ts";
import { trainLoop } from "./_loop.ts";
import {
  contextOf,
  freshTrainingState,
  type LoopEnv,
  type LoopState,
  type Step,
} from "./_state.ts";

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Trains `model` on `data` under `trainer`, as a lazy {@link TaskEither}.
 *
 * **Order.** Plug-in `setup`s, the data module's, the model's; then, when `chkptRoot` holds a
 * checkpoint of the model's save name, the latest one is restored (RNG, model, plug-ins,
 * training state, log position; setup handlers still see the fresh state); then
 * `onTrainingStart`, the loop, `onTrainingEnd`. Each plug-in hook runs before the model's hook
 * of the same name, except `onValidationEnd`, which plug-ins receive after the model's, with
 * `{ cycle, metrics }`.
 *
 * **Loop.** With `trainUnit: "epoch"`, every batch is followed by a stop check (plug-ins,
 * then the model); an epoch cut short still gets its validation, epoch end and checkpoint.
 * With `"iteration"`, every optimiser step may validate, log and checkpoint, and a stop
 * check follows every batch and every epoch. `iteration` counts optimiser steps (one per
 * `accumulationSteps` batches) in both units.
 *
 * **Resume.** A resumed run ends in exactly the state of an uninterrupted one: checkpoints
 * hold everything the loop needs, batches are asked for from the batch where the run left
 * off, and the log is cut back to where the checkpoint was written. Before restoring, every
 * plug-in with an `acceptCheckpoint` hook may refuse the checkpoint (the tuning plug-in refuses
 * another study's or trial's). Checkpoints are written atomically (a temporary file, flushed,
 * renamed); `*.tmp` files an interrupted write left are ignored and removed. With
 * `keepLastCheckpoints: k`, only the newest `k` checkpoints of the save name are kept.
 *
 * **Errors.** A failure whose tag is in `trainer.trainExceptions` is returned unchanged
 * (such a tag may also name a non-Hyperion error, returned as is); any other failure of a
 * handler, of the data or of a checkpoint write is `TrainingFailed` with the cause and where
 * it happened. A corrupt or foreign latest checkpoint, or one a plug-in refuses, is
 * `CorruptCheckpoint` and nothing is written; a folder that cannot be created is `InvalidTrainerConfig`. When a plug-in's
 * `onTrainingEnd` fails, the model's `onTrainingEnd` still runs, once, before `fit` returns
 * the failure.
 *
 * @example Train a one-parameter model to the mean of its data
 * ```ts
 * import {
 *   arrayDataModule,
 *   createTrainer,
 *   fit,
 *   getOrThrow,
 *   type Model,
 *   runOrThrow,
 * } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const model: Model<{ w: number }, ReadonlyArray<number>> = {
 *   saveName: "mean",
 *   setup: () => ({ w: 0 }),
 *   trainStep: (s, batch) => {
 *     const grad = batch.reduce((g, x) => g + (s.w - x), 0) / batch.length;
 *     return { state: { w: s.w - 0.5 * grad }, losses: { loss: grad * grad } };
 *   },
 *   onValidationEnd: (s) => ({ state: s, metrics: { error: Math.abs(s.w - 2) } }),
 * };
 * const trainer = getOrThrow(createTrainer({ totalSteps: 20, validationFrequency: 5 }));
 * const data = arrayDataModule([1, 2, 3], { batchSize: 3 });
 * const result = await runOrThrow(fit(trainer, model, data));
 * assert.equal(result.stopReason, "completed");
 * assert.ok((result.metrics.error ?? 1) < 1e-3);
 * ```
 *
 * @category constructors
 */
export function fit<S, B, V>(
  trainer: Trainer,
  model: Model<S, B, V>,
  data: DataModule<B, V>,
): TaskEither<HyperionError, FitResult<S>> {
  return fitRank(trainer, model, data, localCollective());
}

/**
 * {@link fit} on one rank of a data-parallel run: the same loop with `collective` in every
 * context. Used by `fitParallel`'s Workers; not part of the public entry point.
 *
 * @category constructors
 */
export function fitRank<S, B, V>(
  trainer: Trainer,
  model: Model<S, B, V>,
  data: DataModule<B, V>,
  collective: Collective,
): TaskEither<HyperionError, FitResult<S>> {
  return fromAsync(
    () => run(trainer, model, data, collective),
    (e) => trainingFailed(e, "an internal step of fit"),
  );
}

// -------------------------------------------------------------------------------------
// steps
// -------------------------------------------------------------------------------------

/** The whole run: open, set up, restore, open the log, start, train, end. */
function run<S, B, V>(
  trainer: Trainer,
  model: Model<S, B, V>,
  data: DataModule<B, V>,
  collective: Collective,
): Step<FitResult<S>> {
  return steps(function* (_) {
    const { env, from } = yield* _(() => open(trainer, model, data, collective));
    const initial: LoopState<S> = {
      ts: freshTrainingState(env.cfg.trainUnit),
      state: undefined as S,
      log: undefined,
      written: [],
    };
    const set = yield* _(() => setup(env, initial));
    const restored = from === undefined ? set : yield* _(() => restore(env, set, from));
    const log = yield* _(() => openLog(env, from?.checkpoint.log));
    const started = yield* _(() => lifecycle(env, { ...restored, log }, "onTrainingStart"));
    const trained = yield* _(() => trainLoop(env, started, from !== undefined));
    return yield* _(() => end(env, trained.st, trained.reason));
  });
}

function badSaveName(saveName: unknown): HyperionError | undefined {
  if (
    typeof saveName !== "string" || saveName.length === 0 || /[\\/]/.test(saveName) ||
    saveName === "." || saveName === ".."
  ) {
    return invalidArgument({
      field: "saveName",
      value: saveName,
      expected: "a non-empty name without path separators",
    });
  }
  return undefined;
}

/** Creates `folder` (the value of config field `field`); `InvalidTrainerConfig` if it cannot. */
async function ensureFolder(
  field: "chkptRoot" | "logPath",
  value: string,
  folder: string,
): Step<void> {
  try {
    await mkdir(folder, { recursive: true });
    return right(undefined);
  } catch (e) {
    return left(invalidTrainerConfig({
      field,
      value,
      expected: `a folder that exists or can be created (${describeCause(e)})`,
    }));
  }
}

/**
 * Before any handler runs: checks the save name, creates the checkpoint and log folders (on
 * the writing rank), removes the temporary files of an interrupted checkpoint write, and finds
 * the checkpoint to resume from.
 */
function open<S, B, V>(
  trainer: Trainer,
  model: Model<S, B, V>,
  data: DataModule<B, V>,
  collective: Collective,
): Step<{ readonly env: LoopEnv<S, B, V>; readonly from: Resumable | undefined }> {
  return steps(function* (_) {
    const cfg = trainer.config;
    const saveName = model.saveName;
    const nameError = badSaveName(saveName);
    if (nameError !== undefined) return yield* _(left(nameError));
    const writer = cfg.rank === 0;
    const checkpointDir = cfg.chkptRoot === undefined ? undefined : join(cfg.chkptRoot, saveName);
    if (checkpointDir !== undefined && writer) {
      yield* _(() => ensureFolder("chkptRoot", cfg.chkptRoot as string, checkpointDir));
    }
    const logPath = cfg.logPath;
    if (logPath !== undefined && writer) yield* _(() => ensureFolder("logPath", logPath, logPath));
    if (checkpointDir !== undefined && writer) {
      yield* _(async () => right(await removeStaleTemps(checkpointDir, saveName)));
    }
    const from = yield* _(() => findResumable(cfg, saveName));
    const env: LoopEnv<S, B, V> = {
      cfg,
      plugins: trainer.plugins,
      trainExceptions: trainer.trainExceptions,
      model,
      data,
      saveName,
      writer,
      checkpointDir,
      resumedFrom: from?.path,
      rng: rngFromSeed(cfg.seed),
      progress: writer ? progressSink(cfg.progress) : undefined,
      collective,
    };
    return { env, from };
  });
}

/** The plug-ins' `setup`, the data module's, then the model's (which builds the state). */
function setup<S, B, V>(env: LoopEnv<S, B, V>, st: LoopState<S>): Step<LoopState<S>> {
  return steps(function* (_) {
    const c = () => contextOf(env, st.ts);
    yield* _(() => pluginHooks(env, st.ts, "setup", c()));
    const dataSetup = env.data.setup;
    if (dataSetup !== undefined) {
      yield* _(() => call(env, st.ts, "data.setup", () => dataSetup(c())));
    }
    const state = yield* _(() => call(env, st.ts, "model.setup", () => env.model.setup(c())));
    return { ...st, state };
  });
}

/**
 * Ends the run: every plug-in's `onTrainingEnd`, the model's (which runs even when a plug-in's
 * failed), the `end` log line and the last progress line; the first failure is returned.
 */
async function end<S, B, V>(
  env: LoopEnv<S, B, V>,
  st0: LoopState<S>,
  reason: StopReason,
): Step<FitResult<S>> {
  const c = contextOf(env, st0.ts);
  const failures: HyperionError[] = [];
  for (const p of env.plugins) {
    const h = p.onTrainingEnd;
    if (h === undefined) continue;
    const r = await call(env, st0.ts, pluginName(p, "onTrainingEnd"), () => h(c));
    if (r._tag === "Left") failures.push(r.left);
  }
  const ended = await modelHook(env, st0, "onTrainingEnd", c);
  if (ended._tag === "Left") failures.push(ended.left);
  const st = ended._tag === "Left" ? st0 : ended.right;
  const logged = await logLine(env, st, "end", { stopReason: reason });
  if (logged._tag === "Left") failures.push(logged.left);
  const last = logged._tag === "Left" ? st : logged.right;
  showProgress(env, last.ts, true);
  if (failures[0] !== undefined) return left(failures[0]);
  return right({
    state: last.state,
    metrics: last.ts.lastMetrics,
    training: last.ts,
    stopReason: reason,
    stoppedBy: reason === "requested" ? last.ts.stopRequestedBy ?? undefined : undefined,
    resumedFrom: env.resumedFrom,
    checkpoints: last.written,
    logFile: last.log?.path,
  });
}
