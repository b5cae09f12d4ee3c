/**
 * The benchmark problems of `../shared/bench/problems.json` (shared with the Optuna anchor
 * scripts) and the suggestion of their parameter specs on a trial.
 *
 * @module
 */
import { createStudy, optimize, runOrThrow, type Sampler } from "../mod.ts";
import { evaluateProblem, type QualityParam, suggestProblem } from "./_quality_problems.ts";

/** One parameter of a benchmark search space, as written in `problems.json`. */
export type ParamSpec = QualityParam;

/** A quality problem of `problems.json`: its name, known optimum and search space. */
export interface Problem {
  readonly name: string;
  readonly optimum: number;
  readonly space: ReadonlyArray<ParamSpec>;
}

/** The contents of `../shared/bench/problems.json`. */
export interface Problems {
  readonly quality: ReadonlyArray<Problem>;
  readonly overhead_space: ReadonlyArray<ParamSpec>;
}

/** Reads `../shared/bench/problems.json` (relative to the repository root). */
export function loadProblems(): Problems {
  return JSON.parse(
    Deno.readTextFileSync(new URL("../../shared/bench/problems.json", import.meta.url)),
  );
}

/**
 * Suggests every parameter of `space` on `trial`, in order (float and int with their `log`
 * flag, categorical with its choices), and returns the values by name.
 */
export const suggestAll = suggestProblem;

/**
 * The best values, sorted, of `seeds` studies of `trials` trials on `problem`, study `s` with
 * the sampler `make(s)`.
 */
export async function sortedBests(
  problem: Problem,
  make: (seed: number) => Sampler,
  seeds: number,
  trials: number,
): Promise<number[]> {
  const bests: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const study = await runOrThrow(createStudy({ sampler: make(seed) }));
    const summary = await runOrThrow(optimize(study, (t) => async () => ({
      _tag: "Right" as const,
      right: evaluateProblem(problem.name, await suggestAll(t, problem.space)) as number,
    }), { nTrials: trials }));
    bests.push(summary.bestTrial!.values![0]!);
  }
  return bests.sort((a, b) => a - b);
}
