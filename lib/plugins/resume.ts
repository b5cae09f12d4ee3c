/**
 * `resumeStudy`: rebuild a study after a crash so that finished trials are kept and failed ones
 * are re-run, at their own trial numbers, with their original parameters — so that the trainer
 * resumes each from its own checkpoints.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
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
import type { Storage } from "../storage/storage.ts";
import { copyStudy, createStudy, type Study, type StudyArgs } from "../study/study.ts";
import { openStorage } from "../storage/open.ts";

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
        systemAttrs: { fixed_params: t.params as Readonly<Record<string, JsonValue>> },
      });
    } else {
      kept.push(t.number);
      templates.push(trialTemplate(t));
    }
  }
  return { plan: { rerun, kept }, templates };
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

function checkArgs(
  args: ResumeStudyArgs,
  options: ResumeStudyOptions,
): Either<HyperionError, ReadonlyArray<TrialState>> {
  if (args?.storage === undefined) {
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
  const failedStates = options.failedStates ?? ["FAIL"];
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

async function backup(
  storage: Storage,
  studyName: string,
): Promise<Either<HyperionError, string | undefined>> {
  const studies = await storage.listStudies()();
  if (studies._tag === "Left") return studies;
  if (!studies.right.some((s) => s.studyName === studyName)) return right(undefined);
  const path = sqlitePath(storage.url);
  if (path !== undefined) {
    if (!existsSync(path)) return right(undefined);
    const dir = dirname(path);
    const stem = basename(path, extname(path));
    const k = nextBackupIndex(
      await readdir(dir),
      new RegExp(`^${escapeRegExp(stem)}_backup-(\\d+)\\.db$`),
    );
    const target = join(dir, `${stem}_backup-${k}.db`);
    try {
      const db = new DatabaseSync(path, { readOnly: true, timeout: 5000 });
      try {
        db.prepare("VACUUM INTO ?").run(target);
      } finally {
        db.close();
      }
    } catch (e) {
      return left(storageError(`back up '${path}' to '${target}'`, e));
    }
    return right(target);
  }
  const k = nextBackupIndex(
    studies.right.map((s) => s.studyName),
    new RegExp(`^${escapeRegExp(studyName)}_backup-(\\d+)$`),
  );
  const target = `${studyName}_backup-${k}`;
  const copied = await copyStudy({
    fromStudyName: studyName,
    fromStorage: storage,
    toStorage: storage,
    toStudyName: target,
  })();
  return copied._tag === "Left" ? copied : right(target);
}

/** Finishes or undoes a swap that a killed process left halfway. */
async function recover(storage: Storage, studyName: string): Promise<Either<HyperionError, void>> {
  const studies = await storage.listStudies()();
  if (studies._tag === "Left") return studies;
  const prefix = `${studyName}.resume-`;
  const leftovers = studies.right.filter((s) => s.studyName.startsWith(prefix));
  if (leftovers.length === 0) return right(undefined);
  const present = studies.right.some((s) => s.studyName === studyName);
  const old = leftovers.find((s) => s.studyName.startsWith(`${prefix}old-`));
  if (!present && old) {
    const renamed = await storage.renameStudy({ studyId: old.studyId, studyName })();
    if (renamed._tag === "Left") return renamed;
  }
  for (const s of leftovers) {
    if (!present && s === old) continue;
    const deleted = await storage.deleteStudy(s.studyId)();
    if (deleted._tag === "Left") return deleted;
  }
  return right(undefined);
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Rebuilds a study after a crash; call it before any trial starts.
 *
 * 1. With `backupStudy` (default) and when the study exists, backs it up first (see
 *    {@link ResumeStudyOptions}).
 * 2. Every trial is carried over unchanged, at its number, except one whose state is in
 *    `failedStates` (default `["FAIL"]`) and that no COMPLETE or PRUNED trial already re-ran:
 *    that one becomes, at the same number, a WAITING trial with the same parameters, the same
 *    intermediate values (a re-run that resumes from a checkpoint reports the same values for
 *    the same steps, so the pruner sees what it saw) and the user attribute
 *    `hyperion:original_number` (kept across repeated failures).
 * 3. Other studies in the storage are untouched. The rebuilt study is written beside the old one
 *    and swapped in by renaming; a process killed midway leaves both, and the next call
 *    finishes or undoes the swap.
 *
 * Errors (`InvalidStudyArgs` naming the field): no storage, a non-persistent storage,
 * `loadIfExists` not true, no study name, `PRUNED` or `COMPLETE` in `failedStates`.
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
    let storage: Storage;
    if (typeof studyArgs.storage === "string") {
      const opened = await openStorage(studyArgs.storage)();
      if (opened._tag === "Left") return opened;
      storage = opened.right;
    } else {
      storage = studyArgs.storage as Storage;
    }
    if (!storage.persistent) {
      return left(invalidStudyArgs(
        "storage",
        `Cannot resume the study as storage '${storage.url}' is not persistent: use SQLite or PostgreSQL`,
      ));
    }
    const args: StudyArgs = { ...studyArgs, storage };
    const recovered = await recover(storage, studyName);
    if (recovered._tag === "Left") return recovered;
    if (options.backupStudy ?? true) {
      const backedUp = await backup(storage, studyName);
      if (backedUp._tag === "Left") return backedUp;
    }
    const study = await createStudy(args)();
    if (study._tag === "Left") return study;
    const trials = await storage.getAllTrials(study.right.studyId)();
    if (trials._tag === "Left") return trials;
    const { plan, templates } = planResume(trials.right, failedStates);
    if (plan.rerun.length === 0) return study;

    const tag = globalThis.crypto.randomUUID().slice(0, 8);
    const tmpName = `${studyName}.resume-${tag}`;
    const record = await storage.getStudyById(study.right.studyId)();
    if (record._tag === "Left") return record;
    const tmp = await storage.createStudy({
      studyName: tmpName,
      directions: record.right.directions,
    })();
    if (tmp._tag === "Left") return tmp;
    const build = async (): Promise<Either<HyperionError, void>> => {
      for (
        const [kind, attrs] of [["user", record.right.userAttrs], [
          "system",
          record.right.systemAttrs,
        ]] as const
      ) {
        for (const [key, value] of Object.entries(attrs)) {
          const r = await storage.setStudyAttr({ id: tmp.right.studyId, kind, key, value })();
          if (r._tag === "Left") return r;
        }
      }
      for (const [i, template] of templates.entries()) {
        const created = await storage.createTrial(tmp.right.studyId, template)();
        if (created._tag === "Left") return created;
        const expected = trials.right[i]?.number;
        if (created.right.number !== expected) {
          return left(storageError(
            "rebuild the study",
            `trial numbers of '${studyName}' are not consecutive: expected ${expected}, got ${created.right.number}`,
          ));
        }
      }
      return right(undefined);
    };
    const built = await build();
    if (built._tag === "Left") {
      await storage.deleteStudy(tmp.right.studyId)();
      return built;
    }
    const oldName = `${studyName}.resume-old-${tag}`;
    const moved = await storage.renameStudy({ studyId: study.right.studyId, studyName: oldName })();
    if (moved._tag === "Left") {
      await storage.deleteStudy(tmp.right.studyId)();
      return moved;
    }
    const swapped = await storage.renameStudy({ studyId: tmp.right.studyId, studyName })();
    if (swapped._tag === "Left") {
      return left(storageError(
        "swap the rebuilt study in",
        `${
          describeCause(swapped.left)
        }; the original study is kept as '${oldName}' and the next resumeStudy call restores it`,
      ));
    }
    const removed = await storage.deleteStudy(study.right.studyId)();
    if (removed._tag === "Left") return removed;
    return await createStudy(args)();
  }, (e) => storageError("resume the study", e));
}
