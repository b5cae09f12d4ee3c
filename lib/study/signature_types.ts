/**
 * The types the signatures of a study and its trials mention (`Study`, `Trial`, the sampler,
 * pruner and storage records, the effect and error types, ...), re-exported by the entry points
 * built on a study (`@hyperion/tune/importance`, `@hyperion/tune/plugins/optuna`) so that each
 * documents them without the core entry point. Types only; builds on the storage's set.
 *
 * @module
 */
export type * from "../storage/signature_types.ts";
export type { SearchSpace } from "../core/search_space.ts";
export type { PruneDecision, Pruner, PrunerContext } from "../pruners/pruner.ts";
export type { Rng } from "../random/rng.ts";
export type {
  Sampled,
  Sampler,
  SamplerContext,
  SamplerHookResult,
  SamplerImpl,
  SamplerKinds,
} from "../samplers/sampler.ts";
export type { LogEntry, Logger, LogLevel, LogSeverity } from "./logging.ts";
export type { Study, StudyRuntime, TrialLive } from "./study.ts";
export type { ConstraintsFunc } from "./study_args.ts";
export type { Trial } from "./trial.ts";
