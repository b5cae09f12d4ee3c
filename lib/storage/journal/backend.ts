/**
 * The journal file backend: where a journal storage keeps its log (Optuna's
 * `JournalFileBackend`): one file that processes on one machine or many machines sharing a file
 * system append to under Optuna's lock, and read from the byte offset they last reached.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Which of Optuna's journal file locks: `"symlink"` (`JournalFileSymlinkLock`) or `"open"`
 * (`JournalFileOpenLock`).
 *
 * @category model
 */
export type JournalLockKind = "symlink" | "open";

/**
 * Options of {@link journalFileBackend}.
 *
 * @category model
 */
export interface JournalFileBackendOptions {
  /**
   * Optuna's lock: `"symlink"` (`JournalFileSymlinkLock`, works on every NFS version) or
   * `"open"` (`JournalFileOpenLock`, `O_CREAT | O_EXCL`: NFSv3 or later, and file systems
   * without symbolic links). Every process sharing the file must use the same kind.
   *
   * @default {"symlink"}
   */
  readonly lock?: JournalLockKind;
  /**
   * A lock held this long without the lock or the journal changing is taken over (its holder
   * is presumed dead), in milliseconds; `null` waits forever. Optuna's `grace_period`.
   *
   * @default {30_000}
   */
  readonly lockGracePeriodMs?: number | null;
  /**
   * Flush every append to disk (`fsync`), as Optuna does. Off by default, like the SQLite
   * storage's `synchronous=NORMAL`: appends are shared between processes and machines without
   * it (the file is closed after each one, which sends it to an NFS server); only a power
   * loss or an operating-system crash may drop the last operations, and a line torn that way
   * is reported as damage, never misread. On, each operation waits for the disk (about ten
   * times slower on ordinary disks).
   *
   * @default {false}
   */
  readonly fsync?: boolean;
  /**
   * Keep a snapshot of the replayed journal beside it (`<path>.snapshot`, which Optuna
   * ignores) so that opening a long journal reads only what was appended since: a storage
   * writes it when it closes, once 5,000 lines were replayed beyond the last snapshot; a
   * snapshot that no longer matches the journal's bytes is ignored.
   *
   * @default {true}
   */
  readonly snapshot?: boolean;
}

/**
 * A journal log file and how to reach it; open it with `journalStorage`.
 *
 * @category model
 */
export interface JournalFileBackend {
  /** Always `"file"`. */
  readonly kind: "file";
  /** The journal file's path as given. */
  readonly path: string;
  /** The options as given. */
  readonly options: JournalFileBackendOptions;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A journal file at `path` (created when first opened), Optuna's
 * `JournalFileBackend(path, lock_obj=…)`. Pass it to `journalStorage`.
 *
 * @example A journal file with Optuna's open lock
 * ```ts
 * import { journalFileBackend } from "@hyperion/tune/journal";
 * import assert from "node:assert/strict";
 *
 * const backend = journalFileBackend("/tmp/study.log", { lock: "open" });
 * assert.equal(backend.path, "/tmp/study.log");
 * assert.equal(backend.options.lock, "open");
 * ```
 *
 * @category constructors
 */
export function journalFileBackend(
  path: string,
  options: JournalFileBackendOptions = {},
): JournalFileBackend {
  return { kind: "file", path, options };
}
