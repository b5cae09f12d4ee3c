/**
 * Hyperband (Optuna's `HyperbandPruner`): several successive-halving brackets of different
 * aggressiveness, each trial assigned to one bracket by a hash of the study name and its number.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { crc32ContinueAscii, crc32Finish, crc32Start } from "./_stats.ts";
import type { Direction } from "../core/study.ts";
import {
  checkBootstrapResource,
  checkedPruner,
  checkInt,
  checkIntOrAuto,
  earliestCompleted,
  firstError,
  KEEP,
  maxLastStep,
} from "./_utils.ts";
import { rungDecision } from "./_rungs.ts";
import type { PruneDecision, Pruner, PrunerContext } from "./pruner.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link hyperbandPruner}.
 *
 * @category model
 */
export interface HyperbandPrunerOptions {
  /**
   * Steps before the first rung of the most aggressive bracket.
   *
   * @default {1}
   */
  readonly minResource?: number | undefined;
  /**
   * The largest number of steps a trial runs. `"auto"`: the largest last step among the first
   * completed trial(s) plus one, and no pruning until a trial has completed. Prefer giving it.
   *
   * @default {"auto"}
   */
  readonly maxResource?: number | "auto" | undefined;
  /**
   * η of every bracket; also sets the number of brackets,
   * `⌊log_η(maxResource / minResource)⌋ + 1`.
   *
   * @default {3}
   */
  readonly reductionFactor?: number | undefined;
  /**
   * Each bracket prunes at a rung until more than this many trials reached it (needs a
   * numeric `maxResource`).
   *
   * @default {0}
   */
  readonly bootstrapCount?: number | undefined;
  /**
   * Let the sampler learn only from the trials of the live trial's bracket (`samplerTrials`),
   * as Optuna hands its samplers a bracket view (and Optuna 3.x samplers honoured it);
   * `false` gives every trial to the sampler, which is what Optuna 4.x–5.0's built-in
   * samplers effectively see (they read trials past the view). With TPE on our pruning
   * benchmark, `false` found markedly better values for about the same number of steps.
   *
   * @default {true}
   */
  readonly bracketSamplerTrials?: boolean | undefined;
}

/**
 * How Hyperband splits trials between brackets once its resources are known.
 *
 * @category model
 */
