/**
 * TPE overhead benchmark: per-trial cost of the sampler on the `overhead_space` of
 * `../shared/bench/problems.json` (10 mixed parameters, trivial objective, in-memory storage),
 * next to Python Optuna 5.0's `TPESampler(seed=0)` run on the same work in the same run.
 *
 *     deno run -A bench/tpe_overhead.ts [--trials=1000,10000] [--python=.venv-optuna/bin/python]
 *                                       [--full-python] [--no-python]
 *
 * For each size N: Hyperion runs N trials; the figure is the mean time per trial of the last
 * 100. Optuna runs the same N trials for N ≤ 1000. For larger N (unless `--full-python`, which
 * takes a long time) both samplers start from the same history — the first N − 100 trials of
 * Hyperion's run, added as finished trials — and time 100 more TPE trials on top of it, so the
 * comparison is on identical work. Prints one JSON object per line and a summary table.
 *
 * @module
 */
import {
  createStudy,
  type Distribution,
  getOrThrow,
  getTrials,
  optimize,
  type ParamValue,
  runOrThrow,
  tpeSampler,
  type Trial,
} from "../mod.ts";
import { parseArgs } from "node:util";
import { loadProblems, type ParamSpec, suggestAll } from "./_problems.ts";

const space: ReadonlyArray<ParamSpec> = loadProblems().overhead_space;

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    trials: { type: "string", default: "1000,10000" },
    python: {
      type: "string",
      default: new URL("../.venv-optuna/bin/python", import.meta.url).pathname,
    },
    "full-python": { type: "boolean", default: false },
    "no-python": { type: "boolean", default: false },
  },
});

async function objective(trial: Trial): Promise<number> {
  const x = await suggestAll(trial, space);
  let s = 0;
  for (const p of space) {
    const v = x[p.name]!;
    s += typeof v === "number" ? v * v : String(v).length ** 2;
  }
  return s;
}

const run = (t: Trial) => () =>
  objective(t).then((right) => ({ _tag: "Right" as const, right }), (left) => ({
    _tag: "Left" as const,
    left,
  }));

interface HistoryTrial {
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly value: number;
}

/** Runs `n` trials; returns ms/trial per block of 100 and the history. */
async function hyperionRun(n: number): Promise<{ blocks: number[]; history: HistoryTrial[] }> {
  const study = await runOrThrow(createStudy({ sampler: tpeSampler({ seed: 0 }) }));
  const blocks: number[] = [];
  for (let done = 0; done < n; done += 100) {
    const t0 = performance.now();
    await runOrThrow(optimize(study, run, { nTrials: Math.min(100, n - done) }));
    blocks.push((performance.now() - t0) / Math.min(100, n - done));
  }
  const trials = await runOrThrow(getTrials(study));
  return {
    blocks,
    history: trials.map((t) => ({ params: t.params, value: t.values![0]! })),
  };
}

/** Times 100 TPE trials on top of a prefilled history. */
async function hyperionOnHistory(history: ReadonlyArray<HistoryTrial>): Promise<number> {
  const study = await runOrThrow(createStudy({ sampler: tpeSampler({ seed: 0 }) }));
  const dists: Record<string, Distribution> = {};
  // the distributions exactly as the objective suggests them: take them from a first trial
  const probe = await runOrThrow(createStudy({ sampler: tpeSampler({ seed: 0 }) }));
  await runOrThrow(optimize(probe, run, { nTrials: 1 }));
  const first = (await runOrThrow(getTrials(probe)))[0]!;
  Object.assign(dists, first.distributions);
  for (const h of history) {
    getOrThrow(
      await study.storage.createTrial(study.studyId, {
        state: "COMPLETE",
        values: [h.value],
        params: h.params,
        distributions: dists,
      })(),
    );
  }
  const t0 = performance.now();
  await runOrThrow(optimize(study, run, { nTrials: 100 }));
  return (performance.now() - t0) / 100;
}

