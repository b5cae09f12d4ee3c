/**
 * The slice plot: the target against each parameter, one panel per parameter, as Optuna's
 * `plot_slice` (log axes for log parameters, category axes for categorical ones).
 *
 * @module
 */
import { type Either, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import type { ParamValue } from "../core/json.ts";
import type { Axis, ParamsOptions, PlotlyFigure, PlotlyValue, PlotSource } from "./model.ts";
import {
  BLUES,
  INFEASIBLE_GREY,
  isFeasible,
  label,
  num,
  OBJECTIVE_VALUE,
  paramAxis,
  paramsInput,
  plotlyAxis,
} from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One trial in a panel: the parameter's value and the target.
 *
 * @category model
 */
export interface SlicePoint {
  /** Trial number. */
  readonly number: number;
  /** The parameter's value (external). */
  readonly x: ParamValue;
  /** The target value. */
  readonly y: number;
  /** False when the trial violates a constraint. */
  readonly feasible: boolean;
}

/**
 * One parameter's panel: the trials that have it.
 *
 * @category model
 */
export interface SlicePanel {
  /** The parameter. */
  readonly param: string;
  /** Its axis (log, category with the choices, or linear). */
  readonly xAxis: Axis;
  /** Trials having the parameter, in number order. */
  readonly points: ReadonlyArray<SlicePoint>;
}

/**
 * The data of the slice plot.
 *
 * @category model
 */
export interface SlicePlot {
  /** Target axis, shared by the panels. */
  readonly yAxis: Axis;
  /** One panel per parameter, sorted by name. */
  readonly panels: ReadonlyArray<SlicePanel>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The slice plot of COMPLETE trials with a finite target; a trial without a parameter is
 * absent from its panel. Left for an unknown name in `params` or a multi-objective study
 * without `target`.
 *
 * @example A log parameter
 * ```ts
 * import { slicePlot } from "@hyperion/tune/plots";
 * import { floatDistribution, getOrThrow, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const lr = getOrThrow(floatDistribution(1e-5, 1, { log: true }));
 * const t = (number: number, x: number): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values: [x * 2], params: { lr: x },
 *   distributions: { lr }, intermediateValues: {}, userAttrs: {}, systemAttrs: {},
 *   datetimeStart: 0, datetimeComplete: 0,
 * });
 * const plot = slicePlot({ trials: [t(0, 0.1), t(1, 0.01)], directions: ["minimize"] });
 * if (plot._tag === "Right") assert.equal(plot.right.panels[0]?.xAxis.type, "log");
 * ```
 *
 * @category constructors
 */
export function slicePlot(
  source: PlotSource,
  options: ParamsOptions = {},
): Either<HyperionError, SlicePlot> {
  const input = paramsInput(source, options);
  if (input._tag === "Left") return input;
  const { target, trials, params } = input.right;
  const panels = params.map((param): SlicePanel => ({
    param,
    xAxis: paramAxis(trials, param),
    points: trials.filter((t) => param in t.params).map((t) => ({
      number: t.number,
      x: t.params[param] as ParamValue,
      y: target(t),
      feasible: isFeasible(t),
    })),
  }));
  return right({ yAxis: { title: options.targetName ?? OBJECTIVE_VALUE, type: "linear" }, panels });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The Plotly figure of a {@link SlicePlot}: one x axis per panel (`xaxis`, `xaxis2`, …) side by
 * side sharing the y axis; points coloured by trial number, infeasible ones grey.
 *
 * @example Render
 * ```ts
 * import { sliceFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = sliceFigure({
 *   yAxis: { title: "Objective Value", type: "linear" },
 *   panels: [{ param: "lr", xAxis: { title: "lr", type: "log" }, points: [{ number: 0, x: 0.1, y: 1, feasible: true }] }],
 * });
 * assert.equal((fig.layout.xaxis as { type: string }).type, "log");
 * ```
 *
 * @category combinators
 */
export function sliceFigure(plot: SlicePlot): PlotlyFigure {
  const n = plot.panels.length;
  const data: Array<PlotlyFigure["data"][number]> = [];
  const layout: Record<string, PlotlyValue> = { title: { text: "Slice Plot" } };
  plot.panels.forEach((panel, i) => {
    const suffix = i === 0 ? "" : String(i + 1);
    const x = (p: SlicePoint) => panel.xAxis.type === "category" ? label(p.x) : p.x;
    const feasible = panel.points.filter((p) => p.feasible);
    const infeasible = panel.points.filter((p) => !p.feasible);
    const trace = (points: ReadonlyArray<SlicePoint>, name: string, marker: PlotlyValue) => ({
      type: "scatter",
      x: points.map(x),
      y: points.map((p) => num(p.y)),
      xaxis: `x${suffix}`,
      yaxis: "y",
      mode: "markers",
      name,
      marker,
      showlegend: false,
    });
    data.push(trace(feasible, "Feasible Trial", {
      line: { width: 0.5, color: "Grey" },
      color: feasible.map((p) => p.number),
      colorscale: BLUES,
      colorbar: { title: { text: "Trial" }, x: 1.0, xpad: 40 },
      showscale: i === 0,
    }));
    if (infeasible.length > 0) {
      data.push(trace(infeasible, "Infeasible Trial", { color: INFEASIBLE_GREY }));
    }
    const gap = 0.02;
    const width = (1 - gap * (n - 1)) / n;
    layout[`xaxis${suffix}`] = {
      ...plotlyAxis(panel.xAxis),
      domain: [i * (width + gap), i * (width + gap) + width],
      anchor: "y",
    };
  });
  layout["yaxis"] = plotlyAxis(plot.yAxis);
  if (n > 3) layout["width"] = 300 * n;
  return { data, layout };
}
