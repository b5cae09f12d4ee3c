/**
 * The artifact store port (Optuna's `ArtifactStore`): where `uploadArtifact` puts a file's bytes,
 * and the check of an artifact's name. Pure: the file-system store lives in
 * `artifact_store.ts`, which the study layer never imports, so `mod.ts` stays free of `node:`.
 *
 * @module
 */
import type { TaskEither } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where artifacts' bytes live (Optuna's `ArtifactStore` protocol): each is written, read and
 * removed by its id. A store of your own (object storage, a database) implements these three.
 *
 * @category model
 */
export interface ArtifactStore {
  /** Stores `data` under `artifactId` (replacing what was there). */
  readonly write: (artifactId: string, data: Uint8Array) => TaskEither<HyperionError, void>;
  /** The bytes stored under `artifactId`; a Left when there are none. */
  readonly read: (artifactId: string) => TaskEither<HyperionError, Uint8Array>;
  /** Removes the artifact; a Left when there is none. */
  readonly remove: (artifactId: string) => TaskEither<HyperionError, void>;
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

/** Why `name` cannot be one file inside a folder, or `undefined` when it can. */
export function unsafeName(name: unknown): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "a non-empty string";
  if (name === "." || name === "..") return "a file name, not '.' or '..'";
  if (/[/\\\0]/.test(name) || /^[A-Za-z]:/.test(name)) {
    return "a plain file name (no '/', '\\', drive or NUL: no absolute or relative path)";
  }
  return undefined;
}
