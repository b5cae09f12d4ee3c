/**
 * `optimize`: run an objective over many trials, with a trial budget, a timeout, concurrency
 * for async objectives, caught error tags, callbacks that may stop the run, an abort signal,
 * a progress bar, log lines like Optuna's and a clean exit on Ctrl-C.
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
 * @example Optuna's habit: an async function returning a number
 * ```ts
 * import { createStudy, optimize, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * const summary = await runOrThrow(optimize(study, async (trial) => {
 *   const x = await runOrThrow(suggestFloat(trial, "x", -5, 5));
 *   return x * x;
 * }, { nTrials: 5 }));
 * assert.equal(summary.counts.COMPLETE, 5);
 * ```
 *
 * @module
 */
import { type Either, fromAsync, left, right, type TaskEither } from "../effect/mod.ts";
import {
  describeCause,
  type HyperionError,
  invalidArgument,
  objectiveFailed,
  storageError,
  tagOf,
} from "../errors.ts";
import { bestTrial } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { studyLive } from "../_internal/live.ts";
import { checkObjectiveValues } from "../_internal/objective_values.ts";
import {
  aroundProgress,
  createProgress,
  finishProgress,
  type Progress,
  stderrSink,
  updateProgress,
} from "../_internal/tty.ts";
import { type InterruptSignal, onInterrupt } from "../_internal/signals.ts";
import { ask, tell, type Trial } from "./live_trial.ts";
import type { Study } from "./study.ts";
import {
  checkHeartbeatOptions,
  failStaleTrials,
  type HeartbeatOptions,
  type HeartbeatTimer,
  startHeartbeat,
} from "./heartbeat.ts";
import {
  checkLogger,
  defaultLogger,
  formatParams,
  isEnabled,
  log,
  type Logger,
  useStudyLogger,
} from "./logging.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What an objective's result resolves to: one number, or one per objective.
 *
 * @category model
 */
export type ObjectiveValue = number | ReadonlyArray<number>;

/**
 * What an objective may return, all treated alike by {@link optimize}: a `TaskEither` (the house
 * style), a `Promise` of values or of an `Either` (an `async` function, Optuna's habit), an
 * `Either`, or the values themselves. A `Left` holding `trialPruned()` (or a thrown or rejected
 * `TrialPruned`) prunes the trial; any other `Left`, throw or rejection fails it.
 *
 * @category model
 */
export type ObjectiveResult =
  | TaskEither<unknown, ObjectiveValue>
  | Promise<ObjectiveValue | Either<unknown, ObjectiveValue>>
  | Either<unknown, ObjectiveValue>
  | ObjectiveValue;

/**
 * An objective: given a trial, its values (see {@link ObjectiveResult} for the accepted forms).
 *
 * @category model
 */
export type Objective = (trial: Trial) => ObjectiveResult;

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

/**
 * How an objective ended, once its result is settled (see {@link settleObjective}).
 *
 * @category model
 */
export type ObjectiveOutcome =
  | { readonly kind: "values"; readonly raw: unknown }
  | { readonly kind: "pruned"; readonly message: string }
  | { readonly kind: "failed"; readonly cause: unknown };

// -------------------------------------------------------------------------------------
// internals: options
// -------------------------------------------------------------------------------------

function checkNumbers(options: OptimizeOptions): Either<HyperionError, void> {
  const { nTrials, timeoutMs, concurrency } = options;
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
  return right(undefined);
}

