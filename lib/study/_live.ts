/**
 * The mutable part of study and trial handles.
 *
 * A study handle carries it in the open: `Study.runtime` is a {@link StudyRuntime} record,
 * created by `createStudy`/`loadStudy` and shared by copies of the handle. It holds the live
 * state of the trial handles asked through it, keyed by the handle's identity: a trial handle
 * is a capability to write one trial, and a forged copy (`{ ...trial }`) is refused.
 *
 * @module
 */
import { type Either, fromAsync, gen, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, storageError } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import type { SearchSpace } from "../core/search_space.ts";
import type { StudyRecord } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { Sampler, SamplerKinds } from "../samplers/sampler.ts";
import { samplerImpl } from "../samplers/catalog.ts";
import type { Logger } from "./logging.ts";

/**
 * The mutable part of a study handle (`Study.runtime`), one record per `createStudy` or
 * `loadStudy` call. Library code writes it; users read it through `studySampler` and change it
 * through `setStudySampler` and `stopOptimize`.
 *
 * @category model
 */
export interface StudyRuntime {
  /**
   * The sampler `ask` and the `suggest*` functions use: replaced by `setStudySampler`, its
   * `state` replaced by each sampler hook's result (a custom sampler kind's state evolves; the
   * built-in samplers' never does).
   */
  sampler: Sampler;
  /**
   * The sampler kinds the study runs (`samplerKinds` of `createStudy` or `loadStudy`): where
   * the sampler's functions are found, and the kinds `setStudySampler` accepts.
   */
  readonly samplerKinds: SamplerKinds;
  /**
   * Set by `stopOptimize`, a callback's `"stop"` or a sampler hook's `stopStudy`: a running
   * `optimize` starts no new trial. Cleared when `optimize` starts.
   */
  stopRequested: boolean;
  /**
   * True while an `optimize` call runs on this handle (or a copy of it): a second call before
   * it ends is refused, as Optuna refuses nested optimization.
   */
  optimizing: boolean;
  /**
   * The logger of the `optimize` run the handle is in (the `suggest*` warnings go to it);
   * `undefined` outside a run.
   */
  logger: Logger | undefined;
  /**
   * The live state of each trial handle `ask` returned through this study handle, keyed by the
   * handle itself (a copy of a handle is not a key, so it is refused). Library-internal.
   *
   * @ignore
   */
  readonly trials: WeakMap<object, TrialLive>;
  /**
   * The sampler kind's workspace for this study (`SamplerImpl.createWorkspace`: memos and
   * buffers that make sampling faster, never different), replaced with the sampler.
   */
  workspace: unknown;
}

/** A fresh runtime record for a new study handle. */
export function studyRuntime(sampler: Sampler, samplerKinds: SamplerKinds): StudyRuntime {
  return {
    sampler,
    samplerKinds,
    stopRequested: false,
    optimizing: false,
    logger: undefined,
    trials: new WeakMap(),
    workspace: workspaceFor(sampler, samplerKinds),
  };
}

/** A fresh workspace for the sampler's kind, when the kind has one. */
export function workspaceFor(sampler: Sampler, kinds: SamplerKinds): unknown {
  const impl = samplerImpl(sampler, kinds);
  return impl._tag === "Right" ? impl.right.createWorkspace?.() : undefined;
}

const EXPECTED = "a study handle returned by createStudy or loadStudy";

/**
 * The runtime record of a study handle, or `InvalidArgument` naming `field` for anything else
 * (`null`, a hand-built record without a runtime, ...). Never throws.
 */
export function checkStudyHandle(
  study: unknown,
  field = "study",
): Either<HyperionError, StudyRuntime> {
  let runtime: unknown, ok: boolean;
  try {
    runtime = typeof study === "object" && study !== null
      ? (study as { readonly runtime?: unknown }).runtime
      : undefined;
    ok = typeof runtime === "object" && runtime !== null &&
      typeof (runtime as Partial<StudyRuntime>).sampler === "object" &&
      (runtime as Partial<StudyRuntime>).sampler !== null &&
      typeof (runtime as Partial<StudyRuntime>).samplerKinds === "object" &&
      typeof (runtime as Partial<StudyRuntime>).stopRequested === "boolean" &&
      (runtime as Partial<StudyRuntime>).trials instanceof WeakMap;
  } catch {
    // an object that cannot be read (a revoked proxy, a throwing getter)
    return left(invalidArgument({ field, value: "an unreadable object", expected: EXPECTED }));
  }
  return ok ? right(runtime as StudyRuntime) : left(invalidArgument({
    field,
    value: study,
    expected: EXPECTED,
  }));
}

