import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { processInterrupts } from "../../lib/study/_signals.ts";
import { createStudy, getTrials, optimize, runOrThrow } from "../../mod.ts";

const FIXTURE = new URL("../fixtures/optimize_interrupt.ts", import.meta.url).pathname;
const windows = Deno.build.os === "windows";

interface Child {
  readonly process: Deno.ChildProcess;
  readonly lines: string[];
  readonly stderr: Promise<string>;
  readonly waitFor: (line: string) => Promise<void>;
}

function start(path: string, mode: string): Child {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", FIXTURE, path, mode],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  (async () => {
    let buffer = "";
    for await (const chunk of process.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      lines.push(...parts);
      for (const w of waiters.splice(0)) w();
    }
  })();
  const stderr = new Response(process.stderr).text();
  const waitFor = async (line: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!lines.includes(line)) {
      if (Date.now() > deadline) throw new Error(`no '${line}' in ${JSON.stringify(lines)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  return { process, lines, stderr, waitFor };
}

interface Row {
  readonly number: number;
  readonly state: string;
  readonly reason: string | undefined;
}

function inspect(path: string): { readonly integrity: string; readonly rows: ReadonlyArray<Row> } {
  const db = new DatabaseSync(path);
  try {
    const integrity = String(
      (db.prepare("PRAGMA integrity_check").get() as Record<string, unknown>)["integrity_check"],
    );
    const rows = db.prepare(
      `SELECT t.number, t.state,
        (SELECT value_json FROM trial_system_attributes a
          WHERE a.trial_id = t.trial_id AND a.key = 'fail_reason') AS reason
       FROM trials t ORDER BY t.number`,
    ).all().map((r) => ({
      number: Number(r.number),
      state: String(r.state),
      reason: r.reason === null ? undefined : JSON.parse(String(r.reason)),
    }));
    return { integrity, rows };
  } finally {
    db.close();
  }
}

async function withFile(run: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await run(join(dir, "study.db"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function interrupted(signal: Deno.Signal, code: number): Promise<void> {
  await withFile(async (path) => {
    const child = start(path, "default");
    await child.waitFor("started 0");
    await child.waitFor("started 1");
    child.process.kill(signal);
    const status = await child.process.status;
    const stderr = await child.stderr;
    assert.deepEqual([status.code, status.signal], [code, null], stderr);
    assert.ok(!child.lines.includes("optimize returned"));
    const { integrity, rows } = inspect(path);
    assert.equal(integrity, "ok");
    assert.deepEqual(rows, [
      { number: 0, state: "FAIL", reason: `Interrupted by ${signal}` },
      { number: 1, state: "FAIL", reason: `Interrupted by ${signal}` },
    ]);
    assert.match(
      stderr,
      new RegExp(`Trial 0 failed .* because of the following error: Interrupted by ${signal}\\.`),
    );
  });
}

Deno.test({
  name:
    "Ctrl-C (SIGINT) during optimize on SQLite fails the trials in flight, closes the file and exits 130",
  ignore: windows,
  fn: () => interrupted("SIGINT", 130),
});

Deno.test({
  name: "SIGTERM during optimize fails the trials in flight and exits 143",
  ignore: windows,
  fn: () => interrupted("SIGTERM", 143),
});

Deno.test({
  name: "a second Ctrl-C exits at once, even while the storage is still closing",
  ignore: windows,
  fn: () =>
    withFile(async (path) => {
      const child = start(path, "slowclose");
      await child.waitFor("started 1");
      const sent = Date.now();
      child.process.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 500)); // the first one is cleaning up (slow close)
      child.process.kill("SIGINT");
      const status = await child.process.status;
      await child.stderr;
      assert.deepEqual([status.code, status.signal], [130, null]);
      assert.ok(Date.now() - sent < 20_000, "the second SIGINT did not exit at once");
      const { integrity, rows } = inspect(path);
      assert.equal(integrity, "ok");
      assert.ok(rows.every((r) => r.state === "FAIL"), JSON.stringify(rows));
    }),
});

Deno.test({
  name: "handleSignals: false installs nothing: SIGINT kills the process as by default",
  ignore: windows,
  fn: () =>
    withFile(async (path) => {
      const child = start(path, "optout");
      await child.waitFor("started 1");
      child.process.kill("SIGINT");
      const status = await child.process.status;
      await child.stderr;
      assert.equal(status.signal, "SIGINT");
      assert.deepEqual(inspect(path).rows.map((r) => r.state), ["RUNNING", "RUNNING"]);
    }),
});

Deno.test({
  name: "the signal listeners are removed when optimize returns: a later SIGINT acts as by default",
  ignore: windows,
  fn: () =>
    withFile(async (path) => {
      const child = start(path, "after");
      await child.waitFor("done");
      child.process.kill("SIGINT");
      const status = await child.process.status;
      await child.stderr;
      assert.equal(status.signal, "SIGINT");
      assert.deepEqual(inspect(path).rows.map((r) => r.state), ["COMPLETE"]);
    }),
});

Deno.test("optimize() registers its interrupt cleanup only while it runs, and not with handleSignals: false", async () => {
  const study = await runOrThrow(createStudy());
  const seen: number[] = [];
  await runOrThrow(optimize(study, () => {
    seen.push(processInterrupts.cleanups.size);
    return 1;
  }, { nTrials: 1 }));
  await runOrThrow(optimize(study, () => {
    seen.push(processInterrupts.cleanups.size);
    return 1;
  }, { nTrials: 1, handleSignals: false }));
  assert.deepEqual(seen, [1, 0]);
  assert.equal(processInterrupts.cleanups.size, 0);
  assert.equal(processInterrupts.installed.size, 0);
  assert.equal((await runOrThrow(getTrials(study))).length, 2);
});
