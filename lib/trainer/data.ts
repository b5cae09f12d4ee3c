/**
 * The data module record: where training and validation batches come from. Batches are
 * sync or async iterables, asked for one epoch (or one validation cycle) at a time and from
 * a given batch index, so that a resumed run sees exactly the batches it would have seen.
 *
 * @module
 */
import { left } from "../effect/mod.ts";
import { invalidArgument } from "../errors.ts";
import { rngFromSeed, shuffled } from "../random/rng.ts";
import type { HookResult, TrainingContext } from "./types.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the trainer asks a data module for at the start (or resumption) of an epoch.
 *
 * @category model
 */
export interface TrainBatchRequest {
  /** The epoch (1-based). */
  readonly epoch: number;
  /** The index of the first batch to yield: 0, or where a resumed run left off. */
  readonly start: number;
  /** A seed derived from the trainer's seed and the epoch: shuffle with it. */
  readonly seed: number;
  /** This process's rank: yield this rank's shard. */
  readonly rank: number;
  /** How many processes train together. */
  readonly worldSize: number;
}

/**
 * What the trainer asks a data module for at the start of a validation cycle.
 *
 * @category model
 */
export interface ValidationBatchRequest {
  /** The validation cycle (0-based). */
  readonly cycle: number;
  /** This process's rank. */
  readonly rank: number;
  /** How many processes train together. */
  readonly worldSize: number;
}

/**
 * Batches, as a sync or an async iterable.
 *
 * @category model
 */
export type Batches<T> = Iterable<T> | AsyncIterable<T>;

/**
 * A data module: training batches of type `B` and optional validation batches of type `V`.
 *
 * `trainBatches` must be a function of its request: the same request yields the same
 * batches, starting at batch `start` (this is what makes resume exact).
 *
 * @category model
 */
export interface DataModule<B, V = B> {
  /** Runs once per `fit`, after the plug-ins' setup and before the model's. */
  readonly setup?: (ctx: TrainingContext) => HookResult<void>;
  /** The batches of one epoch, from batch `request.start` on. */
  readonly trainBatches: (request: TrainBatchRequest) => HookResult<Batches<B>>;
  /** The batches of one validation cycle; absent, validation hooks run without batches. */
  readonly validationBatches?: (request: ValidationBatchRequest) => HookResult<Batches<V>>;
}

/**
 * Options of {@link arrayDataModule}.
 *
 * @category model
 */
export interface ArrayDataModuleOptions<T> {
  /**
   * Validation items, batched in order.
   *
   * @default {undefined}
   */
  readonly validation?: ReadonlyArray<T>;
  /**
   * Items per batch (the last batch of an epoch may be smaller).
   *
   * @default {32}
   */
  readonly batchSize?: number;
  /**
   * Shuffle the training items at every epoch with the epoch's seed.
   *
   * @default {true}
   */
  readonly shuffle?: boolean;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A data module over in-memory arrays: each batch is an array of items. Training items are
 * shuffled per epoch with the epoch's seed, then sharded by rank as PyTorch's
 * `DistributedSampler` does: position `i` of the shuffled list goes to rank `i % worldSize`,
 * after the last `length % worldSize` positions are left out of that epoch, so every rank yields
 * the same number of batches, every resumed epoch yields the same batches, and the batches of
 * `worldSize` ranks with `batchSize: b` together hold exactly the items of the single-rank
 * batches with `batchSize: b * worldSize`. Validation items are sharded the same way, unshuffled
 * and without leaving any out.
 *
 * A `batchSize` that is not a positive integer makes `fit` fail with `TrainingFailed`.
 *
 * @example Batches of two, in a fixed order
 * ```ts
 * import { arrayDataModule } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const data = arrayDataModule([1, 2, 3, 4, 5], { batchSize: 2, shuffle: false });
 * const batches = data.trainBatches({ epoch: 1, start: 1, seed: 0, rank: 0, worldSize: 1 });
 * assert.deepEqual([...(batches as Iterable<ReadonlyArray<number>>)], [[3, 4], [5]]);
 * ```
 *
 * @category constructors
 */
export function arrayDataModule<T>(
  train: ReadonlyArray<T>,
  options: ArrayDataModuleOptions<T> = {},
): DataModule<ReadonlyArray<T>> {
  const batchSize = options.batchSize ?? 32;
  const shuffle = options.shuffle ?? true;
  const validation = options.validation;
  const badSize = () =>
    left(invalidArgument({ field: "batchSize", value: batchSize, expected: "a positive integer" }));
  const ok = Number.isInteger(batchSize) && batchSize > 0;
  const base: DataModule<ReadonlyArray<T>> = {
    trainBatches: (request) => {
      if (!ok) return badSize();
      const all = shuffle ? shuffled(rngFromSeed(request.seed), train) : train;
      const usable = all.length - (all.length % request.worldSize);
      const shard = all.slice(0, usable).filter((_, i) => i % request.worldSize === request.rank);
      return chunks(shard, batchSize).slice(request.start);
    },
  };
  if (validation === undefined) return base;
  return {
    ...base,
    validationBatches: (request) => {
      if (!ok) return badSize();
      return chunks(validation.filter((_, i) => i % request.worldSize === request.rank), batchSize);
    },
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function chunks<T>(items: ReadonlyArray<T>, size: number): Array<ReadonlyArray<T>> {
  const out: Array<ReadonlyArray<T>> = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
