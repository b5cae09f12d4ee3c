/**
 * A typed search space: describe every parameter once with {@link float}, {@link int} and
 * {@link categorical}, and {@link suggest} returns a record whose type is inferred from the
 * space (`number` for numeric entries, the union of the choices for categorical ones).
 *
 * @example Suggest a whole configuration
 * ```ts
 * import { ask, categorical, createStudy, float, int, runOrThrow, suggest } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const space = {
 *   lr: float(1e-5, 1e-1, { log: true }),
 *   layers: int(1, 4),
 *   activation: categorical(["relu", "tanh"]),
 * };
 * const trial = await runOrThrow(ask(await runOrThrow(createStudy())));
 * const config = await runOrThrow(suggest(trial, space));
 * const act: "relu" | "tanh" = config.activation;
 * assert.ok(config.layers >= 1 && config.layers <= 4 && ["relu", "tanh"].includes(act));
 * ```
 *
 * @module
 */
import { type Either, fromAsync, gen, left, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, storageError } from "../errors.ts";
import {
  type CategoricalDistribution,
  categoricalDistribution,
  type Distribution,
  floatDistribution,
  intDistribution,
  type NumericDistributionOptions,
} from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import { setOwn } from "../storage/rules.ts";
import { suggestDistribution } from "./suggest.ts";
import type { Trial } from "./trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A float entry of a search space.
 *
 * @category model
 */
export interface FloatEntry {
  /** Discriminant. */
  readonly _tag: "float";
  /** Lower bound. */
  readonly low: number;
  /** Upper bound. */
  readonly high: number;
  /** Log scale and step. */
  readonly options: Omit<NumericDistributionOptions, "name">;
}

/**
 * An integer entry of a search space.
 *
 * @category model
 */
export interface IntEntry {
  /** Discriminant. */
  readonly _tag: "int";
  /** Lower bound. */
  readonly low: number;
  /** Upper bound. */
  readonly high: number;
  /** Log scale and step. */
  readonly options: Omit<NumericDistributionOptions, "name">;
}

/**
 * A categorical entry of a search space.
 *
 * @category model
 */
export interface CategoricalEntry<T extends ParamValue> {
  /** Discriminant. */
  readonly _tag: "categorical";
  /** The choices. */
  readonly choices: ReadonlyArray<T>;
}

/**
 * Any entry of a search space.
 *
 * @category model
 */
export type SpaceEntry = FloatEntry | IntEntry | CategoricalEntry<ParamValue>;

/**
 * The record {@link suggest} returns for a space `S`.
 *
 * @category model
 */
export type Suggested<S extends Readonly<Record<string, SpaceEntry>>> = {
  readonly [K in keyof S]: S[K] extends CategoricalEntry<infer T> ? T : number;
};

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A float parameter in `[low, high]`.
 *
 * @category constructors
 */
export function float(
  low: number,
  high: number,
  options: Omit<NumericDistributionOptions, "name"> = {},
): FloatEntry {
  return { _tag: "float", low, high, options };
}

/**
 * An integer parameter in `[low, high]`.
 *
 * @category constructors
 */
export function int(
  low: number,
  high: number,
  options: Omit<NumericDistributionOptions, "name"> = {},
): IntEntry {
  return { _tag: "int", low, high, options };
}

/**
 * A categorical parameter; the literal types of `choices` are kept.
 *
 * @category constructors
 */
export function categorical<const T extends ParamValue>(
  choices: ReadonlyArray<T>,
): CategoricalEntry<T> {
  return { _tag: "categorical", choices };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Suggests every entry of `space` in key order and returns the typed record of values.
 *
 * @category combinators
 */
export function suggest<const S extends Readonly<Record<string, SpaceEntry>>>(
  trial: Trial,
  space: S,
): TaskEither<HyperionError, Suggested<S>> {
  return fromAsync(
    gen(function* (_) {
      if (typeof space !== "object" || space === null || Array.isArray(space)) {
        return yield* _(left(
          invalidArgument({ field: "space", value: space, expected: "a record of entries" }),
        ));
      }
      const out: Record<string, ParamValue> = {};
      for (const [name, entry] of Object.entries(space)) {
        const d = yield* _(entryDistribution(name, entry));
        setOwn(out, name, yield* _(suggestDistribution(trial, name, d)));
      }
      return out as Suggested<S>;
    }),
    (e) => storageError("suggest the search space", e),
  );
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The distribution of a space entry (validated, with errors naming the parameter).
 *
 * @category utils
 */
export function entryDistribution(
  name: string,
  entry: SpaceEntry,
): Either<HyperionError, Distribution> {
  switch (entry?._tag) {
    case "float":
      return floatDistribution(entry.low, entry.high, { ...entry.options, name });
    case "int":
      return intDistribution(entry.low, entry.high, { ...entry.options, name });
    case "categorical": {
      return categoricalDistribution(entry.choices, { name }) as Either<
        HyperionError,
        CategoricalDistribution
      >;
    }
    default:
      return left(invalidArgument({
        field: `space.${name}`,
        value: entry,
        expected: "float(...), int(...) or categorical([...])",
      }));
  }
}
