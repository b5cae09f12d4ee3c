/**
 * The trainer's types, in one low module that imports no other trainer module: what the
 * training-loop host hands to every handler (the {@link HookResult} a handler may return, the
 * metrics and losses tables, the context records that say where training is when a handler
 * runs), the {@link Plugin} record, the {@link TrainingState} a checkpoint holds, and what
 * `fit` returns ({@link FitResult}).
 *
 * @module
 */
import type { Either } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { Rng } from "../random/rng.ts";
import type { JsonValue } from "../core/json.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What `totalSteps` counts: epochs (passes over the training batches) or iterations
 * (optimiser steps).
 *
 * @category model
 */
export type TrainUnit = "epoch" | "iteration";

/**
 * What a model, plug-in or data-module handler may return: the value itself, an
 * {@link Either} of it, or a promise of either. A `Left` (or a throw, or a rejected promise)
 * is a failure: `fit` stops and returns it unchanged when its tag is listed in the trainer's
 * `trainExceptions`, and wraps it in `TrainingFailed` otherwise.
 *
 * A value that is itself `Either`-shaped (an object whose `_tag` is `"Left"` or `"Right"`)
 * is always read as an `Either`, so a model state must not have that shape.
 *
 * @category model
 */
export type HookResult<A> =
  | A
  | Either<unknown, A>
  | PromiseLike<A | Either<unknown, A>>;

/**
 * A table of named numbers: the metrics a validation cycle produces (for example
 * `{ accuracy: 0.93 }`).
 *
 * @category model
 */
export type Metrics = Readonly<Record<string, number>>;

/**
 * A table of named losses one training step produced (for example `{ loss: 0.41 }`); the
 * trainer averages them between log lines.
 *
 * @category model
 */
export type Losses = Readonly<Record<string, number>>;

/**
 * Where training is when a handler runs. A fresh snapshot is built for every call.
 *
 * @category model
 */
export interface TrainingContext {
  /** The model's save name (checkpoints and logs are named after it). */
  readonly saveName: string;
  /** This process's rank in distributed training; rank 0 writes checkpoints and logs. */
  readonly rank: number;
  /** How many processes train together. */
  readonly worldSize: number;
  /** What `totalSteps` counts. */
  readonly trainUnit: TrainUnit;
  /** The total number of epochs or iterations (may be `Infinity`). */
  readonly totalSteps: number;
  /** The epoch in progress, or the last finished one (1-based; 0 before the first). */
  readonly epoch: number;
  /** How many batches of the current epoch were trained before this call. */
  readonly batchIndex: number;
  /** Optimiser steps so far: batches divided by the gradient-accumulation steps. */
  readonly iteration: number;
  /** Training batches so far, over all epochs. */
  readonly globalIteration: number;
  /** How many validation cycles have finished. */
  readonly validationCycles: number;
  /** The metrics of the last finished validation cycle (`{}` before the first). */
  readonly metrics: Metrics;
  /** The checkpoint this run resumed from, if any. */
  readonly resumedFrom: string | undefined;
  /** The folder checkpoints of this save name go to, when checkpoints are on. */
  readonly checkpointDir: string | undefined;
  /** The registered plug-ins, in call order. */
  readonly plugins: ReadonlyArray<Plugin>;
  /**
   * The trainer's seeded generator. Draws advance it; its state is saved in every checkpoint
   * and restored on resume, so draws continue exactly.
   */
  readonly rng: Rng;
  /**
   * The collective operations of this run's ranks (all-reduce, broadcast, barrier). Under
   * `fit` there is one rank and they return their input unchanged; under `fitParallel` they
   * run over shared memory between the ranks' Workers.
   */
  readonly collective: Collective;
}

/**
 * A typed array of floats that the collective operations accept.
 *
 * @category model
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * How {@link Collective.allReduce} combines the ranks' buffers: their element-wise sum, or
 * the sum divided by the number of ranks.
 *
 * @category model
 */
