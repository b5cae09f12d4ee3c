/**
 * The pruner that never prunes.
 *
 * @module
 */
import { right } from "../effect/mod.ts";
import type { Pruner } from "./pruner.ts";

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A pruner that never prunes.
 *
 * **When to use**: to switch pruning off while keeping `report` calls (for plots and
 * learning curves), or when every trial is cheap.
 *
 * **What it does**: answers `false` to every `shouldPrune`.
 *
 * **Gotchas**: none; reporting still stores every intermediate value.
 *
 * @example Disable pruning
 * ```ts
 * import { createStudy, nopPruner, runOrThrow } from "@hyperion/tune";
 *
 * const study = await runOrThrow(createStudy({ pruner: nopPruner() }));
 * ```
 *
 * @category constructors
 */
export function nopPruner(): Pruner {
  return { kind: "nop", options: {}, prune: () => right({ prune: false }) };
}
