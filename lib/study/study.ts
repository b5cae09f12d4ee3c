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
import { type Either, fromAsync, left, right, type TaskEither } from "../effect.ts";
import {
  type HyperionError,
  invalidArgument,
  invalidStudyArgs,
  noCompletedTrials,
  notSupported,
  show,
} from "../errors.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import { bestTrial, type Direction, paretoFront, type StudySummary } from "../core/study.ts";
import { type Attrs, type FrozenTrial, type TrialState, trialTemplate } from "../core/trial.ts";
import { checkAttr, checkDirections, checkStudyName, checkTrialQuery } from "../storage/rules.ts";
import { attachStudy, checkStudyHandle, studyLive } from "../_internal/live.ts";
import type { Storage } from "../storage/storage.ts";
import { memoryStorage } from "../storage/memory.ts";
import { type Sampler, samplerImpl } from "../samplers/sampler.ts";
import { tpeSampler } from "../samplers/tpe.ts";
import type { Pruner } from "../pruners/pruner.ts";
import { medianPruner } from "../pruners/percentile.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A study handle: the study's identity plus the storage, sampler and pruner it runs with.
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
}

/**
 * Arguments of {@link createStudy}.
 *
 * @category model
 */
export interface StudyArgs {
  /**
   * Where the study lives.
   *
   * @default {memoryStorage()}
   */
  readonly storage?: Storage;
  /**
   * The sampler.
   *
   * @default {tpeSampler()}
   */
  readonly sampler?: Sampler;
  /**
   * The pruner.
   *
   * @default {medianPruner()}
   */
  readonly pruner?: Pruner;
  /**
   * The study's name.
   *
   * @default {"no-name-<uuid>"}
   */
  readonly studyName?: string;
  /**
   * Direction of a single objective (exclusive with `directions`).
   *
   * @default {"minimize"}
   */
  readonly direction?: Direction;
  /**
   * Directions of several objectives (exclusive with `direction`).
   *
   * @default {undefined}
   */
  readonly directions?: ReadonlyArray<Direction>;
  /**
   * Load the study when one with the same name exists (its directions win).
   *
   * @default {false}
   */
  readonly loadIfExists?: boolean;
}

/**
 * Arguments of {@link loadStudy}.
 *
 * @category model
 */
export interface LoadStudyArgs {
  /**
   * The study's name; may be omitted when the storage holds exactly one study.
   *
   * @default {undefined}
   */
  readonly studyName?: string;
  /** Where the study lives. */
  readonly storage: Storage;
  /**
   * The sampler.
   *
   * @default {tpeSampler()}
   */
  readonly sampler?: Sampler;
  /**
   * The pruner.
   *
   * @default {medianPruner()}
   */
  readonly pruner?: Pruner;
}

/**
 * Arguments of {@link copyStudy}.
 *
 * @category model
 */
export interface CopyStudyArgs {
  /** The study to copy. */
  readonly fromStudyName: string;
  /** Where it lives. */
  readonly fromStorage: Storage;
  /** Where to copy it. */
  readonly toStorage: Storage;
  /**
   * The copy's name.
   *
   * @default {fromStudyName}
   */
  readonly toStudyName?: string;
}

/**
 * Options of {@link enqueueTrial}.
 *
 * @category model
 */
