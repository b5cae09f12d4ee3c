/**
 * Trials per second with 1, 2 and 4 worker processes on one study, on PostgreSQL and on
 * SQLite, for Hyperion and for Python Optuna 5.0 on the same kind of database: the random
 * sampler, three parameters (a float, a log-scale int, a categorical) and five `report` calls
 * per trial, a trivial objective, so the figures measure the storage and the library around
 * it. Every configuration gets a fresh database (PostgreSQL) or file (SQLite); its workers
 * start together at a common instant, and the figure is total trials / the slowest worker's
 * time in `optimize`.
 *
 * Run with `deno run -A bench/workers_bench.ts`; options: `--trials N` trials per configuration
 * (default 400, split over the workers), `--workers 1,2,4`, `--backend postgres|sqlite|both`,
 * `--no-python`. PostgreSQL is `HYPERION_PG_URL` when set, else a throwaway cluster on
 * 127.0.0.1:54334 (`.ci/postgres.sh`), stopped at the end. Python Optuna runs
 * `bench/optuna_worker.py` with `.venv-optuna/bin/python` (needs psycopg2 for PostgreSQL).
 * Under `deno bench` nothing runs (it needs servers and processes).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createStudy, runOrThrow } from "../mod.ts";
import { openStorage } from "../lib/storage/open.ts";
import { createDatabase, ensurePostgres, stop } from "../tests/fixtures/postgres/server.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const DENO_WORKER = join(REPO, "tests", "fixtures", "optimize_worker.ts");
const PY_WORKER = join(REPO, "bench", "optuna_worker.py");
const PYTHON = join(REPO, ".venv-optuna", "bin", "python");

type Backend = "postgres" | "sqlite";
type Library = "hyperion" | "optuna";

interface Row {
  readonly backend: Backend;
  readonly workers: number;
  readonly library: Library;
  readonly trialsPerSecond: number | undefined;
  readonly note?: string;
}

/** A fresh place for one configuration: its URL for each library, and how to remove it. */
interface Place {
  readonly url: string;
  readonly pythonUrl: string;
  readonly remove: () => Promise<void>;
}

async function freshPlace(backend: Backend, server: string | undefined): Promise<Place> {
  if (backend === "postgres") {
    const db = await createDatabase(server as string, "hyperion_bench");
    return {
      url: db.url,
      pythonUrl: db.url.replace(/^postgres(ql)?:\/\//, "postgresql+psycopg2://"),
      remove: db.drop,
    };
  }
  const dir = await Deno.makeTempDir({ prefix: "hyperion-workers-bench-" });
  return {
    url: `sqlite:///${dir}/bench.db`,
    pythonUrl: `sqlite:///${dir}/bench.db`,
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Runs one configuration; trials per second, or why it could not run. */
async function measure(
  backend: Backend,
  library: Library,
  workers: number,
  trials: number,
  server: string | undefined,
): Promise<{ readonly trialsPerSecond?: number; readonly note?: string }> {
  const place = await freshPlace(backend, server);
  try {
    const storage = await runOrThrow(openStorage(place.url));
    await runOrThrow(createStudy({ storage, studyName: "bench" }));
    await runOrThrow(storage.close());
    const each = Math.floor(trials / workers);
    const startAt = String(Date.now() + (library === "optuna" ? 4000 : 2500));
    const outputs = await Promise.all(
      Array.from(
        { length: workers },
        () =>
          new Deno.Command(library === "hyperion" ? Deno.execPath() : PYTHON, {
            args: library === "hyperion"
              ? ["run", "-A", DENO_WORKER, place.url, "bench", String(each)]
              : [PY_WORKER, place.pythonUrl, "bench", String(each)],
            env: { START_AT: startAt, NO_COLOR: "1", PYTHONWARNINGS: "ignore" },
            stdout: "piped",
            stderr: "piped",
          }).output(),
      ),
    );
    const text = new TextDecoder();
    let slowest = 0;
    for (const o of outputs) {
      if (!o.success) {
        const last = text.decode(o.stderr).trim().split("\n").slice(-1)[0] ?? "";
        return { note: `a worker failed: ${last.slice(0, 120)}` };
      }
      const lines = text.decode(o.stdout).trim().split("\n");
      const report = JSON.parse(lines[lines.length - 1] as string) as { seconds: number };
      slowest = Math.max(slowest, report.seconds);
    }
    return { trialsPerSecond: (each * workers) / slowest };
  } finally {
    await place.remove();
  }
}

function cell(x: number | undefined): string {
  return x === undefined ? "—" : x.toFixed(1);
}

function table(rows: ReadonlyArray<Row>): string {
  const lines = [
    "| storage | workers | Hyperion trials/s | Optuna 5.0 trials/s | Hyperion / Optuna |",
    "|---|---:|---:|---:|---:|",
  ];
  const keys = [...new Set(rows.map((r) => `${r.backend}|${r.workers}`))];
  for (const key of keys) {
    const [backend, workers] = key.split("|");
    const ours = rows.find((r) => `${r.backend}|${r.workers}` === key && r.library === "hyperion");
    const theirs = rows.find((r) => `${r.backend}|${r.workers}` === key && r.library === "optuna");
    const ratio = ours?.trialsPerSecond !== undefined && theirs?.trialsPerSecond !== undefined
      ? `${(ours.trialsPerSecond / theirs.trialsPerSecond).toFixed(1)}×`
      : "—";
    lines.push(
      `| ${backend === "postgres" ? "PostgreSQL" : "SQLite"} | ${workers} | ${
        cell(ours?.trialsPerSecond)
      } | ${cell(theirs?.trialsPerSecond)}${theirs?.note ? ` (${theirs.note})` : ""} | ${ratio} |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      trials: { type: "string", default: "400" },
      workers: { type: "string", default: "1,2,4" },
      backend: { type: "string", default: "both" },
      "no-python": { type: "boolean", default: false },
    },
  });
  const trials = Number(values.trials);
  const counts = values.workers.split(",").map(Number);
  const backends: Backend[] = values.backend === "both"
    ? ["postgres", "sqlite"]
    : [values.backend as Backend];
  const python = !values["no-python"] && existsSync(PYTHON);
  let server: string | undefined;
  if (backends.includes("postgres")) {
    const pg = await ensurePostgres(54334);
    if (!pg.ok) {
      console.log(`PostgreSQL skipped: ${pg.reason}`);
      backends.splice(backends.indexOf("postgres"), 1);
    } else {
      server = pg.url;
    }
  }
  const rows: Row[] = [];
  try {
    for (const backend of backends) {
      for (const workers of counts) {
        for (const library of (python ? ["hyperion", "optuna"] : ["hyperion"]) as Library[]) {
          const r = await measure(backend, library, workers, trials, server);
          rows.push({ backend, workers, library, trialsPerSecond: r.trialsPerSecond, ...r });
          console.error(
            `${backend} ${library} ${workers} worker(s): ${
              r.trialsPerSecond === undefined ? r.note : `${r.trialsPerSecond.toFixed(1)} trials/s`
            }`,
          );
        }
      }
    }
  } finally {
    stop();
  }
  console.log(
    `\n${trials} trials per configuration, random sampler, 5 reports per trial, ${navigator.hardwareConcurrency} CPUs\n`,
  );
  console.log(table(rows));
}

if (import.meta.main) await main();
