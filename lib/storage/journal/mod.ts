/**
 * The journal storage (`@hyperion/tune/journal`): Optuna's `JournalStorage` over a
 * `JournalFileBackend`, an append-only log file that processes on many machines share over a
 * network file system without a database server. Python Optuna 5.0 reads and continues studies
 * written here, and the reverse. Also opened by `openStorage("journal:///path/study.log")`.
 *
 * @example Two storages on one journal file see each other's trials
 * ```ts
 * import { journalFileBackend, journalStorage } from "@hyperion/tune/journal";
 * import { runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const backend = journalFileBackend(`${dir}/study.log`);
 * const a = await runOrThrow(journalStorage(backend));
 * const b = await runOrThrow(journalStorage(backend));
 * const study = await runOrThrow(a.createStudy({ studyName: "s", directions: ["minimize"] }));
 * await runOrThrow(b.createTrial(study.studyId));
 * assert.equal((await runOrThrow(a.getAllTrials(study.studyId))).length, 1);
 * await runOrThrow(a.close());
 * await runOrThrow(b.close());
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export {
  type JournalDamage,
  type JournalStorage,
  journalStorage,
  type JournalStorageOptions,
  journalUrl,
} from "./journal.ts";
export {
  type JournalFileBackend,
  journalFileBackend,
  type JournalFileBackendOptions,
  type JournalLockKind,
} from "./backend.ts";
// the types the signatures mention, so that this entry point documents them
export type * from "../signature_types.ts";
