/**
 * Multi-objective TPE overhead benchmark: per-trial cost of `tpeSampler({ seed: 0 })` on a
 * study with 2 (and 3) objectives and 5 parameters (three floats, one of them log-scaled, an
 * int and a categorical; cheap objectives, in-memory storage), next to Python Optuna 5.0's
 * `TPESampler(seed=0)` running the same study in the same run.
 *
 *     deno run -A bench/mo_tpe_overhead.ts [--objectives=2,3] [--trials=500] [--reps=3]
 *                                          [--python=.venv-optuna/bin/python] [--no-python]
 *
 * For each number of objectives, both libraries run `--trials` trials from scratch (TPE's
 * default for several objectives: independent sampling, uniform weights of the good trials);
 * the figure is the mean time per trial of the last 100 (sampling, the objective and the
 * storage: the sampler is nearly all of it), wall-clock and CPU time of each process (CPU
 * time, from `/proc/self/stat` and Python's `process_time`, is the steadier figure on a
 * loaded machine; Hyperion's includes its GC and compiler threads). Timings on shared machines drift by tens of
 * percent within minutes, so each measurement is repeated `--reps` times, alternating Hyperion
 * and Optuna, and the table gives the fastest of each (noise only ever adds time); the JSON
 * lines list every repetition.
 *
 * @module
 */
import {
  createStudy,
  type Direction,
  optimize,
  runOrThrow,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tpeSampler,
  type Trial,
} from "../mod.ts";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    objectives: { type: "string", default: "2,3" },
    trials: { type: "string", default: "500" },
    python: {
      type: "string",
      default: new URL("../.venv-optuna/bin/python", import.meta.url).pathname,
    },
    "no-python": { type: "boolean", default: false },
    reps: { type: "string", default: "3" },
  },
});

/** The objectives: conflicting quadratics of the five parameters (the same in Python). */
function values(
  x: number,
  y: number,
  lr: number,
  n: number,
  c: string,
  k: number,
): number[] {
  const cat = c === "a" ? 0 : c === "b" ? 0.5 : 1;
  const l = Math.log10(lr);
  const all = [
    x * x + (y - 0.2) ** 2 + 0.1 * n + cat,
    (x - 2) ** 2 + (y - 0.8) ** 2 + 0.1 * (10 - n) + (1 - cat),
    (x + 1) ** 2 + (l + 2) ** 2 + y,
  ];
  return all.slice(0, k);
}

const objective = (k: number) => (trial: Trial) => async () => {
  try {
    const x = await runOrThrow(suggestFloat(trial, "x", -5, 5));
    const y = await runOrThrow(suggestFloat(trial, "y", 0, 1));
    const lr = await runOrThrow(suggestFloat(trial, "lr", 1e-4, 1, { log: true }));
    const n = await runOrThrow(suggestInt(trial, "n", 1, 10));
    const c = await runOrThrow(suggestCategorical(trial, "c", ["a", "b", "c"]));
    return { _tag: "Right" as const, right: values(x, y, lr, n, String(c), k) };
  } catch (left) {
    return { _tag: "Left" as const, left };
  }
};

/**
 * CPU time of this process in ms (all its threads, from `/proc/self/stat`; `NaN` elsewhere).
 * On a loaded machine wall-clock time mostly measures the other processes: CPU time is the
 * steadier figure.
 */
function cpuMs(): number {
  try {
    const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks * 10; // USER_HZ = 100 on Linux
  } catch {
    return NaN;
  }
}

/** Wall-clock and CPU ms/trial per block of 100. */
interface Blocks {
  readonly blocks: number[];
  readonly cpu: number[];
}

/** Runs `n` trials with `k` objectives; returns ms/trial per block of 100. */
async function hyperionRun(n: number, k: number): Promise<Blocks> {
  const directions: Direction[] = Array.from({ length: k }, () => "minimize");
  const study = await runOrThrow(createStudy({ sampler: tpeSampler({ seed: 0 }), directions }));
  const blocks: number[] = [], cpu: number[] = [];
  for (let done = 0; done < n; done += 100) {
    const size = Math.min(100, n - done);
    const t0 = performance.now(), c0 = cpuMs();
    await runOrThrow(optimize(study, objective(k), { nTrials: size }));
    blocks.push((performance.now() - t0) / size);
    cpu.push((cpuMs() - c0) / size);
  }
  return { blocks, cpu };
}

