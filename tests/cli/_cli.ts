/**
 * Helpers of the CLI tests: run `main` in-process or the real program (`deno run -A
 * lib/cli/main.ts`) and collect its exit code, stdout and stderr; temporary SQLite files; a
 * read of everything a file stores, to check that a failed command wrote nothing.
 */
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { main } from "../../lib/cli/mod.ts";

/** What a run printed and returned. */
export interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** The repository's root folder. */
export const ROOT: string = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `main` in this process. */
export async function cli(
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
): Promise<Ran> {
  let out = "";
  let err = "";
  const code = await main(args, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env: (name) => env[name],
  });
  return { code, out, err };
}

/** Runs the real program in a child process (no shell), from `cwd`. */
export async function cliProcess(
  args: ReadonlyArray<string>,
  options: { readonly env?: Record<string, string>; readonly cwd?: string } = {},
): Promise<Ran> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "lib", "cli", "main.ts"), ...args],
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code: output.code, out: text.decode(output.stdout), err: text.decode(output.stderr) };
}

/** A temporary folder with a database path inside. */
export interface TempDb {
  readonly dir: string;
  readonly path: string;
  readonly url: string;
  /** Removes the folder. */
  close(): Promise<void>;
}

/** A temporary folder with a database path inside; removed by `close`. */
export async function tempDb(): Promise<TempDb> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion_cli_" });
  const path = join(dir, "study.db");
  return {
    dir,
    path,
    url: `sqlite:///${path}`,
    close: () => Deno.remove(dir, { recursive: true }),
  };
}

/** A test body run with a fresh {@link tempDb}, removed afterwards whatever the body does. */
export function withTempDb(body: (db: TempDb) => Promise<void>): () => Promise<void> {
  return async () => {
    const db = await tempDb();
    try {
      await body(db);
    } finally {
      await db.close();
    }
  };
}

/** Every row of every Optuna table, as text: equal before and after means nothing was written. */
export function dumpDb(path: string): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all().map((r) => String(r.name));
    return JSON.stringify(
      tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).all()]),
      (_k, v) => typeof v === "bigint" ? String(v) : v,
    );
  } finally {
    db.close();
  }
}

/** Optuna's JSON for a float distribution. */
export function floatJson(low: number, high: number): Record<string, unknown> {
  return { name: "FloatDistribution", attributes: { low, high, log: false, step: null } };
}
