/**
 * The JSON views the dashboard serves and the report embeds: pure functions from study
 * records and trials.
 *
 * @module
 */
import { bestTrial, type StudyRecord } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { JsonValue } from "../core/json.ts";
import { notedTrialIds, readNote } from "./notes.ts";
import type { JsonNumber, TrialRow } from "./_query.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One line of the studies list. */
export interface StudySummaryView {
  readonly studyId: number;
  readonly studyName: string;
  readonly directions: ReadonlyArray<string>;
  readonly nTrials: number;
  readonly states: Readonly<Record<string, number>>;
  readonly best: { readonly number: number; readonly values: ReadonlyArray<JsonNumber> } | null;
  readonly datetimeStart: number | null;
}

/** The study page's header data (the trials come by page, the figures apart). */
export interface StudyView {
  readonly summary: StudySummaryView;
  readonly userAttrs: Readonly<Record<string, JsonValue>>;
  readonly note: { readonly version: number; readonly body: string };
  readonly paramNames: ReadonlyArray<string>;
  readonly attrKeys: ReadonlyArray<string>;
  readonly version: string;
}

/** One trial's detail: its row, intermediate values, system attributes and note. */
export interface TrialDetailView {
  readonly row: TrialRow;
  readonly intermediate: ReadonlyArray<readonly [number, JsonNumber]>;
  readonly systemAttrs: Readonly<Record<string, JsonValue>>;
  readonly note: { readonly version: number; readonly body: string };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** A number as JSON can carry it (NaN and ±Infinity as text). */
export function jsonNumber(x: number): JsonNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}

/** The table row of a trial. */
export function trialRow(t: FrozenTrial): TrialRow {
  return {
    number: t.number,
    trialId: t.trialId,
    state: t.state,
    values: t.values === null ? null : t.values.map(jsonNumber),
    params: t.params,
    userAttrs: t.userAttrs,
    start: t.datetimeStart,
    complete: t.datetimeComplete,
    steps: Object.keys(t.intermediateValues).length,
  };
}

/** The count of trials in each state. */
export function stateCounts(trials: ReadonlyArray<FrozenTrial>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of trials) out[t.state] = (out[t.state] ?? 0) + 1;
  return out;
}

/** The studies-list line of a study. */
export function studySummaryView(
  study: StudyRecord,
  trials: ReadonlyArray<FrozenTrial>,
): StudySummaryView {
  const best = bestTrial(trials, study.directions);
  let start: number | null = null;
  for (const t of trials) {
    if (t.datetimeStart !== null && (start === null || t.datetimeStart < start)) {
      start = t.datetimeStart;
    }
  }
  return {
    studyId: study.studyId,
    studyName: study.studyName,
    directions: study.directions,
    nTrials: trials.length,
    states: stateCounts(trials),
    best: best ? { number: best.number, values: (best.values ?? []).map(jsonNumber) } : null,
    datetimeStart: start,
  };
}

/**
 * A fingerprint of everything the study page shows: it changes when a trial is added, changes
 * state, reports a value or gets an attribute, and when a note or a study attribute is saved.
 * The page polls it (a since-cursor) and refreshes what it shows only when it changed.
 */
export function studyVersion(study: StudyRecord, trials: ReadonlyArray<FrozenTrial>): string {
  let h = 0x811c9dc5;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  };
  for (const t of trials) {
    if (t.state === "RUNNING" || t.state === "WAITING") {
      mix(JSON.stringify([t.number, t.state, t.params, t.intermediateValues, t.userAttrs]));
    } else mix(`${t.number}:${t.state}:${t.datetimeComplete}`);
  }
  mix(JSON.stringify([study.userAttrs, study.systemAttrs]));
  return `${trials.length}-${h.toString(36)}`;
}

/** Sorted unique keys of the given records. */
function keysOf(records: Iterable<Readonly<Record<string, unknown>>>): ReadonlyArray<string> {
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) seen.add(k);
  return [...seen].sort();
}

/** The study page's header data. */
export function studyView(study: StudyRecord, trials: ReadonlyArray<FrozenTrial>): StudyView {
  return {
    summary: studySummaryView(study, trials),
    userAttrs: study.userAttrs,
    note: readNote(study.systemAttrs, undefined),
    paramNames: keysOf(trials.map((t) => t.params)),
    attrKeys: keysOf(trials.map((t) => t.userAttrs)),
    version: studyVersion(study, trials),
  };
}

/** One trial's detail. */
export function trialDetailView(study: StudyRecord, t: FrozenTrial): TrialDetailView {
  const steps = Object.keys(t.intermediateValues).map(Number).sort((a, b) => a - b);
  return {
    row: trialRow(t),
    intermediate: steps.map((s) => [s, jsonNumber(t.intermediateValues[s] as number)] as const),
    systemAttrs: t.systemAttrs,
    note: readNote(study.systemAttrs, t.trialId),
  };
}

/** The notes of every trial that has one, by trial id (for the report). */
export function trialNotes(study: StudyRecord): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of notedTrialIds(study.systemAttrs)) {
    out[String(id)] = readNote(study.systemAttrs, id).body;
  }
  return out;
}
