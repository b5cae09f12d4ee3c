/**
 * Helpers shared by the pruners: building a pruner from its option checks, option validation,
 * the single-objective guard, Optuna's warm-up and interval gate, the "auto" resource estimates and the constraint-aware best trial. Private:
 * not exported from `mod.ts`.
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, notSupported } from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import type { Direction } from "../core/study.ts";
import { type FrozenTrial, lastStep } from "../core/trial.ts";
import type { PruneDecision, Pruner, PrunerContext } from "./pruner.ts";

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The decision "keep going", shared.
 *
 * @category constructors
 */
export const KEEP: PruneDecision = { prune: false };

/**
 * The decision "prune now", shared.
 *
 * @category constructors
 */
export const PRUNE: PruneDecision = { prune: true };

/**
 * A pruner whose options were rejected: `validate` and `prune` both return the error, so a
 * study refuses it up front and a direct `prune` call still fails cleanly.
 *
 * @category constructors
 */
export function invalidPruner(kind: string, options: JsonValue, error: HyperionError): Pruner {
  const failed = left<HyperionError, never>(error);
  return { kind, options, validate: () => failed, prune: () => failed };
}

/**
 * A pruner's decision given the study's single direction.
 *
 * @category model
 */
export type DirectedDecision = (
  ctx: PrunerContext,
  direction: Direction,
) => Either<HyperionError, PruneDecision>;

/**
 * A pruner of `kind` from its option checks: {@link invalidPruner} with the first failing
 * check; otherwise a valid pruner whose `prune` refuses multi-objective studies (see
 * {@link singleObjective}) and then calls `decide`. `extra` adds `samplerTrials` or replaces
 * `validate` (always valid by default).
 *
 * @category constructors
 */
export function checkedPruner(
  kind: string,
  options: JsonValue,
  checks: ReadonlyArray<HyperionError | undefined>,
  decide: DirectedDecision,
  extra: Pick<Pruner, "samplerTrials" | "validate"> = {},
): Pruner {
  const error = firstError(checks);
  if (error !== undefined) return invalidPruner(kind, options, error);
  return {
    kind,
    options,
    validate: () => right(undefined),
    prune: singleObjective(kind, decide),
    ...extra,
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The first error among the checks, or `undefined` when all pass.
 *
 * @category utils
 */
export function firstError(
  checks: ReadonlyArray<HyperionError | undefined>,
): HyperionError | undefined {
  return checks.find((c) => c !== undefined);
}

/**
 * An integer ≥ `min`.
 *
 * @category utils
 */
export function checkInt(field: string, value: unknown, min: number): HyperionError | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= min
    ? undefined
    : invalidArgument({ field, value, expected: `an integer >= ${min}` });
}

/**
 * A finite number ≥ `min`.
 *
 * @category utils
 */
export function checkNumber(field: string, value: unknown, min: number): HyperionError | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= min
    ? undefined
    : invalidArgument({ field, value, expected: `a finite number >= ${min}` });
}

/**
 * A finite number in `[min, max]`.
 *
 * @category utils
 */
export function checkRange(
  field: string,
  value: unknown,
  min: number,
  max: number,
): HyperionError | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= min && value <= max
    ? undefined
    : invalidArgument({ field, value, expected: `a number between ${min} and ${max} inclusive` });
}

/**
 * An integer ≥ `min`, or `"auto"`.
 *
 * @category utils
 */
export function checkIntOrAuto(
  field: string,
  value: unknown,
  min: number,
): HyperionError | undefined {
  return value === "auto" ? undefined : typeof value === "number" &&
      Number.isInteger(value) && value >= min
    ? undefined
    : invalidArgument({ field, value, expected: `an integer >= ${min} or 'auto'` });
}

/**
 * The bootstrap rule of successive halving and Hyperband: `bootstrapCount` must be 0 while the
 * resource `field` is `"auto"`.
 *
 * @category utils
 */
export function checkBootstrapResource(
  bootstrapCount: number,
  field: string,
  resource: number | "auto",
): HyperionError | undefined {
  return bootstrapCount > 0 && resource === "auto"
    ? invalidArgument({
      field: "bootstrapCount",
      value: bootstrapCount,
      expected: `0 when '${field}' is 'auto' (give a numeric '${field}')`,
    })
    : undefined;
}

/**
 * The error of a `validate` result, or `undefined` when it is valid.
 *
 * @category utils
 */
export function validationError(result: Either<HyperionError, void>): HyperionError | undefined {
  return result._tag === "Left" ? result.left : undefined;
}

/**
 * The study's single direction, or `NotSupported` for a multi-objective study.
 *
 * @category utils
 */
export function singleDirection(
  ctx: PrunerContext,
  kind: string,
): Either<HyperionError, Direction> {
  const [direction, ...rest] = ctx.directions;
  if (direction === undefined || rest.length > 0) {
    return left(notSupported(
      `prune with ${kind}`,
      `pruning supports single-objective studies only, but the study has ${ctx.directions.length} directions`,
    ));
  }
  return right(direction);
}

/**
 * `decide` behind the single-objective guard: multi-objective studies get `NotSupported`
 * naming `<kind>Pruner`.
 *
 * @category utils
 */
