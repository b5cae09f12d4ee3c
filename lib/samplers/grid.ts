/**
 * Grid search over a given set of values per parameter, as Optuna's `GridSampler`: the
 * Cartesian product of the values (parameter names sorted), visited in a seeded random order,
 * one grid point per trial; the study stops when every point has been evaluated.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, show } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { randomInt, rngFor, rngFromSeed, shuffled } from "../random/rng.ts";
import { expectRngStates, isPlainObject } from "../_internal/sampler_utils.ts";
import { remember } from "../_internal/recent.ts";
import {
  checkSeed,
  expectObject,
  registerSampler,
  type Sampled,
  type Sampler,
  type SamplerContext,
  type SamplerHookResult,
} from "./sampler.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A grid: parameter name → the values to try (numbers, strings, booleans or null).
 *
 * @category model
 */
export type GridSpace = Readonly<Record<string, ReadonlyArray<ParamValue>>>;

/**
 * Options of {@link gridSampler}.
 *
 * @category model
 */
export interface GridSamplerOptions {
  /**
   * Seed of the visiting order (Optuna shuffles with seed 0 when none is given, so the
   * default order is deterministic too). Past the first `n` trials, the unvisited point given
   * to trial `m` is drawn from {@link rngFor}`(seed, m, "grid")`: it depends only on the seed,
   * `m` and the trials, never on the sampler's past.
   *
   * @default {0}
   */
  readonly seed?: number | undefined;
}

