/**
 * What every plot shares: the {@link PlotSource} a plot is computed from (a study's trials and
 * directions), the {@link Target} that picks the value to show, the {@link Axis} of plot data
 * and the {@link PlotlyFigure} every plot renders to (plain JSON `{ data, layout }`, as Optuna's
 * plotly figures, shown inline by Deno's Jupyter kernel with `Deno.jupyter.display`).
 *
 * @module
 */
import type { Direction } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The data a plot is computed from: a study's trials (in number order) and its directions. A
 * `StudyRecord` spread with its trials (`{ ...record, trials }`) is one.
 *
 * @category model
 */
export interface PlotSource {
  /** The study's trials, every state. */
  readonly trials: ReadonlyArray<FrozenTrial>;
  /** One direction per objective. */
  readonly directions: ReadonlyArray<Direction>;
  /** The study's name (legends of plots that compare studies). @default {"study"} */
  readonly studyName?: string;
}

/**
 * The value a plot shows for a COMPLETE trial; required for multi-objective studies (e.g.
 * `objectiveTarget(1)`), as Optuna's `target`.
 *
 * @category model
 */
export type Target = (trial: FrozenTrial) => number;

/**
 * The options of plots that show one value per trial.
 *
 * @category model
 */
export interface TargetOptions {
  /** The value to show. @default {the objective value (single-objective studies only)} */
  readonly target?: Target;
  /** The axis title of the value. @default {"Objective Value"} */
  readonly targetName?: string;
}

/**
 * The options of plots over parameters (contour, slice, rank, parallel coordinate).
 *
 * @category model
 */
export interface ParamsOptions extends TargetOptions {
  /** The parameters to show. @default {every parameter of the completed trials} */
  readonly params?: ReadonlyArray<string>;
}

/**
 * An axis of plot data: its title and scale. `log` for parameters of log distributions,
 * `category` for categorical ones (with the choices in order), `date` for times.
 *
 * @category model
 */
export interface Axis {
  /** Axis title. */
  readonly title: string;
  /** Scale. */
  readonly type: "linear" | "log" | "category" | "date";
  /** The category labels in display order (`category` axes only). */
  readonly categories?: ReadonlyArray<string>;
}

/**
 * A JSON value as Plotly reads it (`null` leaves a gap in a line).
 *
 * @category model
 */
export type PlotlyValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<PlotlyValue>
  | { readonly [key: string]: PlotlyValue };

/**
 * A Plotly figure: traces and layout as plain JSON, ready for `Plotly.newPlot(div, data,
 * layout)` or for `Deno.jupyter.display({ "application/vnd.plotly.v1+json": figure }, { raw:
 * true })`.
 *
 * @category model
 */
export interface PlotlyFigure {
  /** The traces. */
  readonly data: ReadonlyArray<{ readonly [key: string]: PlotlyValue }>;
  /** The layout (title, axes, legend). */
  readonly layout: { readonly [key: string]: PlotlyValue };
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The target that shows objective `index` of a multi-objective trial (NaN when it has none).
 *
 * @example Plot the second objective
 * ```ts
 * import { objectiveTarget } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const t = { values: [1, 2] } as unknown as Parameters<ReturnType<typeof objectiveTarget>>[0];
 * assert.equal(objectiveTarget(1)(t), 2);
 * ```
 *
 * @category constructors
 */
export function objectiveTarget(index: number): Target {
  return (trial) => trial.values?.[index] ?? NaN;
}

/**
 * The MIME bundle that Deno's Jupyter kernel renders as an interactive Plotly chart:
 * `Deno.jupyter.display(plotlyBundle(figure), { raw: true })`.
 *
 * @example Display a figure in a notebook cell
 * ```ts
 * import { plotlyBundle } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const bundle = plotlyBundle({ data: [], layout: { title: { text: "empty" } } });
 * assert.deepEqual(Object.keys(bundle), ["application/vnd.plotly.v1+json", "text/plain"]);
 * ```
 *
 * @category constructors
 */
export function plotlyBundle(figure: PlotlyFigure): {
  readonly "application/vnd.plotly.v1+json": PlotlyFigure;
  readonly "text/plain": string;
} {
  const title = figure.layout["title"];
  const text = typeof title === "object" && title !== null && !Array.isArray(title)
    ? String((title as { readonly text?: PlotlyValue }).text ?? "Plot")
    : "Plot";
  return { "application/vnd.plotly.v1+json": figure, "text/plain": text };
}
