/**
 * The parallel coordinate plot: one vertical axis per objective and parameter, one line per
 * COMPLETE trial, as Optuna's `plot_parallel_coordinate` (log parameters on log10 axes,
 * categorical ones by index, missing parameters on a "None" tick below the axis).
 *
 * @module
 */
import { type Either, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import type { ParamValue } from "../core/json.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { nonDominationRanks } from "../math/hypervolume.ts";
import type { ParamsOptions, PlotlyFigure, PlotSource, TargetOptions } from "./model.ts";
import {
  BLUES,
  checkSource,
  completeFinite,
  formatG,
  isFeasible,
  isLogScale,
  isNumerical,
  label,
  linspace,
  OBJECTIVE_VALUE,
  resolveTarget,
  selectParams,
} from "./_common.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One vertical axis: a value per trial (log10 for log parameters, the category's index for
 * categorical ones), its range and its ticks.
 *
 * @category model
 */
export interface ParallelDimension {
  /** Axis label (the objective's or the parameter's name). */
  readonly label: string;
  /** One value per trial, in the plot's trial order. */
  readonly values: ReadonlyArray<number>;
  /** [min, max] of the values (including the missing value's position). */
  readonly range: readonly [number, number];
  /** Scale of the original values. */
  readonly type: "linear" | "log" | "category";
  /** Tick positions (empty: automatic). */
  readonly tickvals: ReadonlyArray<number>;
  /** Tick labels. */
  readonly ticktext: ReadonlyArray<string>;
  /** True when some trial lacks the parameter. */
  readonly hasMissing: boolean;
}

/**
 * The data of the parallel coordinate plot.
 *
 * @category model
 */
export interface ParallelPlot {
  /** The trials' numbers, in line order. */
  readonly numbers: ReadonlyArray<number>;
  /** The objective axes (one per objective for a multi-objective study without target). */
  readonly objectives: ReadonlyArray<ParallelDimension>;
  /** One axis per parameter, sorted by name. */
  readonly params: ReadonlyArray<ParallelDimension>;
  /** The lines' colour values: the target, or the Pareto rank for multi-objective studies. */
  readonly colors: ReadonlyArray<number>;
  /** The colour bar's title. */
  readonly colorbarTitle: string;
  /** Reverse the colour scale (minimised objective, custom target or Pareto ranks). */
  readonly reverseScale: boolean;
  /** Feasibility per line, or `undefined` when no trial has constraints. */
  readonly feasible: ReadonlyArray<boolean> | undefined;
}

const MISSING = "None";

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The parallel coordinate plot of COMPLETE trials with finite values; a multi-objective study
 * without `target` shows every objective and colours lines by Pareto rank. Left for an
 * unknown parameter.
 *
 * @example A categorical and a log parameter
 * ```ts
 * import { parallelCoordinate } from "@hyperion/tune/plots";
 * import { categoricalDistribution, floatDistribution, getOrThrow, type FrozenTrial } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const lr = getOrThrow(floatDistribution(1e-4, 1, { log: true }));
 * const opt = getOrThrow(categoricalDistribution(["adam", "sgd"]));
 * const t = (number: number, x: number, o: string): FrozenTrial => ({
 *   number, trialId: number, state: "COMPLETE", values: [x], params: { lr: x, opt: o },
 *   distributions: { lr, opt }, intermediateValues: {}, userAttrs: {}, systemAttrs: {},
 *   datetimeStart: 0, datetimeComplete: 0,
 * });
 * const plot = parallelCoordinate({ trials: [t(0, 0.01, "sgd"), t(1, 0.1, "adam")], directions: ["minimize"] });
 * if (plot._tag === "Right") {
 *   assert.deepEqual(plot.right.params.map((d) => d.values), [[-2, -1], [0, 1]]);
 *   assert.deepEqual(plot.right.params[1]?.ticktext, ["sgd", "adam"]);
 * }
 * ```
 *
 * @category constructors
 */