const PYTHON = String.raw`
import json, sys, time
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
cfg = json.load(open(sys.argv[1]))
space = cfg["space"]
def suggest(t):
    out = {}
    for p in space:
        if p["type"] == "float":
            out[p["name"]] = t.suggest_float(p["name"], p["low"], p["high"], log=p.get("log", False))
        elif p["type"] == "int":
            out[p["name"]] = t.suggest_int(p["name"], p["low"], p["high"], log=p.get("log", False))
        else:
            out[p["name"]] = t.suggest_categorical(p["name"], p["choices"])
    return out
def obj(t):
    v = suggest(t)
    return sum((x if isinstance(x, (int, float)) else len(x)) ** 2 for x in v.values())
study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
hist = cfg.get("history")
if hist:
    dists = {}
    probe = optuna.create_study()
    probe.optimize(obj, n_trials=1)
    dists = probe.trials[0].distributions
    study.add_trials([optuna.trial.create_trial(params=h["params"], distributions=dists, value=h["value"]) for h in hist])
    t0 = time.perf_counter()
    study.optimize(obj, n_trials=100)
    print(json.dumps({"blocks": [(time.perf_counter() - t0) / 100 * 1000]}))
else:
    blocks = []
    for _ in range(cfg["n"] // 100):
        t0 = time.perf_counter()
        study.optimize(obj, n_trials=100)
        blocks.append((time.perf_counter() - t0) / 100 * 1000)
    print(json.dumps({"blocks": blocks, "version": optuna.__version__}))
`;

async function python(cfg: unknown): Promise<{ blocks: number[] } | undefined> {
  if (args["no-python"]) return undefined;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/cfg.json`, JSON.stringify(cfg));
    await Deno.writeTextFile(`${dir}/run.py`, PYTHON);
    const out = await new Deno.Command(args.python!, {
      args: [`${dir}/run.py`, `${dir}/cfg.json`],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) {
      console.error(`Python run failed (${args.python}); skipping the Optuna column`);
      return undefined;
    }
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  } catch (e) {
    console.error(`Cannot run Python at ${args.python}: ${(e as Error).message}`);
    return undefined;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function main(): Promise<void> {
  const fmt = (x: number | undefined) => x === undefined ? "—" : x.toFixed(3);
  const rows: string[] = [];
  for (const n of args.trials!.split(",").map(Number)) {
    const ours = await hyperionRun(n);
    const last = ours.blocks[ours.blocks.length - 1]!;
    console.log(JSON.stringify({
      bench: "tpe_overhead",
      sampler: "hyperion-tpe",
      n_trials: n,
      ms_per_trial_by_100: ours.blocks.map((b) => +b.toFixed(3)),
    }));
    let theirs: number | undefined, oursSame = last, method = "full run";
    if (n <= 1000 || args["full-python"]) {
      const py = await python({ space, n });
      theirs = py?.blocks[py.blocks.length - 1];
      if (py) {
        console.log(JSON.stringify({
          bench: "tpe_overhead",
          sampler: "optuna-5.0-tpe",
          n_trials: n,
          ms_per_trial_by_100: py.blocks.map((b) => +b.toFixed(3)),
        }));
      }
    } else {
      method = `100 trials after the same ${n - 100}-trial history`;
      const history = ours.history.slice(0, n - 100);
      oursSame = await hyperionOnHistory(history);
      const py = await python({ space, history });
      theirs = py?.blocks[0];
      console.log(JSON.stringify({
        bench: "tpe_overhead",
        n_trials: n,
        method,
        hyperion_ms: +oursSame.toFixed(3),
        optuna_ms: theirs === undefined ? null : +theirs.toFixed(3),
      }));
    }
    rows.push(
      `| ${n} | ${method} | ${fmt(oursSame)} | ${fmt(theirs)} | ${
        theirs === undefined ? "—" : (theirs / oursSame).toFixed(1) + "×"
      } |`,
    );
  }
  console.log("\n| trials | method | Hyperion ms/trial (last 100) | Optuna 5.0 ms/trial | ratio |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) console.log(r);
}

// a script: `deno bench` imports bench/ files, which must not start the run
if (import.meta.main) await main();
