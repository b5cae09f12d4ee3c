/**
 * Atomic file writes, shared by the trainer's checkpoints and the tuning plug-in's sampler
 * checkpoints: a low module (it imports only `node:` built-ins), so both import it one way.
 *
 * @module
 */
import { open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `text` to `path` atomically, for the trainer's and the sampler's checkpoints alike: a
 * temporary file with a unique name in the same folder (`<path>.<uuid>.tmp`), written with
 * `FileHandle.prototype.writeFile`, flushed to disk (`sync`), closed, then renamed over `path`
 * (and the folder flushed, where the platform allows it). A crash leaves either the old file or
 * the new one, never half of one, plus at worst a `*.tmp` file that readers ignore; on an error
 * the temporary file is removed.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${globalThis.crypto.randomUUID()}.tmp`;
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncFolder(dirname(path));
}

/** Flushes a folder's entries (the rename) to disk; a no-op where folders cannot be opened. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some file systems cannot open or sync a folder: the rename stands anyway.
  }
}

/** Whether `name` is a temporary file left by {@link writeFileAtomic} (`<name>.<uuid>.tmp`). */
export function isAtomicTemp(name: string): boolean {
  return /\.[0-9a-f-]{36}\.tmp$/.test(name);
}
