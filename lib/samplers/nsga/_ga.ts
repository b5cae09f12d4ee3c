/**
 * The generations of Optuna 5.0's genetic samplers (`BaseGASampler`), and the sampler functions
 * NSGA-II and NSGA-III share. A trial's generation is recorded in its system attribute
 * `<Sampler>:generation`, a generation's parents (trial ids) in the study's system attribute
 * `<Sampler>:parent:<generation>`, with Optuna's keys, so that Python Optuna continues a study
 * of ours and the other way round. Private to `lib/samplers/nsga/`.
 *
 * @module
 */
import { type Either, right } from "../../effect/mod.ts";
import type { HyperionError } from "../../errors.ts";
import type { Distribution } from "../../core/distributions.ts";
import { isSingle } from "../../core/distributions.ts";
import type { JsonValue } from "../../core/json.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import type { Direction } from "../../core/study.ts";
import type { Attrs, FrozenTrial } from "../../core/trial.ts";
import { rngFor } from "../../random/rng.ts";
import { paramKey } from "../_utils.ts";
import { sampleUniformInternal } from "../random.ts";
import type {
  Sampled,
  Sampler,
  SamplerContext,
  SamplerHookResult,
  SamplerImpl,
} from "../sampler.ts";
import { generateChild, layoutOf, type SpaceLayout } from "./_child.ts";
import {
  generationCounts,
  hasComplete,
  type HistoryMemo,
  intersectionOf,
  newHistoryMemo,
  scanHistory,
} from "./_history.ts";
import { decodeNsgaOptions, encodeNsgaOptions, type NsgaOptions } from "./_options.ts";
import { isConstrained } from "./_selection.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Chooses the survivors of a generation's candidates (COMPLETE trials). */
export type SelectElite = (
  o: NsgaOptions,
  candidates: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  generation: number,
) => Either<HyperionError, FrozenTrial[]>;

/** What distinguishes NSGA-II from NSGA-III. */
export interface GaKind {
  /** The sampler kind (`"nsgaII"`, `"nsgaIII"`). */
  readonly kind: string;
  /** Optuna's class name, the prefix of the attribute keys (`"NSGAIISampler"`). */
  readonly className: string;
  /** The elite selection. */
  readonly select: SelectElite;
  /** The options record holds reference points. */
  readonly nsga3: boolean;
}

/**
 * What the sampler keeps between calls for one study, for speed only: the memo of the
 * history's finished prefix (intersection space, generation sizes), the generations of
 * COMPLETE trials and the parent lists found per generation.
 */
export interface GaWorkspace {
  readonly history: HistoryMemo;
  readonly generations: Map<number, number>;
  /** Per generation: its parents' ids, the trials and where they stand in the history. */
  readonly parents: Map<number, ParentsMemo>;
  /** The generation and parents found for the current trial (its hooks share them). */
  trial: TrialMemo | undefined;
  /** The last relative search space, reused while the intersection is unchanged. */
  space: SpaceMemo | undefined;
  /** The layout of the last space a child was generated in. */
  layout: SpaceLayout | undefined;
  /** Whether the last parent list seen has constraint values. */
  constrained:
    | { readonly parents: ReadonlyArray<FrozenTrial>; readonly value: boolean }
    | undefined;
}

/** The generation and parents of one trial, found in a history of `n` trials. */
interface TrialMemo {
  readonly trialId: number;
  readonly n: number;
  readonly generation: number;
  readonly parents: FrozenTrial[];
}

/** A relative search space and the memo version it was built from. */
interface SpaceMemo {
  readonly version: number;
  readonly space: SearchSpace;
}

/** The parents of one generation, found in a history. */
interface ParentsMemo {
  readonly ids: ReadonlyArray<number>;
  readonly trials: FrozenTrial[];
  readonly at: ReadonlyArray<number>;
}

/** An empty {@link GaWorkspace}. */
export function newGaWorkspace(): GaWorkspace {
  return {
    history: newHistoryMemo(),
    generations: new Map(),
    parents: new Map(),
    trial: undefined,
    space: undefined,
    layout: undefined,
    constrained: undefined,
  };
}

/** The workspace given, or a fresh one (hooks called without one work the same). */
function workspaceOf(w: unknown): GaWorkspace {
  return w !== null && typeof w === "object" && (w as GaWorkspace).parents instanceof Map
    ? w as GaWorkspace
    : newGaWorkspace();
}

/** The trials and keys one lookup needs. */
interface GaView {
  readonly ga: GaKind;
  readonly o: NsgaOptions;
  readonly ctx: SamplerContext;
  /** The COMPLETE trials (computed on first use). */
  readonly complete: () => ReadonlyArray<FrozenTrial>;
  /** Parent caches computed now. */
  readonly cache: Map<number, ReadonlyArray<number>>;
  readonly computed: Record<string, JsonValue>;
  readonly ws: GaWorkspace;
}

// -------------------------------------------------------------------------------------
// generations
// -------------------------------------------------------------------------------------

const generationKey = (ga: GaKind): string => `${ga.className}:generation`;
const parentKey = (ga: GaKind, g: number): string => `${ga.className}:parent:${g}`;

