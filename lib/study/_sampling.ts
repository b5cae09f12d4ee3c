/**
 * What the trial functions share to call the study's sampler: the context a sampler hook sees
 * (the study's history with this trial as this process last wrote it), applying a hook's
 * result (sampler state, stop flag, system attributes), and failing a trial when a hook fails.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { SamplerContext, SamplerHookResult } from "../samplers/sampler.ts";
import { samplerImpl } from "../samplers/catalog.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { releaseFrozen, type TrialLive } from "./_live.ts";
import type { Trial } from "./trial.ts";

// The functions here are awaited once per suggest: plain async functions with early returns,
// and no await at all when nothing is asynchronous (no history to fetch, no attribute to write).

/**
 * True when the study's sampler must see every trial whatever the pruner's `samplerTrials`
 * (grid and brute force: Optuna's issue #2327, they read the storage directly).
 */
function seesAllTrials(trial: Trial): boolean {
  const runtime = trial.study.runtime;
  const impl = samplerImpl(runtime.sampler, runtime.samplerKinds);
  return impl._tag === "Right" && impl.right.seesAllTrials === true;
}

/**
 * The history of the trial's study, fetched once per trial and filtered by the pruner (unless
 * the sampler sees every trial).
 */
async function fetchHistory(trial: Trial, l: TrialLive): Promise<Either<HyperionError, void>> {
  const study = trial.study;
  const trials = await study.storage.getAllTrials(study.studyId)();
  if (trials._tag === "Left") return trials;
  const filter = study.pruner.samplerTrials !== undefined && !seesAllTrials(trial)
    ? study.pruner.samplerTrials
    : undefined;
  l.history = filter
    ? filter({
      studyName: study.studyName,
      directions: study.directions,
      trials: trials.right,
      trial: releaseFrozen(l),
    })
    : trials.right;
  // this trial is usually the newest: search from the end, once per trial
  const h = l.history, id = l.frozen.trialId;
  let at = h.length - 1;
  while (at >= 0 && h[at]!.trialId !== id) at--;
  l.historyAt = at;
  return right(undefined);
}

/**
 * The context a sampler hook sees, from the history the trial already has: the history with
 * this trial as this process last wrote it (a copy of the pointers only), the same array for as
 * long as the trial is unchanged, since samplers memoise by list identity.
 */
function currentContext(trial: Trial, l: TrialLive, readsTrialParams: boolean): SamplerContext {
  // a sampler that never reads the trial's own parameters is given the record as it is (the
  // next parameters are added to it in place); any other is given it for good
  const t = readsTrialParams ? releaseFrozen(l) : l.frozen;
  const study = l.study, directions = trial.study.directions;
  if (l.historyAt < 0 || l.view?.frozen === l.frozen) {
    const trials = l.historyAt < 0 ? l.history ?? [] : l.view!.trials;
    return { study, directions, trials, trial: t };
  }
  // the history with this version of the trial is copied only when a hook reads it (many hooks,
  // such as a genetic sampler's independent draws, never do)
  const frozen = l.frozen;
  let trials: ReadonlyArray<FrozenTrial> | undefined;
  return {
    study,
    directions,
    get trials(): ReadonlyArray<FrozenTrial> {
      return trials ??= historyWith(l, frozen);
    },
    trial: t,
  };
}

/** The history with `frozen` as the trial (kept as the view while it is the trial's version). */
function historyWith(l: TrialLive, frozen: FrozenTrial): ReadonlyArray<FrozenTrial> {
  if (l.view?.frozen === frozen) return l.view.trials;
  const history = l.history ?? [];
  const given = frozen === l.frozen ? releaseFrozen(l) : frozen;
  // the fetched history may hold this very version already: no copy then
  if (history[l.historyAt] === given) {
    if (frozen === l.frozen) l.view = { trials: history, frozen };
    return history;
  }
  const copy = history.slice();
  copy[l.historyAt] = given;
  if (frozen !== l.frozen) return copy;
  l.view = { trials: copy, frozen };
  return copy;
}

/**
 * The context a sampler hook sees; fetches the history first when the sampler needs it and
 * the trial has none yet (the only case that awaits).
 */
export async function samplerContext(
  trial: Trial,
  l: TrialLive,
  needsHistory: boolean,
  readsTrialParams = true,
): Promise<Either<HyperionError, SamplerContext>> {
  if (needsHistory && l.history === undefined) {
    const fetched = await fetchHistory(trial, l);
    if (fetched._tag === "Left") return fetched;
  }
  return right(currentContext(trial, l, readsTrialParams));
}

/** True when a hook's result has system attributes to store (else applying it is synchronous). */
function writesAttrs(result: SamplerHookResult): boolean {
  const t = result.trialSystemAttrs, s = result.studySystemAttrs;
  return (t !== undefined && Object.keys(t).length > 0) ||
    (s !== undefined && Object.keys(s).length > 0);
}

/** Stores the system attributes of a hook's result, then mirrors them locally. */
async function writeHookAttrs(
  trial: Trial,
  l: TrialLive,
  result: SamplerHookResult,
): Promise<Either<HyperionError, void>> {
  const study = trial.study;
  for (const [key, value] of Object.entries(result.trialSystemAttrs ?? {})) {
    const r = await study.storage.setTrialAttr({ id: trial.trialId, kind: "system", key, value })();
    if (r._tag === "Left") return r;
    l.frozen = { ...l.frozen, systemAttrs: { ...l.frozen.systemAttrs, [key]: value } };
  }
  for (const [key, value] of Object.entries(result.studySystemAttrs ?? {})) {
    const r = await study.storage.setStudyAttr({ id: study.studyId, kind: "system", key, value })();
    if (r._tag === "Left") return r;
    l.study = { ...l.study, systemAttrs: { ...l.study.systemAttrs, [key]: value } };
  }
  return right(undefined);
}

const DONE: Either<never, void> = Object.freeze(right(undefined));

/**
 * Applies a sampler hook's result: the new sampler state and stop flag on the study handle's
 * runtime, then the trial's and the study's system attributes (stored, then mirrored locally).
 * Synchronous (an `Either`) when there is no attribute to store, else a promise to await.
 */
export function applyHook(
  trial: Trial,
  l: TrialLive,
  result: SamplerHookResult,
): Either<HyperionError, void> | Promise<Either<HyperionError, void>> {
  const runtime = trial.study.runtime;
  runtime.sampler = { ...runtime.sampler, state: result.state };
  if (result.stopStudy) runtime.stopRequested = true;
  return writesAttrs(result) ? writeHookAttrs(trial, l, result) : DONE;
}

/** Marks the trial FAIL (ignoring a failure to do so) and fails with `error`. */
export async function failWith(
  trial: Trial,
  l: TrialLive,
  error: HyperionError,
): Promise<Either<HyperionError, never>> {
  l.finished = true;
  await trial.study.storage.setTrialStateValues({ trialId: trial.trialId, state: "FAIL" })();
  return left(error);
}
