/**
 * The swap of `resumeStudy`: the mark that names a resume episode's temporary studies,
 * locating the study (under its name, or parked by a killed call), recovering from a killed
 * call, and rebuilding the study beside the original before swapping it in. Only the studies a
 * mark names are ever deleted.
 *
 * @module
 */
import { type Either, fail, gen, left, orElse, right, type TaskEither } from "../../effect/mod.ts";
import { describeCause, type HyperionError, storageError } from "../../errors.ts";
import type { JsonValue } from "../../core/json.ts";
import type { TrialTemplate } from "../../core/trial.ts";
import type { StudyRecord } from "../../core/study.ts";
import type { Storage } from "../../storage/storage.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

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

/** Where the study stands: its record under its name, or parked by a killed swap. */
export interface Located {
  /** The study named `name`, if any. */
  readonly current: StudyRecord | undefined;
  /** The original study parked under `<name>.resume-old-<tag>` by a killed swap. */
  readonly parked: StudyRecord | undefined;
  /** The resume episode's tag, when the study is marked. */
  readonly tag: string | undefined;
  /** Every study of the storage. */
  readonly studies: ReadonlyArray<StudyRecord>;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The names of the temporary studies of the resume episode `tag` of study `name`. */
export function temporaries(
  name: string,
  tag: string,
): { readonly rebuilt: string; readonly parked: string; readonly backup: string } {
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
export function markTag(record: StudyRecord | undefined, name: string): string | undefined {
  const mark = record?.systemAttrs[RESUME_MARK_KEY] as Partial<ResumeMark> | undefined | null;
  return typeof mark === "object" && mark !== null && mark.studyName === name &&
      typeof mark.tag === "string" && /^[0-9a-f-]{36}$/.test(mark.tag)
    ? mark.tag
    : undefined;
}

/** Where study `name` stands in `storage` (see {@link Located}). */
export function locate(storage: Storage, name: string): TaskEither<HyperionError, Located> {
  return gen(function* (_) {
    return yield* _(locateIn(yield* _(storage.listStudies()), name));
  });
}

/** {@link locate} over the list of the storage's studies. */
function locateIn(
  studies: ReadonlyArray<StudyRecord>,
  name: string,
): Either<HyperionError, Located> {
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

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** Marks study `studyId` as being resumed by the episode `tag` ({@link RESUME_MARK_KEY}). */
export function mark(
  storage: Storage,
  studyId: number,
  name: string,
  tag: string,
): TaskEither<HyperionError, void> {
  const value: ResumeMark = { studyName: name, tag };
  return storage.setStudyAttr({
    id: studyId,
    kind: "system",
    key: RESUME_MARK_KEY,
    value: value as unknown as JsonValue,
  });
}

/**
 * Finishes or undoes the swap of a killed call, and deletes its temporary studies. Only the
 * studies the mark names (`<name>.resume-<tag>`, `-old-<tag>`, `-backup-<tag>`) are touched.
 */
export function recover(
  storage: Storage,
  name: string,
  at: Located,
): TaskEither<HyperionError, void> {
  return gen(function* (_) {
    const tag = at.tag;
    if (tag === undefined) return;
    const names = temporaries(name, tag);
    const named = (n: string) => at.studies.find((s) => s.studyName === n);
    let rebuilt = named(names.rebuilt);
    let parked = at.parked;
    if (at.current === undefined && parked !== undefined) {
      // The original was parked, so the rebuilt study was complete: finish the swap (or undo
      // it when the rebuilt study is gone).
      const target = rebuilt ?? parked;
      yield* _(storage.renameStudy({ studyId: target.studyId, studyName: name }));
      if (target === rebuilt) rebuilt = undefined;
      else parked = undefined;
    }
    for (const s of [rebuilt, parked, named(names.backup)]) {
      if (s !== undefined) yield* _(storage.deleteStudy(s.studyId));
    }
  });
}

/** Builds the rebuilt study `into` from the original's record and templates. */
function build(
  storage: Storage,
  into: number,
  record: StudyRecord,
  templates: ReadonlyArray<TrialTemplate>,
  expected: ReadonlyArray<number>,
): TaskEither<HyperionError, void> {
  return gen(function* (_) {
    for (
      const [kind, attrs] of [["user", record.userAttrs], ["system", record.systemAttrs]] as const
    ) {
      for (const [key, value] of Object.entries(attrs)) {
        yield* _(storage.setStudyAttr({ id: into, kind, key, value }));
      }
    }
    for (const [i, template] of templates.entries()) {
      const created = yield* _(storage.createTrial(into, template));
      if (created.number !== expected[i]) {
        return yield* _(left(storageError(
          "rebuild the study",
          `trial numbers of '${record.studyName}' are not consecutive: expected ${
            expected[i]
          }, got ${created.number}`,
        )));
      }
    }
  });
}

/** Runs `step`; on a failure, deletes the temporary study `tmp` first, then fails the same. */
function dropOnFailure<A>(
  storage: Storage,
  tmp: number,
  step: TaskEither<HyperionError, A>,
): TaskEither<HyperionError, A> {
  return orElse(step, (e) => async () => {
    await storage.deleteStudy(tmp)();
    return left(e);
  });
}

/** Rebuilds the study beside the original and swaps it in (see {@link resumeStudy}). */
export function rebuildAndSwap(
  storage: Storage,
  name: string,
  original: StudyRecord,
  templates: ReadonlyArray<TrialTemplate>,
  expected: ReadonlyArray<number>,
): TaskEither<HyperionError, void> {
  return gen(function* (_) {
    let tag = markTag(original, name);
    if (tag === undefined) {
      tag = globalThis.crypto.randomUUID();
      yield* _(mark(storage, original.studyId, name, tag));
    }
    const record = yield* _(storage.getStudyById(original.studyId));
    const names = temporaries(name, tag);
    const tmp = yield* _(storage.createStudy({
      studyName: names.rebuilt,
      directions: record.directions,
    }));
    yield* _(
      dropOnFailure(storage, tmp.studyId, build(storage, tmp.studyId, record, templates, expected)),
    );
    yield* _(dropOnFailure(
      storage,
      tmp.studyId,
      storage.renameStudy({ studyId: original.studyId, studyName: names.parked }),
    ));
    yield* _(orElse(
      storage.renameStudy({ studyId: tmp.studyId, studyName: name }),
      (e) =>
        fail(storageError(
          "swap the rebuilt study in",
          `${
            describeCause(e)
          }; the original study is kept as '${names.parked}' and the next resumeStudy call finishes the swap`,
        )),
    ));
    return yield* _(storage.deleteStudy(original.studyId));
  });
}
