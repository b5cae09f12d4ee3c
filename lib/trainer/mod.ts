/**
 * The training-loop host: the functional counterpart of the Helios trainer. A
 * {@link Model} is a record of lifecycle handlers over an explicit state, a {@link Plugin}
 * is a record of optional handlers with an `id`, a {@link DataModule} yields batches, and a
 * {@link Trainer} is a validated, immutable configuration with an ordered plug-in table.
 * {@link fit} runs the loop as a `TaskEither`: validation cycles, early stopping, gradient
 * accumulation, atomic JSON checkpoints under `<chkptRoot>/<saveName>/`, exact resume from
 * the latest one, a progress line and a JSON-lines log.
 *
 * @example Train, interrupt, resume
 * ```ts
 * import {
 *   arrayDataModule,
 *   createTrainer,
 *   fit,
 *   getOrThrow,
 *   type Model,
 *   registerPlugin,
 *   runOrThrow,
 * } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * // Fit y = 2x with one weight; the state is plain JSON, so it checkpoints as is.
 * const model: Model<{ w: number }, ReadonlyArray<[number, number]>> = {
 *   saveName: "line",
 *   setup: () => ({ w: 0 }),
 *   trainStep: (s, batch) => {
 *     const grad = batch.reduce((g, [x, y]) => g + 2 * x * (s.w * x - y), 0) / batch.length;
 *     return { state: { w: s.w - 0.1 * grad }, losses: { grad: Math.abs(grad) } };
 *   },
 *   onValidationEnd: (s) => ({ state: s, metrics: { error: Math.abs(s.w - 2) } }),
 * };
 * const points: Array<[number, number]> = [[0.5, 1], [1, 2], [1.5, 3], [2, 4]];
 * const data = arrayDataModule(points, { batchSize: 2 });
 * const chkptRoot = await Deno.makeTempDir();
 * const config = { totalSteps: 10, validationFrequency: 1, checkpointFrequency: 1, chkptRoot };
 *
 * // The first run is interrupted by a plug-in failing in epoch 4.
 * const crash = { id: "crash", onTrainingEpochStart: ({ epoch }: { epoch: number }) => {
 *   if (epoch === 4) throw new Error("power cut");
 * } };
 * const interrupted = getOrThrow(registerPlugin(getOrThrow(createTrainer(config)), crash));
 * const failed = await fit(interrupted, model, data)();
 * assert.ok(failed._tag === "Left" && failed.left._tag === "TrainingFailed");
 *
 * // The second run resumes from the epoch-3 checkpoint and finishes.
 * const resumed = await runOrThrow(fit(getOrThrow(createTrainer(config)), model, data));
 * assert.match(resumed.resumedFrom ?? "", /line_epoch_3_iter_6\.json$/);
 * assert.equal(resumed.training.epoch, 10);
 * assert.ok((resumed.metrics.error ?? 1) < 1e-3);
 * await Deno.remove(chkptRoot, { recursive: true });
 * ```
 *
 * @module
 */
export { getOrThrow, isLeft, isRight, left, right, runOrThrow } from "../effect/mod.ts";
export type { Either, Left, Right, TaskEither } from "../effect/mod.ts";
// the error union and its variants (types only: the constructors stay in the core entry point)
export type * from "../error_types.ts";
export type { JsonValue } from "../core/json.ts";
export type { Rng, RngState } from "../random/rng.ts";
export type {
  Collective,
  FitResult,
  FloatArray,
  HookResult,
  Losses,
  LossWindows,
  Metrics,
  Plugin,
  ReduceOp,
  RunningLoss,
  StepContext,
  StopReason,
  TrainingContext,
  TrainingState,
  TrainUnit,
  ValidationContext,
  ValidationEvent,
  ValidationStepContext,
} from "./types.ts";
export { configureModel } from "./model.ts";
export type { Model, ModelOverrides, TrainStepResult, ValidationResult } from "./model.ts";
export { findPlugin } from "./plugin.ts";
export { arrayDataModule } from "./data.ts";
export type {
  ArrayDataModuleOptions,
  Batches,
  DataModule,
  TrainBatchRequest,
  ValidationBatchRequest,
} from "./data.ts";
export { addTrainExceptions, configureTrainer, createTrainer, registerPlugin } from "./trainer.ts";
export type { ResolvedTrainerConfig, Trainer, TrainerConfig } from "./trainer.ts";
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  findLatestCheckpoint,
  readCheckpoint,
} from "./checkpoint.ts";
export type { Checkpoint, CheckpointLog } from "./checkpoint.ts";
export { fit } from "./fit.ts";
export { fitParallel } from "./parallel/mod.ts";
export type {
  ArrayDataSpec,
  FitParallelOptions,
  ModuleExport,
  ParallelFitResult,
  RankInit,
  RankResult,
} from "./parallel/mod.ts";
