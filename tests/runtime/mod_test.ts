/** The runtime adapter answers for the runtime it runs on (here Deno; tests/portable/ runs it on Node and Bun). */
import assert from "node:assert/strict";
import {
  envVar,
  processId,
  runtimeName,
  signalRuntime,
  stderrSink,
} from "../../lib/runtime/mod.ts";

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

Deno.test("signalRuntime() installs and removes a signal listener", () => {
  const signals = signalRuntime();
  assert.ok(signals !== undefined);
  const listener = () => {};
  assert.equal(signals.add("SIGINT", listener), true);
  signals.remove("SIGINT", listener);
  assert.equal(signals.windows, Deno.build.os === "windows");
});