export interface EnqueueOptions {
  /**
   * User attributes of the enqueued trial.
   *
   * @default {{}}
   */
  readonly userAttrs?: Attrs;
  /**
   * Skip when a trial with the same parameter names and (relatively within 1e-5) equal values
   * exists, in any state.
   *
   * @default {false}
   */
  readonly skipIfExists?: boolean;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

function defaultSampler(): Sampler {
  return tpeSampler();
}

function defaultPruner(): Pruner {
  return medianPruner();
}

function checkSampler(sampler: unknown): Either<HyperionError, Sampler> {
  if (typeof sampler !== "object" || sampler === null || !("kind" in sampler)) {
    return left(invalidStudyArgs(
      "sampler",
      `Invalid 'sampler': expected a sampler record {kind, options, state}, got ${show(sampler)}`,
    ));
  }
  const impl = samplerImpl(sampler as Sampler);
  if (impl._tag === "Left") return impl;
  return impl.right.validate(sampler as Sampler);
}

function checkPruner(pruner: unknown): Either<HyperionError, Pruner> {
  if (
    typeof pruner !== "object" || pruner === null ||
    typeof (pruner as { prune?: unknown }).prune !== "function"
  ) {
    return left(invalidStudyArgs(
      "pruner",
      `Invalid 'pruner': expected a pruner record {kind, options, prune}, got ${show(pruner)}`,
    ));
  }
  const validate = (pruner as { validate?: () => Either<HyperionError, void> }).validate;
  if (typeof validate === "function") {
    const ok = validate();
    if (ok._tag === "Left") return ok;
  }
  return right(pruner as Pruner);
}

function handle(
  record: { studyId: number; studyName: string; directions: ReadonlyArray<Direction> },
  storage: Storage,
  sampler: Sampler,
  pruner: Pruner,
): Study {
  const study: Study = {
    studyId: record.studyId,
    studyName: record.studyName,
    directions: record.directions,
    storage,
    pruner,
  };
  attachStudy(study, { sampler, stopRequested: false });
  return study;
}

function checkStorage(storage: unknown): Either<HyperionError, Storage> {
  if (
    typeof storage !== "object" || storage === null ||
    typeof (storage as { createStudy?: unknown }).createStudy !== "function"
  ) {
    return left(invalidStudyArgs(
      "storage",
      `Invalid 'storage': expected a Storage record, got ${show(storage)}`,
    ));
  }
  return right(storage as Storage);
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
  return fromAsync(async () => {
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
    const directions = checkDirections(
      args.directions !== undefined
        ? args.directions
        : [args.direction === undefined ? "minimize" : args.direction],
    );
    if (directions._tag === "Left") return directions;
    const storage = checkStorage(args.storage === undefined ? memoryStorage() : args.storage);
    if (storage._tag === "Left") return storage;
    const sampler = checkSampler(args.sampler === undefined ? defaultSampler() : args.sampler);
    if (sampler._tag === "Left") return sampler;
    const pruner = checkPruner(args.pruner === undefined ? defaultPruner() : args.pruner);
    if (pruner._tag === "Left") return pruner;
    const name = args.studyName === undefined
      ? `no-name-${globalThis.crypto.randomUUID()}`
      : args.studyName;
    const checkedName = checkStudyName(name);
    if (checkedName._tag === "Left") return checkedName;
    const created = await storage.right.createStudy({
      studyName: checkedName.right,
      directions: directions.right,
    })();
    if (created._tag === "Right") {
      return right(handle(created.right, storage.right, sampler.right, pruner.right));
    }
    if (created.left._tag === "DuplicatedStudy" && args.loadIfExists === true) {
      const loaded = await storage.right.getStudy(checkedName.right)();
      if (loaded._tag === "Left") return loaded;
      return right(handle(loaded.right, storage.right, sampler.right, pruner.right));
    }
    return created;
  }, (e) => invalidStudyArgs("args", `Cannot create the study: ${show(String(e))}`));
}

/**
 * Loads an existing study; `StudyNotFound` when there is none with that name.
 *
 * @category constructors
 */
export function loadStudy(args: LoadStudyArgs): TaskEither<HyperionError, Study> {
  return fromAsync(async () => {
    if (typeof args !== "object" || args === null) {
      return left(invalidStudyArgs(
        "args",
        `Invalid study arguments: expected { storage, studyName }, got ${show(args)}`,
      ));
    }
    const storage = checkStorage(args.storage);
    if (storage._tag === "Left") return storage;
    const sampler = checkSampler(args.sampler === undefined ? defaultSampler() : args.sampler);
    if (sampler._tag === "Left") return sampler;
    const pruner = checkPruner(args.pruner === undefined ? defaultPruner() : args.pruner);
    if (pruner._tag === "Left") return pruner;
    let name = args.studyName;
    if (name !== undefined) {
      const checked = checkStudyName(name);
      if (checked._tag === "Left") return checked;
    }
    if (name === undefined) {
      const all = await storage.right.listStudies()();
      if (all._tag === "Left") return all;
      if (all.right.length !== 1) {
        return left(invalidStudyArgs(
          "studyName",
          `Cannot determine the study name as the storage holds ${all.right.length} studies: pass 'studyName'`,
        ));
      }
      name = (all.right[0] as { studyName: string }).studyName;
    }
    const loaded = await storage.right.getStudy(name)();
    if (loaded._tag === "Left") return loaded;
    return right(handle(loaded.right, storage.right, sampler.right, pruner.right));
  }, (e) => invalidStudyArgs("args", `Cannot load the study: ${String(e)}`));
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The sampler as it is now: a JSON value to checkpoint with `JSON.stringify`. The built-in
 * samplers' records never change (their draws derive from the seed and the trial number); a
 * custom sampler kind's state is as its last hook left it.
 *
 * @category queries
 */
export function studySampler(study: Study): Sampler {
  return studyLive(study).sampler;
}

function studyAnd<A>(
  study: Study,
  run: () => TaskEither<HyperionError, A>,
): TaskEither<HyperionError, A> {
  const checked = checkStudyHandle(study);
  if (checked._tag === "Left") return () => Promise.resolve(checked);
  return run();
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
  return studyAnd(study, () => {
    const states = checkTrialQuery(options);
    if (states._tag === "Left") return () => Promise.resolve(states);
    return study.storage.getAllTrials(study.studyId, { states: states.right });
  });
}

/**
 * The best COMPLETE trial (earliest on ties); `NoCompletedTrials` when none is complete,
 * `NotSupported` for multi-objective studies (use {@link getBestTrials}).
 *
 * @category queries
 */
export function getBestTrial(study: Study): TaskEither<HyperionError, FrozenTrial> {
  return studyAnd(study, () => bestOf(study));
}

function bestOf(study: Study): TaskEither<HyperionError, FrozenTrial> {
  return fromAsync(async () => {
    if (study.directions.length > 1) {
      return left(notSupported(
        "get a single best trial",
        `study '${study.studyName}' has ${study.directions.length} objectives: use getBestTrials`,
      ));
    }
    const trials = await study.storage.getAllTrials(study.studyId, { states: ["COMPLETE"] })();
    if (trials._tag === "Left") return trials;
    const best = bestTrial(trials.right, study.directions);
    return best ? right(best) : left(noCompletedTrials(study.studyName));
  }, (e) => noCompletedTrials(study.studyName, String(e)));
}

/**
 * The Pareto-optimal COMPLETE trials (for one objective: every trial tied at the best value).
 *
 * @category queries
 */
export function getBestTrials(
  study: Study,
): TaskEither<HyperionError, ReadonlyArray<FrozenTrial>> {
  return studyAnd(study, () =>
    fromAsync(async () => {
      const trials = await study.storage.getAllTrials(study.studyId, { states: ["COMPLETE"] })();
      if (trials._tag === "Left") return trials;
      return right(paretoFront(trials.right, study.directions));
    }, (e) => noCompletedTrials(study.studyName, String(e))));
}

/**
 * A summary of every study in the storage, in creation order.
 *
 * @category queries
 */
export function getAllStudySummaries(
  storage: Storage,
): TaskEither<HyperionError, ReadonlyArray<StudySummary>> {
  return fromAsync(async () => {
    const checked = checkStorage(storage);
    if (checked._tag === "Left") return checked;
    const studies = await storage.listStudies()();
    if (studies._tag === "Left") return studies;
    const out: StudySummary[] = [];
    for (const study of studies.right) {
      const trials = await storage.getAllTrials(study.studyId)();
      if (trials._tag === "Left") return trials;
      let start: number | null = null;
      for (const t of trials.right) {
        if (t.datetimeStart !== null && (start === null || t.datetimeStart < start)) {
          start = t.datetimeStart;
        }
      }
      out.push({
        study,
        nTrials: trials.right.length,
        bestTrial: bestTrial(trials.right, study.directions),
        datetimeStart: start,
      });
    }
    return right(out);
  }, (e) => invalidArgument({ field: "storage", value: String(e), expected: "a working storage" }));
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Deletes a study with its trials; `StudyNotFound` when it does not exist.
 *
 * @category combinators
 */
export function deleteStudy(
  args: { readonly studyName: string; readonly storage: Storage },
): TaskEither<HyperionError, void> {
  return fromAsync(async () => {
    if (typeof args !== "object" || args === null) {
      return left(invalidArgument({
        field: "args",
        value: args,
        expected: "{ studyName, storage }",
      }));
    }
    const storage = checkStorage(args.storage);
    if (storage._tag === "Left") return storage;
    const name = checkStudyName(args.studyName);
    if (name._tag === "Left") return name;
    const study = await args.storage.getStudy(args.studyName)();
    if (study._tag === "Left") return study;
    return await args.storage.deleteStudy(study.right.studyId)();
  }, (e) => invalidArgument({ field: "studyName", value: String(e), expected: "a study" }));
}

/**
 * Copies a study (directions, attributes and every trial with its state, values, parameters,
 * intermediate values, attributes and times) to another storage or name; trial numbers are
 * reassigned in order. `DuplicatedStudy` when the target exists. When a copy fails midway the
 * partial target is deleted.
 *
 * @category combinators
 */
export function copyStudy(args: CopyStudyArgs): TaskEither<HyperionError, void> {
  return fromAsync(async () => {
    const checked = checkCopyArgs(args);
    if (checked._tag === "Left") return checked;
    const from = await args.fromStorage.getStudy(args.fromStudyName)();
    if (from._tag === "Left") return from;
    const trials = await args.fromStorage.getAllTrials(from.right.studyId)();
    if (trials._tag === "Left") return trials;
    const created = await args.toStorage.createStudy({
      studyName: args.toStudyName ?? args.fromStudyName,
      directions: from.right.directions,
    })();
    if (created._tag === "Left") return created;
    const target = created.right.studyId;
    const copy = async (): Promise<Either<HyperionError, void>> => {
      for (
        const [kind, attrs] of [
          ["user", from.right.userAttrs],
          ["system", from.right.systemAttrs],
        ] as const
      ) {
        for (const [key, value] of Object.entries(attrs)) {
          const r = await args.toStorage.setStudyAttr({ id: target, kind, key, value })();
          if (r._tag === "Left") return r;
        }
      }
      for (const t of trials.right) {
        const r = await args.toStorage.createTrial(target, trialTemplate(t))();
        if (r._tag === "Left") return r;
      }
      return right(undefined);
    };
    const result = await copy();
    if (result._tag === "Left") await args.toStorage.deleteStudy(target)();
    return result;
  }, (e) => invalidArgument({ field: "fromStudyName", value: String(e), expected: "a study" }));
}

function checkCopyArgs(args: CopyStudyArgs): Either<HyperionError, void> {
  if (typeof args !== "object" || args === null) {
    return left(invalidArgument({
      field: "args",
      value: args,
      expected: "{ fromStudyName, fromStorage, toStorage }",
    }));
  }
  for (const field of ["fromStorage", "toStorage"] as const) {
    const storage = checkStorage(args[field]);
    if (storage._tag === "Left") {
      return left(invalidStudyArgs(
        field,
        `Invalid '${field}': expected a Storage record, got ${show(args[field])}`,
      ));
    }
  }
  const names = [["fromStudyName", args.fromStudyName]] as Array<[string, unknown]>;
  if (args.toStudyName !== undefined) names.push(["toStudyName", args.toStudyName]);
  for (const [field, value] of names) {
    if (checkStudyName(value)._tag === "Left") {
      return left(invalidStudyArgs(
        field,
        `Invalid '${field}': expected a non-empty string of at most 512 characters, got ${
          show(value)
        }`,
      ));
    }
  }
  return right(undefined);
}

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
  return studyAnd(study, () => {
    const checked = checkAttr(key, value);
    if (checked._tag === "Left") return () => Promise.resolve(checked);
    return study.storage.setStudyAttr({ id: study.studyId, kind: "user", key, value });
  });
}

/**
 * Asks a running `optimize` to stop after the trials in flight (as Optuna's `study.stop()`);
 * call it from an objective or a callback. `InvalidArgument` when `study` is not a study handle.
 *
 * @category combinators
 */
export function stopOptimize(study: Study): Either<HyperionError, void> {
  const live = checkStudyHandle(study);
  if (live._tag === "Left") return live;
  live.right.stopRequested = true;
  return right(undefined);
}

/**
 * Replaces the study's sampler (for example with one restored from a checkpoint).
 *
 * @category combinators
 */
export function setStudySampler(study: Study, sampler: Sampler): Either<HyperionError, void> {
  const live = checkStudyHandle(study);
  if (live._tag === "Left") return live;
  const checked = checkSampler(sampler);
  if (checked._tag === "Left") return checked;
  live.right.sampler = checked.right;
  return right(undefined);
}

function repeats(next: ParamValue | undefined, old: unknown): boolean {
  if (typeof next === "number" && typeof old === "number") {
    if (Number.isNaN(next) || Number.isNaN(old)) return Number.isNaN(next) && Number.isNaN(old);
    return Math.abs(next - old) <= 1e-5 * Math.abs(old);
  }
  return Object.is(next, old);
}

/**
 * Enqueues a trial with fixed parameters (a WAITING trial that the next `ask` claims). Names
 * not given are sampled as usual. Values outside the distribution later suggested are used as
 * given, as Optuna does.
 *
 * @example Try a known configuration first
 * ```ts
 * import { createStudy, enqueueTrial, ask, suggestFloat, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * await runOrThrow(enqueueTrial(study, { lr: 0.01 }));
 * const trial = await runOrThrow(ask(study));
 * assert.equal(await runOrThrow(suggestFloat(trial, "lr", 1e-5, 1, { log: true })), 0.01);
 * ```
 *
 * @category combinators
 */
export function enqueueTrial(
  study: Study,
  params: Readonly<Record<string, ParamValue>>,
  options: EnqueueOptions = {},
): TaskEither<HyperionError, void> {
  return fromAsync(async () => {
    const handle = checkStudyHandle(study);
    if (handle._tag === "Left") return handle;
    if (typeof options !== "object" || options === null) {
      return left(invalidArgument({
        field: "options",
        value: options,
        expected: "an object such as { skipIfExists: true }",
      }));
    }
    if (options.skipIfExists !== undefined && typeof options.skipIfExists !== "boolean") {
      return left(invalidArgument({
        field: "skipIfExists",
        value: options.skipIfExists,
        expected: "a boolean",
      }));
    }
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      return left(
        invalidArgument({
          field: "params",
          value: params,
          expected: "an object of parameter values",
        }),
      );
    }
    for (const [name, value] of Object.entries(params)) {
      const ok = value === null || typeof value === "string" || typeof value === "boolean" ||
        (typeof value === "number" && Number.isFinite(value));
      if (!ok) {
        return left(invalidArgument({
          field: `params.${name}`,
          value,
          expected: "a finite number, string, boolean or null",
        }));
      }
    }
    const userAttrs = options.userAttrs ?? {};
    if (typeof userAttrs !== "object" || userAttrs === null || Array.isArray(userAttrs)) {
      return left(invalidArgument({
        field: "userAttrs",
        value: userAttrs,
        expected: "an object of JSON values",
      }));
    }
    for (const [key, value] of Object.entries(userAttrs)) {
      const checked = checkAttr(key, value);
      if (checked._tag === "Left") return checked;
    }
    if (options.skipIfExists === true) {
      const trials = await study.storage.getAllTrials(study.studyId)();
      if (trials._tag === "Left") return trials;
      const keys = Object.keys(params).sort().join("\u0000");
      for (const t of trials.right) {
        const fixed = t.systemAttrs["fixed_params"];
        const existing = (typeof fixed === "object" && fixed !== null && !Array.isArray(fixed))
          ? fixed as Readonly<Record<string, JsonValue>>
          : t.params;
        if (Object.keys(existing).sort().join("\u0000") !== keys) continue;
        if (Object.entries(params).every(([k, v]) => repeats(v, existing[k]))) {
          return right(undefined);
        }
      }
    }
    const created = await study.storage.createTrial(study.studyId, {
      state: "WAITING",
      systemAttrs: { fixed_params: { ...params } },
      userAttrs,
    })();
    return created._tag === "Left" ? created : right(undefined);
  }, (e) => invalidArgument({ field: "params", value: String(e), expected: "enqueueable params" }));
}
