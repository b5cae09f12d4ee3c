/**
 * How the storages' cost grows with the study, beside Python Optuna 5.0's on the same work:
 *
 * - CPU ms per trial (random sampler, 4 parameters) on an SQLite study that already holds 1,000,
 *   20,000 and 100,000 trials (the target: within 20% of the cost at 1,000);
 * - bytes held per trial by the memory storage after `optimize` (Optuna: `InMemoryStorage`);
 * - the memory it takes to load an SQLite study and read its trials, against building it.
 *
 * Run with `deno run -A bench/storage_scaling.ts` (it re-runs itself with `--expose-gc`).
 * Options: `--sizes 1000,20000,100000`, `--trials N` (trials timed per size, default 300),
 * `--memory-trials N` (default 20000), `--no-python`. Python Optuna is taken from
 * `.venv-optuna/bin/python` (bench/storage_scaling.py).
 *
 * @module
 */
import { copyFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { parseArgs } from "node:util";
import {
  categorical,
  createStudy,
  float,
  int,
  memoryStorage,
  optimize,
  randomSampler,
  runOrThrow,
  type Storage,
  suggest,
  type Trial,
} from "../mod.ts";
import { sqliteStorage } from "../lib/storage/rdb/sqlite.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const PY_SCRIPT = join(REPO, "bench", "storage_scaling.py");
const PYTHON = join(REPO, ".venv-optuna", "bin", "python");

const SPACE = {
  x: float(-10, 10),
  lr: float(1e-5, 1, { log: true }),
  n: int(0, 100),
  c: categorical(["a", "bb", "ccc"]),
} as const;

function objective(trial: Trial) {
  return async () => {
    const v = await suggest(trial, SPACE)();
    if (v._tag === "Left") return v;
    const { x, lr, n, c } = v.right;
    return { _tag: "Right" as const, right: x * x + lr + n + String(c).length };
  };
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function heapNow(): number {
  gc();
  gc();
  return Deno.memoryUsage().heapUsed;
}

/** Adds trials until the study holds `target`, as COMPLETE trials of the bench's space. */
async function fill(storage: Storage, studyId: number, from: number, target: number) {
  let seed = from + 1;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = from; i < target; i++) {
    const x = -10 + 20 * rand();
    const lr = Math.exp(Math.log(1e-5) + -Math.log(1e-5) * rand());
    const n = Math.floor(101 * rand()) % 101;
    const c = Math.floor(3 * rand()) % 3;
    await runOrThrow(storage.createTrial(studyId, {
      state: "COMPLETE",
      values: [x * x + lr + n + c],
      params: { x, lr, n, c: ["a", "bb", "ccc"][c] as string },
      distributions: {
        x: { _tag: "FloatDistribution", low: -10, high: 10, log: false, step: null },
        lr: { _tag: "FloatDistribution", low: 1e-5, high: 1, log: true, step: null },
        n: { _tag: "IntDistribution", low: 0, high: 100, log: false, step: 1 },
        c: { _tag: "CategoricalDistribution", choices: ["a", "bb", "ccc"] },
      },
    }));
  }
}

/** CPU milliseconds since `from` (user and system), robust against a busy machine. */
function cpuMsSince(from: { user: number; system: number }): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

/**
 * CPU ms per trial of `optimize` on the study in `path`, opened afresh (warm-up not
 * counted); the best of `rounds` runs.
 */
async function hyperionPerTrial(path: string, trials: number, rounds = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) best = Math.min(best, await hyperionRound(path, trials));
  return best;
}

async function hyperionRound(path: string, trials: number): Promise<number> {
  const storage = await runOrThrow(sqliteStorage(path));
  const study = await runOrThrow(
    createStudy({
      storage,
      studyName: "scaling",
      loadIfExists: true,
      sampler: randomSampler({ seed: 1 }),
    }),
  );
  await runOrThrow(optimize(study, objective, { nTrials: 5 }));
  const started = process.cpuUsage();
  await runOrThrow(optimize(study, objective, { nTrials: trials }));
  const ms = cpuMsSince(started) / trials;
  await runOrThrow(storage.close());
  return ms;
}

