/**
 * CMA-ES cost and quality benchmark: per-trial cost of `cmaEsSampler` next to Optuna 5.0's
 * `CmaEsSampler` in the same run (10 float parameters × 1000 trials by default, trivial
 * objective, in-memory storage), and the median best of both on Branin and Hartmann-6 of
 * `../shared/bench/problems.json`.
 *
 *     deno run -A bench/cmaes_cost.ts [--dims=10] [--trials=1000] [--reps=2] [--seeds=5]
 *       [--quality-trials=200] [--python=/work/gp-venv/bin/python] [--no-python]
 *
 * The Python side is `bench/cmaes_cost.py` (Optuna with `cmaes`; see its docstring for
 * Debian's cmaes 0.9.1). Each cost measurement is repeated `--reps` times, alternating
 * Hyperion and Optuna; the table gives the fastest of each (noise only adds time).
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  cmaEsSampler,
  createStudy,
  getTrials,
  optimize,
  randomSampler,
  runOrThrow,
  suggestFloat,
  type Trial,
} from "../mod.ts";
import { loadProblems, type Problem, sortedBests } from "./_problems.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    dims: { type: "string", default: "10" },
    trials: { type: "string", default: "1000" },
    reps: { type: "string", default: "2" },
    seeds: { type: "string", default: "5" },
    "quality-trials": { type: "string", default: "200" },
    python: { type: "string", default: "/work/gp-venv/bin/python" },
    "no-python": { type: "boolean", default: false },
  },
});
const dims = Number(args.dims), nTrials = Number(args.trials), reps = Number(args.reps);
const seeds = Number(args.seeds), qualityTrials = Number(args["quality-trials"]);

async function costObjective(trial: Trial): Promise<number> {
  let s = 0, prev = 0;
  for (let i = 0; i < dims; i++) {
    const x = await runOrThrow(suggestFloat(trial, `x${i}`, -5, 5));
    s += (i + 1) * x * x + 0.5 * x * prev;
    prev = x;
  }
  return s;
}

async function hyperionCost(random = false): Promise<
  { ms_per_trial: number; last100_ms_per_trial: number; best: number }
> {
  const sampler = random ? randomSampler({ seed: 0 }) : cmaEsSampler({ seed: 0 });
  const study = await runOrThrow(createStudy({ sampler }));
  const t0 = performance.now();
  await runOrThrow(
    optimize(
      study,
      (t) => async () => ({ _tag: "Right" as const, right: await costObjective(t) }),
      {
        nTrials: nTrials - 100,
      },
    ),
  );
  const t1 = performance.now();
  await runOrThrow(
    optimize(
      study,
      (t) => async () => ({ _tag: "Right" as const, right: await costObjective(t) }),
      {
        nTrials: 100,
      },
    ),
  );
  const t2 = performance.now();
  const trials = await runOrThrow(getTrials(study));
  return {
    ms_per_trial: (t2 - t0) / nTrials,
    last100_ms_per_trial: (t2 - t1) / 100,
    best: Math.min(...trials.map((t) => t.values![0]!)),
  };
}

async function hyperionQuality(p: Problem): Promise<{ median: number; bests: number[] }> {
  const bests = await sortedBests(p, (seed) => cmaEsSampler({ seed }), seeds, qualityTrials);
  return { median: bests[Math.floor(bests.length / 2)]!, bests };
}

async function python(cfg: unknown): Promise<Record<string, unknown> | null> {
  if (args["no-python"]) return null;
  const script = new URL("./cmaes_cost.py", import.meta.url).pathname;
  const out = await new Deno.Command(args.python!, { args: [script, JSON.stringify(cfg)] })
    .output();
  if (!out.success) {
    console.error(new TextDecoder().decode(out.stderr));
    return null;
  }
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const problems = loadProblems().quality.filter((p) =>
  p.name === "branin" || p.name === "hartmann6"
);
const ours: number[] = [], theirs: number[] = [];
for (let r = 0; r < reps; r++) {
  const h = await hyperionCost();
  console.log(JSON.stringify({ side: "hyperion", rep: r, dims, trials: nTrials, ...h }));
  ours.push(h.last100_ms_per_trial);
  const py = await python({ dims, trials: nTrials });
  if (py) {
    console.log(JSON.stringify({ side: "optuna", rep: r, dims, trials: nTrials, ...py }));
    theirs.push((py.cost as { last100_ms_per_trial: number }).last100_ms_per_trial);
  }
}
// the runtime's own cost per trial (random search reads no history), on both sides
const floorOurs: number[] = [], floorTheirs: number[] = [];
for (let r = 0; r < reps; r++) {
  const h = await hyperionCost(true);
  console.log(JSON.stringify({ side: "hyperion", sampler: "random", rep: r, ...h }));
  floorOurs.push(h.last100_ms_per_trial);
  const py = await python({ dims, trials: nTrials, sampler: "random" });
  if (py) {
    console.log(JSON.stringify({ side: "optuna", sampler: "random", rep: r, ...py }));
    floorTheirs.push((py.cost as { last100_ms_per_trial: number }).last100_ms_per_trial);
  }
}
const quality: Record<string, unknown> = {};
for (const p of problems) quality[p.name] = await hyperionQuality(p);
const pyQuality = await python({ problems, seeds, qualityTrials });
console.log(JSON.stringify({ side: "hyperion", quality }));
if (pyQuality) console.log(JSON.stringify({ side: "optuna", quality: pyQuality.quality }));

const best = (xs: number[]) => xs.length ? Math.min(...xs) : NaN;
console.log(
  `\nCMA-ES cost, ${dims} floats, ms per trial over the last 100 of ${nTrials} (fastest of ${reps}):`,
);
console.log(
  `  hyperion ${best(ours).toFixed(3)}   optuna ${best(theirs).toFixed(3)}   ratio ${
    (best(theirs) / best(ours)).toFixed(1)
  }×`,
);
console.log(
  `  (random search, the runtime's floor: hyperion ${best(floorOurs).toFixed(3)}   optuna ${
    best(floorTheirs).toFixed(3)
  }; CMA-ES above it: hyperion ${(best(ours) - best(floorOurs)).toFixed(3)}   optuna ${
    (best(theirs) - best(floorTheirs)).toFixed(3)
  })`,
);
console.log(`CMA-ES quality, median best of ${seeds} seeds at ${qualityTrials} trials:`);
for (const p of problems) {
  const h = (quality[p.name] as { median: number }).median;
  const o = (pyQuality?.quality as Record<string, { median: number }> | undefined)?.[p.name]
    ?.median;
  console.log(
    `  ${p.name.padEnd(10)} hyperion ${h.toFixed(5)}   optuna ${
      o?.toFixed(5) ?? "—"
    }   optimum ${p.optimum}`,
  );
}
