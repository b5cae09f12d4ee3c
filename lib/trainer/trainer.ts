/**
 * The trainer record: a validated, immutable configuration, the ordered plug-in table and
 * the error tags allowed to escape `fit`. Every change returns a new trainer.
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { duplicatePlugin, invalidTrainerConfig } from "./errors.ts";
import type { Plugin, TrainUnit } from "./types.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link createTrainer} and {@link configureTrainer}; every field is optional.
 *
 * @category model
 */
export interface TrainerConfig {
  /**
   * What `totalSteps`, `validationFrequency`, `checkpointFrequency` and `logFrequency` count.
   *
   * @default {"epoch"}
   */
  readonly trainUnit?: TrainUnit;
  /**
   * How many epochs or iterations to train: a positive integer, or `Infinity` to train until
   * early stopping (then `earlyStopCycles` is required) or until a plug-in or the model stops.
   *
   * @default {1}
   */
  readonly totalSteps?: number;
  /**
   * Batches per optimiser step (gradient accumulation); `iteration` advances once per group.
   *
   * @default {1}
   */
  readonly accumulationSteps?: number;
  /**
   * Validate every this many epochs or iterations; `undefined` never validates.
   *
   * @default {undefined}
   */
  readonly validationFrequency?: number | undefined;
  /**
   * Write a checkpoint every this many epochs or iterations (needs `chkptRoot`);
   * `undefined` never writes one (an existing checkpoint is still resumed from).
   *
   * @default {undefined}
   */
  readonly checkpointFrequency?: number | undefined;
  /**
   * Also write a `train` log line every this many iterations; `undefined` logs only at
   * validation cycles and epoch ends.
   *
   * @default {undefined}
   */
  readonly logFrequency?: number | undefined;
  /**
   * Stop after this many validation cycles in a row whose metrics did not improve;
   * `undefined` never stops early. Needs `validationFrequency`.
   *
   * @default {undefined}
   */
  readonly earlyStopCycles?: number | undefined;
  /**
   * Seed of the generator handed to the model (`ctx.rng`) and of the per-epoch shuffles.
   *
   * @default {6691}
   */
  readonly seed?: number | string;
  /**
   * Checkpoints go to `<chkptRoot>/<saveName>/`; `undefined` turns checkpoints and resume off.
   *
   * @default {undefined}
   */
  readonly chkptRoot?: string | undefined;
  /**
   * Keep only the newest this many checkpoints of the save name (highest epoch, then
   * iteration): older ones are deleted after each checkpoint is written. `undefined` keeps
   * every checkpoint.
   *
   * @default {undefined}
   */
  readonly keepLastCheckpoints?: number | undefined;
  /**
   * The JSON-lines log goes to `<logPath>/<saveName>.jsonl`; `undefined` writes no log.
   *
   * @default {undefined}
   */
  readonly logPath?: string | undefined;
  /**
   * `true` shows a progress line on standard error when it is a terminal; a function
   * receives every progress line instead.
   *
   * @default {false}
   */
  readonly progress?: boolean | ((line: string) => void);
  /**
   * This process's rank in distributed training. Only rank 0 writes checkpoints, logs and
   * progress; every rank resumes from the latest checkpoint.
   *
   * @default {0}
   */
  readonly rank?: number;
  /**
   * How many processes train together.
   *
   * @default {1}
   */
  readonly worldSize?: number;
  /**
   * Error tags that `fit` returns unchanged instead of wrapping them in `TrainingFailed`.
   * Errors are matched by their `_tag`, thrown `Error`s by their `name`.
   *
   * @default {[]}
   */
  readonly trainExceptions?: ReadonlyArray<string>;
}

/**
 * A trainer's configuration with every default filled in.
 *
 * @category model
 */
export interface ResolvedTrainerConfig {
  /** What the step counts count. */
  readonly trainUnit: TrainUnit;
  /** Epochs or iterations to train (may be `Infinity`). */
  readonly totalSteps: number;
  /** Batches per optimiser step. */
  readonly accumulationSteps: number;
  /** Validation frequency, if validating. */
  readonly validationFrequency: number | undefined;
  /** Checkpoint frequency, if checkpointing. */
  readonly checkpointFrequency: number | undefined;
  /** `train` log line frequency, if any. */
  readonly logFrequency: number | undefined;
  /** Non-improving cycles before stopping early, if any. */
  readonly earlyStopCycles: number | undefined;
  /** The seed. */
  readonly seed: number | string;
  /** The checkpoint root folder, if any. */
  readonly chkptRoot: string | undefined;
  /** How many checkpoints of a save name to keep; `undefined` keeps all. */
  readonly keepLastCheckpoints: number | undefined;
  /** The log folder, if any. */
  readonly logPath: string | undefined;
  /** The progress setting. */
  readonly progress: boolean | ((line: string) => void);
  /** This process's rank. */
  readonly rank: number;
  /** The number of processes. */
  readonly worldSize: number;
}

/**
 * A trainer: validated configuration, plug-ins in call order (ids unique) and the error
 * tags `fit` lets escape unchanged.
 *
 * @category model
 */
