/**
 * `optimize`: run an objective over many trials, with a trial budget, a timeout, concurrency
 * for async objectives, caught error tags, callbacks that may stop the run, an abort signal
 * and a progress bar.
 *
 * @example Minimise a function
 * ```ts
 * import { createStudy, float, optimize, runOrThrow, suggest, map } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const summary = await runOrThrow(optimize(study, (trial) =>
 *   map(suggest(trial, { x: float(-5, 5), y: float(-5, 5) }), ({ x, y }) => x * x + y * y),
 *   { nTrials: 25, concurrency: 4 }));
 * assert.equal(summary.nTrials, 25);
 * assert.equal(summary.counts.COMPLETE, 25);
 * ```
 *
 * @module
 */
import { type Either, fromAsync, left, right, type TaskEither } from "../effect.ts";
import {
  describeCause,
  type HyperionError,
  invalidArgument,
  objectiveFailed,
  show,
  tagOf,
} from "../errors.ts";
import { bestTrial } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { studyLive } from "../_internal/live.ts";
import { checkObjectiveValues } from "../_internal/objective_values.ts";
import { type ProgressSink, stderrSink } from "../_internal/tty.ts";
import { ask, tell, type Trial } from "./live_trial.ts";
import type { Study } from "./study.ts";
import {
  checkHeartbeatOptions,
  failStaleTrials,
  type HeartbeatOptions,
  type HeartbeatTimer,
  startHeartbeat,
} from "./heartbeat.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An objective: given a trial, an effect that yields one value per objective. Return
 * `Left(trialPruned())` to prune; any other `Left` (or a throw) fails the trial.
 *
 * @category model
 */
export type Objective = (
  trial: Trial,
) => TaskEither<unknown, number | ReadonlyArray<number>>;

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
 * Options of {@link optimize}.
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
   * No new trial starts after this many milliseconds (running ones finish).
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
   * Show a progress bar on standard error when it is a terminal (or write to the given sink).
   *
   * @default {false}
   */
  readonly progress?: boolean | ProgressWriter;
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
 * Where a progress bar goes: `isTerminal` false disables it.
 *
 * @category model
 */
export interface ProgressWriter {
  /** Whether the sink is a terminal. */
  readonly isTerminal: boolean;
  /** Writes raw text (the bar redraws with `\r`). */
  readonly write: (text: string) => void;
}

/**
 * Why a run ended.
 *
 * @category model
 */
export type StopReason = "nTrials" | "timeout" | "callback" | "signal" | "sampler" | "error";

/**
 * What {@link optimize} returns.
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

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

function checkOptions(options: OptimizeOptions): Either<HyperionError, void> {
  const { nTrials, timeoutMs, concurrency, callbacks } = options;
  if (nTrials !== undefined && (!Number.isSafeInteger(nTrials) || nTrials < 0)) {
    return left(
      invalidArgument({ field: "nTrials", value: nTrials, expected: "a non-negative integer" }),
    );
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !(timeoutMs >= 0))) {
    return left(
      invalidArgument({ field: "timeoutMs", value: timeoutMs, expected: "a non-negative number" }),
    );
  }
  if (concurrency !== undefined && (!Number.isSafeInteger(concurrency) || concurrency < 1)) {
    return left(
      invalidArgument({ field: "concurrency", value: concurrency, expected: "a positive integer" }),
    );
  }
  if (
    options.catch !== undefined &&
    (!Array.isArray(options.catch) || options.catch.some((t) => typeof t !== "string"))
  ) {
    return left(
      invalidArgument({ field: "catch", value: options.catch, expected: "an array of error tags" }),
    );
  }
  if (
    callbacks !== undefined &&
    (!Array.isArray(callbacks) || callbacks.some((c) => typeof c !== "function"))
  ) {
    return left(
      invalidArgument({ field: "callbacks", value: callbacks, expected: "an array of functions" }),
    );
  }
  return checkHeartbeatOptions(options.heartbeat);
}

type Outcome =
  | { readonly kind: "values"; readonly raw: unknown }
  | { readonly kind: "pruned" }
  | { readonly kind: "failed"; readonly cause: unknown };

async function runObjective(objective: Objective, trial: Trial): Promise<Outcome> {
  try {
    const task = objective(trial);
    if (typeof task !== "function") {
      return { kind: "values", raw: task };
    }
    const result = await task();
    if (typeof result !== "object" || result === null || !("_tag" in result)) {
      return {
        kind: "failed",
        cause: new TypeError(`the objective's effect resolved to ${show(result)}, not an Either`),
      };
    }
    if (result._tag === "Right") return { kind: "values", raw: result.right };
    return tagOf(result.left) === "TrialPruned"
      ? { kind: "pruned" }
      : { kind: "failed", cause: result.left };
  } catch (cause) {
    return tagOf(cause) === "TrialPruned" ? { kind: "pruned" } : { kind: "failed", cause };
  }
}

function bar(
  done: number,
  total: number | undefined,
  best: FrozenTrial | undefined,
  ms: number,
): string {
  const width = 30;
  const filled = total ? Math.round((done / Math.max(total, 1)) * width) : done % (width + 1);
  const head = total
    ? `[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`
    : `${done} trials`;
  const bestText = best?.values ? `, best ${best.values[0]} (trial ${best.number})` : "";
  return `\r${head}${bestText}, ${(ms / 1000).toFixed(1)}s`;
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Runs `objective` over trials of the study. Each trial ends COMPLETE (valid values), PRUNED
 * (`Left(trialPruned())`, keeping the last intermediate value) or FAIL (another `Left`, a throw,
 * NaN, a wrong number of values, a non-number — with a message naming the trial and the value).
 * A failure whose tag is not in `catch` stops the run with `ObjectiveFailed` after the trial
 * is stored. Nothing is left RUNNING by this call, whatever happens.
 *
 * @category combinators
 */
