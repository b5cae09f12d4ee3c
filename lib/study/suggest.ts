/**
 * The define-by-run `suggest*` functions: a value for a parameter of a live trial, from the
 * study's sampler (or an enqueued value, or the value already suggested).
 *
 * @example Suggest a float, an int and a choice
 * ```ts
 * import {
 *   ask, createStudy, runOrThrow, suggestCategorical, suggestFloat, suggestInt,
 * } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const trial = await runOrThrow(ask(await runOrThrow(createStudy())));
 * const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
 * const n = await runOrThrow(suggestInt(trial, "n", 1, 3));
 * const act = await runOrThrow(suggestCategorical(trial, "act", ["relu", "tanh"]));
 * assert.ok(x >= 0 && x <= 1 && [1, 2, 3].includes(n) && ["relu", "tanh"].includes(act));
 * ```
 *
 * @module
 */
import type { Either, TaskEither } from "../effect/mod.ts";
import { type HyperionError, show } from "../errors.ts";
import {
  type CategoricalDistribution,
  categoricalDistribution,
  checkDistribution,
  type Distribution,
  floatDistribution,
  intDistribution,
  type NumericDistributionOptions,
} from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import { guard } from "./_live.ts";
import { checkName, suggestNow } from "./_suggest.ts";
import type { Trial } from "./trial.ts";

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

/** `'name'` for messages, whatever `name` is (a symbol, an object, …). */
function quoted(name: unknown): string {
  return typeof name === "string" ? `'${name}'` : show(name);
}

/** Checks the name, builds the distribution, suggests; `T` is the caller's value type. */
function suggestChecked<T extends ParamValue>(
  trial: Trial,
  name: string,
  distribution: () => Either<HyperionError, Distribution>,
): TaskEither<HyperionError, T> {
  return guard(`suggest ${quoted(name)}`, () => {
    const named = checkName(name);
    if (named._tag === "Left") return Promise.resolve(named);
    const d = distribution();
    if (d._tag === "Left") return Promise.resolve(d);
    return suggestNow(trial, name, d.right) as Promise<Either<HyperionError, T>>;
  });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Suggests a value for `name` from `distribution`, following Optuna's order: a value already
 * set in this trial (after a compatibility check), an enqueued fixed value, the single value
 * of a one-point domain, the relative sample, then the sampler's independent sample. Returns the
 * external value.
 *
 * @category combinators
 */
export function suggestDistribution(
  trial: Trial,
  name: string,
  distribution: Distribution,
): TaskEither<HyperionError, ParamValue> {
  return suggestChecked(trial, name, () => checkDistribution(distribution, name));
}

/**
 * Suggests a float in `[low, high]` (log scale or step grid with the options).
 *
 * @example Suggest a learning rate on a log scale
 * ```ts
 * import { ask, createStudy, runOrThrow, suggestFloat } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const trial = await runOrThrow(ask(await runOrThrow(createStudy())));
 * const lr = await runOrThrow(suggestFloat(trial, "lr", 1e-5, 1e-1, { log: true }));
 * assert.ok(lr >= 1e-5 && lr <= 1e-1);
 * const bad = await suggestFloat(trial, "m", 1, 0)();
 * assert.equal(bad._tag === "Left" && bad.left.message,
 *   "Cannot suggest 'm' as 'low' must not exceed 'high': current values 1 and 0");
 * ```
 *
 * @category combinators
 */
export function suggestFloat(
  trial: Trial,
  name: string,
  low: number,
  high: number,
  options: Omit<NumericDistributionOptions, "name"> = {},
): TaskEither<HyperionError, number> {
  return suggestChecked(trial, name, () => floatDistribution(low, high, { ...options, name }));
}

/**
 * Suggests an integer in `[low, high]` (log scale or step grid with the options).
 *
 * @category combinators
 */
export function suggestInt(
  trial: Trial,
  name: string,
  low: number,
  high: number,
  options: Omit<NumericDistributionOptions, "name"> = {},
): TaskEither<HyperionError, number> {
  return suggestChecked(trial, name, () => intDistribution(low, high, { ...options, name }));
}

/**
 * Suggests one of `choices`; the result's type is the union of the choices' literal types.
 *
 * @example Typed choices
 * ```ts
 * import { ask, createStudy, runOrThrow, suggestCategorical } from "@hyperion/tune";
 *
 * const trial = await runOrThrow(ask(await runOrThrow(createStudy())));
 * const act: "relu" | "tanh" = await runOrThrow(suggestCategorical(trial, "act", ["relu", "tanh"]));
 * ```
 *
 * @category combinators
 */
export function suggestCategorical<const T extends ParamValue>(
  trial: Trial,
  name: string,
  choices: ReadonlyArray<T>,
): TaskEither<HyperionError, T> {
  return suggestChecked(
    trial,
    name,
    () =>
      categoricalDistribution(choices, { name }) as Either<HyperionError, CategoricalDistribution>,
  );
}
