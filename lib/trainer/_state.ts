/**
 * The records `fit` runs over: {@link LoopEnv}, what stays fixed during a run (the trainer's
 * configuration, the model, the data, the folders, the generator), and {@link LoopState}, what
 * each step reads and returns (the training state, the model state, the log position and the
 * checkpoints written). Every step of the loop is a function `(env, st) => Step<LoopState>`.
 *
 * @module
 */
import type { Either } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { Rng } from "../random/rng.ts";
import type { DataModule } from "./data.ts";
import type { Model } from "./model.ts";
import type { ResolvedTrainerConfig } from "./trainer.ts";
import type { Collective, Plugin, TrainingContext, TrainingState, TrainUnit } from "./types.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What one step of `fit` gives: the next value, or the error that ends the run. */
export type Step<A> = Promise<Either<HyperionError, A>>;

/** Receives progress lines; `final` marks the last one of a run. */
export type ProgressSink = (line: string, final: boolean) => void;

/** What stays fixed during one `fit`. */
export interface LoopEnv<S, B, V> {
  /** The trainer's configuration. */
  readonly cfg: ResolvedTrainerConfig;
  /** The plug-ins, in call order. */
  readonly plugins: ReadonlyArray<Plugin>;
  /** Error tags returned unchanged rather than wrapped in `TrainingFailed`. */
  readonly trainExceptions: ReadonlyArray<string>;
  /** The model. */
  readonly model: Model<S, B, V>;
  /** The data module. */
  readonly data: DataModule<B, V>;
  /** The model's save name. */
  readonly saveName: string;
  /** Whether this process writes checkpoints, logs and progress (rank 0). */
  readonly writer: boolean;
  /** `<chkptRoot>/<saveName>`, when checkpoints are on. */
  readonly checkpointDir: string | undefined;
  /** The checkpoint this run resumes from, if any. */
  readonly resumedFrom: string | undefined;
  /**
   * The trainer's generator, handed to every handler: draws advance it in place, a checkpoint
   * saves its state and a resume restores it.
   */
  readonly rng: Rng;
  /** Where progress lines go, if anywhere. */
  readonly progress: ProgressSink | undefined;
  /** The collective operations of the run's ranks (`ctx.collective`). */
  readonly collective: Collective;
}

/** The open JSON-lines log: its path, its file name in the log folder and its length. */
export interface LogFile {
  /** The log's path. */
  readonly path: string;
  /** The log's file name inside the log folder. */
  readonly file: string;
  /** Bytes written so far (a checkpoint records it; a resume cuts the file back to it). */
  readonly bytes: number;
}

/** What each step of `fit` reads and returns. */
export interface LoopState<S> {
  /** Where training is (saved in every checkpoint). */
  readonly ts: TrainingState;
  /** The model's state. */
  readonly state: S;
  /** The log, when one is written. */
  readonly log: LogFile | undefined;
  /** The checkpoints written by this run, in order. */
  readonly written: ReadonlyArray<string>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The training state of a run that starts from scratch. */
export function freshTrainingState(trainUnit: TrainUnit): TrainingState {
  return {
    trainUnit,
    epoch: 0,
    epochDone: true,
    batchIndex: 0,
    iteration: 0,
    globalIteration: 0,
    validationCycles: 0,
    earlyStopCount: 0,
    lastMetrics: {},
    runningLosses: { train: {}, validation: {}, epoch: {} },
    stopRequestedBy: null,
  };
}

/** A fresh snapshot of where training is, for one handler call. */
export function contextOf<S, B, V>(env: LoopEnv<S, B, V>, ts: TrainingState): TrainingContext {
  return {
    saveName: env.saveName,
    rank: env.cfg.rank,
    worldSize: env.cfg.worldSize,
    trainUnit: env.cfg.trainUnit,
    totalSteps: env.cfg.totalSteps,
    epoch: ts.epoch,
    batchIndex: ts.batchIndex,
    iteration: ts.iteration,
    globalIteration: ts.globalIteration,
    validationCycles: ts.validationCycles,
    metrics: ts.lastMetrics,
    resumedFrom: env.resumedFrom,
    checkpointDir: env.checkpointDir,
    plugins: env.plugins,
    rng: env.rng,
    collective: env.collective,
  };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** The state with its training state replaced. */
export function withTs<S>(st: LoopState<S>, ts: TrainingState): LoopState<S> {
  return { ...st, ts };
}

/** The state with fields of its training state replaced. */
export function patchTs<S>(st: LoopState<S>, patch: Partial<TrainingState>): LoopState<S> {
  return { ...st, ts: { ...st.ts, ...patch } };
}
