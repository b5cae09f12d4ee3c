/**
 * Samplers as data. A {@link Sampler} is a plain JSON record `{ kind, options, state }`; the
 * pure functions that sample are a {@link SamplerImpl} value, found by `kind` in a
 * {@link SamplerKinds} record (the built-in ones are `BUILTIN_SAMPLERS`, in `catalog.ts`; a
 * study is given its own with `createStudy({ samplerKinds })`). Checkpointing a sampler is
 * `JSON.stringify`; restoring one with `samplerFromSnapshot` never executes code from the
 * snapshot. Nothing is registered anywhere as a side effect of importing a module.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { JsonValue } from "../core/json.ts";
import type { SearchSpace } from "../core/search_space.ts";
import type { Direction, StudyRecord } from "../core/study.ts";
import type { Attrs, FrozenTrial, TrialState } from "../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A sampler: its kind, its (immutable) options and its state, all JSON.
 *
 * The built-in samplers hold no random stream: every random number of trial `n` is drawn
 * from `rngFor(seed, n, key)` (lib/random/rng.ts), the key naming the purpose (`"param:<name>"` for an
 * independent draw, `"relative"` for a joint sample, `"grid"` for a grid point). A trial's
 * suggestions therefore depend only on the seed and options, its number and the trials the
 * sampler sees; a snapshot taken at any time, or a fresh sampler with the same seed, continues
 * a study exactly, and there is no stream position that a crash could lose.
 *
 * @category model
 */
export interface Sampler {
  /** The kind whose functions sample (`"random"`, `"tpe"`, …): a key of a {@link SamplerKinds}. */
  readonly kind: string;
  /**
   * Configuration, fixed at construction, including the seed (drawn from the platform's
   * entropy at construction when none was given, so that every sampler record replays).
   */
  readonly options: JsonValue;
  /**
   * State that a sampler kind may carry from trial to trial (returned by its functions and
   * kept by the study). The built-in samplers keep it `{}` and never change it: what they need
   * is derived from the seed, the trial number and the trials (see above).
   */
  readonly state: JsonValue;
}

/**
 * What a sampler sees: the study, its trials (a snapshot taken when the trial was asked; for
 * Hyperband, only the trial's bracket) and the live trial with the parameters set so far.
 *
 * @category model
 */
export interface SamplerContext {
  /** The study record (attributes as of the trial's start). */
  readonly study: StudyRecord;
  /** The study's directions. */
  readonly directions: ReadonlyArray<Direction>;
  /** The study's trials, ordered by number (the live trial included, as RUNNING). */
  readonly trials: ReadonlyArray<FrozenTrial>;
  /** The live trial. */
  readonly trial: FrozenTrial;
}

/**
 * The result of a sampling function: a value and the sampler's next state.
 *
 * @category model
 */
export interface Sampled<A> {
  /** The sampled value. */
  readonly value: A;
  /** The sampler's next state. */
  readonly state: JsonValue;
  /**
   * System attributes to set on the trial (relative samples only; for example TPE's
   * `tpe:relative_params:<i>`, which lets other workers see a running trial's whole sample).
   */
  readonly trialSystemAttrs?: Attrs;
}

/**
 * The result of a sampler hook: the next state and what the runtime should write or do.
 *
 * @category model
 */
export interface SamplerHookResult {
  /** The sampler's next state. */
  readonly state: JsonValue;
  /** System attributes to set on the trial. */
  readonly trialSystemAttrs?: Attrs;
  /** System attributes to set on the study. */
  readonly studySystemAttrs?: Attrs;
  /** Ask `optimize` to stop after this trial (for example, a grid is exhausted). */
  readonly stopStudy?: boolean;
}

/**
 * The pure functions of a sampler kind. Only `validate` and `sampleIndependent` are required.
 *
 * @category model
 */
