/** The runtime adapter answers for the runtime it runs on (here Deno; tests/portable/ runs it on Node and Bun). */
import assert from "node:assert/strict";
import process from "node:process";
import { join, resolve } from "node:path";
import {
  commandArgs,
  envVar,
  isBrokenPipe,
  isMainModule,
  processId,
  runtimeName,
  signalRuntime,
  stderrSink,
  stdoutSink,
} from "../../lib/runtime/mod.ts";

const root = resolve(import.meta.dirname ?? ".", "..", "..");

Deno.test("runtimeName() is 'deno' under Deno, although Deno also defines process for npm packages", () => {
  assert.equal(runtimeName(), "deno");
});

Deno.test("processId() is this process's id", () => {
  assert.equal(processId(), Deno.pid);
});

Deno.test("envVar() reads a variable and gives undefined for an unset one", () => {
  Deno.env.set("HYPERION_RUNTIME_TEST", "yes");
  assert.equal(envVar("HYPERION_RUNTIME_TEST"), "yes");
  Deno.env.delete("HYPERION_RUNTIME_TEST");
  assert.equal(envVar("HYPERION_RUNTIME_TEST"), undefined);
});

Deno.test("stderrSink() says whether standard error is a terminal", () => {
  assert.equal(stderrSink().isTerminal, Deno.stderr.isTerminal());
});

Deno.test("stdoutSink() says whether standard output is a terminal", () => {
  assert.equal(stdoutSink().isTerminal, Deno.stdout.isTerminal());
});

Deno.test("signalRuntime() installs and removes a signal listener", () => {
  const signals = signalRuntime();
  assert.ok(signals !== undefined);
  const listener = () => {};
  assert.equal(signals.add("SIGINT", listener), true);
  signals.remove("SIGINT", listener);
  assert.equal(signals.windows, Deno.build.os === "windows");
});

Deno.test("commandArgs() are the program's arguments after the script", () => {
  assert.deepEqual(commandArgs(), Deno.args);
});

Deno.test("isMainModule() takes import.meta.main where there is one, else compares the script path", () => {
  assert.equal(isMainModule({ main: true }), true);
  assert.equal(isMainModule({ main: false, filename: process.argv[1] ?? "" }), false);
  assert.equal(isMainModule({ filename: process.argv[1] ?? "" }), true);
  assert.equal(isMainModule({ filename: "/elsewhere/other.ts" }), false);
  assert.equal(isMainModule({}), false);
});

Deno.test("isBrokenPipe() knows Deno's BrokenPipe and Node's EPIPE, nothing else", () => {
  assert.equal(isBrokenPipe(new Deno.errors.BrokenPipe()), true);
  assert.equal(isBrokenPipe(Object.assign(new Error("write EPIPE"), { code: "EPIPE" })), true);
  assert.equal(isBrokenPipe(new Deno.errors.NotFound()), false);
  assert.equal(isBrokenPipe(Object.assign(new Error("x"), { code: "ENOENT" })), false);
  assert.equal(isBrokenPipe(null), false);
});

/** The runtimes to write through: Deno, and Node 22 when .ci/run installed it. */
function writers(): Array<[string, string[]]> {
  const node = Deno.env.get("HYPERION_NODE22");
  const list: Array<[string, string[]]> = [["deno", [Deno.execPath(), "run", "-A"]]];
  if (node !== undefined) list.push(["node", [node]]);
  else console.log("HYPERION_NODE22 unset: the stdout sink is checked on Deno only");
  return list;
}

Deno.test("stdoutSink() writes all of a long text to a pipe, and a reader that went away is not an error", async () => {
  const dir = Deno.makeTempDirSync();
  const script = join(dir, "write.mjs");
  const adapter = JSON.stringify(join(root, "lib", "runtime", "mod.ts"));
  Deno.writeTextFileSync(
    script,
    `const { stdoutSink } = await import(${adapter});
const line = "x".repeat(9999) + "\\n";
const sink = stdoutSink();
const count = Number(process.argv[2]);
for (let i = 0; i < count; i++) sink.write(line);
process.stderr.write("done\\n");`,
  );
  try {
    for (const [name, [exe, ...pre]] of writers()) {
      // all of it: 200 lines of 10 kB through a pipe
      const full = await new Deno.Command(exe!, {
        args: [...pre, script, "200"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(full.success, `${name}: ${new TextDecoder().decode(full.stderr)}`);
      assert.equal(full.stdout.length, 200 * 10_000, name);
      // the reader goes away after the first chunk: the writer ends normally
      const child = new Deno.Command(exe!, {
        args: [...pre, script, "2000"],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.getReader();
      await reader.read();
      await reader.cancel();
      const status = await child.status;
      const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
      assert.ok(status.success, `${name}: ${stderr}`);
      assert.equal(stderr, "done\n", name);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
