/**
 * The asynchronous successive-halving decision shared by `successiveHalvingPruner` and each
 * bracket of `hyperbandPruner`, as Optuna 5.0's `SuccessiveHalvingPruner.prune`. Private: not
 * exported from `mod.ts`.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { Attrs, FrozenTrial } from "../core/trial.ts";
import { lastStep } from "../core/trial.ts";
import type { Direction } from "../core/study.ts";
import { earliestCompleted, maxLastStep } from "./_utils.ts";
import type { PruneDecision, PrunerContext } from "./pruner.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Resolved successive-halving settings.
 *
 * @category model
 */
export interface RungSettings {
  /** Resource of rung 0 (steps), or "auto". */
  readonly minResource: number | "auto";
  /** η. */
  readonly reductionFactor: number;
  /** s: the first rung is at `minResource · η^s`. */
  readonly minEarlyStoppingRate: number;
  /** Prune until more than this many trials reached a rung. */
  readonly bootstrapCount: number;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The system attribute holding a trial's value at rung `k` (Optuna's name).
 *
 * @category queries
 */
export function completedRungKey(rung: number): string {
  return `completed_rung_${rung}`;
}

/**
 * Number of consecutive `completed_rung_0, _1, …` keys in a trial's system attrs.
 *
 * @category queries
 */
export function currentRung(trial: FrozenTrial): number {
  let rung = 0;
  while (Object.hasOwn(trial.systemAttrs, completedRungKey(rung))) rung++;
  return rung;
}

/**
 * Optuna's `"auto"` min resource: `max(maxLastStep // 100, 1)` over the completed trials
 * (those that completed first, see `earliestCompleted`), `undefined` when none reported.
 *
 * @category queries
 */
export function estimateMinResource(trials: ReadonlyArray<FrozenTrial>): number | undefined {
  const last = maxLastStep(earliestCompleted(trials));
  return last === undefined ? undefined : Math.max(Math.floor(last / 100), 1);
}

function promotable(
  value: number,
  competing: number[],
  reductionFactor: number,
  maximize: boolean,
): boolean {
  let index = Math.floor(competing.length / reductionFactor) - 1;
  if (index === -1) index = 0;
  competing.sort((a, b) => a - b);
  return maximize
    ? value >= (competing[competing.length - 1 - index] as number)
    : value <= (competing[index] as number);
}

/**
 * The successive-halving decision for the live trial over `ctx.trials` (the whole study, or a
 * Hyperband bracket) in a study of the given direction, with the rung attrs to write.
 *
 * @category queries
 */
export function rungDecision(
  s: RungSettings,
  ctx: PrunerContext,
  direction: Direction,
): Either<HyperionError, PruneDecision> {
  const step = lastStep(ctx.trial);
  if (step === undefined) return right({ prune: false });
  const minResource = s.minResource === "auto" ? estimateMinResource(ctx.trials) : s.minResource;
  if (minResource === undefined) return right({ prune: false });
  const value = ctx.trial.intermediateValues[step] as number;
  const maximize = direction === "maximize";
  const written: Record<string, number> = {};
  const decide = (prune: boolean): Either<HyperionError, PruneDecision> =>
    right(
      Object.keys(written).length === 0 ? { prune } : { prune, trialSystemAttrs: written as Attrs },
    );
  let rung = currentRung(ctx.trial);
  for (;;) {
    const promotionStep = minResource * s.reductionFactor ** (s.minEarlyStoppingRate + rung);
    if (step < promotionStep) return decide(false);
    if (Number.isNaN(value)) return decide(true);
    const key = completedRungKey(rung);
    written[key] = value;
    const competing: number[] = [];
    for (const t of ctx.trials) {
      const v = t.systemAttrs[key];
      if (typeof v === "number") competing.push(v);
    }
    competing.push(value);
    if (competing.length <= s.bootstrapCount) return decide(true);
    if (!promotable(value, competing, s.reductionFactor, maximize)) return decide(true);
    rung++;
  }
}