/** The recorded generation of a trial, or -1. */
function generationOf(ga: GaKind, t: FrozenTrial): number {
  const g = t.systemAttrs[generationKey(ga)];
  return typeof g === "number" ? g : -1;
}

/** The generation of a COMPLETE trial, memoised. */
function completeGeneration(v: GaView, t: FrozenTrial): number {
  let g = v.ws.generations.get(t.trialId);
  if (g === undefined) {
    g = generationOf(v.ga, t);
    v.ws.generations.set(t.trialId, g);
  }
  return g;
}

/**
 * Optuna's `get_trial_generation`: the newest generation while it has fewer than
 * `populationSize` COMPLETE trials, else the next one.
 */
function trialGeneration(v: GaView): number {
  const own = generationOf(v.ga, v.ctx.trial);
  if (own >= 0) return own;
  const key = generationKey(v.ga);
  const tail = scanHistory(v.ws.history, v.ctx.trials, key);
  let max = 0, count = 0;
  const counts = hasComplete(tail)
    ? generationCounts(v.ws.history, tail, key)
    : v.ws.history.generations;
  for (const [g, c] of counts) {
    if (g > max) [max, count] = [g, c];
    else if (g === max) count = c;
  }
  return count < v.o.populationSize ? max : max + 1;
}

/** The COMPLETE trials of generation `g`, in trial order. */
function population(v: GaView, g: number): FrozenTrial[] {
  return v.complete().filter((t) => completeGeneration(v, t) === g);
}

/**
 * Optuna's `get_parent_population`: the cached parents of generation `g` (in trial order), or
 * the elite of generation `g - 1` and its parents, cached in `v.computed`.
 */
function parentPopulation(v: GaView, g: number): Either<HyperionError, FrozenTrial[]> {
  if (g <= 0) return right([]);
  const ids = cachedParents(v, g);
  if (ids !== undefined) return right(trialsOf(v, g, ids));
  const before = parentPopulation(v, g - 1);
  if (before._tag === "Left") return before;
  const candidates = [...population(v, g - 1), ...before.right];
  const elite = v.ga.select(v.o, candidates, v.ctx.directions, g);
  if (elite._tag === "Left") return elite;
  const chosen = elite.right.map((t) => t.trialId);
  v.cache.set(g, chosen);
  v.computed[parentKey(v.ga, g)] = chosen;
  return right(trialsOf(v, g, chosen));
}

/** The trials of `ids` in trial order (memoised per generation: finished trials never change). */
function trialsOf(v: GaView, g: number, ids: ReadonlyArray<number>): FrozenTrial[] {
  const hit = v.ws.parents.get(g), all = v.ctx.trials;
  if (
    hit && hit.ids.length === ids.length && hit.ids.every((id, i) => id === ids[i]) &&
    hit.at.every((k, i) => all[k]?.trialId === hit.trials[i]!.trialId)
  ) return hit.trials;
  const set = new Set(ids);
  const trials: FrozenTrial[] = [], at: number[] = [];
  all.forEach((t, k) => {
    if (!set.has(t.trialId)) return;
    trials.push(t);
    at.push(k);
  });
  if (trials.every((t) => t.state === "COMPLETE")) v.ws.parents.set(g, { ids, trials, at });
  return trials;
}

/** The view of a context (its COMPLETE trials listed on first use). */
function viewOf(ga: GaKind, o: NsgaOptions, ctx: SamplerContext, ws: GaWorkspace): GaView {
  let complete: ReadonlyArray<FrozenTrial> | undefined;
  const completeTrials = () => complete ??= ctx.trials.filter((t) => t.state === "COMPLETE");
  return { ga, o, ctx, complete: completeTrials, cache: new Map(), computed: {}, ws };
}

/** The cached parent ids of generation `g`: computed now, or the study's attribute. */
function cachedParents(v: GaView, g: number): ReadonlyArray<number> | undefined {
  const now = v.cache.get(g);
  if (now !== undefined) return now;
  const value = v.ctx.study.systemAttrs[parentKey(v.ga, g)];
  return Array.isArray(value) ? value.filter((x) => typeof x === "number") : undefined;
}

// -------------------------------------------------------------------------------------
// sampler functions
// -------------------------------------------------------------------------------------

function validate(ga: GaKind, sampler: Sampler): Either<HyperionError, Sampler> {
  const o = decodeNsgaOptions(sampler.options, ga.kind);
  if (o._tag === "Left") return o;
  return right({ kind: ga.kind, options: encodeNsgaOptions(o.right, ga.nsga3), state: {} });
}

/** Records the trial's generation and caches its generation's parents (Optuna's keys). */
function beforeTrial(
  ga: GaKind,
  sampler: Sampler,
  ctx: SamplerContext,
  ws: GaWorkspace,
): Either<HyperionError, SamplerHookResult> {
  const o = decodeNsgaOptions(sampler.options, ga.kind);
  if (o._tag === "Left") return o;
  const v = viewOf(ga, o.right, ctx, ws);
  const g = trialGeneration(v);
  const parents = parentPopulation(v, g);
  if (parents._tag === "Left") return parents;
  remember(ws, ctx, g, parents.right);
  const trialSystemAttrs: Attrs = generationOf(ga, ctx.trial) === g
    ? {}
    : { [generationKey(ga)]: g };
  return right({ state: sampler.state, trialSystemAttrs, studySystemAttrs: v.computed });
}

