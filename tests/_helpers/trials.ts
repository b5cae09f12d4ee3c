/**
 * Hand-made trial records for tests of pure functions: a finished trial with every field at its
 * empty value (no parameters, no attributes, times 0), the given fields on top.
 *
 * @module
 */
import type { FrozenTrial } from "../../lib/core/trial.ts";
import { runningTrial } from "../../lib/storage/trial_cache.ts";

/** A COMPLETE trial numbered `fields.number` (its `trialId` too) with empty fields but those given. */
export function frozenTrial(
  fields: Partial<FrozenTrial> & { readonly number: number },
): FrozenTrial {
  return {
    ...runningTrial(fields.number, fields.number, 0),
    state: "COMPLETE",
    datetimeComplete: 0,
    ...fields,
  };
}
