/**
 * A child of the parent population, as Optuna 5.0's `NSGAIIChildGenerationStrategy`: with
 * probability `crossoverProb` a crossover of parents chosen by binary tournament (repeated until
 * the child lies in the search space), else a copy of a random parent; then each parameter
 * mutated with probability `mutationProb` (polynomial mutation, or left out so that it is drawn
 * at random by `sampleIndependent`). Private to `lib/samplers/nsga/`.
 *
 * @module
 */
import { contains, type Distribution, toInternal } from "../../core/distributions.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import type { Direction } from "../../core/study.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import { normal, randomInt, type Rng, uniform } from "../../random/rng.ts";
import { previousDouble, roundHalfEven } from "../_utils.ts";
import { crossover, type Draws, nParents, polynomialMutation } from "./_crossover.ts";
import type { NsgaOptions } from "./_options.ts";
import { constrainedDominates, dominates, isConstrained } from "./_selection.ts";

type NumDist = Exclude<Distribution, { readonly _tag: "CategoricalDistribution" }>;

/** How many crossovers are tried before the last child is clipped into the space. */
const MAX_CROSSOVER_TRIES = 1000;

// -------------------------------------------------------------------------------------
// Optuna's search-space transform (log and step on, no scaling to [0, 1])
// -------------------------------------------------------------------------------------

/** The transformed bounds of a numerical distribution. */
export function transformBounds(d: NumDist): readonly [number, number] {
  if (d._tag === "FloatDistribution") {
    if (d.log) return [Math.log(d.low), Math.log(d.high)];
    if (d.step !== null) return [d.low - 0.5 * d.step, d.high + 0.5 * d.step];
    return [d.low, d.high];
  }
  if (d.log) return [Math.log(d.low - 0.5 * d.step), Math.log(d.high + 0.5 * d.step)];
  return [d.low - 0.5 * d.step, d.high + 0.5 * d.step];
}

/** A parameter value in the transformed space. */
export function transformValue(d: NumDist, x: number): number {
  return d.log ? Math.log(x) : x;
}

/** Optuna's `_untransform_numerical_param` (non-stepped floats are only clipped from above). */
export function untransformValue(d: NumDist, v: number): number {
  if (d._tag === "FloatDistribution") {
    if (d.log) {
      const x = Math.exp(v);
      return d.low === d.high ? x : Math.min(Math.max(x, d.low), previousDouble(d.high));
    }
    if (d.step !== null) {
      return Math.min(
        Math.max(roundHalfEven((v - d.low) / d.step) * d.step + d.low, d.low),
        d.high,
      );
    }
    return d.low === d.high ? v : Math.min(v, previousDouble(d.high));
  }
  if (d.log) return Math.min(Math.max(roundHalfEven(Math.exp(v)), d.low), d.high);
  const x = Math.floor((v - d.low) / d.step + 0.5) * d.step + d.low;
  return Math.min(Math.max(x, d.low), d.high);
}

// -------------------------------------------------------------------------------------
// child generation
// -------------------------------------------------------------------------------------

/** The draws of one child, from one generator. */
export function drawsOf(rng: Rng): Draws {
  return { uniform: () => uniform(rng), normal: () => normal(rng) };
}

/**
 * What child generation reads from a search space, worked out once per space: the names in
 * order, the categorical and numerical ones, and the numerical ones' transformed bounds.
 */
export interface SpaceLayout {
  readonly space: SearchSpace;
  readonly names: ReadonlyArray<string>;
  readonly cat: ReadonlyArray<string>;
  readonly num: ReadonlyArray<string>;
  readonly dists: ReadonlyArray<NumDist>;
  readonly bounds: ReadonlyArray<readonly [number, number]>;
  /** Per name (in `names` order): the transformed bounds, or `undefined` (categorical). */
  readonly boundsByName: ReadonlyArray<readonly [number, number] | undefined>;
}

/** The {@link SpaceLayout} of a search space. */
export function layoutOf(space: SearchSpace): SpaceLayout {
  const names = Object.keys(space);
  const cat = names.filter((n) => space[n]!._tag === "CategoricalDistribution");
  const num = names.filter((n) => space[n]!._tag !== "CategoricalDistribution");
  const dists = num.map((n) => space[n] as NumDist);
  const boundsByName = names.map((n) => {
    const d = space[n]!;
    return d._tag === "CategoricalDistribution" ? undefined : transformBounds(d);
  });
  return { space, names, cat, num, dists, bounds: dists.map(transformBounds), boundsByName };
}

/** What a child is generated from. */
export interface ChildInput {
  readonly options: NsgaOptions;
  readonly space: SearchSpace;
  readonly parents: ReadonlyArray<FrozenTrial>;
  readonly directions: ReadonlyArray<Direction>;
  readonly rng: Rng;
  /** The layout of `space` (worked out here when absent). */
  readonly layout?: SpaceLayout;
  /** Whether a parent has constraint values (worked out here when absent). */
  readonly constrained?: boolean;
}