/**
 * The live state of one trial handle (in `StudyRuntime.trials`): the trial as this process
 * last wrote it and what the sampler has seen of it. Library code reads and writes it.
 *
 * @category model
 */
export interface TrialLive {
  /** The trial as this process last wrote it. */
  frozen: FrozenTrial;
  /** The study record as of the trial's start (for samplers). */
  study: StudyRecord;
  /** Parameters fixed by `enqueueTrial` (or `fixedTrial`). */
  readonly fixedParams: Readonly<Record<string, ParamValue>>;
  /** A `fixedTrial`: a parameter missing from `fixedParams` is an error, never sampled. */
  readonly fixedOnly?: boolean;
  /** The trials the sampler sees, fetched on first need. */
  history: ReadonlyArray<FrozenTrial> | undefined;
  /** The position of this trial in `history` (−1 when absent). */
  historyAt: number;
  /** The last history given to the sampler, and the record of this trial it holds. */
  view: { readonly trials: ReadonlyArray<FrozenTrial>; readonly frozen: FrozenTrial } | undefined;
  /**
   * Set while `frozen` is a version that {@link addParam} made and no one has been given: its
   * `params` and `distributions` records are held by it alone, and the next parameters are
   * added to them in place (`added` lists them), so a trial of p parameters costs O(p) rather
   * than O(p²). Code that gives `frozen` away calls {@link releaseFrozen} first.
   */
  owned?: { readonly record: FrozenTrial; readonly added: string[] } | undefined;
  /** The relative sample, computed on the first suggest that needs it. */
  relative:
    | { readonly space: SearchSpace; readonly params: Readonly<Record<string, number>> }
    | undefined;
  /** Set once the trial is told. */
  finished: boolean;
}

/** Runs `run` once `study` is known to be a study handle (`InvalidArgument` otherwise). */
export function withStudy<A>(
  study: unknown,
  run: (runtime: StudyRuntime) => TaskEither<HyperionError, A> | Either<HyperionError, A>,
): TaskEither<HyperionError, A> {
  return gen(function* (_) {
    const runtime = yield* _(checkStudyHandle(study));
    return yield* _(run(runtime));
  });
}

/** `task`, with a throw or rejection turned into `StorageError` naming `operation`. */
export function guard<A>(
  operation: string,
  task: TaskEither<HyperionError, A>,
): TaskEither<HyperionError, A> {
  return fromAsync(task, (e) => storageError(operation, e));
}

/** Attaches live state to a trial handle asked through `runtime`. */
export function attachTrial(runtime: StudyRuntime, trial: object, live: TrialLive): void {
  runtime.trials.set(trial, live);
}

/** The live state of a trial handle, if it is one `ask` returned (never throws). */
export function trialLive(trial: unknown): TrialLive | undefined {
  if (typeof trial !== "object" || trial === null) return undefined;
  const runtime = checkStudyHandle((trial as { readonly study?: unknown }).study);
  return runtime._tag === "Right" ? runtime.right.trials.get(trial) : undefined;
}

/** The live state of a trial handle, or `InvalidArgument` naming `trial` (never throws). */
export function checkTrialHandle(trial: unknown): Either<HyperionError, TrialLive> {
  const live = trialLive(trial);
  return live ? right(live) : left(invalidArgument({
    field: "trial",
    value: trial,
    expected: "a trial handle returned by ask or given to an objective",
  }));
}

/**
 * Adds a new parameter to the trial as this process knows it (local bookkeeping after a
 * successful write): in place when `frozen` is a version only `l` holds (see
 * `TrialLive.owned`), else in a copy that becomes such a version.
 */
export function addParam(
  l: TrialLive,
  name: string,
  value: ParamValue,
  distribution: Distribution,
): void {
  const owned = l.owned;
  if (owned !== undefined && owned.record === l.frozen) {
    (owned.record.params as Record<string, ParamValue>)[name] = value;
    (owned.record.distributions as Record<string, Distribution>)[name] = distribution;
    owned.added.push(name);
    return;
  }
  const t = l.frozen;
  l.frozen = {
    ...t,
    params: { ...t.params, [name]: value },
    distributions: { ...t.distributions, [name]: distribution },
  };
  l.owned = { record: l.frozen, added: [] };
}

/** `l.frozen`, given away: no parameter is added to its records in place any more. */
export function releaseFrozen(l: TrialLive): FrozenTrial {
  l.owned = undefined;
  return l.frozen;
}
