/**
 * The types the tuning plug-in's signatures mention (the trainer's `Plugin`, `Model` and
 * `Trainer`, the study's `Trial` and `Study`, the effect and error types, ...), re-exported by
 * its entry point (`@hyperion/tune/plugins/optuna`) so that it documents them without the core
 * and trainer entry points. Types only.
 *
 * @module
 */
// the study's set: effect and error types, core records, storage, sampler, pruner, study, trial
export type * from "../../study/signature_types.ts";
export type { StudyArgs } from "../../study/study.ts";
export type { Model, TrainStepResult, ValidationResult } from "../../trainer/model.ts";
export type { ResolvedTrainerConfig, Trainer } from "../../trainer/trainer.ts";
export type {
  Collective,
  FloatArray,
  HookResult,
  Losses,
  Metrics,
  Plugin,
  ReduceOp,
  StepContext,
  TrainingContext,
  TrainUnit,
  ValidationContext,
  ValidationEvent,
  ValidationStepContext,
} from "../../trainer/types.ts";
