/**
 * The contour plot: the target over pairs of parameters, as Optuna's `plot_contour` (the
 * target on the grid of observed values, padded axes, log and categorical axes).
 *
 * @module
 */
import { type Either, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import type { ParamValue } from "../core/json.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { ParamsOptions, PlotlyFigure, PlotlyValue, PlotSource } from "./model.ts";
import {
  BLUES,
  INFEASIBLE_GREY,
  isFeasible,
  label,
  OBJECTIVE_VALUE,
  type PaddedAxis,
  paddedAxis,
  paramsInput,
  placePanel,
} from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One pair's panel: the grid (observed values, numeric ones padded by the axis range), the
 * target on the grid (`z[yIndex][xIndex]`, `null` where no trial lies) and the trials.
 *
 * @category model
 */
export interface ContourPanel {
  /** Row of the panel in the grid of parameters (0 for a single pair). */
  readonly row: number;
  /** Column of the panel. */
  readonly col: number;
  /** x axis (padded range, log or category). */
  readonly xAxis: PaddedAxis;
  /** y axis. */
  readonly yAxis: PaddedAxis;
  /** Grid x values (sorted; numbers, or labels for categorical parameters). */
  readonly xGrid: ReadonlyArray<number | string>;
  /** Grid y values. */
  readonly yGrid: ReadonlyArray<number | string>;
  /** The target on the grid (the best value when trials share a cell, the last with a custom target); empty on the diagonal and for a parameter with fewer than 2 values. */
  readonly z: ReadonlyArray<ReadonlyArray<number | null>>;
  /** Trials having both parameters. */
  readonly points: ReadonlyArray<{
    readonly number: number;
    readonly x: number | string;
    readonly y: number | string;
    readonly feasible: boolean;
  }>;
}

/**
 * The data of the contour plot: one panel for two parameters, a grid of `n × n` panels for
 * more.
 *
 * @category model
 */
export interface ContourPlot {
  /** The colour bar's title. */
  readonly targetName: string;
  /** Reverse the colour scale (minimised objective or custom target, as Optuna). */
  readonly reverseScale: boolean;
  /** The parameters shown, sorted. */
  readonly params: ReadonlyArray<string>;
  /** The panels. */
  readonly panels: ReadonlyArray<ContourPanel>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The contour plot of COMPLETE trials with a finite target over every pair of `params`
 * (default: every parameter). Left for an unknown parameter or a multi-objective study
 * without `target`.
 *
 * @example Two parameters
 * ```ts
 * import { contourPlot } from "@hyperion/tune/plots";
 * import { floatDistribution, getOrThrow, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const d = getOrThrow(floatDistribution(0, 10));
 * const t = (number: number, x: number, y: number): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values: [x + y], params: { x, y },
 *   distributions: { x: d, y: d }, intermediateValues: {}, userAttrs: {}, systemAttrs: {},
 *   datetimeStart: 0, datetimeComplete: 0,
 * });
 * const plot = contourPlot({ trials: [t(0, 1, 2), t(1, 3, 4)], directions: ["minimize"] });
 * if (plot._tag === "Right") assert.deepEqual(plot.right.panels[0]?.xGrid, [0.9, 1, 3, 3.1]);
 * ```
 *
 * @category constructors
 */
export function contourPlot(
  source: PlotSource,
  options: ParamsOptions = {},
): Either<HyperionError, ContourPlot> {
  const input = paramsInput(source, options);
  if (input._tag === "Left") return input;
  const { target, trials, params: names } = input.right;
  const pick = options.target === undefined
    ? (a: number, b: number) =>
      source.directions[0] === "maximize" ? Math.max(a, b) : Math.min(a, b)
    : (_a: number, b: number) => b;
  const panel = (row: number, col: number, x: string, y: string) =>
    contourPanel(trials, target, pick, { row, col, x, y });
  const panels = names.length === 2
    ? [panel(0, 0, names[0] as string, names[1] as string)]
    : names.length < 2
    ? []
    : names.flatMap((y, row) => names.map((x, col) => panel(row, col, x, y)));
  return right({
    targetName: options.targetName ?? OBJECTIVE_VALUE,
    reverseScale: options.target !== undefined || source.directions[0] !== "maximize",
    params: names,
    panels,
  });
}

function coordinate(name: string, axis: PaddedAxis) {
  return (t: FrozenTrial): number | string => {
    const v = t.params[name] as ParamValue;
    return axis.type === "category" ? label(v) : Number(v);
  };
}

function gridOf(
  trials: ReadonlyArray<FrozenTrial>,
  name: string,
  axis: PaddedAxis,
): ReadonlyArray<number | string> {
  const at = coordinate(name, axis);
  const values = [...new Set(trials.filter((t) => name in t.params).map(at))];
  if (axis.type === "category") return (values as string[]).sort();
  const sorted = (values as number[]).sort((a, b) => a - b);
  return sorted.length < 2 ? sorted : [axis.range[0], ...sorted, axis.range[1]];
}

function contourPanel(
  trials: ReadonlyArray<FrozenTrial>,
  target: (t: FrozenTrial) => number,
  pick: (a: number, b: number) => number,
  at: { readonly row: number; readonly col: number; readonly x: string; readonly y: string },
): ContourPanel {
  const xAxis = paddedAxis(trials, at.x), yAxis = paddedAxis(trials, at.y);
  const xGrid = gridOf(trials, at.x, xAxis), yGrid = gridOf(trials, at.y, yAxis);
  const xOf = coordinate(at.x, xAxis), yOf = coordinate(at.y, yAxis);
  const both = trials.filter((t) => at.x in t.params && at.y in t.params);
  const points = both.map((t) => ({
    number: t.number,
    x: xOf(t),
    y: yOf(t),
    feasible: isFeasible(t),
  }));
  const base = { row: at.row, col: at.col, xAxis, yAxis, xGrid, yGrid, points };
  const distinct = (g: ReadonlyArray<unknown>, axis: PaddedAxis) =>
    axis.type === "category" ? g.length : Math.max(0, g.length - 2);
  if (at.x === at.y || distinct(xGrid, xAxis) < 2 || distinct(yGrid, yAxis) < 2) {
    return { ...base, z: [] };
  }
  const z: Array<Array<number | null>> = yGrid.map(() => xGrid.map(() => null));
  for (const t of both) {
    const row = z[yGrid.indexOf(yOf(t))] as Array<number | null>;
    const xi = xGrid.indexOf(xOf(t));
    const old = row[xi];
    row[xi] = old === null || old === undefined ? target(t) : pick(old, target(t));
  }
  return { ...base, z };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The Plotly figure of a {@link ContourPlot}: a `contour` trace per panel (gaps connected, as
 * Optuna) with the trials as markers, on a grid of axes for more than two parameters.
 *
 * @example Render
 * ```ts
 * import { contourFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = contourFigure({ targetName: "Objective Value", reverseScale: true, params: [], panels: [] });
 * assert.deepEqual(fig.data, []);
 * ```
 *
 * @category combinators
 */
export function contourFigure(plot: ContourPlot): PlotlyFigure {
  const n = plot.panels.length === 1 ? 1 : plot.params.length;
  const layout: Record<string, PlotlyValue> = { title: { text: "Contour Plot" } };
  const scaled = plot.panels.find((p) => p.z.length > 0);
  const data = plot.panels.flatMap((p) =>
    contourTraces(plot, p, placePanel(layout, p, n), p === scaled)
  );
  return { data, layout };
}

type Trace = PlotlyFigure["data"][number];

function contourTraces(
  plot: ContourPlot,
  p: ContourPanel,
  suffix: string,
  showscale: boolean,
): Trace[] {
  const refs = { xaxis: `x${suffix}`, yaxis: `y${suffix}` };
  const out: Trace[] = [];
  if (p.z.length > 0) {
    out.push({
      type: "contour",
      ...refs,
      x: p.xGrid,
      y: p.yGrid,
      z: p.z,
      colorbar: { title: { text: plot.targetName } },
      colorscale: BLUES,
      connectgaps: true,
      contours: { coloring: "heatmap" },
      hoverinfo: "none",
      line: { smoothing: 1.3 },
      reversescale: plot.reverseScale,
      showscale,
    });
  }
  for (const feasible of [true, false]) {
    const pts = p.points.filter((q) => q.feasible === feasible);
    if (!feasible && pts.length === 0) continue;
    out.push({
      type: "scatter",
      ...refs,
      x: pts.map((q) => q.x),
      y: pts.map((q) => q.y),
      mode: "markers",
      marker: { line: { width: 2, color: "Grey" }, color: feasible ? "black" : INFEASIBLE_GREY },
      name: feasible ? "Feasible Trial" : "Infeasible Trial",
      showlegend: false,
    });
  }
  return out;
}