/** The child's parameters (internal values); mutated ones are left out unless mutated here. */
export function generateChild(input: ChildInput): Record<string, number> {
  const { options: o, space, parents, rng } = input;
  const layout = input.layout?.space === space ? input.layout : layoutOf(space);
  const names = layout.names;
  let child: Record<string, number>;
  if (uniform(rng) < o.crossoverProb) child = performCrossover(input, layout);
  else {
    const p = parents[randomInt(rng, parents.length)]!;
    child = {};
    for (const n of names) child[n] = internalOf(space[n]!, p, n);
  }
  const prob = o.mutationProb ?? 1 / Math.max(1, names.length);
  const out: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (uniform(rng) >= prob) out[name] = child[name]!;
    else if (o.mutation !== null) {
      const d = space[name]!;
      if (d._tag === "CategoricalDistribution") continue;
      const [lb, ub] = layout.boundsByName[i]!;
      const u = uniform(rng);
      out[name] = untransformValue(
        d,
        polynomialMutation(transformValue(d, child[name]!), lb, ub, o.mutation.eta, u),
      );
    }
  }
  return out;
}

/** The internal value of parameter `name` of a parent. */
function internalOf(d: Distribution, t: FrozenTrial, name: string): number {
  const x = t.params[name];
  // a valid number is its own internal value (toInternal's Right), without an Either
  if (
    d._tag !== "CategoricalDistribution" && typeof x === "number" && !Number.isNaN(x) &&
    !(d.log && x <= 0)
  ) return x;
  const v = toInternal(d, x);
  return v._tag === "Right" ? v.right : NaN;
}

/** The parents' numerical parameters in the transformed space (rows: parents). */
function transformedRows(ps: ReadonlyArray<FrozenTrial>, layout: SpaceLayout): number[][] {
  const { num, dists } = layout;
  const rows: number[][] = [];
  for (const p of ps) {
    const row = new Array<number>(num.length);
    for (let i = 0; i < num.length; i++) {
      const d = dists[i]!;
      row[i] = transformValue(d, internalOf(d, p, num[i]!));
    }
    rows.push(row);
  }
  return rows;
}

/** True when every parameter of the child lies in its distribution. */
function inSpace(child: Record<string, number>, layout: SpaceLayout): boolean {
  for (const n of layout.names) if (!contains(layout.space[n]!, child[n]!)) return false;
  return true;
}

/** Crossovers of tournament-chosen parents until the child lies in the space. */
function performCrossover(input: ChildInput, layout: SpaceLayout): Record<string, number> {
  const { options: o, space, rng } = input;
  const { cat, num, dists } = layout;
  const env = {
    bounds: layout.bounds,
    multiObjective: input.directions.length > 1,
    swappingProb: o.swappingProb,
  };
  const draws = drawsOf(rng);
  const constrained = input.constrained ?? isConstrained(input.parents);
  const better = constrained ? constrainedDominates : dominates;
  const k = nParents(o.crossover);
  let child: Record<string, number> = {};
  for (let attempt = 0; attempt < MAX_CROSSOVER_TRIES; attempt++) {
    const ps = selectParents(input, k, better);
    child = {};
    const first = ps[0]!, last = ps[ps.length - 1]!;
    for (const n of cat) {
      const from = uniform(rng) >= o.swappingProb ? last : first;
      child[n] = internalOf(space[n]!, from, n);
    }
    if (num.length > 0) {
      const c = crossover(o.crossover, transformedRows(ps, layout), draws, env);
      for (let i = 0; i < num.length; i++) child[num[i]!] = untransformValue(dists[i]!, c[i]!);
    }
    if (inSpace(child, layout)) return child;
  }
  return clipInto(child, space);
}

/** The child with every numerical value clipped into its distribution (the last resort). */
function clipInto(child: Record<string, number>, space: SearchSpace): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [n, d] of Object.entries(space)) {
    const v = child[n]!;
    out[n] = d._tag === "CategoricalDistribution"
      ? v
      : untransformValue(d, Math.max(transformValue(d, Math.max(v, d.low)), transformBounds(d)[0]));
  }
  return out;
}

type Dominates = (a: FrozenTrial, b: FrozenTrial, directions: ReadonlyArray<Direction>) => boolean;

/** `k` distinct parents, each the winner of a binary tournament among those not chosen yet. */
function selectParents(input: ChildInput, k: number, better: Dominates): FrozenTrial[] {
  const chosen: FrozenTrial[] = [];
  for (let i = 0; i < k; i++) {
    const pool = i === 0 ? input.parents : input.parents.filter((t) => !chosen.includes(t));
    const a = pool[randomInt(input.rng, pool.length)]!;
    const b = pool[randomInt(input.rng, pool.length)]!;
    chosen.push(better(a, b, input.directions) ? a : b);
  }
  return chosen;
}
