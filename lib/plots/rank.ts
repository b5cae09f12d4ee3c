/**
 * The rank plot: trials over pairs of parameters, coloured by the rank of their target, as
 * Optuna's `plot_rank`.
 *
 * @module
 */
import { type Either, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import type { ParamValue } from "../core/json.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { ParamsOptions, PlotlyFigure, PlotlyValue, PlotSource } from "./model.ts";
import {
  escapeHtml,
  formatG,
  INFEASIBLE_GREY,
  isFeasible,
  label,
  OBJECTIVE_VALUE,
  type PaddedAxis,
  paddedAxis,
  placePanel,
  resolveTarget,
  selectParams,
} from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One trial in a rank panel.
 *
 * @category model
 */
export interface RankPoint {
  /** Trial number. */
  readonly number: number;
  /** x parameter value (labels for categorical parameters). */
  readonly x: ParamValue;
  /** y parameter value. */
  readonly y: ParamValue;
  /** The target value. */
  readonly value: number;
  /** The rank of the value among the study's COMPLETE trials, in [0, 1] (ties averaged). */
  readonly rank: number;
  /** False when the trial violates a constraint (drawn grey). */
  readonly feasible: boolean;
}

/**
 * The data of the rank plot: one panel for two parameters, `n × n` for more.
 *
 * @category model
 */
export interface RankPlot {
  /** The target's name. */
  readonly targetName: string;
  /** The parameters shown, sorted. */
  readonly params: ReadonlyArray<string>;
  /** The panels (row = y parameter, col = x parameter). */
  readonly panels: ReadonlyArray<{
    readonly row: number;
    readonly col: number;
    readonly xAxis: PaddedAxis;
    readonly yAxis: PaddedAxis;
    readonly points: ReadonlyArray<RankPoint>;
  }>;
  /** The target's quantiles at ranks 0, 0.25, 0.5, 0.75 and 1 (the colour bar's ticks). */
  readonly ticks: ReadonlyArray<{ readonly rank: number; readonly value: number }>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The rank plot of COMPLETE trials over pairs of `params` (default: every parameter). Left for
 * an unknown parameter or a multi-objective study without `target`.
 *
 * @example Ranks of three trials
 * ```ts
 * import { rankPlot } from "@hyperion/tune/plots";
 * import { floatDistribution, getOrThrow, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const d = getOrThrow(floatDistribution(0, 10));
 * const t = (number: number, x: number, v: number): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values: [v], params: { x, y: x },
 *   distributions: { x: d, y: d }, intermediateValues: {}, userAttrs: {}, systemAttrs: {},
 *   datetimeStart: 0, datetimeComplete: 0,
 * });
 * const plot = rankPlot({ trials: [t(0, 1, 5), t(1, 2, 3), t(2, 3, 9)], directions: ["minimize"] });
 * if (plot._tag === "Right") assert.deepEqual(plot.right.panels[0]?.points.map((p) => p.rank), [0.5, 0, 1]);
 * ```
 *
 * @category constructors
 */
export function rankPlot(
  source: PlotSource,
  options: ParamsOptions = {},
): Either<HyperionError, RankPlot> {
  const target = resolveTarget(source, options);
  if (target._tag === "Left") return target;
  const trials = source.trials.filter((t) => t.state === "COMPLETE");
  const params = selectParams(trials, options.params);
  if (params._tag === "Left") return params;
  const names = params.right;
  const values = trials.map(target.right);
  const ranks = averagedRanks(values).map((r) =>
    trials.length >= 2 ? r / (trials.length - 1) : 0.5
  );
  const panel = (row: number, col: number, x: string, y: string) =>
    rankPanel(trials, { values, ranks }, { row, col, x, y });
  const panels = names.length === 2
    ? [panel(0, 0, names[0] as string, names[1] as string)]
    : names.flatMap((y, row) => names.map((x, col) => panel(row, col, x, y)));
  return right({
    targetName: options.targetName ?? OBJECTIVE_VALUE,
    params: names,
    panels,
    ticks: values.length ? quantileTicks(values) : [],
  });
}

/** Optuna's `_get_order_with_same_order_averaging`: the mean sorted position of equal values. */
function averagedRanks(values: ReadonlyArray<number>): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return values.map((v) => {
    let sum = 0, count = 0;
    sorted.forEach((s, i) => {
      if (s === v) {
        sum += i;
        count++;
      }
    });
    return count ? sum / count : 0;
  });
}

/** numpy's linear quantiles at 0, 0.25, 0.5, 0.75 and 1. */
function quantileTicks(values: ReadonlyArray<number>): RankPlot["ticks"] {
  const sorted = [...values].sort((a, b) => a - b);
  return [0, 0.25, 0.5, 0.75, 1].map((q) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos), hi = Math.ceil(pos);
    const a = sorted[lo] as number, b = sorted[hi] as number;
    return { rank: q, value: a + (b - a) * (pos - lo) };
  });
}

