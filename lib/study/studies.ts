/**
 * Studies as a whole, inside one storage or across two: summaries of every study, deleting a
 * study, copying one (with its trials) to another name or storage.
 *
 * @example Copy a study, then delete the original
 * ```ts
 * import {
 *   copyStudy, createStudy, deleteStudy, getAllStudySummaries, memoryStorage, runOrThrow,
 * } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const storage = memoryStorage();
 * await runOrThrow(createStudy({ storage, studyName: "a" }));
 * await runOrThrow(copyStudy({ fromStudyName: "a", fromStorage: storage, toStorage: storage, toStudyName: "b" }));
 * await runOrThrow(deleteStudy({ studyName: "a", storage }));
 * const names = (await runOrThrow(getAllStudySummaries(storage))).map((s) => s.study.studyName);
 * assert.deepEqual(names, ["b"]);
 * ```
 *
 * @module
 */
import {
  bracket,
  type Either,
  fromAsync,
  gen,
  genEither,
  isLeft,
  left,
  right,
  type TaskEither,
} from "../effect/mod.ts";
import { type HyperionError, invalidArgument, invalidStudyArgs, show } from "../errors.ts";
import { bestTrial, type StudyRecord, type StudySummary } from "../core/study.ts";
import { type FrozenTrial, trialTemplate } from "../core/trial.ts";
import { checkStudyName } from "../storage/rules.ts";
import type { Storage } from "../storage/storage.ts";
import { checkStorage } from "./_checks.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Arguments of {@link copyStudy}.
 *
 * @category model
 */
