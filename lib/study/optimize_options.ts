/**
 * The options and the result of `optimize`: trial budget, timeout, concurrency, caught error
 * tags, callbacks, abort signal, progress display, logger, signal handling and heartbeats; the
 * summary of a run and why it stopped.
 *
 * @module
 */
import type { FrozenTrial } from "../core/trial.ts";
import type { Study } from "./study.ts";
import type { HeartbeatOptions } from "./heartbeat.ts";
import type { Logger } from "./logging.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a callback may answer: `"stop"` ends the run after the trials in flight.
 *
 * @category model
 */
export type CallbackResult = void | "stop";

/**
 * Called after every finished trial, in order.
 *
 * @category model
 */
export type OptimizeCallback = (
  study: Study,
  trial: FrozenTrial,
) => CallbackResult | Promise<CallbackResult>;

/**
 * Options of `optimize`.
 *
 * @category model
 */
export interface OptimizeOptions {
  /**
   * How many trials this call runs; without it, until the timeout, a callback, the signal or
   * the sampler stops the run.
   *
   * @default {undefined}
   */
  readonly nTrials?: number;
  /**
   * No new trial starts after this many milliseconds; the running ones are awaited (a trial is
   * never cut short, as in Optuna).
   *
   * @default {undefined}
   */
  readonly timeoutMs?: number;
  /**
   * How many trials run at once (for async objectives; the process stays single-threaded).
   *
   * @default {1}
   */
  readonly concurrency?: number;
  /**
   * Error tags (or `Error` names) that fail the trial without stopping the run.
   *
   * @default {[]}
   */
  readonly catch?: ReadonlyArray<string>;
  /**
   * Called after each finished trial; `"stop"` ends the run.
   *
   * @default {[]}
   */
  readonly callbacks?: ReadonlyArray<OptimizeCallback>;
  /**
   * Aborting it stops the run gracefully: no new trial starts, running ones finish.
   *
   * @default {undefined}
   */
  readonly signal?: AbortSignal;
  /**
   * A progress display on standard error (or on the given writer): on a terminal, one line
   * redrawn in place; elsewhere, a plain line every tenth of `nTrials` (or every 10 seconds
   * with progress) and one at the end.
   *
   * @default {false}
   */
  readonly progress?: boolean | ProgressWriter;
  /**
   * Where the run's log lines go (an INFO line per finished trial, a WARNING per failed one).
   *
   * @default {defaultLogger()} (see `loggingSettings`: INFO on a terminal, WARNING otherwise)
   */
  readonly logger?: Logger;
  /**
   * Handle SIGINT and SIGTERM (SIGINT and SIGBREAK on Windows) while the run lasts: stop
   * asking, fail the trials in flight with the system attribute `fail_reason`
   * `"Interrupted by SIGINT"`, close the study's storage, then exit with 130 (SIGINT) or 143
   * (SIGTERM); a second signal exits at once. Like Optuna, an interrupted run leaves no trial
   * RUNNING. With `false`, no listener is installed and the runtime's default applies. The
   * listeners exist only while `optimize` runs.
   *
   * @default {true}
   */
  readonly handleSignals?: boolean;
  /**
   * Heartbeats and stale-trial recovery (see `failStaleTrials`): each running trial records a
   * heartbeat every `intervalMs`, and every trial starts by failing the study's RUNNING trials
   * whose heartbeat is older than `gracePeriodMs`, handing them to `failedTrialCallback`.
   * When not given, the storage's settings apply (`heartbeatIntervalMs` and friends of the
   * SQLite and PostgreSQL storages).
   *
   * @default {study.storage.heartbeat} (none unless the storage was opened with them)
   */
  readonly heartbeat?: HeartbeatOptions;
}

/**
 * Where a progress display goes: a terminal gets a bar redrawn in place, anything else plain
 * lines.
 *
 * @category model
 */
export interface ProgressWriter {
  /** Whether the sink is a terminal. */
  readonly isTerminal: boolean;
  /** Writes raw text. */
  readonly write: (text: string) => void;
}

/**
 * Why a run ended.
 *
 * @category model
 */
export type StopReason = "nTrials" | "timeout" | "callback" | "signal" | "sampler" | "error";

/**
 * What `optimize` returns.
 *
 * @category model
 */
export interface OptimizeSummary {
  /** Trials this call finished. */
  readonly nTrials: number;
  /** Trials this call finished, by final state. */
  readonly counts: Readonly<Record<"COMPLETE" | "PRUNED" | "FAIL", number>>;
  /** Why it stopped. */
  readonly stoppedBy: StopReason;
  /** Wall-clock duration in milliseconds. */
  readonly elapsedMs: number;
  /** The best trial among those this call finished (single objective). */
  readonly bestTrial: FrozenTrial | undefined;
  /** Messages of the trials that failed without stopping the run. */
  readonly failures: ReadonlyArray<string>;
}
