/**
 * The swap of `resumeStudy`: the mark that names a resume episode's temporary studies,
 * locating the study (under its name, or parked by a killed call), recovering from a killed
 * call, and rebuilding the study beside the original before swapping it in. Only the studies a
 * mark names are ever deleted.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
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

export async function locate(
  storage: Storage,
  name: string,
): Promise<Either<HyperionError, Located>> {
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

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

export function mark(
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
export async function recover(
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
export async function rebuildAndSwap(
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
