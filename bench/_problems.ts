/**
 * The benchmark problems of `../shared/bench/problems.json` (shared with the Optuna anchor
 * scripts) and the suggestion of their parameter specs on a trial.
 *
 * @module
 */
import {
  type ParamValue,
  runOrThrow,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
} from "../mod.ts";

/** One parameter of a benchmark search space, as written in `problems.json`. */
export interface ParamSpec {
  readonly name: string;
  readonly type: "float" | "int" | "categorical";
  readonly low?: number;
  readonly high?: number;
  readonly log?: boolean;
  readonly choices?: ReadonlyArray<string>;
}

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
export async function suggestAll(
  trial: Trial,
  space: ReadonlyArray<ParamSpec>,
): Promise<Record<string, ParamValue>> {
  const out: Record<string, ParamValue> = {};
  for (const p of space) {
    if (p.type === "float") {
      out[p.name] = await runOrThrow(
        suggestFloat(trial, p.name, p.low!, p.high!, { log: p.log ?? false }),
      );
    } else if (p.type === "int") {
      out[p.name] = await runOrThrow(
        suggestInt(trial, p.name, p.low!, p.high!, { log: p.log ?? false }),
      );
    } else out[p.name] = await runOrThrow(suggestCategorical(trial, p.name, p.choices!));
  }
  return out;
}
