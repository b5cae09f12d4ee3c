/**
 * A sampler that fixes some parameters and lets another sampler draw the rest, as Optuna 5.0's
 * `PartialFixedSampler`.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { type Distribution, toInternal } from "../core/distributions.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import type { SearchSpace } from "../core/search_space.ts";
import { isPlainObject, uncheckedJson } from "./_utils.ts";
import type {
  Sampled,
  Sampler,
  SamplerContext,
  SamplerHookResult,
  SamplerImpl,
  SamplerKinds,
} from "./sampler.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The decoded record: the fixed values and the base sampler (its state nested in `state`). */
interface PartialFixed {
  readonly fixedParams: Readonly<Record<string, ParamValue>>;
  readonly base: Sampler;
}

/** The base sampler's workspaces, by kind (created on first use). */
type Workspaces = Map<string, unknown>;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A sampler that returns `fixedParams` as given and lets `baseSampler` draw every other
 * parameter (kind `"partialFixed"`).
 *
 * **When to use**: to continue or refine a study with some parameters pinned (a known-good
 * learning rate, a fixed architecture) while the base sampler keeps modelling the others, for
 * example after reading the parameter importances.
 *
 * **What it does**: a fixed parameter is left out of the base sampler's joint search space and
 * takes its fixed value whenever it is suggested; every other parameter, the hooks and the
 * trial and study attributes are the base sampler's. The record nests the base sampler
 * (`options.baseSampler` holds its kind and options, `state.base` its current state), so a
 * snapshot restores both.
 *
 * **Gotchas**: a fixed numeric value outside the suggested range is used as given, as Optuna
 * does (Optuna also warns); a categorical value that is not one of the choices fails the
 * suggestion with `InvalidDistribution`. The base sampler still sees the fixed parameters in the
 * history, so model-based samplers condition on them. Only the built-in kinds can be nested
 * unless you build the functions with {@link makePartialFixedSamplerImpl}.
 *
 * @example Pin the learning rate, let TPE search the rest
 * ```ts
 * import { createStudy, flatMap, getTrials, map, optimize, partialFixedSampler, runOrThrow, suggestFloat, tpeSampler } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({
 *   sampler: partialFixedSampler({ lr: 0.01 }, tpeSampler({ seed: 1 })),
 * }));
 * await runOrThrow(optimize(study, (trial) =>
 *   flatMap(suggestFloat(trial, "lr", 1e-4, 1, { log: true }), (lr) =>
 *     map(suggestFloat(trial, "x", -1, 1), (x) => lr + x * x)), { nTrials: 15 }));
 * const trials = await runOrThrow(getTrials(study));
 * assert.ok(trials.every((t) => t.params.lr === 0.01));
 * ```
 *
 * @category constructors
 */
export function partialFixedSampler(
  fixedParams: Readonly<Record<string, ParamValue>>,
  baseSampler: Sampler,
): Sampler {
  const base = isPlainObject(baseSampler) ? baseSampler : undefined;
  return {
    kind: "partialFixed",
    options: {
      fixedParams: uncheckedJson(fixedParams),
      baseSampler: base ? { kind: base.kind, options: base.options } : uncheckedJson(baseSampler),
    },
    state: { base: base ? base.state : null },
  };
}

// -------------------------------------------------------------------------------------
// codec
// -------------------------------------------------------------------------------------

function bad(field: string, value: unknown, expected: string): Either<HyperionError, never> {
  return left(invalidArgument({ field, value, expected }));
}

/** Decodes the record (unchecked base options: the base kind's `validate` checks them). */
function decode(sampler: Sampler): Either<HyperionError, PartialFixed> {
  const o = sampler.options;
  if (!isPlainObject(o)) return bad("partialFixed.options", o, "an object");
  const fixed = o.fixedParams;
  if (!isPlainObject(fixed)) {
    return bad("partialFixed.options.fixedParams", fixed, "a record name → value");
  }
  for (const [name, v] of Object.entries(fixed)) {
    const ok = v === null || ["number", "string", "boolean"].includes(typeof v);
    if (!ok || (typeof v === "number" && !Number.isFinite(v))) {
      return bad(
        `partialFixed.options.fixedParams.${name}`,
        v,
        "a finite number, string, boolean or null",
      );
    }
  }
  const b = o.baseSampler;
  if (!isPlainObject(b) || typeof b.kind !== "string" || !("options" in b)) {
    return bad("partialFixed.options.baseSampler", b, "a sampler record {kind, options}");
  }
  const s = sampler.state;
  const state = isPlainObject(s) ? s.base : undefined;
  return right({
    fixedParams: fixed as Record<string, ParamValue>,
    base: { kind: b.kind, options: b.options as JsonValue, state: (state ?? {}) as JsonValue },
  });
}

/** The record with the base sampler `base` (its state nested under `state.base`). */
function encode(p: PartialFixed, base: Sampler): Sampler {
  return {
    kind: "partialFixed",
    options: {
      fixedParams: p.fixedParams,
      baseSampler: { kind: base.kind, options: base.options },
    },
    state: { base: base.state },
  };
}

// -------------------------------------------------------------------------------------
// sampler functions
// -------------------------------------------------------------------------------------

/** The decoded record and the base kind's functions. */
function resolve(
  sampler: Sampler,
  kinds: SamplerKinds,
): Either<HyperionError, { readonly p: PartialFixed; readonly impl: SamplerImpl }> {
  const p = decode(sampler);
  if (p._tag === "Left") return p;
  const kind = p.right.base.kind;
  const impl = Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
  if (impl === undefined) {
    return bad(
      "partialFixed.options.baseSampler.kind",
      kind,
      `one of ${Object.keys(kinds).sort().join(", ")}`,
    );
  }
  return right({ p: p.right, impl });
}

