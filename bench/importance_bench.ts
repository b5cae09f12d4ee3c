/**
 * Importance benchmark: the time of one `getParamImportances` per evaluator on a random study
 * of 5 float parameters (2 that matter), next to Python Optuna 5.0's `get_param_importances`
 * on the same trials in the same run (built with `optuna.create_trial`, in-memory storage).
 *
 *     deno run -A bench/importance_bench.ts [--trials=200,1000] [--reps=2]
 *                                          [--python=.venv-optuna/bin/python] [--no-python]
 *
 * Each measurement is repeated `--reps` times, alternating Hyperion and Optuna; the table gives
 * the fastest of each (noise only adds time). Python needs scikit-learn for fANOVA and MDI.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { floatDistribution, type FrozenTrial, getOrThrow } from "../mod.ts";
import {
  evaluateImportances,
  fanovaEvaluator,
  type ImportanceEvaluator,
  meanDecreaseImpurityEvaluator,
  pedAnovaEvaluator,
} from "../lib/importance/mod.ts";
import { rngFromSeed, uniform } from "../lib/random/rng.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    trials: { type: "string", default: "200,1000" },
    reps: { type: "string", default: "2" },
    python: {
      type: "string",
      default: new URL("../.venv-optuna/bin/python", import.meta.url).pathname,
    },
    "no-python": { type: "boolean", default: false },
  },
});

const NAMES = ["a", "b", "c", "d", "e"];
const U = getOrThrow(floatDistribution(0, 1));

function study(n: number): FrozenTrial[] {
  const rng = rngFromSeed(n);
  return Array.from({ length: n }, (_, i) => {
    const p = Object.fromEntries(NAMES.map((k) => [k, uniform(rng)])) as Record<string, number>;
    const v = 8 * (p.b! - 0.4) ** 2 + 3 * Math.abs(p.d! - 0.7) + 0.02 * (p.a! + p.c! + p.e!);
    return {
      number: i,
      trialId: i,
      state: "COMPLETE",
      values: [v],
      params: p,
      distributions: Object.fromEntries(NAMES.map((k) => [k, U])),
      intermediateValues: {},
      userAttrs: {},
      systemAttrs: {},
      datetimeStart: 0,
      datetimeComplete: 0,
    };
  });
}

const EVALUATORS: ReadonlyArray<[string, ImportanceEvaluator]> = [
  ["pedAnova", pedAnovaEvaluator()],
  ["fanova", fanovaEvaluator()],
  ["meanDecreaseImpurity", meanDecreaseImpurityEvaluator()],
];

const PY = `
import json, sys, time, warnings
import optuna
from optuna.distributions import FloatDistribution
from optuna.importance import *
warnings.filterwarnings("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)
rows = json.load(sys.stdin)
study = optuna.create_study()
study.add_trials([optuna.create_trial(params=r, distributions={k: FloatDistribution(0, 1) for k in r}, value=v) for r, v in rows])
out = {}
for name, ev in [("pedAnova", PedAnovaImportanceEvaluator()), ("fanova", FanovaImportanceEvaluator(seed=0)), ("meanDecreaseImpurity", MeanDecreaseImpurityImportanceEvaluator(seed=0))]:
    t = time.perf_counter()
    get_param_importances(study, evaluator=ev)
    out[name] = (time.perf_counter() - t) * 1000
print(json.dumps(out))
`;

async function optuna(trials: FrozenTrial[]): Promise<Record<string, number> | undefined> {
  if (args["no-python"]) return undefined;
  try {
    const child = new Deno.Command(args.python!, {
      args: ["-c", PY],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(
      new TextEncoder().encode(JSON.stringify(trials.map((t) => [t.params, t.values![0]]))),
    );
    await w.close();
    const out = await child.output();
    if (!out.success) {
      console.error(new TextDecoder().decode(out.stderr).split("\n").slice(-3).join("\n"));
      return undefined;
    }
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } catch (e) {
    console.error(`Optuna skipped: ${e}`);
    return undefined;
  }
}

function ours(trials: FrozenTrial[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, evaluator] of EVALUATORS) {
    const t0 = performance.now();
    getOrThrow(evaluateImportances({ trials, directions: ["minimize"] }, { evaluator }));
    out[name] = performance.now() - t0;
  }
  return out;
}

const rows: string[] = [
  "| trials | evaluator | Hyperion ms | Optuna 5.0 ms |",
  "| --- | --- | --- | --- |",
];
for (const n of args.trials!.split(",").map(Number)) {
  const trials = study(n);
  const best: Record<string, [number, number]> = {};
  for (let r = 0; r < Number(args.reps); r++) {
    const h = ours(trials), o = await optuna(trials);
    console.log(JSON.stringify({ trials: n, rep: r, hyperion: h, optuna: o ?? null }));
    for (const [name] of EVALUATORS) {
      const [bh, bo] = best[name] ?? [Infinity, Infinity];
      best[name] = [Math.min(bh, h[name]!), Math.min(bo, o?.[name] ?? Infinity)];
    }
  }
  for (const [name, [h, o]] of Object.entries(best)) {
    rows.push(`| ${n} | ${name} | ${h.toFixed(0)} | ${Number.isFinite(o) ? o.toFixed(0) : "-"} |`);
  }
}
console.log(rows.join("\n"));
