/**
 * The optimisation history: each COMPLETE trial's value by trial number, and the best value so
 * far (feasible trials only), as Optuna's `plot_optimization_history`.
 *
 * @module
 */
import { type Either, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import type { Axis, PlotlyFigure, PlotSource, TargetOptions } from "./model.ts";
import { INFEASIBLE_GREY, isFeasible, num, OBJECTIVE_VALUE, resolveTarget } from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One COMPLETE trial's value.
 *
 * @category model
 */
export interface HistoryPoint {
  /** Trial number. */
  readonly number: number;
  /** Its target value. */
  readonly value: number;
  /** False when it violates a constraint. */
  readonly feasible: boolean;
}

/**
 * The data of the optimisation history plot.
 *
 * @category model
 */
export interface HistoryPlot {
  /** Trial number axis. */
  readonly xAxis: Axis;
  /** Value axis. */
  readonly yAxis: Axis;
  /** Every COMPLETE trial, in number order. */
  readonly points: ReadonlyArray<HistoryPoint>;
  /**
   * The best feasible value up to each trial (every trial number, every state; `null` before
   * the first feasible COMPLETE trial); absent when a custom target is plotted, as in Optuna.
   */
  readonly best:
    | ReadonlyArray<{ readonly number: number; readonly value: number | null }>
    | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The optimisation history of a study: COMPLETE trials' values (PRUNED, FAIL and running trials
 * are left out) and the best value so far. Left for a multi-objective study without `target`.
 *
 * @example Best so far of a minimised study
 * ```ts
 * import { optimizationHistory } from "@hyperion/tune/plots";
 * import type { FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t = (number: number, value: number): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values: [value], params: {}, distributions: {},
 *   intermediateValues: {}, userAttrs: {}, systemAttrs: {}, datetimeStart: 0, datetimeComplete: 0,
 * });
 * const plot = optimizationHistory({ trials: [t(0, 3), t(1, 5), t(2, 1)], directions: ["minimize"] });
 * assert.equal(plot._tag, "Right");
 * if (plot._tag === "Right") assert.deepEqual(plot.right.best?.map((b) => b.value), [3, 3, 1]);
 * ```
 *
 * @category constructors
 */
export function optimizationHistory(
  source: PlotSource,
  options: TargetOptions = {},
): Either<HyperionError, HistoryPlot> {
  const target = resolveTarget(source, options);
  if (target._tag === "Left") return target;
  const points: HistoryPoint[] = [];
  for (const t of source.trials) {
    if (t.state !== "COMPLETE") continue;
    points.push({ number: t.number, value: target.right(t), feasible: isFeasible(t) });
  }
  const best = options.target === undefined ? bestSoFar(source, points) : undefined;
  return right({
    xAxis: { title: "Trial", type: "linear" },
    yAxis: { title: options.targetName ?? OBJECTIVE_VALUE, type: "linear" },
    points,
    best,
  });
}

function bestSoFar(
  source: PlotSource,
  points: ReadonlyArray<HistoryPoint>,
): ReadonlyArray<{ readonly number: number; readonly value: number | null }> {
  const sign = source.directions[0] === "maximize" ? -1 : 1;
  const byNumber = new Map(points.map((p) => [p.number, p]));
  let best = Infinity;
  return source.trials.map((t) => {
    const p = byNumber.get(t.number);
    if (p !== undefined && p.feasible && sign * p.value < best) best = sign * p.value;
    return { number: t.number, value: best === Infinity ? null : sign * best };
  });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The Plotly figure of an {@link HistoryPlot}: feasible values as markers, the best value as a
 * line, infeasible values in grey.
 *
 * @example Render
 * ```ts
 * import { optimizationHistoryFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = optimizationHistoryFigure({
 *   xAxis: { title: "Trial", type: "linear" }, yAxis: { title: "Objective Value", type: "linear" },
 *   points: [{ number: 0, value: 1, feasible: true }], best: [{ number: 0, value: 1 }],
 * });
 * assert.equal(fig.data.length, 3);
 * ```
 *
 * @category combinators
 */
export function optimizationHistoryFigure(plot: HistoryPlot): PlotlyFigure {
  const feasible = plot.points.filter((p) => p.feasible);
  const infeasible = plot.points.filter((p) => !p.feasible);
  const data: Array<PlotlyFigure["data"][number]> = [{
    type: "scatter",
    x: feasible.map((p) => p.number),
    y: feasible.map((p) => num(p.value)),
    mode: "markers",
    name: plot.yAxis.title,
  }];
  if (plot.best !== undefined) {
    data.push({
      type: "scatter",
      x: plot.best.map((b) => b.number),
      y: plot.best.map((b) => b.value),
      mode: "lines",
      name: "Best Value",
    });
  }
  data.push({
    type: "scatter",
    x: infeasible.map((p) => p.number),
    y: infeasible.map((p) => num(p.value)),
    mode: "markers",
    name: "Infeasible Trial",
    marker: { color: INFEASIBLE_GREY },
    showlegend: false,
  });
  return {
    data,
    layout: {
      title: { text: "Optimization History Plot" },
      xaxis: { title: { text: plot.xAxis.title } },
      yaxis: { title: { text: plot.yAxis.title } },
    },
  };
}