function checkOthers(options: OptimizeOptions): Either<HyperionError, void> {
  const { callbacks, signal, progress, handleSignals, logger } = options;
  const bad = (field: string, value: unknown, expected: string) =>
    left(invalidArgument({ field, value, expected }));
  if (
    options.catch !== undefined &&
    (!Array.isArray(options.catch) || options.catch.some((t) => typeof t !== "string"))
  ) {
    return bad("catch", options.catch, "an array of error tags");
  }
  if (
    callbacks !== undefined &&
    (!Array.isArray(callbacks) || callbacks.some((c) => typeof c !== "function"))
  ) {
    return bad("callbacks", callbacks, "an array of functions");
  }
  if (
    signal !== undefined &&
    (typeof signal !== "object" || signal === null || typeof signal.aborted !== "boolean")
  ) {
    return bad("signal", signal, "an AbortSignal");
  }
  if (
    progress !== undefined && typeof progress !== "boolean" &&
    (typeof progress !== "object" || progress === null || typeof progress.write !== "function")
  ) {
    return bad("progress", progress, "a boolean or a writer { isTerminal, write }");
  }
  if (handleSignals !== undefined && typeof handleSignals !== "boolean") {
    return bad("handleSignals", handleSignals, "a boolean");
  }
  if (logger !== undefined) {
    const checked = checkLogger(logger, "logger");
    if (checked._tag === "Left") return checked;
  }
  return checkHeartbeatOptions(options.heartbeat);
}

function checkArguments(
  study: Study,
  objective: Objective,
  options: OptimizeOptions,
): Either<HyperionError, void> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return left(invalidArgument({ field: "options", value: options, expected: "an object" }));
  }
  const numbers = checkNumbers(options);
  if (numbers._tag === "Left") return numbers;
  const others = checkOthers(options);
  if (others._tag === "Left") return others;
  if (typeof objective !== "function") {
    return left(invalidArgument({ field: "objective", value: objective, expected: "a function" }));
  }
  try {
    studyLive(study);
  } catch {
    return left(invalidArgument({
      field: "study",
      value: study,
      expected: "a study handle returned by createStudy or loadStudy",
    }));
  }
  return right(undefined);
}

// -------------------------------------------------------------------------------------
// internals: objectives
// -------------------------------------------------------------------------------------

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === "object" || typeof v === "function") && v !== null &&
  typeof (v as { then?: unknown }).then === "function";

const isEither = (v: unknown): v is Either<unknown, unknown> =>
  typeof v === "object" && v !== null &&
  (((v as { _tag?: unknown })._tag === "Left" && "left" in v) ||
    ((v as { _tag?: unknown })._tag === "Right" && "right" in v));

function fromCause(cause: unknown): ObjectiveOutcome {
  if (tagOf(cause) !== "TrialPruned") return { kind: "failed", cause };
  const message = typeof cause === "object" && cause !== null && "message" in cause
    ? String((cause as { message: unknown }).message)
    : "";
  return { kind: "pruned", message };
}

/**
 * Runs an objective on a trial and settles whatever form its result takes (see
 * {@link ObjectiveResult}): calls a returned `TaskEither`, awaits a promise (also a promise of a
 * `TaskEither`), unwraps an `Either`; a throw or rejection anywhere becomes a failure (or a
 * prune for `TrialPruned`). Never rejects, and leaves nothing running: it resolves only once
 * the objective's work has settled.
 *
 * @category utils
 */
export async function settleObjective(
  objective: (trial: Trial) => unknown,
  trial: Trial,
): Promise<ObjectiveOutcome> {
  try {
    let result: unknown = objective(trial);
    for (let depth = 0; typeof result === "function" || isThenable(result); depth++) {
      if (depth === 4) {
        if (isThenable(result)) await Promise.resolve(result).catch(() => undefined);
        return {
          kind: "failed",
          cause: new TypeError("the objective returned effects nested more than 4 deep"),
        };
      }
      result = typeof result === "function" ? (result as () => unknown)() : await result;
    }
    if (isEither(result)) {
      return result._tag === "Right"
        ? { kind: "values", raw: result.right }
        : fromCause(result.left);
    }
    return { kind: "values", raw: result };
  } catch (cause) {
    return fromCause(cause);
  }
}

// -------------------------------------------------------------------------------------
// internals: the run
// -------------------------------------------------------------------------------------

