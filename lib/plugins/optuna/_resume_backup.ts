/**
 * The backup step of `resumeStudy`: an SQLite file copied whole (`VACUUM INTO` a
 * temporary file, flushed, renamed `<stem>_backup-<k>.db`), or on other storages the study
 * copied under a temporary name and renamed `<studyName>_backup-<k>`.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { importNodeSqlite } from "../../storage/rdb/sqlite_driver.ts";
import {
  bracket,
  fromTask,
  gen,
  left,
  orElse,
  type TaskEither,
  tryCatch,
} from "../../effect/mod.ts";
import { type HyperionError, storageError } from "../../errors.ts";
import type { Storage } from "../../storage/storage.ts";
import { copyStudy } from "../../study/mod.ts";
import { locate, type Located, mark, temporaries } from "./_resume_swap.ts";

/** `sqlite:///x.db` → path of the file, else undefined. */
function sqlitePath(url: string): string | undefined {
  const m = /^sqlite:\/\/\/(.+)$/.exec(url);
  return m ? m[1] : undefined;
}

function nextBackupIndex(names: Iterable<string>, pattern: RegExp): number {
  let max = -1;
  for (const name of names) {
    const m = pattern.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `VACUUM INTO tmp` on a read-only handle on `path`, closed whatever happens. */
function vacuumInto(path: string, tmp: string): TaskEither<unknown, void> {
  return bracket(
    tryCatch(async () => {
      const sqlite = await importNodeSqlite();
      if (sqlite._tag === "Left") throw new Error(sqlite.left);
      return new sqlite.right.DatabaseSync(path, { readOnly: true, timeout: 5000 });
    }, (e) => e),
    (db) => tryCatch(() => void db.prepare("VACUUM INTO ?").run(tmp), (e) => e),
    (db) => tryCatch(() => void db.close(), (e) => e),
  );
}

/** Flushes the file `path` to disk, its handle closed whatever happens. */
function syncFile(path: string): TaskEither<unknown, void> {
  return bracket(
    tryCatch(() => open(path, "r+"), (e) => e),
    (handle) => tryCatch(() => handle.sync(), (e) => e),
    (handle) => tryCatch(() => handle.close(), (e) => e),
  );
}

/** Removes the temporary files an interrupted backup of `stem` left in `dir`. */
async function removeLeftovers(
  dir: string,
  names: ReadonlyArray<string>,
  stem: string,
): Promise<void> {
  const leftover = new RegExp(`^${escapeRegExp(stem)}_backup-\\d+\\.db\\.[0-9a-f-]{36}\\.tmp$`);
  for (const name of names) {
    if (leftover.test(name)) await unlink(join(dir, name)).catch(() => undefined);
  }
}

/** Copies the SQLite file to `<stem>_backup-<k>.db` through a temporary file; returns it. */
function backupFile(path: string): TaskEither<HyperionError, string | undefined> {
  return gen(function* (_) {
    if (!existsSync(path)) return undefined;
    const dir = dirname(path);
    const stem = basename(path, extname(path));
    const names = yield* _(fromTask(() => readdir(dir)));
    yield* _(fromTask(() => removeLeftovers(dir, names, stem)));
    const k = nextBackupIndex(names, new RegExp(`^${escapeRegExp(stem)}_backup-(\\d+)\\.db$`));
    const target = join(dir, `${stem}_backup-${k}.db`);
    const tmp = `${target}.${globalThis.crypto.randomUUID()}.tmp`;
    const copy = gen(function* (_) {
      yield* _(vacuumInto(path, tmp));
      yield* _(syncFile(tmp));
      yield* _(tryCatch(() => rename(tmp, target), (e) => e));
    });
    yield* _(orElse(copy, (e) => async () => {
      await unlink(tmp).catch(() => undefined);
      return left(storageError(`back up '${path}' to '${target}'`, e));
    }));
    return target;
  });
}

/**
 * Backs the study up before anything changes: the SQLite file as a whole, else the study (or
 * the original a killed swap parked) copied under a temporary name, then renamed
 * `<name>_backup-<k>`. On storages other than SQLite, an unmarked study is first marked, so that
 * the temporary copy is known to be this function's own if the process dies during the copy.
 */
export function backup(
  storage: Storage,
  name: string,
  at: Located,
): TaskEither<HyperionError, Located> {
  return gen(function* (_) {
    const source = at.current ?? at.parked;
    if (source === undefined) return at;
    const path = sqlitePath(storage.url);
    if (path !== undefined) {
      yield* _(backupFile(path));
      return at;
    }
    let tag = at.tag;
    if (tag === undefined) {
      tag = globalThis.crypto.randomUUID();
      yield* _(mark(storage, source.studyId, name, tag));
    }
    const tmpName = temporaries(name, tag).backup;
    const stale = at.studies.find((s) => s.studyName === tmpName);
    if (stale !== undefined) yield* _(storage.deleteStudy(stale.studyId));
    yield* _(copyStudy({
      fromStudyName: source.studyName,
      fromStorage: storage,
      toStorage: storage,
      toStudyName: tmpName,
    }));
    const k = nextBackupIndex(
      at.studies.map((s) => s.studyName),
      new RegExp(`^${escapeRegExp(name)}_backup-(\\d+)$`),
    );
    const copy = yield* _(storage.getStudy(tmpName));
    yield* _(storage.renameStudy({ studyId: copy.studyId, studyName: `${name}_backup-${k}` }));
    return yield* _(locate(storage, name));
  });
}
