/**
 * Threshold pruning (Optuna's `ThresholdPruner`): stop a trial whose latest intermediate value
 * leaves a fixed band or is NaN.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { checkedPruner, checkInt, gatedStep, KEEP, PRUNE, valueAt } from "./_utils.ts";
import type { PruneDecision, Pruner, PrunerContext } from "./pruner.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link thresholdPruner}; at least one of `lower` and `upper` is required.
 *
 * @category model
 */
export interface ThresholdPrunerOptions {
  /**
   * Prune when the latest value is below this.
   *
   * @default {-Infinity}
   */
  readonly lower?: number | undefined;
  /**
   * Prune when the latest value is above this.
   *
   * @default {Infinity}
   */
  readonly upper?: number | undefined;
  /**
   * Pruning stays off while the trial's latest step is below this.
   *
   * @default {0}
   */
  readonly nWarmupSteps?: number | undefined;
  /**
   * Steps between checks, counted from `nWarmupSteps`; a check that finds no report at its
   * step waits for the next report.
   *
   * @default {1}
   */
  readonly intervalSteps?: number | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A pruner that stops a trial when its latest intermediate value leaves `[lower, upper]`.
 *
 * **When to use**: to kill diverging runs early (a loss that explodes or turns NaN, an
 * accuracy stuck at chance) regardless of how other trials did; no history is needed, so it
 * works from the first trial. Wrap it in {@link patientPruner} to tolerate short excursions.
 *
 * **What it does**: after `nWarmupSteps` and on the `intervalSteps` grid (the same gate as
 * {@link medianPruner}), prunes when the value at the trial's latest step is NaN, below
 * `lower` or above `upper`. The study's direction does not matter.
 *
 * **Gotchas**: only the value at the largest reported step is looked at, so a report for an
 * earlier step arriving late is not checked; a NaN value always prunes. Give at least one
 * bound; bounds must be numbers (not NaN) with `lower <= upper`: otherwise the returned
 * pruner's `validate` and `prune` return `InvalidArgument` (Optuna raises instead).
 *
 * @example Stop diverging losses
 * ```ts
 * import { thresholdPruner, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const running = (curve: number[]): FrozenTrial => ({
 *   number: 0, trialId: 0, state: "RUNNING", values: null, params: {}, distributions: {},
 *   intermediateValues: { ...curve }, userAttrs: {}, systemAttrs: {},
 *   datetimeStart: 0, datetimeComplete: null,
 * });
 * const pruner = thresholdPruner({ upper: 10, nWarmupSteps: 1 });
 * const decide = (curve: number[]) => {
 *   const trial = running(curve);
 *   const d = pruner.prune({ studyName: "s", directions: ["minimize"], trials: [trial], trial });
 *   return d._tag === "Right" && d.right.prune;
 * };
 * assert.equal(decide([50]), false); // still warming up
 * assert.equal(decide([50, 12]), true);
 * assert.equal(decide([50, NaN]), true);
 * assert.equal(decide([50, 3]), false);
 * ```
 *
 * @category constructors
 */
export function thresholdPruner(options: ThresholdPrunerOptions): Pruner {
  const lower = options.lower ?? -Infinity;
  const upper = options.upper ?? Infinity;
  const nWarmupSteps = options.nWarmupSteps ?? 0;
  const intervalSteps = options.intervalSteps ?? 1;
  const json = {
    lower: options.lower ?? null,
    upper: options.upper ?? null,
    nWarmupSteps,
    intervalSteps,
  };
  const checks = [
    options.lower === undefined && options.upper === undefined
      ? invalidArgument({
        field: "lower",
        value: undefined,
        expected: "a number for 'lower' or 'upper' (at least one of them)",
      })
      : undefined,
    checkBound("lower", options.lower),
    checkBound("upper", options.upper),
    lower > upper
      ? invalidArgument({ field: "upper", value: upper, expected: `a number >= lower (${lower})` })
      : undefined,
    checkInt("nWarmupSteps", nWarmupSteps, 0),
    checkInt("intervalSteps", intervalSteps, 1),
  ];
  return checkedPruner(
    "threshold",
    json,
    checks,
    (ctx) => thresholdPrune(lower, upper, nWarmupSteps, intervalSteps, ctx),
  );
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function checkBound(field: string, value: unknown): HyperionError | undefined {
  return value === undefined || (typeof value === "number" && !Number.isNaN(value))
    ? undefined
    : invalidArgument({ field, value, expected: "a number (not NaN)" });
}

function thresholdPrune(
  lower: number,
  upper: number,
  nWarmupSteps: number,
  intervalSteps: number,
  ctx: PrunerContext,
): Either<HyperionError, PruneDecision> {
  const step = gatedStep(ctx.trial, nWarmupSteps, intervalSteps);
  if (step === undefined) return right(KEEP);
  const latest = valueAt(ctx.trial, step) as number;
  return right(Number.isNaN(latest) || latest < lower || latest > upper ? PRUNE : KEEP);
}
