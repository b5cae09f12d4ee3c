/**
 * `fit`: runs a model's training loop under a trainer, with its plug-ins, validation cycles,
 * early stopping, atomic checkpoints, exact resume, a progress line and a JSON-lines log.
 *
 * @module
 */
import { appendFile, mkdir, readdir, stat, truncate, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { left, right, type TaskEither } from "../effect/mod.ts";
import {
  corruptCheckpoint,
  describeCause,
  type HyperionError,
  invalidArgument,
  invalidTrainerConfig,
  tagOf,
  trainingFailed,
} from "../errors.ts";
import { nextUint32, type Rng, rngFromSeed, rngState } from "../random/rng.ts";
import {
  type Checkpoint,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkpointFileName,
  encodeCheckpoint,
  findLatestCheckpoint,
  type LossWindows,
  parseCheckpointFileName,
  readCheckpoint,
  type RunningLoss,
  type TrainingState,
} from "./checkpoint.ts";
import type {
  HookResult,
  Metrics,
  StepContext,
  TrainingContext,
  ValidationContext,
  ValidationStepContext,
} from "./context.ts";
import type { Batches, DataModule } from "./data.ts";
import type { Model } from "./model.ts";
import type { Plugin } from "./plugin.ts";
import type { Trainer } from "./trainer.ts";
import { isAtomicTemp, nonJsonReason, stringifyJson, writeFileAtomic } from "./_internal/io.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Why training ended: `totalSteps` was reached (`"completed"`), `earlyStopCycles`
 * non-improving validation cycles in a row (`"earlyStop"`), or a plug-in or the model asked
 * (`"requested"`).
 *
 * @category model
 */
export type StopReason = "completed" | "earlyStop" | "requested";

/**
 * What a successful `fit` returns.
 *
 * @category model
 */
export interface FitResult<S> {
  /** The model's final state (after its `onTrainingEnd`). */
  readonly state: S;
  /** The metrics of the last validation cycle (`{}` when none ran). */
  readonly metrics: Metrics;
  /** The final training state. */
  readonly training: TrainingState;
  /** Why training ended. */
  readonly stopReason: StopReason;
  /** Who asked to stop (`"model"`, `"plug-in 'optuna'"`) when `stopReason` is `"requested"`. */
  readonly stoppedBy: string | undefined;
  /** The checkpoint this run resumed from, if any. */
  readonly resumedFrom: string | undefined;
  /** The checkpoints this run wrote, in order. */
  readonly checkpoints: ReadonlyArray<string>;
  /** The JSON-lines log file, when one was written. */
  readonly logFile: string | undefined;
}

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
  return async () => {
    try {
      return right(await run(trainer, model, data));
    } catch (e) {
      if (e instanceof Abort) return left(e.error);
      return left(trainingFailed(e, "an internal step of fit"));
    }
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Carries a final error out of the loop (never leaves this module). */
class Abort {
  constructor(readonly error: HyperionError) {}
}

type Settled<A> = { readonly ok: true; readonly value: A } | {
  readonly ok: false;
  readonly cause: unknown;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEitherLike(
  value: unknown,
): value is { _tag: "Left"; left: unknown } | { _tag: "Right"; right: unknown } {
  return isRecord(value) &&
    ((value._tag === "Left" && "left" in value) || (value._tag === "Right" && "right" in value));
}

async function settle<A>(run: () => HookResult<A>): Promise<Settled<A>> {
  try {
    const out: unknown = await run();
    if (isEitherLike(out)) {
      return out._tag === "Left" ? { ok: false, cause: out.left } : {
        ok: true,
        value: out.right as A,
      };
    }
    return { ok: true, value: out as A };
  } catch (cause) {
    return { ok: false, cause };
  }
}

interface BatchIterator<T> {
  next(): IteratorResult<T> | PromiseLike<IteratorResult<T>>;
  return?(): unknown;
}

function openIterator<T>(source: unknown): BatchIterator<T> | undefined {
  if (source === null || source === undefined) return undefined;
  const s = source as Partial<AsyncIterable<T> & Iterable<T>>;
  if (typeof s[Symbol.asyncIterator] === "function") {
    return (s as AsyncIterable<T>)[Symbol.asyncIterator]();
  }
  if (typeof s[Symbol.iterator] === "function") return (s as Iterable<T>)[Symbol.iterator]();
  return undefined;
}

function epochSeed(seed: number | string, epoch: number): number {
  return nextUint32(rngFromSeed(`${String(seed)}|epoch|${epoch}`));
}

function freshState(trainUnit: TrainingState["trainUnit"]): TrainingState {
  return {
    trainUnit,
    epoch: 0,
    epochDone: true,
    batchIndex: 0,
    iteration: 0,
    globalIteration: 0,
    validationCycles: 0,
    earlyStopCount: 0,
    lastMetrics: {},
    runningLosses: { train: {}, validation: {}, epoch: {} },
    stopRequestedBy: null,
  };
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

function formatNumber(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}

function meanLosses(losses: Readonly<Record<string, RunningLoss>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(losses)) out[k] = v.sum / v.count;
  return out;
}

type ProgressSink = (line: string, final: boolean) => void;

function progressSink(setting: boolean | ((line: string) => void)): ProgressSink | undefined {
  if (typeof setting === "function") return (line) => setting(line);
  if (setting !== true || !Deno.stderr.isTerminal()) return undefined;
  const encoder = new TextEncoder();
  let last = -Infinity;
  return (line, final) => {
    const now = performance.now();
    if (!final && now - last < 100) return;
    last = now;
    Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${line}${final ? "\n" : ""}`));
  };
}

async function ensureFolder(
  field: "chkptRoot" | "logPath",
  value: string,
  folder: string,
): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (e) {
    throw new Abort(
      invalidTrainerConfig({
        field,
        value,
        expected: `a folder that exists or can be created (${describeCause(e)})`,
      }),
    );
  }
}

/** The checkpoints of `saveName` in `dir`, newest first (highest epoch, then iteration). */
async function listCheckpoints(dir: string, saveName: string): Promise<ReadonlyArray<string>> {
  const found: Array<{ name: string; epoch: number; iteration: number }> = [];
  for (const name of await readdir(dir)) {
    const parsed = parseCheckpointFileName(name);
    if (parsed !== undefined && parsed.saveName === saveName) found.push({ name, ...parsed });
  }
  found.sort((a, b) => b.epoch - a.epoch || b.iteration - a.iteration);
  return found.map((f) => join(dir, f.name));
}

/** Removes the temporary files an interrupted checkpoint write of `saveName` left in `dir`. */
async function removeStaleTemps(dir: string, saveName: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!isAtomicTemp(name)) continue;
    const target = parseCheckpointFileName(name.replace(/\.[0-9a-f-]{36}\.tmp$/, ""));
    if (target?.saveName === saveName) await unlink(join(dir, name)).catch(() => undefined);
  }
}

async function run<S, B, V>(
  trainer: Trainer,
  model: Model<S, B, V>,
  data: DataModule<B, V>,
): Promise<FitResult<S>> {
  const cfg = trainer.config;
  const plugins: ReadonlyArray<Plugin> = trainer.plugins;
  const saveName = model.saveName;
  const nameError = badSaveName(saveName);
  if (nameError !== undefined) throw new Abort(nameError);
  const writer = cfg.rank === 0;

  // Folders and the checkpoint to resume from, before any handler runs.
  const checkpointDir = cfg.chkptRoot === undefined ? undefined : join(cfg.chkptRoot, saveName);
  if (checkpointDir !== undefined && writer) {
    await ensureFolder("chkptRoot", cfg.chkptRoot as string, checkpointDir);
  }
  if (cfg.logPath !== undefined && writer) await ensureFolder("logPath", cfg.logPath, cfg.logPath);
  if (checkpointDir !== undefined && writer) await removeStaleTemps(checkpointDir, saveName);
  let checkpoint: Checkpoint | undefined;
  let resumedFrom: string | undefined;
  if (cfg.chkptRoot !== undefined) {
    const latest = await findLatestCheckpoint(cfg.chkptRoot, saveName)();
    if (latest._tag === "Left") throw new Abort(latest.left);
    if (latest.right !== undefined) {
      const read = await readCheckpoint(latest.right, saveName)();
      if (read._tag === "Left") throw new Abort(read.left);
      if (read.right.trainingState.trainUnit !== cfg.trainUnit) {
        throw new Abort(invalidTrainerConfig({
          field: "trainUnit",
          value: cfg.trainUnit,
          expected:
            `'${read.right.trainingState.trainUnit}' to resume from checkpoint '${latest.right}'`,
        }));
      }
      checkpoint = read.right;
      resumedFrom = latest.right;
    }
  }

  const rng: Rng = rngFromSeed(cfg.seed);
  let ts: TrainingState = freshState(cfg.trainUnit);
  let state: S = undefined as S;
  const written: string[] = [];
  const encoder = new TextEncoder();
  let log: { path: string; file: string; bytes: number } | undefined;
  const progress = writer ? progressSink(cfg.progress) : undefined;

  // ---- handler calls ---------------------------------------------------------------

  const at = (who: string): string => `epoch ${ts.epoch}, iteration ${ts.iteration} in ${who}`;
  const fail = (cause: unknown, who: string): never => {
    const tag = tagOf(cause);
    if (tag !== undefined && trainer.trainExceptions.includes(tag)) {
      throw new Abort(cause as HyperionError);
    }
    throw new Abort(trainingFailed(cause, at(who)));
  };
  const call = async <A>(who: string, f: () => HookResult<A>): Promise<A> => {
    const r = await settle(f);
    return r.ok ? r.value : fail(r.cause, who);
  };
  const callBool = async (who: string, f: () => HookResult<boolean>): Promise<boolean> => {
    const value: unknown = await call(who, f);
    if (typeof value !== "boolean") {
      return fail(new TypeError(`'${who}' must return a boolean, got ${typeof value}`), who);
    }
    return value;
  };
  const pluginName = (p: Plugin, hook: string) => `plug-in '${p.id}'.${hook}`;

  const ctx = (): TrainingContext => ({
    saveName,
    rank: cfg.rank,
    worldSize: cfg.worldSize,
    trainUnit: cfg.trainUnit,
    totalSteps: cfg.totalSteps,
    epoch: ts.epoch,
    batchIndex: ts.batchIndex,
    iteration: ts.iteration,
    globalIteration: ts.globalIteration,
    validationCycles: ts.validationCycles,
    metrics: ts.lastMetrics,
    resumedFrom,
    checkpointDir,
    plugins,
    rng,
  });

  type LifecycleHook =
    | "onTrainingStart"
    | "onTrainingEpochStart"
    | "onTrainingEpochEnd"
    | "onTrainingEnd";
  const pluginHooks = async (hook: LifecycleHook | "setup", c: TrainingContext) => {
    for (const p of plugins) {
      const h = p[hook];
      if (h !== undefined) await call(pluginName(p, hook), () => h(c));
    }
  };
  const modelHook = async (hook: LifecycleHook, c: TrainingContext) => {
    const h = model[hook];
    if (h !== undefined) state = await call(`model.${hook}`, () => h(state, c));
  };

  // ---- losses, log and progress ----------------------------------------------------

  const addLosses = (losses: unknown) => {
    if (losses === undefined) return;
    if (!isRecord(losses)) {
      fail(new TypeError(`'trainStep' losses must be a record of numbers`), "model.trainStep");
    }
    const entries = Object.entries(losses as Record<string, unknown>);
    for (const [k, v] of entries) {
      if (typeof v !== "number") {
        fail(
          new TypeError(`'trainStep' loss '${k}' must be a number, got ${typeof v}`),
          "model.trainStep",
        );
      }
    }
    const add = (window: Readonly<Record<string, RunningLoss>>) => {
      const next: Record<string, RunningLoss> = { ...window };
      for (const [k, v] of entries) {
        const prev = next[k] ?? { sum: 0, count: 0 };
        next[k] = { sum: prev.sum + (v as number), count: prev.count + 1 };
      }
      return next;
    };
    const w = ts.runningLosses;
    ts = {
      ...ts,
      runningLosses: { train: add(w.train), validation: add(w.validation), epoch: add(w.epoch) },
    };
  };
  const takeLosses = (window: keyof LossWindows): Record<string, number> => {
    const means = meanLosses(ts.runningLosses[window]);
    ts = { ...ts, runningLosses: { ...ts.runningLosses, [window]: {} } };
    return means;
  };
  const writeLog = async (record: Record<string, unknown>) => {
    if (log === undefined) return;
    const line = `${stringifyJson(record)}\n`;
    try {
      await appendFile(log.path, line);
    } catch (e) {
      fail(e, "the log");
    }
    log.bytes += encoder.encode(line).length;
  };
  const logLine = (
    event: "train" | "validation" | "epoch" | "end",
    extra: Record<string, unknown> = {},
  ) =>
    writeLog({
      event,
      ...("cycle" in extra ? { cycle: extra.cycle } : {}),
      epoch: ts.epoch,
      iteration: ts.iteration,
      ...(event === "end" ? {} : { losses: takeLosses(event) }),
      ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "cycle")),
    });
  const showProgress = (final: boolean) => {
    if (progress === undefined) return;
    const finite = Number.isFinite(cfg.totalSteps);
    const parts = [
      saveName,
      `epoch ${ts.epoch}${cfg.trainUnit === "epoch" && finite ? `/${cfg.totalSteps}` : ""}`,
      `iter ${ts.iteration}${cfg.trainUnit === "iteration" && finite ? `/${cfg.totalSteps}` : ""}`,
    ];
    for (const [k, v] of Object.entries(meanLosses(ts.runningLosses.validation))) {
      parts.push(`${k} ${formatNumber(v)}`);
    }
    for (const [k, v] of Object.entries(ts.lastMetrics)) {
      parts.push(`val ${k} ${formatNumber(v)}`);
    }
    progress(parts.join(" · "), final);
  };

  // ---- checkpoints -----------------------------------------------------------------

  const saveCheckpoint = async () => {
    if (!writer || checkpointDir === undefined) return;
    const c = ctx();
    const stateDict = model.stateDict;
    const modelDict: unknown = stateDict === undefined
      ? state
      : await call("model.stateDict", () => stateDict(state, c));
    const notJson = (what: string, value: unknown) => {
      const reason = nonJsonReason(value);
      if (reason !== undefined) {
        fail(
          new TypeError(
            `Cannot write checkpoint as the ${what} state dict is not JSON-serialisable: ${reason}`,
          ),
          "checkpoint",
        );
      }
    };
    notJson("model's", modelDict);
    const pluginDicts: Record<string, unknown> = {};
    for (const p of plugins) {
      const h = p.stateDict;
      if (h === undefined) continue;
      const value: unknown = await call(pluginName(p, "stateDict"), () => h(c));
      notJson(`plug-in '${p.id}'`, value);
      pluginDicts[p.id] = value;
    }
    const doc: Checkpoint = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      saveName,
      trainingState: ts,
      model: modelDict as Checkpoint["model"],
      rng: rngState(rng),
      plugins: pluginDicts as Checkpoint["plugins"],
      log: log === undefined ? null : { file: log.file, bytes: log.bytes },
    };
    const path = join(checkpointDir, checkpointFileName(saveName, ts.epoch, ts.iteration));
    try {
      await writeFileAtomic(path, JSON.stringify(encodeCheckpoint(doc)));
    } catch (e) {
      fail(e, "checkpoint");
    }
    written.push(path);
    if (cfg.keepLastCheckpoints !== undefined) {
      try {
        const all = await listCheckpoints(checkpointDir, saveName);
        for (const old of all.slice(cfg.keepLastCheckpoints)) await unlink(old);
      } catch (e) {
        fail(e, "checkpoint");
      }
    }
  };

  // ---- stop checks -----------------------------------------------------------------

  const askToStop = async (): Promise<string | undefined> => {
    const c = ctx();
    for (const p of plugins) {
      const h = p.shouldTrainingStop;
      if (h !== undefined && await callBool(pluginName(p, "shouldTrainingStop"), () => h(c))) {
        return `plug-in '${p.id}'`;
      }
    }
    const h = model.shouldTrainingStop;
    if (h !== undefined && await callBool("model.shouldTrainingStop", () => h(state, c))) {
      return "model";
    }
    return undefined;
  };
  const checkStop = async (): Promise<StopReason | undefined> => {
    if (ts.stopRequestedBy !== null) return "requested";
    const done = cfg.trainUnit === "epoch"
      ? ts.epochDone && ts.epoch >= cfg.totalSteps
      : ts.iteration >= cfg.totalSteps;
    if (done) return "completed";
    if (cfg.earlyStopCycles !== undefined && ts.earlyStopCount >= cfg.earlyStopCycles) {
      return "earlyStop";
    }
    const by = await askToStop();
    if (by === undefined) return undefined;
    ts = { ...ts, stopRequestedBy: by };
    return "requested";
  };

  // ---- validation ------------------------------------------------------------------

  const validate = async () => {
    const cycle = ts.validationCycles;
    const vctx = (): ValidationContext => ({ ...ctx(), cycle });
    const start = vctx();
    for (const p of plugins) {
      const h = p.onValidationStart;
      if (h !== undefined) await call(pluginName(p, "onValidationStart"), () => h(start));
    }
    const onStart = model.onValidationStart;
    if (onStart !== undefined) {
      state = await call("model.onValidationStart", () => onStart(state, start));
    }
    const batches = data.validationBatches;
    if (batches !== undefined) {
      const request = { cycle, rank: cfg.rank, worldSize: cfg.worldSize };
      const source = await call("data.validationBatches", () => batches(request));
      await iterate<V>(source, "data.validationBatches", async (batch, step) => {
        const sc: ValidationStepContext = { ...vctx(), step };
        let b: unknown = batch;
        for (const p of plugins) {
          const h = p.processValidationBatch;
          if (h === undefined) continue;
          const input = b;
          b = await call(pluginName(p, "processValidationBatch"), () => h(input, sc));
        }
        const validStep = model.validStep;
        if (validStep !== undefined) {
          state = await call("model.validStep", () => validStep(state, b as V, sc));
        }
        return false;
      });
    }
    let metrics: Metrics = {};
    const onEnd = model.onValidationEnd;
    if (onEnd !== undefined) {
      const out: unknown = await call("model.onValidationEnd", () => onEnd(state, vctx()));
      if (!isRecord(out) || !("state" in out) || !isRecord(out.metrics)) {
        fail(
          new TypeError("'onValidationEnd' must return { state, metrics }"),
          "model.onValidationEnd",
        );
      }
      const result = out as { state: S; metrics: Record<string, unknown> };
      for (const [k, v] of Object.entries(result.metrics)) {
        if (typeof v !== "number") {
          fail(
            new TypeError(`'onValidationEnd' metric '${k}' must be a number, got ${typeof v}`),
            "model.onValidationEnd",
          );
        }
      }
      state = result.state;
      metrics = { ...result.metrics } as Metrics;
    }
    ts = { ...ts, lastMetrics: metrics };
    const end = vctx();
    for (const p of plugins) {
      const h = p.onValidationEnd;
      if (h !== undefined) {
        await call(pluginName(p, "onValidationEnd"), () => h({ cycle, metrics }, end));
      }
    }
    const improvedHook = model.haveMetricsImproved;
    const improved = improvedHook === undefined
      ? true
      : await callBool("model.haveMetricsImproved", () => improvedHook(state, end));
    ts = {
      ...ts,
      validationCycles: cycle + 1,
      earlyStopCount: improved ? 0 : ts.earlyStopCount + 1,
    };
    await logLine("validation", { cycle, metrics });
  };

  // ---- batches ---------------------------------------------------------------------

  /** Iterates `source`; `each` returns true to stop early. Returns the number of items. */
  async function iterate<T>(
    source: Batches<T>,
    who: string,
    each: (item: T, index: number) => Promise<boolean>,
  ): Promise<number> {
    let iterator: BatchIterator<T> | undefined;
    try {
      iterator = openIterator<T>(source);
    } catch (e) {
      fail(e, who);
    }
    if (iterator === undefined) {
      return fail(new TypeError(`'${who}' must return an Iterable or an AsyncIterable`), who);
    }
    const it = iterator;
    let count = 0;
    for (;;) {
      const next = await settle(() => it.next());
      if (!next.ok) fail(next.cause, who);
      const step = (next as { value: IteratorResult<T> }).value;
      if (step.done) return count;
      if (await each(step.value, count++)) {
        await settle(() => it.return?.());
        return count;
      }
    }
  }

  const trainBatch = async (batch: B): Promise<boolean> => {
    const globalIteration = ts.globalIteration + 1;
    const optimizerStep = globalIteration % cfg.accumulationSteps === 0;
    ts = { ...ts, globalIteration, iteration: ts.iteration + (optimizerStep ? 1 : 0) };
    const c: StepContext = { ...ctx(), optimizerStep };
    let b: unknown = batch;
    for (const p of plugins) {
      const h = p.processTrainingBatch;
      if (h === undefined) continue;
      const input = b;
      b = await call(pluginName(p, "processTrainingBatch"), () => h(input, c));
    }
    for (const p of plugins) {
      const h = p.onTrainingBatchStart;
      if (h !== undefined) await call(pluginName(p, "onTrainingBatchStart"), () => h(c));
    }
    const batchStart = model.onTrainingBatchStart;
    if (batchStart !== undefined) {
      state = await call("model.onTrainingBatchStart", () => batchStart(state, c));
    }
    const out: unknown = await call("model.trainStep", () => model.trainStep(state, b as B, c));
    if (!isRecord(out) || !("state" in out)) {
      fail(
        new TypeError(`'trainStep' must return { state, losses? }, got ${typeof out}`),
        "model.trainStep",
      );
    }
    const result = out as { state: S; losses?: unknown };
    state = result.state;
    addLosses(result.losses);
    for (const p of plugins) {
      const h = p.onTrainingBatchEnd;
      if (h !== undefined) await call(pluginName(p, "onTrainingBatchEnd"), () => h(c));
    }
    const batchEnd = model.onTrainingBatchEnd;
    if (batchEnd !== undefined) {
      state = await call("model.onTrainingBatchEnd", () => batchEnd(state, c));
    }
    ts = { ...ts, batchIndex: ts.batchIndex + 1 };
    showProgress(false);
    return optimizerStep;
  };

  /** Starts the next epoch unless one is in progress (a resumed run continues it). */
  const beginEpoch = async () => {
    if (!ts.epochDone) return;
    ts = { ...ts, epoch: ts.epoch + 1, epochDone: false, batchIndex: 0 };
    const c = ctx();
    await pluginHooks("onTrainingEpochStart", c);
    await modelHook("onTrainingEpochStart", c);
  };
  const epochBatches = async (after: (optimizerStep: boolean) => Promise<boolean>) => {
    const start = ts.batchIndex;
    const request = {
      epoch: ts.epoch,
      start,
      seed: epochSeed(cfg.seed, ts.epoch),
      rank: cfg.rank,
      worldSize: cfg.worldSize,
    };
    const source = await call("data.trainBatches", () => data.trainBatches(request));
    let stopped = false;
    const count = await iterate<B>(source, "data.trainBatches", async (batch) => {
      stopped = await after(await trainBatch(batch));
      return stopped;
    });
    if (count === 0 && start === 0) {
      fail(
        new RangeError(`'trainBatches' yielded no batch for epoch ${ts.epoch}`),
        "data.trainBatches",
      );
    }
    return stopped;
  };
  const endEpoch = async () => {
    const c = ctx();
    await pluginHooks("onTrainingEpochEnd", c);
    await modelHook("onTrainingEpochEnd", c);
    await logLine("epoch");
    ts = { ...ts, epochDone: true };
  };
  const periodic = (frequency: number | undefined, count: number) =>
    frequency !== undefined && count % frequency === 0;
  const maybeLogTrain = async (optimizerStep: boolean) => {
    if (optimizerStep && periodic(cfg.logFrequency, ts.iteration)) await logLine("train");
  };

  const epochLoop = async (): Promise<StopReason> => {
    for (;;) {
      await beginEpoch();
      await epochBatches(async (optimizerStep) => {
        await maybeLogTrain(optimizerStep);
        const by = await askToStop();
        if (by === undefined) return false;
        ts = { ...ts, stopRequestedBy: by };
        return true;
      });
      if (periodic(cfg.validationFrequency, ts.epoch)) await validate();
      await endEpoch();
      if (periodic(cfg.checkpointFrequency, ts.epoch)) await saveCheckpoint();
      const reason = await checkStop();
      if (reason !== undefined) return reason;
    }
  };

  const iterationLoop = async (): Promise<StopReason> => {
    for (;;) {
      await beginEpoch();
      let reason: StopReason | undefined;
      await epochBatches(async (optimizerStep) => {
        if (optimizerStep) {
          if (periodic(cfg.validationFrequency, ts.iteration)) await validate();
          await maybeLogTrain(true);
          if (periodic(cfg.checkpointFrequency, ts.iteration)) await saveCheckpoint();
        }
        reason = await checkStop();
        return reason !== undefined;
      });
      if (reason !== undefined) return reason;
      await endEpoch();
      reason = await checkStop();
      if (reason !== undefined) return reason;
    }
  };

  // ---- setup, restore, loop, end ---------------------------------------------------

  await pluginHooks("setup", ctx());
  const dataSetup = data.setup;
  if (dataSetup !== undefined) await call("data.setup", () => dataSetup(ctx()));
  state = await call("model.setup", () => model.setup(ctx()));

  if (checkpoint !== undefined) {
    const cp = checkpoint;
    for (const p of plugins) {
      const h = p.acceptCheckpoint;
      if (h === undefined) continue;
      const saved = Object.hasOwn(cp.plugins, p.id) ? cp.plugins[p.id] : undefined;
      const verdict: unknown = await call(pluginName(p, "acceptCheckpoint"), () => h(saved, ctx()));
      if (verdict === true) continue;
      if (typeof verdict !== "string") {
        fail(
          new TypeError(`'acceptCheckpoint' must return true or a reason, got ${typeof verdict}`),
          pluginName(p, "acceptCheckpoint"),
        );
      }
      throw new Abort(
        corruptCheckpoint(resumedFrom as string, `plug-in '${p.id}' refuses it: ${verdict}`),
      );
    }
    rng.s.set(cp.rng.s);
    ts = cp.trainingState;
    const load = model.loadStateDict;
    state = load === undefined
      ? cp.model as S
      : await call("model.loadStateDict", () => load(state, cp.model, ctx()));
    for (const p of plugins) {
      const h = p.loadStateDict;
      if (h !== undefined && Object.hasOwn(cp.plugins, p.id)) {
        const saved = cp.plugins[p.id] as Checkpoint["model"];
        await call(pluginName(p, "loadStateDict"), () => h(saved, ctx()));
      }
    }
  }

  if (cfg.logPath !== undefined && writer) {
    const file = `${saveName}.jsonl`;
    const path = join(cfg.logPath, file);
    try {
      const saved = checkpoint?.log;
      if (saved !== undefined && saved !== null && saved.file === file) {
        const size = await stat(path).then((s) => s.size, () => 0);
        if (size > saved.bytes) await truncate(path, saved.bytes);
        log = { path, file, bytes: Math.min(size, saved.bytes) };
      } else {
        await writeFile(path, "");
        log = { path, file, bytes: 0 };
      }
    } catch (e) {
      throw new Abort(invalidTrainerConfig({
        field: "logPath",
        value: cfg.logPath,
        expected: `a folder where '${file}' can be written (${describeCause(e)})`,
      }));
    }
  }

  const startCtx = ctx();
  await pluginHooks("onTrainingStart", startCtx);
  await modelHook("onTrainingStart", startCtx);

  let reason = checkpoint === undefined ? undefined : await checkStop();
  if (reason === undefined) {
    reason = cfg.trainUnit === "epoch" ? await epochLoop() : await iterationLoop();
  }

  // The model's onTrainingEnd runs even when a plug-in's fails; the first failure wins.
  let endError: HyperionError | undefined;
  const guard = async (f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
      endError ??= e.error;
    }
  };
  const endCtx = ctx();
  for (const p of plugins) {
    const h = p.onTrainingEnd;
    if (h !== undefined) await guard(() => call(pluginName(p, "onTrainingEnd"), () => h(endCtx)));
  }
  await guard(() => modelHook("onTrainingEnd", endCtx));
  await guard(() => logLine("end", { stopReason: reason }));
  showProgress(true);
  if (endError !== undefined) throw new Abort(endError);

  return {
    state,
    metrics: ts.lastMetrics,
    training: ts,
    stopReason: reason,
    stoppedBy: reason === "requested" ? ts.stopRequestedBy ?? undefined : undefined,
    resumedFrom,
    checkpoints: written,
    logFile: log?.path,
  };
}
