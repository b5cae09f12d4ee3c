/**
 * The SQLite adapter's reads: study records, trial rows, full trials (one query per child
 * table for a batch of trials), the incremental trial cache and the trial heads that the
 * shared write decisions need. Run inside a transaction of the connection. Private to the
 * library.
 *
 * @module
 */
import type { Distribution } from "../../../core/distributions.ts";
import type { Direction, StudyRecord } from "../../../core/study.ts";
import { type FrozenTrial, isFinished, type TrialState } from "../../../core/trial.ts";
import { EMPTY_TRIAL_CACHE, foldChanged } from "../../trial_cache.ts";
import type { TrialHead } from "../../trial_writes.ts";
import {
  decodeAttrs,
  decodeDirection,
  decodeState,
  groupByTrial,
  parseDatetime,
  trialFromRows,
} from "../codec.ts";
import type { SqliteConnection, StudyCache } from "./connection.ts";

/** A row of `trials`. */
export interface TrialRow {
  readonly trial_id: number;
  readonly number: number;
  readonly study_id: number;
  readonly state: unknown;
  readonly datetime_start: unknown;
  readonly datetime_complete: unknown;
}

/** The columns of a {@link TrialRow}. */
export const TRIAL_COLUMNS = "trial_id, number, study_id, state, datetime_start, datetime_complete";

/** The study's name; `undefined` when there is no such study. */
export function studyName(c: SqliteConnection, studyId: number): string | undefined {
  if (typeof studyId !== "number") return undefined;
  const held = c.records.get(studyId);
  if (held !== undefined) return held.studyName;
  const row = c.q("SELECT study_name FROM studies WHERE study_id = ?").get(studyId);
  return row === undefined ? undefined : String(row.study_name);
}

