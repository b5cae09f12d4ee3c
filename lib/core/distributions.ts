/**
 * Distributions: the domains parameters are drawn from, with Optuna's validation rules,
 * internal representation (a float; categoricals store the choice index) and compatibility
 * checks. Their JSON form (Optuna's `distribution_json`) is in `distribution_json.ts`.
 *
 * @example Build and validate distributions
 * ```ts
 * import { floatDistribution, intDistribution, isRight } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const lr = floatDistribution(1e-5, 1e-1, { log: true });
 * assert.ok(isRight(lr));
 * const bad = intDistribution(5, 1);
 * assert.equal(bad._tag, "Left");
 * // Optuna lowers 'high' to the last point of the step grid
 * const stepped = floatDistribution(0, 1, { step: 0.3 });
 * assert.ok(isRight(stepped) && stepped.right.high === 0.9);
 * ```
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import { show } from "../error_base.ts";
import { incompatibleDistribution, invalidDistribution } from "./errors.ts";
import type { ParamValue } from "./json.ts";
import { adjustHigh, decimalRangeBelowStep } from "./_decimal.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A real-valued domain `[low, high]`, optionally on a log scale or a step grid.
 *
 * @category model
 */
export interface FloatDistribution {
  /** Discriminant, Optuna's class name. */
  readonly _tag: "FloatDistribution";
  /** Lower bound, inclusive. */
  readonly low: number;
  /** Upper bound, inclusive (lowered to the step grid when `step` is set). */
  readonly high: number;
  /** Sample on a log scale (`low > 0`, no step). */
  readonly log: boolean;
  /** Grid step, or `null` for a continuous domain. */
  readonly step: number | null;
}

/**
 * An integer domain `[low, high]` on a step grid, optionally on a log scale (step 1).
 *
 * @category model
 */
export interface IntDistribution {
  /** Discriminant, Optuna's class name. */
  readonly _tag: "IntDistribution";
  /** Lower bound, inclusive. */
  readonly low: number;
  /** Upper bound, inclusive (lowered to the step grid). */
  readonly high: number;
  /** Sample on a log scale (`low >= 1`, step 1). */
  readonly log: boolean;
  /** Grid step (a positive integer). */
  readonly step: number;
}

/**
 * A finite set of choices; the internal representation is the choice's index.
 *
 * @category model
 */
export interface CategoricalDistribution<T extends ParamValue = ParamValue> {
  /** Discriminant, Optuna's class name. */
  readonly _tag: "CategoricalDistribution";
  /** The choices, distinct, in order. */
  readonly choices: ReadonlyArray<T>;
}

/**
 * Any distribution.
 *
 * @category model
 */
export type Distribution = FloatDistribution | IntDistribution | CategoricalDistribution;

/**
 * Options of {@link floatDistribution} and {@link intDistribution}.
 *
 * @category model
 */
