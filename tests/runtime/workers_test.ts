/**
 * The runtime adapter's Workers: a module Worker started with `spawnWorker` talks to its parent
 * through `parentChannel`, its uncaught errors reach the `error` handler, and `terminate` ends it.
 */
import assert from "node:assert/strict";
import { spawnWorker } from "../../lib/runtime/workers.ts";

const ECHO = new URL("../fixtures/echo_worker.ts", import.meta.url);

Deno.test("spawnWorker() and parentChannel() carry messages both ways; errors reach the handler", async () => {
  const messages: unknown[] = [];
  const errors: unknown[] = [];
  let wake = () => {};
  const worker = await spawnWorker(ECHO, {
    message: (data) => (messages.push(data), wake()),
    error: (error) => (errors.push(error), wake()),
    exit: () => {},
  });
  try {
    const next = () => new Promise<void>((resolve) => (wake = resolve));
    let arrived = next();
    worker.post(21);
    await arrived;
    assert.deepEqual(messages, [{ echo: 21, twice: 42 }]);
    arrived = next();
    worker.post("crash");
    await arrived;
    assert.equal(errors.length, 1);
    assert.match(String((errors[0] as Error).message ?? errors[0]), /echo worker crashed/);
  } finally {
    await worker.terminate();
  }
});
