/**
 * The tuning plug-in: connects a trial to the training-loop host, as Helios'
 * `helios.plugins.optuna` does for Optuna. It reports a validation metric to the trial after
 * every validation cycle, stops training when the study's pruner says so (so `fit` ends with
 * `TrialPruned` and `optimize` records the trial as PRUNED), names the model's checkpoints after
 * the trial (so a re-run resumes from them), and comes with {@link resumeStudy},
 * {@link checkpointSampler} and {@link restoreSampler} for recovering from crashes.
 *
 * **Folder layout.** Training checkpoints go to
 * `<chkptRoot>/<saveName>_<study>_trial-<n>/<saveName>_<study>_trial-<n>_epoch_<E>_iter_<I>.json`
 * and sampler checkpoints to `<samplerDir>/sampler_<study>_trial-<n>.json`, `<study>` being the
 * study's name made file-safe ({@link fileSafeName}) and `n` the trial's original number. Every
 * training checkpoint records the study's name, the trial's original number and its parameters
 * ({@link OptunaCheckpointState}); `fit` resumes only a checkpoint that matches all three, so
 * studies may share folders. Both kinds are written atomically.
 *
 * Where we deliberately differ from Helios 1.3: reports happen automatically from the
 * plug-in's `onValidationEnd` (calling `reportMetrics` yourself stays possible); the pruner is
 * asked once per new report rather than after every batch; `resumeStudy` keeps trial numbers,
 * never drops completed re-runs, keeps a re-run's original number across repeated failures and
 * leaves other studies alone (it deletes only the temporaries it marked); sampler checkpoints are JSON,
 * written atomically, and restoring one executes nothing.
 *
 * @example Tune a training run with the plug-in
 * ```ts
 * import { createStudy, optimize, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import { sqliteStorage } from "@hyperion/tune/sqlite";
 * import { createTrainer, fit, getOrThrow, type Model } from "@hyperion/tune/trainer";
 * import { optunaPlugin } from "@hyperion/tune/plugins/optuna";
 * import { join } from "node:path";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const storage = await runOrThrow(sqliteStorage(join(dir, "study.db")));
 * const study = await runOrThrow(createStudy({ storage, studyName: "demo" }));
 * // a toy model whose loss decays at the rate the trial chooses
 * const toy = (rate: number): Model<number, number> => ({
 *   saveName: "toy",
 *   setup: () => 1,
 *   trainStep: (loss) => ({ state: loss * (1 - rate) }),
 *   onValidationEnd: (loss) => ({ state: loss, metrics: { loss } }),
 * });
 * const summary = await runOrThrow(optimize(study, (trial) => async () => {
 *   const plugin = optunaPlugin(trial, "loss");
 *   const rate = await runOrThrow(suggestFloat(trial, "rate", 0.01, 0.5));
 *   const trainer = getOrThrow(plugin.configureTrainer(
 *     getOrThrow(createTrainer({ totalSteps: 5, validationFrequency: 1 })),
 *   ));
 *   const data = { trainBatches: ({ start }: { start: number }) => [0, 0].slice(start) };
 *   const result = await fit(trainer, plugin.configureModel(toy(rate)), data)();
 *   return result._tag === "Left" ? result : { _tag: "Right", right: result.right.state };
 * }, { nTrials: 8 }));
 * assert.equal(summary.counts.COMPLETE + summary.counts.PRUNED, 8);
 * await runOrThrow(storage.close());
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { type Either, fromAsync, left, right, type TaskEither } from "../effect/mod.ts";
import {
  type HyperionError,
  invalidArgument,
  notPersistentStorage,
  storageError,
  trialPruned,
  unknownSuggestType,
} from "../errors.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import {
  report,
  setUserAttr,
  shouldPrune,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
  trialSnapshot,
} from "../study/mod.ts";
import type { Metrics, TrainingContext, ValidationContext } from "../trainer/context.ts";
import type { Model } from "../trainer/model.ts";
import type { Plugin, ValidationEvent } from "../trainer/plugin.ts";
import { addTrainExceptions, registerPlugin, type Trainer } from "../trainer/trainer.ts";
import { ORIGINAL_NUMBER_KEY } from "./resume.ts";
import { fileSafeName } from "./sampler_checkpoint.ts";

export * from "./resume.ts";
export * from "./sampler_checkpoint.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The tuning plug-in's id.
 *
 * @category model
 */
