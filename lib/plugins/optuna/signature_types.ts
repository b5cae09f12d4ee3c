/**
 * The types the tuning plug-in's signatures mention (the trainer's `Plugin`, `Model` and
 * `Trainer`, the study's `Trial` and `Study`, the effect and error types, ...), re-exported by
 * its entry point (`@hyperion/tune/plugins/optuna`) so that it documents them without the core
 * and trainer entry points. Types only.
 *
 * @module
 */
export type {
  CategoricalDistribution,
  Distribution,
  FloatDistribution,
  IntDistribution,
} from "../../core/distributions.ts";
export type { JsonValue, ParamValue } from "../../core/json.ts";
export type { SearchSpace } from "../../core/search_space.ts";
export type { Direction, StudyRecord } from "../../core/study.ts";
export type { Attrs, FrozenTrial, TrialState, TrialTemplate } from "../../core/trial.ts";
export type { Either, Left, Right } from "../../effect/either.ts";
export type { TaskEither } from "../../effect/task_either.ts";
// the error union and its variants (types only: the constructors stay in the core entry point)
export type * from "../../error_types.ts";
export type { PruneDecision, Pruner, PrunerContext } from "../../pruners/pruner.ts";
export type { Rng } from "../../random/rng.ts";
export type {
  Sampled,
  Sampler,
  SamplerContext,
  SamplerHookResult,
  SamplerImpl,
  SamplerKinds,
} from "../../samplers/sampler.ts";
export type {
  AttrKind,
  CreateStudyArgs,
  FailedTrialCallback,
  GetTrialsOptions,
  HeartbeatOptions,
  SetAttrArgs,
  SetTrialParamArgs,
  SetTrialStateArgs,
  Storage,
  StudyRef,
} from "../../storage/storage.ts";
export type { LogEntry, Logger, LogLevel, LogSeverity } from "../../study/logging.ts";
export type { Study, StudyArgs, StudyRuntime } from "../../study/study.ts";
export type { ConstraintsFunc } from "../../study/study_args.ts";
export type { Trial } from "../../study/trial.ts";
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