export function optimize(
  study: Study,
  objective: Objective,
  options: OptimizeOptions = {},
): TaskEither<HyperionError, OptimizeSummary> {
  return fromAsync(async () => {
    const checked = checkOptions(options ?? {});
    if (checked._tag === "Left") return checked;
    if (typeof objective !== "function") {
      return left(
        invalidArgument({ field: "objective", value: objective, expected: "a function" }),
      );
    }
    const live = studyLive(study);
    live.stopRequested = false;
    const start = Date.now();
    const caught = new Set(options.catch ?? []);
    const counts = { COMPLETE: 0, PRUNED: 0, FAIL: 0 };
    const finished: FrozenTrial[] = [];
    const failures: string[] = [];
    const progress: ProgressSink | undefined = options.progress === true
      ? stderrSink()
      : options.progress
      ? options.progress
      : undefined;
    let started = 0;
    let stoppedBy: StopReason | undefined;
    let error: HyperionError | undefined;
    let finishedByCallback = false;

    const canStart = (): boolean => {
      if (stoppedBy) return false;
      if (options.signal?.aborted) stoppedBy = "signal";
      else if (live.stopRequested) stoppedBy = finishedByCallback ? "callback" : "sampler";
      else if (options.nTrials !== undefined && started >= options.nTrials) stoppedBy = "nTrials";
      else if (options.timeoutMs !== undefined && Date.now() - start >= options.timeoutMs) {
        stoppedBy = "timeout";
      }
      return stoppedBy === undefined;
    };

    const heartbeat = options.heartbeat ?? study.storage.heartbeat;
    const runOne = async (): Promise<void> => {
      if (heartbeat !== undefined) {
        const stale = await failStaleTrials(study, heartbeat)();
        if (stale._tag === "Left") {
          error ??= stale.left;
          stoppedBy = "error";
          return;
        }
      }
      const asked = await ask(study)();
      if (asked._tag === "Left") {
        error = asked.left;
        stoppedBy = "error";
        return;
      }
      const trial = asked.right;
      const beating: HeartbeatTimer | undefined = heartbeat === undefined
        ? undefined
        : startHeartbeat(study.storage, trial.trialId, heartbeat.intervalMs);
      let outcome: Outcome;
      try {
        outcome = await runObjective(objective, trial);
      } finally {
        await beating?.stop();
      }
      let told: Either<HyperionError, FrozenTrial>;
      let stopWith: HyperionError | undefined;
      if (outcome.kind === "pruned") {
        told = await tell(study, trial, { state: "PRUNED" })();
      } else if (outcome.kind === "values") {
        const valid = checkObjectiveValues(outcome.raw, study.directions.length, trial.number);
        if (valid._tag === "Left") failures.push(valid.left);
        told = valid._tag === "Right"
          ? await tell(study, trial, { values: valid.right })()
          : await tell(study, trial, { state: "FAIL" })();
      } else {
        told = await tell(study, trial, { state: "FAIL" })();
        const failure = objectiveFailed(trial.number, outcome.cause);
        const tag = tagOf(outcome.cause);
        if (tag !== undefined && caught.has(tag)) {
          failures.push(failure.message);
        } else {
          stopWith = failure;
        }
      }
      if (told._tag === "Left") {
        error ??= told.left;
        stoppedBy = "error";
        return;
      }
      const frozen = told.right;
      counts[frozen.state as "COMPLETE" | "PRUNED" | "FAIL"] += 1;
      finished.push(frozen);
      if (stopWith) {
        error ??= stopWith;
        stoppedBy = "error";
        return;
      }
      for (const callback of options.callbacks ?? []) {
        try {
          if ((await callback(study, frozen)) === "stop") {
            finishedByCallback = true;
            live.stopRequested = true;
          }
        } catch (cause) {
          error ??= objectiveFailed(
            frozen.number,
            new Error(`a callback failed: ${describeCause(cause)}`, { cause }),
          );
          stoppedBy = "error";
          return;
        }
      }
      if (progress?.isTerminal) {
        progress.write(
          bar(
            finished.length,
            options.nTrials,
            bestTrial(finished, study.directions),
            Date.now() - start,
          ),
        );
      }
    };

    const worker = async (): Promise<void> => {
      while (canStart()) {
        started++;
        await runOne();
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
    if (progress?.isTerminal) progress.write("\n");
    if (error) return left(error);
    return right({
      nTrials: finished.length,
      counts,
      stoppedBy: stoppedBy ?? "nTrials",
      elapsedMs: Date.now() - start,
      bestTrial: bestTrial(finished, study.directions),
      failures,
    });
  }, (cause) => objectiveFailed(-1, cause));
}
