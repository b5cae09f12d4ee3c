/**
 * The figures of the study page: Plotly specs from `lib/plots` (TEMPORARY stand-in until the
 * plots branch is merged).
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { StudyRecord } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";

/** A figure of the study page. */
export interface StudyFigure {
  readonly id: string;
  readonly title: string;
  readonly figure: { readonly data: ReadonlyArray<unknown>; readonly layout: unknown };
}

/** The study page's figures. */
export function studyFigures(
  study: StudyRecord,
  trials: ReadonlyArray<FrozenTrial>,
): ReadonlyArray<StudyFigure> {
  const done = trials.filter((t) => t.state === "COMPLETE" && t.values !== null);
  return [{
    id: "history",
    title: "Optimization history",
    figure: {
      data: [{
        type: "scatter",
        mode: "markers",
        name: "Objective Value",
        x: done.map((t) => t.number),
        y: done.map((t) => t.values?.[0] ?? null),
      }],
      layout: { title: { text: `Optimization History Plot of ${study.studyName}` } },
    },
  }];
}

/** The parameter importances figure. */
export function studyImportance(
  _study: StudyRecord,
  _trials: ReadonlyArray<FrozenTrial>,
): Promise<Either<HyperionError, StudyFigure | null>> {
  return Promise.resolve(right(null));
}
