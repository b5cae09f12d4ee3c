/**
 * The built-in sampler kinds as a value, and the queries that find a sampler's functions in a
 * {@link SamplerKinds} record. Nothing is registered by importing a module: a study runs the
 * kinds it is given (`createStudy({ samplerKinds })`, {@link BUILTIN_SAMPLERS} by default).
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, unknownSamplerKind } from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import { bruteForceSamplerImpl } from "./brute_force.ts";
import { gpSamplerImpl } from "./gp/mod.ts";
import { gridSamplerImpl } from "./grid.ts";
import { nsgaIIISamplerImpl, nsgaIISamplerImpl } from "./nsga/mod.ts";
import { makePartialFixedSamplerImpl } from "./partial_fixed.ts";
import { qmcSamplerImpl } from "./qmc/mod.ts";
import { randomSamplerImpl } from "./random.ts";
import { tpeSamplerImpl } from "./tpe/mod.ts";
import { cmaEsSamplerImpl } from "./cmaes/mod.ts";
import { makeAutoSamplerImpl } from "./auto/mod.ts";
import type { Sampler, SamplerImpl, SamplerKinds } from "./sampler.ts";
import { isPlainObject, uncheckedJson } from "./_utils.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link samplerFromSnapshot}.
 *
 * @category model
 */
export interface SamplerFromSnapshotOptions {
  /**
   * The sampler kinds a snapshot may name (add your own kinds to the built-in ones).
   *
   * @default {BUILTIN_SAMPLERS}
   */
  readonly samplerKinds?: SamplerKinds | undefined;
}

// -------------------------------------------------------------------------------------
// constants
// -------------------------------------------------------------------------------------

/**
 * The built-in sampler kinds: `random`, `tpe`, `grid`, `qmc`, `bruteForce`, `cmaEs`, `nsgaII`,
 * `nsgaIII`, `gp`, `partialFixed` (whose base sampler is one of these kinds) and `auto` (which
 * delegates to `random`, `gp`, `tpe`, `cmaEs`, `nsgaII` and `nsgaIII`).
 *
 * @example Run a sampler kind of your own beside the built-in ones
 * ```ts
 * import { BUILTIN_SAMPLERS, createStudy, right, runOrThrow, type SamplerImpl } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const lowest: SamplerImpl = {
 *   kind: "lowest",
 *   needsHistory: false,
 *   validate: (sampler) => right(sampler),
 *   sampleIndependent: (sampler, _ctx, { distribution }) =>
 *     right({ value: distribution._tag === "CategoricalDistribution" ? 0 : distribution.low, state: sampler.state }),
 * };
 * const study = await runOrThrow(createStudy({
 *   sampler: { kind: "lowest", options: {}, state: {} },
 *   samplerKinds: { ...BUILTIN_SAMPLERS, lowest },
 * }));
 * assert.equal(study.studyName.startsWith("no-name-"), true);
 * ```
 *
 * @category constants
 */
export const BUILTIN_SAMPLERS: SamplerKinds = Object.freeze({
  random: randomSamplerImpl,
  tpe: tpeSamplerImpl,
  grid: gridSamplerImpl,
  qmc: qmcSamplerImpl,
  bruteForce: bruteForceSamplerImpl,
  cmaEs: cmaEsSamplerImpl,
  nsgaII: nsgaIISamplerImpl,
  nsgaIII: nsgaIIISamplerImpl,
  partialFixed: makePartialFixedSamplerImpl(() => BUILTIN_SAMPLERS),
  gp: gpSamplerImpl,
  auto: makeAutoSamplerImpl(() => BUILTIN_SAMPLERS),
});

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Rebuilds a sampler from a snapshot (a JSON string or the parsed value): checks that its kind
 * is one of `samplerKinds` and its options and state are valid. Nothing in the snapshot is
 * executed.
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
export function samplerFromSnapshot(
  json: string | JsonValue,
  options: SamplerFromSnapshotOptions = {},
): Either<HyperionError, Sampler> {
  return genEither(function* (_) {
    const kinds = yield* _(checkSamplerKinds(options?.samplerKinds));
    const sampler = yield* _(parseSnapshot(json));
    const impl = yield* _(samplerImpl(sampler, kinds));
    return yield* _(impl.validate(sampler));
  });
}

/** The sampler record of a snapshot (JSON text or a parsed value), unchecked but for its shape. */
function parseSnapshot(json: string | JsonValue): Either<HyperionError, Sampler> {
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
    !isPlainObject(value) || typeof value.kind !== "string" || !("options" in value) ||
    !("state" in value)
  ) {
    return left(invalidArgument({
      field: "snapshot",
      value,
      expected: "an object with 'kind', 'options' and 'state'",
    }));
  }
  return right({
    kind: value.kind,
    options: uncheckedJson(value.options),
    state: uncheckedJson(value.state),
  });
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The functions of the sampler's kind in `kinds`; `UnknownSamplerKind` when it has none.
 *
 * @category queries
 */
export function samplerImpl(
  sampler: Sampler,
  kinds: SamplerKinds = BUILTIN_SAMPLERS,
): Either<HyperionError, SamplerImpl> {
  const impl = Object.hasOwn(kinds, sampler.kind) ? kinds[sampler.kind] : undefined;
  return impl ? right(impl) : left(unknownSamplerKind(sampler.kind, registeredSamplerKinds(kinds)));
}

/**
 * The kinds of a {@link SamplerKinds} record, sorted (the built-in ones by default).
 *
 * @category queries
 */
export function registeredSamplerKinds(
  kinds: SamplerKinds = BUILTIN_SAMPLERS,
): ReadonlyArray<string> {
  return Object.keys(kinds).sort();
}

/**
 * Checks a `samplerKinds` argument: `undefined` (the built-in kinds) or a record whose every
 * value is a {@link SamplerImpl} filed under its own `kind`.
 *
 * @category utils
 */
export function checkSamplerKinds(
  value: unknown,
  field = "samplerKinds",
): Either<HyperionError, SamplerKinds> {
  if (value === undefined || value === BUILTIN_SAMPLERS) return right(BUILTIN_SAMPLERS);
  if (!isPlainObject(value)) {
    return left(invalidArgument({ field, value, expected: "a record kind → sampler functions" }));
  }
  const kinds: Record<string, SamplerImpl> = {};
  for (const [kind, impl] of Object.entries(value)) {
    if (!isSamplerImpl(impl, kind)) {
      return left(invalidArgument({
        field: `${field}.${kind}`,
        value: isPlainObject(impl) ? impl.kind : impl,
        expected: `sampler functions {kind: '${kind}', needsHistory, validate, ` +
          "sampleIndependent, …} filed under their own kind",
      }));
    }
    kinds[kind] = impl;
  }
  return right(Object.freeze(kinds));
}

/** True when `value` has the required fields of a {@link SamplerImpl} of kind `kind`. */
function isSamplerImpl(value: unknown, kind: string): value is SamplerImpl {
  return isPlainObject(value) && value.kind === kind && typeof value.needsHistory === "boolean" &&
    typeof value.validate === "function" && typeof value.sampleIndependent === "function";
}