interface GridOptionsJson {
  readonly searchSpace: GridSpace;
  readonly seed: number | null;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A grid sampler.
 *
 * **When to use**: small, fully enumerated spaces where every combination should be tried
 * once (ablations, final sweeps over a few values, reproducing a published grid).
 *
 * **What it does**: grid point `i` of the shuffled product is given to trial number `i`
 * (trial system attributes `grid_id` and `search_space`, as Optuna writes them); past the
 * first `n` trials, a random point not yet visited (and not running, when possible). When no
 * point is left, the study stops after the trial (`optimize` ends with reason `"sampler"`).
 *
 * **Gotchas**: the objective must suggest exactly the grid's parameters: a parameter
 * missing from the grid, or a grid value that is not one of a categorical's choices, fails the
 * trial; a numerical value outside the suggested range is used as is (Optuna warns). Enqueued
 * trials must give every parameter. An empty list of values for a parameter is rejected when
 * the study is created. With `concurrency > 1` the last points may be evaluated twice.
 *
 * @example Try every combination once
 * ```ts
 * import { createStudy, gridSampler, map, optimize, runOrThrow, suggestCategorical, suggestFloat, flatMap } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const sampler = gridSampler({ x: [-1, 0, 1], act: ["relu", "tanh"] });
 * const study = await runOrThrow(createStudy({ sampler }));
 * const summary = await runOrThrow(optimize(study, (trial) =>
 *   flatMap(suggestFloat(trial, "x", -1, 1), (x) =>
 *     map(suggestCategorical(trial, "act", ["relu", "tanh"]), (act) => x * x + (act === "relu" ? 0 : 1))),
 *   { nTrials: 100 }));
 * assert.equal(summary.nTrials, 6);
 * ```
 *
 * @category constructors
 */
export function gridSampler(space: GridSpace, options: GridSamplerOptions = {}): Sampler {
  // wrong-typed arguments are kept as they are, for `validate` to report them
  let searchSpace: unknown = space;
  if (isPlainObject(space)) {
    const sorted: Record<string, ReadonlyArray<ParamValue>> = {};
    for (const name of Object.keys(space).sort()) {
      const values = space[name];
      sorted[name] = Array.isArray(values) ? [...values] : values as never;
    }
    searchSpace = sorted;
  }
  const o = isPlainObject(options)
    ? { searchSpace, seed: options.seed ?? null }
    : { searchSpace, seed: null, options };
  return { kind: "grid", options: o as unknown as JsonValue, state: {} };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * Number of grid points of a grid sampler (0 for other samplers).
 *
 * @category queries
 */
export function gridSize(sampler: Sampler): number {
  if (sampler.kind !== "grid") return 0;
  return gridOf(sampler).size;
}

/**
 * True when every grid point has been evaluated by a finished trial of `trials` (Optuna's
 * `is_exhausted`).
 *
 * @example Check a grid
 * ```ts
 * import { gridExhausted, gridSampler } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * assert.equal(gridExhausted(gridSampler({ x: [1, 2] }), []), false);
 * ```
 *
 * @category queries
 */
export function gridExhausted(sampler: Sampler, trials: ReadonlyArray<FrozenTrial>): boolean {
  if (sampler.kind !== "grid") return false;
  return unvisited(gridOf(sampler), trials).length === 0;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

interface Grid {
  readonly names: ReadonlyArray<string>;
  readonly space: GridSpace;
  readonly size: number;
  /** Shuffled position → index in the Cartesian product (last name fastest). */
  readonly perm: Uint32Array;
}

const grids = new Map<string, Grid>();

function gridOf(sampler: Sampler): Grid {
  const o = sampler.options as unknown as GridOptionsJson;
  const key = JSON.stringify(o);
  const hit = grids.get(key);
  if (hit) return hit;
  const names = Object.keys(o.searchSpace).sort();
  let size = 1;
  for (const n of names) size *= o.searchSpace[n]!.length;
  const order = shuffled(rngFromSeed(o.seed ?? 0), Array.from({ length: size }, (_, i) => i));
  const grid: Grid = { names, space: o.searchSpace, size, perm: Uint32Array.from(order) };
  remember(grids, key, grid, 64);
  return grid;
}

/** The value of parameter `name` at grid point `id`. */
function valueAt(grid: Grid, id: number, name: string): ParamValue {
  let index = grid.perm[id]!;
  let value: ParamValue = null;
  for (let d = grid.names.length - 1; d >= 0; d--) {
    const values = grid.space[grid.names[d]!]!;
    const v = values[index % values.length]!;
    index = Math.floor(index / values.length);
    if (grid.names[d] === name) value = v;
  }
  return value;
}

function sameValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || a === b ||
    (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}

function sameSpace(attr: unknown, space: GridSpace): boolean {
  if (typeof attr !== "object" || attr === null || Array.isArray(attr)) return false;
  const a = attr as Record<string, unknown>;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(space).length) return false;
  for (const k of keys) {
    const mine = space[k], theirs = a[k];
    if (!mine || !Array.isArray(theirs) || theirs.length !== mine.length) return false;
    for (let i = 0; i < mine.length; i++) if (!sameValue(mine[i], theirs[i])) return false;
  }
  return true;
}

/** Grid ids not evaluated yet (running ones excluded unless nothing else is left). */
function unvisited(grid: Grid, trials: ReadonlyArray<FrozenTrial>): number[] {
  const visited = new Set<number>(), running = new Set<number>();
  for (const t of trials) {
    const id = t.systemAttrs["grid_id"];
    if (typeof id !== "number" || !sameSpace(t.systemAttrs["search_space"], grid.space)) continue;
    if (t.state === "COMPLETE" || t.state === "PRUNED" || t.state === "FAIL") visited.add(id);
    else if (t.state === "RUNNING") running.add(id);
  }
  const out: number[] = [];
  for (let i = 0; i < grid.size; i++) if (!visited.has(i) && !running.has(i)) out.push(i);
  if (out.length > 0) return out;
  for (let i = 0; i < grid.size; i++) if (!visited.has(i)) out.push(i);
  return out;
}

function validate(sampler: Sampler): Either<HyperionError, Sampler> {
  const o = expectObject(sampler.options, "grid.options");
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
  const space = expectObject(o.right.searchSpace, "grid.searchSpace");
  if (space._tag === "Left") return space;
  for (const [name, values] of Object.entries(space.right)) {
    if (!Array.isArray(values) || values.length === 0) {
      return left(invalidArgument({
        field: `grid.searchSpace.${name}`,
        value: values,
        expected: "a non-empty array of values",
      }));
    }
    for (const v of values) {
      if (!(v === null || ["number", "string", "boolean"].includes(typeof v))) {
        return left(invalidArgument({
          field: `grid.searchSpace.${name}`,
          value: v,
          expected: "numbers, strings, booleans or null",
        }));
      }
    }
  }
  // the state of the older shape (a stream advanced by every draw) is checked and dropped
  const s = expectObject(sampler.state, "grid.state");
  if (s._tag === "Left") return s;
  if (s.right.rng !== undefined) {
    const legacy = expectRngStates(s.right, "grid.state", ["rng"]);
    if (legacy._tag === "Left") return legacy;
  }
  const searchSpace = space.right as unknown as JsonValue;
  return right({ kind: "grid", options: { searchSpace, seed: seed.right ?? null }, state: {} });
}

function beforeTrial(
  sampler: Sampler,
  ctx: SamplerContext,
): Either<HyperionError, SamplerHookResult> {
  const attrs = ctx.trial.systemAttrs;
  if ("grid_id" in attrs || "fixed_params" in attrs) return right({ state: sampler.state });
  const grid = gridOf(sampler);
  const searchSpace = grid.space as unknown as JsonValue;
  const number = ctx.trial.number;
  if (number >= 0 && number < grid.size) {
    return right({
      state: sampler.state,
      trialSystemAttrs: { search_space: searchSpace, grid_id: number },
    });
  }
  let targets = unvisited(grid, ctx.trials.filter((t) => t.number !== number));
  // every point visited: re-evaluate one at random (Optuna warns)
  if (targets.length === 0) targets = Array.from({ length: grid.size }, (_, i) => i);
  if (targets.length === 0) {
    return left(invalidArgument({
      field: "grid.searchSpace",
      value: grid.space,
      expected: "a grid with at least one point",
    }));
  }
  const seed = (sampler.options as unknown as GridOptionsJson).seed ?? 0;
  const id = targets[randomInt(rngFor(seed, number, "grid"), targets.length)]!;
  return right({
    state: sampler.state,
    trialSystemAttrs: { search_space: searchSpace, grid_id: id },
  });
}

function notInGrid(name: string, message: string): HyperionError {
  return { _tag: "InvalidArgument", field: name, value: undefined, message };
}

function sampleIndependent(
  sampler: Sampler,
  ctx: SamplerContext,
  param: { readonly name: string; readonly distribution: Distribution },
): Either<HyperionError, Sampled<number>> {
  const { name, distribution } = param;
  const id = ctx.trial.systemAttrs["grid_id"];
  if (typeof id !== "number") {
    return left(notInGrid(
      name,
      `Cannot suggest '${name}' as the trial has no grid point: all parameters must be specified when using gridSampler with enqueueTrial`,
    ));
  }
  const grid = gridOf(sampler);
  if (!Object.hasOwn(grid.space, name)) {
    return left(notInGrid(
      name,
      `Cannot suggest '${name}' as it is not in the grid: the grid has ${
        grid.names.map((n) => `'${n}'`).join(", ") || "no parameters"
      }`,
    ));
  }
  const value = valueAt(grid, id, name);
  if (distribution._tag === "CategoricalDistribution") {
    const i = distribution.choices.findIndex((c) => sameValue(c, value));
    if (i < 0) {
      return left(notInGrid(
        name,
        `Cannot suggest '${name}' as the grid value ${show(value)} is not one of the choices ${
          show(distribution.choices)
        }`,
      ));
    }
    return right({ value: i, state: sampler.state });
  }
  if (typeof value !== "number" || Number.isNaN(value) || (distribution.log && value <= 0)) {
    return left(notInGrid(
      name,
      `Cannot suggest '${name}' as the grid value ${show(value)} is not a valid ${
        distribution.log ? "positive number for a log domain" : "number"
      }`,
    ));
  }
  // out-of-range values are used as they are (Optuna warns)
  return right({ value, state: sampler.state });
}

function afterTrial(
  sampler: Sampler,
  ctx: SamplerContext,
): Either<HyperionError, SamplerHookResult> {
  const grid = gridOf(sampler);
  const targets = unvisited(grid, ctx.trials);
  const own = ctx.trial.systemAttrs["grid_id"];
  const stopStudy = targets.length === 0 || (targets.length === 1 && targets[0] === own);
  return right({ state: sampler.state, stopStudy });
}

registerSampler({
  kind: "grid",
  needsHistory: true,
  validate,
  beforeTrial,
  sampleIndependent,
  afterTrial,
});
