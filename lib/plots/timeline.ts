/**
 * The timeline: each trial as a bar from its start to its end, coloured by state, as Optuna's
 * `plot_timeline`.
 *
 * @module
 */
import type { TrialState } from "../core/trial.ts";
import type { Axis, PlotlyFigure, PlotSource } from "./model.ts";
import { hoverText, INFEASIBLE_GREY, isFeasible } from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One trial's bar (times in epoch milliseconds).
 *
 * @category model
 */
export interface TimelineBar {
  /** Trial number. */
  readonly number: number;
  /** Its state. */
  readonly state: TrialState;
  /** Start (epoch ms). */
  readonly start: number;
  /** End (epoch ms): completion, or `now` for a RUNNING trial. */
  readonly end: number;
  /** True for a trial that violates a constraint. */
  readonly infeasible: boolean;
  /** Hover text (number, values, params, user attributes; HTML-escaped). */
  readonly hover: string;
}

/**
 * The data of the timeline plot.
 *
 * @category model
 */
export interface TimelinePlot {
  /** Time axis (`date`). */
  readonly xAxis: Axis;
  /** Trial axis. */
  readonly yAxis: Axis;
  /** One bar per trial, in number order. */
  readonly bars: ReadonlyArray<TimelineBar>;
}

/** Optuna's bar for a trial without an end: one second. */
const SMALL_BAR_MS = 1000;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The timeline of every trial (or the `nRecentTrials` last ones): RUNNING trials run to `now`
 * plus one second, trials without times get a one-second bar (as in Optuna).
 *
 * @example A running trial ends at `now`
 * ```ts
 * import { timeline } from "@hyperion/tune/plots";
 * import type { FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const t: FrozenTrial = {
 *   number: 0, trialId: 0, state: "RUNNING", values: null, params: {}, distributions: {},
 *   intermediateValues: {}, userAttrs: {}, systemAttrs: {}, datetimeStart: 1000, datetimeComplete: null,
 * };
 * const plot = timeline({ trials: [t], directions: ["minimize"] }, { now: 5000 });
 * assert.deepEqual([plot.bars[0]?.start, plot.bars[0]?.end], [1000, 6000]);
 * ```
 *
 * @category constructors
 */
export function timeline(
  source: PlotSource,
  options: {
    /** Only the last trials. @default {every trial} */
    readonly nRecentTrials?: number;
    /** The current time (epoch ms), where RUNNING trials end. @default {Date.now()} */
    readonly now?: number;
  } = {},
): TimelinePlot {
  const now = options.now ?? Date.now();
  const all = source.trials;
  const trials = options.nRecentTrials === undefined
    ? all
    : all.slice(Math.max(0, all.length - options.nRecentTrials));
  const max = maxEnd(all, now);
  const bars = trials.map((t): TimelineBar => {
    const start = t.datetimeStart ?? max;
    const end = t.state === "RUNNING"
      ? max + SMALL_BAR_MS
      : t.datetimeComplete ?? start + SMALL_BAR_MS;
    return {
      number: t.number,
      state: t.state,
      start,
      end,
      infeasible: !isFeasible(t),
      hover: hoverText(t),
    };
  });
  return {
    xAxis: { title: "Datetime", type: "date" },
    yAxis: { title: "Trial", type: "linear" },
    bars,
  };
}

/** Optuna's `_get_max_datetime_complete`: `now` while trials run, else the last completion. */
function maxEnd(trials: PlotSource["trials"], now: number): number {
  const durations = trials.flatMap((t) =>
    t.datetimeStart !== null && t.datetimeComplete !== null
      ? [t.datetimeComplete - t.datetimeStart]
      : []
  );
  const running = trials.filter((t) => t.state === "RUNNING");
  const longest = durations.length ? Math.max(...durations) : undefined;
  const live = longest === undefined
    ? running.length > 0
    : running.some((t) => t.datetimeStart !== null && now - t.datetimeStart < 5 * longest);
  if (live) return now;
  const ends = trials.flatMap((t) => t.datetimeComplete !== null ? [t.datetimeComplete] : []);
  return ends.length ? Math.max(...ends) : now;
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const STATE_COLOURS: Readonly<Record<TrialState, string>> = {
  COMPLETE: "blue",
  FAIL: "red",
  PRUNED: "orange",
  RUNNING: "green",
  WAITING: "gray",
};

/**
 * The Plotly figure of a {@link TimelinePlot}: horizontal bars on a date axis, one trace per
 * state (and one for infeasible COMPLETE trials).
 *
 * @example Render
 * ```ts
 * import { timelineFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const fig = timelineFigure({
 *   xAxis: { title: "Datetime", type: "date" }, yAxis: { title: "Trial", type: "linear" },
 *   bars: [{ number: 0, state: "COMPLETE", start: 0, end: 2000, infeasible: false, hover: "" }],
 * });
 * assert.deepEqual(fig.data[0]?.x, [2000]);
 * ```
 *
 * @category combinators
 */
export function timelineFigure(plot: TimelinePlot): PlotlyFigure {
  const groups: Array<[string, string, ReadonlyArray<TimelineBar>]> = [];
  for (const state of ["COMPLETE", "FAIL", "PRUNED", "RUNNING", "WAITING"] as const) {
    const of = plot.bars.filter((b) => b.state === state);
    if (state === "COMPLETE") {
      groups.push(["INFEASIBLE", INFEASIBLE_GREY, of.filter((b) => b.infeasible)]);
      groups.push([state, STATE_COLOURS[state], of.filter((b) => !b.infeasible)]);
    } else groups.push([state, STATE_COLOURS[state], of]);
  }
  return {
    data: groups.filter(([, , bars]) => bars.length > 0).map(([name, color, bars]) => ({
      type: "bar",
      name,
      x: bars.map((b) => b.end - b.start),
      y: bars.map((b) => b.number),
      base: bars.map((b) => new Date(b.start).toISOString()),
      text: bars.map((b) => b.hover),
      hovertemplate: `%{text}<extra>${name}</extra>`,
      orientation: "h",
      marker: { color },
      textposition: "none",
    })),
    layout: {
      title: { text: "Timeline Plot" },
      xaxis: { title: { text: plot.xAxis.title }, type: "date" },
      yaxis: { title: { text: plot.yAxis.title } },
      showlegend: true,
    },
  };
}
