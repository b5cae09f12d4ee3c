/**
 * Artifacts: files attached to a study or a trial (a model, a plot, a log), their bytes kept in
 * an {@link ArtifactStore} and their description recorded exactly as Optuna 5.0 records it (the
 * system attribute `artifacts:<id>` holding the JSON text `{"artifact_id", "filename",
 * "mimetype", "encoding"}`), so optuna-dashboard lists them and Python's
 * `optuna.artifacts.get_all_artifact_meta`/`download_artifact` read them.
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { pythonJson } from "../core/json.ts";
import type { Attrs } from "../core/trial.ts";
import { type ArtifactStore, unsafeName } from "../fs/artifact.ts";
import { checkStudyHandle, checkTrialHandle } from "./_live.ts";
import type { Study } from "./study.ts";
import type { Trial } from "./trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What Optuna records about an artifact (`ArtifactMeta`).
 *
 * @category model
 */
export interface ArtifactMeta {
  /** The artifact's id (a UUID), its name in the store. */
  readonly artifactId: string;
  /** The file name it was uploaded with. */
  readonly filename: string;
  /** Its MIME type (guessed from the extension unless given). */
  readonly mimetype: string;
  /** Its content encoding (`gzip` for `.gz`, …), or `null`. */
  readonly encoding: string | null;
}

/**
 * Arguments of {@link uploadArtifact}.
 *
 * @category model
 */
export interface UploadArtifactArgs {
  /** Where the bytes go. */
  readonly store: ArtifactStore;
  /** The study or the (running) trial the artifact belongs to. */
  readonly target: Study | Trial;
  /** The file's content. */
  readonly data: Uint8Array;
  /** The file's name: a plain name (no path; `..` and absolute paths are refused). */
  readonly filename: string;
  /**
   * The MIME type.
   *
   * @default {guessed from the extension, else "application/octet-stream"}
   */
  readonly mimetype?: string;
  /**
   * The content encoding.
   *
   * @default {guessed from the extension (`.gz` → "gzip"), else null}
   */
  readonly encoding?: string | null;
}

const PREFIX = "artifacts:";

// Python's mimetypes.guess_type for the usual extensions.
const TYPES: Readonly<Record<string, string>> = {
  txt: "text/plain",
  log: "text/plain",
  csv: "text/csv",
  json: "application/json",
  html: "text/html",
  htm: "text/html",
  md: "text/markdown",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  webp: "image/webp",
  pdf: "application/pdf",
  zip: "application/zip",
  tar: "application/x-tar",
  npy: "application/octet-stream",
  pkl: "application/octet-stream",
  mp4: "video/mp4",
  wav: "audio/x-wav",
};
const ENCODINGS: Readonly<Record<string, string>> = {
  gz: "gzip",
  bz2: "bzip2",
  xz: "xz",
  br: "br",
  Z: "compress",
};

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

/** Python's `mimetypes.guess_type(filename)` for the usual extensions. */
function guessType(filename: string): { mimetype: string | null; encoding: string | null } {
  const parts = filename.split(".");
  let ext = parts.length > 1 ? parts.pop() as string : "";
  let encoding: string | null = null;
  if (Object.hasOwn(ENCODINGS, ext) && parts.length > 1) {
    encoding = ENCODINGS[ext] as string;
    ext = parts.pop() as string;
  }
  const lower = ext.toLowerCase();
  return { mimetype: Object.hasOwn(TYPES, lower) ? TYPES[lower] as string : null, encoding };
}

function checkUpload(args: UploadArtifactArgs): Either<HyperionError, void> {
  if (typeof args !== "object" || args === null) {
    return left(invalidArgument({ field: "args", value: args, expected: "an object" }));
  }
  const store = args.store as Partial<ArtifactStore> | null;
  if (typeof store !== "object" || store === null || typeof store.write !== "function") {
    return left(invalidArgument({ field: "store", value: store, expected: "an ArtifactStore" }));
  }
  if (!(args.data instanceof Uint8Array)) {
    return left(invalidArgument({ field: "data", value: args.data, expected: "a Uint8Array" }));
  }
  const problem = unsafeName(args.filename);
  if (problem !== undefined) {
    return left(invalidArgument({ field: "filename", value: args.filename, expected: problem }));
  }
  for (const field of ["mimetype", "encoding"] as const) {
    const v = args[field];
    if (v !== undefined && v !== null && typeof v !== "string") {
      return left(invalidArgument({ field, value: v, expected: "a string" }));
    }
  }
  return right(undefined);
}

/** Where the record goes: a trial (by a live handle) or a study. */
function ownerOf(
  target: unknown,
): Either<HyperionError, { readonly kind: "trial" | "study"; readonly id: number }> {
  if (typeof target === "object" && target !== null && "trialId" in target) {
    const live = checkTrialHandle(target);
    return live._tag === "Left"
      ? left(invalidArgument({ field: "target", value: target, expected: "a study or a trial" }))
      : right({ kind: "trial", id: (target as Trial).trialId });
  }
  const study = checkStudyHandle(target, "target");
  return study._tag === "Left" ? study : right({ kind: "study", id: (target as Study).studyId });
}

function parseMeta(value: unknown): ArtifactMeta | undefined {
  try {
    const o = JSON.parse(String(value)) as Record<string, unknown>;
    if (typeof o.artifact_id !== "string" || typeof o.filename !== "string") return undefined;
    return {
      artifactId: o.artifact_id,
      filename: o.filename,
      mimetype: typeof o.mimetype === "string" ? o.mimetype : "application/octet-stream",
      encoding: typeof o.encoding === "string" ? o.encoding : null,
    };
  } catch {
    return undefined;
  }
}

