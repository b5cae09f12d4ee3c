/**
 * Hyperion's errors: one tagged union, {@link HyperionError}, whose variants carry a
 * `readonly _tag`, a Deno-style `message` and the data that explains them. Lowercase
 * constructors build each variant; {@link matchError} destructs the union. The trainer's errors
 * are defined in `trainer/errors.ts` and the tuning plug-in's in `plugins/optuna/errors.ts`
 * (their constructors return their own variant); this module unites and re-exports them.
 *
 * @example Match on an error's tag
 * ```ts
 * import { invalidArgument, matchError } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const e = invalidArgument({ field: "nTrials", value: -1, expected: "a non-negative integer" });
 * assert.equal(e.message, "Invalid 'nTrials': expected a non-negative integer, got -1");
 * const text = matchError(e, { InvalidArgument: (x) => `bad ${x.field}` }, () => "other");
 * assert.equal(text, "bad nTrials");
 * ```
 *
 * @module
 */

import { describeCause, type ErrorBase, show } from "./error_base.ts";
import type {
  CorruptCheckpoint,
  DuplicatePlugin,
  InvalidTrainerConfig,
  TrainingFailed,
} from "./trainer/errors.ts";
import type { NotPersistentStorage, UnknownSuggestType } from "./plugins/optuna/errors.ts";

export { describeCause, show, tagOf } from "./error_base.ts";
export type { ErrorBase } from "./error_base.ts";
export * from "./trainer/errors.ts";
export * from "./plugins/optuna/errors.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A distribution's bounds, step, log flag or choices are invalid.
 *
 * @category model
 */
export interface InvalidDistribution extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "InvalidDistribution";
  /** The parameter name, when known. */
  readonly name: string | undefined;
}

/**
 * A parameter was suggested with a distribution incompatible with an earlier one.
 *
 * @category model
 */
export interface IncompatibleDistribution extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "IncompatibleDistribution";
  /** The parameter name. */
  readonly name: string;
}

/**
 * A write was attempted on a trial that is finished (COMPLETE, PRUNED or FAIL).
 *
 * @category model
 */
export interface TrialNotUpdatable extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "TrialNotUpdatable";
  /** The trial's number, or -1 when unknown. */
  readonly trialNumber: number;
  /** The trial's current state. */
  readonly state: string;
}

/**
 * No study has that name (or id) in the storage.
 *
 * @category model
 */
export interface StudyNotFound extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "StudyNotFound";
  /** The name (or `#id`) looked up. */
  readonly studyName: string;
}

/**
 * A study with that name already exists.
 *
 * @category model
 */
export interface DuplicatedStudy extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "DuplicatedStudy";
  /** The duplicated name. */
  readonly studyName: string;
}

/**
 * No trial of the study is COMPLETE (or the study is multi-objective where one best is asked).
 *
 * @category model
 */
export interface NoCompletedTrials extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "NoCompletedTrials";
  /** The study's name. */
  readonly studyName: string;
}

/**
 * Arguments to create, load or resume a study are invalid.
 *
 * @category model
 */
export interface InvalidStudyArgs extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "InvalidStudyArgs";
  /** The offending field. */
  readonly field: string;
}

/**
 * A function argument is invalid (negative `nTrials`, bad step, unknown trial number, …).
 *
 * @category model
 */
export interface InvalidArgument extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "InvalidArgument";
  /** The offending field. */
  readonly field: string;
  /** The offending value. */
  readonly value: unknown;
}

/**
 * The storage backend failed (I/O, locked database, lost connection, corrupt file).
 *
 * @category model
 */
export interface StorageError extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "StorageError";
  /** What was being done. */
  readonly operation: string;
  /** The underlying error. */
  readonly cause: unknown;
}

/**
 * A database uses a schema revision this version cannot read or write.
 *
 * @category model
 */
export interface SchemaMismatch extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "SchemaMismatch";
  /** The revision found in the database. */
  readonly found: string;
  /** The revision this library writes. */
  readonly expected: string;
}

/**
 * The objective (or the trainer) decided to prune the trial.
 *
 * @category model
 */
export interface TrialPruned extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "TrialPruned";
}

/**
 * The trial or an objective asked to use a trial that does not exist.
 *
 * @category model
 */
export interface TrialNotFound extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "TrialNotFound";
  /** The trial number or id that was looked up. */
  readonly trial: number;
}

/**
 * The objective failed (returned `Left` or threw) with an error not listed in `catch`; the
 * trial is stored as FAIL and `optimize` stops with this error.
 *
 * @category model
 */
