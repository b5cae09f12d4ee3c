/**
 * The save names the tuning plug-in gives a trial's model: `<saveName>_<study>_trial-<n>`, the
 * study's name made file-safe and `n` the trial's original number.
 *
 * @module
 */
import type { Trial } from "../../study/mod.ts";
import type { Model } from "../../trainer/model.ts";
import { trialOriginalNumber } from "./_checkpoint_state.ts";
import { fileSafeName } from "./sampler_checkpoint.ts";

/** `<saveName>_<study>_trial-<original number>`. */
export function trialSaveName(trial: Trial, saveName: string): string {
  return `${saveName}_${fileSafeName(trial.study.studyName)}_trial-${trialOriginalNumber(trial)}`;
}

/** The model with save name `<saveName>_<study>_trial-<original number>`. */
export function trialModel<S, B, V>(trial: Trial, model: Model<S, B, V>): Model<S, B, V> {
  if (typeof model !== "object" || model === null) return model;
  return { ...model, saveName: trialSaveName(trial, model.saveName) };
}
