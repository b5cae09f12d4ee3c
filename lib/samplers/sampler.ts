/**
 * Samplers as data. A {@link Sampler} is a plain JSON record `{ kind, options, state }`; the
 * pure functions that sample are registered under its `kind` ({@link SamplerImpl}). Checkpointing
 * a sampler is `JSON.stringify`; restoring one with {@link samplerFromSnapshot} never executes
 * code from the snapshot.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, unknownSamplerKind } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { JsonValue } from "../core/json.ts";
import type { SearchSpace } from "../core/search_space.ts";
import type { Direction, StudyRecord } from "../core/study.ts";
import type { Attrs, FrozenTrial, TrialState } from "../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A sampler: its registered kind, its (immutable) options and its state, all JSON.
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
  /** The kind the sampling functions are registered under (`"random"`, `"tpe"`, …). */
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
 * The pure functions of a sampler kind. Only `sampleIndependent` is required.
 *
 * @category model
 */
export interface SamplerImpl {
  /** The kind. */
  readonly kind: string;
  /**
   * Whether the sampler reads the trial history (random sampling does not, which saves
   * reading every trial from the storage).
   */
  readonly needsHistory: boolean;
  /**
   * Validates options and state of a snapshot before it is used and returns the record to use
   * (a snapshot of an older shape may be normalised; the built-in kinds accept the former
   * xoshiro stream states in `state` and drop them).
   */
  readonly validate: (sampler: Sampler) => Either<HyperionError, Sampler>;
  /** Called when a trial starts (after it is created or claimed). */
  readonly beforeTrial?: (
    sampler: Sampler,
    ctx: SamplerContext,
  ) => Either<HyperionError, SamplerHookResult>;
  /** The search space for relative sampling (empty: none). */
  readonly inferRelativeSearchSpace?: (sampler: Sampler, ctx: SamplerContext) => SearchSpace;
  /** Samples the relative search space jointly; values are internal representations. */
  readonly sampleRelative?: (
    sampler: Sampler,
    ctx: SamplerContext,
    space: SearchSpace,
  ) => Either<HyperionError, Sampled<Readonly<Record<string, number>>>>;
  /** Samples one parameter; the value is the internal representation. */
  readonly sampleIndependent: (
    sampler: Sampler,
    ctx: SamplerContext,
    param: { readonly name: string; readonly distribution: Distribution },
  ) => Either<HyperionError, Sampled<number>>;
  /** Called when a trial finishes, before its state is written. */
  readonly afterTrial?: (
    sampler: Sampler,
    ctx: SamplerContext,
    outcome: { readonly state: TrialState; readonly values: ReadonlyArray<number> | null },
  ) => Either<HyperionError, SamplerHookResult>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const registry = new Map<string, SamplerImpl>();

/**
 * Registers the functions of a sampler kind (replacing an earlier registration of the kind).
 * Built-in samplers register themselves when their module is imported.
 *
 * @category constructors
 */
export function registerSampler(impl: SamplerImpl): void {
  registry.set(impl.kind, impl);
}

/**
 * Rebuilds a sampler from a snapshot (a JSON string or the parsed value): checks that its kind
 * is registered and its options and state are valid. Nothing in the snapshot is executed.
 *
 * @example Snapshot and restore a sampler
 * ```ts
 * import { randomSampler, samplerFromSnapshot, isRight } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const snapshot = JSON.stringify(randomSampler({ seed: 1 }));
 * const restored = samplerFromSnapshot(snapshot);
 * assert.ok(isRight(restored) && restored.right.kind === "random");
 * assert.equal(samplerFromSnapshot('{"kind":"nope","options":{},"state":{}}')._tag, "Left");
 * ```
 *
 * @category constructors
 */
export function samplerFromSnapshot(json: string | JsonValue): Either<HyperionError, Sampler> {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (e) {
      return left(invalidArgument({
        field: "snapshot",
        value: json.length > 80 ? `${json.slice(0, 80)}…` : json,
        expected: `sampler JSON (${(e as Error).message})`,
      }));
    }
  }
  if (
    typeof value !== "object" || value === null || Array.isArray(value) ||
    typeof (value as { kind?: unknown }).kind !== "string" ||
    !("options" in value) || !("state" in value)
  ) {
    return left(invalidArgument({
      field: "snapshot",
      value,
      expected: "an object with 'kind', 'options' and 'state'",
    }));
  }
  const v = value as { kind: string; options: JsonValue; state: JsonValue };
  const impl = registry.get(v.kind);
  if (!impl) return left(unknownSamplerKind(v.kind, [...registry.keys()].sort()));
  return impl.validate({ kind: v.kind, options: v.options, state: v.state });
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The functions registered for the sampler's kind.
 *
 * @category queries
 */
export function samplerImpl(sampler: Sampler): Either<HyperionError, SamplerImpl> {
  const impl = registry.get(sampler.kind);
  return impl ? right(impl) : left(unknownSamplerKind(sampler.kind, [...registry.keys()].sort()));
}

/**
 * The kinds registered so far.
 *
 * @category queries
 */
export function registeredSamplerKinds(): ReadonlyArray<string> {
  return [...registry.keys()].sort();
}

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
