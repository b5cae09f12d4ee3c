/**
 * Patient pruning (Optuna's `PatientPruner`): consult another pruner only once a trial has
 * stopped improving for a number of steps.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import type { Direction } from "../core/study.ts";
import { lastStep, reportedSteps } from "../core/trial.ts";
import { nanMax, nanMin } from "./_stats.ts";
import { checkedPruner, checkInt, checkNumber, KEEP, PRUNE, validationError } from "./_utils.ts";
import type { PruneDecision, Pruner, PrunerContext } from "./pruner.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link patientPruner}.
 *
 * @category model
 */
export interface PatientPrunerOptions {
  /**
   * Smallest change that counts as an improvement.
   *
   * @default {0}
   */
  readonly minDelta?: number | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A pruner that waits until a trial has stagnated for `patience` steps, then asks `inner`
 * (or prunes outright when `inner` is `null`).
 *
 * **When to use**: noisy learning curves where a one-step dip should not kill a trial; as
 * early stopping for a single run (`patientPruner(null, 5)` stops after 5 reports without
 * improvement); to make {@link medianPruner} or {@link thresholdPruner} less trigger-happy.
 *
 * **What it does**: with more than `patience + 1` reported steps, it splits them (in step
 * order) into the last `patience + 1` and the ones before; the trial stagnates when the best
 * value of the recent window is worse than the best before by more than `minDelta`
 * (NaNs ignored). Stagnating: the decision of `inner` (with the rung attrs it writes), or
 * prune when `inner` is `null`; otherwise keep.
 *
 * **Gotchas**: improvement is measured against the best value ever seen, not the previous
 * step; an all-NaN window never counts as stagnation; like Optuna, a wrapped
 * {@link hyperbandPruner} does not restrict the sampler to its bracket (the wrapper has no
 * `samplerTrials`). Multi-objective studies are refused (`NotSupported`). Invalid `patience`
 * or `minDelta`, or an invalid `inner`, make `validate` and `prune` return the error.
 *
 * @example Early stopping with patience 2
 * ```ts
 * import { patientPruner, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const running = (curve: number[]): FrozenTrial => ({
 *   number: 0, trialId: 0, state: "RUNNING", values: null, params: {}, distributions: {},
 *   intermediateValues: { ...curve }, userAttrs: {}, systemAttrs: {},
 *   datetimeStart: 0, datetimeComplete: null,
 * });
 * const pruner = patientPruner(null, 2);
 * const decide = (curve: number[]) => {
 *   const trial = running(curve);
 *   const d = pruner.prune({ studyName: "s", directions: ["minimize"], trials: [trial], trial });
 *   return d._tag === "Right" && d.right.prune;
 * };
 * assert.equal(decide([5, 4, 3, 3.5, 3.2]), false); // 3 is inside the window
 * assert.equal(decide([5, 4, 3, 3.5, 3.2, 3.1]), true); // no step below 3 for 3 reports
 * ```
 *
 * @category combinators
 */
export function patientPruner(
  inner: Pruner | null,
  patience: number,
  options: PatientPrunerOptions = {},
): Pruner {
  const minDelta = options.minDelta ?? 0;
  const json: JsonValue = {
    inner: inner === null ? null : { kind: inner.kind, options: inner.options },
    patience,
    minDelta,
  };
  const validate = (): Either<HyperionError, void> => inner?.validate?.() ?? right(undefined);
  return checkedPruner(
    "patient",
    json,
    [
      checkInt("patience", patience, 0),
      checkNumber("minDelta", minDelta, 0),
      validationError(validate()),
    ],
    (ctx, direction) => patientPrune(inner, patience, minDelta, ctx, direction),
    { validate },
  );
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function patientPrune(
  inner: Pruner | null,
  patience: number,
  minDelta: number,
  ctx: PrunerContext,
  direction: Direction,
): Either<HyperionError, PruneDecision> {
  if (lastStep(ctx.trial) === undefined) return right(KEEP);
  const sorted = reportedSteps(ctx.trial);
  if (sorted.length <= patience + 1) return right(KEEP);
  const at = (s: number): number => ctx.trial.intermediateValues[s] as number;
  const before = sorted.slice(0, sorted.length - patience - 1).map(at);
  const after = sorted.slice(sorted.length - patience - 1).map(at);
  const stagnating = direction === "minimize"
    ? nanMin(before) + minDelta < nanMin(after)
    : nanMax(before) - minDelta > nanMax(after);
  if (!stagnating) return right(KEEP);
  return inner === null ? right(PRUNE) : inner.prune(ctx);
}