/** The mutable state of one `optimize` call. */
interface Run {
  readonly study: Study;
  readonly options: OptimizeOptions;
  readonly logger: Logger;
  readonly progress: Progress | undefined;
  readonly start: number;
  readonly caught: ReadonlySet<string>;
  readonly counts: { COMPLETE: number; PRUNED: number; FAIL: number };
  readonly finished: FrozenTrial[];
  readonly failures: string[];
  /** Trials asked and not yet told by this run. */
  readonly inFlight: Set<Trial>;
  /** Asks in progress (each adds its trial to `inFlight` before settling). */
  readonly asking: Set<Promise<unknown>>;
  /** The best trial known (for the log lines). */
  best: FrozenTrial | undefined;
  started: number;
  stoppedBy: StopReason | undefined;
  error: HyperionError | undefined;
  finishedByCallback: boolean;
  interrupted: InterruptSignal | undefined;
}

function canStart(run: Run): boolean {
  const { options } = run;
  const live = studyLive(run.study);
  if (run.stoppedBy) return false;
  if (run.interrupted || options.signal?.aborted) run.stoppedBy = "signal";
  else if (live.stopRequested) run.stoppedBy = run.finishedByCallback ? "callback" : "sampler";
  else if (options.nTrials !== undefined && run.started >= options.nTrials) {
    run.stoppedBy = "nTrials";
  } else if (options.timeoutMs !== undefined && Date.now() - run.start >= options.timeoutMs) {
    run.stoppedBy = "timeout";
  }
  return run.stoppedBy === undefined;
}

function stopWithError(run: Run, error: HyperionError): void {
  run.error ??= error;
  run.stoppedBy = "error";
}

function progressTexts(run: Run): { bar: string; plain: string } {
  const done = run.finished.length;
  const total = run.options.nTrials;
  const best = bestTrial(run.finished, run.study.directions);
  const width = 30;
  const filled = total ? Math.round((done / Math.max(total, 1)) * width) : done % (width + 1);
  const count = total ? `${done}/${total}` : `${done}`;
  const bestText = best?.values ? `, best ${best.values[0]} (trial ${best.number})` : "";
  const time = `${((Date.now() - run.start) / 1000).toFixed(1)}s`;
  const head = total ? `[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${count}` : count;
  return {
    bar: `${head}${total ? "" : " trials"}${bestText}, ${time}`,
    plain: `${count} trials finished${bestText}, ${time}`,
  };
}

function logFinished(run: Run, frozen: FrozenTrial, failure: string | undefined): void {
  const { logger } = run;
  const params = formatParams(frozen.params);
  if (frozen.state === "FAIL") {
    log(logger, "warning", failure ?? `Trial ${frozen.number} failed with parameters: ${params}.`);
    return;
  }
  if (frozen.state === "PRUNED") {
    log(logger, "info", `Trial ${frozen.number} pruned. ${failure ?? ""}`.trimEnd());
    return;
  }
  const values = frozen.values ?? [];
  if (values.length > 1) {
    log(
      logger,
      "info",
      `Trial ${frozen.number} finished with values: [${
        values.join(", ")
      }] and parameters: ${params}.`,
    );
    return;
  }
  run.best = bestTrial(run.best ? [run.best, frozen] : [frozen], run.study.directions);
  const best = run.best ?? frozen;
  log(
    logger,
    "info",
    `Trial ${frozen.number} finished with value: ${values[0]} and parameters: ${params}. ` +
      `Best is trial ${best.number} with value: ${best.values?.[0]}.`,
  );
}

/** Fails a trial with a reason stored as its system attribute `fail_reason`. */
async function failTrial(
  study: Study,
  trial: Trial,
  reason: string,
): Promise<Either<HyperionError, FrozenTrial>> {
  await study.storage.setTrialAttr({
    id: trial.trialId,
    kind: "system",
    key: "fail_reason",
    value: reason,
  })();
  return await tell(study, trial, { state: "FAIL" })();
}

interface Told {
  readonly told: Either<HyperionError, FrozenTrial>;
  readonly message: string | undefined;
  readonly stopWith: HyperionError | undefined;
}

