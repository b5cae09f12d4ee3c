/**
 * The PostgreSQL adapter's reads: a trial or a study with everything stored about it in one
 * row (`json_agg` of the child tables), trial heads for the shared write decisions, first
 * distributions and the caches. Private to the library.
 *
 * @module
 */
import type { Distribution } from "../../../core/distributions.ts";
import type { Direction, StudyRecord } from "../../../core/study.ts";
import { type FrozenTrial, isFinished, type TrialState } from "../../../core/trial.ts";
import { EMPTY_TRIAL_CACHE } from "../../trial_cache.ts";
import type { TrialHead } from "../../trial_writes.ts";
import { decodeAttrs, decodeDirection, formatDatetime, type Row, trialFromRows } from "../codec.ts";
import type { PgParam, PgQuery, PgRow } from "../postgres_connection.ts";
import type { PgConnection, StudyCache } from "./connection.ts";

const TS = "YYYY-MM-DD HH24:MI:SS.US";

const attrsJson = (owner: "study" | "trial", kind: "user" | "system", alias: string): string =>
  `COALESCE((SELECT json_agg(json_build_object('key', a.key, 'value_json', a.value_json) ORDER BY a.${owner}_${kind}_attribute_id) FROM ${owner}_${kind}_attributes a WHERE a.${owner}_id = ${alias}.${owner}_id), '[]')`;

/** A trial with everything stored about it, in one row. */
export const FULL_TRIAL = `SELECT t.trial_id, t.number, t.study_id, t.state::text AS state, ` +
  `to_char(t.datetime_start, '${TS}') AS datetime_start, ` +
  `to_char(t.datetime_complete, '${TS}') AS datetime_complete, ` +
  `COALESCE((SELECT json_agg(json_build_object('param_name', p.param_name, 'param_value', p.param_value, 'distribution_json', p.distribution_json) ORDER BY p.param_id) FROM trial_params p WHERE p.trial_id = t.trial_id), '[]') AS params_json, ` +
  `COALESCE((SELECT json_agg(json_build_object('value', v.value, 'value_type', v.value_type) ORDER BY v.objective) FROM trial_values v WHERE v.trial_id = t.trial_id), '[]') AS values_json, ` +
  `COALESCE((SELECT json_agg(json_build_object('step', i.step, 'intermediate_value', i.intermediate_value, 'intermediate_value_type', i.intermediate_value_type) ORDER BY i.step) FROM trial_intermediate_values i WHERE i.trial_id = t.trial_id), '[]') AS intermediate_json, ` +
  `${attrsJson("trial", "user", "t")} AS user_attrs_json, ` +
  `${attrsJson("trial", "system", "t")} AS system_attrs_json ` +
  `FROM trials t`;

/** A study with its directions and attributes, in one row. */
export const FULL_STUDY = `SELECT s.study_id, s.study_name, ` +
  `COALESCE((SELECT json_agg(d.direction::text ORDER BY d.objective) FROM study_directions d WHERE d.study_id = s.study_id), '[]') AS directions_json, ` +
  `${attrsJson("study", "user", "s")} AS user_attrs_json, ` +
  `${attrsJson("study", "system", "s")} AS system_attrs_json ` +
  `FROM studies s`;

/** A list for a `$n::json` parameter. */
export const json = (value: ReadonlyArray<unknown>): PgParam => value;

/** True for a value that can be a row id. */
export const isId = (id: unknown): id is number =>
  typeof id === "number" && Number.isSafeInteger(id);

const rows = (value: unknown): ReadonlyArray<Row> =>
  Array.isArray(value) ? value as ReadonlyArray<Row> : [];

/** A trial from a {@link FULL_TRIAL} row. */
export function toTrial(c: PgConnection, r: PgRow): FrozenTrial {
  return trialFromRows({
    trial: {
      trial_id: r.trial_id,
      number: r.number,
      state: r.state,
      datetime_start: r.datetime_start,
      datetime_complete: r.datetime_complete,
    },
    params: rows(r.params_json),
    values: rows(r.values_json),
    intermediate: rows(r.intermediate_json),
    userAttrs: rows(r.user_attrs_json),
    systemAttrs: rows(r.system_attrs_json),
  }, c.distribution);
}

/** A study from a {@link FULL_STUDY} row. */
export function toStudy(r: PgRow): StudyRecord {
  return {
    studyId: Number(r.study_id),
    studyName: String(r.study_name),
    directions: (Array.isArray(r.directions_json) ? r.directions_json : []).map((d): Direction =>
      decodeDirection(d)
    ),
    userAttrs: decodeAttrs(rows(r.user_attrs_json)),
    systemAttrs: decodeAttrs(rows(r.system_attrs_json)),
  };
}

