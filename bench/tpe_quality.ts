/**
 * TPE quality benchmark: the `quality` problems of `../shared/bench/problems.json` (Branin,
 * Hartmann-6, a mixed log/int/categorical "training" surface), 20 seeds × 100 trials, median
 * best value, printed next to the Optuna 5.0 anchors of `../shared/reference/anchors.md`.
 *
 *     deno run -A bench/tpe_quality.ts [--seeds=20] [--trials=100]
 *         [--config='{"multivariate": false}'] [--variants] [--python=.venv-optuna/bin/python]
 *
 * `--config` passes extra `tpeSampler` options (JSON); `--variants` runs a set of
 * alternatives to the defaults (used to choose them); `--python` also runs Optuna 5.0 (TPE
 * univariate and multivariate) on the same seeds and trials in this run.
 *
 * A 20-seed median is noisy: on Hartmann-6 the median of a block of 20 seeds has a standard
 * deviation of about 0.03 for either sampler (measured over seeds 0–999), so differences
 * below about 0.1 between two samplers need hundreds of seeds (`--seeds=1000`) to resolve.
 *
 * @module
 */
import { tpeSampler, type TpeSamplerOptions } from "../mod.ts";
import { parseArgs } from "node:util";
import { loadProblems, type Problem, sortedBests } from "./_problems.ts";

const PROBLEMS: ReadonlyArray<Problem> = loadProblems().quality;

/** Optuna 5.0 medians from `../shared/reference/anchors.md` (TPE, TPE multivariate). */
const ANCHORS: Readonly<Record<string, readonly [number, number]>> = {
  branin: [0.4500, 0.4171],
  hartmann6: [-2.9828, -3.2241],
  mixed: [0.0060, 0.0015],
};

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    seeds: { type: "string", default: "20" },
    trials: { type: "string", default: "100" },
    config: { type: "string", default: "{}" },
    variants: { type: "boolean", default: false },
    python: { type: "string" },
    problems: { type: "string" },
  },
});

/** Median and mean of the best values of `seeds` runs of `trials` trials. */
export async function quality(
  problem: Problem,
  options: TpeSamplerOptions,
  seeds: number,
  trials: number,
): Promise<{ median: number; mean: number; bests: number[] }> {
  const bests = await sortedBests(
    problem,
    (seed) => tpeSampler({ ...options, seed }),
    seeds,
    trials,
  );
  return {
    median: bests[Math.floor(bests.length / 2)]!,
    mean: bests.reduce((a, b) => a + b, 0) / bests.length,
    bests,
  };
}

const PYTHON = String.raw`
import json, math, sys
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
cfg = json.load(open(sys.argv[1]))
def evaluate(name, x):
    if name == "branin":
        b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
        return (x["x1"] - b * x["x0"]**2 + c * x["x0"] - 6)**2 + 10 * (1 - t) * math.cos(x["x0"]) + 10
    if name == "hartmann6":
        A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
        P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
        al = [1.0, 1.2, 3.0, 3.2]
        xs = [x[f"x{i}"] for i in range(6)]
        return -sum(al[i] * math.exp(-sum(A[i][j] * (xs[j] - P[i][j] * 1e-4)**2 for j in range(6))) for i in range(4))
    base = {"relu": 0.0, "tanh": 0.15, "sigmoid": 0.4}[x["act"]]
    return (math.log10(x["lr"]) + 2.5)**2 + 0.1 * (x["layers"] - 3)**2 + base + (x["dropout"] - 0.2)**2 * 2
def suggest(t, space):
    out = {}
    for p in space:
        if p["type"] == "float": out[p["name"]] = t.suggest_float(p["name"], p["low"], p["high"], log=p.get("log", False))
        elif p["type"] == "int": out[p["name"]] = t.suggest_int(p["name"], p["low"], p["high"], log=p.get("log", False))
        else: out[p["name"]] = t.suggest_categorical(p["name"], p["choices"])
    return out
res = {}
for prob in cfg["problems"]:
    for mv in (False, True):
        bests = []
        for s in range(cfg["seeds"]):
            st = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=s, multivariate=mv))
            st.optimize(lambda t: evaluate(prob["name"], suggest(t, prob["space"])), n_trials=cfg["trials"])
            bests.append(st.best_value)
        bests.sort()
        res[prob["name"] + ("-mv" if mv else "")] = bests[len(bests) // 2]
print(json.dumps(res))
`;

async function python(problems: ReadonlyArray<Problem>, seeds: number, trials: number) {
  if (!args.python) return undefined;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/cfg.json`, JSON.stringify({ problems, seeds, trials }));
    await Deno.writeTextFile(`${dir}/run.py`, PYTHON);
    const out = await new Deno.Command(args.python, {
      args: [`${dir}/run.py`, `${dir}/cfg.json`],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) return undefined;
    return JSON.parse(new TextDecoder().decode(out.stdout)) as Record<string, number>;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function main(): Promise<void> {
  const seeds = Number(args.seeds), trials = Number(args.trials);
  const problems = args.problems
    ? PROBLEMS.filter((p) => args.problems!.split(",").includes(p.name))
    : PROBLEMS;
  const base: TpeSamplerOptions = JSON.parse(args.config!);
  const configs: ReadonlyArray<[string, TpeSamplerOptions]> = args.variants
    ? [
      ["defaults", base],
      ["univariate", { ...base, multivariate: false }],
      ["consider endpoints", { ...base, considerEndpoints: true }],
      ["48 candidates", { ...base, nEiCandidates: 48 }],
      ["hyperopt gamma", { ...base, gamma: { kind: "hyperopt" } }],
      ["prior weight 0.5", { ...base, priorWeight: 0.5 }],
      ["uniform weights", { ...base, weights: { kind: "uniform" } }],
    ]
    : [["hyperion", base]];

  const live = await python(problems, seeds, trials);
  console.log(
    `\n${seeds} seeds × ${trials} trials, median best value (mean in parentheses)\n`,
  );
  console.log(
    `| problem | optimum | ${
      configs.map(([n]) => n).join(" | ")
    } | Optuna 5.0 TPE (anchor) | Optuna 5.0 TPE mv (anchor) |${
      live ? " Optuna 5.0 TPE (this run) | Optuna 5.0 TPE mv (this run) |" : ""
    }`,
  );
  console.log(`|---|---|${configs.map(() => "---").join("|")}|---|---|${live ? "---|---|" : ""}`);
  for (const p of problems) {
    const cells: string[] = [];
    for (const [name, cfg] of configs) {
      const r = await quality(p, cfg, seeds, trials);
      console.error(JSON.stringify({ bench: "tpe_quality", problem: p.name, config: name, ...r }));
      cells.push(`${r.median.toFixed(4)} (${r.mean.toFixed(4)})`);
    }
    const [uni, mv] = ANCHORS[p.name] ?? [NaN, NaN];
    const liveCells = live
      ? ` ${live[p.name]?.toFixed(4)} | ${live[`${p.name}-mv`]?.toFixed(4)} |`
      : "";
    console.log(
      `| ${p.name} | ${p.optimum} | ${cells.join(" | ")} | ${uni.toFixed(4)} | ${
        mv.toFixed(4)
      } |${liveCells}`,
    );
  }
}

// a script: `deno bench` imports bench/ files, which must not start the run
if (import.meta.main) await main();
