/**
 * Queries over the plug-in table. The {@link Plugin} record itself (an `id` and optional
 * lifecycle handlers) is defined in `types.ts`: a plug-in's hook runs before the model's hook
 * of the same name, except `onValidationEnd`, which a plug-in receives after the model has
 * produced that cycle's metrics. A plug-in keeps its own state (in a closure) and persists it
 * through `stateDict` and `loadStateDict`.
 *
 * @module
 */
import type { Plugin } from "./types.ts";

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The plug-in registered under `id`, if any (pass `trainer.plugins` or `ctx.plugins`).
 *
 * @example Reach a plug-in from a model hook
 * ```ts
 * import { findPlugin, type Plugin } from "@hyperion/tune/trainer";
 * import assert from "node:assert/strict";
 *
 * const plugins: ReadonlyArray<Plugin> = [{ id: "audit" }];
 * assert.equal(findPlugin(plugins, "audit")?.id, "audit");
 * assert.equal(findPlugin(plugins, "optuna"), undefined);
 * ```
 *
 * @category queries
 */
export function findPlugin(plugins: ReadonlyArray<Plugin>, id: string): Plugin | undefined {
  return plugins.find((p) => p.id === id);
}
