/**
 * The runtime matrix: tests/portable/portable.ts passes on Deno, Node >= 22.18 and Bun, and the
 * seeded study's trials agree across the three (to the last bits of the engines' `Math`
 * functions, see compare.ts); `@hyperion/tune/storage` imports on Node 20, where SQLite says it
 * needs a newer runtime (a Left, not a crash).
 *
 * The runtimes are found through `HYPERION_NODE22`, `HYPERION_BUN` and `HYPERION_NODE20` (set
 * by `.ci/run`, which installs them from npm), else `node` and `bun` on the PATH. A missing one
 * is skipped with a message on a developer's machine and fails in CI (`CI=true`).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inCi } from "../_helpers/browser.ts";
import { bitDifferences, differences } from "./compare.ts";
import type { SerialTrial } from "./seeded_study.ts";

const here = resolve(import.meta.dirname ?? ".");
const root = resolve(here, "..", "..");

function version(command: string, args: string[]): string | undefined {
  try {
    const out = new Deno.Command(command, { args, stdout: "piped", stderr: "null" }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined; // not installed
  }
}

/** The Node binary whose major version satisfies `ok`, from `variable` or the PATH. */
function findNode(variable: string, ok: (major: number, minor: number) => boolean) {
  for (const command of [Deno.env.get(variable), "node"]) {
    if (command === undefined) continue;
    const v = version(command, ["--version"])?.match(/^v(\d+)\.(\d+)/);
    if (v && ok(Number(v[1]), Number(v[2]))) return command;
  }
  return undefined;
}

const runtimes = {
  deno: [Deno.execPath(), "run", "-A"],
  node: ((n) => n && [n])(
    findNode("HYPERION_NODE22", (major, minor) => major > 22 || (major === 22 && minor >= 18)),
  ),
  bun: ((b) => b && [b])(
    [Deno.env.get("HYPERION_BUN"), "bun"].find((c) => c && version(c, ["--version"])),
  ),
} as const;
const node20 = findNode("HYPERION_NODE20", (major) => major === 20);

function present(name: string, command: unknown): boolean {
  if (command) return true;
  const why = `${name} not found (.ci/run installs it from npm)`;
  if (inCi()) throw new Error(`${why}: CI must run the runtime matrix`);
  console.log(`runtime matrix: ${why}; its checks are skipped`);
  return false;
}

interface Run {
  readonly runtime: string;
  readonly summary: string;
  readonly trials: SerialTrial[];
}

async function runPortable(runtime: string, command: ReadonlyArray<string>): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), "hyperion-matrix-"));
  try {
    const file = join(dir, "trials.json");
    const [exe, ...pre] = command;
    const out = await new Deno.Command(exe!, {
      args: [...pre, join(here, "portable.ts"), "--runtime", runtime, "--trials", file],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const summary = text.match(/^portable: .*$/m)?.[0] ?? "(no summary)";
    assert.ok(out.success, `${runtime}:\n${text}\n${new TextDecoder().decode(out.stderr)}`);
    return { runtime, summary, trials: JSON.parse(await readFile(file, "utf8")) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const available = Object.entries(runtimes).filter(([name, command]) => present(name, command));

Deno.test({
  name: "the portable subset passes on Deno, Node and Bun, and the seeded study's trials agree",
  ignore: available.length < 2,
  fn: async () => {
    const runs: Run[] = [];
    for (const [name, command] of available) {
      runs.push(await runPortable(name, command as ReadonlyArray<string>));
    }
    const [deno, ...others] = runs;
    for (const run of runs) assert.match(run.summary, /^portable: \d+ passed, 0 failed$/);
    for (const other of others) {
      assert.equal(other.trials.length, 30);
      assert.deepEqual(differences(other.trials, deno!.trials), [], `${other.runtime} vs deno`);
      console.log(
        `${other.runtime} vs deno: ${
          bitDifferences(other.trials, deno!.trials)
        } floats differ in the last bits; ${other.summary}`,
      );
    }
  },
});

Deno.test({
  name:
    "@hyperion/tune/storage imports on Node 20: memory: opens, SQLite is a Left naming the runtimes it needs",
  ignore: !present("node 20", node20),
  fn: async () => {
    const dir = await mkdtemp(join(tmpdir(), "hyperion-node20-"));
    try {
      const bundle = join(dir, "storage.mjs");
      const built = await new Deno.Command(Deno.execPath(), {
        args: ["bundle", "--packages", "external", "-o", bundle, join(root, "lib/storage/open.ts")],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(built.success, new TextDecoder().decode(built.stderr));
      const script = `
        const { openStorage } = await import(${JSON.stringify(bundle)});
        const memory = await openStorage("memory:")();
        const sqlite = await openStorage("sqlite:///" + ${JSON.stringify(join(dir, "x.db"))})();
        console.log(JSON.stringify({ memory: memory._tag, sqlite: sqlite._tag, message: sqlite.left?.message }));`;
      const out = await new Deno.Command(node20!, {
        args: ["--input-type=module", "-e", script],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.ok(out.success, stderr);
      const result = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.equal(result.memory, "Right");
      assert.equal(result.sqlite, "Left");
      assert.match(result.message, /no built-in 'node:sqlite'.*Node >= 22\.13/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});
