/**
 * The storage interface every backend implements (memory, SQLite, PostgreSQL): a record of
 * `TaskEither` functions over study and trial records.
 *
 * Rules every backend follows (the shared conformance suite checks them): trial numbers are
 * 0-based and consecutive per study, assigned atomically; finished trials are immutable; a
 * parameter's distribution must stay compatible with the first one recorded for its name in the
 * study; claiming a WAITING trial is atomic (two workers never get the same trial).
 *
 * @module
 */
import type { TaskEither } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { JsonValue } from "../core/json.ts";
import type { Direction, StudyRecord } from "../core/study.ts";
import type { FrozenTrial, TrialState, TrialTemplate } from "../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Which attribute map: the user's or the system's.
 *
 * @category model
 */
export type AttrKind = "user" | "system";

/**
 * Arguments of {@link Storage.createStudy}.
 *
 * @category model
 */
export interface CreateStudyArgs {
  /** Unique name. */
  readonly studyName: string;
  /** One direction per objective (at least one). */
  readonly directions: ReadonlyArray<Direction>;
}

/**
 * Arguments of {@link Storage.setTrialParam}.
 *
 * @category model
 */
export interface SetTrialParamArgs {
  /** The trial's id. */
  readonly trialId: number;
  /** The parameter's name. */
  readonly name: string;
  /** The internal value (categoricals: the choice index). */
  readonly internal: number;
  /** The distribution it was drawn from. */
  readonly distribution: Distribution;
}

/**
 * Arguments of {@link Storage.setTrialAttr} and {@link Storage.setStudyAttr}.
 *
 * @category model
 */
export interface SetAttrArgs {
  /** Study id or trial id, depending on the function. */
  readonly id: number;
  /** User or system attribute. */
  readonly kind: AttrKind;
  /** The key. */
  readonly key: string;
  /** A JSON value. */
  readonly value: JsonValue;
}

/**
 * Arguments of {@link Storage.setTrialStateValues}.
 *
 * @category model
 */
export interface SetTrialStateArgs {
  /** The trial's id. */
  readonly trialId: number;
  /** The new state (RUNNING only as a claim of a WAITING trial). */
  readonly state: TrialState;
  /** Objective values (required for COMPLETE; none for FAIL). */
  readonly values?: ReadonlyArray<number> | null;
}

/**
 * Options of {@link Storage.getAllTrials}.
 *
 * @category model
 */
export interface GetTrialsOptions {
  /**
   * Only trials in these states.
   *
   * @default {undefined} (all states)
   */
  readonly states?: ReadonlyArray<TrialState> | undefined;
}

/**
 * What a {@link FailedTrialCallback} is handed of the study: its id, name, directions and
 * storage. The study handle of `createStudy` is one.
 *
 * @category model
 */
export interface StudyRef {
  /** Storage-assigned id. */
  readonly studyId: number;
  /** Unique name within the storage. */
  readonly studyName: string;
  /** One direction per objective. */
  readonly directions: ReadonlyArray<Direction>;
  /** Where the study's trials are stored. */
  readonly storage: Storage;
}

/**
 * Called with each trial that `failStaleTrials` failed (a copy, as stored); a `Left` stops the
 * run with that error.
 *
 * @category model
 */
export type FailedTrialCallback = (
  study: StudyRef,
  trial: FrozenTrial,
) => TaskEither<HyperionError, void>;

/**
 * The `heartbeat` option of `optimize`, and the heartbeat settings a storage was opened with.
 *
 * @category model
 */
export interface HeartbeatOptions {
  /**
   * How often a running trial records a heartbeat, in milliseconds (the first one is recorded
   * when the trial starts). Optuna's `heartbeat_interval`, in milliseconds.
   */
  readonly intervalMs: number;
  /**
   * A RUNNING trial whose last heartbeat is older than this is failed at the start of the next
   * trial of any worker. Optuna's `grace_period`, in milliseconds.
   *
   * @default {2 * intervalMs}
   */
  readonly gracePeriodMs?: number;
  /**
   * Called with each trial this worker failed, for example `retryFailedTrialCallback()`.
   *
   * @default {undefined} (failed trials stay failed)
   */
  readonly failedTrialCallback?: FailedTrialCallback;
}

/**
 * Heartbeat options of the SQLite and PostgreSQL storages: Optuna's `heartbeat_interval`,
 * `grace_period` and `failed_trial_callback` of `RDBStorage`, in milliseconds. When
 * `heartbeatIntervalMs` is given, every `optimize` run on the storage records heartbeats for
 * its running trials and fails stale ones (see `failStaleTrials`), unless the run passes its own
 * `heartbeat` option.
 *
 * @category model
 */
export interface StorageHeartbeatOptions {
  /**
   * How often a running trial records a heartbeat, in milliseconds; heartbeats are off when
   * not given.
   *
   * @default {undefined}
   */
  readonly heartbeatIntervalMs?: number;
  /**
   * A RUNNING trial whose last heartbeat is older than this is failed at the start of the
   * next trial of any worker.
   *
   * @default {2 * heartbeatIntervalMs}
   */
  readonly gracePeriodMs?: number;
  /**
   * Called with each trial this worker failed as stale, for example
   * `retryFailedTrialCallback({ maxRetry: 3 })`.
   *
   * @default {undefined} (failed trials stay failed)
   */
  readonly failedTrialCallback?: FailedTrialCallback;
}

/**
 * A storage backend: a record of effectful functions. Every write runs in one transaction; no
 * write leaves partial data behind on failure.
 *
 * @category model
 */
