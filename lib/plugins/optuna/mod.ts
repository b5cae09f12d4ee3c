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
 * **Across ranks** (`fitParallel`, data-parallel training with Workers): the plug-in stays in the
 * main thread with the trial; rank 0 forwards its hooks there, so only rank 0's metrics are
 * reported (one intermediate value per validation cycle) and only the main thread asks the pruner;
 * the answer of `shouldTrainingStop` is broadcast from rank 0 to every rank through the collective
 * layer, so every rank stops after the same batch; `fitParallel` then returns normally and
 * `checkPruned()` gives `TrialPruned`, as in Helios' DDP runs. Pass `trialSaveName(name)` as
 * `fitParallel`'s `saveName` (the model is a module export there, so `configureModel` cannot
 * rename it). Ranks never see the trial or the storage.
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
import {
  type Either,
  fromAsync,
  gen,
  genEither,
  left,
  right,
  type TaskEither,
} from "../../effect/mod.ts";
import { type HyperionError, invalidArgument, storageError, trialPruned } from "../../errors.ts";
import { notPersistentStorage, unknownSuggestType } from "./errors.ts";
import type { JsonValue, ParamValue } from "../../core/json.ts";
import {
  report,
  setUserAttr,
  shouldPrune,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
  trialSnapshot,
} from "../../study/mod.ts";
import type {
  Metrics,
  Plugin,
  TrainingContext,
  ValidationContext,
  ValidationEvent,
} from "../../trainer/types.ts";
import type { Model } from "../../trainer/model.ts";
import { addTrainExceptions, registerPlugin, type Trainer } from "../../trainer/trainer.ts";
import { acceptState, checkpointState, type OptunaCheckpointState } from "./_checkpoint_state.ts";
import { trialModel, trialSaveName } from "./_names.ts";

export {
  ORIGINAL_NUMBER_KEY,
  resumeStudy,
  type ResumeStudyArgs,
  type ResumeStudyOptions,
} from "./resume.ts";
export {
  checkpointSampler,
  fileSafeName,
  restoreSampler,
  type RestoreSamplerOptions,
  type SamplerCheckpoint,
  samplerCheckpointFileName,
} from "./sampler_checkpoint.ts";
export type { OptunaCheckpointState } from "./_checkpoint_state.ts";
// the types the signatures mention, so that this entry point documents them on its own
export type * from "./signature_types.ts";

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
  /**
   * The save name `configureModel` gives a model saved as `saveName`: for `fitParallel`, whose
   * model is a module export, pass it as `FitParallelOptions.saveName`.
   */
  readonly trialSaveName: (saveName: string) => string;
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
    trialSaveName: (saveName) => saveName,
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

/**
 * What a live plug-in remembers between its hooks during one `fit`: the rank and world size the
 * trainer reported, the last cycle this run reported, the reports since the last pruning
 * decision and that decision. A record the hooks update, in plain sight.
 */
interface LiveState {
  rank: number;
  worldSize: number;
  lastCycle: number | undefined;
  reportsSinceDecision: number;
  decided: boolean | undefined;
}

/** Records the rank and world size a trainer context carries. */
function observe(live: LiveState, ctx: TrainingContext | undefined): void {
  if (typeof ctx === "object" && ctx !== null) {
    live.rank = ctx.rank;
    live.worldSize = ctx.worldSize;
  }
}

/** The highest step the trial has an intermediate value for (reported by any process). */
function lastStoredStep(trial: Trial): number | undefined {
  const snapshot = trialSnapshot(trial);
  if (snapshot._tag === "Left") return undefined;
  const steps = Object.keys(snapshot.right.intermediateValues).map(Number);
  return steps.length === 0 ? undefined : Math.max(...steps);
}

/** The cycle a pruning decision is about: this run's last report, else the trial's. */
function decisionCycle(trial: Trial, live: LiveState): number | undefined {
  return live.lastCycle ?? lastStoredStep(trial);
}

/** On rank 0, reports `metrics[metricName]` at step `validationCycle`. */
function reportCycle(
  trial: Trial,
  metricName: string,
  live: LiveState,
  validationCycle: number,
  metrics: Metrics,
): TaskEither<HyperionError, void> {
  return fromAsync(
    gen(function* (_) {
      const value = metrics?.[metricName];
      if (typeof value !== "number") return;
      live.lastCycle = validationCycle;
      if (live.rank !== 0) return;
      yield* _(report(trial, value, validationCycle));
      live.reportsSinceDecision++;
    }),
    (e) => storageError("report the metric", e),
  );
}

/** Records a decision to prune on the trial: `hyperion:pruned` and `hyperion:pruned_cycle`. */
function recordPruned(trial: Trial, cycle: number): TaskEither<HyperionError, void> {
  return gen(function* (_) {
    yield* _(setUserAttr(trial, PRUNED_KEY, true));
    yield* _(setUserAttr(trial, PRUNED_CYCLE_KEY, cycle));
  });
}

