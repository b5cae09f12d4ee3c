/**
 * The GP sampler's per-trial cost with three objectives (DTLZ2, 8 parameters), ours beside
 * Optuna 5.0's `GPSampler` in the same run: a study of N random trials is continued by the GP
 * for `--timed` trials, each timed (ask, suggest, tell); prints the median CPU and wall
 * milliseconds per trial of both (Optuna's with `OMP_NUM_THREADS=1`, so both use one core).
 * The cost is the log EHVI acquisition: 128 quasi-random posterior samples times the boxes of
 * the non-dominated region (about three per Pareto-optimal trial with three objectives).
 *
 *     deno run -A bench/gp_mo_cost.ts [--sizes 100,250] [--timed 3] [--python /work/gp-venv/bin/python]
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import {
  createStudy,
  gpSampler,
  memoryStorage,
  optimize,
  randomSampler,
  runOrThrow,
  type Trial,
} from "../mod.ts";
import { evaluateProblem, loadQualityProblems, suggestProblem } from "./_quality_problems.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "100,250" },
    timed: { type: "string", default: "3" },
    seed: { type: "string", default: "0" },
    python: { type: "string", default: "/work/gp-venv/bin/python" },
  },
});

const problem = loadQualityProblems().find((p) => p.name === "dtlz2")!;
const objective = (trial: Trial) => async () => ({
  _tag: "Right" as const,
  right: evaluateProblem("dtlz2", await suggestProblem(trial, problem.space)),
});

function median(xs: ReadonlyArray<number>): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Ours: `n` random trials, then `timed` GP trials, each timed (CPU and wall ms). */
async function ours(n: number, timed: number, seed: number) {
  const storage = memoryStorage(), directions = problem.objectives;
  const first = await runOrThrow(
    createStudy({ storage, studyName: "s", directions, sampler: randomSampler({ seed }) }),
  );
  await runOrThrow(optimize(first, objective, { nTrials: n }));
  const study = await runOrThrow(
    createStudy({
      storage,
      studyName: "s",
      directions,
      loadIfExists: true,
      sampler: gpSampler({ seed }),
    }),
  );
  const cpuMs: number[] = [], wallMs: number[] = [];
  for (let i = 0; i < timed; i++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    await runOrThrow(optimize(study, objective, { nTrials: 1 }));
    wallMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  return { cpuMs, wallMs };
}

async function theirs(n: number, timed: number, seed: number) {
  const script = new URL("./gp_mo_cost.py", import.meta.url).pathname;
  const out = await new Deno.Command(args.python!, {
    args: [script, String(n), String(timed), String(seed)],
    env: { OMP_NUM_THREADS: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`${args.python} ${script} failed`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as { cpuMs: number[]; wallMs: number[] };
}

const rows: string[] = [];
for (const n of args.sizes!.split(",").map(Number)) {
  const timed = Number(args.timed), seed = Number(args.seed);
  const a = await ours(n, timed, seed), b = await theirs(n, timed, seed);
  console.log(JSON.stringify({ n, ours: a, optuna: b }));
  const [ca, cb] = [median(a.cpuMs), median(b.cpuMs)];
  rows.push(
    `| ${n} | ${ca.toFixed(0)} | ${cb.toFixed(0)} | ${(cb / ca).toFixed(1)}× | ${
      median(a.wallMs).toFixed(0)
    } | ${median(b.wallMs).toFixed(0)} |`,
  );
}
console.log(
  "\n| random trials before | ours CPU ms/trial | Optuna CPU ms/trial | ratio | ours wall ms | Optuna wall ms |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