/** The base sampler's workspace in `workspace` (created on first use). */
function baseWorkspace(impl: SamplerImpl, workspace: unknown): unknown {
  if (!(workspace instanceof Map)) return undefined;
  const ws = workspace as Workspaces;
  if (!ws.has(impl.kind)) ws.set(impl.kind, impl.createWorkspace?.());
  return ws.get(impl.kind);
}

/** A hook result of the base sampler, with its state nested back. */
function wrapHook(
  p: PartialFixed,
  base: Sampler,
  r: Either<HyperionError, SamplerHookResult>,
): Either<HyperionError, SamplerHookResult> {
  if (r._tag === "Left") return r;
  return right({ ...r.right, state: encode(p, { ...base, state: r.right.state }).state });
}

/**
 * The partial-fixed sampler's functions, resolving the base sampler's kind in `kinds` (a
 * function, so that a kinds record can hold these functions too).
 *
 * @example Nest a sampler kind of your own
 * ```ts
 * import { BUILTIN_SAMPLERS, createStudy, makePartialFixedSamplerImpl, partialFixedSampler, randomSampler, runOrThrow, type SamplerKinds } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const mine = { ...BUILTIN_SAMPLERS, myRandom: { ...BUILTIN_SAMPLERS.random!, kind: "myRandom" } };
 * const kinds: SamplerKinds = { ...mine, partialFixed: makePartialFixedSamplerImpl(() => kinds) };
 * const base = { ...randomSampler({ seed: 1 }), kind: "myRandom" };
 * const study = await runOrThrow(createStudy({ sampler: partialFixedSampler({ x: 1 }, base), samplerKinds: kinds }));
 * assert.equal(study.studyName.startsWith("no-name-"), true);
 * ```
 *
 * @category constructors
 */
export function makePartialFixedSamplerImpl(kinds: () => SamplerKinds): SamplerImpl {
  return Object.freeze({
    kind: "partialFixed",
    needsHistory: true,
    createWorkspace: (): Workspaces => new Map(),
    validate: (sampler: Sampler): Either<HyperionError, Sampler> => {
      const r = resolve(sampler, kinds());
      if (r._tag === "Left") return r;
      const base = r.right.impl.validate(r.right.p.base);
      return base._tag === "Left" ? base : right(encode(r.right.p, base.right));
    },
    beforeTrial: (sampler: Sampler, ctx: SamplerContext, workspace?: unknown) => {
      const r = resolve(sampler, kinds());
      if (r._tag === "Left") return r;
      const { p, impl } = r.right;
      if (!impl.beforeTrial) return right({ state: sampler.state });
      return wrapHook(p, p.base, impl.beforeTrial(p.base, ctx, baseWorkspace(impl, workspace)));
    },
    inferRelativeSearchSpace: (sampler: Sampler, ctx: SamplerContext, workspace?: unknown) => {
      const r = resolve(sampler, kinds());
      if (r._tag === "Left" || !r.right.impl.inferRelativeSearchSpace) return {};
      const { p, impl } = r.right;
      const space = impl.inferRelativeSearchSpace!(p.base, ctx, baseWorkspace(impl, workspace));
      const out: Record<string, Distribution> = {};
      for (const [name, d] of Object.entries(space)) {
        if (!Object.hasOwn(p.fixedParams, name)) out[name] = d;
      }
      return out;
    },
    sampleRelative: (
      sampler: Sampler,
      ctx: SamplerContext,
      space: SearchSpace,
      workspace?: unknown,
    ) => {
      const r = resolve(sampler, kinds());
      if (r._tag === "Left") return r;
      const { p, impl } = r.right;
      if (!impl.sampleRelative) return right({ value: {}, state: sampler.state });
      const s = impl.sampleRelative(p.base, ctx, space, baseWorkspace(impl, workspace));
      return s._tag === "Left"
        ? s
        : right({ ...s.right, state: encode(p, { ...p.base, state: s.right.state }).state });
    },
    sampleIndependent: (
      sampler: Sampler,
      ctx: SamplerContext,
      param: { readonly name: string; readonly distribution: Distribution },
      workspace?: unknown,
    ): Either<HyperionError, Sampled<number>> => {
      const r = resolve(sampler, kinds());
      if (r._tag === "Left") return r;
      const { p, impl } = r.right;
      if (Object.hasOwn(p.fixedParams, param.name)) {
        const v = toInternal(param.distribution, p.fixedParams[param.name], param.name);
        return v._tag === "Left" ? v : right({ value: v.right, state: sampler.state });
      }
      const s = impl.sampleIndependent(p.base, ctx, param, baseWorkspace(impl, workspace));
      return s._tag === "Left"
        ? s
        : right({ ...s.right, state: encode(p, { ...p.base, state: s.right.state }).state });
    },
    afterTrial: (
      sampler: Sampler,
      ctx: SamplerContext,
      outcome: Parameters<NonNullable<SamplerImpl["afterTrial"]>>[2],
      workspace?: unknown,
    ) => {
      const r = resolve(sampler, kinds());
      if (r._tag === "Left") return r;
      const { p, impl } = r.right;
      if (!impl.afterTrial) return right({ state: sampler.state });
      return wrapHook(
        p,
        p.base,
        impl.afterTrial(p.base, ctx, outcome, baseWorkspace(impl, workspace)),
      );
    },
  });
}
