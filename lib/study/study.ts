/**
 * Studies: create, load, delete and copy them, list summaries, read trials and the best
 * trial, enqueue trials with fixed parameters.
 *
 * A {@link Study} is a handle: its record fields (id, name, directions) plus the storage,
 * sampler and pruner it runs with. The built-in samplers derive every draw of trial `n` from
 * (seed, `n`, parameter name), so their record does not change as trials are sampled; a custom
 * sampler kind may still evolve its state: read the current one with {@link studySampler}.
 *
 * @example Create a study, run it, read the best trial
 * ```ts
 * import { createStudy, getBestTrial, map, optimize, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ studyName: "quadratic", direction: "minimize" }));
 * await runOrThrow(optimize(study, (trial) =>
 *   map(suggestFloat(trial, "x", -10, 10), (x) => (x - 2) ** 2), { nTrials: 30 }));
 * const best = await runOrThrow(getBestTrial(study));
 * assert.ok((best.values?.[0] ?? Infinity) < 10);
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
  map,
  orElse,
  type TaskEither,
} from "../effect/mod.ts";
import {
  describeCause,
  type HyperionError,
  invalidStudyArgs,
  noCompletedTrials,
  notSupported,
  show,
} from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import {
  bestTrial,
  type Direction,
  isFeasible,
  paretoFront,
  type StudyRecord,
} from "../core/study.ts";
import type { FrozenTrial, TrialState } from "../core/trial.ts";
import { checkAttr, checkDirections, checkStudyName, checkTrialQuery } from "../storage/rules.ts";
import type { Storage } from "../storage/storage.ts";
import { memoryStorage } from "../storage/memory.ts";
import type { Sampler, SamplerKinds } from "../samplers/sampler.ts";
import { checkSamplerKinds } from "../samplers/catalog.ts";
import { autoSampler } from "../samplers/auto/mod.ts";
import type { Pruner } from "../pruners/pruner.ts";
import { medianPruner } from "../pruners/percentile.ts";
import {
  checkStudyHandle,
  type StudyRuntime,
  studyRuntime,
  withStudy,
  workspaceFor,
} from "./_live.ts";
import { checkPruner, checkSampler, checkStorage } from "./_checks.ts";
import type { ConstraintsFunc, LoadStudyArgs, StudyArgs } from "./study_args.ts";

export type { StudyRuntime, TrialLive } from "./_live.ts";
export type { ConstraintsFunc, LoadStudyArgs, StudyArgs } from "./study_args.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A study handle: the study's identity plus the storage, sampler and pruner it runs with, and
 * its mutable {@link StudyRuntime}. Copies of a handle (`{ ...study }`) share the runtime.
 *
 * @category model
 */
