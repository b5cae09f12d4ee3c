/**
 * The training loop of `fit` as named steps over the {@link LoopState} record: begin an epoch,
 * train one batch (with gradient accumulation), the epoch's batches, end an epoch, the stop
 * checks, and the two loops (`trainUnit: "epoch"` and `"iteration"`) built from them.
 *
 * @module
 */
import { right } from "../effect/mod.ts";
import { nextUint32, rngFromSeed } from "../random/rng.ts";
import type { Plugin, StepContext, StopReason } from "./types.ts";
import {
  call,
  callBool,
  failWith,
  foldBatches,
  foldSteps,
  forPlugins,
  isRecord,
  lifecycle,
  pipeSteps,
  pluginName,
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
  const asked = await foldSteps<Plugin, string | undefined>(env.plugins, undefined, (by, p) => {
    const h = p.shouldTrainingStop;
    if (by !== undefined || h === undefined) return Promise.resolve(right(by));
    return callBool(env, st.ts, pluginName(p, "shouldTrainingStop"), () => h(c)).then((r) =>
      r._tag === "Left" ? r : right(r.right ? `plug-in '${p.id}'` : undefined)
    );
  });
  if (asked._tag === "Left" || asked.right !== undefined) return asked;
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

/**
 * Trains one batch: counts it (an optimiser step closes every `accumulationSteps` batches),
 * lets the plug-ins transform it, runs the batch-start hooks, the model's `trainStep` (its
 * losses are added to the running windows), the batch-end hooks, and shows progress.
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
  const b = await foldSteps<Plugin, unknown>(env.plugins, batch, (input, p) => {
    const h = p.processTrainingBatch;
    if (h === undefined) return Promise.resolve(right(input));
    return call(env, ts, pluginName(p, "processTrainingBatch"), () => h(input, c));
  });
  if (b._tag === "Left") return b;
  const started = await forPlugins(env, ts, "onTrainingBatchStart", (h) => h(c));
  if (started._tag === "Left") return started;
  let state = st.state;
  const batchStart = env.model.onTrainingBatchStart;
  if (batchStart !== undefined) {
    const r = await call(env, ts, "model.onTrainingBatchStart", () => batchStart(state, c));
    if (r._tag === "Left") return r;
    state = r.right;
  }
  const s = state;
  const out = await call<S, B, V, unknown>(
    env,
    ts,
    "model.trainStep",
    () => env.model.trainStep(s, b.right as B, c),
  );
  if (out._tag === "Left") return out;
  if (!isRecord(out.right) || !("state" in out.right)) {
    const e = new TypeError(`'trainStep' must return { state, losses? }, got ${typeof out.right}`);
    return failWith(env, ts, e, "model.trainStep");
  }
  state = out.right.state as S;
  const counted = addLosses(env, ts, out.right.losses);
  if (counted._tag === "Left") return counted;
  const ended = await forPlugins(env, counted.right, "onTrainingBatchEnd", (h) => h(c));
  if (ended._tag === "Left") return ended;
  const batchEnd = env.model.onTrainingBatchEnd;
  if (batchEnd !== undefined) {
    const s2 = state;
    const r = await call(env, counted.right, "model.onTrainingBatchEnd", () => batchEnd(s2, c));
    if (r._tag === "Left") return r;
    state = r.right;
  }
  const next = { ...st, state, ts: { ...counted.right, batchIndex: counted.right.batchIndex + 1 } };
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
async function epochBatches<S, B, V>(
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
  const source = await call(env, st.ts, who, () => env.data.trainBatches(request));
  if (source._tag === "Left") return source;
  let reason: StopReason | undefined;
  const folded = await foldBatches<S, B, V, B>(env, who, source.right, st, async (acc, batch) => {
    const trained = await trainStep(env, acc, batch);
    if (trained._tag === "Left") return trained;
    const checked = await after(trained.right.st, trained.right.optimizerStep);
    if (checked._tag === "Left") return checked;
    reason = checked.right.reason;
    return right({ st: checked.right.st, stop: reason !== undefined });
  });
  if (folded._tag === "Left") return folded;
  if (folded.right.count === 0 && start === 0) {
    const e = new RangeError(
      `'trainBatches' yielded no batch for epoch ${folded.right.st.ts.epoch}`,
    );
    return failWith(env, folded.right.st.ts, e, who);
  }
  return right({ st: folded.right.st, reason });
}

/** Ends the epoch: the hooks, the `epoch` log line. */
async function endEpoch<S, B, V>(env: LoopEnv<S, B, V>, st: LoopState<S>): Step<LoopState<S>> {
  const r = await pipeSteps(
    st,
    (s) => lifecycle(env, s, "onTrainingEpochEnd"),
    (s) => logLine(env, s, "epoch"),
  );
  return r._tag === "Left" ? r : right(patchTs(r.right, { epochDone: true }));
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
async function epochLoop<S, B, V>(env: LoopEnv<S, B, V>, st0: LoopState<S>): Step<Checked<S>> {
  const { cfg } = env;
  const byEpoch = (s: LoopState<S>) => s.ts.epoch;
  const afterBatch: AfterBatch<S> = async (st, optimizerStep) => {
    const logged = await maybeLogTrain(env, st, optimizerStep);
    return logged._tag === "Left" ? logged : requestedStop(env, logged.right);
  };
  for (let st = st0;;) {
    const epoch = await pipeSteps(
      st,
      (s) => beginEpoch(env, s),
      async (s) => {
        const r = await epochBatches(env, s, afterBatch);
        return r._tag === "Left" ? r : right(r.right.st);
      },
      every(cfg.validationFrequency, byEpoch, (s) => validate(env, s)),
      (s) => endEpoch(env, s),
      every(cfg.checkpointFrequency, byEpoch, (s) => saveCheckpoint(env, s)),
    );
    if (epoch._tag === "Left") return epoch;
    const checked = await checkStop(env, epoch.right);
    if (checked._tag === "Left" || checked.right.reason !== undefined) return checked;
    st = checked.right.st;
  }
}

/**
 * `trainUnit: "iteration"`: after every optimiser step, validation, the `train` log line and
 * a checkpoint as their frequencies say; a stop check after every batch and every epoch.
 */
async function iterationLoop<S, B, V>(env: LoopEnv<S, B, V>, st0: LoopState<S>): Step<Checked<S>> {
  const { cfg } = env;
  const byIteration = (s: LoopState<S>) => s.ts.iteration;
  const optimizerStepEnd = (st: LoopState<S>) =>
    pipeSteps(
      st,
      every(cfg.validationFrequency, byIteration, (s) => validate(env, s)),
      (s) => maybeLogTrain(env, s, true),
      every(cfg.checkpointFrequency, byIteration, (s) => saveCheckpoint(env, s)),
    );
  const afterBatch: AfterBatch<S> = async (st, optimizerStep) => {
    const r = optimizerStep ? await optimizerStepEnd(st) : right(st);
    return r._tag === "Left" ? r : checkStop(env, r.right);
  };
  for (let st = st0;;) {
    const begun = await beginEpoch(env, st);
    if (begun._tag === "Left") return begun;
    const trained = await epochBatches(env, begun.right, afterBatch);
    if (trained._tag === "Left" || trained.right.reason !== undefined) return trained;
    const ended = await endEpoch(env, trained.right.st);
    if (ended._tag === "Left") return ended;
    const checked = await checkStop(env, ended.right);
    if (checked._tag === "Left" || checked.right.reason !== undefined) return checked;
    st = checked.right.st;
  }
}

/**
 * Trains until a stop reason: a resumed run first checks whether its checkpoint already
 * ended training, then the loop of the trainer's unit runs.
 */
export async function trainLoop<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  resumed: boolean,
): Step<{ readonly st: LoopState<S>; readonly reason: StopReason }> {
  let from = st;
  if (resumed) {
    const checked = await checkStop(env, st);
    if (checked._tag === "Left") return checked;
    const { reason } = checked.right;
    if (reason !== undefined) return right({ st: checked.right.st, reason });
    from = checked.right.st;
  }
  const loop = env.cfg.trainUnit === "epoch" ? epochLoop : iterationLoop;
  return loop(env, from) as Step<{ readonly st: LoopState<S>; readonly reason: StopReason }>;
}
