/**
 * Atomic file writes, shared by the trainer's checkpoints and the tuning plug-in's sampler
 * checkpoints: a low module (it imports only `node:` built-ins and the effect helpers), so both
 * import it one way.
 *
 * @module
 */
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { bracket, fromTask, getOrThrow } from "../effect/mod.ts";

/**
 * Opens `path` with `flags`, runs `use` on the handle and closes it whatever happens (a
 * rejection of `use` or of the close rejects the result, the close's winning as in
 * `try/finally`).
 */
async function withHandle<A>(
  path: string,
  flags: string,
  use: (handle: FileHandle) => Promise<A>,
): Promise<A> {
  return getOrThrow(
    await bracket(
      fromTask(() => open(path, flags)),
      (handle) => fromTask(() => use(handle)),
      (handle) => fromTask(() => handle.close()),
    )(),
  );
}

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
    await withHandle(tmp, "wx", async (handle) => {
      await handle.writeFile(text);
      await handle.sync();
    });
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
    await withHandle(folder, "r", (handle) => handle.sync());
  } catch {
    // Windows and some file systems cannot open or sync a folder: the rename stands anyway.
  }
}

/** Whether `name` is a temporary file left by {@link writeFileAtomic} (`<name>.<uuid>.tmp`). */
export function isAtomicTemp(name: string): boolean {
  return /\.[0-9a-f-]{36}\.tmp$/.test(name);
}
