/**
 * Checkpoints: JSON files `<chkptRoot>/<saveName>/<saveName>_epoch_<E>_iter_<I>.json` that
 * hold a format version, the training state, the model's state dict, the trainer's RNG state,
 * each plug-in's state under its id and the log position. `fit` writes them atomically and
 * resumes from the latest one; these functions find and read them.
 *
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, storageError } from "../errors.ts";
import { corruptCheckpoint } from "./errors.ts";
import { isJsonValue, type JsonValue } from "../core/json.ts";
import { isRngState, type RngState } from "../random/rng.ts";
import type { LossWindows, RunningLoss, TrainingState } from "./types.ts";
import { decodeNumber, encodeNumber } from "./_io.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The `format` field of every checkpoint this trainer writes.
 *
 * @category model
 */
export const CHECKPOINT_FORMAT = "hyperion-checkpoint";

/**
 * The checkpoint format version this trainer writes; it reads this version and older ones.
 *
 * @category model
 */
export const CHECKPOINT_VERSION = 1;

/**
 * The position of the JSON-lines log when a checkpoint was written, so that a resumed run
 * drops lines written after it and continues the same file.
 *
 * @category model
 */
export interface CheckpointLog {
  /** The log's file name inside the log folder. */
  readonly file: string;
  /** The log's length in bytes. */
  readonly bytes: number;
}

/**
 * A checkpoint as read from its file.
 *
 * @category model
 */
