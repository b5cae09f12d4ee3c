/**
 * `resumeStudy`: rebuild a study after a crash so that finished trials are kept and failed ones
 * are re-run, at their own trial numbers, with their original parameters — so that the trainer
 * resumes each from its own checkpoints.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Either, fromAsync, left, right, type TaskEither } from "../effect.ts";
import {
  describeCause,
  type HyperionError,
  invalidStudyArgs,
  show,
  storageError,
} from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import {
  type FrozenTrial,
  TRIAL_STATES,
  type TrialState,
  type TrialTemplate,
  trialTemplate,
} from "../core/trial.ts";
import type { StudyRecord } from "../core/study.ts";
import type { Storage } from "../storage/storage.ts";
import { copyStudy, createStudy, type Study, type StudyArgs } from "../study/study.ts";
import { openStorage } from "../storage/open.ts";
import { setOwn } from "../storage/rules.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The user attribute a re-run trial carries: the number of the trial it replaces (kept across
 * repeated failures). The tuning plug-in names the model's checkpoints after it.
 *
 * @category model
 */
export const ORIGINAL_NUMBER_KEY = "hyperion:original_number";

/**
 * The study system attribute by which {@link resumeStudy} marks a study it is rebuilding:
 * `{ studyName, tag }`. Its temporary studies are named after the tag
 * (`<studyName>.resume-<tag>`, `<studyName>.resume-old-<tag>`,
 * `<studyName>.resume-backup-<tag>`); it deletes no other study.
 *
 * @category model
 */
export const RESUME_MARK_KEY = "hyperion:resume";

/**
 * The value of the {@link RESUME_MARK_KEY} system attribute.
 *
 * @category model
 */
export interface ResumeMark {
  /** The study being resumed. */
  readonly studyName: string;
  /** A UUID naming the temporary studies of this resume. */
  readonly tag: string;
}

/**
 * Arguments of {@link resumeStudy}: those of `createStudy`, with a persistent storage (a
 * `Storage` or a URL) and a name required, and `loadIfExists` true.
 *
 * @category model
 */
export interface ResumeStudyArgs extends Omit<StudyArgs, "storage"> {
  /** A persistent storage, or its URL (`sqlite:///…`, `postgresql://…`). */
  readonly storage?: Storage | string;
}

/**
 * Options of {@link resumeStudy}.
 *
 * @category model
 */
export interface ResumeStudyOptions {
  /**
   * States whose trials are re-run (add `"RUNNING"` after a killed process). `"PRUNED"` and
   * `"COMPLETE"` are refused: finished trials are never re-run.
   *
   * @default {["FAIL"]}
   */
  readonly failedStates?: ReadonlyArray<TrialState>;
  /**
   * Back up first: an SQLite file `dir/<stem>.db` is copied consistently to
   * `dir/<stem>_backup-<k>.db`; on other storages the study is copied to
   * `<studyName>_backup-<k>`.
   *
   * @default {true}
   */
  readonly backupStudy?: boolean;
}

/**
 * What {@link resumeStudy} did.
 *
 * @category model
 */
