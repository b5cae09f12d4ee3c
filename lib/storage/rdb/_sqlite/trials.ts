/**
 * The SQLite adapter's trial creation and trial reads: create a trial (numbered inside the
 * write transaction), claim a WAITING trial (a cheap read first, then an atomic `UPDATE …
 * RETURNING`), read one trial or a study's trials (incrementally, from the trial cache).
 * Private to the library.
 *
 * @module
 */
import { type Either, left, right } from "../../../effect/mod.ts";
import { type HyperionError, show, studyNotFound, trialNotFound } from "../../../errors.ts";
import { type Distribution, toExternal } from "../../../core/distributions.ts";
import type { JsonValue, ParamValue } from "../../../core/json.ts";
import { type FrozenTrial, isFinished, type TrialState } from "../../../core/trial.ts";
import { checkTrialQuery, type NormalisedTemplate, setOwn } from "../../rules.ts";
import { decideFirsts, decideNewTrial, studyFound } from "../../study_writes.ts";
import { chainRight, mapRight } from "../../trial_writes.ts";
import type { Storage } from "../../storage.ts";
import { formatDatetime, storedDatetime } from "../codec.ts";
import { run, type SqliteConnection, type StudyCache, transact } from "./connection.ts";
import {
  cachedFinished,
  cacheFor,
  firstDistribution,
  forgetStudy,
  loadTrials,
  remember,
  studyName,
  syncTrials,
  TRIAL_COLUMNS,
  trialCount,
  type TrialRow,
  trialRow,
} from "./reads.ts";
import {
  insertIntermediate,
  insertParam,
  insertValues,
  stored,
  storedJson,
  upsertAttr,
} from "./rows.ts";

/** The trial-creating and trial-reading operations of a {@link Storage}. */
export type TrialOps = Pick<
  Storage,
  "createTrial" | "claimWaitingTrial" | "getTrial" | "getAllTrials"
>;

/** The trial-creating and trial-reading operations on the connection. */
export function trialOps(c: SqliteConnection): TrialOps {
  return {
    createTrial: (studyId, template) =>
      run(c, "create the trial", "write", () => {
        const name = studyName(c, studyId);
        return chainRight(decideNewTrial(name !== undefined, studyId, template, c.now), (t) => {
          const cache = cacheFor(c, studyId, name as string);
          const firstOf = (param: string) => firstDistribution(c, studyId, cache, param);
          return mapRight(decideFirsts(t, firstOf), (n) => insertTrial(c, studyId, cache, n));
        });
      }),
    claimWaitingTrial: (studyId) => async () => {
      // a cheap look first, so that asking without enqueued trials takes no write lock
      const peek = await transact(
        c,
        "claim a waiting trial",
        "read",
        () => peekWaiting(c, studyId),
      );
      if (peek._tag === "Left" || !peek.right) {
        return peek._tag === "Left" ? peek : right(undefined);
      }
      return await transact(c, "claim a waiting trial", "write", () => {
        const found = studyFound(studyName(c, studyId) !== undefined, studyId);
        if (found._tag === "Left") return found;
        const row = c.q(
          `UPDATE trials SET state = 'RUNNING', datetime_start = ?2 WHERE trial_id = (SELECT trial_id FROM trials WHERE study_id = ?1 AND state = 'WAITING' ORDER BY number, trial_id LIMIT 1) RETURNING ${TRIAL_COLUMNS}`,
        ).get(studyId, formatDatetime(c.now())) as TrialRow | undefined;
        if (row === undefined) return right(undefined);
        const trial = loadTrials(c, [row])[0] as FrozenTrial;
        c.later(() => remember(c, studyId, [trial]));
        return right(trial);
      });
    },
    getTrial: (trialId) =>
      run(c, "get the trial", "read", () => {
        const held = c.live.get(trialId);
        if (held !== undefined) return right(held.trial);
        const row = typeof trialId === "number" ? trialRow(c, trialId) : undefined;
        if (row === undefined) return left(trialNotFound(trialId, "id"));
        const hit = isFinished(row.state as TrialState) ? cachedFinished(c, row) : undefined;
        if (hit !== undefined) return right(hit);
        const trial = loadTrials(c, [row])[0] as FrozenTrial;
        c.later(() => remember(c, Number(row.study_id), [trial]));
        return right(trial);
      }),
    getAllTrials: (studyId, opts) =>
      run(c, "get the trials", "read", () => {
        const name = studyName(c, studyId);
        if (name === undefined) {
          forgetStudy(c, studyId);
          return left(studyNotFound(`#${show(studyId)}`));
        }
        const checked = checkTrialQuery(opts);
        if (checked._tag === "Left") return checked;
        const trials = syncTrials(c, studyId, name);
        const states = checked.right;
        // each reader gets its own list (a frozen shared one makes every later read of it slower)
        return right(states ? trials.filter((t) => states.includes(t.state)) : trials.slice());
      }),
  };
}

