/**
 * The replay of a journal: Optuna's `JournalStorageReplayResult` as a record and one function
 * per operation. An operation that does not apply (its study or trial is gone or finished, a
 * duplicate study name, an incompatible distribution, a claim of a trial already RUNNING) is
 * skipped, as Optuna skips another worker's; an operation that is malformed (a missing field,
 * an unknown code) is damage, reported by the caller with its line number. Private to the
 * journal storage.
 *
 * @module
 */
import { checkCompatible, type Distribution, toExternal } from "../../core/distributions.ts";
import { distributionFromJson } from "../../core/distribution_json.ts";
import type { JsonValue, ParamValue } from "../../core/json.ts";
import type { StudyRecord } from "../../core/study.ts";
import { type FrozenTrial, isFinished } from "../../core/trial.ts";
import { setOwn } from "../rules.ts";
import { directionOf, type JournalLog, OP, parseIso, stateOf } from "./_format.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The system attribute our heartbeats are written as (kept out of `systemAttrs` here). */
export const HEARTBEAT_KEY = "hyperion:heartbeat";

/** A live study of the replay. */
export interface ReplayStudy {
  record: StudyRecord;
  /** Its trials by number (the current version of each). */
  readonly byNumber: FrozenTrial[];
  /** Ids of its WAITING trials. */
  readonly waiting: Set<number>;
  /** The distribution of each parameter name in the first trial (by number) that holds it. */
  readonly firsts: Map<string, { readonly number: number; readonly d: Distribution }>;
}

/** What replaying a journal's lines has built. */
export interface Replay {
  /** Live studies by id, in creation order. */
  readonly studies: Map<number, ReplayStudy>;
  nextStudyId: number;
  /** Every trial ever created, by id (Optuna's ids: `len(self._trials)`), with its study. */
  readonly trials: Array<{ readonly studyId: number; trial: FrozenTrial }>;
  /** Last heartbeat of each trial (epoch ms). */
  readonly heartbeats: Map<number, number>;
  /** Parsed `distribution_json` texts. */
  readonly distributions: Map<string, Distribution>;
}

/** A fresh replay (nothing read). */
export function emptyReplay(): Replay {
  return {
    studies: new Map(),
    nextStudyId: 0,
    trials: [],
    heartbeats: new Map(),
    distributions: new Map(),
  };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The live study holding `name`, if any. */
export function studyNamed(r: Replay, name: string): ReplayStudy | undefined {
  for (const s of r.studies.values()) if (s.record.studyName === name) return s;
  return undefined;
}

/** A trial of a live study, with its study id. */
export function liveTrial(
  r: Replay,
  trialId: unknown,
): { readonly studyId: number; readonly trial: FrozenTrial } | undefined {
  const e = typeof trialId === "number" ? r.trials[trialId] : undefined;
  return e !== undefined && r.studies.has(e.studyId) ? e : undefined;
}

// -------------------------------------------------------------------------------------
// replay
// -------------------------------------------------------------------------------------

/** Thrown inside the replay of one line; the caller turns it into a damage record. */
class Malformed extends Error {}

/** Throws `Malformed` unless `ok`; `what` is built only then (replays run it per field). */
const need = (ok: boolean, what: string | (() => string)): void => {
  if (!ok) throw new Malformed(typeof what === "string" ? what : what());
};

/** Sets an own property (assignment would not own `__proto__`). */
function own<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") setOwn(record, key, value);
  else record[key] = value;
}

/**
 * Applies one decoded line; the reason it is damage, or `undefined` when it was applied or
 * skipped as Optuna would skip it.
 */
export function applyLog(r: Replay, log: JournalLog): string | undefined {
  try {
    applyOrThrow(r, log);
    return undefined;
  } catch (e) {
    if (e instanceof Malformed) return e.message;
    return `cannot be applied (${e instanceof Error ? e.message : String(e)})`;
  }
}

function applyOrThrow(r: Replay, log: JournalLog): void {
  switch (log.op_code) {
    case OP.CREATE_STUDY:
      return createStudy(r, log);
    case OP.DELETE_STUDY:
      return void r.studies.delete(num(log, "study_id"));
    case OP.SET_STUDY_USER_ATTR:
      return studyAttr(r, log, "user_attr", "userAttrs");
    case OP.SET_STUDY_SYSTEM_ATTR:
      return studyAttr(r, log, "system_attr", "systemAttrs");
    case OP.CREATE_TRIAL:
      return createTrial(r, log);
    case OP.SET_TRIAL_PARAM:
      return setParam(r, log);
    case OP.SET_TRIAL_STATE_VALUES:
      return setState(r, log);
    case OP.SET_TRIAL_INTERMEDIATE_VALUE:
      return setIntermediate(r, log);
    case OP.SET_TRIAL_USER_ATTR:
      return trialAttr(r, log, "user_attr", "userAttrs");
    case OP.SET_TRIAL_SYSTEM_ATTR:
      return trialAttr(r, log, "system_attr", "systemAttrs");
    case OP.DISCARD_TRIALS:
      return;
    default:
      throw new Malformed(
        `unknown op_code ${String(log.op_code)} (written by a newer Optuna?)`,
      );
  }
}

