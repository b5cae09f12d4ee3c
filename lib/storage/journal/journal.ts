/**
 * The journal storage: Optuna's `JournalStorage` over one append-only log file that many
 * processes, on one machine or on many machines sharing a file system (NFS), write to under
 * Optuna's file lock, without a database server. The file is Optuna 5.0's journal format line
 * for line, so Python Optuna's `JournalStorage(JournalFileBackend(path))` reads and continues
 * studies written here, and the reverse.
 *
 * Each process replays the log into memory and then reads only what was appended since its
 * last read (the replay is the cache). Every write takes the lock, reads to the end of the
 * file, checks the write with the rules every storage shares, and appends one line.
 *
 * Damage (a garbage line, an operation of a newer Optuna) stops the replay there: reads answer
 * from the valid prefix, {@link JournalStorage.damage} names the line, and writes are refused
 * with a `StorageError` naming it; the file is never rewritten. An incomplete last line is
 * taken for a write in progress and skipped, as Optuna does.
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument, storageError } from "../../errors.ts";
import { storageHeartbeat } from "../heartbeat_options.ts";
import type { HeartbeatOptions, Storage, StorageHeartbeatOptions } from "../storage.ts";
import { type Damage, type JournalState, serial, sync } from "./_core.ts";
import { journalFile } from "./_file.ts";
import { emptyReplay } from "./_replay.ts";
import { loadSnapshot, saveSnapshot, SNAPSHOT_EVERY } from "./_snapshot.ts";
import { studyOps } from "./_study_ops.ts";
import { trialCreation, trialReads, trialWrites } from "./_trial_ops.ts";
import type { JournalFileBackend } from "./backend.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A damaged line of a journal: its 1-based number, its byte offset (truncating the file there
 * drops it and everything after), why it cannot be read, and the start of its text.
 *
 * @category model
 */
export interface JournalDamage {
  /** 1-based line number. */
  readonly line: number;
  /** Byte offset of the line's start. */
  readonly byteOffset: number;
  /** Why it cannot be read (`not JSON (…)`, `unknown op_code 11 (…)`, …). */
  readonly reason: string;
  /** The first 200 bytes of the damaged text. */
  readonly text: string;
}

/**
 * Options of {@link journalStorage}.
 *
 * @category model
 */
export interface JournalStorageOptions extends StorageHeartbeatOptions {
  /**
   * The clock, in epoch milliseconds (inject a fake one in tests).
   *
   * @default {Date.now}
   */
  readonly now?: () => number;
  /**
   * Called once when damage is found.
   *
   * @default {a console.warn naming the line}
   */
  readonly onDamage?: (damage: JournalDamage) => void;
}

/**
 * A journal storage: a {@link Storage} plus what it found damaged.
 *
 * @category model
 */
