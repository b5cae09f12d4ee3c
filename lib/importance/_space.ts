/**
 * The search space an importance is computed over (private): Optuna's `_get_distributions`
 * (the intersection search space of COMPLETE trials, or the requested parameters, which must
 * keep one distribution), the trials that have every parameter and a finite target, and the
 * encoding of a trial as Optuna's `_SearchSpaceTransform(transform_log=False,
 * transform_step=False)` (raw numbers, one-hot categoricals).
 *
 * @module
 */
import { type Either, left, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import { invalidArgument } from "../core/errors.ts";
import { type Distribution, distributionEquals } from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import { intersectionSearchSpace } from "../core/search_space.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { Bounds } from "./_fanova.ts";

/** Optuna's `_get_distributions`, sorted by name. */
export function distributionsOf(
  complete: ReadonlyArray<FrozenTrial>,
  params: ReadonlyArray<string> | undefined,
): Either<HyperionError, ReadonlyArray<readonly [string, Distribution]>> {
  if (params === undefined) return right(Object.entries(intersectionSearchSpace(complete)));
  if (params.length === 0) return right([]);
  let found: Map<string, Distribution> | undefined;
  for (const t of complete) {
    if (!params.every((p) => p in t.distributions)) continue;
    if (found === undefined) {
      found = new Map(params.map((p) => [p, t.distributions[p] as Distribution]));
      continue;
    }
    for (const [p, d] of found) {
      if (!distributionEquals(d, t.distributions[p] as Distribution)) {
        return left(invalidArgument({
          field: "params",
          value: params,
          expected: "parameters whose distribution never changes (a static search space)",
          got: `${JSON.stringify(params)}, whose parameter '${p}' has several distributions`,
        }));
      }
    }
  }
  if (found === undefined) {
    return left(invalidArgument({
      field: "params",
      value: params,
      expected: "parameters that a COMPLETE trial has all together",
    }));
  }
  return right([...found.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The trials that have every one of `names` and a finite target. */
export function usableTrials(
  complete: ReadonlyArray<FrozenTrial>,
  names: ReadonlyArray<string>,
  target: (t: FrozenTrial) => number,
): ReadonlyArray<FrozenTrial> {
  return complete.filter((t) => names.every((n) => n in t.params) && Number.isFinite(target(t)));
}

/** The encoded columns of a search space: bounds and the parameter of each column. */
export interface Encoding {
  readonly bounds: Bounds;
  /** Column → parameter index. */
  readonly columnParam: ReadonlyArray<number>;
  /** Parameter index → its columns. */
  readonly paramColumns: ReadonlyArray<ReadonlyArray<number>>;
  readonly encode: (t: FrozenTrial) => number[];
}

/** Optuna's `_SearchSpaceTransform` without log or step transforms. */
export function encoding(space: ReadonlyArray<readonly [string, Distribution]>): Encoding {
  const bounds: Array<readonly [number, number]> = [];
  const columnParam: number[] = [];
  const paramColumns: number[][] = [];
  space.forEach(([, d], p) => {
    const width = d._tag === "CategoricalDistribution" ? d.choices.length : 1;
    paramColumns.push(Array.from({ length: width }, (_, k) => bounds.length + k));
    for (let k = 0; k < width; k++) {
      columnParam.push(p);
      bounds.push(d._tag === "CategoricalDistribution" ? [0, 1] : [d.low, d.high]);
    }
  });
  const encode = (t: FrozenTrial): number[] => {
    const row: number[] = [];
    for (const [name, d] of space) {
      const v = t.params[name] as ParamValue;
      if (d._tag !== "CategoricalDistribution") row.push(Number(v));
      else d.choices.forEach((c) => row.push(Object.is(c, v) ? 1 : 0));
    }
    return row;
  };
  return { bounds, columnParam, paramColumns, encode };
}