async function record(run: Run, trial: Trial, outcome: ObjectiveOutcome): Promise<Told> {
  const { study } = run;
  if (outcome.kind === "pruned") {
    const told = await tell(study, trial, { state: "PRUNED" })();
    return { told, message: outcome.message || undefined, stopWith: undefined };
  }
  if (outcome.kind === "values") {
    const valid = checkObjectiveValues(outcome.raw, study.directions.length, trial.number);
    if (valid._tag === "Right") {
      return {
        told: await tell(study, trial, { values: valid.right })(),
        message: undefined,
        stopWith: undefined,
      };
    }
    run.failures.push(valid.left);
    return {
      told: await failTrial(study, trial, valid.left),
      message: valid.left,
      stopWith: undefined,
    };
  }
  const failure = objectiveFailed(trial.number, outcome.cause);
  const told = await failTrial(study, trial, describeCause(outcome.cause));
  const params = told._tag === "Right" ? formatParams(told.right.params) : "{}";
  const message = `Trial ${trial.number} failed with parameters: ${params} because of the ` +
    `following error: ${describeCause(outcome.cause)}.`;
  const tag = tagOf(outcome.cause);
  if (tag !== undefined && run.caught.has(tag)) {
    run.failures.push(failure.message);
    return { told, message, stopWith: undefined };
  }
  return { told, message, stopWith: failure };
}

async function runCallbacks(run: Run, frozen: FrozenTrial): Promise<void> {
  for (const callback of run.options.callbacks ?? []) {
    try {
      if ((await callback(run.study, frozen)) === "stop") {
        run.finishedByCallback = true;
        studyLive(run.study).stopRequested = true;
      }
    } catch (cause) {
      stopWithError(
        run,
        objectiveFailed(
          frozen.number,
          new Error(`a callback failed: ${describeCause(cause)}`, { cause }),
        ),
      );
      return;
    }
  }
}

async function askTrial(run: Run): Promise<Either<HyperionError, Trial>> {
  const asking = ask(run.study)().then((asked) => {
    if (asked._tag === "Right") run.inFlight.add(asked.right);
    return asked;
  });
  run.asking.add(asking);
  try {
    return await asking;
  } finally {
    run.asking.delete(asking);
  }
}

async function runOne(run: Run, objective: Objective): Promise<void> {
  const { study } = run;
  const heartbeat = run.options.heartbeat ?? study.storage.heartbeat;
  if (heartbeat !== undefined) {
    const stale = await failStaleTrials(study, heartbeat)();
    if (stale._tag === "Left") return stopWithError(run, stale.left);
  }
  if (run.interrupted) return;
  const asked = await askTrial(run);
  if (asked._tag === "Left") return stopWithError(run, asked.left);
  const trial = asked.right;
  if (run.interrupted) return; // the interrupt handler fails it
  const beating: HeartbeatTimer | undefined = heartbeat === undefined
    ? undefined
    : startHeartbeat(study.storage, trial.trialId, heartbeat.intervalMs);
  let outcome: ObjectiveOutcome;
  try {
    outcome = await settleObjective(objective, trial);
  } finally {
    await beating?.stop();
  }
  if (run.interrupted) return;
  const { told, message, stopWith } = await record(run, trial, outcome);
  run.inFlight.delete(trial);
  if (told._tag === "Left") return stopWithError(run, told.left);
  const frozen = told.right;
  run.counts[frozen.state as "COMPLETE" | "PRUNED" | "FAIL"] += 1;
  run.finished.push(frozen);
  logFinished(run, frozen, message);
  if (stopWith) return stopWithError(run, stopWith);
  await runCallbacks(run, frozen);
  if (run.progress) {
    const texts = progressTexts(run);
    updateProgress(run.progress, run.finished.length, texts.bar, texts.plain, Date.now());
  }
}

/** On SIGINT/SIGTERM: stop asking, fail the trials in flight, close the storage. */
async function interruptRun(run: Run, signal: InterruptSignal): Promise<void> {
  run.interrupted = signal;
  await Promise.allSettled([...run.asking]);
  const reason = `Interrupted by ${signal}`;
  await Promise.allSettled([...run.inFlight].map(async (trial) => {
    const failed = await failTrial(run.study, trial, reason);
    if (failed._tag === "Right") {
      log(
        run.logger,
        "warning",
        `Trial ${trial.number} failed with parameters: ${
          formatParams(failed.right.params)
        } because of the following error: ${reason}.`,
      );
    }
  }));
  if (run.progress) finishProgress(run.progress);
  await closeStorage(run.study);
}

