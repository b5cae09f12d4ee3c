/**
 * `writeReport`: one study's dashboard views — summary, trial table (sortable, filterable),
 * trial details, plots, importances, notes — in ONE self-contained HTML file (Plotly, the data
 * and the browser code inline; no network needed to open it), to attach to a pull request or
 * an experiment log.
 *
 * @example Write the report of a small study
 * ```ts
 * import { writeReport } from "@hyperion/tune/dashboard";
 * import { createStudy, float, memoryStorage, optimize, runOrThrow, suggest, map } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const storage = memoryStorage();
 * const study = await runOrThrow(createStudy({ storage, studyName: "demo" }));
 * await runOrThrow(optimize(study, (t) => map(suggest(t, { x: float(-1, 1) }), (p) => p.x ** 2), { nTrials: 5 }));
 * const dir = await Deno.makeTempDir();
 * const info = await runOrThrow(writeReport(storage, "demo", `${dir}/report.html`));
 * assert.equal(info.trials, 5);
 * assert.ok((await Deno.readTextFile(info.path)).startsWith("<!doctype html>"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { writeFile } from "node:fs/promises";
import { left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, storageError } from "../errors.ts";
import type { StudyRecord } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { Storage } from "../storage/storage.ts";
import { loadPlotly } from "./_assets.ts";
import { clientScript } from "./_client.ts";
import { studyFigures, studyImportance } from "./_figures.ts";
import { openForDashboard } from "./_open.ts";
import { reportHtml } from "./_page.ts";
import { studySummaryView, studyView, trialDetailView, trialRow } from "./_views.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What {@link writeReport} wrote.
 *
 * @category model
 */
export interface ReportInfo {
  /** The file. */
  readonly path: string;
  /** Its size in bytes. */
  readonly bytes: number;
  /** The number of trials in it. */
  readonly trials: number;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

async function reportData(
  study: StudyRecord,
  trials: ReadonlyArray<FrozenTrial>,
): Promise<unknown> {
  const details: Record<string, unknown> = {};
  for (const t of trials) details[String(t.number)] = trialDetailView(study, t);
  const importance = await studyImportance(study, trials);
  return {
    studies: [studySummaryView(study, trials)],
    view: studyView(study, trials),
    rows: trials.map(trialRow),
    details,
    figures: studyFigures(study, trials),
    importance: importance._tag === "Right" ? importance.right : null,
  };
}

/**
 * Writes the report of study `studyName` to `outFile`; the storage is a `Storage` value or a
 * URL (opened read-only and closed again). `StudyNotFound` for an unknown study,
 * `StorageError` when the storage cannot be read or the file cannot be written.
 *
 * @category constructors
 */
export function writeReport(
  storage: Storage | string,
  studyName: string,
  outFile: string,
): TaskEither<HyperionError, ReportInfo> {
  return async () => {
    const plotly = await loadPlotly();
    if (plotly._tag === "Left") return plotly;
    const opened = await openForDashboard(storage, false);
    if (opened._tag === "Left") return opened;
    const s = opened.right.storage;
    try {
      const study = await s.getStudy(studyName)();
      if (study._tag === "Left") return study;
      const trials = await s.getAllTrials(study.right.studyId)();
      if (trials._tag === "Left") return trials;
      const data = await reportData(study.right, trials.right);
      const html = await reportHtml(studyName, plotly.right, clientScript(), data);
      const bytes = new TextEncoder().encode(html);
      try {
        await writeFile(outFile, bytes);
      } catch (e) {
        return left(storageError(`write the report to '${outFile}'`, e));
      }
      return right({ path: outFile, bytes: bytes.length, trials: trials.right.length });
    } finally {
      if (opened.right.owned) await s.close()();
    }
  };
}
