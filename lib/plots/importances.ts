/**
 * The parameter importances bar chart, from importances already computed (e.g. by
 * `getParamImportances` of `@hyperion/tune/importance`), as Optuna's `plot_param_importances`.
 *
 * @module
 */
import type { Axis, PlotlyFigure } from "./model.ts";
import { escapeHtml } from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One parameter's bar.
 *
 * @category model
 */
export interface ImportanceBar {
  /** The parameter. */
  readonly param: string;
  /** Its importance. */
  readonly importance: number;
  /** The bar's label: two decimals, or `<0.01`. */
  readonly label: string;
}

/**
 * The data of the importances plot: one group of bars per target (objective).
 *
 * @category model
 */
export interface ImportancesPlot {
  /** Importance axis. */
  readonly xAxis: Axis;
  /** Parameter axis. */
  readonly yAxis: Axis;
  /** Per target, the bars from the least to the most important (drawn bottom-up). */
  readonly groups: ReadonlyArray<{
    readonly targetName: string;
    readonly bars: ReadonlyArray<ImportanceBar>;
  }>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The importances plot of one or more targets' importances (`{ param: importance }` each,
 * any order).
 *
 * @example The most important parameter is drawn on top
 * ```ts
 * import { importancesPlot } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const plot = importancesPlot([{ targetName: "Objective Value", importances: { x: 0.9, y: 0.005 } }]);
 * assert.deepEqual(plot.groups[0]?.bars.map((b) => [b.param, b.label]), [["y", "<0.01"], ["x", "0.90"]]);
 * ```
 *
 * @category constructors
 */
export function importancesPlot(
  targets: ReadonlyArray<{
    readonly targetName: string;
    readonly importances: Readonly<Record<string, number>>;
  }>,
): ImportancesPlot {
  return {
    xAxis: { title: "Hyperparameter Importance", type: "linear" },
    yAxis: { title: "Hyperparameter", type: "category" },
    groups: targets.map(({ targetName, importances }) => ({
      targetName,
      bars: Object.entries(importances)
        .sort((a, b) => a[1] - b[1])
        .map(([param, importance]) => ({
          param,
          importance,
          label: importance >= 0.01 ? importance.toFixed(2) : "<0.01",
        })),
    })),
  };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The Plotly figure of an {@link ImportancesPlot}: horizontal bars labelled with their value.
 *
 * @example Render
 * ```ts
 * import { importancesFigure, importancesPlot } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = importancesFigure(importancesPlot([{ targetName: "loss", importances: { x: 1 } }]));
 * assert.deepEqual(fig.data[0]?.y, ["x"]);
 * ```
 *
 * @category combinators
 */
export function importancesFigure(plot: ImportancesPlot): PlotlyFigure {
  return {
    data: plot.groups.filter((g) => g.bars.length > 0).map((g) => ({
      type: "bar",
      x: g.bars.map((b) => b.importance),
      y: g.bars.map((b) => b.param),
      name: g.targetName,
      text: g.bars.map((b) => b.label),
      textposition: "outside",
      cliponaxis: false,
      hovertemplate: g.bars.map((b) => `${escapeHtml(b.param)}: ${b.importance}<extra></extra>`),
      orientation: "h",
    })),
    layout: {
      title: { text: "Hyperparameter Importances" },
      xaxis: { title: { text: plot.xAxis.title } },
      yaxis: { title: { text: plot.yAxis.title } },
    },
  };
}
