/**
 * Sampler quality, side by side with Python Optuna 5.0: every sampler of ours and of Optuna's on
 * every problem of `bench/quality_problems.json` (`tpe` is Optuna 5.0's default TPE, which is
 * multivariate; `utpe` the univariate one; `mtpe` multivariate with `group`; `gpw` our GP with
 * `outputWarping`, as the automatic sampler runs it) (Branin, Hartmann-6, mixed, a 20-D
 * Styblinski–Tang, a conditional space, constrained Hartmann-6, ZDT1, DTLZ2, DTLZ7), N seeds × T
 * trials, median best (single objective: best feasible value, lower is better; multi-objective:
 * hypervolume of the feasible trials against the problem's reference point, higher is better).
 * Also `hvtpe`: our TPE weighting a multi-objective study's good trials by their hypervolume
 * contributions (Optuna 4.x) instead of uniformly.
 *
 *     deno run -A bench/sampler_quality.ts [--seeds=20] [--trials=100]
 *         [--samplers=auto,tpe,utpe,mtpe,gp,cmaes,nsga2,random] [--problems=branin,zdt1]
 *         [--python=/path/to/gp-venv/bin/python] [--optuna-samplers=tpe,mtpe,gp]
 *         [--optuna-results=file.jsonl] [--out=file.jsonl] [--ours-results=a.txt,b.txt]
 *         [--spread]
 *
 * With `--python` the Optuna side (`bench/quality_optuna.py`) runs in this run, in a second
 * process beside ours (2 cores: one each); its JSON lines are kept in `--out` when given.
 * `--optuna-results` reads the lines of such a run instead (Optuna's GP costs about 0.1 s a trial,
 * an hour for the whole table). GP needs torch: `../shared/bench/gp_venv.sh` builds the venv.
 * A 20-seed median is noisy (see `bench/tpe_quality.ts`): read differences below a few percent of
 * the range as ties. `--ours-results` reads our lines (`{"side":"hyperion",…}`) printed by
 * earlier runs (several files, comma-separated; a later line for the same problem, sampler and
 * seed replaces an earlier one), so that the table is rebuilt without running again:
 * `--samplers=` (empty) runs nothing of ours; `--first-seed=k` runs seeds k…seeds−1 only (to
 * split a long run over processes). `--spread` adds a table of every sampler's spread over the
 * seeds (10th, 25th, 50th, 75th and 90th percentiles, both sides): where outcomes are bimodal
 * (a conditional space's runs that stay on a worse branch), medians of 20 seeds differ by seed
 * window far more than the samplers do.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as lib from "../mod.ts";
import { createStudy, getTrials, optimize, runOrThrow, setConstraint } from "../mod.ts";
import type { Sampler, Trial } from "../mod.ts";
import { hypervolume } from "../lib/math/hypervolume.ts";
import {
  constraintOf,
  evaluateProblem,
  loadQualityProblems,
  type QualityProblem,
  suggestProblem,
} from "./_quality_problems.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    seeds: { type: "string", default: "20" },
    trials: { type: "string", default: "100" },
    samplers: { type: "string", default: "auto,tpe,utpe,mtpe,gp,cmaes,nsga2,random" },
    problems: { type: "string" },
    python: { type: "string" },
    "optuna-samplers": { type: "string", default: "tpe,mtpe,gp" },
    "optuna-results": { type: "string" },
    out: { type: "string" },
    "ours-results": { type: "string" },
    "first-seed": { type: "string", default: "0" },
    spread: { type: "boolean", default: false },
  },
});

/** One run's outcome, the same shape as `quality_optuna.py` prints. */
interface RunResult {
  readonly problem: string;
  readonly sampler: string;
  readonly seed: number;
  readonly best: number | null;
  readonly seconds: number;
}

type Factory = (seed: number) => Sampler;

/** Our samplers by benchmark name; a name whose constructor is not exported is skipped. */
function factories(): Record<string, Factory> {
  const ctor = (name: string) =>
    (lib as Record<string, unknown>)[name] as
      | ((o: Record<string, unknown>) => Sampler)
      | undefined;
  const table: Record<string, [string, Record<string, unknown>]> = {
    auto: ["autoSampler", {}],
    // the default with its GP phase cut to the trials where the GP costs no more than Optuna's
    // TPE at 1000 trials (bench/auto_cost.ts): what the cost target would take from quality
    auto60: ["autoSampler", { gpBudget: 60 }],
    tpe: ["tpeSampler", {}],
    utpe: ["tpeSampler", { multivariate: false }],
    mtpe: ["tpeSampler", { multivariate: true, group: true }],
    hvtpe: ["tpeSampler", { multiObjectiveWeights: "hypervolume" }],
    gp: ["gpSampler", {}],
    gpw: ["gpSampler", { outputWarping: true }],
    cmaes: ["cmaEsSampler", {}],
    nsga2: ["nsgaIISampler", {}],
    nsga3: ["nsgaIIISampler", {}],
    qmc: ["qmcSampler", {}],
    random: ["randomSampler", {}],
  };
  const out: Record<string, Factory> = {};
  for (const [name, [fn, options]] of Object.entries(table)) {
    const make = ctor(fn);
    if (make) out[name] = (seed) => make({ ...options, seed });
  }
  return out;
}

