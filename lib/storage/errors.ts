/**
 * The storages' errors: {@link StorageError}, {@link StudyNotFound}, {@link DuplicatedStudy},
 * {@link SchemaMismatch} and {@link TrialNotFound}. Each constructor returns its own variant;
 * `HyperionError` (in `lib/errors.ts`) unites them with the other domains' errors.
 *
 * @module
 */
import { type ErrorBase, show } from "../error_base.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

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

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds a {@link StorageError}.
 *
 * @category constructors
 */
export function storageError(operation: string, cause: unknown): StorageError {
  const reason = cause instanceof Error ? cause.message : show(cause);
  return {
    _tag: "StorageError",
    operation,
    cause,
    message: `Cannot ${operation}: ${reason}`,
  };
}

/**
 * Builds a {@link StudyNotFound}.
 *
 * @category constructors
 */
export function studyNotFound(studyName: string): StudyNotFound {
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
export function duplicatedStudy(studyName: string): DuplicatedStudy {
  return {
    _tag: "DuplicatedStudy",
    studyName,
    message: `Cannot create study ${
      show(studyName)
    } as a study with that name already exists: pass 'loadIfExists: true' to load it`,
  };
}

/**
 * Builds a {@link SchemaMismatch}.
 *
 * @category constructors
 */
export function schemaMismatch(
  args: { found: string; expected: string; advice: string },
): SchemaMismatch {
  return {
    _tag: "SchemaMismatch",
    found: args.found,
    expected: args.expected,
    message:
      `Cannot open the database as its schema revision is ${args.found} but ${args.expected} is required: ${args.advice}`,
  };
}

/**
 * Builds a {@link TrialNotFound}.
 *
 * @category constructors
 */
export function trialNotFound(trial: number, what = "number"): TrialNotFound {
  return {
    _tag: "TrialNotFound",
    trial,
    message: `Cannot find the trial with ${what} ${show(trial)}: it has not been created`,
  };
}