export interface ObjectiveFailed extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "ObjectiveFailed";
  /** The trial's number. */
  readonly trialNumber: number;
  /** What the objective failed with. */
  readonly cause: unknown;
}

/**
 * The operation is not supported in this context (pruning a multi-objective trial, …).
 *
 * @category model
 */
export interface NotSupported extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "NotSupported";
  /** The operation refused. */
  readonly operation: string;
}

/**
 * A sampler snapshot names a kind no sampler is registered under.
 *
 * @category model
 */
export interface UnknownSamplerKind extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "UnknownSamplerKind";
  /** The unknown kind. */
  readonly kind: string;
}

/**
 * Every error Hyperion returns.
 *
 * @category model
 */
export type HyperionError =
  | InvalidDistribution
  | IncompatibleDistribution
  | TrialNotUpdatable
  | UnknownSuggestType
  | StudyNotFound
  | DuplicatedStudy
  | NoCompletedTrials
  | InvalidStudyArgs
  | InvalidArgument
  | StorageError
  | SchemaMismatch
  | TrialPruned
  | TrialNotFound
  | ObjectiveFailed
  | NotSupported
  | DuplicatePlugin
  | InvalidTrainerConfig
  | TrainingFailed
  | NotPersistentStorage
  | CorruptCheckpoint
  | UnknownSamplerKind;

/**
 * The tag of any {@link HyperionError}.
 *
 * @category model
 */
export type HyperionErrorTag = HyperionError["_tag"];

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds an {@link InvalidDistribution}.
 *
 * @category constructors
 */
export function invalidDistribution(message: string, name?: string): HyperionError {
  return { _tag: "InvalidDistribution", message, name };
}

/**
 * Builds an {@link IncompatibleDistribution}.
 *
 * @category constructors
 */
export function incompatibleDistribution(name: string, reason: string): HyperionError {
  return {
    _tag: "IncompatibleDistribution",
    name,
    message: `Cannot suggest '${name}' as ${reason}`,
  };
}

/**
 * Builds a {@link TrialNotUpdatable}.
 *
 * @category constructors
 */
export function trialNotUpdatable(
  args: { trialNumber: number; state: string; operation?: string },
): HyperionError {
  const what = args.operation ?? "update";
  return {
    _tag: "TrialNotUpdatable",
    trialNumber: args.trialNumber,
    state: args.state,
    message:
      `Cannot ${what} trial ${args.trialNumber} as it has already finished: current state ${args.state}`,
  };
}

/**
 * Builds a {@link StudyNotFound}.
 *
 * @category constructors
 */
export function studyNotFound(studyName: string): HyperionError {
  return {
    _tag: "StudyNotFound",
    studyName,
    message: `Cannot find study ${show(studyName)} in the storage`,
  };
}

/**
 * Builds a {@link DuplicatedStudy}.
 *
 * @category constructors
 */
export function duplicatedStudy(studyName: string): HyperionError {
  return {
    _tag: "DuplicatedStudy",
    studyName,
    message: `Cannot create study ${
      show(studyName)
    } as a study with that name already exists: pass 'loadIfExists: true' to load it`,
  };
}

/**
 * Builds a {@link NoCompletedTrials}.
 *
 * @category constructors
 */
export function noCompletedTrials(studyName: string, detail?: string): HyperionError {
  return {
    _tag: "NoCompletedTrials",
    studyName,
    message: detail ?? `Cannot find a best trial in study ${show(studyName)}: no trial is complete`,
  };
}

/**
 * Builds an {@link InvalidStudyArgs}.
 *
 * @category constructors
 */
export function invalidStudyArgs(field: string, message: string): HyperionError {
  return { _tag: "InvalidStudyArgs", field, message };
}

/**
 * Builds an {@link InvalidArgument}; the message reads
 * `Invalid '<field>': expected <expected>, got <value>` (`got` replaces the rendered value).
 *
 * @category constructors
 */
export function invalidArgument(
  args: { field: string; value: unknown; expected: string; got?: string },
): HyperionError {
  return {
    _tag: "InvalidArgument",
    field: args.field,
    value: args.value,
    message: `Invalid '${args.field}': expected ${args.expected}, got ${
      args.got ?? show(args.value)
    }`,
  };
}

/**
 * Builds the {@link InvalidArgument} of a trial handle used with a study it does not belong
 * to (another study, or the same name in another storage): the message names the trial and
 * both studies.
 *
 * @category constructors
 */
