/**
 * Kill-and-resume: a real child `deno` process trains with checkpoints, is killed with
 * SIGKILL mid-training, and a second child resumes; the result, the checkpoints and the log
 * must equal those of an uninterrupted run, byte for byte.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const fixture = new URL("../fixtures/trainer_child.ts", import.meta.url).pathname;

function command(args: ReadonlyArray<string>, stdout: "piped" | "null" = "piped"): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture, ...args],
    stdout,
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

/** Runs the child to completion and returns its stdout. */
async function runToEnd(args: ReadonlyArray<string>): Promise<string> {
  const out = await command(args).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(out.success, `child failed: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

/** Starts the child, kills it with SIGKILL once it prints `line`, and waits for its end. */
async function killWhen(args: ReadonlyArray<string>, line: string): Promise<void> {
  const child = command(args).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let seen = false;
  while (!seen) {
    const { value, done } = await lines.read();
    if (done) break;
    buffer += value;
    seen = buffer.split("\n").includes(line);
  }
  assert.ok(seen, `child ended before printing '${line}'`);
  child.kill("SIGKILL");
  const status = await child.status;
  await lines.cancel();
  await child.stderr.cancel();
  assert.equal(status.signal, "SIGKILL");
  assert.equal(status.success, false);
}

/** Every file under `root`, relative path → bytes as hex-free string. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const sub of ["chkpt/reg", "logs"]) {
    for (const name of (await readdir(join(root, sub))).sort()) {
      out.set(`${sub}/${name}`, await readFile(join(root, sub, name), "utf8"));
    }
  }
  return out;
}

async function assertSameRun(reference: string, resumed: string): Promise<void> {
  assert.equal(
    await readFile(join(resumed, "out.json"), "utf8"),
    await readFile(join(reference, "out.json"), "utf8"),
  );
  const a = await snapshot(reference), b = await snapshot(resumed);
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [name, bytes] of a) assert.equal(b.get(name), bytes, `${name} differs`);
}

for (const unit of ["epoch", "iteration"] as const) {
  Deno.test(`fit() resumes a child killed with SIGKILL mid-training bit for bit (${unit} unit)`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const reference = join(dir, "reference"), run = join(dir, "run");
      await runToEnd(["--unit", unit, "--root", reference, "--out", join(reference, "out.json")]);

      // Batch 23 of the epoch run is in epoch 2 (15 batches an epoch; last checkpoint after
      // epoch 1); batch 37 of the iteration run is half of iteration 19 (last checkpoint at 15).
      const pauseAt = unit === "epoch" ? "23" : "37";
      await killWhen(["--unit", unit, "--root", run, "--pause-at", pauseAt], "paused");
      const left = await readdir(join(run, "chkpt", "reg"));
      assert.deepEqual(
        left.sort(),
        unit === "epoch"
          ? ["reg_epoch_1_iter_15.json"]
          : ["reg_epoch_1_iter_5.json", "reg_epoch_2_iter_10.json", "reg_epoch_2_iter_15.json"],
      );
      await assert.rejects(readFile(join(run, "out.json")));

      const text = await runToEnd(["--unit", unit, "--root", run, "--out", join(run, "out.json")]);
      const expected = unit === "epoch" ? "reg_epoch_1_iter_15.json" : "reg_epoch_2_iter_15.json";
      assert.match(text, new RegExp(`done resumedFrom=.*${expected}`));
      // The resumed child starts with the batch after the checkpoint, not from scratch.
      assert.equal(text.split("\n")[0], unit === "epoch" ? "batch 16" : "batch 31");
      await assertSameRun(reference, run);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("fit() resumes bit for bit after two free-running SIGKILLs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const reference = join(dir, "reference"), run = join(dir, "run");
    const common = ["--unit", "iteration", "--delay", "2"];
    await runToEnd([...common, "--root", reference, "--out", join(reference, "out.json")]);
    await killWhen([...common, "--root", run], "batch 17");
    await killWhen([...common, "--root", run], "batch 51");
    await runToEnd([...common, "--root", run, "--out", join(run, "out.json")]);
    await assertSameRun(reference, run);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
