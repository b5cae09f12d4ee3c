/**
 * The file operations of a journal storage: read from a byte offset to the end, append under
 * the lock. Private to the journal storage.
 *
 * @module
 */
import { type FileLock, fileLock } from "./_lock.ts";
import type { JournalFileBackend } from "./backend.ts";

/**
 * The file operations a journal storage runs (built from a {@link JournalFileBackend}).
 */
export interface JournalFile {
  readonly path: string;
  readonly lock: FileLock;
  readonly fsync: boolean;
  /** Creates the file when it does not exist. */
  readonly ensure: () => Promise<void>;
  /** The bytes from `offset` to the end of the file as it is now. */
  readonly readFrom: (offset: number) => Promise<Uint8Array>;
  /** Appends bytes (call while holding the lock). */
  readonly append: (bytes: Uint8Array) => Promise<void>;
}

/** The file operations of a backend whose options were checked. */
export function journalFile(backend: JournalFileBackend): JournalFile {
  const { path, options } = backend;
  const grace = options.lockGracePeriodMs === undefined ? 30_000 : options.lockGracePeriodMs;
  return {
    path,
    lock: fileLock(path, options.lock ?? "symlink", grace),
    fsync: options.fsync ?? true,
    ensure: async () => {
      (await Deno.open(path, { append: true, create: true })).close();
    },
    readFrom: (offset) => readFrom(path, offset),
    append: (bytes) => append(path, bytes, options.fsync ?? true),
  };
}

async function readFrom(path: string, offset: number): Promise<Uint8Array> {
  // opened each time: NFS shows other machines' appends only to a fresh open
  using file = await Deno.open(path, { read: true });
  const size = (await file.stat()).size;
  const out = new Uint8Array(Math.max(0, size - offset));
  if (out.length === 0) return out;
  await file.seek(offset, Deno.SeekMode.Start);
  let at = 0;
  while (at < out.length) {
    const n = await file.read(out.subarray(at));
    if (n === null) break;
    at += n;
  }
  return at === out.length ? out : out.subarray(0, at);
}

async function append(path: string, bytes: Uint8Array, fsync: boolean): Promise<void> {
  using file = await Deno.open(path, { append: true, create: true });
  let at = 0;
  while (at < bytes.length) at += await file.write(bytes.subarray(at));
  if (fsync) await file.syncData();
}
