/**
 * The training loop of `fit` as named steps over the {@link LoopState} record: begin an epoch,
 * train one batch (with gradient accumulation), the epoch's batches, end an epoch, the stop
 * checks, and the two loops (`trainUnit: "epoch"` and `"iteration"`) built from them.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import { nextUint32, rngFromSeed } from "../random/rng.ts";
import type { StepContext, StopReason, TrainingState } from "./types.ts";
import {
  call,
  callBool,
  callNow,
  failWith,
  foldBatches,
  forPlugins,
  isRecord,
  lifecycle,
  pluginName,
  steps,
} from "./_handlers.ts";
import { addLosses, logLine, showProgress } from "./_log.ts";
import { saveCheckpoint } from "./_checkpointing.ts";
import { validate } from "./_validation.ts";
import { contextOf, type LoopEnv, type LoopState, patchTs, type Step } from "./_state.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The loop state and, once training should end, why. */
export interface Checked<S> {
  /** The loop state. */
  readonly st: LoopState<S>;
  /** Why training ends, or `undefined` to go on. */
  readonly reason: StopReason | undefined;
}

/** What runs after each trained batch: says whether (and why) to stop the epoch early. */
type AfterBatch<S> = (st: LoopState<S>, optimizerStep: boolean) => Step<Checked<S>>;

// -------------------------------------------------------------------------------------
// stop checks
// -------------------------------------------------------------------------------------

/** Asks the plug-ins, then the model, whether to stop: who asked first, if anyone. */
async function askToStop<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
): Step<string | undefined> {
  const c = contextOf(env, st.ts);
  for (const p of env.plugins) {
    const h = p.shouldTrainingStop;
    if (h === undefined) continue;
    const r = await callBool(env, st.ts, pluginName(p, "shouldTrainingStop"), () => h(c));
    if (r._tag === "Left") return r;
    if (r.right) return right(`plug-in '${p.id}'`);
  }
  const h = env.model.shouldTrainingStop;
  if (h === undefined) return right(undefined);
  const r = await callBool(env, st.ts, "model.shouldTrainingStop", () => h(st.state, c));
  return r._tag === "Left" ? r : right(r.right ? "model" : undefined);
}

/** {@link askToStop}, recording who asked in the training state. */
async function requestedStop<S, B, V>(env: LoopEnv<S, B, V>, st: LoopState<S>): Step<Checked<S>> {
  const by = await askToStop(env, st);
  if (by._tag === "Left") return by;
  if (by.right === undefined) return right({ st, reason: undefined });
  return right({ st: patchTs(st, { stopRequestedBy: by.right }), reason: "requested" });
}

/**
 * Whether training ends: a stop already requested, `totalSteps` reached, `earlyStopCycles`
 * non-improving cycles, else the plug-ins' and the model's `shouldTrainingStop`.
 */
export function checkStop<S, B, V>(env: LoopEnv<S, B, V>, st: LoopState<S>): Step<Checked<S>> {
  const { cfg } = env;
  const ts = st.ts;
  const stop = (reason: StopReason) => Promise.resolve(right({ st, reason }));
  if (ts.stopRequestedBy !== null) return stop("requested");
  const done = cfg.trainUnit === "epoch"
    ? ts.epochDone && ts.epoch >= cfg.totalSteps
    : ts.iteration >= cfg.totalSteps;
  if (done) return stop("completed");
  if (cfg.earlyStopCycles !== undefined && ts.earlyStopCount >= cfg.earlyStopCycles) {
    return stop("earlyStop");
  }
  return requestedStop(env, st);
}

// -------------------------------------------------------------------------------------
// one batch
// -------------------------------------------------------------------------------------

/** The batch after every plug-in's `processTrainingBatch`, in order. */
async function transformBatch<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  batch: B,
  c: StepContext,
): Step<unknown> {
  let b: unknown = batch;
  for (const p of env.plugins) {
    const h = p.processTrainingBatch;
    if (h === undefined) continue;
    const input = b;
    const r = await callNow(env, ts, pluginName(p, "processTrainingBatch"), () => h(input, c));
    if (r._tag === "Left") return r;
    b = r.right;
  }
  return right(b);
}

/** The model's batch hook `hook`, when it has one: its result is the next model state. */
function modelBatchHook<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  hook: "onTrainingBatchStart" | "onTrainingBatchEnd",
  state: S,
  c: StepContext,
): Either<HyperionError, S> | Step<S> {
  const h = env.model[hook];
  if (h === undefined) return right(state);
  return callNow(env, ts, `model.${hook}`, () => h(state, c));
}

/** The model's `trainStep` on `batch`: its next state, and `ts` with its losses added. */
async function modelTrainStep<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  state: S,
  batch: unknown,
  c: StepContext,
): Step<{ readonly state: S; readonly ts: TrainingState }> {
  const who = "model.trainStep";
  const out = await callNow<S, B, V, unknown>(
    env,
    ts,
    who,
    () => env.model.trainStep(state, batch as B, c),
  );
  if (out._tag === "Left") return out;
  if (!isRecord(out.right) || !("state" in out.right)) {
    const e = new TypeError(`'trainStep' must return { state, losses? }, got ${typeof out.right}`);
    return failWith(env, ts, e, who);
  }
  const counted = addLosses(env, ts, out.right.losses);
  if (counted._tag === "Left") return counted;
  return right({ state: out.right.state as S, ts: counted.right });
}