/** Inserts a checked trial (numbered by the study's count) and returns it as it reads back. */
function insertTrial(
  c: SqliteConnection,
  studyId: number,
  cache: StudyCache,
  n: NormalisedTemplate,
): FrozenTrial {
  const number = trialCount(c, studyId);
  const row = c.q(
    "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES (?5, ?1, ?2, ?3, ?4) RETURNING trial_id, number",
  ).get(
    studyId,
    n.state,
    n.datetimeStart === null ? null : formatDatetime(n.datetimeStart),
    n.datetimeComplete === null ? null : formatDatetime(n.datetimeComplete),
    number,
  );
  const trialId = Number(row?.trial_id);
  const params: Record<string, ParamValue> = {};
  const distributions: Record<string, Distribution> = {};
  for (const [param, internal] of Object.entries(n.internalParams)) {
    const d = insertParam(c, trialId, param, internal, n.distributions[param] as Distribution);
    setOwn(distributions, param, d);
    setOwn(params, param, toExternal(d, stored(internal)));
  }
  if (n.values !== null) insertValues(c, trialId, n.values);
  const intermediateValues: Record<number, number> = {};
  for (const [step, value] of Object.entries(n.intermediateValues)) {
    insertIntermediate(c, trialId, Number(step), value);
    intermediateValues[Number(step)] = stored(value);
  }
  const userAttrs = insertAttrs(c, "user", trialId, n.userAttrs);
  const systemAttrs = insertAttrs(c, "system", trialId, n.systemAttrs);
  const frozen: FrozenTrial = {
    number: Number(row?.number),
    trialId,
    state: n.state,
    values: n.values === null ? null : n.values.map(stored),
    params,
    distributions,
    intermediateValues,
    userAttrs,
    systemAttrs,
    datetimeStart: storedDatetime(n.datetimeStart),
    datetimeComplete: storedDatetime(n.datetimeComplete),
  };
  c.later(() => {
    for (const [param, d] of Object.entries(distributions)) {
      if (!cache.firstDistributions.has(param)) cache.firstDistributions.set(param, d);
    }
    if (n.state === "WAITING") c.noWaiting.delete(studyId);
    if (c.mirror) c.trialCounts.set(studyId, number + 1);
    remember(c, studyId, [frozen]);
  });
  return frozen;
}

/** Inserts a new trial's attributes of one kind; returns them as they read back. */
function insertAttrs(
  c: SqliteConnection,
  kind: "user" | "system",
  trialId: number,
  attrs: Readonly<Record<string, JsonValue>>,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(attrs)) {
    upsertAttr(c, "trial", kind, trialId, key, value);
    setOwn(out, key, storedJson(value));
  }
  return out;
}

/** Whether the study holds a WAITING trial, looking only at trials created since the last look. */
function peekWaiting(c: SqliteConnection, studyId: number): Either<HyperionError, boolean> {
  const found = studyFound(studyName(c, studyId) !== undefined, studyId);
  if (found._tag === "Left") return found;
  if (c.noWaiting.has(studyId)) return right(false);
  // a rowid range, not the whole study
  const max = Number(c.q("SELECT MAX(trial_id) AS m FROM trials").get()?.m ?? -1);
  const known = c.waitHorizon.get(studyId) ?? -1;
  const from = max < known ? -1 : known; // trials were deleted: look at everything again
  const first = c.q(
    "SELECT trial_id FROM trials WHERE trial_id > ?2 AND +study_id = ?1 AND state = 'WAITING' ORDER BY trial_id LIMIT 1",
  ).get(studyId, from);
  const horizon = first === undefined ? max : Number(first.trial_id) - 1;
  c.later(() => {
    c.waitHorizon.set(studyId, horizon);
    if (first === undefined && c.mirror) c.noWaiting.add(studyId);
  });
  return right(first !== undefined);
}