async function python(args: string[]): Promise<{ readonly [k: string]: number } | string> {
  if (!existsSync(PYTHON)) return `no Python Optuna at ${PYTHON}`;
  const out = await new Deno.Command(PYTHON, { args: [PY_SCRIPT, ...args], stderr: "piped" })
    .output();
  if (!out.success) return new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const fmt = (x: number | undefined, digits = 3): string =>
  x === undefined ? "—" : x.toFixed(digits);

async function perTrialCurve(
  dir: string,
  sizes: ReadonlyArray<number>,
  trials: number,
  withPython: boolean,
): Promise<void> {
  const path = join(dir, "scaling.db");
  const storage = await runOrThrow(sqliteStorage(path));
  const study = await runOrThrow(storage.createStudy({
    studyName: "scaling",
    directions: ["minimize"],
  }));
  console.log("\nSQLite, random sampler: CPU ms per trial on a study holding N trials");
  console.log(
    "| stored trials | Hyperion ms/trial | ratio to first | Optuna ms/trial | ratio to first |",
  );
  console.log("|---:|---:|---:|---:|---:|");
  let held = 0;
  let first: [number, number | undefined] | undefined;
  for (const size of sizes) {
    const count = (await runOrThrow(storage.getAllTrials(study.studyId))).length;
    held = Math.max(held, count);
    await fill(storage, study.studyId, held, size);
    held = Math.max(held, size);
    const copy = join(dir, `optuna-${size}.db`);
    copyFileSync(path, copy);
    const ms = await hyperionPerTrial(path, trials);
    let py: number | undefined;
    if (withPython) {
      const r = await python(["per-trial", copy, "scaling", String(Math.min(trials, 100))]);
      if (typeof r === "string") console.log(`  (Python: ${r})`);
      else py = r.msPerTrial;
      await Deno.remove(copy);
    }
    first ??= [ms, py];
    console.log(
      `| ${size} | ${fmt(ms)} | ${fmt(ms / first[0], 2)} | ${fmt(py)} | ${
        py === undefined || first[1] === undefined ? "—" : fmt(py / first[1], 2)
      } |`,
    );
  }
  await runOrThrow(storage.close());
}

async function memoryTable(dir: string, n: number, withPython: boolean): Promise<void> {
  console.log(`\nMemory: bytes held per trial (${n} trials, random sampler)`);
  console.log("| what | Hyperion | Optuna |");
  console.log("|---|---:|---:|");
  // memory storage after optimize
  let before = heapNow();
  const memory = memoryStorage();
  const study = await runOrThrow(
    createStudy({ storage: memory, sampler: randomSampler({ seed: 1 }) }),
  );
  await runOrThrow(optimize(study, objective, { nTrials: n }));
  const memBytes = (heapNow() - before) / n;
  const pyMem = withPython ? await python(["memory", String(n)]) : undefined;
  console.log(
    `| memory storage, bytes/trial | ${fmt(memBytes, 0)} | ${
      typeof pyMem === "object" ? fmt(pyMem.bytesPerTrial, 0) : "—"
    } |`,
  );
  await runOrThrow(memory.close());
  // an SQLite study built by optimize, then loaded by a fresh connection
  const path = join(dir, "memory.db");
  const rssBeforeBuild = Deno.memoryUsage().rss;
  before = heapNow();
  const built = await runOrThrow(sqliteStorage(path));
  const s = await runOrThrow(
    createStudy({ storage: built, studyName: "m", sampler: randomSampler({ seed: 1 }) }),
  );
  await runOrThrow(optimize(s, objective, { nTrials: n }));
  const buildBytes = heapNow() - before;
  const buildRss = Deno.memoryUsage().rss - rssBeforeBuild;
  await runOrThrow(built.close());
  const rssBeforeLoad = Deno.memoryUsage().rss;
  before = heapNow();
  const loaded = await runOrThrow(sqliteStorage(path));
  const record = await runOrThrow(loaded.getStudy("m"));
  const trials = await runOrThrow(loaded.getAllTrials(record.studyId));
  const loadBytes = heapNow() - before;
  const loadRss = Deno.memoryUsage().rss - rssBeforeLoad;
  if (trials.length !== n) throw new Error(`expected ${n} trials, read ${trials.length}`);
  const pyLoad = withPython ? await python(["load", path, "m"]) : undefined;
  const mb = (x: number) => (x / 2 ** 20).toFixed(1);
  console.log(`| SQLite storage after build, bytes/trial | ${fmt(buildBytes / n, 0)} | — |`);
  console.log(
    `| SQLite load + read all, bytes/trial | ${fmt(loadBytes / n, 0)} | ${
      typeof pyLoad === "object" ? fmt((pyLoad.loadBytes ?? NaN) / n, 0) : "—"
    } |`,
  );
  console.log(
    `| SQLite RSS growth: build / load (MB) | ${mb(buildRss)} / ${mb(loadRss)} | ${
      typeof pyLoad === "object" ? `— / ${mb(pyLoad.rssBytes ?? NaN)}` : "—"
    } |`,
  );
  await runOrThrow(loaded.close());
}

if (import.meta.main) {
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    const self = fileURLToPath(import.meta.url);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--v8-flags=--expose-gc", self, ...Deno.args],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    Deno.exit(out.code);
  }
  const args = parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string", default: "1000,20000,100000" },
      trials: { type: "string", default: "300" },
      "memory-trials": { type: "string", default: "20000" },
      "no-python": { type: "boolean" },
      "skip-memory": { type: "boolean" },
      "skip-curve": { type: "boolean" },
    },
  });
  const sizes = args.values.sizes.split(",").map(Number);
  const withPython = !args.values["no-python"];
  const dir = await Deno.makeTempDir({ prefix: "storage-scaling-" });
  try {
    if (!args.values["skip-curve"]) {
      await perTrialCurve(dir, sizes, Number(args.values.trials), withPython);
    }
    if (!args.values["skip-memory"]) {
      await memoryTable(dir, Number(args.values["memory-trials"]), withPython);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
