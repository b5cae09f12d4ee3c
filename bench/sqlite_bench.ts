/**
 * SQLite storage throughput, side by side with Python Optuna 5.0's SQLite storage on the same
 * work (`../shared/bench/anchor_optuna.py sqlite`): the random sampler, 300 trials of the
 * 10-parameter overhead space with 5 `report` calls each, on a fresh database file.
 *
 * Run the comparison with `deno run -A bench/sqlite_bench.ts`: it runs each sampler three times
 * (the median counts) and then the anchor script with `.venv-optuna/bin/python`, and prints
 * trials per second for both and their ratio. Options: `--sampler random|tpe|both` (default
 * both; the target is set for random), `--trials N` (default 300), `--runs N` (default 3),
 * `--no-python`. Under `deno bench` only the small `Deno.bench` case below runs.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  categorical,
  createStudy,
  float,
  int,
  optimize,
  randomSampler,
  report,
  runOrThrow,
  type Sampler,
  type Storage,
  suggest,
  tpeSampler,
  type Trial,
} from "../mod.ts";
import { sqliteStorage } from "../lib/storage/rdb/sqlite.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const ANCHOR = join(REPO, "..", "shared", "bench", "anchor_optuna.py");
const PYTHON = join(REPO, ".venv-optuna", "bin", "python");

// the anchor's `overhead_space` (problems.json), as a typed space
const SPACE = {
  f0: float(-10, 10),
  f1: float(-10, 10),
  f2: float(-10, 10),
  f3: float(-10, 10),
  lr: float(1e-5, 1, { log: true }),
  i0: int(0, 100),
  i1: int(1, 1024, { log: true }),
  i2: int(0, 10),
  c0: categorical(["a", "bb", "ccc"]),
  c1: categorical(["x", "yy", "zzz", "wwww", "vvvvv"]),
} as const;

function objective(trial: Trial) {
  return async () => {
    const v = await suggest(trial, SPACE)();
    if (v._tag === "Left") return v;
    for (let step = 0; step < 5; step++) {
      const r = await report(trial, step, step)();
      if (r._tag === "Left") return r;
    }
    let sum = 0;
    for (const x of Object.values(v.right)) {
      sum += (typeof x === "number" ? x : String(x).length) ** 2;
    }
    return { _tag: "Right" as const, right: sum };
  };
}

type SamplerName = "random" | "tpe";

const SAMPLERS: Readonly<Record<SamplerName, () => Sampler>> = {
  random: () => randomSampler({ seed: 0 }),
  tpe: () => tpeSampler({ seed: 0 }),
};

/** Runs `nTrials` trials on a fresh file; returns the seconds `optimize` took. */
async function hyperionRun(nTrials: number, sampler: SamplerName = "random"): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-sqlite-bench-" });
  const storage: Storage = await runOrThrow(sqliteStorage(join(dir, "a.db")));
  try {
    const study = await runOrThrow(
      createStudy({ storage, studyName: "bench", sampler: SAMPLERS[sampler]() }),
    );
    const t0 = performance.now();
    await runOrThrow(optimize(study, objective, { nTrials }));
    return (performance.now() - t0) / 1000;
  } finally {
    await runOrThrow(storage.close());
    await Deno.remove(dir, { recursive: true });
  }
}

interface AnchorLine {
  readonly bench: string;
  readonly sampler: string;
  readonly n_trials: number;
  readonly total_s: number;
  readonly trials_per_s: number;
}

/** Python Optuna 5.0 on the same work, through the shared anchor script (random and TPE). */
async function optunaRun(): Promise<ReadonlyArray<AnchorLine> | string> {
  if (!existsSync(PYTHON)) return `no Python Optuna at ${PYTHON}`;
  if (!existsSync(ANCHOR)) return `no anchor script at ${ANCHOR}`;
  const out = await new Deno.Command(PYTHON, { args: [ANCHOR, "sqlite"], stderr: "piped" })
    .output();
  if (!out.success) return `the anchor failed: ${new TextDecoder().decode(out.stderr).trim()}`;
  return new TextDecoder().decode(out.stdout).trim().split("\n")
    .map((l) => JSON.parse(l) as AnchorLine)
    .filter((l) => l.bench === "sqlite");
}

if (import.meta.main) {
  const args = parseArgs({
    args: Deno.args,
    options: {
      "no-python": { type: "boolean" },
      trials: { type: "string" },
      runs: { type: "string" },
      sampler: { type: "string" },
    },
  });
  const nTrials = Number(args.values.trials ?? 300);
  const runs = Number(args.values.runs ?? 3);
  const which = args.values.sampler ?? "both";
  const samplers: ReadonlyArray<SamplerName> = which === "both"
    ? ["random", "tpe"]
    : [which as SamplerName];
  const ours = new Map<SamplerName, number>();
  for (const sampler of samplers) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await hyperionRun(nTrials, sampler));
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    ours.set(sampler, nTrials / median);
    console.log(JSON.stringify({
      bench: "sqlite",
      impl: "hyperion",
      sampler,
      n_trials: nTrials,
      reports_per_trial: 5,
      runs_s: times.map((t) => Number(t.toFixed(3))),
      first_run_trials_per_s: Number((nTrials / (times[0] as number)).toFixed(1)),
      trials_per_s: Number((nTrials / median).toFixed(1)),
    }));
  }
  if (!args.values["no-python"]) {
    const anchor = await optunaRun();
    if (typeof anchor === "string") {
      console.log(`Python Optuna 5.0 not measured: ${anchor}`);
    } else {
      for (const line of anchor) console.log(JSON.stringify({ ...line, impl: "optuna-5.0" }));
      for (const sampler of samplers) {
        const theirs = anchor.find((l) => l.sampler === sampler);
        const mine = ours.get(sampler) as number;
        if (theirs === undefined) continue;
        console.log(
          `SQLite, ${nTrials} trials x 5 reports, ${sampler} sampler: hyperion ${
            mine.toFixed(1)
          } ` +
            `trials/s, Optuna 5.0 ${theirs.trials_per_s} trials/s (${theirs.n_trials} trials), ` +
            `ratio ${(mine / theirs.trials_per_s).toFixed(1)}x` +
            (sampler === "random" ? " (target >= 20x)" : ""),
        );
      }
    }
  }
}

Deno.bench("sqlite: 50 trials x 5 reports, random sampler, on a file", async () => {
  await hyperionRun(50);
});
