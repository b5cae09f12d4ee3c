/**
 * The automatic sampler's policy (private): the facts it reads from the stored trials and the
 * sampler kind they call for. A pure function of the trials, so that a resumed or replayed
 * study chooses exactly as an uninterrupted one. Private to `lib/samplers/auto/`.
 *
 * @module
 */
import { contains, distributionEquals, toInternal } from "../../core/distributions.ts";
import type { Direction } from "../../core/study.ts";
import type { FrozenTrial } from "../../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The sampler kinds the automatic sampler delegates to. */
export type AutoChoice = "random" | "gp" | "tpe" | "cmaEs" | "nsgaII" | "nsgaIII";

/** The kinds of {@link AutoChoice}, for checking a recorded choice. */
export const AUTO_CHOICES: ReadonlyArray<AutoChoice> = [
  "random",
  "gp",
  "tpe",
  "cmaEs",
  "nsgaII",
  "nsgaIII",
];

/** What the policy reads from the trials. */
export interface AutoFacts {
  /** COMPLETE trials. */
  readonly nComplete: number;
  /** The finished (COMPLETE or PRUNED) trials do not all have the same parameter names. */
  readonly conditional: boolean;
  /** A COMPLETE trial has a categorical parameter. */
  readonly categorical: boolean;
  /** A finished trial has constraint values (`constraints` or `constraints:<key>` attributes). */
  readonly constrained: boolean;
  /** The study's number of objectives. */
  readonly nObjectives: number;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

function hasConstraints(t: FrozenTrial): boolean {
  for (const key in t.systemAttrs) {
    if (key === "constraints" || key.startsWith("constraints:")) return true;
  }
  return false;
}

function hasCategorical(t: FrozenTrial): boolean {
  for (const name in t.distributions) {
    if (t.distributions[name]!._tag === "CategoricalDistribution") return true;
  }
  return false;
}

/** True when `t` has other parameter names than `names`. */
function otherNames(t: FrozenTrial, names: ReadonlyArray<string>): boolean {
  const keys = Object.keys(t.params);
  return keys.length !== names.length || names.some((n) => !Object.hasOwn(t.params, n));
}

/**
 * The facts of the trials (one pass). Every fact only grows as trials finish, so a choice made
 * from them never goes back (Optuna's AutoSampler keeps TPE once chosen; here it follows).
 */
export function autoFacts(
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
): AutoFacts {
  let nComplete = 0, conditional = false, categorical = false, constrained = false;
  let names: ReadonlyArray<string> | undefined;
  for (const t of trials) {
    if (t.state !== "COMPLETE" && t.state !== "PRUNED") continue;
    if (t.state === "COMPLETE") {
      nComplete++;
      categorical ||= hasCategorical(t);
    }
    constrained ||= hasConstraints(t);
    if (names === undefined) names = Object.keys(t.params);
    else conditional ||= otherNames(t, names);
  }
  return { nComplete, conditional, categorical, constrained, nObjectives: directions.length };
}

/**
 * The sampler kind for the next trial, Optuna's AutoSampler (OptunaHub) as measured here:
 * random until a trial completes; TPE for conditional spaces; with one objective, GP below
 * `gpBudget` complete trials (numeric or categorical spaces), then CMA-ES (numeric, no
 * constraints) or TPE; with two or three objectives, GP below `gpBudget` (numeric) or TPE (as
 * OptunaHub: on DTLZ7 the GP's hypervolume is far above TPE's, on DTLZ2 slightly below); with
 * four or more, TPE (the box decomposition of the GP's acquisition grows steeply with the
 * number of objectives); then NSGA-II (NSGA-III from 4).
 */
export function chooseSampler(facts: AutoFacts, gpBudget: number): AutoChoice {
  if (facts.nComplete === 0) return "random";
  if (facts.conditional) return "tpe";
  const early = facts.nComplete < gpBudget;
  if (facts.nObjectives === 1) {
    if (early) return "gp";
    return facts.categorical || facts.constrained ? "tpe" : "cmaEs";
  }
  if (early) return facts.nObjectives >= 4 || facts.categorical ? "tpe" : "gp";
  return facts.nObjectives < 4 ? "nsgaII" : "nsgaIII";
}

/**
 * The trials CMA-ES starts from when it takes over (Optuna's AutoSampler): the first `count`
 * COMPLETE trials, by completion time, whose parameters are exactly those of the intersection
 * search space and lie in their distributions.
 */
export function warmStartTrials(
  trials: ReadonlyArray<FrozenTrial>,
  count: number,
): ReadonlyArray<FrozenTrial> {
  const complete = trials.filter((t) => t.state === "COMPLETE");
  const space = commonDistributions(complete);
  const compatible = complete.filter((t) =>
    !otherNames(t, space) &&
    space.every((n) => sameDistribution(t, complete[0]!, n) && inside(t, n))
  );
  return [...compatible]
    .sort((a, b) => (a.datetimeComplete ?? 0) - (b.datetimeComplete ?? 0) || a.number - b.number)
    .slice(0, count);
}

/** The names whose distributions every trial of `trials` shares (the intersection space). */
function commonDistributions(trials: ReadonlyArray<FrozenTrial>): ReadonlyArray<string> {
  if (trials.length === 0) return [];
  const first = trials[0]!;
  return Object.keys(first.distributions).filter((n) =>
    trials.every((t) => sameDistribution(t, first, n))
  );
}

function sameDistribution(t: FrozenTrial, ref: FrozenTrial, name: string): boolean {
  const a = t.distributions[name], b = ref.distributions[name];
  return a !== undefined && b !== undefined && distributionEquals(a, b);
}

/** The trial's value of `name` lies in its distribution (an enqueued value may not). */
function inside(t: FrozenTrial, name: string): boolean {
  const d = t.distributions[name]!;
  const v = toInternal(d, t.params[name], name);
  return v._tag === "Right" && contains(d, v.right);
}
