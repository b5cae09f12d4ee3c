/**
 * The trainer's and the tuning plug-in's errors: each constructor returns its own variant (the
 * annotations below fail the type check if one returns the whole union), with a Deno-style
 * message, and every variant is still a `HyperionError` recognised by `isHyperionError`.
 */
import assert from "node:assert/strict";
import { type HyperionError, isHyperionError } from "../../lib/errors.ts";
import {
  type CollectiveFailed,
  collectiveFailed,
  type CorruptCheckpoint,
  corruptCheckpoint,
  type DuplicatePlugin,
  duplicatePlugin,
  type InvalidTrainerConfig,
  invalidTrainerConfig,
  type RankFailed,
  rankFailed,
  type TrainingFailed,
  trainingFailed,
} from "../../lib/trainer/errors.ts";
import {
  type NotPersistentStorage,
  notPersistentStorage,
  type UnknownSuggestType,
  unknownSuggestType,
} from "../../lib/plugins/optuna/errors.ts";

Deno.test("trainer error constructors return their own variant with a Deno-style message", () => {
  const config: InvalidTrainerConfig = invalidTrainerConfig({
    field: "totalSteps",
    value: 0,
    expected: "a positive integer or Infinity",
  });
  assert.equal(config.field, "totalSteps");
  assert.equal(
    config.message,
    "Invalid trainer config 'totalSteps': expected a positive integer or Infinity, got 0",
  );
  const duplicate: DuplicatePlugin = duplicatePlugin("optuna");
  assert.equal(duplicate.id, "optuna");
  assert.equal(
    duplicate.message,
    "Cannot register plug-in 'optuna' as a plug-in with that id is already registered",
  );
  const failed: TrainingFailed = trainingFailed(new Error("boom"), "epoch 1, iteration 2 in x");
  assert.equal(failed.at, "epoch 1, iteration 2 in x");
  assert.equal(failed.message, "Training failed at epoch 1, iteration 2 in x: Error: boom");
  const corrupt: CorruptCheckpoint = corruptCheckpoint("/c.json", "it is not valid JSON");
  assert.equal(corrupt.path, "/c.json");
  assert.equal(corrupt.message, "Cannot read checkpoint '/c.json': it is not valid JSON");
  const all: ReadonlyArray<HyperionError> = [config, duplicate, failed, corrupt];
  assert.ok(all.every(isHyperionError));
});

Deno.test("data-parallel error constructors name the rank and the collective", () => {
  const timeout: CollectiveFailed = collectiveFailed({
    reason: "timeout",
    rank: 0,
    culprits: [1],
    detail: "rank 1 did not reach barrier() (operation #3) within 1000 ms",
  });
  assert.deepEqual(timeout.culprits, [1]);
  assert.equal(
    timeout.message,
    "Collective operation failed on rank 0: rank 1 did not reach barrier() (operation #3) within 1000 ms",
  );
  const failed: RankFailed = rankFailed({ rank: 1, worldSize: 2, cause: new Error("boom") });
  assert.equal(failed.rank, 1);
  assert.equal(failed.message, "Rank 1 of 2 failed: Error: boom");
  assert.ok([timeout, failed].every(isHyperionError));
});

Deno.test("plug-in error constructors return their own variant with a Deno-style message", () => {
  const suggest: UnknownSuggestType = unknownSuggestType("uniform");
  assert.equal(suggest.typeName, "uniform");
  assert.equal(
    suggest.message,
    "Cannot suggest with type 'uniform' as it is not one of 'categorical', 'int' or 'float'",
  );
  const storage: NotPersistentStorage = notPersistentStorage("memory://", "tune with the plug-in");
  assert.equal(storage.url, "memory://");
  assert.equal(
    storage.message,
    "Cannot tune with the plug-in as storage 'memory://' is not persistent: use SQLite or PostgreSQL storage",
  );
  const all: ReadonlyArray<HyperionError> = [suggest, storage];
  assert.ok(all.every(isHyperionError));
});
