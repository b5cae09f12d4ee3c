/**
 * GP sampler benchmark, ours beside Optuna 5.0's `GPSampler` in the same run:
 *
 * - **cost**: a study of 100 (then 300) random Hartmann-6 trials is continued by the GP
 *   sampler for `--timed` trials, each timed (ask, suggest, tell: the sampler's cost, the
 *   objective being negligible); the median wall and CPU time per trial is printed for both
 *   implementations (CPU time is the steadier figure on a shared machine; Optuna runs with
 *   `OMP_NUM_THREADS=1`, so both use one core).
 * - **quality** (`--quality`): the median best value over `--seeds` seeds at `--trials`
 *   trials on Branin and Hartmann-6 (Optuna's with `--optuna-quality`, which takes minutes).
 *
 * Optuna's side runs `bench/gp_optuna.py` with `--python` (default `/work/gp-venv/bin/python`,
 * built by `../shared/bench/gp_venv.sh`).
 *
 *     deno run -A bench/gp_cost.ts [--sizes 100,300] [--timed 5] [--quality] [--seeds 5]
 *     deno run -A bench/gp_cost.ts --sizes 0 --quality --seeds 10   # quality only
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
  type Sampler,
  suggestFloat,
  type Trial,
} from "../mod.ts";
import { evaluateProblem } from "./_quality_problems.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "100,300" },
    timed: { type: "string", default: "5" },
    quality: { type: "boolean", default: false },
    "optuna-quality": { type: "boolean", default: false },
    seeds: { type: "string", default: "5" },
    trials: { type: "string", default: "100" },
    python: { type: "string", default: "/work/gp-venv/bin/python" },
  },
});

async function hartmann6(trial: Trial): Promise<number> {
  const x: Record<string, number> = {};
  for (let j = 0; j < 6; j++) x[`x${j}`] = await runOrThrow(suggestFloat(trial, `x${j}`, 0, 1));
  return evaluateProblem("hartmann6", x) as number;
}

async function branin(trial: Trial): Promise<number> {
  const x0 = await runOrThrow(suggestFloat(trial, "x0", -5, 10));
  const x1 = await runOrThrow(suggestFloat(trial, "x1", 0, 15));
  return evaluateProblem("branin", { x0, x1 }) as number;
}

const asObjective = (f: (t: Trial) => Promise<number>) => (t: Trial) => async () => ({
  _tag: "Right" as const,
  right: await f(t),
});

function median(xs: ReadonlyArray<number>): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Ours: `n` random trials, then `timed` GP trials, each timed (wall and CPU ms). */
async function ourCost(
  n: number,
  timed: number,
  seed: number,
): Promise<{ ms: number[]; cpu: number[] }> {
  const storage = memoryStorage();
  const first = await runOrThrow(
    createStudy({ storage, studyName: "s", sampler: randomSampler({ seed }) }),
  );
  await runOrThrow(optimize(first, asObjective(hartmann6), { nTrials: n }));
  const study = await runOrThrow(
    createStudy({ storage, studyName: "s", loadIfExists: true, sampler: gpSampler({ seed }) }),
  );
  const ms: number[] = [], cpu: number[] = [];
  for (let i = 0; i < timed; i++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    await runOrThrow(optimize(study, asObjective(hartmann6), { nTrials: 1 }));
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms, cpu };
}

async function python(argv: string[]): Promise<Record<string, unknown>> {
  const script = new URL("./gp_optuna.py", import.meta.url).pathname;
  const out = await new Deno.Command(args.python!, {
    args: [script, ...argv],
    env: { OMP_NUM_THREADS: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`${args.python} ${script} ${argv.join(" ")} failed`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!);
}

async function quality(
  name: string,
  f: (t: Trial) => Promise<number>,
  make: (seed: number) => Sampler,
) {
  const seeds = Number(args.seeds), trials = Number(args.trials);
  const bests: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < seeds; s++) {
    const study = await runOrThrow(createStudy({ sampler: make(s) }));
    const summary = await runOrThrow(optimize(study, asObjective(f), { nTrials: trials }));
    bests.push(summary.bestTrial!.values![0]!);
  }
  const line: Record<string, unknown> = {
    problem: name,
    seeds,
    trials,
    // the anchors' median: the (n/2)-th of the sorted bests (upper median for even n)
    ours: Number([...bests].sort((a, b) => a - b)[Math.floor(bests.length / 2)]!.toFixed(5)),
    oursSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    oursBests: bests.map((b) => Number(b.toFixed(5))),
  };
  if (args["optuna-quality"]) {
    const r = await python(["quality", name, String(seeds), String(trials)]);
    line.optuna = Number((r.median as number).toFixed(5));
    line.optunaSeconds = Number((r.s as number).toFixed(1));
  }
  console.log(JSON.stringify(line));
}

const timed = Number(args.timed);
console.log(`# load: ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")} (1/5/15 min)`);
// In a real study the GP has run for many trials before trial 100, so its code is compiled:
// both sides first run a short discarded GP study (20 random trials, 3 GP trials), and the timed
// trials measure the steady state rather than the JIT's first pass (Optuna's side does the same
// in its process, for torch's first calls).
if (args.sizes!.split(",").some((n) => Number(n) > 0)) await ourCost(20, 3, 99);
for (const n of args.sizes!.split(",").map(Number).filter((n) => n > 0)) {
  // alternate: ours, Optuna's, ours again (the machine is shared)
  const a = await ourCost(n, timed, 0);
  const theirs = await python(["cost", String(n), String(timed), "0"]);
  const b = await ourCost(n, timed, 1);
  const row = (what: string, ours: number, optuna: number) =>
    console.log(JSON.stringify({
      bench: `${what} per trial (Hartmann-6, ms, median of ${2 * timed} vs ${timed})`,
      completedTrials: n,
      ours: Number(ours.toFixed(1)),
      optuna: Number(optuna.toFixed(1)),
      ratio: Number((optuna / ours).toFixed(1)),
    }));
  row("wall time", median([...a.ms, ...b.ms]), median(theirs.ms as number[]));
  row("CPU time", median([...a.cpu, ...b.cpu]), median(theirs.cpu_ms as number[]));
}
if (args.quality) {
  await quality("branin", branin, (seed) => gpSampler({ seed }));
  await quality("hartmann6", hartmann6, (seed) => gpSampler({ seed }));
}