function num(log: JournalLog, field: string): number {
  const v = log[field];
  need(typeof v === "number", () => `'${field}' is not a number`);
  return v as number;
}

function obj(v: unknown, field: string): Record<string, unknown> {
  need(
    typeof v === "object" && v !== null && !Array.isArray(v),
    () => `'${field}' is not an object`,
  );
  return v as Record<string, unknown>;
}

function numbers(v: unknown, field: string): number[] | null {
  if (v === null || v === undefined) return null;
  need(
    Array.isArray(v) && v.every((x) => typeof x === "number"),
    () => `'${field}' is not numbers`,
  );
  return v as number[];
}

function datetime(v: unknown, field: string): number {
  const ms = parseIso(v);
  need(ms !== undefined, () => `'${field}' is not an ISO datetime`);
  return ms as number;
}

function distribution(r: Replay, json: unknown): Distribution {
  need(typeof json === "string", "'distribution' is not a distribution_json text");
  let d = r.distributions.get(json as string);
  if (d === undefined) {
    const parsed = distributionFromJson(json as string);
    need(parsed._tag === "Right", () => `unreadable distribution ${String(json)}`);
    d = (parsed as { right: Distribution }).right;
    r.distributions.set(json as string, d);
  }
  return d;
}

function createStudy(r: Replay, log: JournalLog): void {
  const name = log.study_name;
  need(typeof name === "string", "'study_name' is not a string");
  const codes = log.directions;
  need(Array.isArray(codes) && codes.length > 0, "'directions' is not a list");
  const directions = (codes as unknown[]).map(directionOf);
  need(directions.every((d) => d !== undefined), "'directions' holds an unknown direction");
  if (studyNamed(r, name as string) !== undefined) return;
  const studyId = r.nextStudyId++;
  r.studies.set(studyId, {
    record: {
      studyId,
      studyName: name as string,
      directions: directions as StudyRecord["directions"],
      userAttrs: {},
      systemAttrs: {},
    },
    byNumber: [],
    waiting: new Set(),
    firsts: new Map(),
  });
}

function oneAttr(log: JournalLog, field: string): [string, JsonValue] {
  const entries = Object.entries(obj(log[field], field));
  need(entries.length === 1, () => `'${field}' does not hold exactly one attribute`);
  return entries[0] as [string, JsonValue];
}

function studyAttr(
  r: Replay,
  log: JournalLog,
  field: string,
  into: "userAttrs" | "systemAttrs",
): void {
  const s = r.studies.get(num(log, "study_id"));
  const [key, value] = oneAttr(log, field);
  if (s === undefined) return;
  const attrs = { ...s.record[into] };
  own(attrs, key, value);
  s.record = { ...s.record, [into]: attrs };
}

/** Stores the new version of a trial in its study's lists. */
export function put(r: Replay, studyId: number, t: FrozenTrial): void {
  const entry = r.trials[t.trialId];
  if (entry === undefined) r.trials[t.trialId] = { studyId, trial: t };
  else entry.trial = t;
  const s = r.studies.get(studyId) as ReplayStudy;
  s.byNumber[t.number] = t;
  if (t.state === "WAITING") s.waiting.add(t.trialId);
  else s.waiting.delete(t.trialId);
}

function noteFirst(s: ReplayStudy, name: string, number: number, d: Distribution): void {
  const known = s.firsts.get(name);
  if (known === undefined || number < known.number) s.firsts.set(name, { number, d });
}