/** The trial in full; `undefined` when missing. */
export async function loadTrial(
  c: PgConnection,
  q: PgQuery,
  trialId: number,
): Promise<FrozenTrial | undefined> {
  const found = await q(`${FULL_TRIAL} WHERE t.trial_id = $1`, [trialId]);
  const row = found[0];
  if (row === undefined) return undefined;
  c.studyOfTrial.set(trialId, Number(row.study_id));
  return toTrial(c, row);
}

/** Whether the study exists. */
export async function studyExists(q: PgQuery, studyId: unknown): Promise<boolean> {
  return typeof studyId === "number" && Number.isSafeInteger(studyId) &&
    (await q("SELECT 1 FROM studies WHERE study_id = $1", [studyId])).length > 0;
}

/** Whether the study exists, locking its row until the commit (the study lock). */
export async function lockStudy(q: PgQuery, studyId: unknown): Promise<boolean> {
  return isId(studyId) &&
    (await q("SELECT 1 FROM studies WHERE study_id = $1 FOR UPDATE", [studyId])).length > 0;
}

/** The trial's number, state and study, for the decisions; `undefined` when missing. */
export async function trialHead(
  c: PgConnection,
  q: PgQuery,
  trialId: unknown,
): Promise<TrialHead | undefined> {
  if (typeof trialId !== "number" || !Number.isSafeInteger(trialId)) return undefined;
  const r = (await q(
    "SELECT number, state::text AS state, study_id FROM trials WHERE trial_id = $1",
    [trialId],
  ))[0];
  if (r === undefined) return undefined;
  c.studyOfTrial.set(trialId, Number(r.study_id));
  return { number: Number(r.number), state: r.state as TrialState, studyId: Number(r.study_id) };
}

/** The study's cache (created empty). */
export function cacheFor(c: PgConnection, studyId: number): StudyCache {
  let held = c.caches.get(studyId);
  if (held === undefined) {
    held = { trials: EMPTY_TRIAL_CACHE, firstDistributions: new Map() };
    c.caches.set(studyId, held);
  }
  return held;
}

/** The first distribution stored for `name` in the study (cached; read once otherwise). */
export async function firstDistribution(
  c: PgConnection,
  q: PgQuery,
  studyId: number,
  name: string,
): Promise<Distribution | undefined> {
  const cache = cacheFor(c, studyId);
  const known = cache.firstDistributions.get(name);
  if (known !== undefined) return known;
  const r = (await q(
    "SELECT p.distribution_json FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id WHERE t.study_id = $1 AND p.param_name = $2 ORDER BY p.param_id LIMIT 1",
    [studyId, name],
  ))[0];
  if (r === undefined) return undefined;
  const d = c.distribution(String(r.distribution_json));
  cache.firstDistributions.set(name, d);
  return d;
}

/** The first distributions stored in the study under the names of `distributions`. */
export async function firstDistributions(
  c: PgConnection,
  q: PgQuery,
  studyId: number,
  distributions: Readonly<Record<string, Distribution>>,
): Promise<Map<string, Distribution>> {
  const firsts = new Map<string, Distribution>();
  for (const name of Object.keys(distributions)) {
    const first = await firstDistribution(c, q, studyId, name);
    if (first !== undefined) firsts.set(name, first);
  }
  return firsts;
}

/** Remembers the distributions as first ones where the study has none yet. */
export function rememberFirst(
  c: PgConnection,
  studyId: number,
  distributions: Readonly<Record<string, Distribution>>,
): void {
  const cache = cacheFor(c, studyId);
  for (const [name, d] of Object.entries(distributions)) {
    if (!cache.firstDistributions.has(name)) cache.firstDistributions.set(name, d);
  }
}

/** Remembers finished trials (they never change). */
export function remember(c: PgConnection, trials: ReadonlyArray<FrozenTrial>): void {
  for (const t of trials) if (isFinished(t.state)) c.finishedById.set(t.trialId, t);
}

/** Drops everything cached about a study. */
export function forgetStudy(c: PgConnection, studyId: number): void {
  c.caches.delete(studyId);
  for (const [id, s] of c.studyOfTrial) {
    if (s === studyId) {
      c.studyOfTrial.delete(id);
      c.finishedById.delete(id);
    }
  }
}

/** The injected clock for heartbeats, or `null` for the server's clock. */
export function heartbeatTime(c: PgConnection): PgParam {
  return c.settings.now ? formatDatetime(c.settings.now()) : null;
}
