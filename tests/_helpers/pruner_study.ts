/**
 * Running a small real study with a pruner, through `report` and `shouldPrune`, for the pruner
 * tests' end-to-end checks.
 */
import {
  createStudy,
  fromAsync,
  type FrozenTrial,
  getTrials,
  left,
  optimize,
  report,
  right,
  runOrThrow,
  shouldPrune,
  suggestFloat,
  trialPruned,
} from "../../mod.ts";

/** How {@link prunedStudyTrials} runs each trial. */
export interface PrunedStudyRun {
  /** Reports per trial (steps `0 .. steps - 1`) unless pruned earlier. */
  readonly steps: number;
  /** Trials to run. */
  readonly nTrials: number;
  /** Return the last reported value instead of `x²` from a trial that runs to the end. */
  readonly returnLastReport?: boolean;
}

/**
 * Creates a study from `study`, runs `nTrials` trials that suggest `x` in `[-5, 5]` and report
 * `x² + 1 / (step + 1)` at each step, returning `trialPruned()` as soon as `shouldPrune` says
 * so, and returns the study's trials.
 */
export async function prunedStudyTrials(
  study: Parameters<typeof createStudy>[0],
  run: PrunedStudyRun,
): Promise<ReadonlyArray<FrozenTrial>> {
  const created = await runOrThrow(createStudy(study));
  await runOrThrow(optimize(created, (trial) =>
    fromAsync(async () => {
      const x = await runOrThrow(suggestFloat(trial, "x", -5, 5));
      let v = 0;
      for (let step = 0; step < run.steps; step++) {
        v = x * x + 1 / (step + 1);
        await runOrThrow(report(trial, v, step));
        if (await runOrThrow(shouldPrune(trial))) return left(trialPruned());
      }
      return right(run.returnLastReport ? v : x * x);
    }, (e) => e), { nTrials: run.nTrials }));
  return await runOrThrow(getTrials(created));
}
