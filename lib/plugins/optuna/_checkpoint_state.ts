/**
 * What the tuning plug-in saves in every training checkpoint (the study's name, the trial's
 * original number and its parameters) and the check `fit` runs before resuming from one: a
 * checkpoint is resumed only by the same study's same trial with the same parameters.
 *
 * @module
 */
import type { JsonValue, ParamValue } from "../../core/json.ts";
import { type Trial, trialSnapshot } from "../../study/mod.ts";
import { ORIGINAL_NUMBER_KEY } from "./resume.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the plug-in saves in every training checkpoint under `"optuna"`, and checks before
 * `fit` resumes from one: a checkpoint is resumed only when it was written by the same study's
 * same trial (its original number, for a re-run) with the same parameters.
 *
 * @category model
 */
export interface OptunaCheckpointState {
  /** Always `"hyperion-optuna"`. */
  readonly format: "hyperion-optuna";
  /** The study's name. */
  readonly studyName: string;
  /** The trial's original number (`hyperion:original_number`, else its number). */
  readonly trialNumber: number;
  /** The trial's parameters when the checkpoint was written. */
  readonly params: Readonly<Record<string, ParamValue>>;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The trial's original number: `hyperion:original_number` when present, else its number. */
export function trialOriginalNumber(trial: Trial): number {
  const original = trial.userAttrs[ORIGINAL_NUMBER_KEY];
  return typeof original === "number" ? original : trial.number;
}

/** The plug-in's checkpoint state for `trial` as it stands. */
export function checkpointState(trial: Trial): OptunaCheckpointState {
  const snapshot = trialSnapshot(trial);
  return {
    format: "hyperion-optuna",
    studyName: trial.study.studyName,
    trialNumber: trialOriginalNumber(trial),
    params: snapshot._tag === "Right" ? snapshot.right.params : {},
  };
}

/** JSON text with object keys sorted, to compare parameter records. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      typeof v === "object" && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}

function checkpointOwner(state: OptunaCheckpointState): string {
  return `study '${state.studyName}' trial ${state.trialNumber} with parameters ${
    canonical(state.params)
  }`;
}

/** Why a checkpoint's `"optuna"` state does not belong to `own`; `true` when it does. */
export function acceptState(
  own: OptunaCheckpointState,
  saved: JsonValue | undefined,
): true | string {
  const s = saved as Partial<OptunaCheckpointState> | undefined;
  if (typeof s !== "object" || s === null || Array.isArray(s) || s.format !== "hyperion-optuna") {
    return `it was not written by the tuning plug-in of this version, so it cannot be told ` +
      `whose it is (this run is ${checkpointOwner(own)})`;
  }
  if (
    s.studyName !== own.studyName || s.trialNumber !== own.trialNumber ||
    canonical(s.params) !== canonical(own.params)
  ) {
    return `it was written by ${checkpointOwner(s as OptunaCheckpointState)}, not by ${
      checkpointOwner(own)
    }: remove it or use another 'chkptRoot'`;
  }
  return true;
}