export interface JournalStorage extends Storage {
  /** The first damaged line seen so far (nothing after it is read), `undefined` when none. */
  readonly damage: () => JournalDamage | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Opens a journal storage on a journal file backend, creating the file when it does not exist
 * and replaying it. Optuna's `JournalStorage(JournalFileBackend(path))`; use it where several
 * machines share a file system but no database server (SQLite's locks are unreliable on NFS).
 * Bad options are `InvalidArgument`; an unreadable file is `StorageError`. A study cannot be
 * renamed (Optuna's format has no such operation). With `heartbeatIntervalMs`, every
 * `optimize` run records heartbeats (as the system attribute `hyperion:heartbeat`, which
 * Python sees as an ordinary attribute) and fails stale trials, as on the SQL storages;
 * Optuna's journal storage has no heartbeats.
 *
 * @example Optimize on a journal file, then read it again
 * ```ts
 * import { journalFileBackend, journalStorage } from "@hyperion/tune/journal";
 * import { createStudy, optimize, right, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/study.log`;
 * const storage = await runOrThrow(journalStorage(journalFileBackend(path)));
 * const study = await runOrThrow(createStudy({ storage, studyName: "demo" }));
 * await runOrThrow(optimize(study, (trial) => async () => {
 *   const x = await suggestFloat(trial, "x", -1, 1)();
 *   return x._tag === "Left" ? x : right(x.right ** 2);
 * }, { nTrials: 5 }));
 * await runOrThrow(storage.close());
 *
 * const again = await runOrThrow(journalStorage(journalFileBackend(path)));
 * const s = await runOrThrow(again.getStudy("demo"));
 * assert.equal((await runOrThrow(again.getAllTrials(s.studyId))).length, 5);
 * assert.equal(again.damage(), undefined);
 * await runOrThrow(again.close());
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category constructors
 */
export function journalStorage(
  backend: JournalFileBackend,
  options: JournalStorageOptions = {},
): TaskEither<HyperionError, JournalStorage> {
  return async () => {
    const checked = checkBackend(backend);
    if (checked._tag === "Left") return checked;
    const heartbeat = storageHeartbeat(options ?? {});
    if (heartbeat._tag === "Left") return heartbeat;
    const file = journalFile(backend);
    const st: JournalState = {
      file,
      now: options?.now ?? Date.now,
      workerId: `${crypto.randomUUID()}-0`,
      replay: emptyReplay(),
      offset: 0,
      lines: 0,
      damage: undefined,
      onDamage: options?.onDamage ?? warnDamage(file.path),
      closed: false,
      snapshot: backend.options?.snapshot ?? true,
      snapshotLines: 0,
      queue: Promise.resolve(),
    };
    try {
      file.ensure();
      if (st.snapshot && await loadSnapshot(st)) st.snapshotLines = st.lines;
      sync(st, false);
    } catch (e) {
      return left(storageError(`open the journal ${backend.path}`, e));
    }
    return right(storageOf(st, journalUrl(backend.path), heartbeat.right));
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The URL of a journal file: `journal:///absolute/path.log` (like a `file:` URL) or
 * `journal:relative/path.log`.
 *
 * @example
 * ```ts
 * import { journalUrl } from "@hyperion/tune/journal";
 * import assert from "node:assert/strict";
 *
 * assert.equal(journalUrl("/nfs/runs/study.log"), "journal:///nfs/runs/study.log");
 * assert.equal(journalUrl("runs/study.log"), "journal:runs/study.log");
 * ```
 *
 * @category utils
 */
export function journalUrl(path: string): string {
  return path.startsWith("/") ? `journal://${path}` : `journal:${path}`;
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

function storageOf(
  st: JournalState,
  url: string,
  heartbeat: HeartbeatOptions | undefined,
): JournalStorage {
  return {
    url,
    persistent: true,
    ...(heartbeat === undefined ? {} : { heartbeat }),
    damage: () => st.damage,
    ...studyOps(st),
    ...trialCreation(st),
    ...trialWrites(st),
    ...trialReads(st),
    close: () =>
      serial(st, "close the storage", async () => {
        st.closed = true;
        await refreshSnapshot(st).catch(() => undefined); // a snapshot only saves time
        return right(undefined);
      }),
  };
}

/** Writes a snapshot when enough lines were replayed since the last one. */
async function refreshSnapshot(st: JournalState): Promise<void> {
  if (!st.snapshot || st.lines - st.snapshotLines < SNAPSHOT_EVERY) return;
  await saveSnapshot(st);
  st.snapshotLines = st.lines;
}

function warnDamage(path: string): (d: Damage) => void {
  return (d) =>
    console.warn(
      `Journal ${path}: line ${d.line} (byte ${d.byteOffset}) is damaged: ${d.reason}; ` +
        `reading lines 1 to ${d.line - 1} only, and refusing writes`,
    );
}

function checkBackend(backend: JournalFileBackend): Either<HyperionError, void> {
  if (backend?.kind !== "file" || typeof backend.path !== "string" || backend.path === "") {
    return left(invalidArgument({
      field: "backend",
      value: backend,
      expected: "a journal file backend, journalFileBackend(path)",
    }));
  }
  const o = backend.options ?? {};
  if (o.lock !== undefined && o.lock !== "symlink" && o.lock !== "open") {
    return left(invalidArgument({ field: "lock", value: o.lock, expected: "'symlink' or 'open'" }));
  }
  const g = o.lockGracePeriodMs;
  if (g !== undefined && g !== null && !(typeof g === "number" && g > 0)) {
    return left(invalidArgument({
      field: "lockGracePeriodMs",
      value: g,
      expected: "a positive number of milliseconds or null",
    }));
  }
  for (const field of ["fsync", "snapshot"] as const) {
    if (o[field] !== undefined && typeof o[field] !== "boolean") {
      return left(invalidArgument({ field, value: o[field], expected: "a boolean" }));
    }
  }
  return right(undefined);
}
