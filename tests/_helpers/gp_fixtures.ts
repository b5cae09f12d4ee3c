/**
 * Shared by the GP parity tests: the training data of a recorded Optuna case.
 *
 * @module
 */
import type { GpData } from "../../lib/samplers/gp/_gp.ts";

/** A recorded case's normalised inputs, standardised values and categorical flags. */
export interface GpCaseData {
  readonly X: number[][];
  readonly y: number[];
  readonly isCategorical: boolean[];
}

/** The case as our GP's training data. */
export function gpDataOf(c: GpCaseData): GpData {
  return {
    x: Float64Array.from(c.X.flat()),
    y: Float64Array.from(c.y),
    n: c.X.length,
    dim: c.X[0]!.length,
    isCategorical: Uint8Array.from(c.isCategorical, (b) => (b ? 1 : 0)),
  };
}
