/**
 * Sampler checkpoints: write the study's sampler (plain JSON) next to a trial's training
 * checkpoints, and restore the newest one to continue a seeded study exactly where it was.
 *
 * @module
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fromAsync, left, right, type TaskEither } from "../effect.ts";
import { corruptCheckpoint, describeCause, type HyperionError, storageError } from "../errors.ts";
import { type Sampler, samplerFromSnapshot } from "../samplers/sampler.ts";
import { studySampler } from "../study/study.ts";
import type { Trial } from "../study/live_trial.ts";

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
  /** The trial whose start it captures. */
  readonly trialNumber: number;
  /** The study it belongs to. */
  readonly studyName: string;
  /** The sampler. */
  readonly sampler: Sampler;
}

const FILE = /^sampler_trial-(\d+)\.json$/;

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Writes the study's current sampler to `<chkptRoot>/sampler_trial-<trial.number>.json`
 * atomically (a temporary file renamed into place), creating the folder; returns the path.
 * Call it at the start of a trial, before suggesting, to be able to replay from that trial.
 *
 * @category combinators
 */
export function checkpointSampler(
  trial: Trial,
  chkptRoot: string,
): TaskEither<HyperionError, string> {
  const path = join(chkptRoot, `sampler_trial-${trial.number}.json`);
  return fromAsync(async () => {
    const doc: SamplerCheckpoint = {
      format: "hyperion-sampler",
      version: 1,
      trialNumber: trial.number,
      studyName: trial.study.studyName,
      sampler: studySampler(trial.study),
    };
    const tmp = `${path}.${globalThis.crypto.randomUUID()}.tmp`;
    try {
      await mkdir(chkptRoot, { recursive: true });
      await writeFile(tmp, JSON.stringify(doc));
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => {});
      return left(storageError(`write sampler checkpoint '${path}'`, e));
    }
    return right(path);
  }, (e) => storageError(`write sampler checkpoint '${path}'`, e));
}

/**
 * Reads the sampler of the highest-numbered `sampler_trial-<n>.json` in `chkptRoot`;
 * `undefined` when there is none (or no folder). Other files are ignored. A file that cannot
 * be parsed, is not a sampler checkpoint, or names an unknown sampler kind gives
 * `CorruptCheckpoint` naming the file. Nothing in the file is executed.
 *
 * @category combinators
 */
export function restoreSampler(
  chkptRoot: string,
): TaskEither<HyperionError, Sampler | undefined> {
  return fromAsync(async () => {
    let names: string[];
    try {
      names = await readdir(chkptRoot);
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return right(undefined);
      return left(storageError(`read sampler checkpoints in '${chkptRoot}'`, e));
    }
    let best: { n: number; name: string } | undefined;
    for (const name of names) {
      const m = FILE.exec(name);
      if (!m) continue;
      const n = Number(m[1]);
      if (best === undefined || n > best.n) best = { n, name };
    }
    if (!best) return right(undefined);
    const path = join(chkptRoot, best.name);
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
    const sampler = samplerFromSnapshot(d.sampler as never);
    if (sampler._tag === "Left") {
      return left(corruptCheckpoint(path, sampler.left.message, sampler.left));
    }
    return right(sampler.right);
  }, (e) => storageError(`read sampler checkpoints in '${chkptRoot}'`, e));
}
