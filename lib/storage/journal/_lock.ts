/**
 * Optuna's journal file locks, on the same lock file (`<journal>.lock`) so that Python and
 * Hyperion processes exclude each other: the symlink lock (`JournalFileSymlinkLock`, the
 * default; `symlink(2)` is atomic on NFSv2 and later) and the open lock (`JournalFileOpenLock`,
 * `open(O_CREAT | O_EXCL)`, atomic on NFSv3 and later). A lock whose file has not changed for
 * the grace period (30 s, as Optuna) is taken over: its holder died. Release renames the lock
 * file to a unique name before removing it, as Optuna does, so that two processes never both
 * remove one lock. Private to the journal storage.
 *
 * @module
 */
import {
  closeSync,
  lstatSync,
  openSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import type { JournalLockKind } from "./backend.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Which of Optuna's locks. */
export type LockKind = JournalLockKind;

/** A file lock: acquire waits until held; release gives it up. */
export interface FileLock {
  readonly kind: LockKind;
  readonly acquire: () => Promise<void>;
  readonly release: () => Promise<void>;
}

/** Optuna's `LOCK_FILE_SUFFIX`. */
export const LOCK_SUFFIX = ".lock";

const FIRST_SLEEP_MS = 1;
const MAX_SLEEP_MS = 8;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The lock of the journal at `path`. `gracePeriodMs`: how long a lock file may stay unchanged
 * before it is taken over (`null`: never).
 */
export function fileLock(path: string, kind: LockKind, gracePeriodMs: number | null): FileLock {
  const lockPath = path + LOCK_SUFFIX;
  const tryCreate = kind === "symlink"
    ? () => symlinkSync(path, lockPath)
    : () => closeSync(openSync(lockPath, "wx"));
  return {
    kind,
    // the holder removes its own lock; a takeover renames first, as Optuna's release does
    release: () => {
      try {
        unlinkSync(lockPath);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    acquire: () => acquireLock(lockPath, tryCreate, () => takeOver(lockPath), gracePeriodMs),
  };
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

async function acquireLock(
  lockPath: string,
  tryCreate: () => void,
  takeOver: () => Promise<void>,
  gracePeriodMs: number | null,
): Promise<void> {
  let sleep = FIRST_SLEEP_MS;
  let mtime: number | undefined;
  let unchangedSince = performance.now();
  for (;;) {
    try {
      tryCreate();
      return;
    } catch (e) {
      if ((e as { code?: unknown } | null)?.code !== "EEXIST") throw e;
    }
    if (gracePeriodMs !== null) {
      // Optuna's os.stat follows the symlink: the lock is stale when neither the lock nor the
      // journal changed for the grace period
      const current = modified(lockPath);
      if (current === undefined) continue; // released meanwhile
      if (current !== mtime) {
        mtime = current;
        unchangedSince = performance.now();
      }
      if (performance.now() - unchangedSince > gracePeriodMs) {
        await takeOver().catch(() => undefined); // another process may have taken it over first
        sleep = FIRST_SLEEP_MS;
        continue;
      }
    }
    await new Promise((done) => setTimeout(done, sleep));
    sleep = Math.min(sleep * 2, MAX_SLEEP_MS);
  }
}

/**
 * The lock's modification time (through the symlink, as Optuna's `os.stat`; the link itself
 * when its target is gone, where Optuna would retry without pause); `undefined` when the lock
 * file is gone.
 */
function modified(path: string): number | undefined {
  for (const stat of [statSync, lstatSync]) {
    try {
      return stat(path).mtimeMs;
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** Removes a stale lock as Optuna's release does: renamed first, so only one remover wins. */
function takeOver(lockPath: string): Promise<void> {
  const renamed = `${lockPath}${crypto.randomUUID()}.rename`;
  try {
    renameSync(lockPath, renamed);
    unlinkSync(renamed);
    return Promise.resolve();
  } catch (e) {
    return Promise.reject(e);
  }
}