export function trialOfAnotherStudy(args: {
  readonly operation: string;
  readonly trialNumber: number;
  readonly trialStudy: { readonly studyName: string; readonly url: string };
  readonly study: { readonly studyName: string; readonly url: string };
}): HyperionError {
  const where = (s: { readonly studyName: string; readonly url: string }) =>
    `study ${show(s.studyName)} in storage ${show(s.url)}`;
  return {
    _tag: "InvalidArgument",
    field: "trial",
    value: args.trialNumber,
    message: `Cannot ${args.operation} trial ${args.trialNumber} of ${
      where(args.trialStudy)
    } through ${where(args.study)}: a trial acts only on its own study in its own storage`,
  };
}

/**
 * Builds a {@link StorageError}.
 *
 * @category constructors
 */
export function storageError(operation: string, cause: unknown): HyperionError {
  const reason = cause instanceof Error ? cause.message : show(cause);
  return {
    _tag: "StorageError",
    operation,
    cause,
    message: `Cannot ${operation}: ${reason}`,
  };
}

/**
 * Builds a {@link SchemaMismatch}.
 *
 * @category constructors
 */
export function schemaMismatch(
  args: { found: string; expected: string; advice: string },
): HyperionError {
  return {
    _tag: "SchemaMismatch",
    found: args.found,
    expected: args.expected,
    message:
      `Cannot open the database as its schema revision is ${args.found} but ${args.expected} is required: ${args.advice}`,
  };
}

/**
 * Builds a {@link TrialPruned}: return it as the `Left` of an objective to prune the trial.
 *
 * @category constructors
 */
export function trialPruned(message?: string): HyperionError {
  return { _tag: "TrialPruned", message: message ?? "Trial was pruned" };
}

/**
 * Builds a {@link TrialNotFound}.
 *
 * @category constructors
 */
export function trialNotFound(trial: number, what = "number"): HyperionError {
  return {
    _tag: "TrialNotFound",
    trial,
    message: `Cannot find the trial with ${what} ${show(trial)}: it has not been created`,
  };
}

/**
 * Builds an {@link ObjectiveFailed}.
 *
 * @category constructors
 */
export function objectiveFailed(trialNumber: number, cause: unknown): HyperionError {
  return {
    _tag: "ObjectiveFailed",
    trialNumber,
    cause,
    message: `Trial ${trialNumber} failed because of the following error: ${describeCause(cause)}`,
  };
}

/**
 * Builds a {@link NotSupported}.
 *
 * @category constructors
 */
export function notSupported(operation: string, reason: string): HyperionError {
  return { _tag: "NotSupported", operation, message: `Cannot ${operation}: ${reason}` };
}

/**
 * Builds an {@link UnknownSamplerKind}.
 *
 * @category constructors
 */
export function unknownSamplerKind(kind: string, known: ReadonlyArray<string>): HyperionError {
  return {
    _tag: "UnknownSamplerKind",
    kind,
    message: `Cannot restore sampler of kind ${show(kind)} as no sampler is registered under it: ${
      known.length ? `known kinds are ${known.map((k) => `'${k}'`).join(", ")}` : "none is known"
    }`,
  };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * True when `value` looks like a {@link HyperionError} (an object with a known `_tag`).
 *
 * @category queries
 */
export function isHyperionError(value: unknown): value is HyperionError {
  return typeof value === "object" && value !== null && "_tag" in value &&
    typeof (value as { _tag: unknown })._tag === "string" &&
    KNOWN_TAGS.has((value as { _tag: string })._tag) && "message" in value;
}

const KNOWN_TAGS: ReadonlySet<string> = new Set<HyperionErrorTag>([
  "InvalidDistribution",
  "IncompatibleDistribution",
  "TrialNotUpdatable",
  "UnknownSuggestType",
  "StudyNotFound",
  "DuplicatedStudy",
  "NoCompletedTrials",
  "InvalidStudyArgs",
  "InvalidArgument",
  "StorageError",
  "SchemaMismatch",
  "TrialPruned",
  "TrialNotFound",
  "ObjectiveFailed",
  "NotSupported",
  "DuplicatePlugin",
  "InvalidTrainerConfig",
  "TrainingFailed",
  "NotPersistentStorage",
  "CorruptCheckpoint",
  "UnknownSamplerKind",
]);

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Handlers for {@link matchError}: one per tag, each optional.
 *
 * @category utils
 */
export type ErrorHandlers<R> = {
  readonly [K in HyperionErrorTag]?: (e: Extract<HyperionError, { _tag: K }>) => R;
};

/**
 * Destructs a {@link HyperionError} by tag; `otherwise` handles tags without a handler.
 *
 * @category utils
 */
export function matchError<R>(
  e: HyperionError,
  handlers: ErrorHandlers<R>,
  otherwise: (e: HyperionError) => R,
): R {
  const handler = handlers[e._tag] as ((e: HyperionError) => R) | undefined;
  return handler ? handler(e) : otherwise(e);
}
