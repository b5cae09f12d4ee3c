/**
 * Hyperion (`@hyperion/tune`): a functional hyperparameter-optimisation library for Deno and
 * TypeScript — the Optuna-class engine. Studies and trials are immutable records; effects are
 * `TaskEither`s; samplers are JSON data; storages are injected.
 *
 * This entry point is runtime-neutral (no `Deno.*`, no `node:*`): the core types, errors,
 * distributions, the study runtime, samplers, pruners and the in-memory storage. SQLite lives
 * in `@hyperion/tune/sqlite`, URL-based opening in `@hyperion/tune/storage`, the training-loop
 * host in `@hyperion/tune/trainer` and the tuning plug-in in `@hyperion/tune/plugins/optuna`.
 *
 * @example Tune a function in a few lines
 * ```ts
 * import { createStudy, float, int, optimize, runOrThrow, suggest, map } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ direction: "minimize" }));
 * const summary = await runOrThrow(optimize(study, (trial) =>
 *   map(suggest(trial, { x: float(-10, 10), n: int(1, 5) }), ({ x, n }) => (x - 3) ** 2 + n),
 *   { nTrials: 40 }));
 * assert.equal(summary.nTrials, 40);
 * assert.ok(summary.bestTrial !== undefined);
 * ```
 *
 * @module
 */

// effects: Either and TaskEither (structural twins of fp-ts's), gen, bracket
export {
  type Either,
  getOrThrow,
  isLeft,
  isRight,
  type Left,
  left,
  type Right,
  right,
} from "./lib/effect/either.ts";
export {
  fail,
  flatMap,
  fromAsync,
  fromEither,
  fromTask,
  map,
  mapError,
  orElse,
  runOrThrow,
  sequence,
  succeed,
  tap,
  type TaskEither,
  tryCatch,
} from "./lib/effect/task_either.ts";
export {
  type Adapter,
  type EitherAdapter,
  gen,
  genEither,
  type Step,
  type StepError,
} from "./lib/effect/gen.ts";
export { bracket, type Thrown } from "./lib/effect/bracket.ts";

// errors: the union, its matcher, and each domain's variants
export {
  type ErrorBase,
  type ErrorHandlers,
  type HyperionError,
  type HyperionErrorTag,
  isHyperionError,
  matchError,
  tagOf,
} from "./lib/errors.ts";
export {
  type IncompatibleDistribution,
  type InvalidArgument,
  invalidArgument,
  type InvalidDistribution,
  type NotSupported,
  type TrialNotUpdatable,
} from "./lib/core/errors.ts";
export {
  type DuplicatedStudy,
  type SchemaMismatch,
  type StorageError,
  type StudyNotFound,
  type TrialNotFound,
} from "./lib/storage/errors.ts";
export { type UnknownSamplerKind } from "./lib/samplers/errors.ts";
export {
  type InvalidStudyArgs,
  type NoCompletedTrials,
  type ObjectiveFailed,
  type TrialPruned,
  trialPruned,
} from "./lib/study/errors.ts";
export {
  type CollectiveFailed,
  type CorruptCheckpoint,
  type DuplicatePlugin,
  type InvalidTrainerConfig,
  type RankFailed,
  type TrainingFailed,
} from "./lib/trainer/errors.ts";
export { type NotPersistentStorage, type UnknownSuggestType } from "./lib/plugins/optuna/errors.ts";

// core records and pure queries
export { type JsonValue, type ParamValue } from "./lib/core/json.ts";
export {
  type CategoricalDistribution,
  categoricalDistribution,
  type Distribution,
  type FloatDistribution,
  floatDistribution,
  type IntDistribution,
  intDistribution,
  type NumericDistributionOptions,
} from "./lib/core/distributions.ts";
export { distributionFromJson, distributionToJson } from "./lib/core/distribution_json.ts";
export {
  type Attrs,
  type FrozenTrial,
  type TrialState,
  type TrialTemplate,
} from "./lib/core/trial.ts";
export {
  bestTrial,
  type Direction,
  isFeasible,
  paretoFront,
  type StudyRecord,
  type StudySummary,
  trialConstraints,
} from "./lib/core/study.ts";
export type { SearchSpace } from "./lib/core/search_space.ts";

// randomness
export {
  normal,
  type Rng,
  rngFromSeed,
  rngFromState,
  type RngState,
  rngState,
  shuffled,
  uniform,
} from "./lib/random/rng.ts";

// storage
export {
  type AttrKind,
  type CreateStudyArgs,
  type FailedTrialCallback,
  type GetTrialsOptions,
  type HeartbeatOptions,
  type SetAttrArgs,
  type SetTrialParamArgs,
  type SetTrialStateArgs,
  type Storage,
  type StorageHeartbeatOptions,
  type StudyRef,
} from "./lib/storage/storage.ts";
export { memoryStorage, type MemoryStorageOptions } from "./lib/storage/memory.ts";