export function parallelCoordinate(
  source: PlotSource,
  options: ParamsOptions = {},
): Either<HyperionError, ParallelPlot> {
  const checked = checkSource(source);
  if (checked._tag === "Left") return checked;
  const multi = options.target === undefined && source.directions.length > 1;
  const target = multi ? undefined : resolveTarget(source, options);
  if (target?._tag === "Left") return target;
  const trials = target === undefined
    ? source.trials.filter((t) =>
      t.state === "COMPLETE" && t.values !== null &&
      t.values.length === source.directions.length && t.values.every(Number.isFinite)
    )
    : completeFinite(source.trials, target.right);
  const params = selectParams(trials, options.params);
  if (params._tag === "Left") return params;
  const objectives = target === undefined
    ? multiObjective(source, trials)
    : singleObjective(source, trials, target.right, options);
  const anyConstraints = trials.some((t) => !isFeasible(t) || hasConstraints(t));
  return right({
    numbers: trials.map((t) => t.number),
    ...objectives,
    params: trials.length ? params.right.map((p) => paramDimension(trials, p)) : [],
    feasible: anyConstraints ? trials.map(isFeasible) : undefined,
  });
}

function hasConstraints(t: FrozenTrial): boolean {
  return Object.keys(t.systemAttrs).some((k) =>
    k === "constraints" || k.startsWith("constraints:")
  );
}

function numeric(label: string, values: ReadonlyArray<number>): ParallelDimension {
  const range: [number, number] = values.length
    ? [Math.min(...values), Math.max(...values)]
    : [0, 0];
  return { label, values, range, type: "linear", tickvals: [], ticktext: [], hasMissing: false };
}

function singleObjective(
  source: PlotSource,
  trials: ReadonlyArray<FrozenTrial>,
  target: (t: FrozenTrial) => number,
  options: TargetOptions,
): Pick<ParallelPlot, "objectives" | "colors" | "colorbarTitle" | "reverseScale"> {
  const name = options.targetName ?? OBJECTIVE_VALUE;
  const values = trials.map(target);
  return {
    objectives: [numeric(name, values)],
    colors: values,
    colorbarTitle: name,
    reverseScale: options.target !== undefined || source.directions[0] !== "maximize",
  };
}

function multiObjective(
  source: PlotSource,
  trials: ReadonlyArray<FrozenTrial>,
): Pick<ParallelPlot, "objectives" | "colors" | "colorbarTitle" | "reverseScale"> {
  const values = trials.map((t) => t.values as ReadonlyArray<number>);
  const losses = values.map((v) => v.map((x, i) => source.directions[i] === "maximize" ? -x : x));
  const ranks = losses.length ? [...nonDominationRanks(losses)] : [];
  return {
    objectives: source.directions.map((_, i) =>
      numeric(`Objective ${i}`, values.map((v) => v[i] as number))
    ),
    colors: ranks,
    colorbarTitle: "Pareto Rank",
    reverseScale: true,
  };
}

function missingValue(lo: number, hi: number): number {
  return lo === hi ? lo - 1 : lo - (hi - lo) * 0.12 / 0.88;
}

function paramDimension(trials: ReadonlyArray<FrozenTrial>, name: string): ParallelDimension {
  const raw = trials.map((t) => name in t.params ? t.params[name] as ParamValue : undefined);
  const hasMissing = raw.some((v) => v === undefined);
  const categorical = trials.some((t) => t.distributions[name]?._tag === "CategoricalDistribution");
  if (isLogScale(trials, name)) return logDimension(name, raw, hasMissing);
  if (categorical) return categoryDimension(trials, name, raw, hasMissing);
  const valid = raw.filter((v) => v !== undefined).map(Number);
  const lo = Math.min(...valid), hi = Math.max(...valid);
  const miss = hasMissing ? missingValue(lo, hi) : undefined;
  const ticks = lo === hi ? [lo] : linspace(lo, hi, 5);
  return {
    label: name,
    values: raw.map((v) => v === undefined ? miss as number : Number(v)),
    range: [miss ?? lo, hi],
    type: "linear",
    tickvals: miss === undefined ? [] : [miss, ...ticks],
    ticktext: miss === undefined ? [] : [MISSING, ...ticks.map((v) => formatG(v, 3))],
    hasMissing,
  };
}