async function closeStorage(study: Study): Promise<void> {
  try {
    await study.storage.close()();
  } catch {
    // exiting anyway
  }
}

async function seedBest(run: Run): Promise<void> {
  if (!isEnabled(run.logger, "info") || run.study.directions.length > 1) return;
  const trials = await run.study.storage.getAllTrials(run.study.studyId, {
    states: ["COMPLETE"],
  })();
  if (trials._tag === "Right") run.best = bestTrial(trials.right, run.study.directions);
}

function runLogger(logger: Logger, progress: Progress | undefined): Logger {
  if (!progress?.sink.isTerminal) return logger;
  return {
    level: logger.level,
    write: (entry) => aroundProgress(progress, () => logger.write(entry)),
  };
}

function startRun(study: Study, options: OptimizeOptions): Run {
  const writer = options.progress === true ? stderrSink() : options.progress || undefined;
  const start = Date.now();
  const progress = writer ? createProgress(writer, options.nTrials, start) : undefined;
  return {
    study,
    options,
    logger: runLogger(options.logger ?? defaultLogger(), progress),
    progress,
    start,
    caught: new Set(options.catch ?? []),
    counts: { COMPLETE: 0, PRUNED: 0, FAIL: 0 },
    finished: [],
    failures: [],
    inFlight: new Set(),
    asking: new Set(),
    best: undefined,
    started: 0,
    stoppedBy: undefined,
    error: undefined,
    finishedByCallback: false,
    interrupted: undefined,
  };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Runs `objective` over trials of the study. Each trial ends COMPLETE (valid values), PRUNED
 * (`Left(trialPruned())` or a thrown `TrialPruned`, keeping the last intermediate value) or FAIL
 * (another `Left`, a throw or rejection, NaN, a wrong number of values, a non-number — with a
 * message naming the trial and the value, stored as the system attribute `fail_reason` and
 * logged as a WARNING). A failure whose tag is not in `catch` stops the run with
 * `ObjectiveFailed` after the trial is stored.
 *
 * The objective may return any {@link ObjectiveResult}: a `TaskEither`, a promise (an `async`
 * function), an `Either` or plain values. `optimize` resolves only once every objective it
 * started has settled: a timeout, a callback's `"stop"`, `stopOptimize`, the `signal` option or
 * an uncaught failure stop new trials from starting and wait for the running ones, which are
 * then recorded. Nothing is left RUNNING by this call, whatever happens; on SIGINT/SIGTERM see
 * `handleSignals`.
 *
 * @category combinators
 */
export function optimize(
  study: Study,
  objective: Objective,
  options: OptimizeOptions = {},
): TaskEither<HyperionError, OptimizeSummary> {
  return fromAsync(async () => {
    const checked = checkArguments(study, objective, options);
    if (checked._tag === "Left") return checked;
    studyLive(study).stopRequested = false;
    const run = startRun(study, options);
    const restoreLogger = useStudyLogger(study, run.logger);
    const release = options.handleSignals === false
      ? () => {}
      : onInterrupt((signal) => interruptRun(run, signal));
    try {
      await seedBest(run);
      const worker = async (): Promise<void> => {
        while (canStart(run)) {
          run.started++;
          await runOne(run, objective);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
    } finally {
      release();
      restoreLogger();
      if (run.progress && !run.interrupted) finishProgress(run.progress);
    }
    if (run.error) return left(run.error);
    return right({
      nTrials: run.finished.length,
      counts: run.counts,
      stoppedBy: run.stoppedBy ?? "nTrials",
      elapsedMs: Date.now() - run.start,
      bestTrial: bestTrial(run.finished, study.directions),
      failures: run.failures,
    });
  }, (cause) => storageError("run optimize", cause));
}
