/**
 * The automatic sampler's cost per trial beside Optuna 5.0's default sampler (`TPESampler()`)
 * in the same run: a study of N random trials (N = 100, 300, 1000) of a problem of
 * `bench/quality_problems.json` is continued by `autoSampler` for `--timed` trials, each timed
 * (ask, suggest, tell; the objectives cost nothing), and the same for Optuna's TPE
 * (`bench/auto_cost.py`, run with `--python`). The automatic sampler's choice is a function of
 * the stored trials, so a history of random trials puts it in the phase of a study of that
 * length (100: GP; 300 and 1000: CMA-ES, TPE or NSGA-II). The target: never more per trial
 * than Optuna's TPE at 1000 trials. Median wall and CPU milliseconds; CPU time is the steadier
 * figure on a shared machine (Optuna runs with `OMP_NUM_THREADS=1`).
 *
 *     deno run -A bench/auto_cost.ts [--sizes=100,300,1000] [--timed=5]
 *         [--problems=hartmann6,mixed,zdt1] [--python=/work/main/.venv-optuna/bin/python]
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import {
  autoSampler,
  createStudy,
  getTrials,
  memoryStorage,
  optimize,
  randomSampler,
  runOrThrow,
  setConstraint,
  type Trial,
} from "../mod.ts";
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
    sizes: { type: "string", default: "100,300,1000" },
    timed: { type: "string", default: "5" },
    problems: { type: "string", default: "hartmann6,mixed,zdt1" },
    python: { type: "string", default: "/work/main/.venv-optuna/bin/python" },
  },
});

function objectiveOf(problem: QualityProblem) {
  return (trial: Trial) => async () => {
    const x = await suggestProblem(trial, problem.space);
    for (const [i, c] of (constraintOf(problem.name, x) ?? []).entries()) {
      await runOrThrow(setConstraint(trial, `c${i}`, c));
    }
    return { _tag: "Right" as const, right: evaluateProblem(problem.name, x) };
  };
}

function median(xs: ReadonlyArray<number>): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

interface Timing {
  readonly ms: number[];
  readonly cpu: number[];
  readonly choice?: string;
}

/** Ours: `n` random trials, then `timed` trials of the automatic sampler, each timed. */
async function ours(problem: QualityProblem, n: number, timed: number, seed: number) {
  const storage = memoryStorage();
  const directions = problem.objectives;
  const objective = objectiveOf(problem);
  const first = await runOrThrow(
    createStudy({ storage, studyName: "s", directions, sampler: randomSampler({ seed }) }),
  );
  await runOrThrow(optimize(first, objective, { nTrials: n }));
  const study = await runOrThrow(
    createStudy({ storage, studyName: "s", loadIfExists: true, sampler: autoSampler({ seed }) }),
  );
  const ms: number[] = [], cpu: number[] = [];
  for (let i = 0; i < timed; i++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    await runOrThrow(optimize(study, objective, { nTrials: 1 }));
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const last = (await runOrThrow(getTrials(study))).at(-1)!;
  return { ms, cpu, choice: String(last.systemAttrs["auto:sampler"]) };
}

async function theirs(problem: QualityProblem, n: number, timed: number): Promise<Timing> {
  const script = new URL("./auto_cost.py", import.meta.url).pathname;
  const out = await new Deno.Command(args.python!, {
    args: ["-W", "ignore", script, problem.name, String(n), String(timed), "0"],
    env: { OMP_NUM_THREADS: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`${script} ${problem.name} ${n} failed`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const r = JSON.parse(lines.at(-1)!);
  return { ms: r.ms, cpu: r.cpu_ms };
}

const timed = Number(args.timed);
const problems = loadQualityProblems().filter((p) => args.problems!.split(",").includes(p.name));
const sizes = args.sizes!.split(",").map(Number);
console.log(`# load: ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")} (1/5/15 min)`);
const rows = [
  "| problem | trials | auto's choice | ours auto (CPU ms) | Optuna TPE (CPU ms) | Optuna TPE at 1000 | auto ≤ TPE@1000? |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];
for (const problem of problems) {
  const results = new Map<number, [Timing, Timing]>();
  for (const n of sizes) {
    // alternate ours and Optuna's (the machine is shared)
    const a = await ours(problem, n, timed, 0);
    const t = await theirs(problem, n, timed);
    const b = await ours(problem, n, timed, 1);
    const mine = { ms: [...a.ms, ...b.ms], cpu: [...a.cpu, ...b.cpu], choice: a.choice };
    results.set(n, [mine, t]);
    console.log(JSON.stringify({
      problem: problem.name,
      n,
      choice: a.choice,
      oursCpuMs: Number(median(mine.cpu).toFixed(1)),
      oursWallMs: Number(median(mine.ms).toFixed(1)),
      optunaTpeCpuMs: Number(median(t.cpu).toFixed(1)),
      optunaTpeWallMs: Number(median(t.ms).toFixed(1)),
    }));
  }
  const ref = results.get(Math.max(...sizes))![1];
  for (const [n, [mine, t]] of results) {
    const o = median(mine.cpu), r = median(ref.cpu);
    rows.push(
      `| ${problem.name} | ${n} | ${mine.choice} | ${o.toFixed(1)} | ${
        median(t.cpu).toFixed(1)
      } | ${r.toFixed(1)} | ${o <= r ? "yes" : "no"} |`,
    );
  }
}
console.log(rows.join("\n"));