function objectiveOf(problem: QualityProblem) {
  return (trial: Trial) => async () => {
    const x = await suggestProblem(trial, problem.space);
    const constraint = constraintOf(problem.name, x);
    for (const [i, c] of (constraint ?? []).entries()) {
      await runOrThrow(setConstraint(trial, `c${i}`, c));
    }
    const value = evaluateProblem(problem.name, x);
    return { _tag: "Right" as const, right: value };
  };
}

function feasible(attrs: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(attrs).every(([k, v]) =>
    !k.startsWith("constraints:") || (typeof v === "number" && v <= 0)
  );
}

async function runOurs(problem: QualityProblem, sampler: Sampler): Promise<number | null> {
  const study = await runOrThrow(createStudy({ directions: problem.objectives, sampler }));
  await runOrThrow(optimize(study, objectiveOf(problem), { nTrials: Number(args.trials) }));
  const done = (await runOrThrow(getTrials(study)))
    .filter((t) => t.state === "COMPLETE" && feasible(t.systemAttrs));
  if (problem.objectives.length === 1) {
    return done.length ? Math.min(...done.map((t) => t.values![0]!)) : null;
  }
  const ref = problem.reference_point!;
  const points = done.map((t) => t.values!).filter((v) => v.every((x, i) => x < ref[i]!));
  return points.length ? hypervolume(points, ref) : 0;
}

function applicable(problem: QualityProblem, sampler: string): boolean {
  return sampler !== "cmaes" || (problem.objectives.length === 1 && !problem.conditional);
}

async function* oursAll(
  problems: ReadonlyArray<QualityProblem>,
  samplers: ReadonlyArray<string>,
  seeds: number,
): AsyncGenerator<RunResult> {
  const make = factories();
  for (const problem of problems) {
    for (const name of samplers) {
      if (!make[name] || !applicable(problem, name)) continue;
      for (let seed = Number(args["first-seed"]); seed < seeds; seed++) {
        const t0 = performance.now();
        const best = await runOurs(problem, make[name]!(seed));
        yield {
          problem: problem.name,
          sampler: name,
          seed,
          best,
          seconds: (performance.now() - t0) / 1e3,
        };
      }
    }
  }
}

async function runPython(problems: ReadonlyArray<QualityProblem>): Promise<RunResult[]> {
  const script = new URL("./quality_optuna.py", import.meta.url).pathname;
  const command = new Deno.Command(args.python!, {
    args: [
      "-W",
      "ignore",
      script,
      "--samplers",
      args["optuna-samplers"]!,
      "--problems",
      problems.map((p) => p.name).join(","),
      "--seeds",
      `0-${Number(args.seeds) - 1}`,
      "--trials",
      args.trials!,
    ],
    stdout: "piped",
  });
  const { stdout } = await command.output();
  return parseLines(new TextDecoder().decode(stdout));
}

function parseLines(text: string): RunResult[] {
  return text.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l));
}

