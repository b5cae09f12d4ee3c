/**
 * The figures of the study page, from `lib/plots` (the same plot data and Plotly specs the
 * plots entry point gives users): single-objective studies get the optimisation history,
 * intermediate values, parallel coordinates, slice, contour (the first two parameters), EDF
 * and timeline; multi-objective studies the Pareto front, the hypervolume history, per-objective
 * parallel coordinates and the timeline. A plot whose data is missing (no completed trial, one
 * parameter for a contour) is left out.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import { orientedValues, type StudyRecord } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import { objectiveTarget, type PlotlyFigure, type PlotSource } from "../plots/model.ts";
import { optimizationHistory, optimizationHistoryFigure } from "../plots/history.ts";
import { intermediateValues, intermediateValuesFigure } from "../plots/intermediate.ts";
import { parallelCoordinate, parallelCoordinateFigure } from "../plots/parallel.ts";
import { sliceFigure, slicePlot } from "../plots/slice.ts";
import { contourFigure, contourPlot } from "../plots/contour.ts";
import { edf, edfFigure } from "../plots/edf.ts";
import { timeline, timelineFigure } from "../plots/timeline.ts";
import { paretoFrontFigure, paretoFrontPlot } from "../plots/pareto.ts";
import { hypervolumeHistory, hypervolumeHistoryFigure } from "../plots/hypervolume.ts";

/** The timeline shows the most recent trials only (10,000 bars would take seconds to draw). */
const TIMELINE_TRIALS = 1000;

/** A figure of the study page. */
export interface StudyFigure {
  readonly id: string;
  readonly title: string;
  readonly figure: PlotlyFigure;
}

type Built = Either<HyperionError, PlotlyFigure> | PlotlyFigure;

function add(out: StudyFigure[], id: string, title: string, build: () => Built): void {
  try {
    const built = build();
    const figure = "_tag" in built ? (built._tag === "Right" ? built.right : undefined) : built;
    if (figure !== undefined && figure.data.length > 0) out.push({ id, title, figure });
  } catch { /* a plot that cannot be drawn is left out */ }
}

function mapE<A>(e: Either<HyperionError, A>, f: (a: A) => PlotlyFigure): Built {
  return e._tag === "Right" ? right(f(e.right)) : e;
}

/** The parameters of COMPLETE trials, most frequent first (ties by name). */
function paramsByUse(trials: ReadonlyArray<FrozenTrial>): ReadonlyArray<string> {
  const count = new Map<string, number>();
  for (const t of trials) {
    if (t.state !== "COMPLETE") continue;
    for (const k of Object.keys(t.params)) count.set(k, (count.get(k) ?? 0) + 1);
  }
  return [...count.keys()].sort((a, b) => (count.get(b)! - count.get(a)!) || (a < b ? -1 : 1));
}

/** A reference point just beyond the worst completed values, in each objective's direction. */
function referencePoint(source: PlotSource): ReadonlyArray<number> | undefined {
  const k = source.directions.length;
  const worst = new Array<number>(k).fill(-Infinity);
  for (const t of source.trials) {
    if (t.state !== "COMPLETE" || t.values === null || t.values.length !== k) continue;
    orientedValues(t.values, source.directions).forEach((v, i) => {
      if (Number.isFinite(v)) worst[i] = Math.max(worst[i] as number, v);
    });
  }
  if (worst.some((w) => !Number.isFinite(w))) return undefined;
  const oriented = worst.map((w) => w + Math.max(Math.abs(w) * 0.1, 1e-9));
  return oriented.map((v, i) => source.directions[i] === "maximize" ? -v : v);
}

function singleObjective(out: StudyFigure[], source: PlotSource): void {
  const params = paramsByUse(source.trials);
  add(
    out,
    "history",
    "Optimization history",
    () => mapE(optimizationHistory(source), optimizationHistoryFigure),
  );
  add(
    out,
    "intermediate",
    "Intermediate values",
    () => intermediateValuesFigure(intermediateValues(source)),
  );
  add(
    out,
    "parallel",
    "Parallel coordinates",
    () => mapE(parallelCoordinate(source), parallelCoordinateFigure),
  );
  add(out, "slice", "Slice", () => mapE(slicePlot(source), sliceFigure));
  if (params.length >= 2) {
    add(
      out,
      "contour",
      "Contour",
      () => mapE(contourPlot(source, { params: params.slice(0, 2) }), contourFigure),
    );
  }
  add(out, "edf", "Empirical distribution", () => mapE(edf([source]), edfFigure));
}

function multiObjective(out: StudyFigure[], source: PlotSource): void {
  if (source.directions.length <= 3) {
    add(out, "pareto", "Pareto front", () => mapE(paretoFrontPlot(source), paretoFrontFigure));
  }
  const ref = referencePoint(source);
  if (ref) {
    add(
      out,
      "hypervolume",
      "Hypervolume history",
      () => mapE(hypervolumeHistory(source, ref), hypervolumeHistoryFigure),
    );
  }
  source.directions.forEach((_, i) => {
    const options = { target: objectiveTarget(i), targetName: `Objective ${i}` };
    add(
      out,
      `history-${i}`,
      `Objective ${i} history`,
      () => mapE(optimizationHistory(source, options), optimizationHistoryFigure),
    );
  });
  add(
    out,
    "parallel",
    "Parallel coordinates (objective 0)",
    () =>
      mapE(
        parallelCoordinate(source, { target: objectiveTarget(0), targetName: "Objective 0" }),
        parallelCoordinateFigure,
      ),
  );
}

/** The study page's figures. */
export function studyFigures(
  study: StudyRecord,
  trials: ReadonlyArray<FrozenTrial>,
): ReadonlyArray<StudyFigure> {
  const source: PlotSource = { trials, directions: study.directions, studyName: study.studyName };
  const out: StudyFigure[] = [];
  if (study.directions.length === 1) singleObjective(out, source);
  else multiObjective(out, source);
  const recent = { nRecentTrials: TIMELINE_TRIALS };
  add(out, "timeline", "Timeline", () => timelineFigure(timeline(source, recent)));
  return out;
}

/**
 * The parameter importances figure (`lib/importance` with Optuna's default evaluator, once it
 * is merged); `null` when it cannot be computed.
 */
export function studyImportance(
  _study: StudyRecord,
  _trials: ReadonlyArray<FrozenTrial>,
): Promise<Either<HyperionError, StudyFigure | null>> {
  return Promise.resolve(right(null));
}