function rankPanel(
  trials: ReadonlyArray<FrozenTrial>,
  scores: { readonly values: ReadonlyArray<number>; readonly ranks: ReadonlyArray<number> },
  at: { readonly row: number; readonly col: number; readonly x: string; readonly y: string },
): RankPlot["panels"][number] {
  const xAxis = paddedAxis(trials, at.x), yAxis = paddedAxis(trials, at.y);
  const show = (axis: PaddedAxis, v: ParamValue) => axis.type === "category" ? label(v) : v;
  const points: RankPoint[] = [];
  trials.forEach((t, i) => {
    if (!(at.x in t.params && at.y in t.params)) return;
    points.push({
      number: t.number,
      x: show(xAxis, t.params[at.x] as ParamValue),
      y: show(yAxis, t.params[at.y] as ParamValue),
      value: scores.values[i] as number,
      rank: scores.ranks[i] as number,
      feasible: isFeasible(t),
    });
  });
  return { row: at.row, col: at.col, xAxis, yAxis, points };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** Plotly's `RdYlBu_r`, as Optuna colours ranks. */
const RD_YL_BU_R: PlotlyValue = [
  "rgb(49,54,149)",
  "rgb(69,117,180)",
  "rgb(116,173,209)",
  "rgb(171,217,233)",
  "rgb(224,243,248)",
  "rgb(255,255,191)",
  "rgb(254,224,144)",
  "rgb(253,174,97)",
  "rgb(244,109,67)",
  "rgb(215,48,39)",
  "rgb(165,0,38)",
].map((c, i) => [i / 10, c]);

/**
 * The Plotly figure of a {@link RankPlot}: markers coloured on the `RdYlBu_r` scale by rank
 * (infeasible ones grey), with a colour bar of the target's quantiles.
 *
 * @example Render
 * ```ts
 * import { rankFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = rankFigure({ targetName: "Objective Value", params: [], panels: [], ticks: [] });
 * assert.equal(fig.data.length, 1);
 * ```
 *
 * @category combinators
 */
export function rankFigure(plot: RankPlot): PlotlyFigure {
  const n = plot.panels.length === 1 ? 1 : plot.params.length;
  const layout: Record<string, PlotlyValue> = { title: { text: `Rank (${plot.targetName})` } };
  const data = plot.panels.flatMap((p) => rankTraces(plot, p, placePanel(layout, p, n)));
  return { data: [...data, rankColorbar(plot)], layout };
}

type Trace = PlotlyFigure["data"][number];

function rankTraces(plot: RankPlot, p: RankPlot["panels"][number], suffix: string): Trace[] {
  const out: Trace[] = [];
  for (const feasible of [true, false]) {
    const pts = p.points.filter((q) => q.feasible === feasible);
    if (!feasible && pts.length === 0) continue;
    out.push({
      type: "scatter",
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      x: pts.map((q) => q.x),
      y: pts.map((q) => q.y),
      mode: "markers",
      marker: feasible
        ? {
          color: pts.map((q) => q.rank),
          colorscale: RD_YL_BU_R,
          cmin: 0,
          cmax: 1,
          line: { width: 0.5, color: "Grey" },
        }
        : { color: INFEASIBLE_GREY, line: { width: 0.5, color: "Grey" } },
      text: pts.map((q) => `Trial #${q.number}<br>${escapeHtml(plot.targetName)}: ${q.value}`),
      hovertemplate: "%{text}<extra></extra>",
      showlegend: false,
    });
  }
  return out;
}

function rankColorbar(plot: RankPlot): Trace {
  return {
    type: "scatter",
    x: [null],
    y: [null],
    mode: "markers",
    marker: {
      colorscale: RD_YL_BU_R,
      showscale: true,
      cmin: 0,
      cmax: 1,
      colorbar: {
        thickness: 10,
        tickvals: plot.ticks.map((t) => t.rank),
        ticktext: plot.ticks.map((t, i) =>
          `${["min.", "25%", "50%", "75%", "max."][i]} (${formatG(t.value, 6)})`
        ),
      },
    },
    hoverinfo: "none",
    showlegend: false,
  };
}
