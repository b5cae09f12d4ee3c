/**
 * The file operations of a journal storage: read from a byte offset to the end, append under
 * the lock. Private to the journal storage.
 *
 * @module
 */
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { type FileLock, fileLock } from "./_lock.ts";
import type { JournalFileBackend } from "./backend.ts";

/** One open of the journal: read from an offset to the end, and (opened for writing) append. */
export interface FileSession {
  /** The bytes from `offset` to the end of the file as it is now. */
  readonly readFrom: (offset: number) => Uint8Array;
  /** Appends bytes (sessions opened for writing, under the lock). */
  readonly append: (bytes: Uint8Array) => void;
  readonly close: () => void;
}

/**
 * The file operations a journal storage runs (built from a {@link JournalFileBackend}).
 */
export interface JournalFile {
  readonly path: string;
  readonly lock: FileLock;
  /** Creates the file when it does not exist. */
  readonly ensure: () => void;
  /**
   * Opens the journal (each operation opens it anew: NFS shows other machines' appends only
   * to a fresh open).
   */
  readonly open: (write: boolean) => FileSession;
}

/** The file operations of a backend whose options were checked. */
export function journalFile(backend: JournalFileBackend): JournalFile {
  const { path, options } = backend;
  const grace = options.lockGracePeriodMs === undefined ? 30_000 : options.lockGracePeriodMs;
  const fsync = options.fsync ?? false;
  return {
    path,
    lock: fileLock(path, options.lock ?? "symlink", grace),
    ensure: () => closeSync(openSync(path, "a")),
    open: (write) => session(path, write, fsync),
  };
}

// Synchronous calls: each is a few microseconds, where an async file call costs a trip through
// the event loop; a journal operation makes several.

function session(path: string, write: boolean, fsync: boolean): FileSession {
  // "a+": O_APPEND, so each write lands at the end whatever other processes appended
  const fd = openSync(path, write ? "a+" : "r");
  return {
    readFrom: (offset) => readFrom(fd, offset),
    append: (bytes) => {
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at);
      if (fsync) fdatasyncSync(fd);
    },
    close: () => closeSync(fd),
  };
}

function readFrom(fd: number, offset: number): Uint8Array {
  const size = fstatSync(fd).size;
  const out = new Uint8Array(Math.max(0, size - offset));
  let at = 0;
  while (at < out.length) {
    const n = readSync(fd, out, at, out.length - at, offset + at);
    if (n === 0) break;
    at += n;
  }
  return at === out.length ? out : out.subarray(0, at);
}
