/**
 * The file operations of a journal storage: read from a byte offset to the end, append under
 * the lock. Private to the journal storage.
 *
 * @module
 */
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
    ensure: () => Deno.openSync(path, { append: true, create: true }).close(),
    open: (write) => session(path, write, fsync),
  };
}

// Synchronous calls: each is a few microseconds, where an async file call costs a trip through
// the event loop; a journal operation makes several.

function session(path: string, write: boolean, fsync: boolean): FileSession {
  const file = Deno.openSync(path, write ? { read: true, append: true } : { read: true });
  return {
    readFrom: (offset) => readFrom(file, offset),
    append: (bytes) => {
      let at = 0;
      while (at < bytes.length) at += file.writeSync(bytes.subarray(at));
      if (fsync) file.syncDataSync();
    },
    close: () => file.close(),
  };
}

function readFrom(file: Deno.FsFile, offset: number): Uint8Array {
  const size = file.statSync().size;
  const out = new Uint8Array(Math.max(0, size - offset));
  if (out.length === 0) return out;
  file.seekSync(offset, Deno.SeekMode.Start);
  let at = 0;
  while (at < out.length) {
    const n = file.readSync(out.subarray(at));
    if (n === null) break;
    at += n;
  }
  return at === out.length ? out : out.subarray(0, at);
}
