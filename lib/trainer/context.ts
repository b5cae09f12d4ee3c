/**
 * What the training-loop host hands to every handler: the {@link HookResult} a handler may
 * return, the metrics and losses tables, and the context records that say where training is
 * (epoch, iteration, validation cycle, distributed rank) when a handler runs.
 *
 * @module
 */
import type { Either } from "../effect/mod.ts";
import type { Rng } from "../random/rng.ts";
import type { Plugin } from "./plugin.ts";
import type { TrainUnit } from "./trainer.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

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