/**
 * Whether to stop: rank 0 asks the pruner once per new report (and records a stop); other
 * ranks read what rank 0 recorded. A decision to prune is final.
 */
function decide(trial: Trial, live: LiveState): Promise<Either<HyperionError, boolean>> {
  return gen(function* (_) {
    if (live.decided === true) return true;
    if (live.rank !== 0) {
      const stored = yield* _(trial.study.storage.getTrial(trial.trialId));
      live.decided = stored.userAttrs[PRUNED_KEY] === true;
      return live.decided;
    }
    if (live.decided !== undefined && live.reportsSinceDecision === 0) return live.decided;
    const cycle = decisionCycle(trial, live);
    if (cycle === undefined) return false;
    const prune = yield* _(shouldPrune(trial));
    live.reportsSinceDecision = 0;
    live.decided = prune;
    if (prune) yield* _(recordPruned(trial, cycle));
    return prune;
  })();
}

/** Not distributed: `TrialPruned` when the trial is to be pruned. Distributed: nothing. */
function finishTraining(
  trial: Trial,
  live: LiveState,
): Promise<Either<HyperionError, void>> {
  return gen(function* (_) {
    if (live.worldSize > 1) return;
    if (yield* _(() => decide(trial, live))) {
      yield* _(left(trialPruned(`Pruned on validation cycle ${decisionCycle(trial, live) ?? 0}`)));
    }
  })();
}

/** Distributed: `TrialPruned` when rank 0 recorded that the trial was pruned. */
function checkPrunedAfterFit(trial: Trial, live: LiveState): TaskEither<HyperionError, void> {
  return fromAsync(
    gen(function* (_) {
      if (live.worldSize <= 1) return;
      const stored = yield* _(trial.study.storage.getTrial(trial.trialId));
      if (stored.userAttrs[PRUNED_KEY] !== true) return;
      const cycle = stored.userAttrs[PRUNED_CYCLE_KEY];
      yield* _(left(
        trialPruned(`Pruned on validation cycle ${typeof cycle === "number" ? cycle : 0}`),
      ));
    }),
    (e) => storageError("check whether the trial was pruned", e),
  );
}

/** Suggests by type name: `"categorical"`, `"int"` or `"float"`; else `UnknownSuggestType`. */
function suggestByType(
  trial: Trial,
  typeName: string,
  name: string,
  args: SuggestArgs,
): TaskEither<HyperionError, ParamValue> {
  const numeric = {
    ...(args?.step === undefined ? {} : { step: args.step }),
    ...(args?.log === undefined ? {} : { log: args.log }),
  };
  switch (typeName) {
    case "categorical":
      return suggestCategorical(trial, name, args?.choices ?? []);
    case "int":
      return suggestInt(trial, name, args?.low as number, args?.high as number, numeric);
    case "float":
      return suggestFloat(trial, name, args?.low as number, args?.high as number, numeric);
    default:
      return () => Promise.resolve(left(unknownSuggestType(String(typeName))));
  }
}

/** The plug-in of a valid call: its hooks share one {@link LiveState}. */
function livePlugin(trial: Trial, metricName: string): OptunaPlugin {
  const live: LiveState = {
    rank: 0,
    worldSize: 1,
    lastCycle: undefined,
    reportsSinceDecision: 0,
    decided: undefined,
  };
  const storage = trial.study.storage;
  const plugin: OptunaPlugin = {
    id: OPTUNA_PLUGIN_ID,
    trial,
    metricName,
    configureTrainer: (trainer) => {
      return genEither(function* (_) {
        const registered = yield* _(registerPlugin(trainer, plugin));
        return addTrainExceptions(registered, ["TrialPruned"]);
      });
    },
    configureModel: (model) => trialModel(trial, model),
    trialSaveName: (saveName) => trialSaveName(trial, saveName),
    suggest: (typeName, name, args) => suggestByType(trial, typeName, name, args),
    setup: (ctx) => {
      observe(live, ctx);
      return Promise.resolve(
        storage.persistent
          ? right(undefined)
          : left(notPersistentStorage(storage.url, "tune with the plug-in")),
      );
    },
    reportMetrics: (cycle, metrics) => reportCycle(trial, metricName, live, cycle, metrics),
    onValidationEnd: (event, ctx) => {
      observe(live, ctx);
      return reportCycle(trial, metricName, live, event?.cycle, event?.metrics)();
    },
    shouldTrainingStop: (ctx) =>
      fromAsync(() => {
        observe(live, ctx);
        return decide(trial, live);
      }, (e) => storageError("decide on pruning", e))(),
    onTrainingEnd: (ctx) =>
      fromAsync(() => {
        observe(live, ctx);
        return finishTraining(trial, live);
      }, (e) => storageError("finish the trial's training", e))(),
    checkPruned: () => checkPrunedAfterFit(trial, live),
    stateDict: () => checkpointState(trial),
    acceptCheckpoint: (saved) => acceptState(checkpointState(trial), saved),
  };
  return plugin;
}
