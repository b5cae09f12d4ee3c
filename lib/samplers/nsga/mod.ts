/**
 * Genetic multi-objective samplers, as Optuna 5.0's `NSGAIISampler` and `NSGAIIISampler`:
 * generations of `populationSize` trials, each child a crossover and mutation of parents chosen
 * from the elite of the previous generations (non-domination rank, then crowding distance for
 * NSGA-II or reference-point niches for NSGA-III).
 *
 * @module
 */
import { left, right } from "../../effect/mod.ts";
import { invalidArgument } from "../../errors.ts";
import { rngFor } from "../../random/rng.ts";
import type { Sampler, SamplerImpl } from "../sampler.ts";
import { type GaKind, gaSamplerImpl, type SelectElite } from "./_ga.ts";
import { defaultReferencePoints, nsga3LastFront } from "./_nsga3.ts";
import {
  type NsgaCrossover,
  type NsgaIIISamplerOptions,
  type NsgaIISamplerOptions,
  type NsgaMutation,
  nsgaOptionsRecord,
} from "./_options.ts";
import { selectElite } from "./_selection.ts";

export type { NsgaCrossover, NsgaIIISamplerOptions, NsgaIISamplerOptions, NsgaMutation };

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * An NSGA-II sampler (kind `"nsgaII"`).
 *
 * **When to use**: multi-objective studies with a budget of several hundred trials or more
 * (a few generations of `populationSize`), cheap objectives, and many workers; it also runs
 * single-objective studies, as Optuna's does. For short budgets, the TPE sampler
 * (multi-objective) usually finds a better front.
 *
 * **What it does**: the first `populationSize` COMPLETE trials (generation 0) are random.
 * Each later generation's parents are the elite of the previous generation and its parents:
 * whole non-domination fronts while they fit, then the least crowded trials of the next front
 * (constrained domination when trials carry `constraints`/`constraints:<key>` system
 * attributes: feasible first, then by total violation). A child is, with probability
 * `crossoverProb`, the crossover of parents chosen by binary tournament, else a copy of one;
 * each parameter is then mutated with probability `mutationProb`. The generation is recorded
 * in the trial's system attribute `NSGAIISampler:generation` and the parents' trial ids in the
 * study's `NSGAIISampler:parent:<generation>`, Optuna's keys, so Python Optuna can continue the
 * study.
 *
 * **Gotchas**: only the parameters every COMPLETE trial has (with the same distribution) are
 * inherited; the others are drawn at random. Constraints are read from the trials' system
 * attributes (a function cannot be part of a JSON sampler): write them from the objective.
 * Random draws come from our generator, so children differ from Python Optuna's for the same
 * seed; the operators equal Optuna's given the same random numbers.
 *
 * @example Two objectives
 * ```ts
 * import { createStudy, getTrials, map, nsgaIISampler, optimize, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({
 *   sampler: nsgaIISampler({ seed: 1, populationSize: 10 }),
 *   directions: ["minimize", "minimize"],
 * }));
 * await runOrThrow(optimize(study, (trial) =>
 *   map(suggestFloat(trial, "x", 0, 1), (x) => [x, 1 - Math.sqrt(x)]), { nTrials: 30 }));
 * const trials = await runOrThrow(getTrials(study));
 * assert.equal(trials[29]!.systemAttrs["NSGAIISampler:generation"], 2);
 * ```
 *
 * @category constructors
 */
export function nsgaIISampler(options: NsgaIISamplerOptions = {}): Sampler {
  return { kind: "nsgaII", options: nsgaOptionsRecord(options, false), state: {} };
}

/**
 * An NSGA-III sampler (kind `"nsgaIII"`).
 *
 * **When to use**: as NSGA-II, for three or more objectives, where crowding distance spreads
 * the front poorly and reference points keep it evenly covered.
 *
 * **What it does**: as {@link nsgaIISampler}, but the trials taken from the last front that
 * fits only partly are chosen by reference-point niching (Deb and Jain): objectives are
 * translated by the ideal point and scaled by the intercepts of the extreme points' hyperplane,
 * each trial is associated with its closest reference line, and the least crowded reference
 * lines take the trials closest to them. Its keys are `NSGAIIISampler:generation` and
 * `NSGAIIISampler:parent:<generation>`.
 *
 * **Gotchas**: `referencePoints` must have one column per objective (else the trial that first
 * needs them fails with `InvalidArgument`). The default points are Das and Dennis's
 * `dividingParameter`-divisions of the simplex: their number grows fast with the objectives.
 * As in Optuna, the objectives are normalised as given (a maximised objective is not negated).
 *
 * @example Three objectives
 * ```ts
 * import { createStudy, flatMap, map, nsgaIIISampler, optimize, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({
 *   sampler: nsgaIIISampler({ seed: 1, populationSize: 8 }),
 *   directions: ["minimize", "minimize", "minimize"],
 * }));
 * const summary = await runOrThrow(optimize(study, (trial) =>
 *   flatMap(suggestFloat(trial, "x", 0, 1), (x) =>
 *     map(suggestFloat(trial, "y", 0, 1), (y) => [x, y, 2 - x - y])), { nTrials: 24 }));
 * assert.equal(summary.nTrials, 24);
 * ```
 *
 * @category constructors
 */
export function nsgaIIISampler(options: NsgaIIISamplerOptions = {}): Sampler {
  return { kind: "nsgaIII", options: nsgaOptionsRecord(options, true), state: {} };
}

// -------------------------------------------------------------------------------------
// sampler functions
// -------------------------------------------------------------------------------------

const selectNsga2: SelectElite = (o, candidates, directions) =>
  right(selectElite(candidates, directions, o.populationSize));

const selectNsga3: SelectElite = (o, candidates, directions, generation) => {
  const m = directions.length;
  const refs = o.referencePoints ?? defaultReferencePoints(m, o.dividingParameter);
  if (refs[0]!.length !== m) {
    return left(invalidArgument({
      field: "nsgaIII.options.referencePoints",
      value: refs[0]!.length,
      expected: `${m} columns, one per objective of the study`,
    }));
  }
  const rng = rngFor(o.seed, generation, "nsga:selection");
  return right(selectElite(
    candidates,
    directions,
    o.populationSize,
    (elite, front, n) => nsga3LastFront(elite, front, n, refs, rng),
  ));
};

const NSGA2: GaKind = {
  kind: "nsgaII",
  className: "NSGAIISampler",
  select: selectNsga2,
  nsga3: false,
};
const NSGA3: GaKind = {
  kind: "nsgaIII",
  className: "NSGAIIISampler",
  select: selectNsga3,
  nsga3: true,
};

/**
 * The NSGA-II sampler's functions (kind `"nsgaII"`), one of the built-in sampler kinds.
 *
 * @category constants
 */
export const nsgaIISamplerImpl: SamplerImpl = gaSamplerImpl(NSGA2);

/**
 * The NSGA-III sampler's functions (kind `"nsgaIII"`), one of the built-in sampler kinds.
 *
 * @category constants
 */
export const nsgaIIISamplerImpl: SamplerImpl = gaSamplerImpl(NSGA3);