function createTrial(r: Replay, log: JournalLog): void {
  const studyId = num(log, "study_id");
  need("datetime_start" in log, "no 'datetime_start'");
  const s = r.studies.get(studyId);
  const trialId = r.trials.length;
  const state = log.state === undefined ? "RUNNING" : stateOf(log.state);
  need(state !== undefined, () => `unknown state ${String(log.state)}`);
  const distributions: Record<string, Distribution> = {};
  for (const [k, v] of Object.entries(obj(log.distributions ?? {}, "distributions"))) {
    own(distributions, k, distribution(r, v));
  }
  const params: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(obj(log.params ?? {}, "params"))) {
    const d = distributions[k];
    need(d !== undefined && typeof v === "number", () => `parameter '${k}' has no distribution`);
    own(params, k, toExternal(d as Distribution, v as number));
  }
  const value = log.value ?? null;
  const values = numbers(log.values, "values");
  need(value === null || typeof value === "number", "'value' is not a number");
  need(value === null || values === null, "both 'value' and 'values' are set");
  const intermediate: Record<number, number> = {};
  for (const [k, v] of Object.entries(obj(log.intermediate_values ?? {}, "intermediate"))) {
    need(typeof v === "number", "'intermediate_values' holds a non-number");
    intermediate[Number(k)] = v as number;
  }
  const trial: FrozenTrial = {
    number: s === undefined ? -1 : s.byNumber.length,
    trialId,
    state: state as FrozenTrial["state"],
    values: value !== null ? [value as number] : values,
    params,
    distributions,
    intermediateValues: intermediate,
    userAttrs: obj(log.user_attrs ?? {}, "user_attrs") as FrozenTrial["userAttrs"],
    systemAttrs: obj(log.system_attrs ?? {}, "system_attrs") as FrozenTrial["systemAttrs"],
    datetimeStart: log.datetime_start === null ? null : datetime(log.datetime_start, "start"),
    datetimeComplete: "datetime_complete" in log && log.datetime_complete !== null
      ? datetime(log.datetime_complete, "datetime_complete")
      : null,
  };
  if (s === undefined) return; // Optuna skips a trial of a missing study (no id taken)
  for (const [k, d] of Object.entries(distributions)) noteFirst(s, k, trial.number, d);
  put(r, studyId, trial);
}

/** The trial `log` writes to, when it exists and is not finished (else Optuna skips). */
function updatable(r: Replay, log: JournalLog) {
  const e = liveTrial(r, num(log, "trial_id"));
  return e === undefined || isFinished(e.trial.state) ? undefined : e;
}

function setParam(r: Replay, log: JournalLog): void {
  const name = log.param_name;
  need(typeof name === "string", "'param_name' is not a string");
  const internal = num(log, "param_value_internal");
  const d = distribution(r, log.distribution);
  const e = updatable(r, log);
  if (e === undefined) return;
  const s = r.studies.get(e.studyId) as ReplayStudy;
  const first = s.firsts.get(name as string);
  if (
    first !== undefined && first.d !== d &&
    checkCompatible(first.d, d, name as string)._tag === "Left"
  ) return;
  const t = e.trial;
  const params = { ...t.params };
  own(params, name as string, toExternal(d, internal));
  const distributions = { ...t.distributions };
  own(distributions, name as string, d);
  noteFirst(s, name as string, t.number, d);
  put(r, e.studyId, { ...t, params, distributions });
}

function setState(r: Replay, log: JournalLog): void {
  const state = stateOf(log.state);
  need(state !== undefined, () => `unknown state ${String(log.state)}`);
  const values = numbers(log.values, "values");
  const e = updatable(r, log);
  if (e === undefined) return;
  const t = e.trial;
  if (state === "RUNNING" && t.state === "RUNNING") return; // claimed by another worker first
  const next: FrozenTrial = {
    ...t,
    state: state as FrozenTrial["state"],
    values: values ?? t.values,
    datetimeStart: state === "RUNNING"
      ? datetime(log.datetime_start, "datetime_start")
      : t.datetimeStart,
    datetimeComplete: isFinished(state as FrozenTrial["state"])
      ? datetime(log.datetime_complete, "datetime_complete")
      : t.datetimeComplete,
  };
  put(r, e.studyId, next);
  if (isFinished(next.state)) r.heartbeats.delete(t.trialId);
}

function setIntermediate(r: Replay, log: JournalLog): void {
  const step = num(log, "step");
  const value = num(log, "intermediate_value");
  const e = updatable(r, log);
  if (e === undefined) return;
  const t = e.trial;
  put(r, e.studyId, { ...t, intermediateValues: { ...t.intermediateValues, [step]: value } });
}

function trialAttr(
  r: Replay,
  log: JournalLog,
  field: string,
  into: "userAttrs" | "systemAttrs",
): void {
  const [key, value] = oneAttr(log, field);
  const e = updatable(r, log);
  if (e === undefined) return;
  if (into === "systemAttrs" && key === HEARTBEAT_KEY) {
    const beat = parseIso(value);
    if (beat !== undefined) r.heartbeats.set(e.trial.trialId, beat);
    return;
  }
  const attrs = { ...e.trial[into] };
  own(attrs, key, value);
  put(r, e.studyId, { ...e.trial, [into]: attrs });
}