export interface CopyStudyArgs {
  /** The study to copy. */
  readonly fromStudyName: string;
  /** Where it lives. */
  readonly fromStorage: Storage;
  /** Where to copy it. */
  readonly toStorage: Storage;
  /**
   * The copy's name.
   *
   * @default {fromStudyName}
   */
  readonly toStudyName?: string;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * Options of {@link getAllStudySummaries}.
 *
 * @category model
 */
export interface StudySummariesOptions {
  /**
   * Find each study's best trial (Optuna's `include_best_trial`); `false` leaves `bestTrial`
   * undefined and skips the search.
   *
   * @default {true}
   */
  readonly includeBestTrial?: boolean;
}

function summary(
  study: StudyRecord,
  trials: ReadonlyArray<FrozenTrial>,
  includeBestTrial: boolean,
): StudySummary {
  let start: number | null = null;
  for (const t of trials) {
    if (t.datetimeStart !== null && (start === null || t.datetimeStart < start)) {
      start = t.datetimeStart;
    }
  }
  return {
    study,
    nTrials: trials.length,
    bestTrial: includeBestTrial ? bestTrial(trials, study.directions) : undefined,
    datetimeStart: start,
  };
}

/**
 * A summary of every study in the storage, in creation order: its record, number of trials,
 * earliest start and (unless `includeBestTrial` is false) best feasible trial.
 *
 * @example Summaries without the best trials
 * ```ts
 * import { createStudy, getAllStudySummaries, memoryStorage, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const storage = memoryStorage();
 * await runOrThrow(createStudy({ storage, studyName: "a" }));
 * const [a] = await runOrThrow(getAllStudySummaries(storage, { includeBestTrial: false }));
 * assert.equal(a?.study.studyName, "a");
 * assert.equal(a?.bestTrial, undefined);
 * ```
 *
 * @category queries
 */
export function getAllStudySummaries(
  storage: Storage,
  options: StudySummariesOptions = {},
): TaskEither<HyperionError, ReadonlyArray<StudySummary>> {
  return fromAsync(
    gen(function* (_) {
      yield* _(checkStorage(storage));
      const include = yield* _(checkSummariesOptions(options));
      const out: StudySummary[] = [];
      for (const study of yield* _(storage.listStudies())) {
        out.push(summary(study, yield* _(storage.getAllTrials(study.studyId)), include));
      }
      return out;
    }),
    (e) => invalidArgument({ field: "storage", value: String(e), expected: "a working storage" }),
  );
}

function checkSummariesOptions(options: unknown): Either<HyperionError, boolean> {
  const include = typeof options === "object" && options !== null
    ? (options as StudySummariesOptions).includeBestTrial
    : options;
  if (include === undefined || typeof include === "boolean") return right(include !== false);
  return left(invalidArgument({
    field: typeof options === "object" && options !== null ? "includeBestTrial" : "options",
    value: include,
    expected: typeof options === "object" && options !== null
      ? "a boolean"
      : "an object such as { includeBestTrial: false }",
  }));
}

/**
 * The names of every study in the storage, in creation order (Optuna's
 * `get_all_study_names`).
 *
 * @example List study names
 * ```ts
 * import { createStudy, getAllStudyNames, memoryStorage, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const storage = memoryStorage();
 * await runOrThrow(createStudy({ storage, studyName: "a" }));
 * await runOrThrow(createStudy({ storage, studyName: "b" }));
 * assert.deepEqual(await runOrThrow(getAllStudyNames(storage)), ["a", "b"]);
 * ```
 *
 * @category queries
 */
export function getAllStudyNames(
  storage: Storage,
): TaskEither<HyperionError, ReadonlyArray<string>> {
  return fromAsync(
    gen(function* (_) {
      yield* _(checkStorage(storage));
      return (yield* _(storage.listStudies())).map((s) => s.studyName);
    }),
    (e) => invalidArgument({ field: "storage", value: String(e), expected: "a working storage" }),
  );
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Deletes a study with its trials; `StudyNotFound` when it does not exist.
 *
 * @category combinators
 */
export function deleteStudy(
  args: { readonly studyName: string; readonly storage: Storage },
): TaskEither<HyperionError, void> {
  return fromAsync(
    gen(function* (_) {
      if (typeof args !== "object" || args === null) {
        return yield* _(left(invalidArgument({
          field: "args",
          value: args,
          expected: "{ studyName, storage }",
        })));
      }
      const storage = yield* _(checkStorage(args.storage));
      const study = yield* _(storage.getStudy(yield* _(checkStudyName(args.studyName))));
      return yield* _(storage.deleteStudy(study.studyId));
    }),
    (e) => invalidArgument({ field: "studyName", value: String(e), expected: "a study" }),
  );
}

/**
 * Copies a study (directions, attributes and every trial with its state, values, parameters,
 * intermediate values, attributes and times) to another storage or name; trial numbers are
 * reassigned in order. `DuplicatedStudy` when the target exists. When a copy fails midway the
 * partial target is deleted.
 *
 * @category combinators
 */
export function copyStudy(args: CopyStudyArgs): TaskEither<HyperionError, void> {
  return fromAsync(
    gen(function* (_) {
      yield* _(checkCopyArgs(args));
      const from = yield* _(args.fromStorage.getStudy(args.fromStudyName));
      const trials = yield* _(args.fromStorage.getAllTrials(from.studyId));
      const created = args.toStorage.createStudy({
        studyName: args.toStudyName ?? args.fromStudyName,
        directions: from.directions,
      });
      // the partial target is deleted when the copy fails (the deletion's own result is ignored)
      return yield* _(bracket(
        created,
        (target) => copyInto(args.toStorage, target.studyId, from, trials),
        (target, copied) => async () => {
          if (copied._tag === "Left") await args.toStorage.deleteStudy(target.studyId)();
          return right(undefined);
        },
      ));
    }),
    (e) => invalidArgument({ field: "fromStudyName", value: String(e), expected: "a study" }),
  );
}

function copyInto(
  storage: Storage,
  target: number,
  from: StudyRecord,
  trials: ReadonlyArray<FrozenTrial>,
): TaskEither<HyperionError, void> {
  return gen(function* (_) {
    for (const [kind, attrs] of [["user", from.userAttrs], ["system", from.systemAttrs]] as const) {
      for (const [key, value] of Object.entries(attrs)) {
        yield* _(storage.setStudyAttr({ id: target, kind, key, value }));
      }
    }
    for (const t of trials) yield* _(storage.createTrial(target, trialTemplate(t)));
  });
}

function checkCopyArgs(args: CopyStudyArgs): Either<HyperionError, void> {
  if (typeof args !== "object" || args === null) {
    return left(invalidArgument({
      field: "args",
      value: args,
      expected: "{ fromStudyName, fromStorage, toStorage }",
    }));
  }
  return genEither(function* (_) {
    for (const field of ["fromStorage", "toStorage"] as const) {
      yield* _(checkStorage(args[field], field));
    }
    const names = [["fromStudyName", args.fromStudyName]] as Array<[string, unknown]>;
    if (args.toStudyName !== undefined) names.push(["toStudyName", args.toStudyName]);
    for (const [field, value] of names) {
      if (isLeft(checkStudyName(value))) {
        yield* _(left(invalidStudyArgs(
          field,
          `Invalid '${field}': expected a non-empty string of at most 512 characters, got ${
            show(value)
          }`,
        )));
      }
    }
  });
}