/** The trial's row; `undefined` when missing. */
export function trialRow(c: SqliteConnection, trialId: number): TrialRow | undefined {
  return c.q(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE trial_id = ?`).get(trialId) as
    | TrialRow
    | undefined;
}

/** The study's record (kept while no other connection writes). */
export function loadStudyRecord(c: SqliteConnection, studyId: number, name: string): StudyRecord {
  const held = c.records.get(studyId);
  if (held !== undefined && held.studyName === name) return held;
  const directions: Direction[] = c.q(
    "SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective",
  ).all(studyId).map((r) => decodeDirection(r.direction));
  const userAttrs = decodeAttrs(
    c.q(
      `SELECT "key", value_json FROM study_user_attributes WHERE study_id = ? ORDER BY study_user_attribute_id`,
    )
      .all(studyId),
  );
  const systemAttrs = decodeAttrs(
    c.q(
      `SELECT "key", value_json FROM study_system_attributes WHERE study_id = ? ORDER BY study_system_attribute_id`,
    )
      .all(studyId),
  );
  const record: StudyRecord = { studyId, studyName: name, directions, userAttrs, systemAttrs };
  if (c.mirror) c.later(() => c.records.set(studyId, record));
  return record;
}

/** Builds full trials (params, values, intermediate values, attrs) for trial rows. */
export function loadTrials(c: SqliteConnection, rows: ReadonlyArray<TrialRow>): FrozenTrial[] {
  if (rows.length === 0) return [];
  const single = rows.length === 1;
  const arg = single ? (rows[0] as TrialRow).trial_id : JSON.stringify(rows.map((r) => r.trial_id));
  const filter = single ? "trial_id = ?" : "trial_id IN (SELECT value FROM json_each(?))";
  const child = (sql: string) => c.q(sql.replace("$FILTER", filter)).all(arg);
  const params = groupByTrial(child(
    "SELECT trial_id, param_name, param_value, distribution_json FROM trial_params WHERE $FILTER ORDER BY param_id",
  ));
  const values = groupByTrial(child(
    "SELECT trial_id, objective, value, value_type FROM trial_values WHERE $FILTER ORDER BY objective",
  ));
  const inter = groupByTrial(child(
    "SELECT trial_id, step, intermediate_value, intermediate_value_type FROM trial_intermediate_values WHERE $FILTER ORDER BY step",
  ));
  const user = groupByTrial(child(
    `SELECT trial_id, "key", value_json FROM trial_user_attributes WHERE $FILTER ORDER BY trial_user_attribute_id`,
  ));
  const system = groupByTrial(child(
    `SELECT trial_id, "key", value_json FROM trial_system_attributes WHERE $FILTER ORDER BY trial_system_attribute_id`,
  ));
  return rows.map((row) => {
    const id = Number(row.trial_id);
    return trialFromRows({
      trial: row,
      params: params.get(id) ?? [],
      values: values.get(id) ?? [],
      intermediate: inter.get(id) ?? [],
      userAttrs: user.get(id) ?? [],
      systemAttrs: system.get(id) ?? [],
    }, c.distribution);
  });
}

/** The cached copy of a finished trial, when it is still the row's trial. */
export function cachedFinished(c: SqliteConnection, row: TrialRow): FrozenTrial | undefined {
  const hit = c.finishedById.get(Number(row.trial_id));
  return hit !== undefined && hit.studyId === Number(row.study_id) &&
      hit.trial.number === Number(row.number) && hit.trial.state === row.state
    ? hit.trial
    : undefined;
}

/** Remembers trials read or written in full (queue it with `later`). */
export function remember(
  c: SqliteConnection,
  studyId: number,
  trials: ReadonlyArray<FrozenTrial>,
): void {
  for (const t of trials) {
    if (isFinished(t.state)) {
      c.finishedById.set(t.trialId, { studyId, trial: t });
      c.live.delete(t.trialId);
    } else if (c.mirror) {
      c.live.set(t.trialId, { studyId, trial: t });
    }
  }
}

/** Applies this connection's own committed write to the live copy (queue it with `later`). */
export function patch(
  c: SqliteConnection,
  trialId: number,
  f: (t: FrozenTrial) => FrozenTrial,
): void {
  const held = c.live.get(trialId);
  if (held !== undefined) remember(c, held.studyId, [f(held.trial)]);
}

/** Drops everything cached about a study. */
export function forgetStudy(c: SqliteConnection, studyId: number): void {
  c.caches.delete(studyId);
  c.waitHorizon.clear(); // ids of the study's trials may be reused by new trials of others
  c.records.delete(studyId);
  c.noWaiting.delete(studyId);
  c.trialCounts.delete(studyId);
  for (const [id, hit] of c.finishedById) if (hit.studyId === studyId) c.finishedById.delete(id);
  for (const [id, hit] of c.live) if (hit.studyId === studyId) c.live.delete(id);
}

/** A study cache holding nothing yet. */
export function emptyCache(name: string): StudyCache {
  return { ...EMPTY_TRIAL_CACHE, name, firstDistributions: new Map() };
}

/** The study's cache, reset when the study's name no longer matches. */
export function cacheFor(c: SqliteConnection, studyId: number, name: string): StudyCache {
  const held = c.caches.get(studyId);
  if (held !== undefined && held.name === name) return held;
  const fresh = emptyCache(name);
  c.caches.set(studyId, fresh);
  return fresh;
}

/** The first distribution stored for `name` in the study (cached; read once otherwise). */
export function firstDistribution(
  c: SqliteConnection,
  studyId: number,
  cache: StudyCache,
  name: string,
): Distribution | undefined {
  const known = cache.firstDistributions.get(name);
  if (known !== undefined) return known;
  const row = c.q(
    "SELECT p.distribution_json FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id WHERE t.study_id = ? AND p.param_name = ? LIMIT 1",
  ).get(studyId, name);
  if (row === undefined) return undefined;
  const d = c.distribution(String(row.distribution_json));
  cache.firstDistributions.set(name, d);
  return d;
}

/** The first distribution of a parameter in the study (for the decisions). */
export function firstOf(
  c: SqliteConnection,
  studyId: number,
  name: string,
): Distribution | undefined {
  return firstDistribution(c, studyId, cacheFor(c, studyId, studyName(c, studyId) ?? ""), name);
}

// the rowid range and the id list, then the study (an index on study_id would scan it all)
const CHANGED_SQL =
  `SELECT ${TRIAL_COLUMNS} FROM trials WHERE (trial_id > ?2 OR trial_id IN (SELECT value FROM json_each(?3))) AND +study_id = ?1`;

/**
 * True when the cache's first trial is still the study's: a study deleted and created again
 * under the same id and name by another process has another first trial (trials are never
 * deleted one by one).
 */
function sameFirst(c: SqliteConnection, studyId: number, cache: StudyCache): boolean {
  const first = cache.finished[0];
  if (first === undefined) return true;
  const row = trialRow(c, first.trialId);
  return row !== undefined && Number(row.study_id) === studyId &&
    Number(row.number) === first.number &&
    parseDatetime(row.datetime_start) === first.datetimeStart;
}

/** Reads only what changed since the last read: new trials and the ones seen unfinished. */
export function syncTrials(
  c: SqliteConnection,
  studyId: number,
  name: string,
): ReadonlyArray<FrozenTrial> {
  const previous = c.caches.get(studyId);
  let cache = previous !== undefined && previous.name === name ? previous : emptyCache(name);
  const unfinishedIds = new Set(cache.unfinished.map((t) => t.trialId));
  let rows = c.q(CHANGED_SQL).all(
    studyId,
    cache.maxSeenId,
    JSON.stringify([...unfinishedIds]),
  ) as unknown as ReadonlyArray<TrialRow>;
  const stillThere = rows.filter((r) => unfinishedIds.has(Number(r.trial_id))).length;
  if (stillThere !== unfinishedIds.size || !sameFirst(c, studyId, cache)) {
    for (const [id, hit] of c.finishedById) {
      if (hit.studyId === studyId) c.finishedById.delete(id);
    }
    cache = emptyCache(name);
    rows = c.q(CHANGED_SQL).all(studyId, -1, "[]") as unknown as ReadonlyArray<TrialRow>;
  }
  const reuse: FrozenTrial[] = [];
  const toLoad: TrialRow[] = [];
  for (const r of rows) {
    const id = Number(r.trial_id);
    const hit = isFinished(r.state as TrialState) ? cachedFinished(c, r) : c.live.get(id)?.trial;
    if (hit !== undefined && hit.state === r.state) reuse.push(hit);
    else toLoad.push(r);
  }
  const loaded = loadTrials(c, toLoad);
  const folded = foldChanged(cache, [...reuse, ...loaded]);
  const next: StudyCache = {
    name,
    maxSeenId: folded.maxSeenId,
    finished: folded.finished,
    unfinished: folded.unfinished,
    all: folded.all,
    firstDistributions: cache.firstDistributions,
  };
  c.later(() => {
    c.caches.set(studyId, next);
    remember(c, studyId, loaded);
  });
  return folded.all;
}

/**
 * How many trials the study holds: the number of its next trial. Counted once, then kept
 * while no other connection writes (the volatile caches are dropped when one does).
 */
export function trialCount(c: SqliteConnection, studyId: number): number {
  return c.trialCounts.get(studyId) ??
    Number(c.q("SELECT COUNT(*) AS n FROM trials WHERE study_id = ?").get(studyId)?.n ?? 0);
}

/** What the decisions need to know about a trial; `undefined` when missing. */
export function head(c: SqliteConnection, trialId: number): TrialHead | undefined {
  const held = c.live.get(trialId);
  if (held !== undefined) {
    return { studyId: held.studyId, number: held.trial.number, state: held.trial.state };
  }
  const row = typeof trialId === "number" ? trialRow(c, trialId) : undefined;
  if (row === undefined) return undefined;
  return {
    studyId: Number(row.study_id),
    number: Number(row.number),
    state: decodeState(row.state) ?? "FAIL",
  };
}
