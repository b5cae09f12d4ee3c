/**
 * Steps every plot shares (private): the target check, feasibility, the parameter axes (log,
 * categorical, padded ranges as Optuna's contour and rank plots) and JSON-safe numbers.
 *
 * @module
 */
import { type Either, left, right } from "../effect/either.ts";
import type { HyperionError } from "../errors.ts";
import { invalidArgument } from "../core/errors.ts";
import type { Distribution } from "../core/distributions.ts";
import type { ParamValue } from "../core/json.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type {
  Axis,
  ParamsOptions,
  PlotlyValue,
  PlotSource,
  Target,
  TargetOptions,
} from "./model.ts";

/** Optuna's default `target_name`. */
export const OBJECTIVE_VALUE = "Objective Value";

/** Plotly's `Blues` scale (Optuna's `COLOR_SCALE`). */
export const BLUES: PlotlyValue = [
  [0, "rgb(247,251,255)"],
  [0.125, "rgb(222,235,247)"],
  [0.25, "rgb(198,219,239)"],
  [0.375, "rgb(158,202,225)"],
  [0.5, "rgb(107,174,214)"],
  [0.625, "rgb(66,146,198)"],
  [0.75, "rgb(33,113,181)"],
  [0.875, "rgb(8,81,156)"],
  [1, "rgb(8,48,107)"],
];

/** The grey of infeasible trials. */
export const INFEASIBLE_GREY = "#cccccc";

/** Left unless `source` has arrays `trials` and `directions` (callers from JavaScript, JSON). */
export function checkSource(source: PlotSource): Either<HyperionError, PlotSource> {
  const s = source as unknown as { trials?: unknown; directions?: unknown } | null;
  if (
    typeof s !== "object" || s === null || !Array.isArray(s.trials) || !Array.isArray(s.directions)
  ) {
    return left(invalidArgument({
      field: "source",
      value: source,
      expected: "{ trials, directions } with two arrays",
    }));
  }
  return right(source);
}

/** The target to plot: the given one, or the single objective (Left for multi-objective). */
export function resolveTarget(
  source: PlotSource,
  options: TargetOptions,
): Either<HyperionError, Target> {
  const checked = checkSource(source);
  if (checked._tag === "Left") return checked;
  if (options.target !== undefined && typeof options.target !== "function") {
    return left(invalidArgument({
      field: "target",
      value: options.target,
      expected: "a function of a trial",
    }));
  }
  if (options.target !== undefined) return right(options.target);
  if (source.directions.length !== 1) {
    return left(invalidArgument({
      field: "target",
      value: undefined,
      expected: `a target function for a study with ${source.directions.length} objectives`,
      got: "none (use objectiveTarget(i))",
    }));
  }
  return right((t) => t.values?.[0] ?? NaN);
}

/** Optuna's `trial.constraints`: system attrs `constraints` and `constraints:<key>`. */
export function constraintsOf(t: FrozenTrial): ReadonlyArray<number> {
  const out: number[] = [];
  const list = t.systemAttrs["constraints"];
  if (Array.isArray(list)) { for (const c of list) if (typeof c === "number") out.push(c); }
  for (const [key, value] of Object.entries(t.systemAttrs)) {
    if (key.startsWith("constraints:") && typeof value === "number") out.push(value);
  }
  return out;
}

/** True when every constraint is ≤ 0 (no constraints: feasible). */
export function isFeasible(t: FrozenTrial): boolean {
  return constraintsOf(t).every((c) => c <= 0);
}

/** COMPLETE trials whose target is finite (Optuna's `_filter_nonfinite`). */
export function completeFinite(
  trials: ReadonlyArray<FrozenTrial>,
  target: Target,
): ReadonlyArray<FrozenTrial> {
  return trials.filter((t) => t.state === "COMPLETE" && Number.isFinite(target(t)));
}