export interface Storage {
  /** `memory:`, `sqlite:///path.db`, `postgresql://…`. */
  readonly url: string;
  /** True when studies outlive the process (SQLite, PostgreSQL). */
  readonly persistent: boolean;
  /**
   * Heartbeat settings given when the storage was opened ({@link StorageHeartbeatOptions});
   * `optimize` uses them when its own `heartbeat` option is not given.
   */
  readonly heartbeat?: HeartbeatOptions;
  /** Creates a study; `DuplicatedStudy` when the name is taken. */
  readonly createStudy: (args: CreateStudyArgs) => TaskEither<HyperionError, StudyRecord>;
  /** Deletes a study with its trials and attributes; `StudyNotFound` when missing. */
  readonly deleteStudy: (studyId: number) => TaskEither<HyperionError, void>;
  /**
   * Renames a study (one statement; used by `resumeStudy` to swap a rebuilt study in);
   * `StudyNotFound` when missing, `DuplicatedStudy` when the new name is taken.
   */
  readonly renameStudy: (
    args: { readonly studyId: number; readonly studyName: string },
  ) => TaskEither<HyperionError, StudyRecord>;
  /** Loads a study by name; `StudyNotFound` when missing. */
  readonly getStudy: (studyName: string) => TaskEither<HyperionError, StudyRecord>;
  /** Loads a study by id; `StudyNotFound` when missing. */
  readonly getStudyById: (studyId: number) => TaskEither<HyperionError, StudyRecord>;
  /** Every study, in creation order. */
  readonly listStudies: () => TaskEither<HyperionError, ReadonlyArray<StudyRecord>>;
  /** Sets (overwrites) a study attribute. */
  readonly setStudyAttr: (args: SetAttrArgs) => TaskEither<HyperionError, void>;
  /**
   * Creates a trial, by default RUNNING and started now, with the next number of the study;
   * a template gives its state and contents (WAITING for enqueued trials).
   */
  readonly createTrial: (
    studyId: number,
    template?: TrialTemplate,
  ) => TaskEither<HyperionError, FrozenTrial>;
  /**
   * Atomically claims the lowest-numbered WAITING trial of the study (sets it RUNNING, started
   * now); `undefined` when there is none.
   */
  readonly claimWaitingTrial: (
    studyId: number,
  ) => TaskEither<HyperionError, FrozenTrial | undefined>;
  /**
   * Records a parameter on an updatable trial; `IncompatibleDistribution` when the study holds
   * the name with an incompatible distribution; `TrialNotUpdatable` on finished trials.
   */
  readonly setTrialParam: (args: SetTrialParamArgs) => TaskEither<HyperionError, void>;
  /** Records (upserts) an intermediate value on an updatable trial. */
  readonly setTrialIntermediateValue: (
    args: { readonly trialId: number; readonly step: number; readonly value: number },
  ) => TaskEither<HyperionError, void>;
  /**
   * Sets the state (and values) of an updatable trial; `false` when RUNNING was asked for a
   * trial that is no longer WAITING.
   */
  readonly setTrialStateValues: (args: SetTrialStateArgs) => TaskEither<HyperionError, boolean>;
  /** Sets (overwrites) a trial attribute on an updatable trial. */
  readonly setTrialAttr: (args: SetAttrArgs) => TaskEither<HyperionError, void>;
  /** Loads a trial by id; `TrialNotFound` when missing. */
  readonly getTrial: (trialId: number) => TaskEither<HyperionError, FrozenTrial>;
  /** The study's trials ordered by number. */
  readonly getAllTrials: (
    studyId: number,
    options?: GetTrialsOptions,
  ) => TaskEither<HyperionError, ReadonlyArray<FrozenTrial>>;
  /** Records a heartbeat for a RUNNING trial (now). */
  readonly recordHeartbeat: (trialId: number) => TaskEither<HyperionError, void>;
  /**
   * Sets FAIL on the study's RUNNING trials whose last heartbeat is older than
   * `gracePeriodMs`, and returns the trials this call failed (never ones without heartbeat).
   */
  readonly failStaleTrials: (
    args: { readonly studyId: number; readonly gracePeriodMs: number },
  ) => TaskEither<HyperionError, ReadonlyArray<FrozenTrial>>;
  /** Releases connections and file handles; further calls fail with `StorageError`. */
  readonly close: () => TaskEither<HyperionError, void>;
}

// -------------------------------------------------------------------------------------
// operation groups
// -------------------------------------------------------------------------------------

/**
 * The study operations of a {@link Storage} (each implementation builds them in one group).
 *
 * @category model
 */
export type StudyOps = Pick<
  Storage,
  | "createStudy"
  | "deleteStudy"
  | "renameStudy"
  | "getStudy"
  | "getStudyById"
  | "listStudies"
  | "setStudyAttr"
>;

/**
 * The trial-writing operations of a {@link Storage}.
 *
 * @category model
 */
export type TrialWriteOps = Pick<
  Storage,
  | "setTrialParam"
  | "setTrialIntermediateValue"
  | "setTrialStateValues"
  | "setTrialAttr"
  | "recordHeartbeat"
  | "failStaleTrials"
>;

/**
 * The names of the {@link Storage} functions that write: what a read-only view refuses and what
 * a crash test counts.
 *
 * @category model
 */
export const STORAGE_WRITES = [
  "createStudy",
  "deleteStudy",
  "renameStudy",
  "setStudyAttr",
  "createTrial",
  "claimWaitingTrial",
  "setTrialParam",
  "setTrialIntermediateValue",
  "setTrialStateValues",
  "setTrialAttr",
  "recordHeartbeat",
  "failStaleTrials",
] as const satisfies ReadonlyArray<keyof Storage>;
