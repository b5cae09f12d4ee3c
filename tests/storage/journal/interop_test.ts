/**
 * Interoperability with Python Optuna 5.0's `JournalStorage(JournalFileBackend(path))` on the
 * same journal file, with real processes: a study written by either side reads the same on the
 * other and is continued by it. Python is `.venv-optuna/bin/python` at the repository root;
 * without it the tests are skipped with the reason printed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ask,
  createStudy,
  enqueueTrial,
  type FrozenTrial,
  getOrThrow,
  optimize,
  randomSampler,
  report,
  right,
  runOrThrow,
  setStudyUserAttr,
  setUserAttr,
  type StudyRecord,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tell,
  type Trial,
} from "../../../mod.ts";
import { floatDistribution } from "../../../lib/core/distributions.ts";
import { journalFileBackend } from "../../../lib/storage/journal/backend.ts";
import { journalStorage } from "../../../lib/storage/journal/journal.ts";
import { findOptunaPython } from "../../_helpers/python_optuna.ts";
import { trialJson } from "../../_helpers/optuna_json.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SCRIPT = join(ROOT, "tests", "fixtures", "journal", "optuna_journal.py");
const found = await findOptunaPython();
const PYTHON = "python" in found ? found.python : "";
const HAVE_PYTHON = "python" in found;
if ("why" in found) console.log(`journal interop tests skipped: ${found.why}`);

function interop(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: !HAVE_PYTHON, fn });
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const trialView = (t: FrozenTrial): unknown => trialJson(t, true);

/** Every study of the journal as a fresh storage reads it, in the Python dump's shape. */
async function ourDump(path: string): Promise<unknown[]> {
  const storage = await runOrThrow(journalStorage(journalFileBackend(path)));
  try {
    const out: unknown[] = [];
    for (const s of await runOrThrow(storage.listStudies())) {
      const trials = await runOrThrow(storage.getAllTrials(s.studyId));
      out.push(studyView(s, trials));
    }
    return out;
  } finally {
    await runOrThrow(storage.close());
  }
}

function studyView(s: StudyRecord, trials: ReadonlyArray<FrozenTrial>): unknown {
  return {
    name: s.studyName,
    directions: s.directions,
    user_attrs: s.userAttrs,
    system_attrs: s.systemAttrs,
    trials: trials.map(trialView),
  };
}

async function python(args: ReadonlyArray<string>): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: [SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.ok(out.success, `python ${args.join(" ")} failed:\n${text.decode(out.stderr)}`);
  return text.decode(out.stdout);
}

const pythonDump = async (path: string): Promise<unknown[]> =>
  JSON.parse(await python(["dump", path])) as unknown[];

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-journal-interop-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const objective = (trial: Trial) => async () => {
  const x = getOrThrow(await suggestFloat(trial, "x", -5, 5)());
  const n = getOrThrow(await suggestInt(trial, "n", 1, 9, { log: true })());
  const c = getOrThrow(await suggestCategorical(trial, "c", ["a", 2, null, true])());
  for (let step = 0; step < 3; step++) getOrThrow(await report(trial, x * step, step)());
  return right(x * x + n + (c === "a" ? 1 : 0));
};

async function continueHere(path: string, studyName: string, nTrials: number): Promise<void> {
  const storage = await runOrThrow(journalStorage(journalFileBackend(path)));
  const study = await runOrThrow(
    createStudy({ storage, studyName, loadIfExists: true, sampler: randomSampler({ seed: 5 }) }),
  );
  await runOrThrow(optimize(study, objective, { nTrials }));
  await runOrThrow(storage.close());
}

function numbersOf(dump: unknown[], name: string): number[] {
  const s = dump.find((x) => (x as { name: string }).name === name) as {
    trials: { number: number }[];
  };
  return s.trials.map((t) => t.number);
}

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

