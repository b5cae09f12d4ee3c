/**
 * What the worker processes of the multi-process tests share: opening a storage by URL and
 * loading (or creating) one study on it with the random sampler.
 *
 * @module
 */
import { createStudy, randomSampler, runOrThrow, type Study } from "../../mod.ts";
import { openStorage, type OpenStorageOptions } from "../../lib/storage/open.ts";
import type { Storage } from "../../lib/storage/storage.ts";

/** A worker's storage and the study it optimizes. */
export interface WorkerStudy {
  /** The storage opened from the URL; the worker closes it. */
  readonly storage: Storage;
  /** The study, loaded when it exists, else created; it samples with the random sampler. */
  readonly study: Study;
}

/**
 * Opens the storage at `url` (any storage URL, with `options`) and loads the study
 * `studyName`, creating it when it does not exist, with the random sampler. Throws on any
 * error.
 */
export async function openWorkerStudy(
  url: string,
  studyName: string,
  options: OpenStorageOptions = {},
): Promise<WorkerStudy> {
  const storage = await runOrThrow(openStorage(url, options));
  const study = await runOrThrow(
    createStudy({ storage, studyName, loadIfExists: true, sampler: randomSampler() }),
  );
  return { storage, study };
}
