/**
 * What the trial functions share to call the study's sampler: the context a sampler hook sees
 * (the study's history with this trial as this process last wrote it), applying a hook's
 * result (sampler state, stop flag, system attributes), and failing a trial when a hook fails.
 *
 * @module
 */
import { gen, left, type TaskEither } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { SamplerContext, SamplerHookResult } from "../samplers/sampler.ts";
import type { TrialLive } from "./_live.ts";
import type { Trial } from "./trial.ts";

/** The history of the trial's study, fetched once per trial and filtered by the pruner. */
function fetchHistory(trial: Trial, l: TrialLive): TaskEither<HyperionError, void> {
  const study = trial.study;
  return gen(function* (_) {
    const trials = yield* _(study.storage.getAllTrials(study.studyId));
    const filter = study.pruner.samplerTrials;
    l.history = filter
      ? filter({
        studyName: study.studyName,
        directions: study.directions,
        trials,
        trial: l.frozen,
      })
      : trials;
    // this trial is usually the newest: search from the end, once per trial
    const h = l.history, id = l.frozen.trialId;
    let at = h.length - 1;
    while (at >= 0 && h[at]!.trialId !== id) at--;
    l.historyAt = at;
  });
}

/**
 * The context a sampler hook sees; fetches the history first when the sampler needs it and
 * the trial has none yet.
 */
export function samplerContext(
  trial: Trial,
  l: TrialLive,
  needsHistory: boolean,
): TaskEither<HyperionError, SamplerContext> {
  return gen(function* (_) {
    if (needsHistory && l.history === undefined) yield* _(fetchHistory(trial, l));
    // the history with this trial as this process last wrote it (a copy of the pointers only),
    // the same array for as long as the trial is unchanged: samplers memoise by list identity
    let history = l.history ?? [];
    if (l.historyAt >= 0) {
      if (l.view?.frozen === l.frozen) history = l.view.trials;
      else {
        const copy = history.slice();
        copy[l.historyAt] = l.frozen;
        l.view = { trials: copy, frozen: l.frozen };
        history = copy;
      }
    }
    return { study: l.study, directions: trial.study.directions, trials: history, trial: l.frozen };
  });
}

/**
 * Applies a sampler hook's result: the new sampler state and stop flag on the study handle's
 * runtime, then the trial's and the study's system attributes (stored, then mirrored locally).
 */
export function applyHook(
  trial: Trial,
  l: TrialLive,
  result: SamplerHookResult,
): TaskEither<HyperionError, void> {
  const study = trial.study;
  return gen(function* (_) {
    const runtime = study.runtime;
    runtime.sampler = { ...runtime.sampler, state: result.state };
    if (result.stopStudy) runtime.stopRequested = true;
    for (const [key, value] of Object.entries(result.trialSystemAttrs ?? {})) {
      yield* _(study.storage.setTrialAttr({ id: trial.trialId, kind: "system", key, value }));
      l.frozen = { ...l.frozen, systemAttrs: { ...l.frozen.systemAttrs, [key]: value } };
    }
    for (const [key, value] of Object.entries(result.studySystemAttrs ?? {})) {
      yield* _(study.storage.setStudyAttr({ id: study.studyId, kind: "system", key, value }));
      l.study = { ...l.study, systemAttrs: { ...l.study.systemAttrs, [key]: value } };
    }
  });
}

/** Marks the trial FAIL (ignoring a failure to do so) and fails with `error`. */
export function failWith(
  trial: Trial,
  l: TrialLive,
  error: HyperionError,
): TaskEither<HyperionError, never> {
  return async () => {
    l.finished = true;
    await trial.study.storage.setTrialStateValues({ trialId: trial.trialId, state: "FAIL" })();
    return left(error);
  };
}