export interface Trainer {
  /** The configuration, defaults filled in. */
  readonly config: ResolvedTrainerConfig;
  /** The registered plug-ins, in the order their hooks run. */
  readonly plugins: ReadonlyArray<Plugin>;
  /** Error tags `fit` returns as they are (for example `"TrialPruned"`). */
  readonly trainExceptions: ReadonlyArray<string>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The default seed, as in Helios. */
const DEFAULT_SEED = 6691;

/**
 * A trainer with `config` validated and defaults filled in, and no plug-ins.
 *
 * Returns `Left` `InvalidTrainerConfig` naming the first bad field: a non-positive or
 * fractional frequency, an unknown `trainUnit`, `totalSteps: Infinity` without
 * `earlyStopCycles`, `earlyStopCycles` without `validationFrequency`,
 * `checkpointFrequency` without `chkptRoot`, a rank outside `[0, worldSize)`.
 *
 * @example Build and reject configurations
 * ```ts
 * import { createTrainer } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const ok = createTrainer({ trainUnit: "iteration", totalSteps: 100, validationFrequency: 10 });
 * assert.equal(ok._tag, "Right");
 * const bad = createTrainer({ validationFrequency: 0 });
 * assert.ok(bad._tag === "Left" && bad.left._tag === "InvalidTrainerConfig");
 * assert.equal(
 *   bad.left.message,
 *   "Invalid trainer config 'validationFrequency': expected a positive integer, got 0",
 * );
 * ```
 *
 * @category constructors
 */
export function createTrainer(config: TrainerConfig = {}): Either<HyperionError, Trainer> {
  if (!isConfigRecord(config)) return left(badConfig("config", config));
  const trainExceptions = config.trainExceptions ?? [];
  return genEither(function* (_) {
    const resolved = yield* _(resolveConfig(config));
    const tags = checkTags(trainExceptions);
    if (tags !== undefined) return yield* _(left(tags));
    return { config: resolved, plugins: [], trainExceptions: dedupe(trainExceptions) };
  });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * A copy of `trainer` whose configuration has the fields of `patch` replaced, validated
 * again; plug-ins are kept. A `trainExceptions` field replaces the list.
 *
 * @example Turn checkpoints on
 * ```ts
 * import { configureTrainer, createTrainer, getOrThrow } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const trainer = getOrThrow(createTrainer({ totalSteps: 3 }));
 * const next = getOrThrow(
 *   configureTrainer(trainer, { chkptRoot: "./chkpt", checkpointFrequency: 1 }),
 * );
 * assert.equal(next.config.totalSteps, 3);
 * assert.equal(next.config.checkpointFrequency, 1);
 * assert.equal(trainer.config.checkpointFrequency, undefined);
 * ```
 *
 * @category combinators
 */
export function configureTrainer(
  trainer: Trainer,
  patch: TrainerConfig,
): Either<HyperionError, Trainer> {
  if (!isTrainer(trainer)) {
    return left(invalidArgument({
      field: "trainer",
      value: trainer,
      expected: "a trainer made by createTrainer",
    }));
  }
  if (!isConfigRecord(patch)) return left(badConfig("patch", patch));
  return genEither(function* (_) {
    const resolved = yield* _(resolveConfig({ ...trainer.config, ...patch }));
    const exceptions = patch.trainExceptions ?? trainer.trainExceptions;
    const tags = checkTags(exceptions);
    if (tags !== undefined) return yield* _(left(tags));
    return { ...trainer, config: resolved, trainExceptions: dedupe(exceptions) };
  });
}

/**
 * A copy of `trainer` with `plugin` appended to its plug-ins; `Left` `DuplicatePlugin` when a
 * plug-in with that id is already registered, `Left` `InvalidArgument` for an empty id.
 *
 * @example Register plug-ins once each
 * ```ts
 * import { createTrainer, getOrThrow, registerPlugin } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const trainer = getOrThrow(registerPlugin(getOrThrow(createTrainer()), { id: "audit" }));
 * assert.deepEqual(trainer.plugins.map((p) => p.id), ["audit"]);
 * const again = registerPlugin(trainer, { id: "audit" });
 * assert.ok(again._tag === "Left" && again.left._tag === "DuplicatePlugin");
 * ```
 *
 * @category combinators
 */
export function registerPlugin(trainer: Trainer, plugin: Plugin): Either<HyperionError, Trainer> {
  if (!isTrainer(trainer)) {
    return left(invalidArgument({
      field: "trainer",
      value: trainer,
      expected: "a trainer made by createTrainer",
    }));
  }
  if (typeof plugin !== "object" || plugin === null) {
    return left(invalidArgument({ field: "plugin", value: plugin, expected: "a plug-in record" }));
  }
  if (typeof plugin.id !== "string" || plugin.id.length === 0) {
    return left(
      invalidArgument({ field: "plugin.id", value: plugin.id, expected: "a non-empty string" }),
    );
  }
  if (trainer.plugins.some((p) => p.id === plugin.id)) return left(duplicatePlugin(plugin.id));
  return right({ ...trainer, plugins: [...trainer.plugins, plugin] });
}

/**
 * A copy of `trainer` whose `trainExceptions` also lists `tags` (each tag once, order kept).
 *
 * @example Let a pruning signal escape `fit`
 * ```ts
 * import { addTrainExceptions, createTrainer, getOrThrow } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const trainer = addTrainExceptions(getOrThrow(createTrainer()), ["TrialPruned"]);
 * assert.deepEqual(addTrainExceptions(trainer, ["TrialPruned"]).trainExceptions, ["TrialPruned"]);
 * ```
 *
 * @category combinators
 */
export function addTrainExceptions(trainer: Trainer, tags: ReadonlyArray<string>): Trainer {
  return { ...trainer, trainExceptions: dedupe([...trainer.trainExceptions, ...tags]) };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function isConfigRecord(value: unknown): value is TrainerConfig {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTrainer(value: unknown): value is Trainer {
  return typeof value === "object" && value !== null &&
    isConfigRecord((value as Trainer).config) && Array.isArray((value as Trainer).plugins) &&
    Array.isArray((value as Trainer).trainExceptions);
}

function badConfig(field: string, value: unknown): HyperionError {
  return invalidTrainerConfig({ field, value, expected: "a configuration object" });
}

function dedupe(tags: ReadonlyArray<string>): ReadonlyArray<string> {
  return [...new Set(tags)];
}

function checkTags(tags: unknown): HyperionError | undefined {
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string" && t.length > 0)) {
    return invalidTrainerConfig({
      field: "trainExceptions",
      value: tags,
      expected: "an array of non-empty error tags",
    });
  }
  return undefined;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

function resolveConfig(config: TrainerConfig): Either<HyperionError, ResolvedTrainerConfig> {
  const bad = (field: string, value: unknown, expected: string) =>
    left<HyperionError, ResolvedTrainerConfig>(invalidTrainerConfig({ field, value, expected }));
  const trainUnit = config.trainUnit ?? "epoch";
  if (trainUnit !== "epoch" && trainUnit !== "iteration") {
    return bad("trainUnit", trainUnit, "'epoch' or 'iteration'");
  }
  const totalSteps = config.totalSteps ?? 1;
  if (!isPositiveInteger(totalSteps) && totalSteps !== Infinity) {
    return bad("totalSteps", totalSteps, "a positive integer or Infinity");
  }
  const accumulationSteps = config.accumulationSteps ?? 1;
  if (!isPositiveInteger(accumulationSteps)) {
    return bad("accumulationSteps", accumulationSteps, "a positive integer");
  }
  const frequencies = [
    "validationFrequency",
    "checkpointFrequency",
    "logFrequency",
    "keepLastCheckpoints",
  ] as const;
  for (const field of frequencies) {
    const value = config[field];
    if (value !== undefined && !isPositiveInteger(value)) {
      return bad(field, value, "a positive integer");
    }
  }
  const earlyStopCycles = config.earlyStopCycles;
  if (earlyStopCycles !== undefined && !isPositiveInteger(earlyStopCycles)) {
    return bad("earlyStopCycles", earlyStopCycles, "a positive integer");
  }
  if (totalSteps === Infinity && earlyStopCycles === undefined) {
    return bad(
      "earlyStopCycles",
      earlyStopCycles,
      "a positive integer when 'totalSteps' is Infinity",
    );
  }
  if (earlyStopCycles !== undefined && config.validationFrequency === undefined) {
    return bad(
      "validationFrequency",
      config.validationFrequency,
      "a positive integer when 'earlyStopCycles' is set",
    );
  }
  const seed = config.seed ?? DEFAULT_SEED;
  if (!(typeof seed === "string" || (typeof seed === "number" && Number.isSafeInteger(seed)))) {
    return bad("seed", seed, "an integer or a string");
  }
  for (const field of ["chkptRoot", "logPath"] as const) {
    const value = config[field];
    if (value !== undefined && (typeof value !== "string" || value.length === 0)) {
      return bad(field, value, "a non-empty folder path");
    }
  }
  if (config.checkpointFrequency !== undefined && config.chkptRoot === undefined) {
    return bad("chkptRoot", config.chkptRoot, "a folder path when 'checkpointFrequency' is set");
  }
  const progress = config.progress ?? false;
  if (typeof progress !== "boolean" && typeof progress !== "function") {
    return bad("progress", progress, "a boolean or a function");
  }
  const worldSize = config.worldSize ?? 1;
  if (!isPositiveInteger(worldSize)) return bad("worldSize", worldSize, "a positive integer");
  const rank = config.rank ?? 0;
  if (!(Number.isInteger(rank) && rank >= 0 && rank < worldSize)) {
    return bad("rank", rank, `an integer in [0, ${worldSize - 1}]`);
  }
  return right({
    trainUnit,
    totalSteps,
    accumulationSteps,
    validationFrequency: config.validationFrequency,
    checkpointFrequency: config.checkpointFrequency,
    logFrequency: config.logFrequency,
    earlyStopCycles,
    seed,
    chkptRoot: config.chkptRoot,
    keepLastCheckpoints: config.keepLastCheckpoints,
    logPath: config.logPath,
    progress,
    rank,
    worldSize,
  });
}
