/**
 * Hyperparameter importance (`@hyperion/tune/importance`): which parameters explain the
 * objective, with Optuna's three evaluators — PED-ANOVA (the default), fANOVA and mean
 * decrease impurity — seeded and reproducible.
 *
 * @example The ranking of a study's parameters
 * ```ts
 * import { createStudy, float, optimize, runOrThrow, suggest, map } from "@hyperion/tune";
 * import { fanovaEvaluator, getParamImportances } from "@hyperion/tune/importance";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ direction: "minimize" }));
 * await runOrThrow(optimize(study, (trial) =>
 *   map(suggest(trial, { a: float(0, 1), b: float(0, 1) }), ({ a, b }) => 10 * a + 0.01 * b),
 *   { nTrials: 30 }));
 * const importances = await runOrThrow(getParamImportances(study, {
 *   evaluator: fanovaEvaluator({ nTrees: 16, seed: 1 }),
 * }));
 * assert.deepEqual(Object.keys(importances), ["a", "b"]);
 * ```
 *
 * @module
 */
export type { Either, Left, Right, TaskEither } from "../effect/mod.ts";
export type * from "../error_types.ts";
export type { Attrs, FrozenTrial, TrialState } from "../core/trial.ts";
export type { Direction } from "../core/study.ts";
export type { JsonValue, ParamValue } from "../core/json.ts";
export type {
  CategoricalDistribution,
  Distribution,
  FloatDistribution,
  IntDistribution,
} from "../core/distributions.ts";
export type { SearchSpace } from "../core/search_space.ts";
export type { StudyRecord } from "../core/study.ts";
export type { TrialTemplate } from "../core/trial.ts";
export type { PruneDecision, Pruner, PrunerContext } from "../pruners/pruner.ts";
export type { Rng } from "../random/rng.ts";
export type {
  Sampled,
  Sampler,
  SamplerContext,
  SamplerHookResult,
  SamplerImpl,
  SamplerKinds,
} from "../samplers/sampler.ts";
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
} from "../storage/storage.ts";
export type { LogEntry, Logger, LogLevel, LogSeverity } from "../study/logging.ts";
export type { Study, StudyRuntime, TrialLive } from "../study/study.ts";
export type { ConstraintsFunc } from "../study/study_args.ts";
export type { Trial } from "../study/trial.ts";
export {
  evaluateImportances,
  type FanovaEvaluator,
  fanovaEvaluator,
  getParamImportances,
  type ImportanceEvaluator,
  type ImportanceOptions,
  type ImportanceSource,
  type MeanDecreaseImpurityEvaluator,
  meanDecreaseImpurityEvaluator,
  type PedAnovaEvaluator,
  pedAnovaEvaluator,
} from "./importance.ts";
