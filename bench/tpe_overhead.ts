/**
 * TPE overhead benchmark: per-trial cost of the sampler on the `overhead_space` of
 * `../shared/bench/problems.json` (10 mixed parameters, trivial objective, in-memory storage),
 * next to Python Optuna 5.0's `TPESampler(seed=0)` run on the same work in the same run.
 *
 *     deno run -A bench/tpe_overhead.ts [--trials=1000,10000] [--python=.venv-optuna/bin/python]
 *                                       [--reps=3] [--full-python] [--no-python]
 *
 * For each size N: Hyperion runs N trials; the figure is the mean time per trial of the last
 * 100. Optuna runs the same N trials for N ≤ 1000. For larger N (unless `--full-python`, which
 * takes a long time) both samplers start from the same history — the first N − 100 trials of
 * Hyperion's run, added as finished trials — each in a fresh process, run 50 untimed trials on
 * it (the last 100 trials of a real run follow others: Hyperion builds its incremental models
 * from the history in the first one, a one-time cost printed as `hyperion_first_trial_ms`, and
 * its JIT warms up), then time 100 more TPE trials, so the comparison is on identical work.
 *
 * Timings on shared machines drift by tens of percent within minutes, so each measurement is
 * repeated `--reps` times, alternating Hyperion and Optuna, and the table gives the fastest of
 * each (noise only ever adds time); the JSON lines list every repetition. Prints one JSON
 * object per line and a summary table.
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
    reps: { type: "string", default: "3" },
    "history-worker": { type: "string" },
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

/**
 * Times 100 TPE trials on top of a prefilled history, after {@link WARMUP} untimed ones (as in
 * the last 100 trials of a real run, the sampler's models are then built and its code warm).
 * Returns the first trial's time and the mean of the 100.
 */
async function hyperionOnHistory(
  history: ReadonlyArray<HistoryTrial>,
): Promise<{ readonly first: number; readonly perTrial: number }> {
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
  await runOrThrow(optimize(study, run, { nTrials: 1 }));
  const firstMs = performance.now() - t0;
  await runOrThrow(optimize(study, run, { nTrials: WARMUP - 1 }));
  const t1 = performance.now();
  await runOrThrow(optimize(study, run, { nTrials: 100 }));
  return { first: firstMs, perTrial: (performance.now() - t1) / 100 };
}

/** Untimed trials on a loaded history before the 100 timed ones (both samplers). */
const WARMUP = 50;

/**
 * {@link hyperionOnHistory} in a fresh process (the history read from `file`), so that the
 * heap and caches left by the earlier full run do not weigh on it; as Optuna's runs.
 */
async function hyperionOnHistoryProcess(
  file: string,
): Promise<{ readonly first: number; readonly perTrial: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, `--history-worker=${file}`],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("the Hyperion history run failed");
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
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
    study.optimize(obj, n_trials=cfg["warmup"])  # untimed, as on the Hyperion side
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
import { runPythonScript } from "./_python.ts";

function python(cfg: unknown): Promise<{ blocks: number[] } | undefined> {
  if (args["no-python"]) return Promise.resolve(undefined);
  return runPythonScript<{ blocks: number[] }>(args.python!, PYTHON, cfg);
}

async function main(): Promise<void> {
  const fmt = (x: number | undefined) => x === undefined ? "—" : x.toFixed(3);
  const reps = Math.max(1, Number(args.reps));
  const rows: string[] = [];
  for (const n of args.trials!.split(",").map(Number)) {
    const ours = await hyperionRun(n);
    console.log(JSON.stringify({
      bench: "tpe_overhead",
      sampler: "hyperion-tpe",
      n_trials: n,
      ms_per_trial_by_100: ours.blocks.map((b) => +b.toFixed(3)),
    }));
    const full = n <= 1000 || args["full-python"];
    const method = full ? "full run" : `100 trials after the same ${n - 100}-trial history`;
    const history = ours.history.slice(0, n - 100);
    const historyFile = full ? "" : await Deno.makeTempFile({ suffix: ".json" });
    if (!full) await Deno.writeTextFile(historyFile, JSON.stringify(history));
    const oursMs: number[] = [], theirsMs: number[] = [], firstMs: number[] = [];
    for (let r = 0; r < reps; r++) {
      // alternate the two samplers so that a slow spell of the machine hits both
      if (full) {
        const again = r === 0 ? ours : await hyperionRun(n);
        oursMs.push(again.blocks[again.blocks.length - 1]!);
        const py = await python({ space, n });
        if (py) theirsMs.push(py.blocks[py.blocks.length - 1]!);
      } else {
        const h = await hyperionOnHistoryProcess(historyFile);
        oursMs.push(h.perTrial);
        firstMs.push(h.first);
        const py = await python({ space, history, warmup: WARMUP });
        if (py) theirsMs.push(py.blocks[0]!);
      }
    }
    if (!full) await Deno.remove(historyFile);
    const best = (xs: number[]) => xs.length === 0 ? undefined : Math.min(...xs);
    const oursBest = best(oursMs)!, theirs = best(theirsMs);
    console.log(JSON.stringify({
      bench: "tpe_overhead",
      n_trials: n,
      method,
      hyperion_ms: oursMs.map((x) => +x.toFixed(3)),
      ...(full ? {} : { hyperion_first_trial_ms: firstMs.map((x) => +x.toFixed(1)) }),
      optuna_ms: theirsMs.map((x) => +x.toFixed(3)),
    }));
    rows.push(
      `| ${n} | ${method} | ${fmt(oursBest)} | ${fmt(theirs)} | ${
        theirs === undefined ? "—" : (theirs / oursBest).toFixed(1) + "×"
      } |`,
    );
  }
  console.log(
    `\n| trials | method | Hyperion ms/trial (last 100, best of ${reps}) | Optuna 5.0 ms/trial (best of ${reps}) | ratio |`,
  );
  console.log("|---|---|---|---|---|");
  for (const r of rows) console.log(r);
}

// a script: `deno bench` imports bench/ files, which must not start the run
if (import.meta.main) {
  const worker = args["history-worker"];
  if (worker) {
    console.log(
      JSON.stringify(await hyperionOnHistory(JSON.parse(await Deno.readTextFile(worker)))),
    );
  } else await main();
}
