/**
 * The benchmark problems of `../shared/bench/problems.json` (shared with the Optuna anchor
 * scripts) and the suggestion of their parameter specs on a trial.
 *
 * @module
 */
import { type QualityParam, suggestProblem } from "./_quality_problems.ts";

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