export type ReduceOp = "sum" | "mean";

/**
 * Collective operations between the ranks of one run, in the model's context (`ctx.collective`).
 * Every rank must call the same operations in the same order with buffers of the same length
 * (a mismatch fails every rank with `CollectiveFailed` instead of hanging). The operations block
 * the calling rank until every rank has arrived; they return an `Either` (a `Left`
 * `CollectiveFailed` when another rank failed, a rank took longer than the run's
 * `collectiveTimeoutMs`, or the calls do not match; `InvalidArgument` for a bad buffer).
 *
 * **Determinism.** `allReduce` adds the ranks' values in rank order (rank 0 + rank 1 + …), in
 * double precision, whatever order the ranks arrive in, and every rank receives the same bits
 * (a `Float32Array` is rounded once, after the sum).
 *
 * @category model
 */
export interface Collective {
  /** This rank (0 to `worldSize - 1`). */
  readonly rank: number;
  /** How many ranks take part. */
  readonly worldSize: number;
  /**
   * Replaces `buffer`, in place, with the element-wise sum (or mean) of every rank's buffer,
   * and returns it.
   *
   * @default op "sum"
   */
  readonly allReduce: <T extends FloatArray>(
    buffer: T,
    op?: ReduceOp,
  ) => Either<HyperionError, T>;
  /**
   * Replaces `buffer`, in place, with rank `root`'s buffer on every rank, and returns it.
   *
   * @default root 0
   */
  readonly broadcast: <T extends FloatArray>(buffer: T, root?: number) => Either<HyperionError, T>;
  /** Returns once every rank has called it. */
  readonly barrier: () => Either<HyperionError, void>;
}

/**
 * The context of the handlers that run for one training batch.
 *
 * @category model
 */
export interface StepContext extends TrainingContext {
  /**
   * True when this batch completes a gradient-accumulation group, that is when the model
   * should apply its accumulated gradients (always true with `accumulationSteps: 1`).
   */
  readonly optimizerStep: boolean;
}

/**
 * The context of the handlers that run for one validation cycle.
 *
 * @category model
 */
export interface ValidationContext extends TrainingContext {
  /** The validation cycle (0-based): the step the tuning plug-in reports at. */
  readonly cycle: number;
}

/**
 * The context of the handlers that run for one validation batch.
 *
 * @category model
 */
export interface ValidationStepContext extends ValidationContext {
  /** The batch's index in this cycle (0-based). */
  readonly step: number;
}

/**
 * What a plug-in's `onValidationEnd` receives: the cycle and the model's metrics for it.
 *
 * @category model
 */
export interface ValidationEvent {
  /** The validation cycle (0-based). */
  readonly cycle: number;
  /** The metrics the model produced for this cycle. */
  readonly metrics: Metrics;
}

/**
 * A plug-in: an `id`, unique within a trainer, and optional lifecycle handlers.
 *
 * @category model
 */
