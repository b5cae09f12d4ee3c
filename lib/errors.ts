/**
 * Hyperion's errors: one tagged union, {@link HyperionError}, of every domain's errors. Each
 * variant carries a `readonly _tag`, a Deno-style `message` and the data that explains it; it
 * is defined, with its constructor (which returns that variant), beside the code that raises
 * it: `core/errors.ts` (bad arguments, distributions, finished trials), `storage/errors.ts`,
 * `samplers/errors.ts`, `study/errors.ts`, `trainer/errors.ts` and `plugins/optuna/errors.ts`.
 * This module unites and re-exports them; {@link matchError} destructs the union and
 * {@link isHyperionError} recognises it.
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

import type {
  IncompatibleDistribution,
  InvalidArgument,
  InvalidDistribution,
  NotSupported,
  TrialNotUpdatable,
} from "./core/errors.ts";
import type {
  DuplicatedStudy,
  SchemaMismatch,
  StorageError,
  StudyNotFound,
  TrialNotFound,
} from "./storage/errors.ts";
import type { UnknownSamplerKind } from "./samplers/errors.ts";
import type {
  InvalidStudyArgs,
  NoCompletedTrials,
  ObjectiveFailed,
  TrialPruned,
} from "./study/errors.ts";
import type {
  CollectiveFailed,
  CorruptCheckpoint,
  DuplicatePlugin,
  InvalidTrainerConfig,
  RankFailed,
  TrainingFailed,
} from "./trainer/errors.ts";
import type { NotPersistentStorage, UnknownSuggestType } from "./plugins/optuna/errors.ts";

export { describeCause, show, tagOf } from "./error_base.ts";
export type { ErrorBase } from "./error_base.ts";
export * from "./core/errors.ts";
export * from "./storage/errors.ts";
export * from "./samplers/errors.ts";
export * from "./study/errors.ts";
export * from "./trainer/errors.ts";
export * from "./plugins/optuna/errors.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

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
  | UnknownSamplerKind
  | CollectiveFailed
  | RankFailed;

/**
 * The tag of any {@link HyperionError}.
 *
 * @category model
 */
export type HyperionErrorTag = HyperionError["_tag"];

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
    Object.hasOwn(KNOWN_TAGS, (value as { _tag: string })._tag) && "message" in value;
}

/** Every tag of the union, as a record (a missing or unknown tag fails to type-check). */
const KNOWN_TAGS: { readonly [K in HyperionErrorTag]: true } = {
  InvalidDistribution: true,
  IncompatibleDistribution: true,
  TrialNotUpdatable: true,
  UnknownSuggestType: true,
  StudyNotFound: true,
  DuplicatedStudy: true,
  NoCompletedTrials: true,
  InvalidStudyArgs: true,
  InvalidArgument: true,
  StorageError: true,
  SchemaMismatch: true,
  TrialPruned: true,
  TrialNotFound: true,
  ObjectiveFailed: true,
  NotSupported: true,
  DuplicatePlugin: true,
  InvalidTrainerConfig: true,
  TrainingFailed: true,
  NotPersistentStorage: true,
  CorruptCheckpoint: true,
  UnknownSamplerKind: true,
  CollectiveFailed: true,
  RankFailed: true,
};

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
