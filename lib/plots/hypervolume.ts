/**
 * The hypervolume history of a multi-objective study, as Optuna's `plot_hypervolume_history`.
 *
 * @module
 */
import { type Either, left, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import { invalidArgument } from "../core/errors.ts";
import { hypervolume } from "../math/hypervolume.ts";
import type { Axis, PlotlyFigure, PlotSource } from "./model.ts";
import { isFeasible } from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The data of the hypervolume history plot.
 *
 * @category model
 */
export interface HypervolumeHistoryPlot {
  /** Trial number axis. */
  readonly xAxis: Axis;
  /** Hypervolume axis. */
  readonly yAxis: Axis;
  /** The hypervolume of the feasible COMPLETE trials up to each COMPLETE trial. */
  readonly points: ReadonlyArray<{ readonly number: number; readonly value: number }>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The hypervolume, bounded by `referencePoint` (in the objectives' own directions), of the
 * feasible COMPLETE trials up to each COMPLETE trial; points beyond the reference point add
 * nothing. Left for a single-objective study or a reference point of the wrong length.
 *
 * @example Two minimised objectives
 * ```ts
 * import { hypervolumeHistory } from "@hyperion/tune/plots";
 * import type { FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t = (number: number, values: number[]): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values, params: {}, distributions: {},
 *   intermediateValues: {}, userAttrs: {}, systemAttrs: {}, datetimeStart: 0, datetimeComplete: 0,
 * });
 * const plot = hypervolumeHistory(
 *   { trials: [t(0, [1, 1]), t(1, [0, 1.5])], directions: ["minimize", "minimize"] }, [2, 2]);
 * if (plot._tag === "Right") assert.deepEqual(plot.right.points.map((p) => p.value), [1, 1.5]);
 * ```
 *
 * @category constructors
 */
export function hypervolumeHistory(
  source: PlotSource,
  referencePoint: ReadonlyArray<number>,
): Either<HyperionError, HypervolumeHistoryPlot> {
  const k = source.directions.length;
  if (k < 2) {
    return left(invalidArgument({
      field: "directions",
      value: source.directions,
      expected: "a multi-objective study (use optimizationHistory for one objective)",
    }));
  }
  if (referencePoint.length !== k) {
    return left(invalidArgument({
      field: "referencePoint",
      value: referencePoint,
      expected: `${k} values, one per objective`,
    }));
  }
  const signs = source.directions.map((d) => d === "maximize" ? -1 : 1);
  const ref = referencePoint.map((r, i) => r * (signs[i] as number));
  let front: ReadonlyArray<ReadonlyArray<number>> = [];
  let value = 0;
  const points: Array<{ number: number; value: number }> = [];
  for (const t of source.trials) {
    if (t.state !== "COMPLETE" || t.values === null) continue;
    const p = t.values.map((v, i) => v * (signs[i] as number));
    if (isFeasible(t) && p.every((v, i) => v <= (ref[i] as number)) && !covered(front, p)) {
      front = [...front.filter((q) => !weaklyDominates(p, q)), p];
      value = hypervolume(front, ref);
    }
    points.push({ number: t.number, value });
  }
  return right({
    xAxis: { title: "Trial", type: "linear" },
    yAxis: { title: "Hypervolume", type: "linear" },
    points,
  });
}

function weaklyDominates(a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean {
  return a.every((x, i) => x <= (b[i] as number));
}

function covered(front: ReadonlyArray<ReadonlyArray<number>>, p: ReadonlyArray<number>): boolean {
  return front.some((q) => weaklyDominates(q, p));
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The Plotly figure of a {@link HypervolumeHistoryPlot}.
 *
 * @example Render
 * ```ts
 * import { hypervolumeHistoryFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = hypervolumeHistoryFigure({
 *   xAxis: { title: "Trial", type: "linear" }, yAxis: { title: "Hypervolume", type: "linear" },
 *   points: [{ number: 0, value: 1 }],
 * });
 * assert.deepEqual(fig.data[0]?.y, [1]);
 * ```
 *
 * @category combinators
 */
export function hypervolumeHistoryFigure(plot: HypervolumeHistoryPlot): PlotlyFigure {
  return {
    data: [{
      type: "scatter",
      x: plot.points.map((p) => p.number),
      y: plot.points.map((p) => p.value),
      mode: "lines+markers",
    }],
    layout: {
      title: { text: "Hypervolume History Plot" },
      xaxis: { title: { text: plot.xAxis.title } },
      yaxis: { title: { text: plot.yAxis.title } },
    },
  };
}
