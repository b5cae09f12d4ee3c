/**
 * The codec of grid sampler records (private): the options `{searchSpace, seed}` decoded from
 * JSON into typed records, with errors naming the field.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
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
  const space = expectObject(value, "grid.searchSpace");
  if (space._tag === "Left") return space;
  const out: Record<string, ReadonlyArray<ParamValue>> = {};
  for (const [name, values] of Object.entries(space.right)) {
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
    out[name] = checked;
  }
  return right(out);
}

/** Decodes a grid sampler record's options (`{searchSpace, seed}`). */
export function decodeGridOptions(options: JsonValue): Either<HyperionError, GridOptions> {
  const o = expectObject(options, "grid.options");
  if (o._tag === "Left") return o;
  if (Object.hasOwn(o.right, "options")) {
    return left(invalidArgument({
      field: "gridSampler.options",
      value: o.right.options,
      expected: "an object {seed?}",
    }));
  }
  const seed = checkSeed(o.right.seed);
  if (seed._tag === "Left") return seed;
  const searchSpace = decodeGridSpace(o.right.searchSpace);
  if (searchSpace._tag === "Left") return searchSpace;
  return right({ searchSpace: searchSpace.right, seed: seed.right ?? null });
}

/** The sampler record of decoded options. */
export function encodeGrid(o: GridOptions): Sampler {
  return { kind: "grid", options: { searchSpace: o.searchSpace, seed: o.seed }, state: {} };
}
