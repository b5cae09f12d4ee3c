/** Helpers of the NSGA tests. */
import type { FrozenTrial } from "../../../mod.ts";

/** A COMPLETE trial with the given values (and the older `constraints` list attribute). */
export function trialOf(n: number, values: number[], constraints?: number[] | null): FrozenTrial {
  return {
    number: n,
    trialId: n,
    state: "COMPLETE",
    values,
    params: {},
    distributions: {},
    intermediateValues: {},
    userAttrs: {},
    systemAttrs: constraints ? { constraints } : {},
    datetimeStart: null,
    datetimeComplete: null,
  };
}
