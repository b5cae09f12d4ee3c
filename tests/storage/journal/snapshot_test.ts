/**
 * Snapshots beside the journal (`<path>.snapshot`): written on close once enough lines were
 * replayed, used by the next open (which then reads only what was appended since), and
 * ignored when they no longer match the journal's bytes or cannot be read.
 */
import assert from "node:assert/strict";
import { runOrThrow } from "../../../lib/effect/mod.ts";
import type { FrozenTrial } from "../../../lib/core/trial.ts";
import { encodeLog, formatIso, OP } from "../../../lib/storage/journal/_format.ts";
import { SNAPSHOT_EVERY } from "../../../lib/storage/journal/_snapshot.ts";
import { journalFileBackend } from "../../../lib/storage/journal/backend.ts";
import { journalStorage } from "../../../lib/storage/journal/journal.ts";

/** Journal lines of `n` trials (params, NaN/inf reports, attributes), as Optuna writes them. */
function journalText(n: number, studyName = "s"): string {
  const w = "test-worker";
  const lines = [
    encodeLog({ op_code: OP.CREATE_STUDY, worker_id: w, study_name: studyName, directions: [1] }),
  ];
  const float =
    '{"name": "FloatDistribution", "attributes": {"step": null, "low": -5.0, "high": 5.0, "log": false}}';
  const cat = '{"name": "CategoricalDistribution", "attributes": {"choices": ["a", 2, null]}}';
  for (let i = 0; i < n; i++) {
    const start = formatIso(Date.UTC(2026, 0, 1) + i);
    lines.push(
      encodeLog({ op_code: OP.CREATE_TRIAL, worker_id: w, study_id: 0, datetime_start: start }),
    );
    lines.push(
      encodeLog({
        op_code: OP.SET_TRIAL_PARAM,
        worker_id: w,
        trial_id: i,
        param_name: "x",
        param_value_internal: i / n,
        distribution: float,
      }),
    );
    lines.push(
      encodeLog({
        op_code: OP.SET_TRIAL_PARAM,
        worker_id: w,
        trial_id: i,
        param_name: "c",
        param_value_internal: i % 3,
        distribution: cat,
      }),
    );
    lines.push(
      encodeLog({
        op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE,
        worker_id: w,
        trial_id: i,
        step: 0,
        intermediate_value: i % 7 === 0 ? NaN : -Infinity,
      }),
    );
    lines.push(
      encodeLog({
        op_code: OP.SET_TRIAL_USER_ATTR,
        worker_id: w,
        trial_id: i,
        user_attr: { i: [i, "x"] },
      }),
    );
    if (i % 5 !== 4) {
      lines.push(
        encodeLog({
          op_code: OP.SET_TRIAL_STATE_VALUES,
          worker_id: w,
          trial_id: i,
          state: 1,
          values: [i === 0 ? Infinity : i],
          datetime_complete: start,
        }),
      );
    }
  }
  return lines.join("\n") + "\n";
}

async function readAll(path: string, snapshot: boolean): Promise<ReadonlyArray<FrozenTrial>> {
  const storage = await runOrThrow(journalStorage(journalFileBackend(path, { snapshot })));
  const s = await runOrThrow(storage.getStudy("s"));
  const trials = await runOrThrow(storage.getAllTrials(s.studyId));
  await runOrThrow(storage.close());
  return trials;
}

async function withJournal(f: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-journal-snapshot-" });
  try {
    await f(`${dir}/study.log`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const N = Math.ceil(SNAPSHOT_EVERY / 5) + 10;

Deno.test("a snapshot written on close is read by the next open, which then reads only what was appended", () =>
  withJournal(async (path) => {
    await Deno.writeTextFile(path, journalText(N));
    const replayed = await readAll(path, false);
    await assert.rejects(Deno.stat(`${path}.snapshot`), "snapshot: false writes none");
    assert.deepEqual(await readAll(path, true), replayed); // replays, writes the snapshot on close
    const stat = await Deno.stat(`${path}.snapshot`);
    assert.ok(stat.size > 0);
    assert.deepEqual(await readAll(path, true), replayed); // from the snapshot
    // proof that the covered prefix is not read again: damage early in it goes unseen
    const text = await Deno.readTextFile(path);
    const second = text.indexOf("\n") + 1;
    await Deno.writeTextFile(path, text.slice(0, second) + "#" + text.slice(second + 1));
    const fromSnapshot = await runOrThrow(journalStorage(journalFileBackend(path)));
    assert.equal(fromSnapshot.damage(), undefined);
    await runOrThrow(fromSnapshot.close());
    const replaying = await runOrThrow(
      journalStorage(journalFileBackend(path, { snapshot: false }), { onDamage: () => {} }),
    );
    assert.equal(replaying.damage()?.line, 2);
    await runOrThrow(replaying.close());
    await Deno.writeTextFile(path, text);
    // the snapshot is used: a journal whose prefix it covers reads its answer for that prefix
    const storage = await runOrThrow(journalStorage(journalFileBackend(path)));
    const s = await runOrThrow(storage.getStudy("s"));
    const t = await runOrThrow(storage.createTrial(s.studyId));
    assert.equal(t.number, N);
    await runOrThrow(storage.setTrialStateValues({ trialId: t.trialId, state: "FAIL" }));
    await runOrThrow(storage.close());
    const after = await readAll(path, true);
    assert.deepEqual(after.slice(0, N), replayed);
    assert.deepEqual(after.map((x) => x.state).slice(N), ["FAIL"]);
    assert.deepEqual(after, await readAll(path, false));
  }));

Deno.test("a snapshot of another journal (replaced, rewritten or truncated) is ignored", () =>
  withJournal(async (path) => {
    await Deno.writeTextFile(path, journalText(N));
    await readAll(path, true); // writes the snapshot
    // the same length, other bytes: a different journal under the same name
    await Deno.writeTextFile(path, journalText(N).replaceAll('"x"', '"y"'));
    const trials = await readAll(path, true);
    assert.ok(trials.every((t) => Object.hasOwn(t.params, "y")));
    // truncated below the snapshot's offset
    await Deno.writeTextFile(path, journalText(3));
    assert.equal((await readAll(path, true)).length, 3);
  }));

Deno.test("an unreadable snapshot is ignored and the journal replayed", () =>
  withJournal(async (path) => {
    await Deno.writeTextFile(path, journalText(20));
    const replayed = await readAll(path, false);
    for (
      const garbage of [
        "not json",
        "{}",
        '{"format":"hyperion-journal-snapshot","version":1}',
        "[1]",
      ]
    ) {
      await Deno.writeTextFile(`${path}.snapshot`, garbage);
      assert.deepEqual(await readAll(path, true), replayed, garbage);
    }
  }));
