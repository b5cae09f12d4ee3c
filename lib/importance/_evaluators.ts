/**
 * The three evaluators as functions of the COMPLETE trials (private): fANOVA and mean decrease
 * impurity over a random forest, PED-ANOVA over quantiles of the trials.
 *
 * @module
 */
import { type Either, left, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import { invalidArgument, notSupported } from "../core/errors.ts";
import { isSingle } from "../core/distributions.ts";
import type { Direction } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { splitTrials } from "../samplers/tpe/split.ts";
import { fitForest, forestImportances, type ForestSettings } from "./_forest.ts";
import { fanovaTree, marginalVariance, treeVariance } from "./_fanova.ts";
import { distributionsOf, encoding, usableTrials } from "./_space.ts";
import { pedAnovaImportances, topQuantile } from "./_ped_anova.ts";

/** What an evaluator reads. */
export interface EvaluationInput {
  readonly complete: ReadonlyArray<FrozenTrial>;
  readonly directions: ReadonlyArray<Direction>;
  readonly params: ReadonlyArray<string> | undefined;
  /** The target, or `undefined` for the objective(s). */
  readonly target: ((t: FrozenTrial) => number) | undefined;
}

type Raw = Either<HyperionError, Record<string, number>>;

const zeros = (names: ReadonlyArray<string>): Record<string, number> =>
  Object.fromEntries(names.map((n) => [n, 0]));

function singleTarget(input: EvaluationInput): (t: FrozenTrial) => number {
  return input.target ?? ((t) => t.values?.[0] ?? NaN);
}

/** Optuna's `FanovaImportanceEvaluator.evaluate`. */
export function fanova(
  input: EvaluationInput,
  forest: ForestSettings,
): Raw {
  const space = distributionsOf(input.complete, input.params);
  if (space._tag === "Left") return space;
  const names = space.right.map(([n]) => n);
  const varying = space.right.filter(([, d]) => !isSingle(d));
  const singles = space.right.filter(([, d]) => isSingle(d)).map(([n]) => n);
  if (varying.length === 0) return right(zeros(singles));
  const target = singleTarget(input);
  const trials = usableTrials(input.complete, names, target);
  if (trials.length <= 1) return right(zeros(names));
  const enc = encoding(varying);
  const trees = fitForest(trials.map(enc.encode), trials.map(target), forest)
    .map((t) => fanovaTree(t, enc.bounds));
  if (trees.every((t) => treeVariance(t) === 0)) {
    return left(notSupported(
      "compute fANOVA importances",
      `every tree predicts one value (the ${trials.length} trials' targets do not vary)`,
    ));
  }
  const out = zeros(singles);
  varying.forEach(([name], p) => {
    const fractions = trees.filter((t) => treeVariance(t) > 0)
      .map((t) => marginalVariance(t, enc.paramColumns[p] as number[]) / treeVariance(t));
    out[name] = fractions.reduce((a, b) => a + b, 0) / fractions.length;
  });
  return right(out);
}

/** Optuna's `MeanDecreaseImpurityImportanceEvaluator.evaluate`. */
export function meanDecreaseImpurity(
  input: EvaluationInput,
  forest: ForestSettings,
): Raw {
  const space = distributionsOf(input.complete, input.params);
  if (space._tag === "Left") return space;
  const names = space.right.map(([n]) => n);
  if (names.length === 0) return right({});
  const target = singleTarget(input);
  const trials = usableTrials(input.complete, names, target);
  if (trials.length <= 1) return right(zeros(names));
  const enc = encoding(space.right);
  const trees = fitForest(trials.map(enc.encode), trials.map(target), forest);
  const columns = forestImportances(trees, enc.bounds.length);
  const out = zeros(names);
  columns.forEach((v, c) => {
    const name = names[enc.columnParam[c] as number] as string;
    out[name] = (out[name] as number) + v;
  });
  return right(out);
}

/** Optuna's `PedAnovaImportanceEvaluator.evaluate`. */
export function pedAnova(
  input: EvaluationInput,
  options: {
    readonly targetQuantile: number;
    readonly regionQuantile: number;
    readonly evaluateOnLocal: boolean;
  },
): Raw {
  const seen = new Set<string>();
  for (const t of input.complete) for (const n of Object.keys(t.distributions)) seen.add(n);
  const missing = (input.params ?? []).filter((p) => !seen.has(p));
  if (missing.length > 0) {
    return left(invalidArgument({
      field: "params",
      value: input.params,
      expected: "parameters that at least one COMPLETE trial has",
      got: `${JSON.stringify(input.params)}, of which no COMPLETE trial has ${
        JSON.stringify(missing)
      }`,
    }));
  }
  const names = input.params ?? [...seen].sort();
  const trials = input.complete.filter((t) =>
    input.target !== undefined
      ? Number.isFinite(input.target(t))
      : (t.values ?? []).every(Number.isFinite)
  );
  if (trials.length <= 1) return right(zeros(names));
  const top = quantileTrials(input, trials, options.targetQuantile);
  const region = quantileTrials(input, trials, options.regionQuantile);
  if (top.length === 0) return right(zeros(names));
  return right(pedAnovaImportances(names, top, region, options.evaluateOnLocal));
}

function quantileTrials(
  input: EvaluationInput,
  trials: ReadonlyArray<FrozenTrial>,
  quantile: number,
): ReadonlyArray<FrozenTrial> {
  if (quantile === 1) return trials;
  if (input.target === undefined && input.directions.length > 1) {
    return splitTrials(trials, input.directions, Math.ceil(quantile * trials.length)).below;
  }
  const sign = input.target === undefined && input.directions[0] === "maximize" ? -1 : 1;
  const target = singleTarget(input);
  return topQuantile(trials, trials.map((t) => sign * target(t)), quantile);
}