/** What a per-parameter plot (contour, slice) is drawn from. */
export interface ParamsInput {
  /** The resolved target. */
  readonly target: Target;
  /** The COMPLETE trials with a finite target. */
  readonly trials: ReadonlyArray<FrozenTrial>;
  /** The parameters shown, sorted unless given. */
  readonly params: ReadonlyArray<string>;
}

/**
 * The target, the COMPLETE trials with a finite target and the parameters to show (all of the
 * trials' parameters unless `options.params`); Left as {@link resolveTarget} and
 * {@link selectParams}.
 */
export function paramsInput(
  source: PlotSource,
  options: ParamsOptions,
): Either<HyperionError, ParamsInput> {
  const target = resolveTarget(source, options);
  if (target._tag === "Left") return target;
  const trials = completeFinite(source.trials, target.right);
  const params = selectParams(trials, options.params);
  if (params._tag === "Left") return params;
  return right({ target: target.right, trials, params: params.right });
}

/** The distribution of `name` in the first trial that has it. */
export function distributionOf(
  trials: ReadonlyArray<FrozenTrial>,
  name: string,
): Distribution | undefined {
  for (const t of trials) {
    const d = t.distributions[name];
    if (d !== undefined) return d;
  }
  return undefined;
}

/** Optuna's `_is_log_scale`. */
export function isLogScale(trials: ReadonlyArray<FrozenTrial>, name: string): boolean {
  const d = distributionOf(trials, name);
  return d !== undefined && d._tag !== "CategoricalDistribution" && d.log;
}

/** Optuna's `_is_numerical`: numeric distributions, and categoricals of numbers only. */
export function isNumerical(trials: ReadonlyArray<FrozenTrial>, name: string): boolean {
  const d = distributionOf(trials, name);
  if (d === undefined || d._tag !== "CategoricalDistribution") return true;
  return d.choices.every((c) => typeof c === "number");
}

/** The label of a categorical value (`String`, `null` → `"null"`). */
export function label(value: ParamValue): string {
  return String(value);
}

/** The sorted union of parameter names of `trials`; Left for a requested unknown name. */
export function selectParams(
  trials: ReadonlyArray<FrozenTrial>,
  params: ReadonlyArray<string> | undefined,
): Either<HyperionError, ReadonlyArray<string>> {
  const all = new Set<string>();
  for (const t of trials) for (const p of Object.keys(t.params)) all.add(p);
  if (params === undefined) return right([...all].sort());
  for (const p of params) {
    if (!all.has(p)) {
      return left(invalidArgument({
        field: "params",
        value: p,
        expected: `a parameter of the study's completed trials (${[...all].sort().join(", ")})`,
      }));
    }
  }
  return right([...new Set(params)].sort());
}

/** The axis of a parameter: log, category (choices in order) or linear. */
export function paramAxis(trials: ReadonlyArray<FrozenTrial>, name: string): Axis {
  const d = distributionOf(trials, name);
  if (d?._tag === "CategoricalDistribution" && !isNumerical(trials, name)) {
    return { title: name, type: "category", categories: d.choices.map(label) };
  }
  if (d?._tag === "CategoricalDistribution") return { title: name, type: "linear" };
  return { title: name, type: isLogScale(trials, name) ? "log" : "linear" };
}

/** A padded parameter axis (Optuna's contour and rank `_get_axis_info`). */
export interface PaddedAxis extends Axis {
  /** The padded range, in data units (log axes: not log10). */
  readonly range: readonly [number, number];
}

/** Optuna's `PADDING_RATIO`. */
const PADDING_RATIO = 0.05;