// study runtime
export {
  createStudy,
  getBestTrial,
  getBestTrials,
  getTrials,
  loadStudy,
  type LoadStudyArgs,
  setStudySampler,
  setStudyUserAttr,
  stopOptimize,
  type Study,
  type StudyArgs,
  type StudyRuntime,
  studySampler,
} from "./lib/study/study.ts";
export {
  copyStudy,
  type CopyStudyArgs,
  deleteStudy,
  getAllStudyNames,
  getAllStudySummaries,
  type StudySummariesOptions,
} from "./lib/study/studies.ts";
export type { ConstraintsFunc } from "./lib/study/study_args.ts";
export { type EnqueueOptions, enqueueTrial } from "./lib/study/enqueue.ts";
export { addTrial, addTrials, createTrial, type CreateTrialArgs } from "./lib/study/add_trial.ts";
export { fixedTrial, type FixedTrialOptions } from "./lib/study/fixed_trial.ts";
export { getMetricNames, setMetricNames } from "./lib/study/metric_names.ts";
export { maxTrialsCallback, type MaxTrialsOptions } from "./lib/study/callbacks.ts";
export {
  type ArtifactMeta,
  downloadArtifact,
  getArtifactMetas,
  uploadArtifact,
  type UploadArtifactArgs,
} from "./lib/study/artifacts.ts";
export type { ArtifactStore } from "./lib/fs/artifact.ts";
export { report, setUserAttr, shouldPrune, type Trial, trialSnapshot } from "./lib/study/trial.ts";
export { setConstraint } from "./lib/study/constraint.ts";
export { ask } from "./lib/study/ask.ts";
export { suggestCategorical, suggestFloat, suggestInt } from "./lib/study/suggest.ts";
export { tell, type TellOutcome } from "./lib/study/tell.ts";
export {
  categorical,
  type CategoricalEntry,
  float,
  type FloatEntry,
  int,
  type IntEntry,
  type SpaceEntry,
  suggest,
  type Suggested,
} from "./lib/study/space.ts";
export {
  type Objective,
  type ObjectiveResult,
  type ObjectiveValue,
} from "./lib/study/objective.ts";
export {
  type CallbackResult,
  type OptimizeCallback,
  type OptimizeOptions,
  type OptimizeSummary,
  type ProgressWriter,
  type StopReason,
} from "./lib/study/optimize_options.ts";
export { optimize } from "./lib/study/optimize.ts";
export {
  failStaleTrials,
  retriedTrialNumber,
  retryFailedTrialCallback,
  type RetryFailedTrialOptions,
  retryHistory,
} from "./lib/study/heartbeat.ts";

// samplers
export {
  type Sampled,
  type Sampler,
  type SamplerContext,
  type SamplerHookResult,
  type SamplerImpl,
  type SamplerKinds,
} from "./lib/samplers/sampler.ts";
export {
  BUILTIN_SAMPLERS,
  samplerFromSnapshot,
  type SamplerFromSnapshotOptions,
} from "./lib/samplers/catalog.ts";
export { randomSampler, type RandomSamplerOptions } from "./lib/samplers/random.ts";
export { type TpeGamma, type TpeSamplerOptions } from "./lib/samplers/tpe/options.ts";
export type { ObservationWeights } from "./lib/samplers/tpe/parzen_estimator.ts";
export { tpeSampler } from "./lib/samplers/tpe/mod.ts";
export { gpSampler, type GpSamplerOptions } from "./lib/samplers/gp/mod.ts";
export {
  AUTO_SAMPLER_KEY,
  autoSampler,
  type AutoSamplerOptions,
  makeAutoSamplerImpl,
} from "./lib/samplers/auto/mod.ts";
export { gridSampler, type GridSamplerOptions, type GridSpace } from "./lib/samplers/grid.ts";
export { qmcSampler, type QmcSamplerOptions } from "./lib/samplers/qmc/mod.ts";
export {
  cmaEsSampler,
  type CmaEsSamplerOptions,
  type CmaEsSourceTrial,
} from "./lib/samplers/cmaes/mod.ts";
export { bruteForceSampler, type BruteForceSamplerOptions } from "./lib/samplers/brute_force.ts";
export {
  type NsgaCrossover,
  nsgaIIISampler,
  type NsgaIIISamplerOptions,
  nsgaIISampler,
  type NsgaIISamplerOptions,
  type NsgaMutation,
} from "./lib/samplers/nsga/mod.ts";
export { makePartialFixedSamplerImpl, partialFixedSampler } from "./lib/samplers/partial_fixed.ts";

// pruners
export { type PruneDecision, type Pruner, type PrunerContext } from "./lib/pruners/pruner.ts";
export { nopPruner } from "./lib/pruners/nop.ts";
export {
  medianPruner,
  percentilePruner,
  type PercentilePrunerOptions,
} from "./lib/pruners/percentile.ts";
export {
  successiveHalvingPruner,
  type SuccessiveHalvingPrunerOptions,
} from "./lib/pruners/successive_halving.ts";
export { hyperbandPruner, type HyperbandPrunerOptions } from "./lib/pruners/hyperband.ts";
export { thresholdPruner, type ThresholdPrunerOptions } from "./lib/pruners/threshold.ts";
export { patientPruner, type PatientPrunerOptions } from "./lib/pruners/patient.ts";
export { wilcoxonPruner, type WilcoxonPrunerOptions } from "./lib/pruners/wilcoxon.ts";

// logging
export {
  createLogger,
  getVerbosity,
  type LogEntry,
  type Logger,
  type LoggingSettings,
  loggingSettings,
  type LogLevel,
  type LogSeverity,
  setVerbosity,
  stderrLogger,
} from "./lib/study/logging.ts";
