/**
 * The decisions of the study operations, of creating a trial and of claiming a WAITING one,
 * shared by every backend (memory, SQLite, PostgreSQL): given what was read (whether the
 * study exists, which study holds a name, the first distribution of a parameter) and the
 * call's arguments, either the error to report or what to write, as data. The order of the
 * checks lives here only. Pure; private to the library.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { duplicatedStudy, type HyperionError, show, studyNotFound } from "../errors.ts";
import { checkCompatible, type Distribution } from "../core/distributions.ts";
import type { JsonValue } from "../core/json.ts";
import type { Direction } from "../core/study.ts";
import {
  checkAttrWrite,
  checkDirections,
  checkStudyName,
  type NormalisedTemplate,
  normaliseTemplate,
} from "./rules.ts";
import type { TrialTemplate } from "../core/trial.ts";
import type { AttrKind, SetAttrArgs } from "./storage.ts";
import { chainRight } from "./trial_writes.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Create a study with these (checked) name and directions.
 *
 * @category model
 */
export interface StudyWrite {
  readonly studyName: string;
  readonly directions: ReadonlyArray<Direction>;
}

/**
 * Store (or replace) a study attribute.
 *
 * @category model
 */
export interface StudyAttrWrite {
  readonly studyId: number;
  readonly kind: AttrKind;
  readonly key: string;
  readonly value: JsonValue;
}

/**
 * Where the first distribution stored under a parameter name in the study is looked up.
 *
 * @category model
 */
export type FirstOf = (name: string) => Distribution | undefined;

// -------------------------------------------------------------------------------------
// decisions
// -------------------------------------------------------------------------------------

/**
 * `StudyNotFound` naming the id (`#<id>`) unless the study was found.
 *
 * @category decisions
 */
export function studyFound(found: boolean, studyId: unknown): Either<HyperionError, void> {
  return found ? right(undefined) : left(studyNotFound(`#${show(studyId)}`));
}

/**
 * `createStudy`, before reading: the name, then the directions.
 *
 * @category decisions
 */
export function decideNewStudy(
  args: { readonly studyName?: unknown; readonly directions?: unknown } | undefined,
): Either<HyperionError, StudyWrite> {
  return chainRight(checkStudyName(args?.studyName), (studyName) => {
    const directions = checkDirections(args?.directions);
    return directions._tag === "Left" ? directions : right({
      studyName,
      directions: directions.right,
    });
  });
}

/**
 * The name is free for the study `studyId` (`undefined`: a new study) when no study or that
 * study itself holds it (`holder`: the id of the study holding it, `undefined` when none).
 *
 * @category decisions
 */
export function decideNameFree(
  name: string,
  studyId: number | undefined,
  holder: number | undefined,
): Either<HyperionError, void> {
  return holder !== undefined && holder !== studyId
    ? left(duplicatedStudy(name))
    : right(undefined);
}

/**
 * `renameStudy`, before reading who holds the new name: the study exists, then the name.
 *
 * @category decisions
 */
export function decideRename(
  found: boolean,
  args: { readonly studyId?: unknown; readonly studyName?: unknown } | undefined,
): Either<HyperionError, string> {
  return found ? checkStudyName(args?.studyName) : left(studyNotFound(`#${show(args?.studyId)}`));
}

/**
 * `setStudyAttr`: the study exists, then the key and the value.
 *
 * @category decisions
 */
export function decideStudyAttr(
  found: boolean,
  args: SetAttrArgs,
): Either<HyperionError, StudyAttrWrite> {
  if (!found) return left(studyNotFound(`#${show(args?.id)}`));
  const checked = checkAttrWrite(args);
  if (checked._tag === "Left") return checked;
  return right({
    studyId: args.id,
    kind: args.kind === "user" ? "user" : "system",
    key: args.key,
    value: args.value,
  });
}

/**
 * `createTrial`, before looking at the study's first distributions: the study exists, then
 * the template (read the clock only then).
 *
 * @category decisions
 */
export function decideNewTrial(
  found: boolean,
  studyId: unknown,
  template: TrialTemplate | undefined,
  now: () => number,
): Either<HyperionError, NormalisedTemplate> {
  return found ? normaliseTemplate(template, now()) : left(studyNotFound(`#${show(studyId)}`));
}

/**
 * `createTrial`, after: each distribution of the new trial is compatible with the first one
 * stored under its name in the study (checked in the template's order).
 *
 * @category decisions
 */
export function decideFirsts(
  t: NormalisedTemplate,
  firstOf: FirstOf,
): Either<HyperionError, NormalisedTemplate> {
  for (const [name, d] of Object.entries(t.distributions)) {
    const first = firstOf(name);
    if (first !== undefined) {
      const ok = checkCompatible(first, d, name);
      if (ok._tag === "Left") return ok;
    }
  }
  return right(t);
}

/**
 * `claimWaitingTrial`: the study exists; then the claimed trial, `undefined` when there was
 * none to claim.
 *
 * @category decisions
 */
export function decideClaim<T>(
  found: boolean,
  studyId: unknown,
  claimed: T | undefined,
): Either<HyperionError, T | undefined> {
  return found ? right(claimed) : left(studyNotFound(`#${show(studyId)}`));
}