export interface Checkpoint {
  /** Always {@link CHECKPOINT_FORMAT}. */
  readonly format: typeof CHECKPOINT_FORMAT;
  /** The format version it was written with. */
  readonly version: number;
  /** The save name of the model it belongs to. */
  readonly saveName: string;
  /** Where training was. */
  readonly trainingState: TrainingState;
  /** The model's state dict. */
  readonly model: JsonValue;
  /** The trainer generator's state. */
  readonly rng: RngState;
  /** Each plug-in's state dict, by plug-in id. */
  readonly plugins: Readonly<Record<string, JsonValue>>;
  /** The log position, when a log was written. */
  readonly log: CheckpointLog | null;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The path of the latest checkpoint of `saveName` under `chkptRoot` (highest epoch, then
 * highest iteration), or `undefined` when there is none. Other files are ignored.
 *
 * @example Find the latest checkpoint
 * ```ts
 * import { findLatestCheckpoint } from "@hyperion/tune/trainer";
 * import { join } from "node:path";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(join(root, "net"));
 * for (const name of ["net_epoch_2_iter_20.json", "net_epoch_10_iter_100.json", "notes.txt"]) {
 *   await Deno.writeTextFile(join(root, "net", name), "{}");
 * }
 * const latest = await findLatestCheckpoint(root, "net")();
 * assert.deepEqual(latest, { _tag: "Right", right: join(root, "net", "net_epoch_10_iter_100.json") });
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @category queries
 */
export function findLatestCheckpoint(
  chkptRoot: string,
  saveName: string,
): TaskEither<HyperionError, string | undefined> {
  return async () => {
    const dir = join(chkptRoot, saveName);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return right(undefined);
      return left(storageError(`list the checkpoints in '${dir}'`, e));
    }
    let best: { name: string; epoch: number; iteration: number } | undefined;
    for (const name of names) {
      const parsed = parseCheckpointFileName(name);
      if (parsed === undefined || parsed.saveName !== saveName) continue;
      if (
        best === undefined || parsed.epoch > best.epoch ||
        (parsed.epoch === best.epoch && parsed.iteration > best.iteration)
      ) {
        best = { name, epoch: parsed.epoch, iteration: parsed.iteration };
      }
    }
    return right(best === undefined ? undefined : join(dir, best.name));
  };
}

/**
 * Reads and validates a checkpoint file. `Left` `CorruptCheckpoint` naming the file when it
 * cannot be read, is not JSON, was not written by this trainer, was written by a newer
 * format version, or (with `expectedSaveName`) belongs to another save name.
 *
 * @example A foreign file is rejected
 * ```ts
 * import { readCheckpoint } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const file = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(file, JSON.stringify({ hello: "world" }));
 * const result = await readCheckpoint(file)();
 * assert.ok(result._tag === "Left" && result.left._tag === "CorruptCheckpoint");
 * await Deno.remove(file);
 * ```
 *
 * @category queries
 */
export function readCheckpoint(
  path: string,
  expectedSaveName?: string,
): TaskEither<HyperionError, Checkpoint> {
  return async () => {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      return left(corruptCheckpoint(path, "the file cannot be read", e));
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return left(corruptCheckpoint(path, "it is not valid JSON", e));
    }
    const decoded = decodeCheckpoint(raw);
    if (typeof decoded === "string") return left(corruptCheckpoint(path, decoded));
    if (expectedSaveName !== undefined && decoded.saveName !== expectedSaveName) {
      return left(
        corruptCheckpoint(
          path,
          `it belongs to save name '${decoded.saveName}', not '${expectedSaveName}'`,
        ),
      );
    }
    return right(decoded);
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The file name of the checkpoint of `saveName` at `epoch` and `iteration`.
 *
 * @example
 * ```ts
 * import { checkpointFileName } from "./checkpoint.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkpointFileName("net", 2, 25), "net_epoch_2_iter_25.json");
 * ```
 *
 * @category utils
 */
export function checkpointFileName(saveName: string, epoch: number, iteration: number): string {
  return `${saveName}_epoch_${epoch}_iter_${iteration}.json`;
}

/**
 * The save name, epoch and iteration a checkpoint file name encodes, or `undefined` when it
 * is not a checkpoint file name.
 *
 * @example
 * ```ts
 * import { parseCheckpointFileName } from "./checkpoint.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseCheckpointFileName("net_trial-3_epoch_2_iter_25.json"), {
 *   saveName: "net_trial-3",
 *   epoch: 2,
 *   iteration: 25,
 * });
 * assert.equal(parseCheckpointFileName("net_epoch_2_iter_25.json.123.tmp"), undefined);
 * ```
 *
 * @category utils
 */
export function parseCheckpointFileName(
  name: string,
): { readonly saveName: string; readonly epoch: number; readonly iteration: number } | undefined {
  const m = /^(.+)_epoch_(\d+)_iter_(\d+)\.json$/.exec(name);
  if (m === null) return undefined;
  return { saveName: m[1] as string, epoch: Number(m[2]), iteration: Number(m[3]) };
}

/**
 * The JSON document of a checkpoint, as `fit` writes it (NaN and infinities in the training
 * state are written as strings). Not re-exported by the entry point.
 *
 * @category utils
 */
export function encodeCheckpoint(checkpoint: Checkpoint): unknown {
  const ts = checkpoint.trainingState;
  return {
    format: checkpoint.format,
    version: checkpoint.version,
    saveName: checkpoint.saveName,
    trainingState: {
      ...ts,
      lastMetrics: mapValues(ts.lastMetrics, encodeNumber),
      runningLosses: mapValues(
        ts.runningLosses as unknown as Record<string, Readonly<Record<string, RunningLoss>>>,
        (window) => mapValues(window, (r) => ({ sum: encodeNumber(r.sum), count: r.count })),
      ),
    },
    model: checkpoint.model,
    rng: checkpoint.rng,
    plugins: checkpoint.plugins,
    log: checkpoint.log,
  };
}

function mapValues<A, B>(
  record: Readonly<Record<string, A>>,
  f: (a: A) => B,
): Record<string, B> {
  const out: Record<string, B> = {};
  for (const [k, v] of Object.entries(record)) out[k] = f(v);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function decodeCheckpoint(raw: unknown): Checkpoint | string {
  if (!isRecord(raw) || raw.format !== CHECKPOINT_FORMAT) {
    return "it was not written by Hyperion's trainer";
  }
  const version = raw.version;
  if (!isCount(version) || version < 1) return `its format version ${String(version)} is invalid`;
  if (version > CHECKPOINT_VERSION) {
    return `it was written with format version ${version} but this version reads up to ${CHECKPOINT_VERSION}`;
  }
  if (typeof raw.saveName !== "string") return "its 'saveName' is missing";
  const ts = decodeTrainingState(raw.trainingState);
  if (typeof ts === "string") return ts;
  if (!("model" in raw) || !isJsonValue(raw.model)) return "its 'model' state is not JSON";
  if (!isRngState(raw.rng)) return "its 'rng' state is invalid";
  if (!isRecord(raw.plugins) || !isJsonValue(raw.plugins)) return "its 'plugins' field is invalid";
  const log = raw.log;
  if (
    log !== null &&
    !(isRecord(log) && typeof log.file === "string" && log.file.length > 0 &&
      !/[\\/]/.test(log.file) && isCount(log.bytes))
  ) {
    return "its 'log' field is invalid";
  }
  return {
    format: CHECKPOINT_FORMAT,
    version,
    saveName: raw.saveName,
    trainingState: ts,
    model: raw.model,
    rng: raw.rng,
    plugins: raw.plugins as Readonly<Record<string, JsonValue>>,
    log: log === null ? null : { file: log.file as string, bytes: log.bytes as number },
  };
}

function decodeTrainingState(raw: unknown): TrainingState | string {
  if (!isRecord(raw)) return "its 'trainingState' is missing";
  const bad = (field: string) => `its 'trainingState.${field}' is invalid`;
  if (raw.trainUnit !== "epoch" && raw.trainUnit !== "iteration") return bad("trainUnit");
  const counts = [
    "epoch",
    "batchIndex",
    "iteration",
    "globalIteration",
    "validationCycles",
    "earlyStopCount",
  ] as const;
  for (const field of counts) if (!isCount(raw[field])) return bad(field);
  if (typeof raw.epochDone !== "boolean") return bad("epochDone");
  if (!isRecord(raw.lastMetrics)) return bad("lastMetrics");
  const lastMetrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw.lastMetrics)) {
    const x = decodeNumber(v);
    if (x === undefined) return bad(`lastMetrics.${k}`);
    lastMetrics[k] = x;
  }
  if (!isRecord(raw.runningLosses)) return bad("runningLosses");
  const windows: Record<string, Record<string, RunningLoss>> = {};
  for (const name of ["train", "validation", "epoch"] as const) {
    const window = raw.runningLosses[name];
    if (!isRecord(window)) return bad(`runningLosses.${name}`);
    const decoded: Record<string, RunningLoss> = {};
    for (const [k, v] of Object.entries(window)) {
      const sum = isRecord(v) ? decodeNumber(v.sum) : undefined;
      if (sum === undefined || !isRecord(v) || !isCount(v.count)) {
        return bad(`runningLosses.${name}.${k}`);
      }
      decoded[k] = { sum, count: v.count };
    }
    windows[name] = decoded;
  }
  const runningLosses = windows as unknown as LossWindows;
  const by = raw.stopRequestedBy;
  if (by !== null && typeof by !== "string") return bad("stopRequestedBy");
  return {
    trainUnit: raw.trainUnit,
    epoch: raw.epoch as number,
    epochDone: raw.epochDone,
    batchIndex: raw.batchIndex as number,
    iteration: raw.iteration as number,
    globalIteration: raw.globalIteration as number,
    validationCycles: raw.validationCycles as number,
    earlyStopCount: raw.earlyStopCount as number,
    lastMetrics,
    runningLosses,
    stopRequestedBy: by,
  };
}
