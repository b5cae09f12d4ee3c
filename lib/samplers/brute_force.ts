/**
 * Exhaustive search over a finite define-by-run space, as Optuna's `BruteForceSampler`:
 * every combination of every value of every (possibly conditional) parameter is tried once,
 * then the study stops.
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import type { FrozenTrial, TrialState } from "../core/trial.ts";
import { randomInt, type Rng, rngFor, uniform } from "../random/rng.ts";
import {
  booleanField,
  derivedSeed,
  isPlainObject,
  paramKey,
  seedOrEntropy,
  uncheckedJson,
} from "./_utils.ts";
import {
  expectObject,
  type Sampled,
  type Sampler,
  type SamplerContext,
  type SamplerHookResult,
  type SamplerImpl,
} from "./sampler.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link bruteForceSampler}.
 *
 * @category model
 */
export interface BruteForceSamplerOptions {
  /**
   * Seed of the (random) order in which the space is enumerated: the value of parameter
   * `<name>` in trial `n` is drawn from {@link rngFor}`(seed, n, "param:<name>")` among the
   * unexplored ones, so it depends only on the seed, `n` and the trials. Without a seed, one is
   * drawn from the platform's entropy once, at construction, and recorded as `options.seed`.
   *
   * @default {undefined}
   */
  readonly seed?: number | undefined;
  /**
   * Count running trials as unexplored when deciding to stop, so that the search is strictly
   * exhaustive even if a running trial never finishes (at the price of duplicates).
   *
   * @default {false}
   */
  readonly avoidPrematureStop?: boolean;
}

