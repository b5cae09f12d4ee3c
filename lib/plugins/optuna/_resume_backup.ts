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
import { DatabaseSync } from "node:sqlite";
import { type Either, left, right } from "../../effect/mod.ts";
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

/** Copies the SQLite file to `<stem>_backup-<k>.db` through a temporary file; returns it. */
async function backupFile(path: string): Promise<Either<HyperionError, string | undefined>> {
  if (!existsSync(path)) return right(undefined);
  const dir = dirname(path);
  const stem = basename(path, extname(path));
  const names = await readdir(dir);
  const leftover = new RegExp(`^${escapeRegExp(stem)}_backup-\\d+\\.db\\.[0-9a-f-]{36}\\.tmp$`);
  for (const name of names) {
    if (leftover.test(name)) await unlink(join(dir, name)).catch(() => undefined);
  }
  const k = nextBackupIndex(names, new RegExp(`^${escapeRegExp(stem)}_backup-(\\d+)\\.db$`));
  const target = join(dir, `${stem}_backup-${k}.db`);
  const tmp = `${target}.${globalThis.crypto.randomUUID()}.tmp`;
  try {
    const db = new DatabaseSync(path, { readOnly: true, timeout: 5000 });
    try {
      db.prepare("VACUUM INTO ?").run(tmp);
    } finally {
      db.close();
    }
    const handle = await open(tmp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    return left(storageError(`back up '${path}' to '${target}'`, e));
  }
  return right(target);
}

/**
 * Backs the study up before anything changes: the SQLite file as a whole, else the study (or
 * the original a killed swap parked) copied under a temporary name, then renamed
 * `<name>_backup-<k>`. On storages other than SQLite, an unmarked study is first marked, so that
 * the temporary copy is known to be this function's own if the process dies during the copy.
 */
export async function backup(
  storage: Storage,
  name: string,
  at: Located,
): Promise<Either<HyperionError, Located>> {
  const source = at.current ?? at.parked;
  if (source === undefined) return right(at);
  const path = sqlitePath(storage.url);
  if (path !== undefined) {
    const copied = await backupFile(path);
    return copied._tag === "Left" ? copied : right(at);
  }
  let tag = at.tag;
  if (tag === undefined) {
    tag = globalThis.crypto.randomUUID();
    const marked = await mark(storage, source.studyId, name, tag);
    if (marked._tag === "Left") return marked;
  }
  const tmpName = temporaries(name, tag).backup;
  const stale = at.studies.find((s) => s.studyName === tmpName);
  if (stale !== undefined) {
    const removed = await storage.deleteStudy(stale.studyId)();
    if (removed._tag === "Left") return removed;
  }
  const copied = await copyStudy({
    fromStudyName: source.studyName,
    fromStorage: storage,
    toStorage: storage,
    toStudyName: tmpName,
  })();
  if (copied._tag === "Left") return copied;
  const k = nextBackupIndex(
    at.studies.map((s) => s.studyName),
    new RegExp(`^${escapeRegExp(name)}_backup-(\\d+)$`),
  );
  const copy = await storage.getStudy(tmpName)();
  if (copy._tag === "Left") return copy;
  const renamed = await storage.renameStudy({
    studyId: copy.right.studyId,
    studyName: `${name}_backup-${k}`,
  })();
  if (renamed._tag === "Left") return renamed;
  return locate(storage, name);
}
