/**
 * Heartbeats and stale-trial recovery, as in Optuna's RDB storages: while a trial runs inside
 * `optimize`, its worker records a heartbeat every `intervalMs`; at the start of every trial,
 * `optimize` fails the study's RUNNING trials whose last heartbeat is older than
 * `gracePeriodMs` (their worker died: killed, out of memory, machine lost) and hands each to
 * the `failedTrialCallback`. {@link retryFailedTrialCallback} enqueues a copy of the failed
 * trial, so another worker re-runs it; its system attributes `failed_trial` and
 * `retry_history` are Optuna's, so Python Optuna's `RetryFailedTrialCallback` helpers read them.
 *
 * Turn it on for every run on a storage, as Optuna's `RDBStorage(heartbeat_interval=…,
 * grace_period=…, failed_trial_callback=…)` does, with the SQLite and PostgreSQL storages'
 * options `heartbeatIntervalMs`, `gracePeriodMs` and `failedTrialCallback`; or for one run with
 * `optimize(study, objective, { heartbeat: { intervalMs, gracePeriodMs?, failedTrialCallback? }
 * })`, which takes precedence over the storage's settings. Trials that never recorded a heartbeat
 * (runs without the option, `ask`/`tell` by hand) are never failed. Every worker sharing a
 * study should use the same settings.
 *
 * Heartbeats are timers on the event loop, so anything that blocks the loop delays them: a
 * synchronous stretch of the objective (a long CPU-bound loop without `await`) and, with the
 * SQLite storage, a write waiting for another process's lock (`node:sqlite` waits
 * synchronously, up to its busy timeout). Choose `gracePeriodMs` well above the longest such
 * stretch, or a live trial may be failed (and re-run) by another worker. With PostgreSQL the
 * heartbeat times come from the database server's clock; with SQLite from the workers' clocks,
 * which must then agree (one machine).
 *
 * @example Re-run the trials of workers that died
 * ```ts
 * import {
 *   createStudy, map, optimize, retryFailedTrialCallback, runOrThrow, suggestFloat,
 * } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const summary = await runOrThrow(optimize(study, (trial) =>
 *   map(suggestFloat(trial, "x", -1, 1), (x) => x * x), {
 *   nTrials: 3,
 *   heartbeat: { intervalMs: 1000, failedTrialCallback: retryFailedTrialCallback({ maxRetry: 2 }) },
 * }));
 * assert.equal(summary.nTrials, 3);
 * ```
 *
 * @module
 */
import { type Either, fromAsync, gen, left, right, type TaskEither } from "../effect/mod.ts";
import { describeCause, type HyperionError, invalidArgument, objectiveFailed } from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { FailedTrialCallback, HeartbeatOptions, Storage } from "../storage/storage.ts";

export type { FailedTrialCallback, HeartbeatOptions, StudyRef } from "../storage/storage.ts";
import type { Study } from "./study.ts";
import { withStudy } from "./_live.ts";
import { checkHeartbeatFields } from "../storage/heartbeat_options.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link retryFailedTrialCallback}.
 *
 * @category model
 */
export interface RetryFailedTrialOptions {
  /**
   * How many times one original trial is retried; `undefined` retries without limit.
   *
   * @default {undefined}
   */
  readonly maxRetry?: number;
  /**
   * Copy the failed trial's intermediate values into the retry (a retry that resumes from a
   * checkpoint then shows the pruner the same history).
   *
   * @default {false}
   */
  readonly inheritIntermediateValues?: boolean;
}

/**
 * A running heartbeat: {@link HeartbeatTimer.stop} ends it.
 *
 * @category model
 */
export interface HeartbeatTimer {
  /** Stops the timer and waits for a heartbeat being written, if any. */
  readonly stop: () => Promise<void>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Optuna's `RetryFailedTrialCallback`: enqueues a WAITING copy of the failed trial (same
 * parameters and distributions, user attributes, system attributes, and intermediate values
 * when `inheritIntermediateValues`), whose system attribute `failed_trial` is the number of the
 * original trial (kept across chained retries) and `retry_history` the numbers of every failed
 * attempt, oldest first. Once `retry_history` would exceed `maxRetry` entries, nothing is
 * enqueued.
 *
 * @example Retry a failed trial once
 * ```ts
 * import {
 *   createStudy, getTrials, retriedTrialNumber, retryFailedTrialCallback, retryHistory, runOrThrow,
 * } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const failed = await runOrThrow(study.storage.createTrial(study.studyId, { state: "FAIL" }));
 * const retry = retryFailedTrialCallback({ maxRetry: 1 });
 * await runOrThrow(retry(study, failed));
 * const waiting = (await runOrThrow(getTrials(study)))[1]!;
 * assert.equal(waiting.state, "WAITING");
 * assert.equal(retriedTrialNumber(waiting), 0);
 * assert.deepEqual(retryHistory(waiting), [0]);
 * await runOrThrow(retry(study, { ...waiting, state: "FAIL" })); // a second retry: over the limit
 * assert.equal((await runOrThrow(getTrials(study))).length, 2);
 * ```
 *
 * @category constructors
 */