export interface ResumePlan {
  /** Numbers of the trials replaced by WAITING re-runs. */
  readonly rerun: ReadonlyArray<number>;
  /** Trials carried over unchanged. */
  readonly kept: ReadonlyArray<number>;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The number a trial stands for: its `hyperion:original_number` user attribute when present,
 * else its own number.
 *
 * @category queries
 */
export function originalNumber(trial: Pick<FrozenTrial, "number" | "userAttrs">): number {
  const n = trial.userAttrs[ORIGINAL_NUMBER_KEY];
  return typeof n === "number" && Number.isSafeInteger(n) ? n : trial.number;
}

/**
 * The pure part of {@link resumeStudy}: which trials are re-run (state in `failedStates` and no
 * COMPLETE or PRUNED trial already re-ran them) and the templates that rebuild the study, in
 * number order.
 *
 * @category queries
 */
export function planResume(
  trials: ReadonlyArray<FrozenTrial>,
  failedStates: ReadonlyArray<TrialState>,
): { readonly plan: ResumePlan; readonly templates: ReadonlyArray<TrialTemplate> } {
  const finishedReruns = new Set<number>();
  for (const t of trials) {
    if (t.state !== "COMPLETE" && t.state !== "PRUNED") continue;
    const n = t.userAttrs[ORIGINAL_NUMBER_KEY];
    if (typeof n === "number" && n !== t.number) finishedReruns.add(n);
    const retried = t.systemAttrs["failed_trial"];
    if (typeof retried === "number") finishedReruns.add(retried);
  }
  const rerun: number[] = [];
  const kept: number[] = [];
  const templates: TrialTemplate[] = [];
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    const original = originalNumber(t);
    if (failedStates.includes(t.state) && !finishedReruns.has(original)) {
      rerun.push(t.number);
      templates.push({
        state: "WAITING",
        params: t.params,
        distributions: t.distributions,
        intermediateValues: t.intermediateValues,
        userAttrs: { ...t.userAttrs, [ORIGINAL_NUMBER_KEY]: original },
        systemAttrs: {
          ...rerunSystemAttrs(t.systemAttrs),
          fixed_params: t.params as Readonly<Record<string, JsonValue>>,
        },
      });
    } else {
      kept.push(t.number);
      templates.push(trialTemplate(t));
    }
  }
  return { plan: { rerun, kept }, templates };
}

/**
 * The system attributes a re-run keeps: all of the failed trial's (a sampler's record of the
 * trial, such as the grid point `grid_id` or QMC's `qmc:sample_id`, makes the re-run draw what
 * the original drew) except `fail_reason`, which described the failure.
 */
function rerunSystemAttrs(attrs: FrozenTrial["systemAttrs"]): Record<string, JsonValue> {
  const kept: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (key !== "fail_reason") setOwn(kept, key, value);
  }
  return kept;
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

function checkArgs(
  args: ResumeStudyArgs,
  options: ResumeStudyOptions,
): Either<HyperionError, ReadonlyArray<TrialState>> {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return left(invalidStudyArgs(
      "studyArgs",
      `Cannot resume the study as 'studyArgs' must be an object: current value ${show(args)}`,
    ));
  }
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return left(invalidStudyArgs(
      "options",
      `Cannot resume the study as 'options' must be an object: current value ${show(options)}`,
    ));
  }
  const backupStudy = options.backupStudy;
  if (backupStudy !== undefined && typeof backupStudy !== "boolean") {
    return left(invalidStudyArgs(
      "backupStudy",
      `Cannot resume the study as 'backupStudy' must be a boolean: current value ${
        show(backupStudy)
      }`,
    ));
  }
  if (args.storage === undefined) {
    return left(invalidStudyArgs(
      "storage",
      "Cannot resume the study as 'storage' is missing: pass a persistent Storage or a URL such as 'sqlite:///study.db'",
    ));
  }
  if (args.loadIfExists !== true) {
    return left(invalidStudyArgs(
      "loadIfExists",
      `Cannot resume the study as 'loadIfExists' must be true: current value ${
        show(args.loadIfExists)
      }`,
    ));
  }
  if (typeof args.studyName !== "string" || args.studyName.length === 0) {
    return left(invalidStudyArgs(
      "studyName",
      `Cannot resume the study as 'studyName' must name it: current value ${show(args.studyName)}`,
    ));
  }
  const failedStates: ReadonlyArray<TrialState> = options.failedStates === undefined
    ? ["FAIL"]
    : options.failedStates;
  if (!Array.isArray(failedStates)) {
    return left(
      invalidStudyArgs(
        "failedStates",
        `Invalid 'failedStates': expected an array of states, got ${show(failedStates)}`,
      ),
    );
  }
  for (const s of failedStates) {
    if (!TRIAL_STATES.includes(s)) {
      return left(
        invalidStudyArgs("failedStates", `Invalid 'failedStates': ${show(s)} is not a trial state`),
      );
    }
    if (s === "PRUNED" || s === "COMPLETE") {
      return left(invalidStudyArgs(
        "failedStates",
        `Cannot resume the study as 'failedStates' must not contain ${s}: finished trials are never re-run`,
      ));
    }
  }
  return right(failedStates);
}