export interface Study {
  /** Storage-assigned id. */
  readonly studyId: number;
  /** Unique name within the storage. */
  readonly studyName: string;
  /** One direction per objective. */
  readonly directions: ReadonlyArray<Direction>;
  /** Where trials are stored. */
  readonly storage: Storage;
  /** The pruner `shouldPrune` consults. */
  readonly pruner: Pruner;
  /**
   * The handle's mutable part: the current sampler, the stop flag, the logger of the run it is
   * in and its trial handles' live state. A record built by hand without it is refused by every
   * study function with `InvalidArgument`.
   */
  readonly runtime: StudyRuntime;
  /** The constraints function of `createStudy`/`loadStudy`, when given (see `ConstraintsFunc`). */
  readonly constraintsFunc?: ConstraintsFunc;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

interface Parts {
  readonly storage: Storage;
  readonly sampler: Sampler;
  readonly samplerKinds: SamplerKinds;
  readonly pruner: Pruner;
  readonly constraintsFunc: ConstraintsFunc | undefined;
}

function handle(record: StudyRecord, parts: Parts): Study {
  const { storage, sampler, samplerKinds, pruner, constraintsFunc } = parts;
  return {
    studyId: record.studyId,
    studyName: record.studyName,
    directions: record.directions,
    storage,
    pruner,
    runtime: studyRuntime(sampler, samplerKinds),
    ...(constraintsFunc === undefined ? {} : { constraintsFunc }),
  };
}

/** The storage, sampler and pruner of a new handle, checked in this order, with defaults. */
function checkParts(
  args: {
    readonly storage?: Storage;
    readonly sampler?: Sampler;
    readonly samplerKinds?: SamplerKinds;
    readonly pruner?: Pruner;
    readonly constraintsFunc?: ConstraintsFunc;
  },
  defaultStorage: () => unknown,
): Either<HyperionError, Parts> {
  return genEither(function* (_) {
    const storage = yield* _(checkStorage(
      args.storage === undefined ? defaultStorage() : args.storage,
    ));
    const samplerKinds = yield* _(checkSamplerKinds(args.samplerKinds));
    const sampler = yield* _(
      checkSampler(args.sampler === undefined ? autoSampler() : args.sampler, samplerKinds),
    );
    const pruner = yield* _(checkPruner(args.pruner === undefined ? medianPruner() : args.pruner));
    const constraintsFunc = args.constraintsFunc;
    if (constraintsFunc !== undefined && typeof constraintsFunc !== "function") {
      return yield* _(left(invalidStudyArgs(
        "constraintsFunc",
        `Invalid 'constraintsFunc': expected a function of a trial, got ${show(constraintsFunc)}`,
      )));
    }
    return { storage, sampler, samplerKinds, pruner, constraintsFunc };
  });
}

function checkCreateArgs(args: StudyArgs): Either<HyperionError, ReadonlyArray<Direction>> {
  if (typeof args !== "object" || args === null) {
    return left(invalidStudyArgs("args", `Invalid study arguments: got ${show(args)}`));
  }
  if (args.loadIfExists !== undefined && typeof args.loadIfExists !== "boolean") {
    return left(invalidStudyArgs(
      "loadIfExists",
      `Invalid 'loadIfExists': expected a boolean, got ${show(args.loadIfExists)}`,
    ));
  }
  if (args.direction !== undefined && args.directions !== undefined) {
    return left(invalidStudyArgs(
      "direction",
      `Cannot create the study as both 'direction' and 'directions' are given: current values ${
        show(args.direction)
      } and ${show(args.directions)}`,
    ));
  }
  return checkDirections(
    args.directions !== undefined
      ? args.directions
      : [args.direction === undefined ? "minimize" : args.direction],
  );
}

/**
 * Creates a study (or loads it, with `loadIfExists`). Fails with `DuplicatedStudy` when the name
 * is taken and `loadIfExists` is false, and with `InvalidStudyArgs` naming the field for bad
 * arguments (both `direction` and `directions`, empty or unknown directions, a sampler of an
 * unknown kind, …).
 *
 * @example Multi-objective study
 * ```ts
 * import { createStudy, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ directions: ["minimize", "maximize"] }));
 * assert.deepEqual(study.directions, ["minimize", "maximize"]);
 * ```
 *
 * @category constructors
 */
export function createStudy(args: StudyArgs = {}): TaskEither<HyperionError, Study> {
  return fromAsync(
    gen(function* (_) {
      const directions = yield* _(checkCreateArgs(args));
      const parts = yield* _(checkParts(args, memoryStorage));
      const { storage } = parts;
      const studyName = yield* _(checkStudyName(
        args.studyName === undefined ? `no-name-${globalThis.crypto.randomUUID()}` : args.studyName,
      ));
      const record = yield* _(orElse(
        storage.createStudy({ studyName, directions }),
        (e) =>
          e._tag === "DuplicatedStudy" && args.loadIfExists === true
            ? storage.getStudy(studyName)
            : () => Promise.resolve(left(e)),
      ));
      return handle(record, parts);
    }),
    (e) => invalidStudyArgs("args", `Cannot create the study: ${show(String(e))}`),
  );
}

/**
 * Loads an existing study; `StudyNotFound` when there is none with that name.
 *
 * @category constructors
 */
export function loadStudy(args: LoadStudyArgs): TaskEither<HyperionError, Study> {
  return fromAsync(
    gen(function* (_) {
      if (typeof args !== "object" || args === null) {
        return yield* _(left(invalidStudyArgs(
          "args",
          `Invalid study arguments: expected { storage, studyName }, got ${show(args)}`,
        )));
      }
      const parts = yield* _(checkParts(args, () => args.storage));
      const { storage } = parts;
      const name = args.studyName === undefined
        ? yield* _(theOnlyStudyName(storage))
        : yield* _(checkStudyName(args.studyName));
      const record = yield* _(storage.getStudy(name));
      return handle(record, parts);
    }),
    (e) => invalidStudyArgs("args", `Cannot load the study: ${String(e)}`),
  );
}

function theOnlyStudyName(storage: Storage): TaskEither<HyperionError, string> {
  return gen(function* (_) {
    const all = yield* _(storage.listStudies());
    if (all.length !== 1) {
      return yield* _(left(invalidStudyArgs(
        "studyName",
        `Cannot determine the study name as the storage holds ${all.length} studies: pass 'studyName'`,
      )));
    }
    return (all[0] as { studyName: string }).studyName;
  });
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The sampler as it is now: a JSON value to checkpoint with `JSON.stringify`. The built-in
 * samplers' records never change (their draws derive from the seed and the trial number); a
 * custom sampler kind's state is as its last hook left it. Reads `study.runtime.sampler`.
 *
 * @category queries
 */
export function studySampler(study: Study): Sampler {
  return study.runtime.sampler;
}

/**
 * The study's trials ordered by number, optionally only those in `states`.
 *
 * @category queries
 */
export function getTrials(
  study: Study,
  options: {
    /**
     * Only trials in these states.
     *
     * @default {undefined}
     */
    readonly states?: ReadonlyArray<TrialState>;
  } = {},
): TaskEither<HyperionError, ReadonlyArray<FrozenTrial>> {
  return withStudy(study, () =>
    gen(function* (_) {
      const states = yield* _(checkTrialQuery(options));
      return yield* _(study.storage.getAllTrials(study.studyId, { states }));
    }));
}

/**
 * The best feasible COMPLETE trial (earliest on ties): trials whose constraints are violated
 * (system attributes `constraints`, `constraints:<key>` above 0) are skipped, as Optuna does.
 * `NoCompletedTrials` when none is complete, or none complete is feasible ("no feasible trials
 * are completed yet"); `NotSupported` for multi-objective studies (use {@link getBestTrials}).
 *
 * @category queries
 */
export function getBestTrial(study: Study): TaskEither<HyperionError, FrozenTrial> {
  return withStudy(
    study,
    () => fromAsync(bestOf(study), (e) => noCompletedTrials(study.studyName, String(e))),
  );
}

function bestOf(study: Study): TaskEither<HyperionError, FrozenTrial> {
  return gen(function* (_) {
    if (study.directions.length > 1) {
      return yield* _(left(notSupported(
        "get a single best trial",
        `study '${study.studyName}' has ${study.directions.length} objectives: use getBestTrials`,
      )));
    }
    const trials = yield* _(study.storage.getAllTrials(study.studyId, { states: ["COMPLETE"] }));
    const best = bestTrial(trials, study.directions);
    if (best) return best;
    // Optuna: "No feasible trials are completed yet." when every COMPLETE trial is infeasible
    const infeasible = trials.some((t) => !isFeasible(t));
    return yield* _(left(noCompletedTrials(
      study.studyName,
      infeasible
        ? `Cannot find a best trial in study ${
          show(study.studyName)
        }: no feasible trials are completed yet (every COMPLETE trial violates a constraint)`
        : undefined,
    )));
  });
}

/**
 * The Pareto-optimal feasible COMPLETE trials (for one objective: every trial tied at the best
 * value); empty when none is complete or feasible, as Optuna's `study.best_trials`.
 *
 * @category queries
 */
export function getBestTrials(
  study: Study,
): TaskEither<HyperionError, ReadonlyArray<FrozenTrial>> {
  return withStudy(study, () =>
    fromAsync(
      map(
        study.storage.getAllTrials(study.studyId, { states: ["COMPLETE"] }),
        (trials) => paretoFront(trials, study.directions),
      ),
      (e) => noCompletedTrials(study.studyName, String(e)),
    ));
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Sets a user attribute on the study.
 *
 * @category combinators
 */
export function setStudyUserAttr(
  study: Study,
  key: string,
  value: JsonValue,
): TaskEither<HyperionError, void> {
  return withStudy(study, () =>
    gen(function* (_) {
      yield* _(checkAttr(key, value));
      return yield* _(study.storage.setStudyAttr({ id: study.studyId, kind: "user", key, value }));
    }));
}

/**
 * Asks a running `optimize` to stop after the trials in flight (as Optuna's `study.stop()`);
 * call it from an objective or a callback. `InvalidArgument` when `study` is not a study handle.
 *
 * @category combinators
 */
export function stopOptimize(study: Study): Either<HyperionError, void> {
  return genEither(function* (_) {
    const runtime = yield* _(checkStudyHandle(study));
    runtime.stopRequested = true;
  });
}

/**
 * Replaces the study's sampler (for example with one restored from a checkpoint); its kind
 * must be one of the study's sampler kinds (`samplerKinds` of `createStudy` or `loadStudy`).
 * `InvalidArgument` when `study` is not a study handle, `InvalidStudyArgs` for a bad sampler;
 * never throws.
 *
 * @category combinators
 */
export function setStudySampler(study: Study, sampler: Sampler): Either<HyperionError, void> {
  try {
    return genEither(function* (_) {
      const runtime = yield* _(checkStudyHandle(study));
      runtime.sampler = yield* _(checkSampler(sampler, runtime.samplerKinds));
      runtime.workspace = workspaceFor(runtime.sampler, runtime.samplerKinds);
    });
  } catch (cause) {
    return left(invalidStudyArgs(
      "sampler",
      `Invalid 'sampler': expected a sampler record {kind, options, state}, got a value that cannot be read (${
        describeCause(cause)
      })`,
    ));
  }
}
