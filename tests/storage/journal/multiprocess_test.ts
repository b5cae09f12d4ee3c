/**
 * Several real processes optimising one study on one journal file: no trial lost or
 * duplicated, numbers 0..N-1 each exactly once, every trial complete with all its writes;
 * also Hyperion and Python Optuna 5.0 processes together on one journal (Optuna's lock on
 * both sides).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runOrThrow } from "../../../lib/effect/mod.ts";
import { journalFileBackend } from "../../../lib/storage/journal/backend.ts";
import { journalStorage } from "../../../lib/storage/journal/journal.ts";
import { findOptunaPython } from "../../_helpers/python_optuna.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const WORKER = join(ROOT, "tests", "fixtures", "optimize_worker.ts");
const found = await findOptunaPython();
const PYTHON = "python" in found ? found.python : "";
if ("why" in found) console.log(`the Optuna-and-Hyperion journal test is skipped: ${found.why}`);
const PY_WORKER = join(ROOT, "tests", "fixtures", "journal", "optuna_journal.py");

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: ReadonlyArray<string>, startAt: number): Promise<Outcome> {
  return new Deno.Command(cmd, {
    args: [...args],
    env: { START_AT: String(startAt), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output().then((o) => ({
    code: o.code,
    stdout: new TextDecoder().decode(o.stdout),
    stderr: new TextDecoder().decode(o.stderr),
  }));
}

const denoWorker = (path: string, n: number, startAt: number) =>
  run(Deno.execPath(), ["run", "-A", WORKER, `journal://${path}`, "shared", String(n)], startAt);

const pythonWorker = (path: string, n: number, startAt: number) =>
  run(PYTHON, [PY_WORKER, "worker", path, "shared", String(n)], startAt);

function numbersOf(o: Outcome): number[] {
  assert.equal(o.code, 0, `a worker failed:\n${o.stderr}\n${o.stdout}`);
  const lines = o.stdout.trim().split("\n");
  return (JSON.parse(lines[lines.length - 1] as string) as { numbers: number[] }).numbers;
}

async function checkStudy(path: string, total: number, ran: number[]): Promise<void> {
  assert.deepEqual([...ran].sort((a, b) => a - b), [...Array(total).keys()]);
  const storage = await runOrThrow(journalStorage(journalFileBackend(path)));
  const s = await runOrThrow(storage.getStudy("shared"));
  const trials = await runOrThrow(storage.getAllTrials(s.studyId));
  assert.deepEqual(trials.map((t) => t.number), [...Array(total).keys()]);
  assert.deepEqual(new Set(trials.map((t) => t.trialId)).size, total);
  for (const t of trials) {
    assert.equal(t.state, "COMPLETE", `trial ${t.number}`);
    assert.deepEqual(Object.keys(t.params).sort(), ["c", "n", "x"]);
    assert.ok(Object.keys(t.intermediateValues).length >= 3, `trial ${t.number}`);
  }
  assert.equal(storage.damage(), undefined);
  await runOrThrow(storage.close());
}

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-journal-mp-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("4 processes optimising one study on one journal run trials 0..159, each exactly once", () =>
  withDir(async (dir) => {
    const path = join(dir, "shared.log");
    const startAt = Date.now() + 1500;
    const outcomes = await Promise.all([0, 1, 2, 3].map(() => denoWorker(path, 40, startAt)));
    const ran = outcomes.flatMap(numbersOf);
    for (const o of outcomes) assert.equal(o.stderr.trim(), "", o.stderr);
    await checkStudy(path, 160, ran);
    assert.ok(!existsSync(`${path}.lock`), "the lock file was left behind");
  }));

Deno.test({
  name: "Hyperion and Python Optuna processes together on one journal share trials 0..79",
  ignore: PYTHON === "",
  fn: () =>
    withDir(async (dir) => {
      const path = join(dir, "shared.log");
      const startAt = Date.now() + 4000; // Python takes longer to import Optuna
      const outcomes = await Promise.all([
        denoWorker(path, 20, startAt),
        pythonWorker(path, 20, startAt),
        denoWorker(path, 20, startAt),
        pythonWorker(path, 20, startAt),
      ]);
      await checkStudy(path, 80, outcomes.flatMap(numbersOf));
    }),
});
