/**
 * Sampler checkpoints: write the study's sampler (plain JSON) to a folder, one file per study and
 * trial, and restore the newest one of a study.
 *
 * Samplers derive every random draw of trial `n` from their seed, the trial number and the
 * parameter name, so a sampler checkpoint is never stale: restoring any checkpoint of the study
 * — or none, with a sampler built with the same seed — continues the study exactly. The
 * checkpoint keeps the sampler's kind and options (a study restarted without knowing how it was
 * configured gets the same sampler back).
 *
 * @module
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Either, fromAsync, gen, left, right, type TaskEither } from "../../effect/mod.ts";
import { describeCause, type HyperionError, invalidArgument, storageError } from "../../errors.ts";
import { corruptCheckpoint } from "../../trainer/errors.ts";
import type { Sampler, SamplerKinds } from "../../samplers/sampler.ts";
import { checkSamplerKinds, samplerFromSnapshot } from "../../samplers/catalog.ts";
import { studySampler } from "../../study/study.ts";
import { type Trial, trialSnapshot } from "../../study/mod.ts";
import { writeFileAtomic } from "../../fs/atomic.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The JSON document a sampler checkpoint holds.
 *
 * @category model
 */
export interface SamplerCheckpoint {
  /** Always `"hyperion-sampler"`. */
  readonly format: "hyperion-sampler";
  /** Format version. */
  readonly version: 1;
  /** The trial during which it was written. */
  readonly trialNumber: number;
  /** The study it belongs to. */
  readonly studyName: string;
  /** The sampler. */
  readonly sampler: Sampler;
}

/**
 * Options of {@link restoreSampler}.
 *
 * @category model
 */
export interface RestoreSamplerOptions {
  /**
   * Restore only a checkpoint of this study: files of other studies in the folder are ignored.
   * Without it, the folder must hold checkpoints of one study only.
   *
   * @default {undefined}
   */
  readonly studyName?: string | undefined;
  /**
   * The sampler kinds a checkpoint may hold (add your own kinds to the built-in ones).
   *
   * @default {BUILTIN_SAMPLERS}
   */
  readonly samplerKinds?: SamplerKinds | undefined;
}

/** `sampler_<study>_trial-<n>.json`, and the unnamed files of older versions. */
const FILE = /^sampler_(?:(.+)_)?trial-(\d+)\.json$/;

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * A study name as one file-name component: letters, digits, `-` and `.` are kept, every other
 * character (including `_`, `/`, `%` and spaces) is written `%XX` as in `encodeURIComponent`, so
 * that two study names never give the same component and the component never holds a separator.
 *
 * @example
 * ```ts
 * import { fileSafeName } from "@hyperion/tune/plugins/optuna";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fileSafeName("tuning"), "tuning");
 * assert.equal(fileSafeName("a/b_c"), "a%2Fb%5Fc");
 * ```
 *
 * @category utils
 */
export function fileSafeName(name: string): string {
  return Array.from(new TextEncoder().encode(name), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9.-]/.test(c) && byte < 128
      ? c
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
}

/**
 * The file name of the sampler checkpoint of `studyName` written during trial `trialNumber`:
 * `sampler_<fileSafeName(studyName)>_trial-<trialNumber>.json`.
 *
 * @example
 * ```ts
 * import { samplerCheckpointFileName } from "@hyperion/tune/plugins/optuna";
 * import assert from "node:assert/strict";
 *
 * assert.equal(samplerCheckpointFileName("tuning", 7), "sampler_tuning_trial-7.json");
 * ```
 *
 * @category utils
 */
export function samplerCheckpointFileName(studyName: string, trialNumber: number): string {
  return `sampler_${fileSafeName(studyName)}_trial-${trialNumber}.json`;
}

function decodeStudy(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}

