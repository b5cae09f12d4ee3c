/**
 * Data-parallel kill-and-resume: a real child process trains with `fitParallel` (2 ranks as
 * Workers, checkpoints every epoch), is killed with SIGKILL mid-training (every rank with it),
 * and a second child resumes from the last checkpoint: its result, every checkpoint and the log
 * equal an uninterrupted run's, byte for byte.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const fixture = new URL("../../fixtures/parallel_child.ts", import.meta.url).pathname;

function command(args: ReadonlyArray<string>): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

async function runToEnd(args: ReadonlyArray<string>): Promise<string> {
  const out = await command(args).output();
  assert.ok(out.success, `child failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** Starts the child, kills it with SIGKILL once it prints `paused`, waits for its end. */
async function killWhenPaused(args: ReadonlyArray<string>): Promise<void> {
  const child = command(args).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (!buffer.split("\n").includes("paused")) {
    const { value, done } = await lines.read();
    if (done) break;
    buffer += value;
  }
  assert.ok(buffer.includes("paused"), "the child ended before pausing");
  child.kill("SIGKILL");
  const status = await child.status;
  await lines.cancel();
  await child.stderr.cancel();
  assert.equal(status.signal, "SIGKILL");
}

async function files(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const sub of ["chkpt/regression", "logs"]) {
    for (const name of (await readdir(join(root, sub))).sort()) {
      out.set(`${sub}/${name}`, await readFile(join(root, sub, name), "utf8"));
    }
  }
  return out;
}

Deno.test("fitParallel() resumes every rank from the last checkpoint after a SIGKILL of the process, bit for bit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const reference = join(dir, "reference"), run = join(dir, "run");
    await runToEnd(["--root", reference, "--out", join(reference, "out.json")]);

    await killWhenPaused(["--root", run, "--pause-at", "4"]);
    assert.deepEqual((await readdir(join(run, "chkpt", "regression"))).sort(), [
      "regression_epoch_1_iter_6.json",
      "regression_epoch_2_iter_12.json",
      "regression_epoch_3_iter_18.json",
    ]);

    const text = await runToEnd(["--root", run, "--out", join(run, "out.json")]);
    assert.match(text, /done resumedFrom=.*regression_epoch_3_iter_18\.json/);
    const expected = JSON.parse(await readFile(join(reference, "out.json"), "utf8"));
    const resumed = JSON.parse(await readFile(join(run, "out.json"), "utf8"));
    assert.deepEqual(resumed, expected);
    assert.deepEqual(resumed.states[1], resumed.states[0], "both ranks resumed alike");
    const a = await files(reference), b = await files(run);
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [name, bytes] of a) assert.equal(b.get(name), bytes, `${name} differs`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