/**
 * Trains one batch: counts it (an optimiser step closes every `accumulationSteps` batches),
 * lets the plug-ins transform it, runs the batch-start hooks, the model's `trainStep` (its
 * losses are added to the running windows), the batch-end hooks, and shows progress.
 * Runs once per batch, so it is a plain async function (no generator, no closure per step).
 */
async function trainStep<S, B, V>(
  env: LoopEnv<S, B, V>,
  st0: LoopState<S>,
  batch: B,
): Step<{ readonly st: LoopState<S>; readonly optimizerStep: boolean }> {
  const globalIteration = st0.ts.globalIteration + 1;
  const optimizerStep = globalIteration % env.cfg.accumulationSteps === 0;
  const iteration = st0.ts.iteration + (optimizerStep ? 1 : 0);
  const st = patchTs(st0, { globalIteration, iteration });
  const ts = st.ts;
  const c: StepContext = { ...contextOf(env, ts), optimizerStep };
  const b = await transformBatch(env, ts, batch, c);
  if (b._tag === "Left") return b;
  const pluginsStarted = await forPlugins(env, ts, "onTrainingBatchStart", (h) => h(c));
  if (pluginsStarted._tag === "Left") return pluginsStarted;
  const started = await modelBatchHook(env, ts, "onTrainingBatchStart", st.state, c);
  if (started._tag === "Left") return started;
  const trained = await modelTrainStep(env, ts, started.right, b.right, c);
  if (trained._tag === "Left") return trained;
  const counted = trained.right.ts;
  const pluginsEnded = await forPlugins(env, counted, "onTrainingBatchEnd", (h) => h(c));
  if (pluginsEnded._tag === "Left") return pluginsEnded;
  const ended = await modelBatchHook(env, counted, "onTrainingBatchEnd", trained.right.state, c);
  if (ended._tag === "Left") return ended;
  const next = {
    ...st,
    state: ended.right,
    ts: { ...counted, batchIndex: counted.batchIndex + 1 },
  };
  showProgress(env, next.ts, false);
  return right({ st: next, optimizerStep });
}

// -------------------------------------------------------------------------------------
// one epoch
// -------------------------------------------------------------------------------------

/** Starts the next epoch unless one is in progress (a resumed run continues it). */
function beginEpoch<S, B, V>(env: LoopEnv<S, B, V>, st: LoopState<S>): Step<LoopState<S>> {
  if (!st.ts.epochDone) return Promise.resolve(right(st));
  const next = patchTs(st, { epoch: st.ts.epoch + 1, epochDone: false, batchIndex: 0 });
  return lifecycle(env, next, "onTrainingEpochStart");
}

/** The seed of epoch `epoch`'s shuffle, derived from the trainer's seed. */
function epochSeed(seed: number | string, epoch: number): number {
  return nextUint32(rngFromSeed(`${String(seed)}|epoch|${epoch}`));
}

/**
 * Trains the epoch's batches from `ts.batchIndex` on, running `after` after each; stops early
 * when `after` gives a reason. An epoch that yields no batch at all is a failure.
 */
function epochBatches<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  after: AfterBatch<S>,
): Step<Checked<S>> {
  const { cfg } = env;
  const start = st.ts.batchIndex;
  const request = {
    epoch: st.ts.epoch,
    start,
    seed: epochSeed(cfg.seed, st.ts.epoch),
    rank: cfg.rank,
    worldSize: cfg.worldSize,
  };
  const who = "data.trainBatches";
  return steps(function* (_) {
    const source = yield* _(() => call(env, st.ts, who, () => env.data.trainBatches(request)));
    let reason: StopReason | undefined;
    const each = async (acc: LoopState<S>, batch: B): Step<{ st: LoopState<S>; stop: boolean }> => {
      const trained = await trainStep(env, acc, batch);
      if (trained._tag === "Left") return trained;
      const checked = await after(trained.right.st, trained.right.optimizerStep);
      if (checked._tag === "Left") return checked;
      reason = checked.right.reason;
      return right({ st: checked.right.st, stop: reason !== undefined });
    };
    const folded = yield* _(() => foldBatches<S, B, V, B>(env, who, source, st, each));
    if (folded.count === 0 && start === 0) {
      const e = new RangeError(`'trainBatches' yielded no batch for epoch ${folded.st.ts.epoch}`);
      return yield* _(failWith<S, B, V>(env, folded.st.ts, e, who));
    }
    return { st: folded.st, reason };
  });
}

