/**
 * The error union and each of its variants, as types only (the constructors stay with the
 * domains that raise them): re-exported by every entry point whose signatures mention them, so
 * that each entry point documents its errors on its own.
 *
 * @module
 */
export type {
  CollectiveFailed,
  CorruptCheckpoint,
  DuplicatedStudy,
  DuplicatePlugin,
  ErrorBase,
  HyperionError,
  IncompatibleDistribution,
  InvalidArgument,
  InvalidDistribution,
  InvalidStudyArgs,
  InvalidTrainerConfig,
  NoCompletedTrials,
  NotPersistentStorage,
  NotSupported,
  ObjectiveFailed,
  RankFailed,
  SchemaMismatch,
  StorageError,
  StudyNotFound,
  TrainingFailed,
  TrialNotFound,
  TrialNotUpdatable,
  TrialPruned,
  UnknownSamplerKind,
  UnknownSuggestType,
} from "./errors.ts";
