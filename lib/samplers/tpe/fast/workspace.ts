/**
 * The TPE sampler's workspace: the memos and buffers of its draws, owned per study.
 *
 * @module
 */
import type { SearchSpace } from "../../../core/search_space.ts";
import type { TpeOptions } from "../options.ts";
import { createEvaluation, type Evaluation } from "./_cells.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the TPE sampler keeps between draws of one study, for speed only: a draw's result never
 * depends on it (a fresh workspace gives the same values). The study handle owns one per
 * sampler (`SamplerImpl.createWorkspace`); calls without one use a fresh workspace.
 */
export interface TpeWorkspace {
  /** Discriminant. */
  readonly _tag: "TpeWorkspace";
  /** Prepared estimators, scan windows, scratch buffers and hints of the evaluations. */
  readonly evaluation: Evaluation;
  /** Search spaces without their single-value distributions. */
  readonly withoutSingles: WeakMap<SearchSpace, SearchSpace>;
  /** The decoded options of the sampler records seen (by options object). */
  readonly options: WeakMap<object, TpeOptions>;
}

/** A fresh workspace. */
export function createTpeWorkspace(): TpeWorkspace {
  return {
    _tag: "TpeWorkspace",
    evaluation: createEvaluation(),
    withoutSingles: new WeakMap(),
    options: new WeakMap(),
  };
}

/** `value` when it is a TPE workspace, else a fresh one. */
export function tpeWorkspaceOf(value: unknown): TpeWorkspace {
  return typeof value === "object" && value !== null &&
      (value as { _tag?: unknown })._tag === "TpeWorkspace"
    ? value as TpeWorkspace
    : createTpeWorkspace();
}