export interface Plugin {
  /** The plug-in's id; its checkpoint state is stored under it. */
  readonly id: string;
  /** Runs once per `fit`, before the data module's and the model's setup. */
  readonly setup?: (ctx: TrainingContext) => HookResult<void>;
  /** Runs before the model's `onTrainingStart`. */
  readonly onTrainingStart?: (ctx: TrainingContext) => HookResult<void>;
  /** Runs before the model's `onTrainingEpochStart`. */
  readonly onTrainingEpochStart?: (ctx: TrainingContext) => HookResult<void>;
  /** Transforms a training batch before the model sees it; plug-ins chain in order. */
  readonly processTrainingBatch?: (batch: unknown, ctx: StepContext) => HookResult<unknown>;
  /** Runs before the model's `onTrainingBatchStart`. */
  readonly onTrainingBatchStart?: (ctx: StepContext) => HookResult<void>;
  /** Runs before the model's `onTrainingBatchEnd`. */
  readonly onTrainingBatchEnd?: (ctx: StepContext) => HookResult<void>;
  /** Runs before the model's `onTrainingEpochEnd`. */
  readonly onTrainingEpochEnd?: (ctx: TrainingContext) => HookResult<void>;
  /** Runs before the model's `onValidationStart`. */
  readonly onValidationStart?: (ctx: ValidationContext) => HookResult<void>;
  /** Transforms a validation batch before the model sees it; plug-ins chain in order. */
  readonly processValidationBatch?: (
    batch: unknown,
    ctx: ValidationStepContext,
  ) => HookResult<unknown>;
  /** Runs after the model's `onValidationEnd`, with the metrics it produced. */
  readonly onValidationEnd?: (
    event: ValidationEvent,
    ctx: ValidationContext,
  ) => HookResult<void>;
  /** Asked after every batch and every epoch, before the model; `true` stops training. */
  readonly shouldTrainingStop?: (ctx: TrainingContext) => HookResult<boolean>;
  /**
   * Runs before the model's `onTrainingEnd`. A failure here is returned by `fit` after the
   * model's `onTrainingEnd` has still run, exactly once.
   */
  readonly onTrainingEnd?: (ctx: TrainingContext) => HookResult<void>;
  /** The JSON value saved under the plug-in's id in every checkpoint. */
  readonly stateDict?: (ctx: TrainingContext) => HookResult<unknown>;
  /**
   * Asked before `fit` resumes from the latest checkpoint, with the value saved under the
   * plug-in's id (`undefined` when the checkpoint has none): `true` accepts it; a string refuses
   * it, saying why, and `fit` then fails with `CorruptCheckpoint` naming the file and the reason,
   * before anything is restored or written. The tuning plug-in uses it to resume only its own
   * study's and trial's checkpoints.
   */
  readonly acceptCheckpoint?: (
    saved: JsonValue | undefined,
    ctx: TrainingContext,
  ) => HookResult<true | string>;
  /** Restores the plug-in from its saved value; called only when the checkpoint has one. */
  readonly loadStateDict?: (saved: JsonValue, ctx: TrainingContext) => HookResult<void>;
}

/**
 * A running sum of one loss.
 *
 * @category model
 */
export interface RunningLoss {
  /** The sum of the values. */
  readonly sum: number;
  /** How many values were added. */
  readonly count: number;
}

/**
 * Running loss sums by window: since the last `train` log line, since the last validation
 * cycle and since the start of the epoch. Each log line resets its own window.
 *
 * @category model
 */
export interface LossWindows {
  /** Since the last `train` log line (or the start). */
  readonly train: Readonly<Record<string, RunningLoss>>;
  /** Since the last validation cycle (or the start). */
  readonly validation: Readonly<Record<string, RunningLoss>>;
  /** Since the start of the current epoch. */
  readonly epoch: Readonly<Record<string, RunningLoss>>;
}

/**
 * Where training is: everything the loops need to continue exactly from a checkpoint.
 *
 * @category model
 */
export interface TrainingState {
  /** The unit the run counts in (a checkpoint is only resumed with the same unit). */
  readonly trainUnit: TrainUnit;
  /** The epoch in progress, or the last finished one (0 before the first). */
  readonly epoch: number;
  /** Whether epoch `epoch` has finished. */
  readonly epochDone: boolean;
  /** Batches of epoch `epoch` trained so far. */
  readonly batchIndex: number;
  /** Optimiser steps so far. */
  readonly iteration: number;
  /** Training batches so far. */
  readonly globalIteration: number;
  /** Finished validation cycles. */
  readonly validationCycles: number;
  /** Validation cycles in a row whose metrics did not improve. */
  readonly earlyStopCount: number;
  /** The metrics of the last validation cycle (`{}` before the first). */
  readonly lastMetrics: Metrics;
  /** Losses summed by window, by name. */
  readonly runningLosses: LossWindows;
  /** Who asked training to stop (`"model"`, `"plug-in 'optuna'"`), if anyone did. */
  readonly stopRequestedBy: string | null;
}

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