function logDimension(
  name: string,
  raw: ReadonlyArray<ParamValue | undefined>,
  hasMissing: boolean,
): ParallelDimension {
  const valid = raw.filter((v) => v !== undefined).map((v) => Math.log10(Number(v)));
  const lo = Math.min(...valid), hi = Math.max(...valid);
  let ticks: number[] = [];
  for (let i = Math.ceil(lo); i <= Math.floor(hi); i++) ticks.push(i);
  if (!ticks.includes(lo)) ticks = [lo, ...ticks];
  if (!ticks.includes(hi)) ticks = [...ticks, hi];
  const miss = hasMissing ? missingValue(lo, hi) : undefined;
  const text = ticks.map((x) => formatG(10 ** x, 3));
  return {
    label: name,
    values: raw.map((v) => v === undefined ? miss as number : Math.log10(Number(v))),
    range: [miss ?? lo, hi],
    type: "log",
    tickvals: miss === undefined ? ticks : [miss, ...ticks],
    ticktext: miss === undefined ? text : [MISSING, ...text],
    hasMissing,
  };
}

function categoryDimension(
  trials: ReadonlyArray<FrozenTrial>,
  name: string,
  raw: ReadonlyArray<ParamValue | undefined>,
  hasMissing: boolean,
): ParallelDimension {
  const valid = raw.filter((v) => v !== undefined) as ParamValue[];
  const vocab = new Map<ParamValue, number>();
  const ordered = isNumerical(trials, name)
    ? [...valid].sort((a, b) => Number(a) - Number(b))
    : valid;
  for (const v of ordered) if (!vocab.has(v)) vocab.set(v, vocab.size);
  const offset = hasMissing ? 1 : 0;
  const values = raw.map((v) => v === undefined ? 0 : (vocab.get(v) as number) + offset);
  const text = [...vocab.keys()].map((v) => {
    const s = label(v);
    return hasMissing && s === MISSING ? `${s} (value)` : s;
  });
  return {
    label: name,
    values,
    range: [Math.min(...values), Math.max(...values)],
    type: "category",
    tickvals: Array.from({ length: vocab.size + offset }, (_, i) => i),
    ticktext: hasMissing ? [MISSING, ...text] : text,
    hasMissing,
  };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The Plotly figure of a {@link ParallelPlot}: one `parcoords` trace, lines coloured by the
 * objective (or Pareto rank) on Optuna's blue scale.
 *
 * @example Render
 * ```ts
 * import { parallelCoordinateFigure } from "@hyperion/tune/plots";
 * import assert from "node:assert/strict";
 *
 * const dim = { label: "x", values: [1, 2], range: [1, 2] as const, type: "linear" as const, tickvals: [], ticktext: [], hasMissing: false };
 * const fig = parallelCoordinateFigure({
 *   numbers: [0, 1], objectives: [{ ...dim, label: "Objective Value" }], params: [dim],
 *   colors: [1, 2], colorbarTitle: "Objective Value", reverseScale: true, feasible: undefined,
 * });
 * assert.equal(fig.data[0]?.type, "parcoords");
 * ```
 *
 * @category combinators
 */
export function parallelCoordinateFigure(plot: ParallelPlot): PlotlyFigure {
  const layout = { title: { text: "Parallel Coordinate Plot" } };
  if (plot.params.length === 0 || plot.numbers.length === 0) return { data: [], layout };
  const dims = [...plot.objectives, ...plot.params].map((d) => ({
    label: d.label.length > 20 ? `${d.label.slice(0, 17)}...` : d.label,
    values: d.values,
    range: [...d.range],
    ...(d.tickvals.length ? { tickvals: d.tickvals, ticktext: d.ticktext } : {}),
  }));
  return {
    data: [{
      type: "parcoords",
      dimensions: dims,
      labelangle: 30,
      labelside: "bottom",
      line: {
        color: plot.colors,
        colorscale: BLUES,
        colorbar: { title: { text: plot.colorbarTitle } },
        showscale: true,
        reversescale: plot.reverseScale,
      },
    }],
    layout,
  };
}