interop(
  "a journal written by Python Optuna 5.0 reads the same here and is continued by both",
  () =>
    withDir(async (dir) => {
      const path = join(dir, "py.log");
      await python(["write", path]);
      const theirs = await pythonDump(path);
      assert.deepEqual(await ourDump(path), theirs);
      assert.deepEqual(numbersOf(theirs, "py"), [0, 1, 2, 3, 4, 5, 6, 7]);

      // we continue: the enqueued trial (7) first, then new ones
      await continueHere(path, "py", 4);
      const after = await pythonDump(path);
      assert.deepEqual(await ourDump(path), after);
      const trials = (after[0] as { trials: { state: string; params: unknown }[] }).trials;
      assert.equal(trials.length, 11);
      assert.deepEqual(trials[7]?.params, { x: 1.5, n: 2, c: null });
      assert.ok(trials.slice(7).every((t) => t.state === "COMPLETE"));

      // Python continues ours
      const out = JSON.parse(await python(["continue", path, "py", "3"]));
      assert.deepEqual(out.numbers, Array.from({ length: 14 }, (_, i) => i));
      assert.deepEqual(await ourDump(path), await pythonDump(path));
    }),
);

interop(
  "a journal written here reads the same in Python Optuna 5.0 and is continued by both",
  () =>
    withDir(async (dir) => {
      const path = join(dir, "ours.log");
      const storage = await runOrThrow(journalStorage(journalFileBackend(path)));
      const study = await runOrThrow(
        createStudy({ storage, studyName: "ts", sampler: randomSampler({ seed: 11 }) }),
      );
      await runOrThrow(setStudyUserAttr(study, "owner", { name: "deno", tags: ["x", 0.5] }));
      await runOrThrow(optimize(study, objective, { nTrials: 4 }));
      const pruned = await runOrThrow(ask(study));
      await runOrThrow(suggestFloat(pruned, "x", -5, 5));
      await runOrThrow(report(pruned, NaN, 0));
      await runOrThrow(report(pruned, -Infinity, 1));
      await runOrThrow(setUserAttr(pruned, "note", { quote: "x'\"\\ é 🙂" }));
      await runOrThrow(tell(study, pruned, { state: "PRUNED" }));
      await runOrThrow(tell(study, await runOrThrow(ask(study)), { state: "FAIL" }));
      await runOrThrow(storage.createTrial(study.studyId, {
        state: "COMPLETE",
        values: [Infinity],
        params: { x: 1 },
        distributions: { x: getOrThrow(floatDistribution(-5, 5)) },
        intermediateValues: { 0: 2, 5: NaN },
        datetimeStart: Date.UTC(2026, 4, 6, 7, 8, 9) + 0.123,
        datetimeComplete: Date.UTC(2026, 4, 6, 7, 8, 10) + 999.999,
      }));
      await runOrThrow(enqueueTrial(study, { x: -1.5, n: 3, c: true }));
      const mo = await runOrThrow(
        createStudy({ storage, studyName: "ts-mo", directions: ["minimize", "maximize"] }),
      );
      await runOrThrow(optimize(mo, (t) => async () => {
        const y = getOrThrow(await suggestFloat(t, "y", 0, 1)());
        return right([y, 1 - y]);
      }, { nTrials: 2 }));
      await runOrThrow(storage.close());

      const ours = await ourDump(path);
      assert.deepEqual(await pythonDump(path), ours);
      assert.deepEqual(numbersOf(ours, "ts"), [0, 1, 2, 3, 4, 5, 6, 7]);
      // Python reads floats as floats (1.0, not 1), ints as ints
      const types = JSON.parse(await python(["types", path, "ts"]));
      assert.deepEqual(types[0], {
        params: { x: "float", n: "int", c: types[0].params.c },
        values: ["float"],
        intermediate: ["float"],
      });
      assert.deepEqual(types[6], {
        params: { x: "float" },
        values: ["float"],
        intermediate: ["float"],
      });

      // Python continues: the enqueued trial first
      const out = JSON.parse(await python(["continue", path, "ts", "3"]));
      assert.deepEqual(out.numbers, Array.from({ length: 10 }, (_, i) => i));
      const after = await pythonDump(path);
      assert.deepEqual(await ourDump(path), after);
      const t7 = (after[0] as { trials: { state: string; params: unknown }[] }).trials[7];
      assert.deepEqual(t7, { ...t7, state: "COMPLETE", params: { x: -1.5, n: 3, c: true } });

      // and we continue Python's continuation
      await continueHere(path, "ts", 2);
      assert.deepEqual(numbersOf(await pythonDump(path), "ts"), [...Array(12).keys()]);
    }),
);
