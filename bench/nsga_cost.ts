/**
 * NSGA-II benchmark: per-trial cost of our `nsgaIISampler` against Python Optuna 5.0's
 * `NSGAIISampler` on ZDT1 (population 50, in-memory storage, a trivial objective), and the
 * hypervolume both reach after 100 and 300 trials on ZDT1 and on DTLZ2 (3 objectives), in the
 * same run (Optuna through `bench/nsga_optuna.py`; both hypervolumes computed here with
 * `lib/math/hypervolume.ts`, on the same reference point).
 *
 *     deno run -A bench/nsga_cost.ts [--python=.venv-optuna/bin/python] [--trials=1000]
 *                                    [--dim=30] [--seeds=5] [--reps=2] [--no-python]
 *
 * Cost: the mean time per trial over the whole run and over its last 100 trials, best of
 * `--reps` runs alternating the two (noise only adds time); the same for both random samplers,
 * the floor that the study runtime costs whatever the sampler. Quality: the median over `--seeds`
 * seeds of the hypervolume of the first 100 and 300 trials (reference point ZDT1 (1.1, 11),
 * DTLZ2 (3.5, 3.5, 3.5), minimised objectives). Prints JSON lines and two tables.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  createStudy,
  getTrials,
  nsgaIISampler,
  optimize,
  randomSampler,
  runOrThrow,
  suggestFloat,
  type Trial,
} from "../mod.ts";
import { hypervolume } from "../lib/math/hypervolume.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    python: {
      type: "string",
      default: new URL("../.venv-optuna/bin/python", import.meta.url).pathname,
    },
    trials: { type: "string", default: "1000" },
    dim: { type: "string", default: "30" },
    seeds: { type: "string", default: "5" },
    reps: { type: "string", default: "2" },
    "no-python": { type: "boolean", default: false },
  },
});

type Problem = "zdt1" | "dtlz2";
const N_OBJ: Record<Problem, number> = { zdt1: 2, dtlz2: 3 };
const REF: Record<Problem, number[]> = { zdt1: [1.1, 11], dtlz2: [3.5, 3.5, 3.5] };
const POPULATION = 50;
const TIMED_LAST = 100;

function zdt1(x: number[]): number[] {
  const f1 = x[0]!;
  let s = 0;
  for (let i = 1; i < x.length; i++) s += x[i]!;
  const g = 1 + 9 * s / (x.length - 1);
  return [f1, g * (1 - Math.sqrt(f1 / g))];
}

function dtlz2(x: number[]): number[] {
  let g = 0;
  for (let i = 2; i < x.length; i++) g += (x[i]! - 0.5) ** 2;
  const a = x[0]! * Math.PI / 2, b = x[1]! * Math.PI / 2;
  return [
    (1 + g) * Math.cos(a) * Math.cos(b),
    (1 + g) * Math.cos(a) * Math.sin(b),
    (1 + g) * Math.sin(a),
  ];
}

function objectiveOf(problem: Problem, dim: number) {
  const f = problem === "zdt1" ? zdt1 : dtlz2;
  return (trial: Trial) => async () => {
    const x: number[] = [];
    for (let i = 0; i < dim; i++) x.push(await runOrThrow(suggestFloat(trial, `x${i}`, 0, 1)));
    return { _tag: "Right" as const, right: f(x) };
  };
}

interface RunResult {
  readonly all: number;
  readonly last: number;
  readonly values: number[][];
}

type Which = "nsga2" | "random";

async function ours(
  problem: Problem,
  dim: number,
  n: number,
  seed: number,
  which: Which = "nsga2",
): Promise<RunResult> {
  const study = await runOrThrow(createStudy({
    sampler: which === "random"
      ? randomSampler({ seed })
      : nsgaIISampler({ seed, populationSize: POPULATION }),
    directions: Array(N_OBJ[problem]).fill("minimize"),
  }));
  const objective = objectiveOf(problem, dim);
  const t0 = performance.now();
  await runOrThrow(optimize(study, objective, { nTrials: n - TIMED_LAST }));
  const t1 = performance.now();
  await runOrThrow(optimize(study, objective, { nTrials: TIMED_LAST }));
  const t2 = performance.now();
  const trials = await runOrThrow(getTrials(study));
  return {
    all: (t2 - t0) / n,
    last: (t2 - t1) / TIMED_LAST,
    values: trials.map((t) => [...t.values!]),
  };
}

async function theirs(
  problem: Problem,
  dim: number,
  n: number,
  seed: number,
  which: Which = "nsga2",
): Promise<RunResult | undefined> {
  if (args["no-python"]) return undefined;
  const cfg = {
    problem,
    dim,
    n,
    seed,
    population: POPULATION,
    timed_last: TIMED_LAST,
    sampler: which,
  };
  try {
    const child = new Deno.Command(args.python!, {
      args: [new URL("./nsga_optuna.py", import.meta.url).pathname],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify(cfg)));
    await w.close();
    const out = await child.output();
    if (!out.success) return undefined;
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
    return { all: r.ms_per_trial_all, last: r.ms_per_trial_last, values: r.values };
  } catch (e) {
    console.error(`Cannot run Python at ${args.python}: ${(e as Error).message}`);
    return undefined;
  }
}

function hvAt(problem: Problem, values: number[][], n: number): number {
  const ref = REF[problem];
  const inside = values.slice(0, n).filter((v) => v.every((x, i) => x < ref[i]!));
  return inside.length === 0 ? 0 : hypervolume(inside, ref);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const best = (xs: number[]) => xs.length === 0 ? undefined : Math.min(...xs);
const fmt = (x: number | undefined, d = 3) => x === undefined ? "—" : x.toFixed(d);

async function cost(which: Which): Promise<string[]> {
  const n = Number(args.trials), dim = Number(args.dim);
  const o: RunResult[] = [], t: RunResult[] = [];
  for (let r = 0; r < Number(args.reps); r++) {
    o.push(await ours("zdt1", dim, n, r, which));
    const p = await theirs("zdt1", dim, n, r, which);
    if (p) t.push(p);
  }
  const row = (what: "all" | "last") => {
    const a = best(o.map((x) => x[what]))!, b = best(t.map((x) => x[what]));
    const label = what === "all" ? `all ${n}` : `last ${TIMED_LAST}`;
    return `| ${
      which === "random" ? "random (floor)" : "NSGA-II"
    } | ZDT1, ${dim} params | ${label} | ${fmt(a)} | ${fmt(b)} | ${
      b === undefined ? "—" : (b / a).toFixed(1) + "×"
    } |`;
  };
  console.log(JSON.stringify({
    bench: "nsga_cost",
    sampler: which,
    hyperion_ms_all: o.map((x) => +x.all.toFixed(4)),
    hyperion_ms_last: o.map((x) => +x.last.toFixed(4)),
    optuna_ms_all: t.map((x) => +x.all.toFixed(4)),
    optuna_ms_last: t.map((x) => +x.last.toFixed(4)),
  }));
  return [row("all"), row("last")];
}

async function quality(): Promise<string[]> {
  const rows: string[] = [];
  for (const [problem, dim] of [["zdt1", Number(args.dim)], ["dtlz2", 12]] as const) {
    const hv: Record<string, number[]> = { o100: [], o300: [], t100: [], t300: [] };
    for (let seed = 0; seed < Number(args.seeds); seed++) {
      const o = await ours(problem, dim, 300, seed);
      hv.o100!.push(hvAt(problem, o.values, 100));
      hv.o300!.push(hvAt(problem, o.values, 300));
      const t = await theirs(problem, dim, 300, seed);
      if (t) {
        hv.t100!.push(hvAt(problem, t.values, 100));
        hv.t300!.push(hvAt(problem, t.values, 300));
      }
    }
    console.log(JSON.stringify({ bench: "nsga_quality", problem, dim, ...hv }));
    const m = (xs: number[]) => xs.length ? median(xs) : undefined;
    rows.push(
      `| ${problem.toUpperCase()}, ${dim} params | ${fmt(m(hv.o100!), 4)} | ${
        fmt(m(hv.t100!), 4)
      } | ${fmt(m(hv.o300!), 4)} | ${fmt(m(hv.t300!), 4)} |`,
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const costRows = [...await cost("nsga2"), ...await cost("random")];
  const qualityRows = await quality();
  console.log(
    `\n| sampler | problem | trials timed | Hyperion ms/trial | Optuna 5.0 ms/trial | ratio |`,
  );
  console.log("|---|---|---|---|---|---|");
  for (const r of costRows) console.log(r);
  console.log(
    `\n| problem | Hyperion HV @100 | Optuna HV @100 | Hyperion HV @300 | Optuna HV @300 |`,
  );
  console.log("|---|---|---|---|---|");
  for (const r of qualityRows) console.log(r);
}

if (import.meta.main) await main();