/** The artifacts recorded in a study's or a trial's system attributes, in record order. */
function metasOf(attrs: Attrs): ReadonlyArray<ArtifactMeta> {
  const out: ArtifactMeta[] = [];
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith(PREFIX)) continue;
    const meta = parseMeta(value);
    if (meta !== undefined) out.push(meta);
  }
  return out;
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Uploads a file's bytes as an artifact of a study or a running trial (Optuna's
 * `upload_artifact`): the bytes go to the store under a new UUID, then the description is
 * recorded as the system attribute `artifacts:<id>` (the store is written first, so a recorded
 * artifact is always there; when the record fails, for a finished trial say, the bytes are
 * removed again). Returns the id. An unsafe `filename` (a path, `..`, empty) is
 * refused with `InvalidArgument` and nothing is written.
 *
 * @example Attach a text file to a trial
 * ```ts
 * import { ask, createStudy, getArtifactMetas, runOrThrow, uploadArtifact } from "@hyperion/tune";
 * import { fileSystemArtifactStore } from "@hyperion/tune/storage";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const store = fileSystemArtifactStore(dir);
 * const study = await runOrThrow(createStudy());
 * const trial = await runOrThrow(ask(study));
 * const data = new TextEncoder().encode("epoch,loss\n1,0.5\n");
 * const id = await runOrThrow(uploadArtifact({ store, target: trial, data, filename: "log.csv" }));
 * const [meta] = await runOrThrow(getArtifactMetas(trial));
 * assert.deepEqual(meta, { artifactId: id, filename: "log.csv", mimetype: "text/csv", encoding: null });
 * assert.equal((await uploadArtifact({ store, target: trial, data, filename: "../x" })())._tag, "Left");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category combinators
 */
export function uploadArtifact(args: UploadArtifactArgs): TaskEither<HyperionError, string> {
  return async () => {
    const ok = checkUpload(args);
    if (ok._tag === "Left") return ok;
    const owner = ownerOf(args.target);
    if (owner._tag === "Left") return owner;
    const guess = guessType(args.filename);
    const artifactId = globalThis.crypto.randomUUID();
    const written = await args.store.write(artifactId, args.data)();
    if (written._tag === "Left") return written;
    const value = pythonJson({
      artifact_id: artifactId,
      filename: args.filename,
      mimetype: args.mimetype ?? guess.mimetype ?? "application/octet-stream",
      encoding: args.encoding === undefined ? guess.encoding : args.encoding,
    });
    const storage = owner.right.kind === "trial"
      ? (args.target as Trial).study.storage
      : (args.target as Study).storage;
    const attr = { id: owner.right.id, kind: "system" as const, key: PREFIX + artifactId, value };
    const recorded = owner.right.kind === "trial"
      ? await storage.setTrialAttr(attr)()
      : await storage.setStudyAttr(attr)();
    if (recorded._tag === "Right") return right(artifactId);
    await args.store.remove(artifactId)(); // no orphan bytes (the removal's own result ignored)
    return recorded;
  };
}

/**
 * The bytes of an artifact (Optuna's `download_artifact`, returning the content rather than
 * writing a file); a Left when the store has no such artifact or the id is unsafe.
 *
 * @example Download what a study holds
 * ```ts
 * import {
 *   createStudy, downloadArtifact, getArtifactMetas, runOrThrow, uploadArtifact,
 * } from "@hyperion/tune";
 * import { fileSystemArtifactStore } from "@hyperion/tune/storage";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const store = fileSystemArtifactStore(dir);
 * const study = await runOrThrow(createStudy());
 * await runOrThrow(uploadArtifact({ store, target: study, data: new Uint8Array([7]), filename: "a.bin" }));
 * const [meta] = await runOrThrow(getArtifactMetas(study));
 * assert.deepEqual(await runOrThrow(downloadArtifact(store, meta!.artifactId)), new Uint8Array([7]));
 * assert.equal((await downloadArtifact(store, "../etc/passwd")())._tag, "Left");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category combinators
 */
export function downloadArtifact(
  store: ArtifactStore,
  artifactId: string,
): TaskEither<HyperionError, Uint8Array> {
  return async () => {
    if (typeof store !== "object" || store === null || typeof store.read !== "function") {
      return left(invalidArgument({ field: "store", value: store, expected: "an ArtifactStore" }));
    }
    const problem = unsafeName(artifactId);
    if (problem !== undefined) {
      return left(invalidArgument({ field: "artifactId", value: artifactId, expected: problem }));
    }
    return await store.read(artifactId)();
  };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The artifacts recorded on a study or a trial (Optuna's `get_all_artifact_meta`; a study's
 * list excludes its trials' artifacts), including those uploaded by Python Optuna.
 *
 * @example No artifacts yet
 * ```ts
 * import { createStudy, getArtifactMetas, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * assert.deepEqual(await runOrThrow(getArtifactMetas(study)), []);
 * ```
 *
 * @category queries
 */
export function getArtifactMetas(
  target: Study | Trial,
): TaskEither<HyperionError, ReadonlyArray<ArtifactMeta>> {
  return async () => {
    const owner = ownerOf(target);
    if (owner._tag === "Left") return owner;
    if (owner.right.kind === "study") {
      const record = await (target as Study).storage.getStudyById(owner.right.id)();
      return record._tag === "Left" ? record : right(metasOf(record.right.systemAttrs));
    }
    const trial = await (target as Trial).study.storage.getTrial(owner.right.id)();
    return trial._tag === "Left" ? trial : right(metasOf(trial.right.systemAttrs));
  };
}
