/**
 * The trainer's errors: {@link InvalidTrainerConfig}, {@link DuplicatePlugin},
 * {@link TrainingFailed}, {@link CorruptCheckpoint}, and for data-parallel training
 * {@link CollectiveFailed} and {@link RankFailed}. Each constructor returns its own
 * variant; `HyperionError` (in `lib/errors.ts`) unites them with the other domains' errors.
 *
 * @module
 */
import { describeCause, type ErrorBase, show } from "../error_base.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A trainer configuration field is invalid.
 *
 * @category model
 */
export interface InvalidTrainerConfig extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "InvalidTrainerConfig";
  /** The offending field. */
  readonly field: string;
  /** The offending value. */
  readonly value: unknown;
}

/**
 * A plug-in with the same id is already registered.
 *
 * @category model
 */
export interface DuplicatePlugin extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "DuplicatePlugin";
  /** The duplicated id. */
  readonly id: string;
}

/**
 * Training failed; `cause` holds the original error.
 *
 * @category model
 */
export interface TrainingFailed extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "TrainingFailed";
  /** The underlying error. */
  readonly cause: unknown;
  /** Where training was when it failed (for example `epoch 2, iteration 37`). */
  readonly at: string;
}

/**
 * A checkpoint file cannot be read or is not one of ours.
 *
 * @category model
 */
export interface CorruptCheckpoint extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "CorruptCheckpoint";
  /** The file's path. */
  readonly path: string;
  /** The underlying error, when any. */
  readonly cause: unknown;
}

/**
 * A collective operation (all-reduce, broadcast, barrier) could not complete on a rank: another
 * rank failed (`"aborted"`), a rank did not arrive within the run's timeout (`"timeout"`), or
 * the ranks called different operations (`"mismatch"`).
 *
 * @category model
 */
export interface CollectiveFailed extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "CollectiveFailed";
  /** Why the operation failed. */
  readonly reason: "aborted" | "timeout" | "mismatch";
  /** The rank that reports the failure. */
  readonly rank: number;
  /** The ranks at fault, when known (the ones that did not arrive, or that called otherwise). */
  readonly culprits: ReadonlyArray<number>;
}

/**
 * A rank of a data-parallel run failed (a `Left` from its `fit`, a throw, an uncaught error,
 * or its Worker ended), so the whole run ended and every Worker was terminated.
 *
 * @category model
 */
export interface RankFailed extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "RankFailed";
  /** The rank that failed. */
  readonly rank: number;
  /** How many ranks the run had. */
  readonly worldSize: number;
  /** What the rank failed with (its error, or a description of its end). */
  readonly cause: unknown;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds a {@link CollectiveFailed}.
 *
 * @category constructors
 */
export function collectiveFailed(
  args: {
    reason: CollectiveFailed["reason"];
    rank: number;
    culprits: ReadonlyArray<number>;
    detail: string;
  },
): CollectiveFailed {
  return {
    _tag: "CollectiveFailed",
    reason: args.reason,
    rank: args.rank,
    culprits: args.culprits,
    message: `Collective operation failed on rank ${args.rank}: ${args.detail}`,
  };
}

/**
 * Builds a {@link RankFailed}.
 *
 * @category constructors
 */
export function rankFailed(
  args: { rank: number; worldSize: number; cause: unknown },
): RankFailed {
  return {
    _tag: "RankFailed",
    rank: args.rank,
    worldSize: args.worldSize,
    cause: args.cause,
    message: `Rank ${args.rank} of ${args.worldSize} failed: ${describeCause(args.cause)}`,
  };
}

/**
 * Builds an {@link InvalidTrainerConfig}.
 *
 * @category constructors
 */
export function invalidTrainerConfig(
  args: { field: string; value: unknown; expected: string },
): InvalidTrainerConfig {
  return {
    _tag: "InvalidTrainerConfig",
    field: args.field,
    value: args.value,
    message: `Invalid trainer config '${args.field}': expected ${args.expected}, got ${
      show(args.value)
    }`,
  };
}

/**
 * Builds a {@link DuplicatePlugin}.
 *
 * @category constructors
 */
export function duplicatePlugin(id: string): DuplicatePlugin {
  return {
    _tag: "DuplicatePlugin",
    id,
    message: `Cannot register plug-in ${show(id)} as a plug-in with that id is already registered`,
  };
}

/**
 * Builds a {@link TrainingFailed}.
 *
 * @category constructors
 */
export function trainingFailed(cause: unknown, at: string): TrainingFailed {
  return {
    _tag: "TrainingFailed",
    cause,
    at,
    message: `Training failed at ${at}: ${describeCause(cause)}`,
  };
}

/**
 * Builds a {@link CorruptCheckpoint}.
 *
 * @category constructors
 */
export function corruptCheckpoint(
  path: string,
  reason: string,
  cause?: unknown,
): CorruptCheckpoint {
  return {
    _tag: "CorruptCheckpoint",
    path,
    cause,
    message: `Cannot read checkpoint '${path}': ${reason}`,
  };
}
