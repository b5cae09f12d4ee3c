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
export type * from "../study/signature_types.ts";
export {
  evaluateImportances,
  type FanovaEvaluator,
  fanovaEvaluator,
  type ForestEvaluatorOptions,
  getParamImportances,
  type ImportanceEvaluator,
  type ImportanceOptions,
  type ImportanceSource,
  type MeanDecreaseImpurityEvaluator,
  meanDecreaseImpurityEvaluator,
  type PedAnovaEvaluator,
  pedAnovaEvaluator,
} from "./importance.ts";
export type { ForestSettings } from "./_forest.ts";
