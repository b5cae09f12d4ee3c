/**
 * What TPE observes of a trial: its parameters as internal values for a search space (a running
 * trial's shared relative sample included, Optuna's `tpe:relative_params` system attributes).
 *
 * @module
 */
import type { Distribution } from "../../core/distributions.ts";
import { distributionToJson } from "../../core/distribution_json.ts";
import type { ParamValue } from "../../core/json.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import { type Alloc, HEAP } from "../../math/alloc.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A trial's observation for one search space. */
export interface RowEntry {
  /** Internal values in the space's order. */
  readonly row: Float64Array;
}

// -------------------------------------------------------------------------------------
// relative parameters
// -------------------------------------------------------------------------------------

const RELATIVE_PARAMS_KEY = "tpe:relative_params";

/** Length of each chunk of the relative-params system attribute (Optuna's RDB limit). */
export const SYSTEM_ATTR_MAX_LENGTH = 2045;

/** The relative-params system attributes of a trial (JSON split into chunks). */
export function relativeParamsAttrs(
  params: Readonly<Record<string, ParamValue>>,
): Record<string, string> {
  const s = JSON.stringify(params);
  const out: Record<string, string> = {};
  for (let i = 0; i < s.length; i += SYSTEM_ATTR_MAX_LENGTH) {
    out[`${RELATIVE_PARAMS_KEY}:${i / SYSTEM_ATTR_MAX_LENGTH}`] = s.slice(
      i,
      i + SYSTEM_ATTR_MAX_LENGTH,
    );
  }
  return out;
}

/** A trial's parameters, completed with its shared relative sample while it is running. */
export function paramsOf(
  t: FrozenTrial,
  multivariate: boolean,
): Readonly<Record<string, ParamValue>> {
  if (t.state !== "RUNNING" || !multivariate) return t.params;
  let s = "";
  for (let i = 0;; i++) {
    const chunk = t.systemAttrs[`${RELATIVE_PARAMS_KEY}:${i}`];
    if (typeof chunk !== "string" || chunk.length === 0) break;
    s += chunk;
  }
  if (s === "") return t.params;
  try {
    const parsed = JSON.parse(s);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return t.params;
    return { ...parsed, ...t.params };
  } catch {
    return t.params;
  }
}

// -------------------------------------------------------------------------------------
// observations
// -------------------------------------------------------------------------------------

function internalOf(d: Distribution, v: ParamValue | undefined): number {
  if (d._tag === "CategoricalDistribution") {
    for (let c = 0; c < d.choices.length; c++) if (Object.is(d.choices[c], v)) return c;
    return NaN;
  }
  return typeof v === "number" ? v : NaN;
}

/**
 * The observation of a trial for the parameters `names` of `space` (internal values in that
 * order), or null when the trial lacks one of them or holds a value outside a categorical's
 * choices.
 */
export function observationOf(
  params: Readonly<Record<string, ParamValue>>,
  names: ReadonlyArray<string>,
  space: SearchSpace,
): RowEntry | null {
  const row = new Float64Array(names.length);
  for (let d = 0; d < names.length; d++) {
    const name = names[d]!;
    if (!Object.hasOwn(params, name)) return null;
    const v = internalOf(space[name]!, params[name]);
    if (Number.isNaN(v)) return null;
    row[d] = v;
  }
  return { row };
}

/** A key naming a search space (its names and distributions, in order). */
export function spaceKey(names: ReadonlyArray<string>, space: SearchSpace): string {
  let key = "";
  for (const n of names) key += `${n}\u0000${distributionToJson(space[n]!)}\u0001`;
  return key;
}

/** Observation columns (internal values) gathered from row entries. */
export function columnsOf(
  entries: ReadonlyArray<RowEntry>,
  D: number,
  alloc: Alloc = HEAP,
): Float64Array[] {
  const n = entries.length;
  const cols: Float64Array[] = [];
  for (let d = 0; d < D; d++) cols.push(alloc.f64(n));
  for (let i = 0; i < n; i++) {
    const row = entries[i]!.row;
    for (let d = 0; d < D; d++) cols[d]![i] = row[d]!;
  }
  return cols;
}
