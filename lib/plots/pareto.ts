/**
 * The Pareto front of a study with two or three objectives, as Optuna's `plot_pareto_front`:
 * the front (best trials among the feasible ones), the dominated feasible trials and the
 * infeasible ones.
 *
 * @module
 */
import { type Either, left, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import { invalidArgument } from "../core/errors.ts";
import { paretoFront } from "../core/study.ts";
import type { Axis, PlotlyFigure, PlotlyValue, PlotSource } from "./model.ts";
import { hoverText, INFEASIBLE_GREY, isFeasible } from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One trial's point: its objective values in axis order.
 *
 * @category model
 */
export interface ParetoPoint {
  /** Trial number. */
  readonly number: number;
  /** Values, one per axis. */
  readonly values: ReadonlyArray<number>;
  /** Hover text (HTML-escaped). */
  readonly hover: string;
}

/**
 * The data of the Pareto front plot.
 *
 * @category model
 */
export interface ParetoPlot {
  /** Two or three axes, one per shown objective. */
  readonly axes: ReadonlyArray<Axis>;
  /** The non-dominated feasible COMPLETE trials. */
  readonly best: ReadonlyArray<ParetoPoint>;
  /** The other feasible COMPLETE trials (empty unless `includeDominatedTrials`). */
  readonly dominated: ReadonlyArray<ParetoPoint>;
  /** The COMPLETE trials that violate a constraint. */
  readonly infeasible: ReadonlyArray<ParetoPoint>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The Pareto front plot of a study with 2 or 3 objectives (Left otherwise, or for a bad
 * `axisOrder` or `targetNames`).
 *
 * @example Front and dominated trials
 * ```ts
 * import { paretoFrontPlot } from "@hyperion/tune/plots";
 * import type { FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t = (number: number, values: number[]): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values, params: {}, distributions: {},
 *   intermediateValues: {}, userAttrs: {}, systemAttrs: {}, datetimeStart: 0, datetimeComplete: 0,
 * });
 * const plot = paretoFrontPlot({ trials: [t(0, [1, 2]), t(1, [2, 1]), t(2, [3, 3])], directions: ["minimize", "minimize"] });
 * if (plot._tag === "Right") assert.deepEqual(plot.right.dominated.map((p) => p.number), [2]);
 * ```
 *
 * @category constructors
 */
export function paretoFrontPlot(
  source: PlotSource,
  options: {
    /** Axis titles, one per objective. @default {["Objective 0", "Objective 1", …]} */
    readonly targetNames?: ReadonlyArray<string>;
    /** Show dominated trials too. @default {true} */
    readonly includeDominatedTrials?: boolean;
    /** The objective shown on each axis. @default {[0, 1, …]} */
    readonly axisOrder?: ReadonlyArray<number>;
  } = {},
): Either<HyperionError, ParetoPlot> {
  const k = source.directions.length;
  if (k !== 2 && k !== 3) {
    return left(invalidArgument({
      field: "directions",
      value: source.directions,
      expected: "a study with 2 or 3 objectives",
    }));
  }
  const order = options.axisOrder ?? source.directions.map((_, i) => i);
  const sorted = [...order].sort((a, b) => a - b);
  if (order.length !== k || sorted.some((v, i) => v !== i)) {
    return left(invalidArgument({
      field: "axisOrder",
      value: order,
      expected: `a permutation of 0..${k - 1}`,
    }));
  }
  const names = options.targetNames ?? source.directions.map((_, i) => `Objective ${i}`);
  if (names.length !== k) {
    return left(invalidArgument({
      field: "targetNames",
      value: names,
      expected: `${k} names, one per objective`,
    }));
  }
  return right(paretoData(source, order, names, options.includeDominatedTrials ?? true));
}

function paretoData(
  source: PlotSource,
  order: ReadonlyArray<number>,
  names: ReadonlyArray<string>,
  includeDominated: boolean,
): ParetoPlot {
  const complete = source.trials.filter((t) =>
    t.state === "COMPLETE" && t.values !== null && t.values.length === source.directions.length
  );
  const feasible = complete.filter(isFeasible);
  const front = new Set(paretoFront(feasible, source.directions).map((t) => t.number));
  const point = (t: (typeof complete)[number]): ParetoPoint => ({
    number: t.number,
    values: order.map((i) => (t.values as ReadonlyArray<number>)[i] as number),
    hover: hoverText(t),
  });
  return {
    axes: order.map((i) => ({ title: names[i] as string, type: "linear" })),
    best: feasible.filter((t) => front.has(t.number)).map(point),
    dominated: includeDominated ? feasible.filter((t) => !front.has(t.number)).map(point) : [],
    infeasible: complete.filter((t) => !isFeasible(t)).map(point),
  };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The Plotly figure of a {@link ParetoPlot}: `scatter` (2 objectives) or `scatter3d` (3), the
 * front in red, dominated trials in blue, infeasible ones in grey.
 *
 * @example Render
 * ```ts
 * import { paretoFrontFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = paretoFrontFigure({
 *   axes: [{ title: "a", type: "linear" }, { title: "b", type: "linear" }],
 *   best: [{ number: 0, values: [1, 2], hover: "" }], dominated: [], infeasible: [],
 * });
 * assert.equal(fig.data[0]?.name, "Best Trial");
 * ```
 *
 * @category combinators
 */
export function paretoFrontFigure(plot: ParetoPlot): PlotlyFigure {
  const three = plot.axes.length === 3;
  const trace = (name: string, points: ReadonlyArray<ParetoPoint>, color: string) => {
    const out: Record<string, PlotlyValue> = {
      type: three ? "scatter3d" : "scatter",
      name,
      mode: "markers",
      x: points.map((p) => p.values[0] ?? null),
      y: points.map((p) => p.values[1] ?? null),
      hovertemplate: "%{text}<extra>" + name + "</extra>",
      text: points.map((p) => p.hover),
      marker: { color, line: { width: 0.5, color: "Grey" } },
      showlegend: true,
    };
    if (three) out["z"] = points.map((p) => p.values[2] ?? null);
    return out;
  };
  const data = [
    trace("Best Trial", plot.best, "rgb(255,0,0)"),
    trace("Trial", plot.dominated, "rgb(66,146,198)"),
    trace("Infeasible Trial", plot.infeasible, INFEASIBLE_GREY),
  ].filter((t, i) => i === 0 || (t["x"] as ReadonlyArray<unknown>).length > 0);
  const axis = (i: number) => ({ title: { text: plot.axes[i]?.title ?? "" } });
  const layout: Record<string, PlotlyValue> = three
    ? {
      title: { text: "Pareto-front Plot" },
      scene: { xaxis: axis(0), yaxis: axis(1), zaxis: axis(2) },
    }
    : { title: { text: "Pareto-front Plot" }, xaxis: axis(0), yaxis: axis(1) };
  return { data, layout };
}
