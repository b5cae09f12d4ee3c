/**
 * Plot data as pure functions (`@hyperion/tune/plots`): from a study's trials to the series,
 * axes and labels of Optuna's plots — optimisation history, intermediate values, parallel
 * coordinates, slice, contour, parameter importances, Pareto front, hypervolume history, EDF,
 * rank and timeline — and, for each, a Plotly figure spec (`{ data, layout }`, plain JSON).
 *
 * The plot functions take a {@link PlotSource} (`{ trials, directions }`) and return plain data
 * (an `Either` when the input can be wrong: a multi-objective study without `target`, an
 * unknown parameter); the `…Figure` functions turn that data into a Plotly figure. In a
 * Jupyter notebook with the Deno kernel, show one inline with
 * `Deno.jupyter.display(plotlyBundle(figure), { raw: true })` (see `examples/plots.ipynb`).
 *
 * @example Plot a study's history
 * ```ts
 * import { createStudy, float, getTrials, optimize, runOrThrow, suggest, map } from "@hyperion/tune";
 * import { optimizationHistory, optimizationHistoryFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ direction: "minimize" }));
 * await runOrThrow(optimize(study, (trial) =>
 *   map(suggest(trial, { x: float(-10, 10) }), ({ x }) => x * x), { nTrials: 10 }));
 * const trials = await runOrThrow(getTrials(study));
 * const plot = optimizationHistory({ trials, directions: study.directions });
 * assert.equal(plot._tag, "Right");
 * if (plot._tag === "Right") {
 *   const figure = optimizationHistoryFigure(plot.right);
 *   assert.equal(figure.data[0]?.x?.toString(), [...Array(10).keys()].toString());
 * }
 * ```
 *
 * @module
 */
export type { Either, Left, Right } from "../effect/either.ts";
export type * from "../error_types.ts";
export type { Attrs, FrozenTrial, TrialState } from "../core/trial.ts";
export type { Direction } from "../core/study.ts";
export type {
  CategoricalDistribution,
  Distribution,
  FloatDistribution,
  IntDistribution,
} from "../core/distributions.ts";
export type { JsonValue, ParamValue } from "../core/json.ts";
export {
  type Axis,
  objectiveTarget,
  type ParamsOptions,
  plotlyBundle,
  type PlotlyFigure,
  type PlotlyValue,
  type PlotSource,
  type Target,
  type TargetOptions,
} from "./model.ts";
export type { PaddedAxis } from "./_common.ts";
export {
  type HistoryPlot,
  type HistoryPoint,
  optimizationHistory,
  optimizationHistoryFigure,
} from "./history.ts";
export {
  type IntermediatePlot,
  type IntermediateSeries,
  intermediateValues,
  intermediateValuesFigure,
} from "./intermediate.ts";
export {
  parallelCoordinate,
  parallelCoordinateFigure,
  type ParallelDimension,
  type ParallelPlot,
} from "./parallel.ts";
export {
  sliceFigure,
  type SlicePanel,
  type SlicePlot,
  slicePlot,
  type SlicePoint,
} from "./slice.ts";
export { contourFigure, type ContourPanel, type ContourPlot, contourPlot } from "./contour.ts";
export {
  type ImportanceBar,
  importancesFigure,
  type ImportancesPlot,
  importancesPlot,
} from "./importances.ts";
export { paretoFrontFigure, paretoFrontPlot, type ParetoPlot, type ParetoPoint } from "./pareto.ts";
export {
  hypervolumeHistory,
  hypervolumeHistoryFigure,
  type HypervolumeHistoryPlot,
} from "./hypervolume.ts";
export { edf, edfFigure, type EdfPlot } from "./edf.ts";
export { rankFigure, type RankPlot, rankPlot, type RankPoint } from "./rank.ts";
export { timeline, type TimelineBar, timelineFigure, type TimelinePlot } from "./timeline.ts";