export function singleObjective(
  kind: string,
  decide: DirectedDecision,
): (ctx: PrunerContext) => Either<HyperionError, PruneDecision> {
  return (ctx) =>
    genEither(function* (_) {
      return yield* _(decide(ctx, yield* _(singleDirection(ctx, `${kind}Pruner`))));
    });
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The reported steps of a trial in the order the object holds them (ascending).
 *
 * @category queries
 */
export function steps(trial: FrozenTrial): ReadonlyArray<number> {
  return Object.keys(trial.intermediateValues).map(Number);
}

/**
 * The value reported at `step`, or `undefined`.
 *
 * @category queries
 */
export function valueAt(trial: FrozenTrial, step: number): number | undefined {
  return Object.hasOwn(trial.intermediateValues, step)
    ? trial.intermediateValues[step] as number
    : undefined;
}

/**
 * Optuna's interval gate: true when `step` is the first report at or after the latest pruning
 * checkpoint `nWarmupSteps + k·intervalSteps` not above it (every other reported step is below
 * that checkpoint).
 *
 * @category queries
 */
export function isFirstInIntervalStep(
  step: number,
  reported: ReadonlyArray<number>,
  nWarmupSteps: number,
  intervalSteps: number,
): boolean {
  const checkpoint = Math.floor((step - nWarmupSteps) / intervalSteps) * intervalSteps +
    nWarmupSteps;
  let secondLast = -1;
  for (const s of reported) if (s > secondLast && s !== step) secondLast = s;
  return secondLast < checkpoint;
}

/**
 * The trial's latest step when Optuna's warm-up and interval gate allows a check there (the
 * step is at least `nWarmupSteps` and {@link isFirstInIntervalStep}), else `undefined`.
 *
 * @category queries
 */
export function gatedStep(
  trial: FrozenTrial,
  nWarmupSteps: number,
  intervalSteps: number,
): number | undefined {
  const step = lastStep(trial);
  if (step === undefined || step < nWarmupSteps) return undefined;
  return isFirstInIntervalStep(step, steps(trial), nWarmupSteps, intervalSteps) ? step : undefined;
}

/**
 * The COMPLETE trials with at least one report that completed first (earliest
 * `datetimeComplete`; all of them when none has a completion time). Optuna estimates
 * `"auto"` resources once, on the first pruning check after a trial completed, and caches the
 * number on the pruner object; estimating from the earliest completed trials gives the same
 * number for sequential studies while keeping the pruner a pure function of the trials.
 *
 * @category queries
 */
export function earliestCompleted(trials: ReadonlyArray<FrozenTrial>): ReadonlyArray<FrozenTrial> {
  const done = trials.filter((t) => t.state === "COMPLETE" && hasReports(t));
  let first = Infinity;
  for (const t of done) {
    if (t.datetimeComplete !== null && t.datetimeComplete < first) {
      first = t.datetimeComplete;
    }
  }
  if (first === Infinity) return done;
  return done.filter((t) => t.datetimeComplete === first);
}

function hasReports(trial: FrozenTrial): boolean {
  for (const _ in trial.intermediateValues) return true;
  return false;
}

/**
 * The largest last step among `trials`, or `undefined` when none reported.
 *
 * @category queries
 */
export function maxLastStep(trials: ReadonlyArray<FrozenTrial>): number | undefined {
  let out: number | undefined;
  for (const t of trials) {
    const s = lastStep(t);
    if (s !== undefined && (out === undefined || s > out)) out = s;
  }
  return out;
}

function constraintValues(attrs: FrozenTrial["systemAttrs"]): ReadonlyArray<number> {
  const out: number[] = [];
  const list = attrs["constraints"];
  if (Array.isArray(list)) { for (const c of list) if (typeof c === "number") out.push(c); }
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("constraints:") && typeof value === "number") out.push(value);
  }
  return out;
}

function isFeasible(t: FrozenTrial): boolean {
  return constraintValues(t.systemAttrs).every((c) => c <= 0);
}

/**
 * Optuna's `study.best_trial`: the best COMPLETE trial (the earliest wins ties); when it
 * violates a constraint (system attrs `constraints` or `constraints:<key>` above 0), the best
 * feasible one; `undefined` when there is none.
 *
 * @category queries
 */
export function bestCompleteTrial(
  trials: ReadonlyArray<FrozenTrial>,
  direction: Direction,
): FrozenTrial | undefined {
  const sign = direction === "maximize" ? -1 : 1;
  const pick = (candidates: ReadonlyArray<FrozenTrial>): FrozenTrial | undefined => {
    let best: FrozenTrial | undefined;
    let bestValue = Infinity;
    for (const t of candidates) {
      const v = t.values?.[0];
      if (t.state !== "COMPLETE" || v === undefined || Number.isNaN(v)) continue;
      if (best === undefined || sign * v < bestValue) {
        best = t;
        bestValue = sign * v;
      }
    }
    return best;
  };
  const best = pick(trials);
  if (best === undefined || isFeasible(best)) return best;
  return pick(trials.filter(isFeasible));
}
