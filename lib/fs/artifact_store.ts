/**
 * Artifact stores: where `uploadArtifact` puts the bytes of a file attached to a study or a
 * trial. {@link fileSystemArtifactStore} keeps each artifact as one file named by its id in a
 * folder, as Optuna's `FileSystemArtifactStore` does, so Python Optuna and optuna-dashboard
 * read the same folder.
 *
 * @module
 */
import { left, right, type TaskEither } from "../effect/mod.ts";
import { type ArtifactStore, unsafeName } from "./artifact.ts";
import { invalidArgument } from "../core/errors.ts";
import { storageError } from "../storage/errors.ts";
import type { HyperionError } from "../errors.ts";

const isNotFound = (e: unknown): boolean =>
  typeof e === "object" && e !== null && (e as { code?: unknown }).code === "ENOENT";

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * An artifact store in the folder `dir` (created when missing): the artifact `id` is the file
 * `dir/id`, exactly as Optuna's `FileSystemArtifactStore(base_path=dir)`, so Python's
 * `optuna.artifacts.download_artifact` and optuna-dashboard (`--artifact-dir dir`) read what is
 * uploaded here and the reverse. Ids that would leave the folder (`..`, absolute paths,
 * separators) are refused with `InvalidArgument`; a missing artifact is `InvalidArgument`
 * naming the id; other file-system failures are `StorageError`. The file-system access is
 * loaded on first use (`node:fs`), so importing this costs nothing elsewhere.
 *
 * @example Upload bytes to a study and read them back
 * ```ts
 * import { createStudy, downloadArtifact, runOrThrow, uploadArtifact } from "@hyperion/tune";
 * import { fileSystemArtifactStore } from "@hyperion/tune/storage";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const store = fileSystemArtifactStore(dir);
 * const study = await runOrThrow(createStudy());
 * const data = new TextEncoder().encode("hello");
 * const id = await runOrThrow(uploadArtifact({ store, target: study, data, filename: "note.txt" }));
 * assert.deepEqual(await runOrThrow(downloadArtifact(store, id)), data);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category constructors
 */
export function fileSystemArtifactStore(dir: string): ArtifactStore {
  const pathOf = async (id: string): Promise<string> => {
    const { join } = await import("node:path");
    return join(dir, id);
  };
  const checked = <A>(
    id: string,
    operation: string,
    act: (path: string) => Promise<A>,
    missing: boolean,
  ): TaskEither<HyperionError, A> =>
  async () => {
    const bad = typeof dir !== "string" || dir.length === 0
      ? invalidArgument({ field: "dir", value: dir, expected: "a folder path" })
      : unsafeName(id) === undefined
      ? undefined
      : invalidArgument({ field: "artifactId", value: id, expected: unsafeName(id) as string });
    if (bad !== undefined) return left(bad);
    try {
      return right(await act(await pathOf(id)));
    } catch (e) {
      return left(
        missing && isNotFound(e)
          ? invalidArgument({ field: "artifactId", value: id, expected: `an artifact in '${dir}'` })
          : storageError(`${operation} artifact '${id}' in '${dir}'`, e),
      );
    }
  };
  return Object.freeze({
    write: (id: string, data: Uint8Array) =>
      checked(id, "write", async (path) => {
        const fs = await import("node:fs/promises");
        await fs.mkdir(dir, { recursive: true });
        await fs.writeFile(path, data);
      }, false),
    read: (id: string) =>
      checked(id, "read", async (path) => {
        const fs = await import("node:fs/promises");
        return new Uint8Array(await fs.readFile(path));
      }, true),
    remove: (id: string) =>
      checked(id, "remove", async (path) => {
        const fs = await import("node:fs/promises");
        await fs.unlink(path);
      }, true),
  });
}