export function retryFailedTrialCallback(
  options: RetryFailedTrialOptions = {},
): FailedTrialCallback {
  const maxRetry = options?.maxRetry;
  const inherit = options?.inheritIntermediateValues ?? false;
  return (study, trial) =>
    fromAsync(
      gen(function* (_) {
        if (maxRetry !== undefined && (!Number.isSafeInteger(maxRetry) || maxRetry < 0)) {
          return yield* _(left(invalidArgument({
            field: "maxRetry",
            value: maxRetry,
            expected: "a non-negative integer or undefined",
          })));
        }
        const history = [...retryHistory(trial), trial.number];
        if (maxRetry !== undefined && history.length > maxRetry) return;
        const systemAttrs: Record<string, JsonValue> = {
          failed_trial: trial.number,
          ...trial.systemAttrs,
          retry_history: history,
        };
        yield* _(study.storage.createTrial(study.studyId, {
          state: "WAITING",
          params: trial.params,
          distributions: trial.distributions,
          userAttrs: trial.userAttrs,
          systemAttrs,
          ...(inherit ? { intermediateValues: trial.intermediateValues } : {}),
        }));
      }),
      (cause) => objectiveFailed(trial.number, cause),
    );
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The number of the original trial a retry re-runs (system attribute `failed_trial`), or
 * `undefined` when the trial is not a retry. Optuna's `retried_trial_number`.
 *
 * @category queries
 */
export function retriedTrialNumber(trial: FrozenTrial): number | undefined {
  const n = trial.systemAttrs["failed_trial"];
  return typeof n === "number" ? n : undefined;
}

/**
 * The numbers of the failed attempts a retry follows, oldest first (system attribute
 * `retry_history`); empty when the trial is not a retry. Optuna's `retry_history`.
 *
 * @category queries
 */
export function retryHistory(trial: FrozenTrial): ReadonlyArray<number> {
  const h = trial.systemAttrs["retry_history"];
  return Array.isArray(h) ? h.filter((n): n is number => typeof n === "number") : [];
}

/**
 * Checks the `heartbeat` option of `optimize`.
 *
 * @category queries
 */
export function checkHeartbeatOptions(
  options: HeartbeatOptions | undefined,
): Either<HyperionError, void> {
  if (options === undefined) return right(undefined);
  if (typeof options !== "object" || options === null) {
    return left(invalidArgument({ field: "heartbeat", value: options, expected: "an object" }));
  }
  return checkHeartbeatFields(options, {
    intervalMs: "heartbeat.intervalMs",
    gracePeriodMs: "heartbeat.gracePeriodMs",
    failedTrialCallback: "heartbeat.failedTrialCallback",
  });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Fails the study's RUNNING trials whose last heartbeat is older than the grace period
 * (`gracePeriodMs`, default twice `intervalMs`), then calls `failedTrialCallback` with each,
 * in number order. Returns the trials this call failed (another worker may have failed some
 * first; those are not returned). `optimize` runs it at the start of every trial when its
 * `heartbeat` option is set; call it yourself around `ask`/`tell`. Optuna's
 * `fail_stale_trials`.
 *
 * @category combinators
 */
export function failStaleTrials(
  study: Study,
  options: HeartbeatOptions,
): TaskEither<HyperionError, ReadonlyArray<FrozenTrial>> {
  return fromAsync(
    withStudy(study, () =>
      gen(function* (_) {
        yield* _(checkHeartbeatOptions(options));
        const gracePeriodMs = options.gracePeriodMs ?? 2 * options.intervalMs;
        const failed = yield* _(
          study.storage.failStaleTrials({ studyId: study.studyId, gracePeriodMs }),
        );
        const callback = options.failedTrialCallback;
        if (callback !== undefined) {
          for (const trial of failed) yield* _(runFailedTrialCallback(callback, study, trial));
        }
        return failed;
      })),
    (cause) => objectiveFailed(-1, cause),
  );
}

/** Runs the failed-trial callback on a copy of the trial; a throw fails with `ObjectiveFailed`. */
function runFailedTrialCallback(
  callback: FailedTrialCallback,
  study: Study,
  trial: FrozenTrial,
): TaskEither<HyperionError, void> {
  return fromAsync(
    () => callback(study, structuredClone(trial))(),
    (cause) =>
      objectiveFailed(
        trial.number,
        new Error(`the failed-trial callback failed: ${describeCause(cause)}`, { cause }),
      ),
  );
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Records a heartbeat for the trial now and then every `intervalMs` until stopped; a write
 * still in progress when the next tick comes is not doubled. Failed writes are ignored (the
 * next tick tries again; a trial whose heartbeats keep failing is eventually failed by another
 * worker, as Optuna's are).
 *
 * @category utils
 */
export function startHeartbeat(
  storage: Storage,
  trialId: number,
  intervalMs: number,
): HeartbeatTimer {
  let inFlight: Promise<unknown> | undefined;
  let stopped = false;
  const beat = (): void => {
    if (stopped || inFlight !== undefined) return;
    inFlight = storage.recordHeartbeat(trialId)().catch(() => undefined).finally(() => {
      inFlight = undefined;
    });
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