export const OPTUNA_PLUGIN_ID = "optuna";

/**
 * User attribute set to `true` on a trial whose training was stopped by the pruner.
 *
 * @category model
 */
export const PRUNED_KEY = "hyperion:pruned";

/**
 * User attribute holding the last validation cycle reported when the trial was pruned.
 *
 * @category model
 */
export const PRUNED_CYCLE_KEY = "hyperion:pruned_cycle";

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

/**
 * The arguments of {@link OptunaPlugin.suggest}, by type name.
 *
 * @category model
 */
export interface SuggestArgs {
  /** Lower bound (int, float). */
  readonly low?: number;
  /** Upper bound (int, float). */
  readonly high?: number;
  /** Grid step (int, float). */
  readonly step?: number;
  /** Log scale (int, float). */
  readonly log?: boolean;
  /** Choices (categorical). */
  readonly choices?: ReadonlyArray<ParamValue>;
}

/**
 * The tuning plug-in: a trainer {@link Plugin} with id `"optuna"` plus the helpers of Helios'
 * `OptunaPlugin`.
 *
 * @category model
 */
export interface OptunaPlugin extends Plugin {
  /** Always `"optuna"`. */
  readonly id: typeof OPTUNA_PLUGIN_ID;
  /** The trial being trained. */
  readonly trial: Trial;
  /** The metric reported to the trial (a key of the model's metrics). */
  readonly metricName: string;
  /**
   * Registers the plug-in under `"optuna"` and adds `"TrialPruned"` to the trainer's
   * `trainExceptions`; `DuplicatePlugin` when the id is taken.
   */
  readonly configureTrainer: (trainer: Trainer) => Either<HyperionError, Trainer>;
  /**
   * The model with save name `<saveName>_<study>_trial-<n>`: `<study>` is the study's name made
   * file-safe ({@link fileSafeName}), `n` the trial's `hyperion:original_number` user attribute
   * when present, else its number. Its checkpoints go to
   * `<chkptRoot>/<saveName>_<study>_trial-<n>/`, so two studies sharing a `chkptRoot` never
   * share a checkpoint.
   */
  readonly configureModel: <S, B, V>(model: Model<S, B, V>) => Model<S, B, V>;
  /** Suggests by type name: `"categorical"`, `"int"` or `"float"`; else `UnknownSuggestType`. */
  readonly suggest: (
    typeName: string,
    name: string,
    args: SuggestArgs,
  ) => TaskEither<HyperionError, ParamValue>;
  /**
   * `NotPersistentStorage` when the study's storage is not persistent. Trainer hooks like this
   * one run at once and return a promise of an `Either`.
   */
  readonly setup: (ctx?: TrainingContext) => Promise<Either<HyperionError, void>>;
  /** On rank 0, reports `metrics[metricName]` at step `validationCycle`; absent metric: nothing. */
  readonly reportMetrics: (
    validationCycle: number,
    metrics: Metrics,
  ) => TaskEither<HyperionError, void>;
  /** Reports the cycle's metric (the trainer calls it after the model's metrics exist). */
  readonly onValidationEnd: (
    event: ValidationEvent,
    ctx: ValidationContext,
  ) => Promise<Either<HyperionError, void>>;
  /**
   * Not distributed and pruned: fails with `TrialPruned` (the trainer still runs the model's
   * `onTrainingEnd` exactly once). Distributed: nothing (use `checkPruned` after `fit`).
   */
  readonly onTrainingEnd: (ctx?: TrainingContext) => Promise<Either<HyperionError, void>>;
  /** After `fit`, in distributed training: `TrialPruned` when the trial was pruned. */
  readonly checkPruned: () => TaskEither<HyperionError, void>;
  /**
   * Rank 0 asks the pruner (once per new report); other ranks read the decision rank 0
   * recorded on the trial. A stop is recorded as `hyperion:pruned` and `hyperion:pruned_cycle`
   * (the cycle of the last report: this run's, or the trial's last stored intermediate step
   * when a resumed run is asked before it reports).
   */
  readonly shouldTrainingStop: (ctx?: TrainingContext) => Promise<Either<HyperionError, boolean>>;
  /** The study's name, the trial's original number and its parameters, saved under `"optuna"`. */
  readonly stateDict: () => OptunaCheckpointState;
  /**
   * Before `fit` resumes from a checkpoint: `true` when the checkpoint's `"optuna"` state names
   * this study, this trial's original number and the same parameters; otherwise the reason, and
   * `fit` fails with `CorruptCheckpoint` without training.
   */
  readonly acceptCheckpoint: (saved: JsonValue | undefined) => true | string;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The tuning plug-in for `trial`, reporting `metricName`.
 *
 * **When to use**: inside an objective that trains a model with the training-loop host, so the
 * trial sees every validation cycle's metric and a bad trial stops early.
 *
 * **Gotchas**: the study must live in a persistent storage (SQLite or PostgreSQL), since the
 * checkpoints named after the trial only make sense when the study survives the process;
 * call `configureModel` before `fit` so the checkpoints are the trial's own. A `trial` that is
 * not a trial handle, or a `metricName` that is not a non-empty string, never throws: every hook
 * of the returned plug-in (`setup`, `configureTrainer`, `suggest`, …) gives `InvalidArgument`
 * naming the field, so `fit` fails before training.
 *
 * @category constructors
 */
export function optunaPlugin(trial: Trial, metricName: string): OptunaPlugin {
  const bad = badPluginArgs(trial, metricName);
  return bad === undefined ? livePlugin(trial, metricName) : refusingPlugin(trial, metricName, bad);
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

function badPluginArgs(trial: unknown, metricName: unknown): HyperionError | undefined {
  const snapshot = trialSnapshot(trial as Trial);
  if (snapshot._tag === "Left") return snapshot.left;
  if (typeof metricName !== "string" || metricName.length === 0) {
    return invalidArgument({
      field: "metricName",
      value: metricName,
      expected: "the name of a metric the model reports (a non-empty string)",
    });
  }
  return undefined;
}

/** The plug-in of a bad call: every hook gives the error naming the bad field. */
function refusingPlugin(trial: Trial, metricName: string, error: HyperionError): OptunaPlugin {
  const fail = <A>(): Promise<Either<HyperionError, A>> => Promise.resolve(left(error));
  return {
    id: OPTUNA_PLUGIN_ID,
    trial,
    metricName,
    configureTrainer: () => left(error),
    configureModel: (model) => model,
    suggest: () => fail,
    setup: fail,
    reportMetrics: () => fail,
    onValidationEnd: fail,
    shouldTrainingStop: fail,
    onTrainingEnd: fail,
    checkPruned: () => fail,
    stateDict: () => ({ format: "hyperion-optuna", studyName: "", trialNumber: -1, params: {} }),
    acceptCheckpoint: () => error.message,
  };
}

/** The trial's original number: `hyperion:original_number` when present, else its number. */
function trialOriginalNumber(trial: Trial): number {
  const original = trial.userAttrs[ORIGINAL_NUMBER_KEY];
  return typeof original === "number" ? original : trial.number;
}

/** The highest step the trial has an intermediate value for (reported by any process). */
function lastStoredStep(trial: Trial): number | undefined {
  const snapshot = trialSnapshot(trial);
  if (snapshot._tag === "Left") return undefined;
  const steps = Object.keys(snapshot.right.intermediateValues).map(Number);
  return steps.length === 0 ? undefined : Math.max(...steps);
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
function acceptState(own: OptunaCheckpointState, saved: JsonValue | undefined): true | string {
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

function livePlugin(trial: Trial, metricName: string): OptunaPlugin {
  let rank = 0;
  let worldSize = 1;
  let lastCycle: number | undefined;
  let reportsSinceDecision = 0;
  let decided: boolean | undefined;
  const study = trial.study;

  const observe = (ctx: TrainingContext | undefined): void => {
    if (typeof ctx === "object" && ctx !== null) {
      rank = ctx.rank;
      worldSize = ctx.worldSize;
    }
  };
  /** The cycle a pruning decision is about: this run's last report, else the trial's. */
  const decisionCycle = (): number | undefined => lastCycle ?? lastStoredStep(trial);

  const reportMetrics = (
    validationCycle: number,
    metrics: Metrics,
  ): TaskEither<HyperionError, void> =>
    fromAsync(async () => {
      const value = metrics?.[metricName];
      if (typeof value !== "number") return right(undefined);
      lastCycle = validationCycle;
      if (rank !== 0) return right(undefined);
      const r = await report(trial, value, validationCycle)();
      if (r._tag === "Right") reportsSinceDecision++;
      return r;
    }, (e) => storageError("report the metric", e));

  const decide = async (): Promise<Either<HyperionError, boolean>> => {
    if (decided === true) return right(true);
    if (rank !== 0) {
      const stored = await study.storage.getTrial(trial.trialId)();
      if (stored._tag === "Left") return stored;
      decided = stored.right.userAttrs[PRUNED_KEY] === true;
      return right(decided);
    }
    if (decided !== undefined && reportsSinceDecision === 0) return right(decided);
    const cycle = decisionCycle();
    if (cycle === undefined) return right(false);
    const prune = await shouldPrune(trial)();
    if (prune._tag === "Left") return prune;
    reportsSinceDecision = 0;
    decided = prune.right;
    if (decided) {
      const a = await setUserAttr(trial, PRUNED_KEY, true)();
      if (a._tag === "Left") return a;
      const b = await setUserAttr(trial, PRUNED_CYCLE_KEY, cycle)();
      if (b._tag === "Left") return b;
    }
    return right(decided);
  };

  const stateDict = (): OptunaCheckpointState => {
    const snapshot = trialSnapshot(trial);
    return {
      format: "hyperion-optuna",
      studyName: study.studyName,
      trialNumber: trialOriginalNumber(trial),
      params: snapshot._tag === "Right" ? snapshot.right.params : {},
    };
  };

  const plugin: OptunaPlugin = {
    id: OPTUNA_PLUGIN_ID,
    trial,
    metricName,
    configureTrainer: (trainer) => {
      const registered = registerPlugin(trainer, plugin);
      return registered._tag === "Left"
        ? registered
        : right(addTrainExceptions(registered.right, ["TrialPruned"]));
    },
    configureModel: (model) => {
      if (typeof model !== "object" || model === null) return model;
      const name = `${model.saveName}_${fileSafeName(study.studyName)}_trial-${
        trialOriginalNumber(trial)
      }`;
      return { ...model, saveName: name };
    },
    suggest: (typeName, name, args) => {
      switch (typeName) {
        case "categorical":
          return suggestCategorical(trial, name, args?.choices ?? []);
        case "int":
          return suggestInt(trial, name, args?.low as number, args?.high as number, {
            ...(args?.step === undefined ? {} : { step: args.step }),
            ...(args?.log === undefined ? {} : { log: args.log }),
          });
        case "float":
          return suggestFloat(trial, name, args?.low as number, args?.high as number, {
            ...(args?.step === undefined ? {} : { step: args.step }),
            ...(args?.log === undefined ? {} : { log: args.log }),
          });
        default:
          return () => Promise.resolve(left(unknownSuggestType(String(typeName))));
      }
    },
    setup: (ctx) => {
      observe(ctx);
      return Promise.resolve(
        study.storage.persistent
          ? right(undefined)
          : left(notPersistentStorage(study.storage.url, "tune with the plug-in")),
      );
    },
    reportMetrics,
    onValidationEnd: (event, ctx) => {
      observe(ctx);
      return reportMetrics(event?.cycle, event?.metrics)();
    },
    shouldTrainingStop: (ctx) =>
      fromAsync(() => {
        observe(ctx);
        return decide();
      }, (e) => storageError("decide on pruning", e))(),
    onTrainingEnd: (ctx) =>
      fromAsync(async () => {
        observe(ctx);
        if (worldSize > 1) return right(undefined);
        const pruned = await decide();
        if (pruned._tag === "Left") return pruned;
        return pruned.right
          ? left(trialPruned(`Pruned on validation cycle ${decisionCycle() ?? 0}`))
          : right(undefined);
      }, (e) => storageError("finish the trial's training", e))(),
    checkPruned: () =>
      fromAsync(async () => {
        if (worldSize <= 1) return right(undefined);
        const stored = await study.storage.getTrial(trial.trialId)();
        if (stored._tag === "Left") return stored;
        if (stored.right.userAttrs[PRUNED_KEY] !== true) return right(undefined);
        const cycle = stored.right.userAttrs[PRUNED_CYCLE_KEY];
        return left(
          trialPruned(`Pruned on validation cycle ${typeof cycle === "number" ? cycle : 0}`),
        );
      }, (e) => storageError("check whether the trial was pruned", e)),
    stateDict,
    acceptCheckpoint: (saved) => acceptState(stateDict(), saved),
  };
  return plugin;
}