export interface HyperbandLayout {
  /** The resolved max resource. */
  readonly maxResource: number;
  /** Number of brackets. */
  readonly nBrackets: number;
  /** Trial allocation budget of each bracket, `⌈n · η^s / (s + 1)⌉` with `s = n − 1 − b`. */
  readonly budgets: ReadonlyArray<number>;
  /** Sum of the budgets. */
  readonly totalBudget: number;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A Hyperband pruner.
 *
 * **When to use**: like {@link successiveHalvingPruner}, but when you do not know how
 * aggressive early stopping should be: the brackets hedge between pruning at the first step
 * and (nearly) never pruning. Give `maxResource` (the number of steps of a full trial).
 *
 * **What it does**: builds `⌊log_η(maxResource / minResource)⌋ + 1` brackets; bracket `b` is
 * a successive-halving pruner with `minEarlyStoppingRate = b`. A trial belongs to bracket
 * `crc32("<studyName>_<number>") mod totalBudget` walked through the cumulative bracket
 * budgets (exactly Optuna's assignment, so the same study name gives the same brackets in
 * Python), and is compared only with trials of its bracket; rung values are written as
 * `completed_rung_<k>` system attrs. `samplerTrials` hands the sampler only the live trial's
 * bracket (see `bracketSamplerTrials`).
 *
 * **Gotchas**: bracket assignment depends on the study name, so fix it for reproducible runs;
 * with `maxResource: "auto"` nothing is pruned and every trial counts as bracket 0 until a
 * trial completes, and the estimate comes from the first completed trial(s) (Optuna caches it
 * at that moment); `maxResource < minResource` gives no brackets and no pruning (as in
 * Optuna, with an `"auto"` estimate) or `InvalidArgument` (when both are given). Optuna
 * initialises lazily on the first pruning check, so before any check its samplers see every
 * trial; here the bracket view applies as soon as the resources are known. Multi-objective
 * studies are refused (`NotSupported`).
 *
 * @example Brackets, as Optuna assigns them
 * ```ts
 * import { hyperbandPruner } from "@hyperion/tune";
 * import { hyperbandLayout, hyperbandBracket } from "./hyperband.ts";
 * import assert from "node:assert/strict";
 *
 * const layout = hyperbandLayout({ maxResource: 100 });
 * assert.deepEqual(layout?.budgets, [81, 34, 15, 8, 5]);
 * const bracket = hyperbandBracket("my-study", 7, layout);
 * assert.ok(bracket >= 0 && bracket < 5);
 * const pruner = hyperbandPruner({ maxResource: 100 });
 * assert.equal(pruner.kind, "hyperband");
 * ```
 *
 * @category constructors
 */
export function hyperbandPruner(options: HyperbandPrunerOptions = {}): Pruner {
  const o = resolve(options);
  return checkedPruner(
    "hyperband",
    { ...o },
    [validateOptions(o)],
    (ctx, direction) => hyperbandPrune(o, ctx, direction),
    o.bracketSamplerTrials ? { samplerTrials: (ctx) => bracketTrials(o, ctx) } : {},
  );
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The brackets of a Hyperband pruner with these options over these trials, or `undefined`
 * while `maxResource` is `"auto"` and no trial has completed with a report (or when the
 * options are invalid). Pure; exposed for inspection and tests.
 *
 * @category queries
 */
export function hyperbandLayout(
  options: HyperbandPrunerOptions,
  trials: ReadonlyArray<FrozenTrial> = [],
): HyperbandLayout | undefined {
  const o = resolve(options);
  if (validateOptions(o) !== undefined) return undefined;
  return layoutOf(o, trials);
}

/**
 * The bracket of trial `number` in a study named `studyName`: Optuna's
 * `crc32("<studyName>_<number>") mod totalBudget` walked through the budgets; 0 without a
 * layout (before initialisation).
 *
 * @category queries
 */
export function hyperbandBracket(
  studyName: string,
  number: number,
  layout: HyperbandLayout | undefined,
): number {
  return bracketOf(crc32Start(`${studyName}_`), number, layout);
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

interface Resolved {
  readonly minResource: number;
  readonly maxResource: number | "auto";
  readonly reductionFactor: number;
  readonly bootstrapCount: number;
  readonly bracketSamplerTrials: boolean;
}

function resolve(options: HyperbandPrunerOptions): Resolved {
  return {
    minResource: options.minResource ?? 1,
    maxResource: options.maxResource ?? "auto",
    reductionFactor: options.reductionFactor ?? 3,
    bootstrapCount: options.bootstrapCount ?? 0,
    bracketSamplerTrials: options.bracketSamplerTrials ?? true,
  };
}

function validateOptions(o: Resolved): HyperionError | undefined {
  return firstError([
    checkInt("minResource", o.minResource, 1),
    checkIntOrAuto("maxResource", o.maxResource, 1),
    checkInt("reductionFactor", o.reductionFactor, 2),
    checkInt("bootstrapCount", o.bootstrapCount, 0),
    typeof o.maxResource === "number" && o.maxResource < o.minResource
      ? invalidArgument({
        field: "maxResource",
        value: o.maxResource,
        expected: `an integer >= minResource (${o.minResource})`,
      })
      : undefined,
    checkBootstrapResource(o.bootstrapCount, "maxResource", o.maxResource),
    typeof o.bracketSamplerTrials === "boolean" ? undefined : invalidArgument({
      field: "bracketSamplerTrials",
      value: o.bracketSamplerTrials,
      expected: "a boolean",
    }),
  ]);
}

function layoutOf(o: Resolved, trials: ReadonlyArray<FrozenTrial>): HyperbandLayout | undefined {
  let maxResource: number;
  if (o.maxResource === "auto") {
    const last = maxLastStep(earliestCompleted(trials));
    if (last === undefined) return undefined;
    maxResource = last + 1;
  } else {
    maxResource = o.maxResource;
  }
  const rf = o.reductionFactor;
  const nBrackets = Math.floor(Math.log(maxResource / o.minResource) / Math.log(rf)) + 1;
  const budgets: number[] = [];
  for (let b = 0; b < nBrackets; b++) {
    const s = nBrackets - 1 - b;
    budgets.push(Math.ceil(nBrackets * rf ** s / (s + 1)));
  }
  return {
    maxResource,
    nBrackets: Math.max(nBrackets, 0),
    budgets,
    totalBudget: budgets.reduce((a, b) => a + b, 0),
  };
}

/** The bracket of trial `number` given the CRC register of `"<studyName>_"`. */
function bracketOf(prefix: number, number: number, layout: HyperbandLayout | undefined): number {
  if (layout === undefined || layout.nBrackets <= 0) return 0;
  let n = crc32Finish(crc32ContinueAscii(prefix, String(number))) % layout.totalBudget;
  for (let b = 0; b < layout.nBrackets; b++) {
    n -= layout.budgets[b] as number;
    if (n < 0) return b;
  }
  return layout.nBrackets - 1;
}

function inBracket(
  ctx: PrunerContext,
  layout: HyperbandLayout | undefined,
  bracket: number,
): ReadonlyArray<FrozenTrial> {
  if (layout === undefined || layout.nBrackets <= 0) return ctx.trials;
  const prefix = crc32Start(`${ctx.studyName}_`);
  return ctx.trials.filter((t) => bracketOf(prefix, t.number, layout) === bracket);
}

function bracketTrials(o: Resolved, ctx: PrunerContext): ReadonlyArray<FrozenTrial> {
  const layout = layoutOf(o, ctx.trials);
  return inBracket(ctx, layout, hyperbandBracket(ctx.studyName, ctx.trial.number, layout));
}

function hyperbandPrune(
  o: Resolved,
  ctx: PrunerContext,
  direction: Direction,
): Either<HyperionError, PruneDecision> {
  const layout = layoutOf(o, ctx.trials);
  if (layout === undefined || layout.nBrackets <= 0) return right(KEEP);
  const bracket = hyperbandBracket(ctx.studyName, ctx.trial.number, layout);
  return rungDecision(
    {
      minResource: o.minResource,
      reductionFactor: o.reductionFactor,
      minEarlyStoppingRate: bracket,
      bootstrapCount: o.bootstrapCount,
    },
    { ...ctx, trials: inBracket(ctx, layout, bracket) },
    direction,
  );
}