/** `sqlite:///x.db` → path of the file, else undefined. */
function sqlitePath(url: string): string | undefined {
  const m = /^sqlite:\/\/\/(.+)$/.exec(url);
  return m ? m[1] : undefined;
}

function nextBackupIndex(names: Iterable<string>, pattern: RegExp): number {
  let max = -1;
  for (const name of names) {
    const m = pattern.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The names of the temporary studies of the resume episode `tag` of study `name`. */
function temporaries(name: string, tag: string) {
  return {
    /** The rebuilt study, before it is renamed to `name`. */
    rebuilt: `${name}.resume-${tag}`,
    /** The original study, renamed away while the rebuilt one takes its name. */
    parked: `${name}.resume-old-${tag}`,
    /** A backup copy (storages other than SQLite), before it is renamed `<name>_backup-<k>`. */
    backup: `${name}.resume-backup-${tag}`,
  };
}

/** The tag of the resume mark `record` carries for study `name`, if any. */
function markTag(record: StudyRecord | undefined, name: string): string | undefined {
  const mark = record?.systemAttrs[RESUME_MARK_KEY] as Partial<ResumeMark> | undefined | null;
  return typeof mark === "object" && mark !== null && mark.studyName === name &&
      typeof mark.tag === "string" && /^[0-9a-f-]{36}$/.test(mark.tag)
    ? mark.tag
    : undefined;
}

/** Where the study stands: its record under its name, or parked by a killed swap. */
interface Located {
  /** The study named `name`, if any. */
  readonly current: StudyRecord | undefined;
  /** The original study parked under `<name>.resume-old-<tag>` by a killed swap. */
  readonly parked: StudyRecord | undefined;
  /** The resume episode's tag, when the study is marked. */
  readonly tag: string | undefined;
  /** Every study of the storage. */
  readonly studies: ReadonlyArray<StudyRecord>;
}

async function locate(storage: Storage, name: string): Promise<Either<HyperionError, Located>> {
  const listed = await storage.listStudies()();
  if (listed._tag === "Left") return listed;
  const studies = listed.right;
  const named = (n: string) => studies.find((s) => s.studyName === n);
  const current = named(name);
  if (current !== undefined) {
    const tag = markTag(current, name);
    const parked = tag === undefined ? undefined : named(temporaries(name, tag).parked);
    return right({
      current,
      parked: markTag(parked, name) === tag ? parked : undefined,
      tag,
      studies,
    });
  }
  const parked = studies.filter((s) => {
    const tag = markTag(s, name);
    return tag !== undefined && s.studyName === temporaries(name, tag).parked;
  });
  if (parked.length > 1) {
    return left(storageError(
      "resume the study",
      `several studies (${
        parked.map((s) => `'${s.studyName}'`).join(", ")
      }) claim to be '${name}' parked by an interrupted resumeStudy: rename the right one to '${name}'`,
    ));
  }
  return right({ current, parked: parked[0], tag: markTag(parked[0], name), studies });
}

/** Copies the SQLite file to `<stem>_backup-<k>.db` through a temporary file; returns it. */
async function backupFile(path: string): Promise<Either<HyperionError, string | undefined>> {
  if (!existsSync(path)) return right(undefined);
  const dir = dirname(path);
  const stem = basename(path, extname(path));
  const names = await readdir(dir);
  const leftover = new RegExp(`^${escapeRegExp(stem)}_backup-\\d+\\.db\\.[0-9a-f-]{36}\\.tmp$`);
  for (const name of names) {
    if (leftover.test(name)) await unlink(join(dir, name)).catch(() => undefined);
  }
  const k = nextBackupIndex(names, new RegExp(`^${escapeRegExp(stem)}_backup-(\\d+)\\.db$`));
  const target = join(dir, `${stem}_backup-${k}.db`);
  const tmp = `${target}.${globalThis.crypto.randomUUID()}.tmp`;
  try {
    const db = new DatabaseSync(path, { readOnly: true, timeout: 5000 });
    try {
      db.prepare("VACUUM INTO ?").run(tmp);
    } finally {
      db.close();
    }
    const handle = await open(tmp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    return left(storageError(`back up '${path}' to '${target}'`, e));
  }
  return right(target);
}

/**
 * Backs the study up before anything changes: the SQLite file as a whole, else the study (or
 * the original a killed swap parked) copied under a temporary name, then renamed
 * `<name>_backup-<k>`. On storages other than SQLite, an unmarked study is first marked, so that
 * the temporary copy is known to be this function's own if the process dies during the copy.
 */
async function backup(
  storage: Storage,
  name: string,
  at: Located,
): Promise<Either<HyperionError, Located>> {
  const source = at.current ?? at.parked;
  if (source === undefined) return right(at);
  const path = sqlitePath(storage.url);
  if (path !== undefined) {
    const copied = await backupFile(path);
    return copied._tag === "Left" ? copied : right(at);
  }
  let tag = at.tag;
  if (tag === undefined) {
    tag = globalThis.crypto.randomUUID();
    const marked = await mark(storage, source.studyId, name, tag);
    if (marked._tag === "Left") return marked;
  }
  const tmpName = temporaries(name, tag).backup;
  const stale = at.studies.find((s) => s.studyName === tmpName);
  if (stale !== undefined) {
    const removed = await storage.deleteStudy(stale.studyId)();
    if (removed._tag === "Left") return removed;
  }
  const copied = await copyStudy({
    fromStudyName: source.studyName,
    fromStorage: storage,
    toStorage: storage,
    toStudyName: tmpName,
  })();
  if (copied._tag === "Left") return copied;
  const k = nextBackupIndex(
    at.studies.map((s) => s.studyName),
    new RegExp(`^${escapeRegExp(name)}_backup-(\\d+)$`),
  );
  const copy = await storage.getStudy(tmpName)();
  if (copy._tag === "Left") return copy;
  const renamed = await storage.renameStudy({
    studyId: copy.right.studyId,
    studyName: `${name}_backup-${k}`,
  })();
  if (renamed._tag === "Left") return renamed;
  return locate(storage, name);
}

function mark(
  storage: Storage,
  studyId: number,
  name: string,
  tag: string,
): Promise<Either<HyperionError, void>> {
  const value: ResumeMark = { studyName: name, tag };
  return storage.setStudyAttr({
    id: studyId,
    kind: "system",
    key: RESUME_MARK_KEY,
    value: value as unknown as JsonValue,
  })();
}

/**
 * Finishes or undoes the swap of a killed call, and deletes its temporary studies. Only the
 * studies the mark names (`<name>.resume-<tag>`, `-old-<tag>`, `-backup-<tag>`) are touched.
 */
async function recover(
  storage: Storage,
  name: string,
  at: Located,
): Promise<Either<HyperionError, void>> {
  const tag = at.tag;
  if (tag === undefined) return right(undefined);
  const names = temporaries(name, tag);
  const named = (n: string) => at.studies.find((s) => s.studyName === n);
  let rebuilt = named(names.rebuilt);
  let parked = at.parked;
  if (at.current === undefined && parked !== undefined) {
    // The original was parked, so the rebuilt study was complete: finish the swap (or undo
    // it when the rebuilt study is gone).
    const target = rebuilt ?? parked;
    const renamed = await storage.renameStudy({ studyId: target.studyId, studyName: name })();
    if (renamed._tag === "Left") return renamed;
    if (target === rebuilt) rebuilt = undefined;
    else parked = undefined;
  }
  for (const s of [rebuilt, parked, named(names.backup)]) {
    if (s === undefined) continue;
    const deleted = await storage.deleteStudy(s.studyId)();
    if (deleted._tag === "Left") return deleted;
  }
  return right(undefined);
}

/** Builds the rebuilt study `into` from the original's record and templates. */
async function build(
  storage: Storage,
  into: number,
  record: StudyRecord,
  templates: ReadonlyArray<TrialTemplate>,
  expected: ReadonlyArray<number>,
): Promise<Either<HyperionError, void>> {
  for (
    const [kind, attrs] of [["user", record.userAttrs], ["system", record.systemAttrs]] as const
  ) {
    for (const [key, value] of Object.entries(attrs)) {
      const r = await storage.setStudyAttr({ id: into, kind, key, value })();
      if (r._tag === "Left") return r;
    }
  }
  for (const [i, template] of templates.entries()) {
    const created = await storage.createTrial(into, template)();
    if (created._tag === "Left") return created;
    if (created.right.number !== expected[i]) {
      return left(storageError(
        "rebuild the study",
        `trial numbers of '${record.studyName}' are not consecutive: expected ${
          expected[i]
        }, got ${created.right.number}`,
      ));
    }
  }
  return right(undefined);
}

/** Rebuilds the study beside the original and swaps it in (see {@link resumeStudy}). */
async function rebuildAndSwap(
  storage: Storage,
  name: string,
  original: StudyRecord,
  templates: ReadonlyArray<TrialTemplate>,
  expected: ReadonlyArray<number>,
): Promise<Either<HyperionError, void>> {
  let tag = markTag(original, name);
  if (tag === undefined) {
    tag = globalThis.crypto.randomUUID();
    const marked = await mark(storage, original.studyId, name, tag);
    if (marked._tag === "Left") return marked;
  }
  const record = await storage.getStudyById(original.studyId)();
  if (record._tag === "Left") return record;
  const names = temporaries(name, tag);
  const tmp = await storage.createStudy({
    studyName: names.rebuilt,
    directions: record.right.directions,
  })();
  if (tmp._tag === "Left") return tmp;
  const built = await build(storage, tmp.right.studyId, record.right, templates, expected);
  if (built._tag === "Left") {
    await storage.deleteStudy(tmp.right.studyId)();
    return built;
  }
  const parked = await storage.renameStudy({
    studyId: original.studyId,
    studyName: names.parked,
  })();
  if (parked._tag === "Left") {
    await storage.deleteStudy(tmp.right.studyId)();
    return parked;
  }
  const swapped = await storage.renameStudy({ studyId: tmp.right.studyId, studyName: name })();
  if (swapped._tag === "Left") {
    return left(storageError(
      "swap the rebuilt study in",
      `${
        describeCause(swapped.left)
      }; the original study is kept as '${names.parked}' and the next resumeStudy call finishes the swap`,
    ));
  }
  return await storage.deleteStudy(original.studyId)();
}

function checkStorageArg(
  storage: unknown,
): Either<HyperionError, Storage | string> {
  if (typeof storage === "string") return right(storage);
  const s = storage as Partial<Storage> | null;
  if (
    typeof s === "object" && s !== null && typeof s.listStudies === "function" &&
    typeof s.createStudy === "function" && typeof s.renameStudy === "function"
  ) {
    return right(s as Storage);
  }
  return left(invalidStudyArgs(
    "storage",
    `Cannot resume the study as 'storage' must be a persistent Storage or a URL such as 'sqlite:///study.db': current value ${
      show(storage)
    }`,
  ));
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Rebuilds a study after a crash; call it before any trial starts, in one process.
 *
 * 1. **Backup, before anything changes.** With `backupStudy` (default) and when the study
 *    exists (under its name, or parked by a killed call), it is backed up first, before this
 *    call creates, renames or deletes any study: an SQLite file `dir/<stem>.db` is copied whole
 *    (every study in it) to `dir/<stem>_backup-<k>.db` through a temporary file renamed into
 *    place; on other storages the study is copied to `<studyName>.resume-backup-<tag>`, then
 *    renamed `<studyName>_backup-<k>` (there the only earlier write is the
 *    {@link RESUME_MARK_KEY} system attribute that names the temporary copy). Every call backs
 *    up again, so a call killed and repeated leaves one more backup.
 * 2. **Recovery.** A call killed midway left the study marked ({@link RESUME_MARK_KEY}): the
 *    swap it left halfway is finished (or undone, when the rebuilt study is gone) and its
 *    temporary studies are deleted. Only the studies the mark names are touched: a study of
 *    yours named, say, `<studyName>.resume-x` is never deleted or changed.
 * 3. **Rebuild.** Every trial is carried over unchanged, at its number, except one whose state
 *    is in `failedStates` (default `["FAIL"]`) and that no COMPLETE or PRUNED trial already
 *    re-ran: that one becomes, at the same number, a WAITING trial with the same parameters, the
 *    same intermediate values (a re-run that resumes from a checkpoint reports the same values
 *    for the same steps, so the pruner sees what it saw) and the user attribute
 *    `hyperion:original_number` (kept across repeated failures). The study is marked, the
 *    rebuilt study is written beside it as `<studyName>.resume-<tag>`, the original is renamed
 *    `<studyName>.resume-old-<tag>`, the rebuilt one takes the name, and the original is
 *    deleted. Nothing changes when no trial is re-run.
 *
 * Killed at any point — including during the recovery of an earlier kill — the next call ends
 * with exactly the study an uninterrupted call gives and none of the killed calls' temporary
 * studies. Other studies in the storage are untouched.
 *
 * Errors (`InvalidStudyArgs` naming the field): `studyArgs` or `options` not an object, no
 * storage or not a Storage or URL, a non-persistent storage, `loadIfExists` not true, no study
 * name, `backupStudy` not a boolean, `failedStates` not an array of states or holding `PRUNED`
 * or `COMPLETE`.
 *
 * @example Resume a study after a crash
 * ```ts
 * import { ask, getTrials, runOrThrow, suggestFloat, tell } from "@hyperion/tune";
 * import { resumeStudy } from "@hyperion/tune/plugins/optuna";
 * import { join } from "node:path";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const args = { storage: `sqlite:///${join(dir, "s.db")}`, studyName: "s", loadIfExists: true };
 * const first = await runOrThrow(resumeStudy(args));
 * const trial = await runOrThrow(ask(first));
 * await runOrThrow(suggestFloat(trial, "x", 0, 1));
 * await runOrThrow(first.storage.close()); // the process dies: trial 0 stays RUNNING
 *
 * const again = await runOrThrow(resumeStudy(args, { failedStates: ["FAIL", "RUNNING"] }));
 * const trials = await runOrThrow(getTrials(again));
 * assert.deepEqual(trials.map((t) => [t.number, t.state]), [[0, "WAITING"]]);
 * await runOrThrow(again.storage.close());
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category combinators
 */
export function resumeStudy(
  studyArgs: ResumeStudyArgs,
  options: ResumeStudyOptions = {},
): TaskEither<HyperionError, Study> {
  return fromAsync(async () => {
    const checked = checkArgs(studyArgs, options);
    if (checked._tag === "Left") return checked;
    const failedStates = checked.right;
    const studyName = studyArgs.studyName as string;
    const given = checkStorageArg(studyArgs.storage);
    if (given._tag === "Left") return given;
    let storage: Storage;
    if (typeof given.right === "string") {
      const opened = await openStorage(given.right)();
      if (opened._tag === "Left") return opened;
      storage = opened.right;
    } else {
      storage = given.right;
    }
    if (!storage.persistent) {
      return left(invalidStudyArgs(
        "storage",
        `Cannot resume the study as storage '${storage.url}' is not persistent: use SQLite or PostgreSQL`,
      ));
    }
    const args: StudyArgs = { ...studyArgs, storage };
    let at = await locate(storage, studyName);
    if (at._tag === "Left") return at;
    if (options.backupStudy ?? true) {
      at = await backup(storage, studyName, at.right);
      if (at._tag === "Left") return at;
    }
    const recovered = await recover(storage, studyName, at.right);
    if (recovered._tag === "Left") return recovered;
    const study = await createStudy(args)();
    if (study._tag === "Left") return study;
    const trials = await storage.getAllTrials(study.right.studyId)();
    if (trials._tag === "Left") return trials;
    const { plan, templates } = planResume(trials.right, failedStates);
    if (plan.rerun.length === 0) return study;
    const record = await storage.getStudyById(study.right.studyId)();
    if (record._tag === "Left") return record;
    const swapped = await rebuildAndSwap(
      storage,
      studyName,
      record.right,
      templates,
      [...trials.right].sort((a, b) => a.number - b.number).map((t) => t.number),
    );
    if (swapped._tag === "Left") return swapped;
    return await createStudy(args)();
  }, (e) => storageError("resume the study", e));
}
