/**
 * A small mutation check: applies the one-line mutations listed in `tools/mutations.json` to
 * the library one at a time and runs the tests, to see that the suite notices each of them.
 *
 * ```sh
 * deno run -A tools/mutation_check.ts [--only id[,id…]] [--jobs n] [--full] [--no-confirm] [--check] [--dry-run] [--log dir]
 * ```
 *
 * Each mutation is `{ id, description, find, replace, tests? }`. `find` is an exact snippet of
 * library code: it is searched in every `.ts` file under `lib/`, and must occur exactly once in
 * the whole tree (otherwise the mutation is reported as `stale`), so that the list survives
 * files being moved or renamed. The snippet is replaced in place, the tests run
 * (`deno test -A --parallel --fail-fast --no-check` on the mutation's `tests` files, or on
 * `tests/` without them or with `--full`), and the file is restored in a `finally`, also on
 * Ctrl-C. A mutation is `killed` when the tests fail, `survived` when they pass; a survivor of
 * its own `tests` is run again on the whole suite unless `--no-confirm` (or it is marked
 * `equivalent`). `--check` type-checks
 * too (slower; a mutation is meant to type-check anyway). With `--jobs n > 1` the mutations
 * run in `n` temporary copies of the project instead of in place.
 *
 * `--dry-run` only locates the snippets; `--log dir` keeps each run's test output. The tests
 * the mutations use are first run on the unmutated library (a baseline that must pass). A
 * mutation with an `equivalent` reason that survives is reported as `equivalent`, outside the
 * kill rate. Prints a table and the kill rate (killed / (killed + survived)); exits with 1 when a
 * mutation is stale or the list is malformed.
 *
 * @module
 */
import { cp, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One mutation of `tools/mutations.json`. */
export interface Mutation {
  /** A short unique name. */
  readonly id: string;
  /** What the mutation breaks, in words. */
  readonly description: string;
  /** The exact library snippet to replace; it must occur exactly once under `lib/`. */
  readonly find: string;
  /** What replaces it. */
  readonly replace: string;
  /** Test files (relative to the project root) that should kill it; the whole suite otherwise. */
  readonly tests?: ReadonlyArray<string>;
  /**
   * Why no test can kill it (the mutant behaves as the original): it is still run, and reported
   * as `equivalent` when it survives, outside the kill rate.
   */
  readonly equivalent?: string;
}

/** The outcome of one mutation. */
export interface Outcome {
  readonly id: string;
  readonly status: "killed" | "survived" | "equivalent" | "stale";
  /** Where the snippet was found (or how many times, when stale). */
  readonly where: string;
  /** Seconds spent running tests. */
  readonly seconds: number;
  /** Which tests ran: `listed`, `suite`, or `listed+suite` (a survivor confirmed). */
  readonly ran: string;
}

/** Command-line options. */
export interface Options {
  readonly only: ReadonlyArray<string> | undefined;
  readonly jobs: number;
  readonly full: boolean;
  readonly confirm: boolean;
  readonly check: boolean;
  readonly list: string;
  readonly dryRun: boolean;
  /** A folder that receives each run's test output as `<id>.log`. */
  readonly log: string | undefined;
}

// -------------------------------------------------------------------------------------
// reading the list
// -------------------------------------------------------------------------------------

/** Parses and checks the mutation list; throws with the offending entry on a bad one. */
export function parseMutations(text: string): ReadonlyArray<Mutation> {
  const raw: unknown = JSON.parse(text);
  if (!Array.isArray(raw)) throw new TypeError("mutations.json must be an array");
  const ids = new Set<string>();
  return raw.map((m: unknown, i: number): Mutation => {
    const r = m as Record<string, unknown>;
    const str = (k: string) => typeof r[k] === "string" && (r[k] as string).length > 0;
    if (typeof m !== "object" || m === null || !str("id") || !str("find") || !str("description")) {
      throw new TypeError(
        `mutation #${i} needs 'id', 'description' and 'find': ${JSON.stringify(m)}`,
      );
    }
    if (typeof r.replace !== "string" || r.replace === r.find) {
      throw new TypeError(`mutation '${r.id}' needs a 'replace' that differs from 'find'`);
    }
    if (
      r.tests !== undefined &&
      !(Array.isArray(r.tests) && r.tests.every((t) => typeof t === "string"))
    ) {
      throw new TypeError(`mutation '${r.id}': 'tests' must be a list of paths`);
    }
    if (r.equivalent !== undefined && typeof r.equivalent !== "string") {
      throw new TypeError(`mutation '${r.id}': 'equivalent' must be the reason, as a string`);
    }
    if (ids.has(r.id as string)) throw new TypeError(`mutation id '${r.id}' is not unique`);
    ids.add(r.id as string);
    return m as Mutation;
  });
}

/** Every `.ts` file under `<root>/lib`, with its text. */
async function libraryFiles(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const lib = join(root, "lib");
  const names = (await readdir(lib, { recursive: true })).sort();
  for (const name of names) {
    const path = join(lib, name);
    if (path.endsWith(".ts")) out.set(path, await Deno.readTextFile(path));
  }
  return out;
}

function occurrences(text: string, snippet: string): number {
  let n = 0;
  for (let i = text.indexOf(snippet); i >= 0; i = text.indexOf(snippet, i + 1)) n++;
  return n;
}

/** The one file holding the snippet, or how many occurrences there are in the whole tree. */
function locate(files: Map<string, string>, snippet: string): string | number {
  let total = 0, found: string | undefined;
  for (const [path, text] of files) {
    const n = occurrences(text, snippet);
    total += n;
    if (n > 0) found = path;
  }
  return total === 1 && found !== undefined ? found : total;
}

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

/** The child process running now, so that Ctrl-C can stop it. */
interface Running {
  child: Deno.ChildProcess | undefined;
}

async function runTests(
  root: string,
  files: ReadonlyArray<string>,
  opts: Options,
  running: Running,
  logName: string,
): Promise<boolean> {
  const args = ["test", "-A", "--parallel", "--fail-fast", ...(opts.check ? [] : ["--no-check"])];
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args, ...files],
    cwd: root,
    stdout: opts.log === undefined ? "null" : "piped",
    stderr: opts.log === undefined ? "null" : "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  running.child = child;
  try {
    if (opts.log === undefined) return (await child.status).success;
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    await Deno.mkdir(opts.log, { recursive: true });
    await Deno.writeTextFile(join(opts.log, `${logName}.log`), text, { append: true });
    return out.success;
  } finally {
    running.child = undefined;
  }
}

