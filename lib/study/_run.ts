/**
 * The machinery of one `optimize` call: its checks, its mutable {@link Run} record, one trial
 * ({@link runOne}), the log lines and the progress display, and the interrupt handler.
 * Private to `optimize.ts`.
 *
 * @module
 */
import { type Either, genEither, left, right, type TaskEither } from "../effect/mod.ts";
import {
  describeCause,
  type HyperionError,
  invalidArgument,
  objectiveFailed,
  tagOf,
} from "../errors.ts";
import { bestTrial } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { checkStudyHandle } from "./_live.ts";
import { checkObjectiveValues } from "./_objective_values.ts";
import {
  aroundProgress,
  createProgress,
  finishProgress,
  type Progress,
  stderrSink,
  updateProgress,
} from "./_tty.ts";
import type { InterruptSignal } from "./_signals.ts";
import { ask } from "./ask.ts";
import { tell } from "./tell.ts";
import type { Trial } from "./trial.ts";
import type { Study } from "./study.ts";
import {
  checkHeartbeatOptions,
  failStaleTrials,
  type HeartbeatOptions,
  startHeartbeat,
} from "./heartbeat.ts";
import {
  checkLogger,
  defaultLogger,
  formatParams,
  isEnabled,
  log,
  type Logger,
} from "./logging.ts";
import { type Objective, type ObjectiveOutcome, settleObjective } from "./objective.ts";
import type { OptimizeOptions, StopReason } from "./optimize_options.ts";

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
  return genEither(function* (_) {
    if (logger !== undefined) yield* _(checkLogger(logger, "logger"));
    return yield* _(checkHeartbeatOptions(options.heartbeat));
  });
}

/** The arguments of `optimize`, checked in order; `InvalidArgument` naming the field. */
export function checkArguments(
  study: Study,
  objective: Objective,
  options: OptimizeOptions,
): Either<HyperionError, void> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return left(invalidArgument({ field: "options", value: options, expected: "an object" }));
  }
  return genEither(function* (_) {
    yield* _(checkNumbers(options));
    yield* _(checkOthers(options));
    if (typeof objective !== "function") {
      yield* _(
        left(invalidArgument({ field: "objective", value: objective, expected: "a function" })),
      );
    }
    yield* _(checkStudyHandle(study));
  });
}

// -------------------------------------------------------------------------------------
// internals: the run
// -------------------------------------------------------------------------------------

/** The mutable state of one `optimize` call. */
export interface Run {
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

export function canStart(run: Run): boolean {
  const { options } = run;
  const runtime = run.study.runtime;
  if (run.stoppedBy) return false;
  if (run.interrupted || options.signal?.aborted) run.stoppedBy = "signal";
  else if (runtime.stopRequested) run.stoppedBy = run.finishedByCallback ? "callback" : "sampler";
  else if (options.nTrials !== undefined && run.started >= options.nTrials) {
    run.stoppedBy = "nTrials";
  } else if (options.timeoutMs !== undefined && Date.now() - run.start >= options.timeoutMs) {
    run.stoppedBy = "timeout";
  }
  return run.stoppedBy === undefined;
}

export function stopWithError(run: Run, error: HyperionError): void {
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
  // the parameters are formatted only when the line is written (once per trial otherwise)
  if (!isEnabled(logger, frozen.state === "FAIL" ? "warning" : "info")) {
    if (frozen.state === "COMPLETE" && (frozen.values ?? []).length <= 1) {
      run.best = bestTrial(run.best ? [run.best, frozen] : [frozen], run.study.directions);
    }
    return;
  }
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

/** Runs the callbacks in order; a throwing callback fails the run with `ObjectiveFailed`. */
function runCallbacks(run: Run, frozen: FrozenTrial): TaskEither<HyperionError, void> {
  return async () => {
    for (const callback of run.options.callbacks ?? []) {
      try {
        if ((await callback(run.study, frozen)) === "stop") {
          run.finishedByCallback = true;
          run.study.runtime.stopRequested = true;
        }
      } catch (cause) {
        return left(objectiveFailed(
          frozen.number,
          new Error(`a callback failed: ${describeCause(cause)}`, { cause }),
        ));
      }
    }
    return right(undefined);
  };
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

/** Runs the objective on the trial, recording heartbeats meanwhile when configured. */
async function settleWithHeartbeat(
  run: Run,
  trial: Trial,
  objective: Objective,
  heartbeat: HeartbeatOptions | undefined,
): Promise<ObjectiveOutcome> {
  if (heartbeat === undefined) return await settleObjective(objective, trial);
  const beating = startHeartbeat(run.study.storage, trial.trialId, heartbeat.intervalMs);
  try {
    return await settleObjective(objective, trial);
  } finally {
    await beating.stop();
  }
}

/** Counts, keeps and logs a finished trial. */
function finish(run: Run, frozen: FrozenTrial, message: string | undefined): void {
  run.counts[frozen.state as "COMPLETE" | "PRUNED" | "FAIL"] += 1;
  run.finished.push(frozen);
  logFinished(run, frozen, message);
}

/**
 * One trial of the run: fail stale trials, ask, run the objective, tell, log, run the
 * callbacks, update the progress display. A `Left` stops the run with that error.
 */
export function runOne(run: Run, objective: Objective): TaskEither<HyperionError, void> {
  return () => runOneNow(run, objective);
}

async function runOneNow(run: Run, objective: Objective): Promise<Either<HyperionError, void>> {
  const { study } = run;
  const heartbeat = run.options.heartbeat ?? study.storage.heartbeat;
  if (heartbeat !== undefined) {
    const failed = await failStaleTrials(study, heartbeat)();
    if (failed._tag === "Left") return failed;
  }
  if (run.interrupted) return DONE;
  const asked = await askTrial(run);
  if (asked._tag === "Left") return asked;
  const trial = asked.right;
  if (run.interrupted) return DONE; // the interrupt handler fails it
  const outcome = await settleWithHeartbeat(run, trial, objective, heartbeat);
  if (run.interrupted) return DONE;
  const { told, message, stopWith } = await record(run, trial, outcome);
  run.inFlight.delete(trial);
  if (told._tag === "Left") return told;
  finish(run, told.right, message);
  if (stopWith) return left(stopWith);
  const called = await runCallbacks(run, told.right)();
  if (called._tag === "Left") return called;
  if (run.progress) {
    const texts = progressTexts(run);
    updateProgress(run.progress, run.finished.length, texts.bar, texts.plain, Date.now());
  }
  return DONE;
}

const DONE: Either<never, void> = Object.freeze(right(undefined));

/** On SIGINT/SIGTERM: stop asking, fail the trials in flight, close the storage. */
export async function interruptRun(run: Run, signal: InterruptSignal): Promise<void> {
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

export async function seedBest(run: Run): Promise<void> {
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

export function startRun(study: Study, options: OptimizeOptions): Run {
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
