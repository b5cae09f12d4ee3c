/**
 * The types the SQL storages' signatures mention, re-exported by their entry points
 * (`@hyperion/tune/sqlite`, `@hyperion/tune/postgres`) so that each documents them without
 * the core entry point.
 *
 * @module
 */
export type { Either, Left, Right, TaskEither } from "../effect/mod.ts";
// the error union and its variants (types only: the constructors stay in the core entry point)
export type * from "../error_types.ts";
export type {
  AttrKind,
  CreateStudyArgs,
  FailedTrialCallback,
  GetTrialsOptions,
  HeartbeatOptions,
  SetAttrArgs,
  SetTrialParamArgs,
  SetTrialStateArgs,
  Storage,
  StorageHeartbeatOptions,
  StudyRef,
} from "./storage.ts";
export type { Direction, StudyRecord } from "../core/study.ts";
export type { Attrs, FrozenTrial, TrialState, TrialTemplate } from "../core/trial.ts";
export type {
  CategoricalDistribution,
  Distribution,
  FloatDistribution,
  IntDistribution,
} from "../core/distributions.ts";
export type { JsonValue, ParamValue } from "../core/json.ts";
