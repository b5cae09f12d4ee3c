/**
 * The intermediate values (learning curves) of trials, as Optuna's `plot_intermediate_values`.
 *
 * @module
 */
import type { TrialState } from "../core/trial.ts";
import type { Axis, PlotlyFigure, PlotSource } from "./model.ts";
import { INFEASIBLE_GREY, isFeasible, num } from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One trial's reported values, by step.
 *
 * @category model
 */
export interface IntermediateSeries {
  /** Trial number. */
  readonly number: number;
  /** Its state (COMPLETE, PRUNED or RUNNING). */
  readonly state: TrialState;
  /** False when it violates a constraint. */
  readonly feasible: boolean;
  /** Steps, ascending. */
  readonly steps: ReadonlyArray<number>;
  /** The value reported at each step. */
  readonly values: ReadonlyArray<number>;
}

/**
 * The data of the intermediate values plot.
 *
 * @category model
 */
export interface IntermediatePlot {
  /** Step axis. */
  readonly xAxis: Axis;
  /** Value axis. */
  readonly yAxis: Axis;
  /** One series per COMPLETE, PRUNED or RUNNING trial that reported a value. */
  readonly series: ReadonlyArray<IntermediateSeries>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The learning curves of COMPLETE, PRUNED and RUNNING trials that reported values (FAIL and
 * WAITING trials are left out, as in Optuna).
 *
 * @example Two curves
 * ```ts
 * import { intermediateValues } from "@hyperion/tune/plots";
 * import type { FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t = (number: number, state: FrozenTrial["state"], iv: Record<number, number>): FrozenTrial => ({
 *   number, trialId: number, state, values: null, params: {}, distributions: {},
 *   intermediateValues: iv, userAttrs: {}, systemAttrs: {}, datetimeStart: 0, datetimeComplete: 0,
 * });
 * const plot = intermediateValues({
 *   trials: [t(0, "PRUNED", { 2: 0.5, 1: 0.9 }), t(1, "FAIL", { 1: 1 })], directions: ["minimize"],
 * });
 * assert.deepEqual(plot.series.map((s) => [s.number, s.steps]), [[0, [1, 2]]]);
 * ```
 *
 * @category constructors
 */
export function intermediateValues(source: PlotSource): IntermediatePlot {
  const series: IntermediateSeries[] = [];
  for (const t of source.trials) {
    if (t.state !== "COMPLETE" && t.state !== "PRUNED" && t.state !== "RUNNING") continue;
    const steps = Object.keys(t.intermediateValues).map(Number).sort((a, b) => a - b);
    if (steps.length === 0) continue;
    const values = steps.map((s) => t.intermediateValues[s] as number);
    series.push({ number: t.number, state: t.state, feasible: isFeasible(t), steps, values });
  }
  return {
    xAxis: { title: "Step", type: "linear" },
    yAxis: { title: "Intermediate Value", type: "linear" },
    series,
  };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The Plotly figure of an {@link IntermediatePlot}: one line per trial.
 *
 * @example Render
 * ```ts
 * import { intermediateValuesFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = intermediateValuesFigure({
 *   xAxis: { title: "Step", type: "linear" }, yAxis: { title: "Intermediate Value", type: "linear" },
 *   series: [{ number: 0, state: "PRUNED", feasible: true, steps: [1], values: [0.5] }],
 * });
 * assert.equal(fig.data[0]?.name, "Trial0");
 * ```
 *
 * @category combinators
 */
export function intermediateValuesFigure(plot: IntermediatePlot): PlotlyFigure {
  return {
    data: plot.series.map((s) => ({
      type: "scatter",
      x: s.steps,
      y: s.values.map(num),
      mode: "lines+markers",
      marker: s.feasible ? { maxdisplayed: 10 } : { maxdisplayed: 10, color: INFEASIBLE_GREY },
      name: `Trial${s.number}`,
    })),
    layout: {
      title: { text: "Intermediate Values Plot" },
      xaxis: { title: { text: plot.xAxis.title } },
      yaxis: { title: { text: plot.yAxis.title } },
      showlegend: false,
    },
  };
}