async function testMutation(
  root: string,
  m: Mutation,
  opts: Options,
  running: Running,
): Promise<Outcome> {
  const files = await libraryFiles(root);
  const where = locate(files, m.find);
  if (typeof where === "number") {
    return { id: m.id, status: "stale", where: `${where} matches`, seconds: 0, ran: "-" };
  }
  const original = files.get(where)!;
  const listed = !opts.full && m.tests !== undefined && m.tests.length > 0;
  const started = performance.now();
  let passed: boolean, ran: string;
  restoreOnInterrupt.set(where, original);
  try {
    await Deno.writeTextFile(where, original.replace(m.find, () => m.replace));
    passed = await runTests(root, listed ? m.tests! : ["tests/"], opts, running, m.id);
    ran = listed ? "listed" : "suite";
    // a survivor of its own tests runs on the whole suite, unless it is known to be equivalent
    if (passed && listed && opts.confirm && m.equivalent === undefined) {
      passed = await runTests(root, ["tests/"], opts, running, m.id);
      ran = "listed+suite";
    }
  } finally {
    await Deno.writeTextFile(where, original);
    restoreOnInterrupt.delete(where);
  }
  const seconds = (performance.now() - started) / 1000;
  const rel = where.slice(root.length + 1);
  const status = !passed ? "killed" : m.equivalent === undefined ? "survived" : "equivalent";
  return { id: m.id, status, where: rel, seconds, ran };
}

/** Files mutated right now, with their original text (restored on Ctrl-C). */
const restoreOnInterrupt = new Map<string, string>();

function onInterrupt(workers: ReadonlyArray<Running>, scratch: ReadonlyArray<string>): void {
  Deno.addSignalListener("SIGINT", () => {
    for (const w of workers) {
      try {
        w.child?.kill("SIGTERM");
      } catch { /* already ended */ }
    }
    for (const [path, text] of restoreOnInterrupt) Deno.writeTextFileSync(path, text);
    for (const dir of scratch) Deno.removeSync(dir, { recursive: true });
    console.error("\ninterrupted: every mutated file was restored");
    Deno.exit(130);
  });
}

/** A scratch copy of the project (everything the tests read), for one parallel worker. */
async function scratchCopy(root: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mutants-" });
  for await (const entry of Deno.readDir(root)) {
    if ([".git", "cov", "coverage", "out", "tmp", ".venv-optuna"].includes(entry.name)) continue;
    await cp(join(root, entry.name), join(dir, entry.name), { recursive: true });
  }
  return dir;
}

async function runAll(
  root: string,
  mutations: ReadonlyArray<Mutation>,
  opts: Options,
): Promise<ReadonlyArray<Outcome>> {
  const jobs = Math.max(1, Math.min(opts.jobs, mutations.length));
  const roots = jobs === 1
    ? [root]
    : await Promise.all(Array.from({ length: jobs }, () => scratchCopy(root)));
  const workers: Running[] = roots.map(() => ({ child: undefined }));
  onInterrupt(workers, jobs === 1 ? [] : roots);
  const outcomes: Outcome[] = new Array(mutations.length);
  let next = 0;
  const work = async (w: number) => {
    while (next < mutations.length) {
      const i = next++;
      const o = await testMutation(roots[w]!, mutations[i]!, opts, workers[w]!);
      outcomes[i] = o;
      console.log(`${o.status.padEnd(8)} ${o.id} (${o.seconds.toFixed(1)} s, ${o.ran})`);
    }
  };
  try {
    await Promise.all(roots.map((_, w) => work(w)));
  } finally {
    if (jobs > 1) { for (const dir of roots) await Deno.remove(dir, { recursive: true }); }
  }
  return outcomes;
}

