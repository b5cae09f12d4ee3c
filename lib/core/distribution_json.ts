/**
 * Optuna's JSON form of a distribution (`distribution_json`, as stored in the `trial_params`
 * table): {@link distributionToJson} writes it with the attribute order and number formatting of
 * Python's `json.dumps`; {@link distributionFromJson} reads it, deprecated class names and the
 * abbreviated `{"type": ...}` form included.
 *
 * @example Round-trip a distribution
 * ```ts
 * import { distributionFromJson, distributionToJson, floatDistribution, getOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const d = getOrThrow(floatDistribution(0, 1, { step: 0.25 }));
 * const json = distributionToJson(d);
 * assert.equal(json, '{"name": "FloatDistribution", "attributes": {"step": 0.25, "low": 0.0, "high": 1.0, "log": false}}');
 * assert.deepEqual(getOrThrow(distributionFromJson(json)), d);
 * ```
 *
 * @module
 */
import { type Either, left } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import { show } from "../error_base.ts";
import { invalidDistribution } from "./errors.ts";
import {
  type JsonValue,
  type ParamValue,
  parsePythonJson,
  pythonFloat,
  pythonJson,
} from "./json.ts";
import {
  categoricalDistribution,
  type Distribution,
  floatDistribution,
  intDistribution,
} from "./distributions.ts";

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Optuna's `distribution_json`: `{"name": "FloatDistribution", "attributes": {...}}` with the
 * attribute order and number formatting of Python's `json.dumps`.
 *
 * @category utils
 */
export function distributionToJson(d: Distribution): string {
  switch (d._tag) {
    case "FloatDistribution":
      return `{"name": "FloatDistribution", "attributes": {"step": ${
        d.step === null ? "null" : pythonFloat(d.step)
      }, "low": ${pythonFloat(d.low)}, "high": ${pythonFloat(d.high)}, "log": ${d.log}}}`;
    case "IntDistribution":
      return `{"name": "IntDistribution", "attributes": {"log": ${d.log}, "step": ${d.step}, "low": ${d.low}, "high": ${d.high}}}`;
    case "CategoricalDistribution":
      return `{"name": "CategoricalDistribution", "attributes": {"choices": ${
        pythonJson(d.choices)
      }}}`;
  }
}

/**
 * Parses Optuna's `distribution_json`, including the deprecated class names (Uniform,
 * LogUniform, DiscreteUniform, IntUniform, IntLogUniform) and the abbreviated
 * `{"type": "float" | "int" | "categorical", ...}` form.
 *
 * @category utils
 */
export function distributionFromJson(json: string): Either<HyperionError, Distribution> {
  let parsed: unknown;
  try {
    // Python's json.dumps writes infinite choices as Infinity/-Infinity (read as numbers)
    parsed = parsePythonJson(json, null);
  } catch (e) {
    return left(invalidDistribution(
      `Cannot parse distribution JSON ${show(json)}: ${(e as Error).message}`,
      undefined,
    ));
  }
  const o = parsed as Record<string, JsonValue> | null;
  if (typeof o !== "object" || o === null) {
    return left(invalidDistribution(`Cannot parse distribution JSON ${show(json)}`, undefined));
  }
  if (typeof o.type === "string") {
    const num = (k: string) => o[k] as number;
    switch (o.type) {
      case "float":
        return floatDistribution(num("low"), num("high"), {
          log: o.log === true,
          step: typeof o.step === "number" ? o.step : undefined,
        });
      case "int":
        return intDistribution(num("low"), num("high"), {
          log: o.log === true,
          step: typeof o.step === "number" ? o.step : 1,
        });
      case "categorical":
        return categoricalDistribution(o.choices as ReadonlyArray<ParamValue>);
    }
  }
  const a = (o.attributes ?? {}) as Record<string, JsonValue>;
  const n = (k: string) => a[k] as number;
  switch (o.name) {
    case "FloatDistribution":
      return floatDistribution(n("low"), n("high"), {
        log: a.log === true,
        step: typeof a.step === "number" ? a.step : undefined,
      });
    case "IntDistribution":
      return intDistribution(n("low"), n("high"), {
        log: a.log === true,
        step: typeof a.step === "number" ? a.step : 1,
      });
    case "CategoricalDistribution":
      return categoricalDistribution(a.choices as ReadonlyArray<ParamValue>);
    case "UniformDistribution":
      return floatDistribution(n("low"), n("high"));
    case "LogUniformDistribution":
      return floatDistribution(n("low"), n("high"), { log: true });
    case "DiscreteUniformDistribution":
      return floatDistribution(n("low"), n("high"), { step: n("q") });
    case "IntUniformDistribution":
      return intDistribution(n("low"), n("high"), {
        step: typeof a.step === "number" ? a.step : 1,
      });
    case "IntLogUniformDistribution":
      return intDistribution(n("low"), n("high"), { log: true });
  }
  return left(invalidDistribution(
    `Cannot parse distribution JSON ${show(json)}: unknown distribution ${show(o.name)}`,
    undefined,
  ));
}
