/**
 * The sampler-quality problems of `bench/quality_problems.json`: the three of
 * `../shared/bench/problems.json` (Branin, Hartmann-6, a mixed "training" surface) and five
 * more — a 20-dimensional Styblinski–Tang, a conditional space (a model choice with its own
 * parameters), Hartmann-6 under a constraint, and the multi-objective ZDT1 (2 objectives) and
 * DTLZ2 and DTLZ7 (3 objectives), measured by hypervolume. `bench/quality_optuna.py` defines the same
 * functions for Python Optuna; the two must stay equal.
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

/** One parameter; `when` names the values of earlier parameters it is suggested under. */
export interface QualityParam {
  readonly name: string;
  readonly type: "float" | "int" | "categorical";
  readonly low?: number;
  readonly high?: number;
  readonly log?: boolean;
  readonly choices?: ReadonlyArray<string>;
  readonly when?: Readonly<Record<string, string>>;
}

/** A problem: its directions, space, known optimum and (multi-objective) reference point. */
export interface QualityProblem {
  readonly name: string;
  readonly objectives: ReadonlyArray<"minimize" | "maximize">;
  readonly space: ReadonlyArray<QualityParam>;
  readonly optimum?: number | null;
  readonly reference_point?: ReadonlyArray<number>;
  readonly conditional?: boolean;
  readonly constraint?: string;
}

/** Reads `bench/quality_problems.json`. */
export function loadQualityProblems(): ReadonlyArray<QualityProblem> {
  const url = new URL("./quality_problems.json", import.meta.url);
  return JSON.parse(Deno.readTextFileSync(url)).problems;
}

/** Suggests the problem's parameters in order, skipping those whose `when` does not hold. */
export async function suggestProblem(
  trial: Trial,
  space: ReadonlyArray<QualityParam>,
): Promise<Record<string, ParamValue>> {
  const out: Record<string, ParamValue> = {};
  for (const p of space) {
    if (p.when && Object.entries(p.when).some(([k, v]) => out[k] !== v)) continue;
    const log = { log: p.log ?? false };
    out[p.name] = p.type === "float"
      ? await runOrThrow(suggestFloat(trial, p.name, p.low!, p.high!, log))
      : p.type === "int"
      ? await runOrThrow(suggestInt(trial, p.name, p.low!, p.high!, log))
      : await runOrThrow(suggestCategorical(trial, p.name, p.choices!));
  }
  return out;
}

const A6 = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [
  17,
  8,
  0.05,
  10,
  0.1,
  14,
]];
const P6 = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [
  2348,
  1451,
  3522,
  2883,
  3047,
  6650,
], [4047, 8828, 8732, 5743, 1091, 381]];
const AL6 = [1.0, 1.2, 3.0, 3.2];

function hartmann6(xs: ReadonlyArray<number>): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let e = 0;
    for (let j = 0; j < 6; j++) e += A6[i]![j]! * (xs[j]! - P6[i]![j]! * 1e-4) ** 2;
    s += AL6[i]! * Math.exp(-e);
  }
  return -s;
}

function vector(x: Readonly<Record<string, ParamValue>>, n: number): number[] {
  return Array.from({ length: n }, (_, i) => x[`x${i}`] as number);
}

function conditional(x: Readonly<Record<string, ParamValue>>): number {
  const n = (k: string) => x[k] as number;
  if (x.model === "linear") return 0.1 * (Math.log10(n("alpha")) + 3) ** 2 + 0.3;
  if (x.model === "tree") {
    return ((n("depth") - 7) / 4) ** 2 +
      0.5 * ((Math.log(n("min_leaf")) - Math.log(5)) / 2) ** 2 + 0.1;
  }
  return 0.5 * (Math.log10(n("lr")) + 3) ** 2 + ((Math.log2(n("width")) - 7) / 3) ** 2 +
    2 * (n("dropout") - 0.25) ** 2;
}

function zdt1(xs: ReadonlyArray<number>): number[] {
  const g = 1 + 9 * xs.slice(1).reduce((a, b) => a + b, 0) / 9;
  return [xs[0]!, g * (1 - Math.sqrt(xs[0]! / g))];
}

function dtlz2(xs: ReadonlyArray<number>): number[] {
  const g = xs.slice(2).reduce((a, v) => a + (v - 0.5) ** 2, 0);
  const a = xs[0]! * Math.PI / 2, b = xs[1]! * Math.PI / 2;
  return [
    (1 + g) * Math.cos(a) * Math.cos(b),
    (1 + g) * Math.cos(a) * Math.sin(b),
    (1 + g) * Math.sin(a),
  ];
}

/**
 * DTLZ7 with three objectives and `xs.length − 2` distance parameters: a front of four
 * disconnected regions (f1, f2 free, f3 = (1 + g)·h with g = 1 + 9·mean of the rest).
 */
function dtlz7(xs: ReadonlyArray<number>): number[] {
  const rest = xs.slice(2);
  const g = 1 + 9 * rest.reduce((a, v) => a + v, 0) / rest.length;
  const f = [xs[0]!, xs[1]!];
  const h = 3 - f.reduce((a, v) => a + v / (1 + g) * (1 + Math.sin(3 * Math.PI * v)), 0);
  return [f[0]!, f[1]!, (1 + g) * h];
}

/** The objective value(s) of problem `name` at `x`. */
export function evaluateProblem(
  name: string,
  x: Readonly<Record<string, ParamValue>>,
): number | number[] {
  const n = (k: string) => x[k] as number;
  switch (name) {
    case "branin": {
      const b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
      return (n("x1") - b * n("x0") ** 2 + c * n("x0") - 6) ** 2 +
        10 * (1 - t) * Math.cos(n("x0")) + 10;
    }
    case "hartmann6":
    case "hartmann6_constrained":
      return hartmann6(vector(x, 6));
    case "mixed": {
      const base = { relu: 0, tanh: 0.15, sigmoid: 0.4 }[x.act as "relu" | "tanh" | "sigmoid"];
      return (Math.log10(n("lr")) + 2.5) ** 2 + 0.1 * (n("layers") - 3) ** 2 + base +
        (n("dropout") - 0.2) ** 2 * 2;
    }
    case "styblinski20":
      return vector(x, 20).reduce((a, v) => a + v ** 4 - 16 * v ** 2 + 5 * v, 0) / 2;
    case "conditional":
      return conditional(x);
    case "zdt1":
      return zdt1(vector(x, 10));
    case "dtlz2":
      return dtlz2(vector(x, 8));
    case "dtlz7":
      return dtlz7(vector(x, 8));
  }
  throw new Error(`unknown problem ${name}`);
}

/** The constraint values of problem `name` at `x` (feasible when all ≤ 0), if it has any. */
export function constraintOf(
  name: string,
  x: Readonly<Record<string, ParamValue>>,
): number[] | undefined {
  return name === "hartmann6_constrained"
    ? [vector(x, 6).reduce((a, b) => a + b, 0) - 2]
    : undefined;
}
