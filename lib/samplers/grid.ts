/**
 * Grid search over a given set of values per parameter, as Optuna's `GridSampler`: the
 * Cartesian product of the values (parameter names sorted), visited in a seeded random order,
 * one grid point per trial; the study stops when every point has been evaluated.
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, show } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { randomInt, rngFor, rngFromSeed, shuffled } from "../random/rng.ts";
import { checkLegacyState, isPlainObject, uncheckedJson } from "./_utils.ts";
import { remember } from "./_recent.ts";
import { decodeGridOptions, encodeGrid, type GridSpace } from "./_grid_codec.ts";
import type {
  Sampled,
  Sampler,
  SamplerContext,
  SamplerHookResult,
  SamplerImpl,
} from "./sampler.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type { GridSpace } from "./_grid_codec.ts";

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

/**
 * A grid laid out for sampling: its parameter names (sorted), values and visiting order.
 *
 * @category model
 */
export interface GridLayout {
  /** The parameter names, sorted. */
  readonly names: ReadonlyArray<string>;
  /** The values of each parameter. */
  readonly space: GridSpace;
  /** The number of grid points. */
  readonly size: number;
  /** Shuffled position → index in the Cartesian product (last name fastest). */
  readonly perm: Uint32Array;
}

/**
 * The grids a grid sampler's functions laid out, by options (a bounded memo: the most recently
 * used {@link GRID_MEMO_LIMIT} are kept): a study's workspace, or the `memo` of the
 * {@link GridSamplerImpl} value for calls given none. A fresh one gives the same results.
 *
 * @category model
 */
export interface GridMemo {
  /** `JSON.stringify(options)` → the grid. */
  readonly grids: Map<string, GridLayout>;
}

/**
 * The grid sampler's functions together with the memo they use.
 *
 * @category model
 */
export interface GridSamplerImpl extends SamplerImpl {
  /** The grids laid out by calls given no workspace. */
  readonly memo: GridMemo;
  /**
   * A fresh {@link GridMemo} for one study: a study handle that keeps a workspace per sampler
   * passes it as the hooks' last argument, and the hooks use it instead of `memo`.
   */
  readonly createWorkspace: () => GridMemo;
}

/**
 * How many grids a {@link GridMemo} keeps.
 *
 * @category constants
 */
export const GRID_MEMO_LIMIT = 64;

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
 * **Gotchas**: it sees every trial even under `hyperbandPruner` (whose brackets hide other
 * brackets' trials from other samplers), as Optuna does, so each point runs once. The objective
 * must suggest exactly the grid's parameters: a parameter missing from the grid, or a grid value
 * that is not one of a categorical's choices, fails the trial; a numerical value outside the
 * suggested range is used as is (Optuna warns). Enqueued trials must give every parameter. An empty
 * list of values for a parameter is rejected when the study is created. With `concurrency > 1` the
 * last points may be evaluated twice.
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
  let searchSpace = uncheckedJson(space);
  if (isPlainObject(space)) {
    const sorted: Record<string, JsonValue> = {};
    for (const name of Object.keys(space).sort()) {
      const values = space[name];
      sorted[name] = Array.isArray(values) ? [...values] : uncheckedJson(values);
    }
    searchSpace = sorted;
  }
  const o: JsonValue = isPlainObject(options)
    ? { searchSpace, seed: uncheckedJson(options.seed ?? null) }
    : { searchSpace, seed: null, options: uncheckedJson(options) };
  return { kind: "grid", options: o, state: {} };
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
  const grid = gridOf(sampler, newGridMemo());
  return grid._tag === "Right" ? grid.right.size : 0;
}

/**
 * True when every grid point has been evaluated by a finished trial of `trials` (Optuna's
 * `is_exhausted`).
 *
 * @example Check a grid
 * ```ts
 * import { gridSampler } from "@hyperion/tune";
 * import { gridExhausted } from "./grid.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(gridExhausted(gridSampler({ x: [1, 2] }), []), false);
 * ```
 *
 * @category queries
 */
export function gridExhausted(sampler: Sampler, trials: ReadonlyArray<FrozenTrial>): boolean {
  if (sampler.kind !== "grid") return false;
  const grid = gridOf(sampler, newGridMemo());
  return grid._tag === "Right" && unvisited(grid.right, trials).length === 0;
}

/**
 * An empty {@link GridMemo}.
 *
 * @category constructors
 */
