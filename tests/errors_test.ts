import assert from "node:assert/strict";
import {
  type CorruptCheckpoint,
  corruptCheckpoint,
  describeCause,
  type DuplicatedStudy,
  duplicatedStudy,
  type DuplicatePlugin,
  duplicatePlugin,
  type HyperionError,
  type IncompatibleDistribution,
  incompatibleDistribution,
  type InvalidArgument,
  invalidArgument,
  type InvalidDistribution,
  invalidDistribution,
  type InvalidStudyArgs,
  invalidStudyArgs,
  type InvalidTrainerConfig,
  invalidTrainerConfig,
  isHyperionError,
  matchError,
  type NoCompletedTrials,
  noCompletedTrials,
  type NotPersistentStorage,
  notPersistentStorage,
  type NotSupported,
  notSupported,
  type ObjectiveFailed,
  objectiveFailed,
  type SchemaMismatch,
  schemaMismatch,
  show,
  type StorageError,
  storageError,
  type StudyNotFound,
  studyNotFound,
  tagOf,
  type TrainingFailed,
  trainingFailed,
  type TrialNotFound,
  trialNotFound,
  type TrialNotUpdatable,
  trialNotUpdatable,
  type TrialPruned,
  trialPruned,
  type UnknownSamplerKind,
  unknownSamplerKind,
  type UnknownSuggestType,
  unknownSuggestType,
} from "../lib/errors.ts";

Deno.test("constructors build tagged errors with Deno-style messages", () => {
  assert.equal(
    invalidArgument({ field: "nTrials", value: -1, expected: "a non-negative integer" }).message,
    "Invalid 'nTrials': expected a non-negative integer, got -1",
  );
  assert.equal(studyNotFound("s").message, "Cannot find study 's' in the storage");
  assert.match(duplicatedStudy("s").message, /loadIfExists/);
  assert.equal(
    trialNotUpdatable({ trialNumber: 3, state: "COMPLETE" }).message,
    "Cannot update trial 3 as it has already finished: current state COMPLETE",
  );
  assert.match(unknownSamplerKind("x", ["random"]).message, /known kinds are 'random'/);
  assert.equal(trialPruned()._tag, "TrialPruned");
});

Deno.test("matchError dispatches on the tag and falls back to otherwise", () => {
  const e: HyperionError = studyNotFound("a");
  assert.equal(matchError(e, { StudyNotFound: (x) => x.studyName }, () => "other"), "a");
  assert.equal(
    matchError(trialPruned(), { StudyNotFound: () => "nf" }, (x) => x._tag),
    "TrialPruned",
  );
});

Deno.test("isHyperionError, tagOf and describeCause recognise errors of every shape", () => {
  assert.equal(isHyperionError(trialPruned()), true);
  assert.equal(isHyperionError({ _tag: "Mine", message: "m" }), false);
  assert.equal(tagOf({ _tag: "Mine" }), "Mine");
  assert.equal(tagOf(new TypeError("t")), "TypeError");
  assert.equal(tagOf(42), undefined);
  assert.equal(describeCause(new Error("boom")), "Error: boom");
  assert.equal(describeCause({ _tag: "Mine", message: "m" }), "Mine: m");
  assert.equal(show("x"), "'x'");
  assert.equal(show({ a: 1 }), '{"a":1}');
});

Deno.test("each domain's constructor returns its own variant, and the union recognises all of them", () => {
  // typed as the variant, not the union: a constructor returning HyperionError fails to check
  const built: ReadonlyArray<HyperionError> = [
    ((e: InvalidArgument) => e)(invalidArgument({ field: "f", value: 1, expected: "2" })),
    ((e: InvalidDistribution) => e)(invalidDistribution("m", "x")),
    ((e: IncompatibleDistribution) => e)(incompatibleDistribution("x", "it changed")),
    ((e: TrialNotUpdatable) => e)(trialNotUpdatable({ trialNumber: 1, state: "FAIL" })),
    ((e: NotSupported) => e)(notSupported("prune", "no")),
    ((e: StorageError) => e)(storageError("read", new Error("io"))),
    ((e: StudyNotFound) => e)(studyNotFound("s")),
    ((e: DuplicatedStudy) => e)(duplicatedStudy("s")),
    ((e: SchemaMismatch) => e)(schemaMismatch({ found: "1", expected: "2", advice: "a" })),
    ((e: TrialNotFound) => e)(trialNotFound(3)),
    ((e: UnknownSamplerKind) => e)(unknownSamplerKind("x", [])),
    ((e: InvalidStudyArgs) => e)(invalidStudyArgs("f", "m")),
    ((e: NoCompletedTrials) => e)(noCompletedTrials("s")),
    ((e: TrialPruned) => e)(trialPruned()),
    ((e: ObjectiveFailed) => e)(objectiveFailed(2, new Error("x"))),
    ((e: InvalidTrainerConfig) => e)(invalidTrainerConfig({ field: "f", value: 1, expected: "2" })),
    ((e: DuplicatePlugin) => e)(duplicatePlugin("p")),
    ((e: TrainingFailed) => e)(trainingFailed(new Error("x"), "epoch 1")),
    ((e: CorruptCheckpoint) => e)(corruptCheckpoint("/p", "bad")),
    ((e: UnknownSuggestType) => e)(unknownSuggestType("t")),
    ((e: NotPersistentStorage) => e)(notPersistentStorage("memory:", "resume")),
  ];
  assert.equal(new Set(built.map((e) => e._tag)).size, 21);
  for (const e of built) assert.equal(isHyperionError(e), true, e._tag);
});

Deno.test("UnknownSamplerKind says the kind is not among the study's sampler kinds", () => {
  assert.equal(
    unknownSamplerKind("lowest", ["random", "tpe"]).message,
    "Cannot use sampler of kind 'lowest' as it is not among the study's sampler kinds " +
      "(option 'samplerKinds'): known kinds are 'random', 'tpe'",
  );
  assert.match(unknownSamplerKind("x", []).message, /none is known$/);
});