/** The options of a brute-force sampler record, decoded. */
interface BruteForceOptions {
  readonly seed: number;
  readonly avoidPrematureStop: boolean;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A brute-force sampler.
 *
 * **When to use**: small discrete spaces (categoricals, integers, stepped floats) where every
 * combination should be evaluated exactly once, including conditional spaces whose parameters
 * depend on earlier choices — without writing the grid down.
 *
 * **What it does**: keeps a tree of the parameter paths already tried (COMPLETE, PRUNED, FAIL
 * and RUNNING trials consistent with the current trial's parameters) and picks, for each
 * suggestion, a value whose subtree still has unexplored leaves — mixing "proportional to the
 * unexplored leaves" and "uniform over branches with unexplored leaves" half and half,
 * avoiding values being evaluated by running trials. When nothing is left, the study stops.
 *
 * **Gotchas**: it sees every trial even under `hyperbandPruner` (whose brackets hide other
 * brackets' trials from other samplers), as Optuna does, so each point runs once. A float parameter
 * without `step` makes the space infinite: the suggestion fails. Changing a parameter's range mid-
 * study can leave parts of the space unexplored.
 *
 * @example Enumerate a conditional space
 * ```ts
 * import { bruteForceSampler, createStudy, flatMap, map, optimize, runOrThrow, succeed, suggestCategorical, suggestInt } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ sampler: bruteForceSampler({ seed: 1 }) }));
 * const summary = await runOrThrow(optimize(study, (trial) =>
 *   flatMap(suggestCategorical(trial, "kind", ["a", "b"]), (kind) =>
 *     kind === "a" ? map(suggestInt(trial, "n", 1, 3), (n) => n) : succeed(0)),
 *   { nTrials: 100 }));
 * assert.equal(summary.nTrials, 4);
 * ```
 *
 * @category constructors
 */
export function bruteForceSampler(options: BruteForceSamplerOptions = {}): Sampler {
  // a wrong-typed options value is kept as it is, for `validate` to report it
  if (!isPlainObject(options)) {
    return { kind: "bruteForce", options: uncheckedJson(options), state: {} };
  }
  return {
    kind: "bruteForce",
    options: {
      seed: seedOrEntropy(options.seed),
      avoidPrematureStop: uncheckedJson(options.avoidPrematureStop ?? false),
    },
    state: {},
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** A node of the tree of tried parameter paths. */
interface TreeNode {
  paramName: string | null;
  /** `undefined`: unexpanded (or running); empty: a leaf; else value → child. */
  children: Map<number, TreeNode> | undefined;
  isRunning: boolean;
  choicesKey: string | null;
}

function newNode(): TreeNode {
  return { paramName: null, children: undefined, isRunning: false, choicesKey: null };
}

function decimalParts(x: number): { m: bigint; e: number } {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(x));
  if (!match) return { m: 0n, e: 0 };
  const [, sign, int = "", frac = "", exp = "0"] = match;
  return { m: BigInt(`${sign}${int}${frac}`), e: Number(exp) - frac.length };
}

/** Every value of a finite distribution (internal representation), as Optuna enumerates them. */
function candidates(d: Distribution): Either<HyperionError, number[]> {
  if (d._tag === "CategoricalDistribution") return right(d.choices.map((_, i) => i));
  if (d.step === null) {
    return left(invalidArgument({
      field: "step",
      value: null,
      expected:
        "a step for float parameters with bruteForceSampler (otherwise the search space is infinite)",
    }));
  }
  const out: number[] = [];
  if (d._tag === "IntDistribution") {
    for (let v = d.low; v <= d.high; v += d.step) out.push(v);
    return right(out);
  }
  // exact decimal arithmetic on the shortest representations, as Python's Decimal(str(x))
  const l = decimalParts(d.low), h = decimalParts(d.high), s = decimalParts(d.step);
  const e = Math.min(l.e, h.e, s.e);
  const scale = (p: { m: bigint; e: number }) => p.m * 10n ** BigInt(p.e - e);
  const lo = scale(l), hi = scale(h), st = scale(s);
  for (let v = lo; v <= hi; v += st) out.push(Number(`${v}e${e}`));
  return right(out);
}

function choicesKeyOf(d: Distribution): string {
  return d._tag === "CategoricalDistribution"
    ? `c${d.choices.length}`
    : `n${d.low}|${d.high}|${d.step}`;
}

/** Expands an unexpanded node, or checks that an expanded one has the same parameter. */
function expand(
  node: TreeNode,
  name: string,
  d: Distribution,
): Either<HyperionError, void> {
  const key = choicesKeyOf(d);
  if (node.children === undefined) {
    return genEither(function* (_) {
      const c = yield* _(candidates(d));
      node.paramName = name;
      node.choicesKey = key;
      const children = new Map<number, TreeNode>();
      node.children = children;
      for (const v of c) children.set(v, UNEXPANDED);
    });
  }
  if (node.paramName !== name || node.choicesKey !== key) {
    return left(invalidArgument({
      field: name,
      value: node.paramName,
      expected:
        "the same search space in every trial for bruteForceSampler (the parameters or their ranges changed)",
    }));
  }
  return right(undefined);
}

const UNEXPANDED: TreeNode = Object.freeze(newNode()) as TreeNode;

function isExpandable(node: TreeNode, excludeRunning: boolean): boolean {
  if (node === UNEXPANDED) return true;
  if (node.children === undefined) return !excludeRunning || !node.isRunning;
  for (const c of node.children.values()) if (isExpandable(c, excludeRunning)) return true;
  return false;
}

function countUnexpanded(node: TreeNode, excludeRunning: boolean): number {
  if (node === UNEXPANDED) return 1;
  if (node.children === undefined) return excludeRunning && node.isRunning ? 0 : 1;
  let n = 0;
  for (const c of node.children.values()) n += countUnexpanded(c, excludeRunning);
  return n;
}

function internalOf(d: Distribution, v: ParamValue | undefined): number {
  if (d._tag === "CategoricalDistribution") {
    return d.choices.findIndex((c) => Object.is(c, v) || c === v);
  }
  return typeof v === "number" ? v : NaN;
}

function sameParam(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  return Object.is(a, b) || a === b ||
    (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}

/** Adds the trials consistent with `params` to the tree. */
function populate(
  tree: TreeNode,
  trials: ReadonlyArray<FrozenTrial>,
  params: Readonly<Record<string, ParamValue>>,
): Either<HyperionError, void> {
  const fixedNames = Object.keys(params);
  return genEither(function* (_) {
    for (const t of trials) {
      if (
        !fixedNames.every((n) => Object.hasOwn(t.params, n) && sameParam(t.params[n], params[n]))
      ) {
        continue;
      }
      const node = yield* _(walk(tree, t, params));
      if (node === undefined) continue;
      if (t.state === "RUNNING") node.isRunning = true;
      else {
        if (node.children !== undefined && node.children.size > 0) {
          return yield* _(left(invalidArgument({
            field: "params",
            value: t.params,
            expected: "the same search space in every trial for bruteForceSampler",
          })));
        }
        node.children = new Map();
      }
    }
  });
}

/**
 * Walks trial `t`'s path down the tree from `tree` (the parameters not in `params`), expanding
 * the nodes it passes; its last node, or `undefined` when the trial is off the grid.
 */
function walk(
  tree: TreeNode,
  t: FrozenTrial,
  params: Readonly<Record<string, ParamValue>>,
): Either<HyperionError, TreeNode | undefined> {
  return genEither(function* (_) {
    let node = tree;
    for (const [name, d] of Object.entries(t.distributions)) {
      if (Object.hasOwn(params, name)) continue;
      yield* _(expand(node, name, d));
      const children = node.children!;
      const value = internalOf(d, t.params[name]);
      const next = children.get(value);
      if (children.size === 0 || next === undefined) return undefined;
      let child = next;
      if (child === UNEXPANDED) {
        child = newNode();
        children.set(value, child);
      }
      node = child;
    }
    return node;
  });
}

function sampleChild(node: TreeNode, rng: Rng, excludeRunning: boolean): number {
  const values = [...node.children!.keys()];
  const kids = [...node.children!.values()];
  const counts = kids.map((k) => countUnexpanded(k, excludeRunning));
  const total = counts.reduce((a, b) => a + b, 0);
  const nonZero = counts.filter((c) => c > 0).length;
  // half proportional to the unexplored leaves, half uniform over branches with some
  const w = counts.map((c) => 0.5 * c / total + (c > 0 ? 0.5 / nonZero : 0));
  const isRunning = (k: TreeNode) => k !== UNEXPANDED && k.isRunning;
  if (kids.some((k, i) => !isRunning(k) && w[i]! > 0)) {
    kids.forEach((k, i) => {
      if (isRunning(k)) w[i] = 0;
    });
  }
  const sum = w.reduce((a, b) => a + b, 0);
  let u = uniform(rng) * sum;
  for (let i = 0; i < w.length; i++) {
    u -= w[i]!;
    if (u < 0 && w[i]! > 0) return values[i]!;
  }
  for (let i = w.length - 1; i >= 0; i--) if (w[i]! > 0) return values[i]!;
  return values[values.length - 1]!;
}

function others(ctx: SamplerContext): FrozenTrial[] {
  return ctx.trials.filter((t) => t.state !== "WAITING" && t.number !== ctx.trial.number);
}

// -------------------------------------------------------------------------------------
// codec
// -------------------------------------------------------------------------------------

/**
 * Decodes a brute-force sampler record's options (`{seed, avoidPrematureStop}`); a state of
 * the older shape (an RNG stream) is checked and dropped.
 */
function decodeBruteForce(sampler: Sampler): Either<HyperionError, BruteForceOptions> {
  return genEither(function* (_) {
    const o = yield* _(expectObject(sampler.options, "bruteForce.options"));
    const avoidPrematureStop = yield* _(
      booleanField(o, "avoidPrematureStop", "bruteForce.options"),
    );
    const seed = yield* _(derivedSeed(o, sampler.state, "bruteForce", ["rng"]));
    return { seed, avoidPrematureStop };
  });
}

/** The sampler record of decoded options. */
function encodeBruteForce(o: BruteForceOptions): Sampler {
  const options = { seed: o.seed, avoidPrematureStop: o.avoidPrematureStop };
  return { kind: "bruteForce", options, state: {} };
}

// -------------------------------------------------------------------------------------
// sampler functions
// -------------------------------------------------------------------------------------

function validate(sampler: Sampler): Either<HyperionError, Sampler> {
  return genEither(function* (_) {
    return encodeBruteForce(yield* _(decodeBruteForce(sampler)));
  });
}

function sampleIndependent(
  sampler: Sampler,
  ctx: SamplerContext,
  param: { readonly name: string; readonly distribution: Distribution },
): Either<HyperionError, Sampled<number>> {
  return genEither(function* (_) {
    const o = yield* _(decodeBruteForce(sampler));
    const excludeRunning = !o.avoidPrematureStop;
    const tree = newNode();
    yield* _(expand(tree, param.name, param.distribution));
    yield* _(populate(tree, others(ctx), ctx.trial.params));
    const rng = rngFor(o.seed, ctx.trial.number, paramKey(param.name));
    let value: number;
    if (isExpandable(tree, excludeRunning)) value = sampleChild(tree, rng, excludeRunning);
    else {
      const all = [...tree.children!.keys()];
      value = all[randomInt(rng, all.length)]!;
    }
    return { value, state: sampler.state };
  });
}

function afterTrial(
  sampler: Sampler,
  ctx: SamplerContext,
  outcome: { readonly state: TrialState; readonly values: ReadonlyArray<number> | null },
): Either<HyperionError, SamplerHookResult> {
  return genEither(function* (_) {
    const o = yield* _(decodeBruteForce(sampler));
    return stopsStudy(sampler, ctx, outcome, !o.avoidPrematureStop);
  });
}

/** Whether no branch around the trial's path is left to expand: the study then stops. */
function stopsStudy(
  sampler: Sampler,
  ctx: SamplerContext,
  outcome: { readonly state: TrialState; readonly values: ReadonlyArray<number> | null },
  excludeRunning: boolean,
): SamplerHookResult {
  const trials = [
    ...others(ctx),
    { ...ctx.trial, state: outcome.state, values: outcome.values },
  ];
  // is any branch around the current trial's path still expandable? (most specific first)
  const names = Object.keys(ctx.trial.params);
  for (let k = names.length - 1; k >= 0; k--) {
    const params: Record<string, ParamValue> = {};
    for (const n of names.slice(0, k)) params[n] = ctx.trial.params[n]!;
    const tree = newNode();
    const populated = populate(tree, trials, params);
    // a tree that cannot be built (the search space changed) does not stop the study
    if (populated._tag === "Left") return { state: sampler.state };
    if (isExpandable(tree, excludeRunning)) return { state: sampler.state };
  }
  return { state: sampler.state, stopStudy: true };
}

/**
 * The brute-force sampler's functions (kind `"bruteForce"`), one of the built-in sampler kinds.
 *
 * @category constants
 */
export const bruteForceSamplerImpl: SamplerImpl = Object.freeze({
  kind: "bruteForce",
  needsHistory: true,
  seesAllTrials: true,
  validate,
  sampleIndependent,
  afterTrial,
});