/** The padded axis of `name` over `trials`, as Optuna's contour and rank plots. */
export function paddedAxis(trials: ReadonlyArray<FrozenTrial>, name: string): PaddedAxis {
  const axis = paramAxis(trials, name);
  if (axis.type === "category") {
    const seen = new Set<string>();
    for (const t of trials) if (name in t.params) seen.add(label(t.params[name] as ParamValue));
    const span = seen.size - 1;
    const pad = span * PADDING_RATIO;
    const used = (axis.categories ?? []).filter((c) => seen.has(c));
    return { ...axis, categories: used, range: [-pad, span + pad] };
  }
  const values = trials.filter((t) => name in t.params).map((t) => Number(t.params[name]));
  const lo = Math.min(...values), hi = Math.max(...values);
  if (axis.type === "log") {
    const pad = (Math.log10(hi) - Math.log10(lo)) * PADDING_RATIO;
    return { ...axis, range: [10 ** (Math.log10(lo) - pad), 10 ** (Math.log10(hi) + pad)] };
  }
  const pad = (hi - lo) * PADDING_RATIO;
  return { ...axis, range: [lo - pad, hi + pad] };
}

/** A number as JSON: non-finite values become `null` (a gap for Plotly). */
export function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** An axis as a Plotly layout axis. */
export function plotlyAxis(axis: Axis): { readonly [key: string]: PlotlyValue } {
  const out: Record<string, PlotlyValue> = { title: { text: axis.title } };
  if (axis.type !== "linear") out["type"] = axis.type;
  if (axis.categories !== undefined) {
    out["categoryorder"] = "array";
    out["categoryarray"] = axis.categories;
  }
  return out;
}

/** Optuna's hover text of a trial (number, values, params, user attrs) as HTML lines. */
export function hoverText(t: FrozenTrial): string {
  const attrs = Object.keys(t.userAttrs).length ? { user_attrs: t.userAttrs } : {};
  const text = JSON.stringify(
    { number: t.number, values: t.values, params: t.params, ...attrs },
    null,
    2,
  );
  return escapeHtml(text).replaceAll("\n", "<br>");
}

/** Escapes `&`, `<`, `>` and `"`: names and attributes are untrusted text. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** numpy's `linspace(lo, hi, n)` (the last value is exactly `hi`). */
export function linspace(lo: number, hi: number, n: number): number[] {
  const step = (hi - lo) / (n - 1);
  return Array.from({ length: n }, (_, i) => i === n - 1 ? hi : lo + i * step);
}

/** A padded axis as Plotly's (log ranges in log10 units, as Plotly expects). */
export function axisWithRange(axis: PaddedAxis): { readonly [key: string]: PlotlyValue } {
  const range = axis.type === "log" ? axis.range.map(Math.log10) : [...axis.range];
  return { ...plotlyAxis(axis), range };
}

/** Python's `format(x, ".{digits}g")` (e.g. `1.23e+03`, `0.01`, `2`). */
export function formatG(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
  if (x === 0) return "0";
  const [mantissa, exp] = x.toExponential(digits - 1).split("e") as [string, string];
  const e = Number(exp);
  const strip = (s: string) => s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  if (e < -4 || e >= digits) {
    return `${strip(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return strip(x.toFixed(Math.max(0, digits - 1 - e)));
}

/** A panel's place in an `n × n` grid of subplots. */
export interface GridPanel {
  readonly row: number;
  readonly col: number;
  readonly xAxis: PaddedAxis;
  readonly yAxis: PaddedAxis;
}

/**
 * Adds a grid panel's axes (`xaxisK`/`yaxisK`, padded ranges, domains) to `layout` and returns
 * the axis suffix its traces refer to (`""` for the first panel).
 */
export function placePanel(layout: Record<string, PlotlyValue>, p: GridPanel, n: number): string {
  const k = p.row * n + p.col + 1;
  const suffix = k === 1 ? "" : String(k);
  const size = (1 - 0.04 * (n - 1)) / Math.max(n, 1);
  const domain = (i: number) => [i * (size + 0.04), i * (size + 0.04) + size];
  layout[`xaxis${suffix}`] = {
    ...axisWithRange(p.xAxis),
    domain: domain(p.col),
    anchor: `y${suffix}`,
  };
  layout[`yaxis${suffix}`] = {
    ...axisWithRange(p.yAxis),
    domain: domain(n - 1 - p.row),
    anchor: `x${suffix}`,
  };
  return suffix;
}
