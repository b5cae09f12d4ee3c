/**
 * The TPE sampler's workspace: the memos and buffers of its draws, owned per study.
 *
 * @module
 */
import type { SearchSpace } from "../../../core/search_space.ts";
import type { TpeOptions } from "../options.ts";
import { type AboveModels, createAboveModels } from "./_above.ts";
import { createEvaluation, type Evaluation } from "./_cells.ts";
import { createHistoryMemo, type HistoryMemo } from "./_history.ts";
import { createIntersectionMemo, type IntersectionMemo } from "./_intersection.ts";
import { createObservationMemo, type ObservationMemo } from "./_observations.ts";
import { createSplitMemo, type SplitMemo } from "./_split.ts";
import { createTrialLists, type TrialLists } from "./_trial_lists.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the TPE sampler keeps between draws of one study, for speed only: a draw's result never
 * depends on it (a fresh workspace gives the same values). The study handle owns one per
 * sampler (`SamplerImpl.createWorkspace`); calls without one use a fresh workspace. The TPE
 * modules keep no state of their own: everything they remember is in here.
 */
export interface TpeWorkspace {
  /** Discriminant. */
  readonly _tag: "TpeWorkspace";
  /** What is known about recent lists of trials (shared by the memos below). */
  readonly lists: TrialLists;
  /** Scans of the trial history: state codes, the used trials, per finished trial records. */
  readonly history: HistoryMemo;
  /** Observations per trial and search space, and how successive selections relate. */
  readonly observations: ObservationMemo;
  /** The last multi-objective split (the same trials are split once per parameter). */
  readonly split: SplitMemo;
  /** The intersection search space of the growing history. */
  readonly intersection: IntersectionMemo;
  /** The incremental bad-side models. */
  readonly above: AboveModels;
  /**
   * Prepared estimators, scan windows, scratch buffers and hints of the evaluations, the fit
   * extras of kernels, and the arena of temporary arrays.
   */
  readonly evaluation: Evaluation;
  /** Search spaces without their single-value distributions. */
  readonly withoutSingles: WeakMap<SearchSpace, SearchSpace>;
  /** The decoded options of the sampler records seen (by options object). */
  readonly options: WeakMap<object, TpeOptions>;
}

/** A fresh workspace. */
export function createTpeWorkspace(): TpeWorkspace {
  const lists = createTrialLists();
  const history = createHistoryMemo(lists);
  return {
    _tag: "TpeWorkspace",
    lists,
    history,
    observations: createObservationMemo(history),
    split: createSplitMemo(lists),
    intersection: createIntersectionMemo(lists),
    above: createAboveModels(lists),
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