/** The upper median, as `../shared/bench/anchor_optuna.py` takes it (`sorted[n // 2]`). */
function median(values: ReadonlyArray<number>, maximize: boolean): number {
  const sorted = [...values].sort((a, b) => maximize ? b - a : a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function summarise(results: ReadonlyArray<RunResult>, problem: QualityProblem) {
  const maximize = problem.objectives.length > 1;
  const by = new Map<string, number[]>();
  for (const r of results.filter((r) => r.problem === problem.name)) {
    // a run without a feasible trial counts as the worst possible outcome
    const v = r.best ?? (maximize ? 0 : Infinity);
    by.set(r.sampler, [...(by.get(r.sampler) ?? []), v]);
  }
  return new Map([...by].map(([k, v]) => [k, { median: median(v, maximize), n: v.length }]));
}

function table(
  problems: ReadonlyArray<QualityProblem>,
  ours: ReadonlyArray<RunResult>,
  theirs: ReadonlyArray<RunResult>,
): string {
  const ourNames = [...new Set(ours.map((r) => r.sampler))];
  const theirNames = [...new Set(theirs.map((r) => r.sampler))];
  const head = [
    "problem",
    ...ourNames.map((n) => `ours ${n}`),
    ...theirNames.map((n) => `Optuna ${n}`),
    "default ≥ Optuna's best?",
  ];
  const rows = [head, head.map(() => "---")];
  for (const p of problems) {
    const a = summarise(ours, p), b = summarise(theirs, p);
    const fmt = (s?: { median: number }) => s === undefined ? "–" : s.median.toPrecision(5);
    const maximize = p.objectives.length > 1;
    const optunaBest = [...b.values()].map((s) => s.median)
      .reduce(
        (x, y) => maximize ? Math.max(x, y) : Math.min(x, y),
        maximize ? -Infinity : Infinity,
      );
    const auto = a.get("auto")?.median;
    const verdict = auto === undefined || !Number.isFinite(optunaBest)
      ? "–"
      : (maximize ? auto >= optunaBest : auto <= optunaBest)
      ? "yes"
      : `no (${auto.toPrecision(5)} vs ${optunaBest.toPrecision(5)})`;
    rows.push([
      p.name + (maximize ? " (HV ↑)" : ""),
      ...ourNames.map((n) => fmt(a.get(n))),
      ...theirNames.map((n) => fmt(b.get(n))),
      verdict,
    ]);
  }
  return rows.map((r) => `| ${r.join(" | ")} |`).join("\n");
}

/** The nearest-rank percentile `q` of `values`, best first (the median's rule at q = 0.5). */
function percentile(values: ReadonlyArray<number>, q: number, maximize: boolean): number {
  const sorted = [...values].sort((a, b) => maximize ? b - a : a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Per problem and sampler (ours, then Optuna's): the number of seeds and the percentiles. */
function spreadTable(
  problems: ReadonlyArray<QualityProblem>,
  ours: ReadonlyArray<RunResult>,
  theirs: ReadonlyArray<RunResult>,
): string {
  const rows = [["problem", "sampler", "seeds", "p10", "p25", "p50", "p75", "p90"]];
  rows.push(rows[0]!.map(() => "---"));
  for (const p of problems) {
    const maximize = p.objectives.length > 1;
    for (const [side, results] of [["ours", ours], ["Optuna", theirs]] as const) {
      const by = new Map<string, number[]>();
      for (const r of results.filter((r) => r.problem === p.name)) {
        const v = r.best ?? (maximize ? 0 : Infinity);
        by.set(r.sampler, [...(by.get(r.sampler) ?? []), v]);
      }
      for (const [name, v] of by) {
        const qs = [0.1, 0.25, 0.5, 0.75, 0.9].map((q) => percentile(v, q, maximize));
        rows.push([p.name, `${side} ${name}`, `${v.length}`, ...qs.map((x) => x.toPrecision(4))]);
      }
    }
  }
  return rows.map((r) => `| ${r.join(" | ")} |`).join("\n");
}

/** Our lines of earlier runs (`--ours-results`), the latest per (problem, sampler, seed). */
async function recordedOurs(problems: ReadonlyArray<QualityProblem>): Promise<RunResult[]> {
  const byKey = new Map<string, RunResult>();
  const wanted = new Set(problems.map((p) => p.name));
  for (const file of args["ours-results"]?.split(",") ?? []) {
    for (const r of parseLines(await Deno.readTextFile(file))) {
      if (wanted.has(r.problem) && r.seed < Number(args.seeds)) {
        const { problem, sampler, seed, best, seconds } = r;
        byKey.set(`${problem}/${sampler}/${seed}`, { problem, sampler, seed, best, seconds });
      }
    }
  }
  return [...byKey.values()];
}

async function main(): Promise<void> {
  const all = loadQualityProblems();
  const wanted = args.problems?.split(",");
  const problems = wanted ? all.filter((p) => wanted.includes(p.name)) : all;
  const python = args.python ? runPython(problems) : Promise.resolve([]);
  const ours: RunResult[] = await recordedOurs(problems);
  const names = args.samplers!.split(",").filter((n) => n !== "");
  for await (const r of oursAll(problems, names, Number(args.seeds))) {
    ours.push(r);
    console.log(JSON.stringify({ side: "hyperion", ...r }));
  }
  const recorded = args["optuna-results"]
    ? parseLines(await Deno.readTextFile(args["optuna-results"]))
      .filter((r) => r.seed < Number(args.seeds))
    : [];
  const theirs = [...recorded, ...await python];
  if (args.out) {
    await Deno.writeTextFile(args.out, theirs.map((r) => JSON.stringify(r)).join("\n") + "\n");
  }
  console.log(`\n${args.seeds} seeds × ${args.trials} trials, median best\n`);
  console.log(table(problems, ours, theirs));
  if (args.spread) {
    console.log(`\nspread over the seeds: 10th / 25th / 50th / 75th / 90th percentile\n`);
    console.log(spreadTable(problems, ours, theirs));
  }
}

await main();
