/**
 * The SQLite adapter's trial writes: each applies the shared decision of `trial_writes.ts`
 * (read the trial's head, decide, write the rows) in one write transaction, and patches this
 * connection's live copy of the trial after the commit. Also heartbeats and failing stale
 * trials. Private to the library.
 *
 * @module
 */
import { type Either, left, right } from "../../../effect/mod.ts";
import { type HyperionError, show, studyNotFound } from "../../../errors.ts";
import type { FrozenTrial } from "../../../core/trial.ts";
import { toExternal } from "../../../core/distributions.ts";
import { parseDatetime } from "../codec.ts";
import { invalidGracePeriod } from "../../rules.ts";
import type { TrialWriteOps } from "../../storage.ts";
import { byNumber } from "../../trial_cache.ts";
import {
  decideHeartbeat,
  decideIntermediate,
  decideParam,
  decideState,
  decideTrialAttr,
  mapRight,
  type TrialHead,
} from "../../trial_writes.ts";
import { formatDatetime, storedDatetime } from "../codec.ts";
import { run, type SqliteConnection } from "./connection.ts";
import {
  firstOf,
  head,
  loadTrials,
  patch,
  remember,
  studyName,
  TRIAL_COLUMNS,
  type TrialRow,
} from "./reads.ts";
import {
  insertIntermediate,
  insertParam,
  insertValues,
  stored,
  storedJson,
  upsertAttr,
} from "./rows.ts";

/** The trial-writing operations on the connection. */
export function trialWriteOps(c: SqliteConnection): TrialWriteOps {
  const first = (studyId: number, name: string) => firstOf(c, studyId, name);
  return {
    setTrialParam: (args) =>
      run(c, "set the trial parameter", "write", () => {
        const h = head(c, args?.trialId);
        return mapRight(decideParam(h, args, first), (w) => {
          const d = insertParam(c, w.trialId, w.name, w.internal, w.distribution);
          // the decision looked the first distribution up: the study's cache is current
          const cache = c.caches.get((h as TrialHead).studyId);
          c.later(() => {
            if (cache !== undefined && !cache.firstDistributions.has(w.name)) {
              cache.firstDistributions.set(w.name, d);
            }
            patch(c, w.trialId, (t) =>
              Object.hasOwn(t.params, w.name) ? t : {
                ...t,
                params: { ...t.params, [w.name]: toExternal(d, stored(w.internal)) },
                distributions: { ...t.distributions, [w.name]: d },
              });
          });
        });
      }),
    setTrialIntermediateValue: (args) =>
      run(
        c,
        "set the intermediate value",
        "write",
        () =>
          mapRight(decideIntermediate(head(c, args?.trialId), args), (w) => {
            insertIntermediate(c, w.trialId, w.step, w.value);
            c.later(() =>
              patch(c, w.trialId, (t) => ({
                ...t,
                intermediateValues: { ...t.intermediateValues, [w.step]: stored(w.value) },
              }))
            );
          }),
      ),
    setTrialStateValues: (args) =>
      run(
        c,
        "set the trial state",
        "write",
        () =>
          mapRight(decideState(head(c, args?.trialId), args), (w) => {
            if (w === undefined) return false;
            if (w.values !== undefined) insertValues(c, w.trialId, w.values);
            const ms = c.now();
            const time = formatDatetime(ms);
            c.q(
              "UPDATE trials SET state = ?1, datetime_start = COALESCE(?2, datetime_start), datetime_complete = COALESCE(?3, datetime_complete) WHERE trial_id = ?4",
            ).run(w.state, w.start ? time : null, w.complete ? time : null, w.trialId);
            c.later(() =>
              patch(c, w.trialId, (t) => ({
                ...t,
                state: w.state,
                values: w.values === undefined ? t.values : w.values.map(stored),
                datetimeStart: w.start ? storedDatetime(ms) : t.datetimeStart,
                datetimeComplete: w.complete ? storedDatetime(ms) : t.datetimeComplete,
              }))
            );
            return true;
          }),
      ),
    setTrialAttr: (args) =>
      run(
        c,
        "set the trial attribute",
        "write",
        () =>
          mapRight(decideTrialAttr(head(c, args?.id), args), (w) => {
            upsertAttr(c, "trial", w.kind, w.trialId, w.key, w.value);
            c.later(() =>
              patch(c, w.trialId, (t) => {
                const field = w.kind === "user" ? "userAttrs" : "systemAttrs";
                return { ...t, [field]: { ...t[field], [w.key]: storedJson(w.value) } };
              })
            );
          }),
      ),
    recordHeartbeat: (trialId) =>
      run(
        c,
        "record the heartbeat",
        "write",
        () =>
          mapRight(decideHeartbeat(trialId, head(c, trialId)), (write) => {
            if (!write) return;
            c.q(
              "INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ?) ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat",
            ).run(trialId, formatDatetime(c.now()));
          }),
      ),
    failStaleTrials: (args) => run(c, "fail stale trials", "write", () => failStale(c, args)),
  };
}

/** Fails the study's RUNNING trials whose last heartbeat is older than the grace period. */
function failStale(
  c: SqliteConnection,
  args: { readonly studyId: number; readonly gracePeriodMs: number },
): Either<HyperionError, FrozenTrial[]> {
  const studyId = args?.studyId;
  if (studyName(c, studyId) === undefined) return left(studyNotFound(`#${show(studyId)}`));
  const invalid = invalidGracePeriod(args.gracePeriodMs);
  if (invalid !== undefined) return left(invalid);
  const time = c.now();
  const stale = c.q(
    "SELECT t.trial_id, h.heartbeat FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id WHERE t.study_id = ? AND t.state = 'RUNNING'",
  ).all(studyId).filter((r) => {
    const beat = parseDatetime(r.heartbeat);
    return beat !== null && time - beat > args.gracePeriodMs;
  });
  const rows: TrialRow[] = [];
  const fail = c.q(
    `UPDATE trials SET state = 'FAIL', datetime_complete = ? WHERE trial_id = ? AND state = 'RUNNING' RETURNING ${TRIAL_COLUMNS}`,
  );
  for (const r of stale) {
    const row = fail.get(formatDatetime(time), Number(r.trial_id)) as TrialRow | undefined;
    if (row !== undefined) rows.push(row);
  }
  const failed = loadTrials(c, rows).sort(byNumber);
  c.later(() => remember(c, studyId, failed));
  return right(failed);
}
