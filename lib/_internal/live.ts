/**
 * The live, mutable part of study and trial handles, kept out of the public records: the
 * sampler's current state, the stop flag, and each trial's local view. Private to the library.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import type { SearchSpace } from "../core/search_space.ts";
import type { StudyRecord } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { Sampler } from "../samplers/sampler.ts";

/** What a study handle carries besides its record. */
export interface StudyLive {
  sampler: Sampler;
  stopRequested: boolean;
}

/** What a trial handle carries besides its record. */
export interface TrialLive {
  /** The trial as this process last wrote it. */
  frozen: FrozenTrial;
  /** The study record as of the trial's start (for samplers). */
  study: StudyRecord;
  /** Parameters fixed by `enqueueTrial`. */
  readonly fixedParams: Readonly<Record<string, ParamValue>>;
  /** The trials the sampler sees, fetched on first need. */
  history: ReadonlyArray<FrozenTrial> | undefined;
  /** The position of this trial in `history` (−1 when absent). */
  historyAt: number;
  /** The last history given to the sampler, and the record of this trial it holds. */
  view: { readonly trials: ReadonlyArray<FrozenTrial>; readonly frozen: FrozenTrial } | undefined;
  /** The relative sample, computed on the first suggest that needs it. */
  relative:
    | { readonly space: SearchSpace; readonly params: Readonly<Record<string, number>> }
    | undefined;
  /** Set once the trial is told. */
  finished: boolean;
}

const studies = new WeakMap<object, StudyLive>();
const trials = new WeakMap<object, TrialLive>();

/** Attaches live state to a study handle. */
export function attachStudy(study: object, live: StudyLive): void {
  studies.set(study, live);
}

/** The live state of a study handle. */
export function studyLive(study: object): StudyLive {
  const live = studies.get(study);
  if (!live) throw new Error("Study handle was not created by createStudy or loadStudy");
  return live;
}

/** The live state of a study handle, or `InvalidArgument` naming `field` for anything else. */
export function checkStudyHandle(
  study: unknown,
  field = "study",
): Either<HyperionError, StudyLive> {
  const live = typeof study === "object" && study !== null ? studies.get(study) : undefined;
  return live !== undefined ? right(live) : left(invalidArgument({
    field,
    value: study,
    expected: "a study handle returned by createStudy or loadStudy",
  }));
}

/** Attaches live state to a trial handle. */
export function attachTrial(trial: object, live: TrialLive): void {
  trials.set(trial, live);
}

/** The live state of a trial handle, if it is one of ours. */
export function trialLive(trial: object): TrialLive | undefined {
  return trials.get(trial);
}

/** Replaces one parameter in a frozen trial (local bookkeeping after a successful write). */
export function withParam(
  t: FrozenTrial,
  name: string,
  value: ParamValue,
  distribution: Distribution,
): FrozenTrial {
  return {
    ...t,
    params: { ...t.params, [name]: value },
    distributions: { ...t.distributions, [name]: distribution },
  };
}