export function newGridMemo(): GridMemo {
  return { grids: new Map() };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** The grid of a grid sampler record, from `memo` or laid out (and remembered). */
function gridOf(sampler: Sampler, memo: GridMemo): Either<HyperionError, GridLayout> {
  return genEither(function* (_) {
    return layOut(yield* _(decodeGridOptions(sampler.options)), memo);
  });
}

/** The grid of decoded options, from `memo` or laid out (and remembered). */
function layOut(o: Parameters<typeof encodeGrid>[0], memo: GridMemo): GridLayout {
  const key = JSON.stringify(o);
  const hit = memo.grids.get(key);
  if (hit) return hit;
  const { searchSpace, seed } = o;
  const names = Object.keys(searchSpace).sort();
  let size = 1;
  for (const n of names) size *= searchSpace[n]!.length;
  const order = shuffled(rngFromSeed(seed ?? 0), Array.from({ length: size }, (_, i) => i));
  const grid: GridLayout = { names, space: searchSpace, size, perm: Uint32Array.from(order) };
  remember(memo.grids, key, grid, GRID_MEMO_LIMIT);
  return grid;
}

/** The value of parameter `name` at grid point `id`. */
function valueAt(grid: GridLayout, id: number, name: string): ParamValue {
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
function unvisited(grid: GridLayout, trials: ReadonlyArray<FrozenTrial>): number[] {
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

// -------------------------------------------------------------------------------------
// sampler functions
// -------------------------------------------------------------------------------------

function validate(sampler: Sampler): Either<HyperionError, Sampler> {
  return genEither(function* (_) {
    const o = yield* _(decodeGridOptions(sampler.options));
    yield* _(checkLegacyState(sampler.state, "grid.state", "rng"));
    return encodeGrid(o);
  });
}

function beforeTrial(
  memo: GridMemo,
  sampler: Sampler,
  ctx: SamplerContext,
): Either<HyperionError, SamplerHookResult> {
  const attrs = ctx.trial.systemAttrs;
  if ("grid_id" in attrs || "fixed_params" in attrs) return right({ state: sampler.state });
  return genEither(function* (_) {
    const grid = yield* _(gridOf(sampler, memo));
    const searchSpace = grid.space;
    const number = ctx.trial.number;
    if (number >= 0 && number < grid.size) {
      return {
        state: sampler.state,
        trialSystemAttrs: { search_space: searchSpace, grid_id: number },
      };
    }
    let targets = unvisited(grid, ctx.trials.filter((t) => t.number !== number));
    // every point visited: re-evaluate one at random (Optuna warns)
    if (targets.length === 0) targets = Array.from({ length: grid.size }, (_, i) => i);
    if (targets.length === 0) {
      return yield* _(left(invalidArgument({
        field: "grid.searchSpace",
        value: grid.space,
        expected: "a grid with at least one point",
      })));
    }
    const o = yield* _(decodeGridOptions(sampler.options));
    const id = targets[randomInt(rngFor(o.seed ?? 0, number, "grid"), targets.length)]!;
    return { state: sampler.state, trialSystemAttrs: { search_space: searchSpace, grid_id: id } };
  });
}

function notInGrid(name: string, message: string): HyperionError {
  return { _tag: "InvalidArgument", field: name, value: undefined, message };
}

function sampleIndependent(
  memo: GridMemo,
  sampler: Sampler,
  ctx: SamplerContext,
  param: { readonly name: string; readonly distribution: Distribution },
): Either<HyperionError, Sampled<number>> {
  const { name } = param;
  const id = ctx.trial.systemAttrs["grid_id"];
  if (typeof id !== "number") {
    return left(notInGrid(
      name,
      `Cannot suggest '${name}' as the trial has no grid point: all parameters must be specified when using gridSampler with enqueueTrial`,
    ));
  }
  return genEither(function* (_) {
    return yield* _(gridValue(yield* _(gridOf(sampler, memo)), id, sampler, param));
  });
}

/** The value of `param` at grid point `id`, checked against its distribution. */
function gridValue(
  grid: GridLayout,
  id: number,
  sampler: Sampler,
  param: { readonly name: string; readonly distribution: Distribution },
): Either<HyperionError, Sampled<number>> {
  const { name, distribution } = param;
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
  memo: GridMemo,
  sampler: Sampler,
  ctx: SamplerContext,
): Either<HyperionError, SamplerHookResult> {
  return genEither(function* (_) {
    const targets = unvisited(yield* _(gridOf(sampler, memo)), ctx.trials);
    const own = ctx.trial.systemAttrs["grid_id"];
    const stopStudy = targets.length === 0 || (targets.length === 1 && targets[0] === own);
    return { state: sampler.state, stopStudy };
  });
}

/**
 * The grid sampler's functions, using (and filling) `memo`.
 *
 * @category constructors
 */
export function makeGridSamplerImpl(memo: GridMemo = newGridMemo()): GridSamplerImpl {
  const use = (workspace: unknown): GridMemo => isGridMemo(workspace) ? workspace : memo;
  return Object.freeze({
    kind: "grid",
    needsHistory: true,
    seesAllTrials: true,
    memo,
    createWorkspace: newGridMemo,
    validate,
    beforeTrial: (sampler: Sampler, ctx: SamplerContext, workspace?: unknown) =>
      beforeTrial(use(workspace), sampler, ctx),
    sampleIndependent: (
      sampler: Sampler,
      ctx: SamplerContext,
      param: { readonly name: string; readonly distribution: Distribution },
      workspace?: unknown,
    ) => sampleIndependent(use(workspace), sampler, ctx, param),
    afterTrial: (sampler: Sampler, ctx: SamplerContext, _outcome: unknown, workspace?: unknown) =>
      afterTrial(use(workspace), sampler, ctx),
  });
}

/** True when `value` is a {@link GridMemo} (a workspace made by `createWorkspace`). */
function isGridMemo(value: unknown): value is GridMemo {
  return isPlainObject(value) && value.grids instanceof Map;
}

/**
 * The grid sampler's functions (kind `"grid"`), one of the built-in sampler kinds; its
 * {@link GridMemo} is the field `memo`.
 *
 * @category constants
 */
export const gridSamplerImpl: GridSamplerImpl = makeGridSamplerImpl();
