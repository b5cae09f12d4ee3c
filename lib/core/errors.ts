/**
 * The core's errors: what a pure check of a record or an argument finds wrong —
 * {@link InvalidArgument}, {@link InvalidDistribution}, {@link IncompatibleDistribution},
 * {@link TrialNotUpdatable} and {@link NotSupported}. Each constructor returns its own variant;
 * `HyperionError` (in `lib/errors.ts`) unites them with the other domains' errors.
 *
 * @module
 */
import { type ErrorBase, show } from "../error_base.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

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

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds an {@link InvalidArgument}; the message reads
 * `Invalid '<field>': expected <expected>, got <value>` (`got` replaces the rendered value).
 *
 * @category constructors
 */
export function invalidArgument(
  args: { field: string; value: unknown; expected: string; got?: string },
): InvalidArgument {
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
}): InvalidArgument {
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
 * Builds an {@link InvalidDistribution}.
 *
 * @category constructors
 */
export function invalidDistribution(message: string, name?: string): InvalidDistribution {
  return { _tag: "InvalidDistribution", message, name };
}

/**
 * Builds an {@link IncompatibleDistribution}.
 *
 * @category constructors
 */
export function incompatibleDistribution(name: string, reason: string): IncompatibleDistribution {
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
): TrialNotUpdatable {
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
 * Builds a {@link NotSupported}.
 *
 * @category constructors
 */
export function notSupported(operation: string, reason: string): NotSupported {
  return { _tag: "NotSupported", operation, message: `Cannot ${operation}: ${reason}` };
}
