/**
 * The study runtime's errors: {@link InvalidStudyArgs}, {@link NoCompletedTrials},
 * {@link TrialPruned} and {@link ObjectiveFailed}. Each constructor returns its own variant;
 * `HyperionError` (in `lib/errors.ts`) unites them with the other domains' errors.
 *
 * @module
 */
import { describeCause, type ErrorBase, show } from "../error_base.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

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
 * The objective (or the trainer) decided to prune the trial.
 *
 * @category model
 */
export interface TrialPruned extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "TrialPruned";
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

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds an {@link InvalidStudyArgs}.
 *
 * @category constructors
 */
export function invalidStudyArgs(field: string, message: string): InvalidStudyArgs {
  return { _tag: "InvalidStudyArgs", field, message };
}

/**
 * Builds a {@link NoCompletedTrials}.
 *
 * @category constructors
 */
export function noCompletedTrials(studyName: string, detail?: string): NoCompletedTrials {
  return {
    _tag: "NoCompletedTrials",
    studyName,
    message: detail ?? `Cannot find a best trial in study ${show(studyName)}: no trial is complete`,
  };
}

/**
 * Builds a {@link TrialPruned}: return it as the `Left` of an objective to prune the trial.
 *
 * @category constructors
 */
export function trialPruned(message?: string): TrialPruned {
  return { _tag: "TrialPruned", message: message ?? "Trial was pruned" };
}

/**
 * Builds an {@link ObjectiveFailed}.
 *
 * @category constructors
 */
export function objectiveFailed(trialNumber: number, cause: unknown): ObjectiveFailed {
  return {
    _tag: "ObjectiveFailed",
    trialNumber,
    cause,
    message: `Trial ${trialNumber} failed because of the following error: ${describeCause(cause)}`,
  };
}