export interface NumericDistributionOptions {
  /**
   * Sample on a log scale.
   *
   * @default {false}
   */
  readonly log?: boolean;
  /**
   * Grid step; `undefined` means continuous for floats and 1 for integers.
   *
   * @default {undefined}
   */
  readonly step?: number | undefined;
  /**
   * The parameter's name, used in error messages.
   *
   * @default {undefined}
   */
  readonly name?: string | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

function subject(name: string | undefined): string {
  return name === undefined ? "Cannot create the distribution" : `Cannot suggest '${name}'`;
}

function bad(name: string | undefined, reason: string): Either<HyperionError, never> {
  return left(invalidDistribution(`${subject(name)} as ${reason}`, name));
}

function checkBounds(
  low: number,
  high: number,
  name: string | undefined,
): Either<HyperionError, void> {
  if (typeof low !== "number" || !Number.isFinite(low)) {
    return bad(name, `'low' must be a finite number: current value ${show(low)}`);
  }
  if (typeof high !== "number" || !Number.isFinite(high)) {
    return bad(name, `'high' must be a finite number: current value ${show(high)}`);
  }
  if (low > high) {
    return bad(name, `'low' must not exceed 'high': current values ${low} and ${high}`);
  }
  return right(undefined);
}

/**
 * A float distribution with Optuna's rules: `log` and `step` are exclusive, `low <= high`,
 * `low > 0` on a log scale, `step > 0`, and `high` lowered to the largest `low + k·step` not
 * above it (computed in exact decimal arithmetic, so `step: 0.1` behaves).
 *
 * @category constructors
 */
export function floatDistribution(
  low: number,
  high: number,
  options: NumericDistributionOptions = {},
): Either<HyperionError, FloatDistribution> {
  const { log = false, step, name } = options;
  if (typeof log !== "boolean") {
    return bad(name, `'log' must be a boolean: current value ${show(log)}`);
  }
  if (log && step !== undefined && step !== null) {
    return bad(name, `'step' is not supported when 'log' is true: current step ${show(step)}`);
  }
  const bounds = checkBounds(low, high, name);
  if (bounds._tag === "Left") return bounds;
  if (log && low <= 0) {
    return bad(name, `'low' must be positive when 'log' is true: current value ${low}`);
  }
  if (step === undefined || step === null) {
    return right({ _tag: "FloatDistribution", low, high, log, step: null });
  }
  if (typeof step !== "number" || !Number.isFinite(step) || step <= 0) {
    return bad(name, `'step' must be a positive finite number: current value ${show(step)}`);
  }
  return right({ _tag: "FloatDistribution", low, high: adjustHigh(low, high, step), log, step });
}

/**
 * An int distribution with Optuna's rules: `low <= high`, integer bounds and step,
 * `low >= 1` and `step == 1` on a log scale, `high` lowered to the step grid.
 *
 * @category constructors
 */
export function intDistribution(
  low: number,
  high: number,
  options: NumericDistributionOptions = {},
): Either<HyperionError, IntDistribution> {
  const { log = false, step = 1, name } = options;
  if (typeof log !== "boolean") {
    return bad(name, `'log' must be a boolean: current value ${show(log)}`);
  }
  if (log && step !== 1) {
    return bad(name, `'step' must be 1 when 'log' is true: current value ${show(step)}`);
  }
  const bounds = checkBounds(low, high, name);
  if (bounds._tag === "Left") return bounds;
  if (!Number.isSafeInteger(low)) {
    return bad(name, `'low' must be an integer: current value ${low}`);
  }
  if (!Number.isSafeInteger(high)) {
    return bad(name, `'high' must be an integer: current value ${high}`);
  }
  if (log && low < 1) {
    return bad(name, `'low' must be at least 1 when 'log' is true: current value ${low}`);
  }
  if (typeof step !== "number" || !Number.isSafeInteger(step) || step <= 0) {
    return bad(name, `'step' must be a positive integer: current value ${show(step)}`);
  }
  const adjusted = low + Math.floor((high - low) / step) * step;
  return right({ _tag: "IntDistribution", low, high: adjusted, log, step });
}

/**
 * A categorical distribution over distinct, non-empty `choices` of `null`, booleans, finite
 * numbers or strings.
 *
 * @category constructors
 */
export function categoricalDistribution<const T extends ParamValue>(
  choices: ReadonlyArray<T>,
  options: { readonly name?: string | undefined } = {},
): Either<HyperionError, CategoricalDistribution<T>> {
  const { name } = options;
  if (!Array.isArray(choices)) {
    return bad(name, `'choices' must be an array: current value ${show(choices)}`);
  }
  if (choices.length === 0) return bad(name, "'choices' must contain one or more elements");
  for (let i = 0; i < choices.length; i++) {
    const c: unknown = choices[i];
    const ok = c === null || typeof c === "string" || typeof c === "boolean" ||
      (typeof c === "number" && !Number.isNaN(c));
    if (!ok) {
      return bad(
        name,
        `every choice must be null, a boolean, a number or a string: choice ${i} is ${show(c)}`,
      );
    }
    for (let j = 0; j < i; j++) {
      if (Object.is(choices[j], c)) {
        return bad(name, `'choices' must be distinct: ${show(c)} appears twice`);
      }
    }
  }
  return right({ _tag: "CategoricalDistribution", choices: [...choices] });
}

/**
 * Validates a distribution record built by hand (or read from elsewhere) with the rules of the
 * constructors: a known `_tag`, finite bounds with `low <= high`, a positive `low` on a log
 * scale, a positive step, integer bounds and step for ints, distinct non-empty choices. Returns
 * the record itself when it is what the constructor builds, else the constructor's record (for
 * example with `high` lowered to the step grid). Every storage and `suggestDistribution` use it.
 *
 * @example Reject a hand-built record
 * ```ts
 * import { checkDistribution } from "./distributions.ts";
 * import assert from "node:assert/strict";
 *
 * const bad = checkDistribution({ _tag: "FloatDistribution", low: 1, high: 0, log: false, step: null }, "lr");
 * assert.equal(bad._tag === "Left" && bad.left.message,
 *   "Cannot suggest 'lr' as 'low' must not exceed 'high': current values 1 and 0");
 * ```
 *
 * @category constructors
 */
export function checkDistribution(
  d: unknown,
  name?: string,
): Either<HyperionError, Distribution> {
  if (typeof d !== "object" || d === null) {
    return bad(
      name,
      `the distribution must be a float, int or categorical distribution record: current value ${
        show(d)
      }`,
    );
  }
  const r = d as Record<string, unknown>;
  let built: Either<HyperionError, Distribution>;
  switch (r._tag) {
    case "FloatDistribution":
    case "IntDistribution": {
      const log = r.log ?? false;
      const step = r.step ?? undefined;
      const options = { log, step, name } as NumericDistributionOptions;
      built = r._tag === "FloatDistribution"
        ? floatDistribution(r.low as number, r.high as number, options)
        : intDistribution(r.low as number, r.high as number, options);
      break;
    }
    case "CategoricalDistribution": {
      const c = categoricalDistribution(r.choices as ReadonlyArray<ParamValue>, { name });
      built = c._tag === "Left" ? c : right(c.right as CategoricalDistribution);
      break;
    }
    default:
      return bad(
        name,
        `'_tag' must be 'FloatDistribution', 'IntDistribution' or 'CategoricalDistribution': current value ${
          show(r._tag)
        }`,
      );
  }
  if (built._tag === "Left") return built;
  return distributionEquals(d as Distribution, built.right) ? right(d as Distribution) : built;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * True when the distribution has a single possible value (no randomness is needed).
 *
 * @category queries
 */
export function isSingle(d: Distribution): boolean {
  switch (d._tag) {
    case "FloatDistribution":
      return d.step === null
        ? d.low === d.high
        : d.low === d.high || decimalRangeBelowStep(d.low, d.high, d.step);
    case "IntDistribution":
      return d.log ? d.low === d.high : d.low === d.high || d.high - d.low < d.step;
    case "CategoricalDistribution":
      return d.choices.length === 1;
  }
}

/**
 * True when the internal value lies in the distribution (on its grid, for stepped ones).
 *
 * @category queries
 */
export function contains(d: Distribution, internal: number): boolean {
  if (typeof internal !== "number" || Number.isNaN(internal)) return false;
  switch (d._tag) {
    case "FloatDistribution": {
      if (internal < d.low || internal > d.high) return false;
      if (d.step === null) return true;
      const k = (internal - d.low) / d.step;
      return Math.abs(k - Math.round(k)) < 1e-8;
    }
    case "IntDistribution":
      return Number.isInteger(internal) && internal >= d.low && internal <= d.high &&
        (internal - d.low) % d.step === 0;
    case "CategoricalDistribution":
      return Number.isInteger(internal) && internal >= 0 && internal < d.choices.length;
  }
}

/**
 * True when both distributions are identical (same kind, bounds, step, log and choices).
 *
 * @category queries
 */
export function distributionEquals(a: Distribution, b: Distribution): boolean {
  if (a._tag !== b._tag) return false;
  if (a._tag === "CategoricalDistribution") {
    const bc = (b as CategoricalDistribution).choices;
    return a.choices.length === bc.length && a.choices.every((c, i) => Object.is(c, bc[i]));
  }
  const n = b as FloatDistribution | IntDistribution;
  return a.low === n.low && a.high === n.high && a.log === n.log && a.step === n.step;
}

/**
 * Optuna's compatibility rule for re-suggesting a name: same kind, same `log` flag, same
 * categorical choices (in order); bounds and step may differ.
 *
 * @category queries
 */
export function checkCompatible(
  previous: Distribution,
  next: Distribution,
  name: string,
): Either<HyperionError, void> {
  if (previous._tag !== next._tag) {
    return left(incompatibleDistribution(
      name,
      `its kind must not change: it was ${kindName(previous)} and is now ${kindName(next)}`,
    ));
  }
  if (previous._tag === "CategoricalDistribution") {
    if (!distributionEquals(previous, next)) {
      return left(incompatibleDistribution(
        name,
        `its choices must not change: they were ${show(previous.choices)} and are now ${
          show((next as CategoricalDistribution).choices)
        }`,
      ));
    }
    return right(undefined);
  }
  const n = next as FloatDistribution | IntDistribution;
  if (previous.log !== n.log) {
    return left(incompatibleDistribution(
      name,
      `its 'log' setting must not change: it was ${previous.log} and is now ${n.log}`,
    ));
  }
  return right(undefined);
}

/**
 * `"float"`, `"int"` or `"categorical"`.
 *
 * @category queries
 */
export function kindName(d: Distribution): "float" | "int" | "categorical" {
  return d._tag === "FloatDistribution"
    ? "float"
    : d._tag === "IntDistribution"
    ? "int"
    : "categorical";
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Converts an external value (what the objective sees) to the internal float: the value itself
 * for numbers, the index for categoricals. Rejects NaN, non-numbers, non-positive values on a
 * log scale and unknown choices.
 *
 * @category combinators
 */
export function toInternal(
  d: Distribution,
  value: unknown,
  name?: string,
): Either<HyperionError, number> {
  if (d._tag === "CategoricalDistribution") {
    const i = d.choices.findIndex((c) => Object.is(c, value));
    if (i < 0) {
      return bad(name, `${show(value)} is not one of the choices ${show(d.choices)}`);
    }
    return right(i);
  }
  if (typeof value !== "number" || Number.isNaN(value)) {
    return bad(name, `its value must be a number: current value ${show(value)}`);
  }
  if (d.log && value <= 0) {
    return bad(name, `its value must be positive on a log scale: current value ${value}`);
  }
  return right(value);
}

/**
 * Converts an internal float back to the external value: integers for int distributions
 * (truncated, as Optuna does), the choice for categoricals.
 *
 * @category combinators
 */
export function toExternal(d: Distribution, internal: number): ParamValue {
  switch (d._tag) {
    case "FloatDistribution":
      return internal;
    case "IntDistribution":
      return Math.trunc(internal);
    case "CategoricalDistribution":
      return d.choices[Math.trunc(internal)] as ParamValue;
  }
}
