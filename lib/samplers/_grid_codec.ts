/**
 * The codec of grid sampler records (private): the options `{searchSpace, seed}` decoded from
 * JSON into typed records, with errors naming the field.
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import { checkSeed, expectObject, type Sampler } from "./sampler.ts";

/**
 * A grid: parameter name → the values to try (numbers, strings, booleans or null).
 *
 * @category model
 */
export type GridSpace = Readonly<Record<string, ReadonlyArray<ParamValue>>>;

/** The options of a grid sampler record, decoded. */
export interface GridOptions {
  readonly searchSpace: GridSpace;
  readonly seed: number | null;
}

function isParamValue(v: JsonValue): v is ParamValue {
  return v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean";
}

/** Decodes a grid's search space: name → a non-empty array of parameter values. */
function decodeGridSpace(value: JsonValue | undefined): Either<HyperionError, GridSpace> {
  return genEither(function* (_) {
    const space = yield* _(expectObject(value, "grid.searchSpace"));
    const out: Record<string, ReadonlyArray<ParamValue>> = {};
    for (const [name, values] of Object.entries(space)) {
      out[name] = yield* _(gridValues(name, values));
    }
    return out as GridSpace;
  });
}

/** Checks the values of grid parameter `name`: a non-empty array of parameter values. */
function gridValues(
  name: string,
  values: JsonValue | undefined,
): Either<HyperionError, ReadonlyArray<ParamValue>> {
  if (!Array.isArray(values) || values.length === 0) {
    return left(invalidArgument({
      field: `grid.searchSpace.${name}`,
      value: values,
      expected: "a non-empty array of values",
    }));
  }
  const checked: ParamValue[] = [];
  for (const v of values) {
    if (!isParamValue(v)) {
      return left(invalidArgument({
        field: `grid.searchSpace.${name}`,
        value: v,
        expected: "numbers, strings, booleans or null",
      }));
    }
    checked.push(v);
  }
  return right(checked);
}

/** Decodes a grid sampler record's options (`{searchSpace, seed}`). */
export function decodeGridOptions(options: JsonValue): Either<HyperionError, GridOptions> {
  return genEither(function* (_) {
    const o = yield* _(expectObject(options, "grid.options"));
    if (Object.hasOwn(o, "options")) {
      return yield* _(left(invalidArgument({
        field: "gridSampler.options",
        value: o.options,
        expected: "an object {seed?}",
      })));
    }
    const seed = yield* _(checkSeed(o.seed));
    const searchSpace = yield* _(decodeGridSpace(o.searchSpace));
    return { searchSpace, seed: seed ?? null };
  });
}

/** The sampler record of decoded options. */
export function encodeGrid(o: GridOptions): Sampler {
  return { kind: "grid", options: { searchSpace: o.searchSpace, seed: o.seed }, state: {} };
}