/**
 * The intersection of the COMPLETE trials' spaces (as `intersectionSearchSpace`, from the
 * workspace's memo), single-valued parameters left out, in name order.
 */
function inferRelativeSearchSpace(ga: GaKind, ctx: SamplerContext, ws: GaWorkspace): SearchSpace {
  const key = generationKey(ga);
  const tail = scanHistory(ws.history, ctx.trials, key);
  const memoised = !hasComplete(tail);
  if (memoised && ws.space?.version === ws.history.version) return ws.space.space;
  const space = intersectionOf(ws.history, tail);
  const out: Record<string, Distribution> = {};
  if (space !== undefined) {
    for (const name of [...space.keys()].sort()) {
      const d = space.get(name)!;
      if (!isSingle(d)) out[name] = d;
    }
  }
  if (!memoised) return out;
  const frozen = Object.freeze(out);
  ws.space = { version: ws.history.version, space: frozen };
  return frozen;
}

/** Remembers the trial's generation and parents for its later hooks. */
function remember(ws: GaWorkspace, ctx: SamplerContext, g: number, parents: FrozenTrial[]): void {
  ws.trial = { trialId: ctx.trial.trialId, n: ctx.trials.length, generation: g, parents };
}

/**
 * The parents of the trial's generation: those `beforeTrial` found for this trial (same trial,
 * same history, same generation recorded), else found again.
 */
function trialParents(
  ga: GaKind,
  o: NsgaOptions,
  ctx: SamplerContext,
  ws: GaWorkspace,
): Either<HyperionError, FrozenTrial[]> {
  const m = ws.trial;
  if (
    m !== undefined && m.trialId === ctx.trial.trialId && m.n === ctx.trials.length &&
    m.generation === generationOf(ga, ctx.trial)
  ) return right(m.parents);
  const v = viewOf(ga, o, ctx, ws);
  return parentPopulation(v, trialGeneration(v));
}

/** A child of the trial's generation's parents (none in generation 0). */
function sampleRelative(
  ga: GaKind,
  sampler: Sampler,
  ctx: SamplerContext,
  space: SearchSpace,
  ws: GaWorkspace,
): Either<HyperionError, Sampled<Readonly<Record<string, number>>>> {
  const o = decodeNsgaOptions(sampler.options, ga.kind);
  if (o._tag === "Left") return o;
  const parents = trialParents(ga, o.right, ctx, ws);
  if (parents._tag === "Left") return parents;
  if (parents.right.length === 0) return right({ value: {}, state: sampler.state });
  if (ws.layout?.space !== space) ws.layout = layoutOf(space);
  if (ws.constrained?.parents !== parents.right) {
    ws.constrained = { parents: parents.right, value: isConstrained(parents.right) };
  }
  const value = generateChild({
    options: o.right,
    space,
    parents: parents.right,
    directions: ctx.directions,
    rng: rngFor(o.right.seed, ctx.trial.number, "relative"),
    layout: ws.layout,
    constrained: ws.constrained.value,
  });
  return right({ value, state: sampler.state });
}

/** A parameter of the first generation, a mutated one, or one outside the relative space. */
function sampleIndependent(
  ga: GaKind,
  sampler: Sampler,
  ctx: SamplerContext,
  param: { readonly name: string; readonly distribution: Distribution },
): Either<HyperionError, Sampled<number>> {
  const seed = (sampler.options as { seed?: unknown } | null)?.seed;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    const o = decodeNsgaOptions(sampler.options, ga.kind);
    if (o._tag === "Left") return o;
  }
  const rng = rngFor(seed as number, ctx.trial.number, paramKey(param.name));
  return right({ value: sampleUniformInternal(rng, param.distribution), state: sampler.state });
}

/** The sampler functions of a genetic sampler kind. */
export function gaSamplerImpl(ga: GaKind): SamplerImpl {
  return Object.freeze({
    kind: ga.kind,
    needsHistory: true,
    readsTrialParams: false,
    createWorkspace: newGaWorkspace,
    validate: (s: Sampler) => validate(ga, s),
    beforeTrial: (s: Sampler, ctx: SamplerContext, w?: unknown) =>
      beforeTrial(ga, s, ctx, workspaceOf(w)),
    inferRelativeSearchSpace: (_s: Sampler, ctx: SamplerContext, w?: unknown) =>
      inferRelativeSearchSpace(ga, ctx, workspaceOf(w)),
    sampleRelative: (s: Sampler, ctx: SamplerContext, space: SearchSpace, w?: unknown) =>
      sampleRelative(ga, s, ctx, space, workspaceOf(w)),
    sampleIndependent: (
      s: Sampler,
      ctx: SamplerContext,
      p: Parameters<SamplerImpl["sampleIndependent"]>[2],
    ) => sampleIndependent(ga, s, ctx, p),
  });
}