export interface SamplerImpl {
  /** The kind (the key of this value in a {@link SamplerKinds} record). */
  readonly kind: string;
  /**
   * Whether the sampler reads the trial history (random sampling does not, which saves
   * reading every trial from the storage).
   */
  readonly needsHistory: boolean;
  /**
   * Whether the sampler sees every trial of the study even when the pruner hands samplers only
   * some (`Pruner.samplerTrials`, Hyperband's brackets): grid and brute force must, to cover
   * their space exactly once (Optuna's issue #2327).
   *
   * @default {false}
   */
  readonly seesAllTrials?: boolean;
  /**
   * Whether the sampler's functions may read the live trial's own parameters so far
   * (`ctx.trial.params` and `ctx.trial.distributions`) during a suggest. A kind that never
   * does (it reads the trial's number or attributes only) says `false`: it is then given the
   * live record as it is, and a trial's later parameters are added to that record in place
   * (O(p) per trial rather than O(p²)), so it must not keep the record either.
   *
   * @default {true}
   */
  readonly readsTrialParams?: boolean;
  /**
   * Validates options and state of a snapshot before it is used and returns the record to use
   * (a snapshot of an older shape may be normalised; the built-in kinds accept the former
   * xoshiro stream states in `state` and drop them).
   */
  readonly validate: (sampler: Sampler) => Either<HyperionError, Sampler>;
  /**
   * Creates what the kind keeps between calls for one study, for speed only (memos, buffers):
   * the study handle holds one per sampler and passes it as the hooks' last argument. Results
   * must not depend on it; hooks called without one work as with a fresh one.
   */
  readonly createWorkspace?: () => unknown;
  /** Called when a trial starts (after it is created or claimed). */
  readonly beforeTrial?: (
    sampler: Sampler,
    ctx: SamplerContext,
    workspace?: unknown,
  ) => Either<HyperionError, SamplerHookResult>;
  /** The search space for relative sampling (empty: none). */
  readonly inferRelativeSearchSpace?: (
    sampler: Sampler,
    ctx: SamplerContext,
    workspace?: unknown,
  ) => SearchSpace;
  /** Samples the relative search space jointly; values are internal representations. */
  readonly sampleRelative?: (
    sampler: Sampler,
    ctx: SamplerContext,
    space: SearchSpace,
    workspace?: unknown,
  ) => Either<HyperionError, Sampled<Readonly<Record<string, number>>>>;
  /** Samples one parameter; the value is the internal representation. */
  readonly sampleIndependent: (
    sampler: Sampler,
    ctx: SamplerContext,
    param: { readonly name: string; readonly distribution: Distribution },
    workspace?: unknown,
  ) => Either<HyperionError, Sampled<number>>;
  /** Called when a trial finishes, before its state is written. */
  readonly afterTrial?: (
    sampler: Sampler,
    ctx: SamplerContext,
    outcome: { readonly state: TrialState; readonly values: ReadonlyArray<number> | null },
    workspace?: unknown,
  ) => Either<HyperionError, SamplerHookResult>;
}

/**
 * The sampler kinds a study can run: kind → its functions. Each key equals its value's `kind`.
 * Pass `{ ...BUILTIN_SAMPLERS, [mine.kind]: mine }` to `createStudy`, `loadStudy`,
 * `samplerFromSnapshot` or `restoreSampler` to use a sampler kind of your own.
 *
 * @category model
 */
export type SamplerKinds = Readonly<Record<string, SamplerImpl>>;

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Checks that `value` is a plain object, for `validate` functions.
 *
 * @category utils
 */
export function expectObject(
  value: unknown,
  field: string,
): Either<HyperionError, Readonly<Record<string, JsonValue>>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return left(invalidArgument({ field, value, expected: "an object" }));
  }
  return right(value as Readonly<Record<string, JsonValue>>);
}

/**
 * Checks an optional integer seed option.
 *
 * @category utils
 */
export function checkSeed(seed: unknown): Either<HyperionError, number | undefined> {
  if (seed === undefined || seed === null) return right(undefined);
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    return left(invalidArgument({ field: "seed", value: seed, expected: "an integer" }));
  }
  return right(seed);
}
