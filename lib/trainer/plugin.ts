/**
 * The plug-in record: an `id` and optional lifecycle handlers. A plug-in's hook runs before
 * the model's hook of the same name, except `onValidationEnd`, which a plug-in receives after
 * the model has produced that cycle's metrics. A plug-in keeps its own state (in a closure)
 * and persists it through `stateDict` and `loadStateDict`.
 *
 * @module
 */
import type {
  HookResult,
  Metrics,
  StepContext,
  TrainingContext,
  ValidationContext,
  ValidationStepContext,
} from "./context.ts";
import type { JsonValue } from "../core/json.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

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

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The plug-in registered under `id`, if any (pass `trainer.plugins` or `ctx.plugins`).
 *
 * @example Reach a plug-in from a model hook
 * ```ts
 * import { findPlugin, type Plugin } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const plugins: ReadonlyArray<Plugin> = [{ id: "audit" }];
 * assert.equal(findPlugin(plugins, "audit")?.id, "audit");
 * assert.equal(findPlugin(plugins, "optuna"), undefined);
 * ```
 *
 * @category queries
 */
export function findPlugin(plugins: ReadonlyArray<Plugin>, id: string): Plugin | undefined {
  return plugins.find((p) => p.id === id);
}