// -------------------------------------------------------------------------------------
// report
// -------------------------------------------------------------------------------------

/** The table of outcomes and the kill rate, as printed. */
export function report(outcomes: ReadonlyArray<Outcome>): string {
  const idWidth = Math.max(2, ...outcomes.map((o) => o.id.length));
  const whereWidth = Math.max(5, ...outcomes.map((o) => o.where.length));
  const line = (a: string, b: string, c: string, d: string, e: string) =>
    `${a.padEnd(idWidth)}  ${b.padEnd(10)}  ${c.padEnd(whereWidth)}  ${d.padStart(7)}  ${e}`;
  const rows = [
    line("id", "status", "where", "seconds", "tests"),
    "-".repeat(idWidth + whereWidth + 40),
  ];
  for (const o of outcomes) rows.push(line(o.id, o.status, o.where, o.seconds.toFixed(1), o.ran));
  const count = (s: Outcome["status"]) => outcomes.filter((o) => o.status === s).length;
  const killed = count("killed"), survived = count("survived"), stale = count("stale");
  const equivalent = count("equivalent");
  const rate = killed + survived === 0
    ? "n/a"
    : `${((100 * killed) / (killed + survived)).toFixed(1)}%`;
  rows.push(
    "",
    `${outcomes.length} mutations: ${killed} killed, ${survived} survived, ${equivalent} equivalent, ${stale} stale`,
    `kill rate: ${rate} (killed / (killed + survived))`,
  );
  const survivors = outcomes.filter((o) => o.status === "survived").map((o) => o.id);
  if (survivors.length > 0) rows.push(`survivors: ${survivors.join(", ")}`);
  return rows.join("\n");
}

/** Runs the tests the mutations use on the unmutated library: they must pass. */
async function baseline(
  root: string,
  mutations: ReadonlyArray<Mutation>,
  opts: Options,
): Promise<boolean> {
  const listed = !opts.full && mutations.every((m) => (m.tests ?? []).length > 0);
  const files = listed ? [...new Set(mutations.flatMap((m) => m.tests!))] : ["tests/"];
  const started = performance.now();
  const ok = await runTests(root, files, opts, { child: undefined }, "baseline");
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`baseline ${ok ? "passed" : "FAILED"} (${seconds} s, ${files.length} paths)`);
  if (!ok) console.error("the tests fail without any mutation: fix them first (see --log)");
  return ok;
}

/** Only locates every snippet: prints where each is, or why it is stale. */
async function dryRun(root: string, mutations: ReadonlyArray<Mutation>): Promise<number> {
  const files = await libraryFiles(root);
  let stale = 0;
  for (const m of mutations) {
    const where = locate(files, m.find);
    if (typeof where === "number") stale++;
    const at = typeof where === "number"
      ? `stale (${where} matches)`
      : where.slice(root.length + 1);
    console.log(`${m.id.padEnd(36)} ${at}`);
  }
  console.log(`${mutations.length} mutations, ${stale} stale`);
  return stale === 0 ? 0 : 1;
}

/** Reads the command line. */
export function parseArgs(args: ReadonlyArray<string>): Options {
  let only: string[] | undefined, jobs = 1, full = false, confirm = true, check = false;
  let list = "tools/mutations.json", dryRun = false, log: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new TypeError(`${a} needs a value`);
      return v;
    };
    if (a === "--only") only = value().split(",");
    else if (a === "--jobs") jobs = Number(value());
    else if (a === "--list") list = value();
    else if (a === "--full") full = true;
    else if (a === "--no-confirm") confirm = false;
    else if (a === "--check") check = true;
    else if (a === "--dry-run") dryRun = true;
    else if (a === "--log") log = value();
    else throw new TypeError(`unknown argument '${a}'`);
  }
  if (!Number.isSafeInteger(jobs) || jobs < 1) {
    throw new TypeError(`--jobs must be ≥ 1, got ${jobs}`);
  }
  return { only, jobs, full, confirm, check, list, dryRun, log };
}

async function main(): Promise<number> {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const opts = parseArgs(Deno.args);
  const all = parseMutations(await Deno.readTextFile(`${root}/${opts.list}`));
  const unknown = (opts.only ?? []).filter((id) => !all.some((m) => m.id === id));
  if (unknown.length > 0) throw new TypeError(`unknown mutation ids: ${unknown.join(", ")}`);
  const chosen = opts.only === undefined ? all : all.filter((m) => opts.only!.includes(m.id));
  for (const m of chosen) {
    for (const t of m.tests ?? []) {
      if (!(await stat(join(root, t)).catch(() => undefined))) {
        throw new TypeError(`mutation '${m.id}': no test file ${t}`);
      }
    }
  }
  if (opts.dryRun) return dryRun(root, chosen);
  if (!(await baseline(root, chosen, opts))) return 1;
  const outcomes = await runAll(root, chosen, opts);
  console.log(`\n${report(outcomes)}`);
  return outcomes.some((o) => o.status === "stale") ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    console.error(`mutation_check: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
