/**
 * `resumeStudy`: rebuild a study after a crash so that finished trials are kept and failed ones
 * are re-run, at their own trial numbers, with their original parameters — so that the trainer
 * resumes each from its own checkpoints.
 *
 * @module
 */
import {
  bracket,
  type Either,
  fromAsync,
  gen,
  left,
  orElse,
  right,
  succeed,
  type TaskEither,
} from "../../effect/mod.ts";
import { type HyperionError, invalidStudyArgs, show, storageError } from "../../errors.ts";
import type { JsonValue } from "../../core/json.ts";
import {
  type FrozenTrial,
  TRIAL_STATES,
  type TrialState,
  type TrialTemplate,
  trialTemplate,
} from "../../core/trial.ts";
import type { Storage } from "../../storage/storage.ts";
import { createStudy, type Study, type StudyArgs } from "../../study/study.ts";
import { openStorage } from "../../storage/open.ts";
import { setOwn } from "../../storage/rules.ts";
import { backup } from "./_resume_backup.ts";
import { locate, rebuildAndSwap, recover } from "./_resume_swap.ts";

export { RESUME_MARK_KEY, type ResumeMark } from "./_resume_swap.ts";

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
  return fromAsync(
    () =>
      gen(function* (_) {
        const failedStates = yield* _(checkArgs(studyArgs, options));
        const given = yield* _(checkStorageArg(studyArgs.storage));
        const resume = (storage: Storage) =>
          resumeIn(storage, studyArgs, failedStates, options.backupStudy ?? true);
        if (typeof given !== "string") return yield* _(resume(given));
        return yield* _(bracket(openStorage(given), resume, closeOnFailure));
      })(),
    (e) => storageError("resume the study", e),
  );
}

/**
 * The release of a storage {@link resumeStudy} opened from a URL: closed when the resume
 * failed (a failure to close is ignored: the resume's error is the one to report); kept open
 * when it succeeded, since the study returned holds it.
 */
function closeOnFailure(
  storage: Storage,
  result: Either<unknown, Study>,
): TaskEither<never, void> {
  if (result._tag === "Right") return succeed(undefined);
  return orElse(storage.close(), () => succeed(undefined));
}

/** {@link resumeStudy} on an open storage, its arguments checked. */
function resumeIn(
  storage: Storage,
  studyArgs: ResumeStudyArgs,
  failedStates: ReadonlyArray<TrialState>,
  backupStudy: boolean,
): TaskEither<HyperionError, Study> {
  return gen(function* (_) {
    if (!storage.persistent) {
      return yield* _(left(invalidStudyArgs(
        "storage",
        `Cannot resume the study as storage '${storage.url}' is not persistent: use SQLite or PostgreSQL`,
      )));
    }
    const studyName = studyArgs.studyName as string;
    const args: StudyArgs = { ...studyArgs, storage };
    const located = yield* _(locate(storage, studyName));
    const at = backupStudy ? yield* _(backup(storage, studyName, located)) : located;
    yield* _(recover(storage, studyName, at));
    const study = yield* _(createStudy(args));
    const trials = yield* _(storage.getAllTrials(study.studyId));
    const { plan, templates } = planResume(trials, failedStates);
    if (plan.rerun.length === 0) return study;
    const record = yield* _(storage.getStudyById(study.studyId));
    const numbers = [...trials].sort((a, b) => a.number - b.number).map((t) => t.number);
    yield* _(rebuildAndSwap(storage, studyName, record, templates, numbers));
    return yield* _(createStudy(args));
  });
}