const PYTHON = String.raw`
import json, math, sys, time
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
cfg = json.load(open(sys.argv[1]))
k = cfg["k"]
def obj(t):
    x = t.suggest_float("x", -5, 5)
    y = t.suggest_float("y", 0, 1)
    lr = t.suggest_float("lr", 1e-4, 1, log=True)
    n = t.suggest_int("n", 1, 10)
    c = t.suggest_categorical("c", ["a", "b", "c"])
    cat = 0 if c == "a" else 0.5 if c == "b" else 1
    l = math.log10(lr)
    vals = [
        x * x + (y - 0.2) ** 2 + 0.1 * n + cat,
        (x - 2) ** 2 + (y - 0.8) ** 2 + 0.1 * (10 - n) + (1 - cat),
        (x + 1) ** 2 + (l + 2) ** 2 + y,
    ]
    return tuple(vals[:k])
study = optuna.create_study(
    sampler=optuna.samplers.TPESampler(seed=0), directions=["minimize"] * k
)
blocks = []
cpu = []
for _ in range(cfg["n"] // 100):
    t0 = time.perf_counter()
    c0 = time.process_time()
    study.optimize(obj, n_trials=100)
    blocks.append((time.perf_counter() - t0) / 100 * 1000)
    cpu.append((time.process_time() - c0) / 100 * 1000)
print(json.dumps({"blocks": blocks, "cpu": cpu, "version": optuna.__version__}))
`;
import { runPythonScript } from "./_python.ts";

function python(cfg: unknown): Promise<Blocks | undefined> {
  if (args["no-python"]) return Promise.resolve(undefined);
  return runPythonScript<Blocks>(args.python!, PYTHON, cfg);
}

async function main(): Promise<void> {
  const fmt = (x: number | undefined) => x === undefined ? "—" : x.toFixed(3);
  const reps = Math.max(1, Number(args.reps));
  const n = Number(args.trials);
  const rows: string[] = [];
  for (const k of args.objectives!.split(",").map(Number)) {
    const oursMs: number[] = [], theirsMs: number[] = [];
    const oursCpu: number[] = [], theirsCpu: number[] = [];
    for (let r = 0; r < reps; r++) {
      // alternate the two samplers so that a slow spell of the machine hits both
      const ours = await hyperionRun(n, k);
      oursMs.push(ours.blocks[ours.blocks.length - 1]!);
      oursCpu.push(ours.cpu[ours.cpu.length - 1]!);
      console.log(JSON.stringify({
        bench: "mo_tpe_overhead",
        sampler: "hyperion-tpe",
        objectives: k,
        n_trials: n,
        ms_per_trial_by_100: ours.blocks.map((b) => +b.toFixed(3)),
        cpu_ms_per_trial_by_100: ours.cpu.map((b) => +b.toFixed(3)),
      }));
      const py = await python({ k, n });
      if (py) {
        theirsMs.push(py.blocks[py.blocks.length - 1]!);
        theirsCpu.push(py.cpu[py.cpu.length - 1]!);
        console.log(JSON.stringify({
          bench: "mo_tpe_overhead",
          sampler: "optuna-tpe",
          objectives: k,
          n_trials: n,
          ms_per_trial_by_100: py.blocks.map((b) => +b.toFixed(3)),
          cpu_ms_per_trial_by_100: py.cpu.map((b) => +b.toFixed(3)),
        }));
      }
    }
    const best = (xs: number[]) => xs.length === 0 ? undefined : Math.min(...xs);
    const oursBest = best(oursMs)!, theirs = best(theirsMs);
    const oursC = best(oursCpu)!, theirsC = best(theirsCpu);
    console.log(JSON.stringify({
      bench: "mo_tpe_overhead",
      objectives: k,
      n_trials: n,
      hyperion_ms: oursMs.map((x) => +x.toFixed(3)),
      optuna_ms: theirsMs.map((x) => +x.toFixed(3)),
      hyperion_cpu_ms: oursCpu.map((x) => +x.toFixed(3)),
      optuna_cpu_ms: theirsCpu.map((x) => +x.toFixed(3)),
    }));
    const ratio = (a: number | undefined, b: number) =>
      a === undefined ? "—" : (a / b).toFixed(1) + "×";
    rows.push(
      `| ${k} | ${n} | ${fmt(oursBest)} | ${fmt(theirs)} | ${ratio(theirs, oursBest)} | ${
        fmt(oursC)
      } | ${fmt(theirsC)} | ${ratio(theirsC, oursC)} |`,
    );
  }
  console.log(
    `\n| objectives | trials | Hyperion ms/trial (last 100, best of ${reps}) | Optuna 5.0 ms/trial (best of ${reps}) | ratio | Hyperion CPU ms/trial | Optuna CPU ms/trial | CPU ratio |`,
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
}

// a script: `deno bench` imports bench/ files, which must not start the run
if (import.meta.main) await main();
