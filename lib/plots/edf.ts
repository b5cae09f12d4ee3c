/**
 * The empirical distribution function of the objective values of one or more studies, as
 * Optuna's `plot_edf`.
 *
 * @module
 */
import { type Either, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import type { Axis, PlotlyFigure, PlotSource, TargetOptions } from "./model.ts";
import { completeFinite, linspace, OBJECTIVE_VALUE, resolveTarget } from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The data of the EDF plot: a common grid of values and, per study, the fraction of its
 * COMPLETE trials at or below each grid value.
 *
 * @category model
 */
export interface EdfPlot {
  /** Value axis. */
  readonly xAxis: Axis;
  /** Probability axis. */
  readonly yAxis: Axis;
  /** 100 evenly spaced values from the smallest to the largest (empty without trials). */
  readonly x: ReadonlyArray<number>;
  /** One line per study. */
  readonly lines: ReadonlyArray<{ readonly studyName: string; readonly y: ReadonlyArray<number> }>;
}

/** Optuna's `NUM_SAMPLES_X_AXIS`. */
const NUM_SAMPLES = 100;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The EDF of the finite target values of COMPLETE trials of each source.
 *
 * @example Two trials
 * ```ts
 * import { edf } from "@hyperion/tune/plots";
 * import type { FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t = (number: number, value: number): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values: [value], params: {}, distributions: {},
 *   intermediateValues: {}, userAttrs: {}, systemAttrs: {}, datetimeStart: 0, datetimeComplete: 0,
 * });
 * const plot = edf([{ trials: [t(0, 0), t(1, 1)], directions: ["minimize"], studyName: "a" }]);
 * if (plot._tag === "Right") assert.deepEqual([plot.right.lines[0]?.y[0], plot.right.lines[0]?.y[99]], [0.5, 1]);
 * ```
 *
 * @category constructors
 */
export function edf(
  sources: ReadonlyArray<PlotSource>,
  options: TargetOptions = {},
): Either<HyperionError, EdfPlot> {
  const all: Array<{ studyName: string; values: number[] }> = [];
  for (const [i, source] of sources.entries()) {
    const target = resolveTarget(source, options);
    if (target._tag === "Left") return target;
    const values = completeFinite(source.trials, target.right).map(target.right);
    all.push({ studyName: source.studyName ?? `study ${i}`, values });
  }
  const flat = all.flatMap((s) => s.values);
  const axes = {
    xAxis: { title: options.targetName ?? OBJECTIVE_VALUE, type: "linear" },
    yAxis: { title: "Cumulative Probability", type: "linear" },
  } as const;
  if (flat.length === 0) return right({ ...axes, x: [], lines: [] });
  const x = linspace(Math.min(...flat), Math.max(...flat), NUM_SAMPLES);
  const lines = all.map(({ studyName, values }) => ({
    studyName,
    y: x.map((v) => values.filter((u) => u <= v).length / values.length),
  }));
  return right({ ...axes, x, lines });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The Plotly figure of an {@link EdfPlot}: one line per study, y from 0 to 1.
 *
 * @example Render
 * ```ts
 * import { edfFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = edfFigure({
 *   xAxis: { title: "Objective Value", type: "linear" },
 *   yAxis: { title: "Cumulative Probability", type: "linear" },
 *   x: [0, 1], lines: [{ studyName: "a", y: [0.5, 1] }],
 * });
 * assert.equal(fig.data[0]?.name, "a");
 * ```
 *
 * @category combinators
 */
export function edfFigure(plot: EdfPlot): PlotlyFigure {
  return {
    data: plot.lines.map((l) => ({
      type: "scatter",
      x: plot.x,
      y: l.y,
      name: l.studyName,
      mode: "lines",
    })),
    layout: {
      title: { text: "Empirical Distribution Function Plot" },
      xaxis: { title: { text: plot.xAxis.title } },
      yaxis: { title: { text: plot.yAxis.title }, range: [0, 1] },
    },
  };
}
