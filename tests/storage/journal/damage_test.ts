/**
 * Damaged journals: a truncated last line (a crash during a write), garbage lines, operations
 * of a newer Optuna. The valid prefix is read, the damage is reported by line number, writes
 * are refused, and the file's bytes never change. Operations that merely do not apply (another
 * worker's duplicate study, a write to a finished trial) are skipped as Optuna skips them.
 */
import assert from "node:assert/strict";
import { runOrThrow } from "../../../lib/effect/mod.ts";
import { journalFileBackend } from "../../../lib/storage/journal/backend.ts";
import {
  type JournalDamage,
  type JournalStorage,
  journalStorage,
} from "../../../lib/storage/journal/journal.ts";

async function withJournal(f: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-journal-damage-" });
  try {
    await f(`${dir}/study.log`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A journal with the study "s" and three finished trials, written by our storage. */
async function writeStudy(path: string): Promise<void> {
  const storage = await runOrThrow(journalStorage(journalFileBackend(path)));
  const s = await runOrThrow(storage.createStudy({ studyName: "s", directions: ["minimize"] }));
  for (let i = 0; i < 3; i++) {
    const t = await runOrThrow(storage.createTrial(s.studyId));
    await runOrThrow(
      storage.setTrialStateValues({ trialId: t.trialId, state: "COMPLETE", values: [i] }),
    );
  }
  await runOrThrow(storage.close());
}

async function open(path: string): Promise<{ storage: JournalStorage; seen: JournalDamage[] }> {
  const seen: JournalDamage[] = [];
  const storage = await runOrThrow(
    journalStorage(journalFileBackend(path), { onDamage: (d) => seen.push(d) }),
  );
  return { storage, seen };
}

async function trialCount(storage: JournalStorage): Promise<number> {
  const s = await runOrThrow(storage.getStudy("s"));
  return (await runOrThrow(storage.getAllTrials(s.studyId))).length;
}

async function append(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text, { append: true });
}

/** Every write is refused with a StorageError naming the line, and the bytes stay. */
async function assertWritesRefused(
  storage: JournalStorage,
  path: string,
  line: number,
): Promise<void> {
  const before = await Deno.readFile(path);
  const s = await runOrThrow(storage.getStudy("s"));
  for (
    const call of [
      storage.createTrial(s.studyId),
      storage.createStudy({ studyName: "t", directions: ["maximize"] }),
      storage.setStudyAttr({ id: s.studyId, kind: "user", key: "k", value: 1 }),
    ]
  ) {
    const e = await call();
    assert.equal(e._tag, "Left");
    const err = (e as { left: { _tag: string; message: string } }).left;
    assert.equal(err._tag, "StorageError");
    assert.match(err.message, new RegExp(`line ${line} of the journal .* is damaged`));
    assert.match(err.message, /nothing was written/);
  }
  assert.deepEqual(await Deno.readFile(path), before, "the journal's bytes changed");
}

Deno.test("a truncated last line is skipped when reading (a write in progress), as Optuna does, and refused before a write", () =>
  withJournal(async (path) => {
    await writeStudy(path);
    const lines = (await Deno.readTextFile(path)).split("\n").length - 1;
    await append(path, '{"op_code":4,"worker_id":"w","study_id":0,"datetime_st');
    const { storage, seen } = await open(path);
    assert.equal(await trialCount(storage), 3);
    assert.equal(storage.damage(), undefined);
    assert.deepEqual(seen, []);
    // a write takes the lock: nobody is writing, so the partial line is a crash's leftover
    await assertWritesRefused(storage, path, lines + 1);
    assert.equal(storage.damage()?.line, lines + 1);
    assert.match(storage.damage()?.reason ?? "", /incomplete last line/);
    assert.equal(seen.length, 1);
    assert.equal(await trialCount(storage), 3, "reads still answer from the valid prefix");
    await runOrThrow(storage.close());
  }));

Deno.test("a garbage line stops the replay there: earlier lines are read, the line is reported, writes refused", () =>
  withJournal(async (path) => {
    await writeStudy(path);
    const lines = (await Deno.readTextFile(path)).split("\n").length - 1;
    await append(path, "this is not JSON\n");
    await append(path, '{"op_code":4,"worker_id":"w","study_id":0,"datetime_start":null}\n');
    const { storage, seen } = await open(path);
    assert.equal(await trialCount(storage), 3);
    const d = storage.damage();
    assert.equal(d?.line, lines + 1);
    assert.match(d?.reason ?? "", /not JSON/);
    assert.equal(d?.text, "this is not JSON");
    assert.equal(d?.byteOffset, (await Deno.readTextFile(path)).indexOf("this is not JSON"));
    assert.deepEqual(seen, [d]);
    await assertWritesRefused(storage, path, lines + 1);
    await runOrThrow(storage.close());
  }));

Deno.test("an operation of a newer Optuna (unknown op_code) or a malformed one is damage named by its line", () =>
  withJournal(async (path) => {
    for (
      const [line, reason] of [
        [
          '{"op_code":11,"worker_id":"w","study_id":0}',
          /unknown op_code 11 \(written by a newer Optuna\?\)/,
        ],
        ['{"op_code":4,"worker_id":"w"}', /'study_id' is not a number/],
        [
          '{"op_code":5,"worker_id":"w","trial_id":0,"param_name":"x","param_value_internal":1,"distribution":"{}"}',
          /unreadable distribution/,
        ],
        ["[1,2]", /not a JSON object/],
        ['{"worker_id":"w"}', /no integer 'op_code'/],
      ] as const
    ) {
      await Deno.remove(path).catch(() => undefined);
      await writeStudy(path);
      const lines = (await Deno.readTextFile(path)).split("\n").length - 1;
      await append(path, line + "\n");
      const { storage } = await open(path);
      assert.equal(await trialCount(storage), 3, line);
      assert.equal(storage.damage()?.line, lines + 1, line);
      assert.match(storage.damage()?.reason ?? "", reason);
      await assertWritesRefused(storage, path, lines + 1);
      await runOrThrow(storage.close());
    }
  }));

Deno.test("another worker's operations that do not apply are skipped, not damage, as Optuna skips them", () =>
  withJournal(async (path) => {
    await writeStudy(path);
    const w = '"worker_id":"other-worker-1"';
    await append(
      path,
      [
        `{"op_code":0,${w},"study_name":"s","directions":[2]}`, // duplicate name
        `{"op_code":6,${w},"trial_id":0,"state":3,"values":null,"datetime_complete":"2026-01-01T00:00:00.000000+00:00"}`, // finished
        `{"op_code":7,${w},"trial_id":99,"step":0,"intermediate_value":1.0}`, // missing trial
        `{"op_code":2,${w},"study_id":7,"user_attr":{"k":1}}`, // missing study
        `{"op_code":10,${w}}`, // Rustuna's DISCARD_TRIALS
        `{"op_code":4,${w},"study_id":0,"datetime_start":"2026-01-01T00:00:00.000000+00:00"}`,
      ].join("\n") + "\n",
    );
    const { storage, seen } = await open(path);
    assert.equal(storage.damage(), undefined);
    assert.deepEqual(seen, []);
    const s = await runOrThrow(storage.getStudy("s"));
    assert.deepEqual(s.directions, ["minimize"]);
    const trials = await runOrThrow(storage.getAllTrials(s.studyId));
    assert.deepEqual(trials.map((t) => t.state), ["COMPLETE", "COMPLETE", "COMPLETE", "RUNNING"]);
    assert.equal(trials[3]?.datetimeStart, Date.UTC(2026, 0, 1));
    // and writing continues normally
    await runOrThrow(storage.createTrial(s.studyId));
    assert.equal(await trialCount(storage), 5);
    await runOrThrow(storage.close());
  }));

Deno.test("lines that only parse together with their neighbours are damage at their own line", () =>
  withJournal(async (path) => {
    await writeStudy(path);
    const lines = (await Deno.readTextFile(path)).split("\n").length - 1;
    // a broken line and its continuation, then a line holding two objects, so that the lines
    // joined still parse to as many values as there are lines
    await append(
      path,
      [
        '{"op_code":4,"worker_id":"w","study_id":0,"datetime_start":null,"x":[1',
        "2]}",
        '{"op_code":10,"worker_id":"w"},{"op_code":10,"worker_id":"w"}',
      ].join("\n") + "\n",
    );
    const { storage } = await open(path);
    assert.equal(storage.damage()?.line, lines + 1);
    assert.equal(await trialCount(storage), 3);
    await runOrThrow(storage.close());
  }));