function checkFolder(field: string, value: unknown): Either<HyperionError, string> {
  return typeof value === "string" && value.length > 0 ? right(value) : left(
    invalidArgument({ field, value, expected: "a non-empty folder path" }),
  );
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Writes the study's sampler to `<chkptRoot>/sampler_<study>_trial-<trial.number>.json`
 * ({@link samplerCheckpointFileName}), creating the folder, and returns the path. The write is
 * atomic: a temporary file in the same folder, flushed to disk, then renamed into place, so a
 * crash never leaves half a checkpoint (at worst a `*.tmp` file that {@link restoreSampler}
 * ignores).
 *
 * Call it anywhere in the objective, for example right after the suggestions: the draws of a
 * trial depend only on the sampler's seed, the trial number and the parameter names, so it
 * does not matter which trial's checkpoint a restart restores, or whether one exists at all.
 *
 * `Left` `InvalidArgument` naming the field for a value that is not a trial handle or a
 * non-empty folder path; `StorageError` naming the file when it cannot be written.
 *
 * @example Checkpoint the sampler in an objective
 * ```ts
 * import { ask, createStudy, randomSampler, runOrThrow } from "@hyperion/tune";
 * import { checkpointSampler } from "@hyperion/tune/plugins/optuna";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const study = await runOrThrow(
 *   createStudy({ studyName: "demo", sampler: randomSampler({ seed: 1 }) }),
 * );
 * const trial = await runOrThrow(ask(study));
 * const path = await runOrThrow(checkpointSampler(trial, dir));
 * assert.ok(path.endsWith("sampler_demo_trial-0.json"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category combinators
 */
export function checkpointSampler(
  trial: Trial,
  chkptRoot: string,
): TaskEither<HyperionError, string> {
  return fromAsync(
    gen(function* (_) {
      yield* _(trialSnapshot(trial));
      const folder = yield* _(checkFolder("chkptRoot", chkptRoot));
      return yield* _(writeSamplerFile(trial, folder));
    }),
    (e) => storageError(`write a sampler checkpoint in '${String(chkptRoot)}'`, e),
  );
}

/** Writes the sampler checkpoint of `trial` in `folder` (created if need be); its path. */
function writeSamplerFile(trial: Trial, folder: string): TaskEither<HyperionError, string> {
  return async () => {
    const studyName = trial.study.studyName;
    const path = join(folder, samplerCheckpointFileName(studyName, trial.number));
    const doc: SamplerCheckpoint = {
      format: "hyperion-sampler",
      version: 1,
      trialNumber: trial.number,
      studyName,
      sampler: studySampler(trial.study),
    };
    try {
      await mkdir(folder, { recursive: true });
      await writeFileAtomic(path, JSON.stringify(doc));
    } catch (e) {
      return left(storageError(`write sampler checkpoint '${path}'`, e));
    }
    return right(path);
  };
}

/**
 * Reads the sampler of the newest sampler checkpoint in `chkptRoot` (the highest trial number);
 * `undefined` when there is none (or no folder). With `{ studyName }`, only that study's
 * checkpoints count: files of other studies sharing the folder are ignored, and so is a file
 * whose document names another study. Without it, the folder must hold checkpoints of one
 * study only (`InvalidArgument` on `studyName` otherwise). Other files, including `*.tmp` files
 * left by an interrupted write, are ignored.
 *
 * A file that cannot be parsed, is not a sampler checkpoint, or names an unknown sampler kind
 * gives `CorruptCheckpoint` naming the file. Nothing in the file is executed.
 *
 * @example Restore the sampler of one study
 * ```ts
 * import { ask, createStudy, randomSampler, runOrThrow } from "@hyperion/tune";
 * import { checkpointSampler, restoreSampler } from "@hyperion/tune/plugins/optuna";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * assert.equal(await runOrThrow(restoreSampler(dir, { studyName: "a" })), undefined);
 * for (const studyName of ["a", "b"]) {
 *   const study = await runOrThrow(createStudy({ studyName, sampler: randomSampler({ seed: 1 }) }));
 *   await runOrThrow(checkpointSampler(await runOrThrow(ask(study)), dir));
 * }
 * const sampler = await runOrThrow(restoreSampler(dir, { studyName: "a" }));
 * assert.equal(sampler?.kind, "random");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category combinators
 */
export function restoreSampler(
  chkptRoot: string,
  options: RestoreSamplerOptions = {},
): TaskEither<HyperionError, Sampler | undefined> {
  return fromAsync(
    gen(function* (_) {
      const folder = yield* _(checkFolder("chkptRoot", chkptRoot));
      if (options !== undefined && (typeof options !== "object" || options === null)) {
        return yield* _(
          left(invalidArgument({ field: "options", value: options, expected: "an object" })),
        );
      }
      const wanted = options?.studyName;
      if (wanted !== undefined && (typeof wanted !== "string" || wanted.length === 0)) {
        return yield* _(left(invalidArgument({
          field: "studyName",
          value: wanted,
          expected: "a study name (a non-empty string)",
        })));
      }
      const kinds = yield* _(checkSamplerKinds(options?.samplerKinds));
      const names = yield* _(listFolder(folder));
      if (names === undefined) return undefined;
      const candidates = samplerFiles(names, wanted);
      if (wanted === undefined) yield* _(oneStudy(folder, candidates));
      for (const candidate of candidates) {
        const doc = yield* _(() => readSamplerFile(join(folder, candidate.name), kinds));
        if (wanted !== undefined && doc.studyName !== wanted) continue;
        return doc.sampler;
      }
      return undefined;
    }),
    (e) => storageError(`read sampler checkpoints in '${String(chkptRoot)}'`, e),
  );
}

/** The names of the files in `folder`; `undefined` when it does not exist. */
function listFolder(folder: string): TaskEither<HyperionError, string[] | undefined> {
  return async () => {
    try {
      return right(await readdir(folder));
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return right(undefined);
      return left(storageError(`read sampler checkpoints in '${folder}'`, e));
    }
  };
}

/** `InvalidArgument` on `studyName` when the candidates belong to several studies. */
function oneStudy(
  folder: string,
  candidates: ReadonlyArray<{ readonly study: string | undefined }>,
): Either<HyperionError, void> {
  const studies = new Set(candidates.map((c) => c.study ?? ""));
  if (studies.size <= 1) return right(undefined);
  return left(invalidArgument({
    field: "studyName",
    value: undefined,
    expected: `the name of one of the studies whose sampler checkpoints '${folder}' ` +
      `holds (${[...studies].filter((s) => s !== "").sort().map((s) => `'${s}'`).join(", ")})`,
  }));
}

/** Sampler checkpoint files, newest first; with `wanted`, that study's and unnamed ones. */
function samplerFiles(
  names: ReadonlyArray<string>,
  wanted: string | undefined,
): ReadonlyArray<{ name: string; n: number; study: string | undefined }> {
  const out: Array<{ name: string; n: number; study: string | undefined }> = [];
  for (const name of names) {
    const m = FILE.exec(name);
    if (!m) continue;
    const study = m[1] === undefined ? undefined : decodeStudy(m[1]);
    if (m[1] !== undefined && study === undefined) continue;
    if (wanted !== undefined && study !== undefined && study !== wanted) continue;
    out.push({ name, n: Number(m[2]), study });
  }
  return out.sort((a, b) => b.n - a.n || (a.name < b.name ? -1 : 1));
}

async function readSamplerFile(
  path: string,
  samplerKinds: SamplerKinds,
): Promise<Either<HyperionError, { studyName: unknown; sampler: Sampler }>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    return left(corruptCheckpoint(path, `it is not valid JSON (${describeCause(e)})`, e));
  }
  const d = doc as Partial<SamplerCheckpoint> | null;
  if (typeof d !== "object" || d === null || d.format !== "hyperion-sampler" || d.version !== 1) {
    return left(
      corruptCheckpoint(path, "it is not a Hyperion sampler checkpoint of format version 1"),
    );
  }
  const sampler = samplerFromSnapshot(d.sampler as never, { samplerKinds });
  if (sampler._tag === "Left") {
    return left(corruptCheckpoint(path, sampler.left.message, sampler.left));
  }
  return right({ studyName: d.studyName, sampler: sampler.right });
}
