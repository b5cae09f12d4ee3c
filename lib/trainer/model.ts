/**
 * The model record: a save name and lifecycle handlers over an explicit model state `S`.
 * Every handler receives the current state and returns the next one; the trainer threads it
 * through training, validation and checkpoints.
 *
 * @module
 */
import type {
  HookResult,
  Losses,
  Metrics,
  StepContext,
  TrainingContext,
  ValidationContext,
  ValidationStepContext,
} from "./types.ts";
import type { JsonValue } from "../core/json.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a training step returns: the next state and, optionally, the losses it computed.
 *
 * @category model
 */
export interface TrainStepResult<S> {
  /** The model state after the step. */
  readonly state: S;
  /** The step's losses, averaged by the trainer into the progress line and the log. */
  readonly losses?: Losses;
}

/**
 * What the end of a validation cycle returns: the next state and the cycle's metrics.
 *
 * @category model
 */
export interface ValidationResult<S> {
  /** The model state after validation. */
  readonly state: S;
  /** The cycle's metrics; plug-ins receive them in their `onValidationEnd`. */
  readonly metrics: Metrics;
}

/**
 * A model: a save name and lifecycle handlers over an explicit state `S`, with training
 * batches of type `B` and validation batches of type `V`. Only `saveName`, `setup` and
 * `trainStep` are required; a missing handler leaves the state unchanged.
 *
 * A model is a plain record, so `{ ...model, saveName: "other" }` is a model too.
 *
 * @category model
 */
export interface Model<S, B = unknown, V = B> {
  /** The name checkpoints and logs are filed under: no path separators, not `.` or `..`. */
  readonly saveName: string;
  /** Builds the initial state (draw initial weights from `ctx.rng` for reproducibility). */
  readonly setup: (ctx: TrainingContext) => HookResult<S>;
  /** Trains on one batch; with gradient accumulation, apply gradients when `ctx.optimizerStep`. */
  readonly trainStep: (state: S, batch: B, ctx: StepContext) => HookResult<TrainStepResult<S>>;
  /** Runs once at the start of every `fit`, after setup and any checkpoint restore. */
  readonly onTrainingStart?: (state: S, ctx: TrainingContext) => HookResult<S>;
  /** Runs when an epoch starts (not again when resuming inside it). */
  readonly onTrainingEpochStart?: (state: S, ctx: TrainingContext) => HookResult<S>;
  /** Runs before each training step. */
  readonly onTrainingBatchStart?: (state: S, ctx: StepContext) => HookResult<S>;
  /** Runs after each training step. */
  readonly onTrainingBatchEnd?: (state: S, ctx: StepContext) => HookResult<S>;
  /** Runs when an epoch's batches are exhausted (in epoch mode also when cut short). */
  readonly onTrainingEpochEnd?: (state: S, ctx: TrainingContext) => HookResult<S>;
  /** Runs once when the training loop ends, even when a plug-in's `onTrainingEnd` fails. */
  readonly onTrainingEnd?: (state: S, ctx: TrainingContext) => HookResult<S>;
  /** Runs at the start of each validation cycle. */
  readonly onValidationStart?: (state: S, ctx: ValidationContext) => HookResult<S>;
  /** Runs on each validation batch. */
  readonly validStep?: (state: S, batch: V, ctx: ValidationStepContext) => HookResult<S>;
  /** Ends a validation cycle and produces its metrics table. */
  readonly onValidationEnd?: (
    state: S,
    ctx: ValidationContext,
  ) => HookResult<ValidationResult<S>>;
  /**
   * Whether this cycle's metrics (in `ctx.metrics`) improved; `false` counts towards
   * `earlyStopCycles`. Absent: always `true`.
   */
  readonly haveMetricsImproved?: (state: S, ctx: ValidationContext) => HookResult<boolean>;
  /** Asked after every batch and every epoch, after the plug-ins; `true` stops training. */
  readonly shouldTrainingStop?: (state: S, ctx: TrainingContext) => HookResult<boolean>;
  /**
   * The JSON value saved as the model's part of a checkpoint. Absent: the state itself,
   * which must then be JSON.
   */
  readonly stateDict?: (state: S, ctx: TrainingContext) => HookResult<unknown>;
  /**
   * Restores a state from a checkpoint's model part, given the freshly set-up state.
   * Absent: the saved value becomes the state as is.
   */
  readonly loadStateDict?: (
    state: S,
    saved: JsonValue,
    ctx: TrainingContext,
  ) => HookResult<S>;
}

/**
 * Fields of a {@link Model} to replace with {@link configureModel}.
 *
 * @category model
 */
export type ModelOverrides<S, B = unknown, V = B> = Partial<Model<S, B, V>>;

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * A copy of `model` with some fields replaced, for example a new save name per trial.
 *
 * @example Give each trial its own checkpoint folder
 * ```ts
 * import { configureModel, type Model } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const model: Model<number> = {
 *   saveName: "net",
 *   setup: () => 0,
 *   trainStep: (s) => ({ state: s + 1 }),
 * };
 * assert.equal(configureModel(model, { saveName: "net_trial-3" }).saveName, "net_trial-3");
 * assert.equal(model.saveName, "net");
 * ```
 *
 * @category combinators
 */
export function configureModel<S, B, V>(
  model: Model<S, B, V>,
  overrides: ModelOverrides<S, B, V>,
): Model<S, B, V> {
  return { ...model, ...overrides };
}
