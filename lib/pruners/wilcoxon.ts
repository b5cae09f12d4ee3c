/**
 * Wilcoxon pruning (Optuna's `WilcoxonPruner`): for objectives that average over instances
 * (folds, problem instances, seeds), stop a trial once a Wilcoxon signed-rank test says it is
 * worse than the best trial on the instances both have seen.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { Direction } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { wilcoxonSignedRankPValue } from "./_stats.ts";
import { bestCompleteTrial, checkedPruner, checkInt, checkRange, KEEP, PRUNE } from "./_utils.ts";
import type { PruneDecision, Pruner, PrunerContext } from "./pruner.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link wilcoxonPruner}.
 *
 * @category model
 */
export interface WilcoxonPrunerOptions {
  /**
   * Prune when the test's p-value is below this (smaller: fewer, safer prunes).
   *
   * @default {0.1}
   */
  readonly pThreshold?: number | undefined;
  /**
   * Fewest shared steps (instances) before a decision; at least 2 are always required.
   *
   * @default {2}
   */
  readonly nStartupSteps?: number | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A pruner based on the Wilcoxon signed-rank test against the best trial.
 *
 * **When to use**: the objective is a mean over many instances (cross-validation folds,
 * benchmark problems, random seeds) evaluated one at a time, and "steps" are instance ids, not
 * time; report each instance's value under its id, in any order (shuffling the order per trial
 * helps), and return the mean.
 *
 * **What it does**: pairs the trial's values with the best COMPLETE trial's on the steps both
 * reported, and runs a one-sided Wilcoxon signed-rank test on the differences (SciPy's
 * `wilcoxon(..., zero_method="zsplit")`: the exact null distribution for up to 50 pairs
 * without ties or zeros, an exact enumeration of sign flips for up to 13 pairs with ties or
 * zeros, the normal approximation with tie correction otherwise — implemented here, same
 * p-values as SciPy 1.17). It prunes when `p < pThreshold`, unless the best trial's mean
 * intermediate value is not better than the current trial's mean (a safety net Optuna has too).
 *
 * **Gotchas**: the best trial must have reported every instance (report all of them when a
 * trial completes, or Optuna's "average is best" safety cannot hold); the trial is kept
 * whenever its own or the best trial's values contain NaN or ±Infinity, when there is no
 * completed trial, and with fewer than `max(2, nStartupSteps)` shared steps; constraints
 * (system attrs `constraints`) pick the best feasible trial as Optuna does. The test needs
 * no history beyond the best trial, so it works from the second trial on. Multi-objective
 * studies are refused (`NotSupported`).
 *
 * @example Compare a trial with the best one instance by instance
 * ```ts
 * import { wilcoxonPruner, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const trial = (number: number, values: number[], done: boolean): FrozenTrial => ({
 *   number, trialId: number, state: done ? "COMPLETE" : "RUNNING",
 *   values: done ? [values.reduce((a, b) => a + b) / values.length] : null, params: {},
 *   distributions: {}, intermediateValues: { ...values }, userAttrs: {}, systemAttrs: {},
 *   datetimeStart: 0, datetimeComplete: done ? 0 : null,
 * });
 * const best = trial(0, [3, 1, 4, 1, 5, 9, 2, 6], true);
 * const pruner = wilcoxonPruner({ pThreshold: 0.05 });
 * const decide = (values: number[]) => {
 *   const live = trial(1, values, false);
 *   const d = pruner.prune({ studyName: "s", directions: ["minimize"], trials: [best, live], trial: live });
 *   return d._tag === "Right" && d.right.prune;
 * };
 * assert.equal(decide([4.1, 2.2, 5.3, 2.4, 6.5, 10.6]), true); // worse on all 6 instances: p = 1/64
 * assert.equal(decide([2.5, 1.5, 3.5, 1.5]), false); // better on two, worse on two
 * ```
 *
 * @category constructors
 */
export function wilcoxonPruner(options: WilcoxonPrunerOptions = {}): Pruner {
  const pThreshold = options.pThreshold ?? 0.1;
  const nStartupSteps = options.nStartupSteps ?? 2;
  return checkedPruner(
    "wilcoxon",
    { pThreshold, nStartupSteps },
    [checkRange("pThreshold", pThreshold, 0, 1), checkInt("nStartupSteps", nStartupSteps, 0)],
    (ctx, direction) => wilcoxonPrune(pThreshold, nStartupSteps, ctx, direction),
  );
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function entries(t: FrozenTrial): ReadonlyArray<readonly [number, number]> {
  return Object.entries(t.intermediateValues).map(([s, v]) => [Number(s), v as number] as const);
}

function mean(values: ReadonlyArray<number>): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function wilcoxonPrune(
  pThreshold: number,
  nStartupSteps: number,
  ctx: PrunerContext,
  direction: Direction,
): Either<HyperionError, PruneDecision> {
  const current = entries(ctx.trial);
  if (current.length === 0) return right(KEEP);
  if (current.some(([, v]) => !Number.isFinite(v))) return right(KEEP);
  const best = bestCompleteTrial(ctx.trials, direction);
  if (best === undefined) return right(KEEP);
  const reference = entries(best);
  if (reference.length === 0) return right(KEEP);
  if (reference.some(([, v]) => !Number.isFinite(v))) return right(KEEP);
  const bestAt = new Map(reference);
  const diffs: number[] = [];
  for (const [step, v] of [...current].sort((a, b) => a[0] - b[0])) {
    const b = bestAt.get(step);
    if (b !== undefined) diffs.push(v - b);
  }
  if (diffs.length < Math.max(2, nStartupSteps)) return right(KEEP);
  const maximize = direction === "maximize";
  const bestMean = mean(reference.map(([, v]) => v));
  const currentMean = mean(current.map(([, v]) => v));
  const averageIsBest = maximize ? bestMean <= currentMean : bestMean >= currentMean;
  const p = wilcoxonSignedRankPValue(diffs, maximize ? "less" : "greater");
  if (p < pThreshold && averageIsBest) return right(KEEP);
  return right(p < pThreshold ? PRUNE : KEEP);
}
