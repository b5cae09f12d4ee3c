/**
 * Hyperparameter importance: how much each parameter explains of the objective, as Optuna's
 * `optuna.importance`. Three evaluators — {@link pedAnovaEvaluator} (Optuna 5.0's default),
 * {@link fanovaEvaluator} and {@link meanDecreaseImpurityEvaluator} — and
 * {@link getParamImportances}, which runs one on a study (or its trials) and returns the
 * importances sorted from the most to the least important.
 *
 * @module
 */
import { type Either, left, right } from "../effect/either.ts";
import { fromEither, type TaskEither } from "../effect/task_either.ts";
import { gen } from "../effect/gen.ts";
import type { HyperionError } from "../errors.ts";
import { invalidArgument } from "../core/errors.ts";
import type { Direction } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { noCompletedTrials } from "../study/errors.ts";
import { getTrials, type Study } from "../study/study.ts";
import { type EvaluationInput, fanova, meanDecreaseImpurity, pedAnova } from "./_evaluators.ts";
import type { ForestSettings } from "./_forest.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * fANOVA: fits a random forest (scikit-learn's settings, bootstrap, best splits over every
 * feature) to the trials and measures the share of each tree's prediction variance that the
 * parameter's marginal explains. Optuna's `FanovaImportanceEvaluator`.
 *
 * @category model
 */
export interface FanovaEvaluator extends ForestSettings {
  /** Discriminant. */
  readonly kind: "fanova";
}

/**
 * Mean decrease impurity: the squared-error decrease that a random forest's splits on the
 * parameter achieve. Optuna's `MeanDecreaseImpurityImportanceEvaluator`.
 *
 * @category model
 */
export interface MeanDecreaseImpurityEvaluator extends ForestSettings {
  /** Discriminant. */
  readonly kind: "meanDecreaseImpurity";
}

/**
 * PED-ANOVA: the Pearson divergence between the parameter's distribution among the best
 * trials (`targetQuantile`) and among the region (`regionQuantile`) of trials. Fast, no
 * randomness; multi-objective studies need no target (the best trials are the non-dominated
 * ones). Optuna's `PedAnovaImportanceEvaluator`, its default.
 *
 * @category model
 */
export interface PedAnovaEvaluator {
  /** Discriminant. */
  readonly kind: "pedAnova";
  /** Share of the trials taken as the best. */
  readonly targetQuantile: number;
  /** Share of the trials taken as the region. */
  readonly regionQuantile: number;
  /** Compare with the region's distribution (true) or with the uniform one (false). */
  readonly evaluateOnLocal: boolean;
}

/**
 * Options of {@link fanovaEvaluator} and {@link meanDecreaseImpurityEvaluator}.
 *
 * @category model
 */
export interface ForestEvaluatorOptions {
  /** Number of trees. @default {64} */
  readonly nTrees?: number;
  /** Maximum depth. @default {64} */
  readonly maxDepth?: number;
  /** Seed. @default {0} */
  readonly seed?: number;
}

/**
 * An importance evaluator (JSON data).
 *
 * @category model
 */
export type ImportanceEvaluator =
  | FanovaEvaluator
  | MeanDecreaseImpurityEvaluator
  | PedAnovaEvaluator;

/**
 * The trials an importance is computed from, when no {@link Study} handle is at hand.
 *
 * @category model
 */
export interface ImportanceSource {
  /** The study's trials (every state; only COMPLETE ones count). */
  readonly trials: ReadonlyArray<FrozenTrial>;
  /** The study's directions. */
  readonly directions: ReadonlyArray<Direction>;
  /** The study's name, for messages. @default {"study"} */
  readonly studyName?: string;
}

/**
 * Options of {@link getParamImportances}.
 *
 * @category model
 */
