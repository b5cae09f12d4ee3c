/**
 * Percentile pruning (Optuna's `PercentilePruner` and `MedianPruner`): stop a trial whose best
 * intermediate value so far is worse than a percentile of the completed trials' values at the
 * same step.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { Direction } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { nanMax, nanMin, nanPercentile } from "./_stats.ts";
import { checkedPruner, checkInt, checkRange, gatedStep, KEEP, PRUNE, valueAt } from "./_utils.ts";
import type { PruneDecision, Pruner, PrunerContext } from "./pruner.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link percentilePruner} and {@link medianPruner}.
 *
 * @category model
 */
export interface PercentilePrunerOptions {
  /**
   * Pruning stays off until this many trials have COMPLETED (pruned and failed trials do not
   * count).
   *
   * @default {5}
   */
  readonly nStartupTrials?: number | undefined;
  /**
   * Pruning stays off while the trial's latest step is below this; the earliest a trial can be
   * pruned is at `step === nWarmupSteps`.
   *
   * @default {0}
   */
  readonly nWarmupSteps?: number | undefined;
  /**
   * Steps between pruning checks, counted from `nWarmupSteps`. A check that finds no report at
   * its step waits for the next report.
   *
   * @default {1}
   */
  readonly intervalSteps?: number | undefined;
  /**
   * Fewest completed trials that must have reported the current step for a decision; below
   * it the trial is kept.
   *
   * @default {1}
   */
  readonly nMinTrials?: number | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A pruner that keeps the best `percentile` per cent of trials at every step.
 *
 * **When to use**: iterative objectives (epochs, boosting rounds) whose intermediate values are
 * comparable across trials at the same step; a stricter or looser variant of
 * {@link medianPruner} (`percentile` 25 keeps only trials in the best quarter).
 *
 * **What it does**: at the trial's latest step, once `nStartupTrials` trials have completed,
 * after `nWarmupSteps` and on the `intervalSteps` grid, it compares the trial's *best*
 * intermediate value so far with the `percentile`-th percentile (NumPy's linear
 * interpolation, NaNs ignored) of the completed trials' values at exactly that step
 * (mirrored, `100 − percentile`, when maximising), and prunes when the trial is worse.
 *
 * **Gotchas**: only COMPLETE trials form the reference, so a study that prunes a lot compares
 * against few trials; a trial whose values are all NaN is pruned; completed trials that
 * skipped the current step are left out (and with fewer than `nMinTrials` values the trial is
 * kept); an infinite reference value makes the interpolated percentile NaN, which keeps the
 * trial, as in Optuna. Multi-objective studies are refused (`NotSupported`). Invalid options
 * never throw: the returned pruner's `validate` and `prune` return `InvalidArgument`.
 *
 * @example Keep the best quarter
 * ```ts
 * import { percentilePruner, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const trial = (number: number, curve: number[], done: boolean): FrozenTrial => ({
 *   number, trialId: number, state: done ? "COMPLETE" : "RUNNING",
 *   values: done ? [curve[curve.length - 1] as number] : null, params: {}, distributions: {},
 *   intermediateValues: { ...curve }, userAttrs: {}, systemAttrs: {},
 *   datetimeStart: 0, datetimeComplete: done ? 0 : null,
 * });
 * const done = [[1, 0.5], [2, 1.0], [3, 1.5], [5, 2.5]].map((c, i) => trial(i, c, true));
 * const pruner = percentilePruner(25, { nStartupTrials: 4 });
 * const decide = (curve: number[]) => {
 *   const live = trial(4, curve, false);
 *   const ctx = { studyName: "s", directions: ["minimize" as const], trials: [...done, live], trial: live };
 *   const d = pruner.prune(ctx);
 *   return d._tag === "Right" && d.right.prune;
 * };
 * assert.equal(decide([3, 1.2]), true); // 25th percentile at step 1 is 0.875
 * assert.equal(decide([3, 0.8]), false);
 * ```
 *
 * @category constructors
 */
export function percentilePruner(
  percentile: number,
  options: PercentilePrunerOptions = {},
): Pruner {
  return build("percentile", percentile, options);
}

/**
 * A pruner that stops trials worse than the median of completed trials at the same step; the
 * default pruner of a study.
 *
 * **When to use**: the first pruner to try for any iterative objective (epochs, boosting
 * rounds, cross-validation folds reported in order): cheap, robust and, in our benchmark, it
 * saves about two thirds of the steps with no loss in the best value.
 *
 * **What it does**: {@link percentilePruner} with `percentile` 50: once `nStartupTrials` (5)
 * trials have completed, at each reported step (after `nWarmupSteps`, on the `intervalSteps`
 * grid), it prunes the trial when its best intermediate value so far is worse than the
 * median of the completed trials' values at that step.
 *
 * **Gotchas**: the comparison uses the trial's best value over all its steps but the others'
 * values at exactly the current step, so noisy curves with an early lucky value survive
 * longer; steps must mean the same thing in every trial; pruned trials never join the
 * reference set. See {@link percentilePruner} for NaN and infinity handling. Invalid options
 * never throw: the returned pruner's `validate` and `prune` return `InvalidArgument`.
 *
 * @example Prune a learning curve inside `optimize`
 * ```ts
 * import {
 *   createStudy, fromAsync, left, medianPruner, optimize, randomSampler, report, right,
 *   runOrThrow, shouldPrune, suggestFloat, trialPruned,
 * } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({
 *   sampler: randomSampler({ seed: 1 }),
 *   pruner: medianPruner({ nStartupTrials: 3, nWarmupSteps: 2 }),
 * }));
 * const summary = await runOrThrow(optimize(study, (trial) => fromAsync(async () => {
 *   const lr = await runOrThrow(suggestFloat(trial, "lr", 1e-4, 1, { log: true }));
 *   let loss = Infinity;
 *   for (let step = 0; step < 20; step++) {
 *     loss = Math.abs(Math.log10(lr) + 2) + 1 / (step + 1);
 *     await runOrThrow(report(trial, loss, step));
 *     if (await runOrThrow(shouldPrune(trial))) return left(trialPruned());
 *   }
 *   return right(loss);
 * }, (e) => e), { nTrials: 20 }));
 * assert.equal(summary.counts.COMPLETE + summary.counts.PRUNED, 20);
 * ```
 *
 * @example Decide by hand
 * ```ts
 * import { medianPruner, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const trial = (number: number, curve: number[], done: boolean): FrozenTrial => ({
 *   number, trialId: number, state: done ? "COMPLETE" : "RUNNING",
 *   values: done ? [curve[curve.length - 1] as number] : null, params: {}, distributions: {},
 *   intermediateValues: { ...curve }, userAttrs: {}, systemAttrs: {},
 *   datetimeStart: 0, datetimeComplete: done ? 0 : null,
 * });
 * const trials = [trial(0, [1, 1], true), trial(1, [2, 2], true), trial(2, [3, 3], true), trial(3, [4, 4], false)];
 * const ctx = { studyName: "s", directions: ["minimize" as const], trials, trial: trials[3] as FrozenTrial };
 * const decision = medianPruner({ nStartupTrials: 3 }).prune(ctx);
 * assert.deepEqual(decision, { _tag: "Right", right: { prune: true } });
 * ```
 *
 * @category constructors
 */
export function medianPruner(options: PercentilePrunerOptions = {}): Pruner {
  return build("median", 50, options);
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

interface Resolved {
  readonly percentile: number;
  readonly nStartupTrials: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;
  readonly nMinTrials: number;
}

function build(
  kind: "median" | "percentile",
  percentile: number,
  o: PercentilePrunerOptions,
): Pruner {
  const r: Resolved = {
    percentile,
    nStartupTrials: o.nStartupTrials ?? 5,
    nWarmupSteps: o.nWarmupSteps ?? 0,
    intervalSteps: o.intervalSteps ?? 1,
    nMinTrials: o.nMinTrials ?? 1,
  };
  const options = kind === "median"
    ? {
      nStartupTrials: r.nStartupTrials,
      nWarmupSteps: r.nWarmupSteps,
      intervalSteps: r.intervalSteps,
      nMinTrials: r.nMinTrials,
    }
    : { ...r };
  const checks = [
    checkRange("percentile", r.percentile, 0, 100),
    checkInt("nStartupTrials", r.nStartupTrials, 0),
    checkInt("nWarmupSteps", r.nWarmupSteps, 0),
    checkInt("intervalSteps", r.intervalSteps, 1),
    checkInt("nMinTrials", r.nMinTrials, 1),
  ];
  return checkedPruner(
    kind,
    options,
    checks,
    (ctx, direction) => percentilePrune(r, ctx, direction),
  );
}

function percentilePrune(
  r: Resolved,
  ctx: PrunerContext,
  direction: Direction,
): Either<HyperionError, PruneDecision> {
  const completed = ctx.trials.filter((t) => t.state === "COMPLETE");
  if (completed.length === 0 || completed.length < r.nStartupTrials) return right(KEEP);
  const step = gatedStep(ctx.trial, r.nWarmupSteps, r.intervalSteps);
  if (step === undefined) return right(KEEP);
  const maximize = direction === "maximize";
  const own = Object.values(ctx.trial.intermediateValues) as number[];
  const best = maximize ? nanMax(own) : nanMin(own);
  if (Number.isNaN(best)) return right(PRUNE);
  const others = valuesAtStep(completed, step);
  if (others.length < r.nMinTrials) return right(KEEP);
  const reference = nanPercentile(others, maximize ? 100 - r.percentile : r.percentile);
  if (Number.isNaN(reference)) return right(KEEP);
  return right(maximize ? (best < reference ? PRUNE : KEEP) : (best > reference ? PRUNE : KEEP));
}

function valuesAtStep(completed: ReadonlyArray<FrozenTrial>, step: number): number[] {
  const values: number[] = [];
  for (const t of completed) {
    const v = valueAt(t, step);
    if (v !== undefined) values.push(v);
  }
  return values;
}
