/**
 * The journal storage against Python Optuna 5.0's `JournalStorage(JournalFileBackend)` in the
 * same run:
 *
 * 1. trials per second with 1, 4 and 8 worker processes on one study in one journal file: the
 *    random sampler, three parameters (a float, a log-scale int, a categorical) and five
 *    `report` calls per trial, a trivial objective, so the figures measure the storage and the
 *    library around it. Each configuration gets a fresh journal; its workers start together at
 *    a common instant; the figure is total trials / the slowest worker's time in `optimize`.
 * 2. the time to open a 10,000-trial journal and read every trial: ours replaying the log,
 *    ours from a snapshot, and Optuna's (best of three, in-process times without start-up).
 *
 * Hyperion runs `bench/journal_worker.ts` twice per configuration: with its default (no `fsync`
 * per append) and with `fsync: true`, Optuna's behaviour.
 *
 * Run with `deno run -A bench/journal_bench.ts`; options: `--trials N` trials per
 * configuration (default 240, split over the workers), `--workers 1,4,8`, `--load-trials N`
 * (default 10000), `--repeat N` (default 1), `--no-python`. Python Optuna runs
 * `bench/journal_optuna.py` with `.venv-optuna/bin/python`. Under `deno bench` nothing runs.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createStudy, runOrThrow } from "../mod.ts";
import { encodeLog, formatIso, OP } from "../lib/storage/journal/_format.ts";
import { journalFileBackend } from "../lib/storage/journal/backend.ts";
import { journalStorage } from "../lib/storage/journal/journal.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const DENO_WORKER = join(REPO, "bench", "journal_worker.ts");
const PY_SCRIPT = join(REPO, "bench", "journal_optuna.py");
const PYTHON = join(REPO, ".venv-optuna", "bin", "python");

type Library = "hyperion" | "hyperion-fsync" | "optuna";

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function spawn(cmd: string, args: ReadonlyArray<string>, startAt = 0): Promise<Outcome> {
  const o = await new Deno.Command(cmd, {
    args: [...args],
    env: { START_AT: String(startAt), NO_COLOR: "1", PYTHONWARNINGS: "ignore" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: o.code, stdout: text.decode(o.stdout), stderr: text.decode(o.stderr) };
}

function lastJson<T>(o: Outcome, what: string): T {
  if (o.code !== 0) throw new Error(`${what} failed:\n${o.stderr}\n${o.stdout}`);
  const lines = o.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as T;
}

// -------------------------------------------------------------------------------------
// 1. trials per second
// -------------------------------------------------------------------------------------

async function throughput(library: Library, workers: number, trials: number): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-journal-bench-" });
  try {
    const path = join(dir, "bench.log");
    // the study is created here for both libraries (the same journal format)
    const storage = await runOrThrow(journalStorage(journalFileBackend(path)));
    await runOrThrow(createStudy({ storage, studyName: "bench" }));
    await runOrThrow(storage.close());
    const each = Math.ceil(trials / workers);
    const startAt = Date.now() + (library === "optuna" ? 5000 : 2000) + 500 * workers;
    const outcomes = await Promise.all(
      Array.from({ length: workers }, () =>
        library !== "optuna"
          ? spawn(Deno.execPath(), [
            "run",
            "-A",
            DENO_WORKER,
            path,
            "bench",
            String(each),
            library === "hyperion-fsync" ? "fsync" : "",
          ], startAt)
          : spawn(PYTHON, [PY_SCRIPT, "worker", path, "bench", String(each)], startAt)),
    );
    const slowest = Math.max(
      ...outcomes.map((o) => lastJson<{ seconds: number }>(o, `${library} worker`).seconds),
    );
    return (each * workers) / slowest;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// -------------------------------------------------------------------------------------
// 2. loading a long journal
// -------------------------------------------------------------------------------------

/** A journal of `n` finished trials (3 params, 5 reports each) as Optuna's workers write it. */
async function writeLongJournal(path: string, n: number): Promise<void> {
  const w = "bench-worker";
  const float =
    '{"name": "FloatDistribution", "attributes": {"step": null, "low": -5.0, "high": 5.0, "log": false}}';
  const int =
    '{"name": "IntDistribution", "attributes": {"log": true, "step": 1, "low": 1, "high": 9}}';
  const cat = '{"name": "CategoricalDistribution", "attributes": {"choices": ["a", 2, null]}}';
  const lines = [
    encodeLog({ op_code: OP.CREATE_STUDY, worker_id: w, study_name: "bench", directions: [1] }),
  ];
  const t0 = Date.UTC(2026, 0, 1);
  const param = (i: number, name: string, v: number, d: string) =>
    encodeLog({
      op_code: OP.SET_TRIAL_PARAM,
      worker_id: w,
      trial_id: i,
      param_name: name,
      param_value_internal: v,
      distribution: d,
    });
  for (let i = 0; i < n; i++) {
    const start = formatIso(t0 + i * 10);
    lines.push(
      encodeLog({ op_code: OP.CREATE_TRIAL, worker_id: w, study_id: 0, datetime_start: start }),
    );
    lines.push(param(i, "x", 5 * Math.sin(i), float), param(i, "n", 1 + (i % 9), int));
    lines.push(param(i, "c", i % 3, cat));
    for (let step = 0; step < 5; step++) {
      lines.push(encodeLog({
        op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE,
        worker_id: w,
        trial_id: i,
        step,
        intermediate_value: Math.cos(i + step),
      }));
    }
    lines.push(encodeLog({
      op_code: OP.SET_TRIAL_STATE_VALUES,
      worker_id: w,
      trial_id: i,
      state: 1,
      values: [Math.sin(i) ** 2],
      datetime_complete: formatIso(t0 + i * 10 + 5),
    }));
  }
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

async function loadOurs(path: string, snapshot: boolean): Promise<number> {
  const started = performance.now();
  const storage = await runOrThrow(journalStorage(journalFileBackend(path, { snapshot })));
  for (const s of await runOrThrow(storage.listStudies())) {
    await runOrThrow(storage.getAllTrials(s.studyId));
  }
  const ms = performance.now() - started;
  await runOrThrow(storage.close());
  return ms;
}

async function loadTimes(n: number, python: boolean): Promise<Record<string, number>> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-journal-load-" });
  try {
    const path = join(dir, "long.log");
    await writeLongJournal(path, n);
    const best = async (f: () => Promise<number>) => {
      let min = Infinity;
      for (let i = 0; i < 3; i++) min = Math.min(min, await f());
      return min;
    };
    const out: Record<string, number> = {};
    out["hyperion (replay)"] = await best(() => loadOurs(path, false));
    await loadOurs(path, true); // writes the snapshot on close
    out["hyperion (snapshot)"] = await best(() => loadOurs(path, true));
    if (python) {
      out["optuna"] = await best(async () =>
        1000 * lastJson<{ seconds: number }>(await spawn(PYTHON, [PY_SCRIPT, "load", path]), "load")
          .seconds
      );
    }
    out["journal MB"] = (await Deno.stat(path)).size / 1e6;
    return out;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// -------------------------------------------------------------------------------------
// main
// -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      trials: { type: "string", default: "240" },
      workers: { type: "string", default: "1,4,8" },
      "load-trials": { type: "string", default: "10000" },
      repeat: { type: "string", default: "1" },
      "no-python": { type: "boolean", default: false },
    },
  });
  const python = !values["no-python"] && existsSync(PYTHON);
  if (!python) console.log(`Python Optuna skipped (${PYTHON} missing or --no-python)`);
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ")[0];
  console.log(`machine: ${navigator.hardwareConcurrency} cores, load average ${load}`);
  console.log("\ntrials per second (one study, one journal file, random sampler, 5 reports/trial)");
  console.log("Optuna fsyncs every append; Hyperion by default does not (option fsync: true)");
  console.log("workers | hyperion | hyperion fsync | optuna | ratio | ratio fsync");
  const f = (x: number, w: number) => x.toFixed(1).padStart(w);
  for (const w of values.workers.split(",").map(Number)) {
    for (let r = 0; r < Number(values.repeat); r++) {
      const trials = Number(values.trials);
      const ours = await throughput("hyperion", w, trials);
      const synced = await throughput("hyperion-fsync", w, trials);
      const theirs = python ? await throughput("optuna", w, trials) : NaN;
      console.log(
        `${String(w).padStart(7)} | ${f(ours, 8)} | ${f(synced, 14)} | ${f(theirs, 6)} | ${
          f(ours / theirs, 4)
        }x | ${f(synced / theirs, 10)}x`,
      );
    }
  }
  const n = Number(values["load-trials"]);
  console.log(`\nopening a ${n}-trial journal and reading every trial (ms, best of 3)`);
  for (const [k, v] of Object.entries(await loadTimes(n, python))) {
    console.log(`${k.padEnd(20)} ${v.toFixed(1)}`);
  }
}

if (import.meta.main) await main();