export interface ImportanceOptions {
  /** The evaluator. @default {pedAnovaEvaluator()} */
  readonly evaluator?: ImportanceEvaluator;
  /** The parameters to assess. @default {the intersection search space of COMPLETE trials} */
  readonly params?: ReadonlyArray<string>;
  /** The value to explain; required by fANOVA and MDI for multi-objective studies. @default {the objective} */
  readonly target?: (trial: FrozenTrial) => number;
  /** Scale the importances to sum to 1 (all equal when they sum to 0). @default {true} */
  readonly normalize?: boolean;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The fANOVA evaluator. Use it for the classic random-forest importance; it costs more than
 * PED-ANOVA and depends on the seed for small studies.
 *
 * @example Defaults
 * ```ts
 * import { fanovaEvaluator } from "@hyperion/tune/importance";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(fanovaEvaluator(), { kind: "fanova", nTrees: 64, maxDepth: 64, seed: 0 });
 * ```
 *
 * @category constructors
 */
export function fanovaEvaluator(options: ForestEvaluatorOptions = {}): FanovaEvaluator {
  return { kind: "fanova", ...forestSettings(options) };
}

/**
 * The mean-decrease-impurity evaluator. Fast for a forest; biased towards parameters with many
 * distinct values (continuous ones) compared with fANOVA.
 *
 * @example Defaults
 * ```ts
 * import { meanDecreaseImpurityEvaluator } from "@hyperion/tune/importance";
 * import assert from "node:assert/strict";
 *
 * assert.equal(meanDecreaseImpurityEvaluator({ seed: 3 }).seed, 3);
 * ```
 *
 * @category constructors
 */
export function meanDecreaseImpurityEvaluator(
  options: ForestEvaluatorOptions = {},
): MeanDecreaseImpurityEvaluator {
  return { kind: "meanDecreaseImpurity", ...forestSettings(options) };
}

/**
 * The PED-ANOVA evaluator (the default). Gotcha: a custom `target` is taken as lower-is-better,
 * as in Optuna.
 *
 * @example Defaults
 * ```ts
 * import { pedAnovaEvaluator } from "@hyperion/tune/importance";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(pedAnovaEvaluator(), {
 *   kind: "pedAnova", targetQuantile: 0.1, regionQuantile: 1, evaluateOnLocal: true,
 * });
 * ```
 *
 * @category constructors
 */
export function pedAnovaEvaluator(options: {
  /** Share of best trials. @default {0.1} */
  readonly targetQuantile?: number;
  /** Share of region trials (more than `targetQuantile`, at most 1). @default {1} */
  readonly regionQuantile?: number;
  /** Compare with the region (true) or with the whole search space. @default {true} */
  readonly evaluateOnLocal?: boolean;
} = {}): PedAnovaEvaluator {
  return {
    kind: "pedAnova",
    targetQuantile: options.targetQuantile ?? 0.1,
    regionQuantile: options.regionQuantile ?? 1,
    evaluateOnLocal: options.evaluateOnLocal ?? true,
  };
}

function forestSettings(options: ForestEvaluatorOptions): ForestSettings {
  return {
    nTrees: options.nTrees ?? 64,
    maxDepth: options.maxDepth ?? 64,
    seed: options.seed ?? 0,
  };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

function checkEvaluator(e: ImportanceEvaluator): Either<HyperionError, ImportanceEvaluator> {
  const bad = (field: string, value: unknown, expected: string) =>
    left(invalidArgument({ field: `evaluator.${field}`, value, expected }));
  if (e.kind === "pedAnova") {
    if (!(e.targetQuantile > 0 && e.targetQuantile < e.regionQuantile)) {
      return bad("targetQuantile", e.targetQuantile, "a number in (0, regionQuantile)");
    }
    if (!(e.regionQuantile <= 1)) return bad("regionQuantile", e.regionQuantile, "at most 1");
    return right(e);
  }
  if (e.kind !== "fanova" && e.kind !== "meanDecreaseImpurity") {
    return bad(
      "kind",
      (e as { kind: unknown }).kind,
      "'fanova', 'pedAnova' or 'meanDecreaseImpurity'",
    );
  }
  if (!Number.isInteger(e.nTrees) || e.nTrees < 1) {
    return bad("nTrees", e.nTrees, "a positive integer");
  }
  if (!(e.maxDepth >= 1)) return bad("maxDepth", e.maxDepth, "a positive integer");
  if (!Number.isInteger(e.seed)) return bad("seed", e.seed, "an integer");
  return right(e);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Runtime checks of what the types promise (callers from JavaScript, JSON, a CLI). */
function checkOptions(options: unknown): Either<HyperionError, ImportanceOptions> {
  const bad = (field: string, value: unknown, expected: string) =>
    left(invalidArgument({ field, value, expected }));
  if (!isObject(options)) return bad("options", options, "an options object");
  const o = options as ImportanceOptions;
  if (o.evaluator !== undefined && !isObject(o.evaluator)) {
    return bad("evaluator", o.evaluator, "an evaluator such as fanovaEvaluator()");
  }
  if (
    o.params !== undefined &&
    !(Array.isArray(o.params) && o.params.every((p: unknown) => typeof p === "string"))
  ) {
    return bad("params", o.params, "an array of parameter names");
  }
  if (o.target !== undefined && typeof o.target !== "function") {
    return bad("target", o.target, "a function of a trial");
  }
  if (o.normalize !== undefined && typeof o.normalize !== "boolean") {
    return bad("normalize", o.normalize, "a boolean");
  }
  return right(o);
}

function checkSource(source: unknown): Either<HyperionError, ImportanceSource> {
  if (!isObject(source) || !Array.isArray(source.trials) || !Array.isArray(source.directions)) {
    return left(invalidArgument({
      field: "study",
      value: source,
      expected: "a study, or { trials, directions }",
    }));
  }
  return right(source as unknown as ImportanceSource);
}

/** Optuna's `_sort_dict_by_importance` (ties: the later name first) and normalisation. */
function finish(raw: Readonly<Record<string, number>>, normalize: boolean): Record<string, number> {
  const entries = Object.entries(raw);
  const sum = entries.reduce((a, [, v]) => a + v, 0);
  const scaled = !normalize
    ? entries
    : sum === 0
    ? entries.map(([k]) => [k, 1 / entries.length] as [string, number])
    : entries.map(([k, v]) => [k, v / sum] as [string, number]);
  const sorted = [...scaled.entries()].sort((a, b) => a[1][1] - b[1][1] || a[0] - b[0]).reverse();
  return Object.fromEntries(sorted.map(([, e]) => e));
}

/**
 * The importances of a study's parameters from its trials (pure): an object whose keys run
 * from the most to the least important. Left when no trial is COMPLETE, for a multi-objective
 * study without `target` (fANOVA, MDI), for parameters no COMPLETE trial has together, and for
 * bad evaluator options.
 *
 * @example Only `x` matters
 * ```ts
 * import { evaluateImportances, fanovaEvaluator } from "@hyperion/tune/importance";
 * import { floatDistribution, getOrThrow, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const d = getOrThrow(floatDistribution(0, 1));
 * const trials = Array.from({ length: 30 }, (_, i): FrozenTrial => {
 *   const x = (i * 7 % 30) / 30, y = (i * 11 % 30) / 30;
 *   return { number: i, trialId: i, state: "COMPLETE", values: [x * x], params: { x, y },
 *     distributions: { x: d, y: d }, intermediateValues: {}, userAttrs: {}, systemAttrs: {},
 *     datetimeStart: 0, datetimeComplete: 0 };
 * });
 * const out = getOrThrow(evaluateImportances({ trials, directions: ["minimize"] },
 *   { evaluator: fanovaEvaluator({ nTrees: 8 }) }));
 * assert.deepEqual(Object.keys(out), ["x", "y"]);
 * ```
 *
 * @category queries
 */
export function evaluateImportances(
  source: ImportanceSource,
  options: ImportanceOptions = {},
): Either<HyperionError, Readonly<Record<string, number>>> {
  const checked = checkSource(source);
  if (checked._tag === "Left") return checked;
  const valid = checkOptions(options);
  if (valid._tag === "Left") return valid;
  return evaluateChecked(checked.right, valid.right);
}

function evaluateChecked(
  source: ImportanceSource,
  options: ImportanceOptions,
): Either<HyperionError, Readonly<Record<string, number>>> {
  const evaluator = checkEvaluator(options.evaluator ?? pedAnovaEvaluator());
  if (evaluator._tag === "Left") return evaluator;
  const complete = source.trials.filter((t) => t.state === "COMPLETE");
  const name = source.studyName ?? "study";
  if (complete.length === 0) {
    return left(noCompletedTrials(
      name,
      `Cannot compute parameter importances of study '${name}': no trial is complete`,
    ));
  }
  const e = evaluator.right;
  if (options.target === undefined && source.directions.length > 1 && e.kind !== "pedAnova") {
    return left(invalidArgument({
      field: "target",
      value: undefined,
      expected: `a target function for a study with ${source.directions.length} objectives`,
      got: "none (e.g. target: (t) => t.values[0])",
    }));
  }
  const input: EvaluationInput = {
    complete,
    directions: source.directions,
    params: options.params,
    target: options.target,
  };
  const raw = e.kind === "fanova"
    ? fanova(input, e)
    : e.kind === "meanDecreaseImpurity"
    ? meanDecreaseImpurity(input, e)
    : pedAnova(input, e);
  return raw._tag === "Left" ? raw : right(finish(raw.right, options.normalize ?? true));
}

/**
 * The importances of a study's parameters, read from its storage (or from trials at hand),
 * sorted from the most to the least important, as Optuna's `get_param_importances`.
 *
 * @example Importances of a study
 * ```ts
 * import { createStudy, float, optimize, randomSampler, runOrThrow, suggest, map } from "@hyperion/tune";
 * import { getParamImportances } from "@hyperion/tune/importance";
 * import assert from "node:assert/strict";
 *
 * // importances describe the explored space: a random sampler spreads the trials over it
 * const sampler = randomSampler({ seed: 0 });
 * const study = await runOrThrow(createStudy({ direction: "minimize", sampler }));
 * await runOrThrow(optimize(study, (trial) =>
 *   map(suggest(trial, { x: float(-5, 5), y: float(-5, 5) }), ({ x, y }) => x * x + 0.001 * y),
 *   { nTrials: 40 }));
 * const importances = await runOrThrow(getParamImportances(study));
 * assert.equal(Object.keys(importances)[0], "x");
 * ```
 *
 * @category queries
 */
export function getParamImportances(
  study: Study | ImportanceSource,
  options: ImportanceOptions = {},
): TaskEither<HyperionError, Readonly<Record<string, number>>> {
  if (!isObject(study) || !("storage" in study)) {
    return fromEither(evaluateImportances(study as ImportanceSource, options));
  }
  const handle = study as Study;
  return gen(function* (_) {
    const trials = yield* _(getTrials(handle));
    return yield* _(evaluateImportances(
      { trials, directions: handle.directions, studyName: handle.studyName },
      options,
    ));
  });
}
