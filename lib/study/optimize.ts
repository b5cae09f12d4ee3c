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
import { bracket, fromAsync, fromTask, gen, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, notSupported, show, storageError } from "../errors.ts";
import { bestTrial } from "../core/study.ts";
import { onInterrupt } from "./_signals.ts";
import { finishProgress } from "./_tty.ts";
import {
  canStart,
  checkArguments,
  interruptRun,
  type Run,
  runOne,
  seedBest,
  startRun,
  stopWithError,
} from "./_run.ts";
import type { Study } from "./study.ts";
import { useStudyLogger } from "./logging.ts";
import type { Objective } from "./objective.ts";
import type { OptimizeOptions, OptimizeSummary } from "./optimize_options.ts";

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

/** A run in progress and how to undo its setup (logger, signal listeners). */
interface Acquired {
  readonly run: Run;
  readonly restore: () => void;
}

/** Clears the stop flag, then installs the run's logger and, unless disabled, its signal handlers. */
function acquireRun(study: Study, options: OptimizeOptions): TaskEither<never, Acquired> {
  return fromTask(() => {
    study.runtime.stopRequested = false;
    study.runtime.optimizing = true;
    const run = startRun(study, options);
    const restoreLogger = useStudyLogger(study, run.logger);
    const release = options.handleSignals === false
      ? () => {}
      : onInterrupt((signal) => interruptRun(run, signal));
    return Promise.resolve({
      run,
      restore: () => {
        study.runtime.optimizing = false;
        release();
        restoreLogger();
        if (run.progress && !run.interrupted) finishProgress(run.progress);
      },
    });
  });
}

/** Runs `concurrency` workers until the run may not start another trial. */
function runWorkers(run: Run, objective: Objective): TaskEither<never, Run> {
  return fromTask(async () => {
    await seedBest(run);
    const worker = async (): Promise<void> => {
      while (canStart(run)) {
        run.started++;
        const done = await runOne(run, objective)();
        if (done._tag === "Left") stopWithError(run, done.left);
      }
    };
    await Promise.all(Array.from({ length: run.options.concurrency ?? 1 }, worker));
    return run;
  });
}

function summary(run: Run): OptimizeSummary {
  return {
    nTrials: run.finished.length,
    counts: run.counts,
    stoppedBy: run.stoppedBy ?? "nTrials",
    elapsedMs: Date.now() - run.start,
    bestTrial: bestTrial(run.finished, run.study.directions),
    failures: run.failures,
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
 * `handleSignals`. Calling `optimize` on a handle whose `optimize` is still running (from an
 * objective or a callback, or twice at once) fails with `NotSupported` ("nested optimization
 * is not supported", as Optuna); a handle from another `loadStudy` may run alongside.
 *
 * @category combinators
 */
export function optimize(
  study: Study,
  objective: Objective,
  options: OptimizeOptions = {},
): TaskEither<HyperionError, OptimizeSummary> {
  return fromAsync(
    gen(function* (_) {
      yield* _(checkArguments(study, objective, options));
      if (study.runtime.optimizing) {
        return yield* _(left(notSupported(
          "optimize",
          `nested optimization is not supported: optimize is already running on study ${
            show(study.studyName)
          } (call optimize from an objective or a callback, or twice at once on one handle; ` +
            "load the study again for a second concurrent run)",
        )));
      }
      const run = yield* _(bracket(
        acquireRun(study, options),
        ({ run }) => runWorkers(run, objective),
        ({ restore }) => fromTask(() => Promise.resolve(restore())),
      ));
      return yield* _(run.error ? left(run.error) : right(summary(run)));
    }),
    (cause) => storageError("run optimize", cause),
  );
}