/** Ends the epoch: the hooks, the `epoch` log line. */
function endEpoch<S, B, V>(env: LoopEnv<S, B, V>, st: LoopState<S>): Step<LoopState<S>> {
  return steps(function* (_) {
    const ended = yield* _(() => lifecycle(env, st, "onTrainingEpochEnd"));
    const logged = yield* _(() => logLine(env, ended, "epoch"));
    return patchTs(logged, { epochDone: true });
  });
}

function periodic(frequency: number | undefined, count: number): boolean {
  return frequency !== undefined && count % frequency === 0;
}

/** The `train` log line, on optimiser steps that `logFrequency` selects. */
function maybeLogTrain<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  optimizerStep: boolean,
): Step<LoopState<S>> {
  return optimizerStep && periodic(env.cfg.logFrequency, st.ts.iteration)
    ? logLine(env, st, "train")
    : Promise.resolve(right(st));
}

/** `step` when `count` is a multiple of `frequency`, else nothing. */
function every<S>(
  frequency: number | undefined,
  count: (st: LoopState<S>) => number,
  step: (st: LoopState<S>) => Step<LoopState<S>>,
): (st: LoopState<S>) => Step<LoopState<S>> {
  return (st) => periodic(frequency, count(st)) ? step(st) : Promise.resolve(right(st));
}

// -------------------------------------------------------------------------------------
// loops
// -------------------------------------------------------------------------------------

/**
 * `trainUnit: "epoch"`: after every batch, the `train` log line and a stop request check; after
 * every epoch (even one cut short), validation, the epoch end, a checkpoint, the stop check.
 */
function epochLoop<S, B, V>(env: LoopEnv<S, B, V>, st0: LoopState<S>): Step<Checked<S>> {
  const { cfg } = env;
  const byEpoch = (s: LoopState<S>) => s.ts.epoch;
  const validateEvery = every(cfg.validationFrequency, byEpoch, (s) => validate(env, s));
  const saveEvery = every(cfg.checkpointFrequency, byEpoch, (s) => saveCheckpoint(env, s));
  const afterBatch: AfterBatch<S> = async (st, optimizerStep) => {
    const logged = await maybeLogTrain(env, st, optimizerStep);
    return logged._tag === "Left" ? logged : requestedStop(env, logged.right);
  };
  return steps(function* (_) {
    for (let st = st0;;) {
      const begun = yield* _(() => beginEpoch(env, st));
      const trained = yield* _(() => epochBatches(env, begun, afterBatch));
      const validated = yield* _(() => validateEvery(trained.st));
      const ended = yield* _(() => endEpoch(env, validated));
      const saved = yield* _(() => saveEvery(ended));
      const checked = yield* _(() => checkStop(env, saved));
      if (checked.reason !== undefined) return checked;
      st = checked.st;
    }
  });
}

/**
 * `trainUnit: "iteration"`: after every optimiser step, validation, the `train` log line and
 * a checkpoint as their frequencies say; a stop check after every batch and every epoch.
 */
function iterationLoop<S, B, V>(env: LoopEnv<S, B, V>, st0: LoopState<S>): Step<Checked<S>> {
  const { cfg } = env;
  const byIteration = (s: LoopState<S>) => s.ts.iteration;
  const validateEvery = every(cfg.validationFrequency, byIteration, (s) => validate(env, s));
  const saveEvery = every(cfg.checkpointFrequency, byIteration, (s) => saveCheckpoint(env, s));
  const afterBatch: AfterBatch<S> = async (st, optimizerStep) => {
    if (!optimizerStep) return checkStop(env, st);
    const validated = await validateEvery(st);
    if (validated._tag === "Left") return validated;
    const logged = await maybeLogTrain(env, validated.right, true);
    if (logged._tag === "Left") return logged;
    const saved = await saveEvery(logged.right);
    return saved._tag === "Left" ? saved : checkStop(env, saved.right);
  };
  return steps(function* (_) {
    for (let st = st0;;) {
      const begun = yield* _(() => beginEpoch(env, st));
      const trained = yield* _(() => epochBatches(env, begun, afterBatch));
      if (trained.reason !== undefined) return trained;
      const ended = yield* _(() => endEpoch(env, trained.st));
      const checked = yield* _(() => checkStop(env, ended));
      if (checked.reason !== undefined) return checked;
      st = checked.st;
    }
  });
}

/**
 * Trains until a stop reason: a resumed run first checks whether its checkpoint already
 * ended training, then the loop of the trainer's unit runs.
 */
export function trainLoop<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  resumed: boolean,
): Step<{ readonly st: LoopState<S>; readonly reason: StopReason }> {
  return steps(function* (_) {
    let from = st;
    if (resumed) {
      const checked = yield* _(() => checkStop(env, st));
      const { reason } = checked;
      if (reason !== undefined) return { st: checked.st, reason };
      from = checked.st;
    }
    const loop = env.cfg.trainUnit === "epoch" ? epochLoop : iterationLoop;
    const checked = yield* _(() => loop(env, from));
    return checked as { readonly st: LoopState<S>; readonly reason: StopReason };
  });
}
