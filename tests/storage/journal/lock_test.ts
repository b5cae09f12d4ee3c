/**
 * Optuna's journal file locks on `<journal>.lock`: a held lock makes writers wait (the symlink
 * lock and the open lock alike, whoever made the lock file), a lock whose files stay unchanged
 * for the grace period is taken over, and a write leaves no lock file behind.
 */
import assert from "node:assert/strict";
import { runOrThrow } from "../../../lib/effect/mod.ts";
import { journalFileBackend, type JournalLockKind } from "../../../lib/storage/journal/backend.ts";
import { journalStorage } from "../../../lib/storage/journal/journal.ts";

async function withJournal(f: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-journal-lock-" });
  try {
    await f(`${dir}/study.log`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** Makes the lock file as Optuna's lock of that kind makes it. */
async function holdLock(path: string, kind: JournalLockKind): Promise<void> {
  if (kind === "symlink") await Deno.symlink(path, `${path}.lock`);
  else await Deno.writeTextFile(`${path}.lock`, "");
}

for (const kind of ["symlink", "open"] as const) {
  Deno.test(`${kind} lock: a writer waits while the lock is held and writes once it is released`, () =>
    withJournal(async (path) => {
      const storage = await runOrThrow(
        journalStorage(journalFileBackend(path, { lock: kind, lockGracePeriodMs: null })),
      );
      await holdLock(path, kind);
      let done = false;
      const pending = storage.createStudy({ studyName: "s", directions: ["minimize"] })()
        .then((e) => {
          done = true;
          return e;
        });
      await new Promise((ok) => setTimeout(ok, 300));
      assert.equal(done, false, "wrote while another process held the lock");
      assert.equal(await Deno.readTextFile(path), "");
      await Deno.remove(`${path}.lock`);
      assert.equal((await pending)._tag, "Right");
      assert.match(await Deno.readTextFile(path), /"study_name":"s"/);
      assert.equal(await exists(`${path}.lock`), false, "the lock file was left behind");
      await runOrThrow(storage.close());
    }));

  Deno.test(`${kind} lock: a lock unchanged for the grace period is taken over (its holder died)`, () =>
    withJournal(async (path) => {
      const storage = await runOrThrow(
        journalStorage(journalFileBackend(path, { lock: kind, lockGracePeriodMs: 400 })),
      );
      await holdLock(path, kind);
      const started = performance.now();
      await runOrThrow(storage.createStudy({ studyName: "s", directions: ["minimize"] }));
      assert.ok(performance.now() - started >= 400, "took the lock before the grace period");
      assert.equal(await exists(`${path}.lock`), false);
      assert.equal((await runOrThrow(storage.listStudies())).length, 1);
      await runOrThrow(storage.close());
    }));
}

Deno.test("a symlink lock whose target is gone is taken over after the grace period", () =>
  withJournal(async (path) => {
    const storage = await runOrThrow(
      journalStorage(journalFileBackend(path, { lockGracePeriodMs: 300 })),
    );
    await Deno.symlink(`${path}.gone`, `${path}.lock`);
    await runOrThrow(storage.createStudy({ studyName: "s", directions: ["minimize"] }));
    assert.equal(await exists(`${path}.lock`), false);
    await runOrThrow(storage.close());
  }));
