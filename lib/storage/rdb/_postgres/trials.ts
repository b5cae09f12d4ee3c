/**
 * The PostgreSQL adapter's trial creation and trial reads: create a trial under the study
 * lock (numbered by the count of the study's trials, as Optuna does), claim a WAITING trial
 * (`FOR UPDATE SKIP LOCKED`), read one trial or a study's trials (incrementally, from the
 * trial cache). Private to the library.
 *
 * Datetimes are Optuna's naive-UTC text (`formatDatetime`) sent as `$n::text::timestamp`: a
 * parameter typed `timestamp` would go through postgres.js's serializer, which parses the text
 * as a `Date` in the process's local time zone (nine hours off under `TZ=Asia/Tokyo`) and drops
 * the microseconds. The server's clock is read as `CURRENT_TIMESTAMP AT TIME ZONE 'UTC'`.
 *
 * @module
 */
import { left, right } from "../../../effect/mod.ts";
import { show, studyNotFound, trialNotFound } from "../../../errors.ts";
import type { FrozenTrial } from "../../../core/trial.ts";
import { checkTrialQuery } from "../../rules.ts";
import { decideClaim, decideFirsts, decideNewTrial } from "../../study_writes.ts";
import type { Storage } from "../../storage.ts";
import { foldChanged, runningTrial } from "../../trial_cache.ts";
import { formatDatetime, storedDatetime } from "../codec.ts";
import type { PgRow } from "../postgres_connection.ts";
import { type PgConnection, run, runTx } from "./connection.ts";
import {
  cacheFor,
  firstDistributions,
  forgetStudy,
  FULL_TRIAL,
  isId,
  json,
  loadTrial,
  lockStudy,
  remember,
  rememberFirst,
  studyExists,
  toTrial,
} from "./reads.ts";
import { insertChildren } from "./rows.ts";

/** The trial-creating and trial-reading operations of a {@link Storage}. */
export type TrialOps = Pick<
  Storage,
  "createTrial" | "claimWaitingTrial" | "getTrial" | "getAllTrials"
>;

/** The trial-creating and trial-reading operations on the pool. */
export function trialOps(c: PgConnection): TrialOps {
  return {
    createTrial: (studyId, template) =>
      runTx(c, "create the trial", async (q, later) => {
        const normalised = decideNewTrial(await lockStudy(q, studyId), studyId, template, c.now);
        if (normalised._tag === "Left") return normalised;
        const firsts = await firstDistributions(c, q, studyId, normalised.right.distributions);
        const compatible = decideFirsts(normalised.right, (name) => firsts.get(name));
        if (compatible._tag === "Left") return compatible;
        const t = compatible.right;
        // a new statement, so it sees every trial committed before the lock was granted
        const row = (await q(
          "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES ((SELECT COUNT(*) FROM trials WHERE study_id = $1), $1, $2::trialstate, $3::text::timestamp, $4::text::timestamp) RETURNING trial_id, number",
          [
            studyId,
            t.state,
            t.datetimeStart === null ? null : formatDatetime(t.datetimeStart),
            t.datetimeComplete === null ? null : formatDatetime(t.datetimeComplete),
          ],
        ))[0] as PgRow;
        const trialId = Number(row.trial_id);
        let frozen: FrozenTrial;
        if (template === undefined) {
          frozen = runningTrial(Number(row.number), trialId, storedDatetime(t.datetimeStart));
        } else {
          await insertChildren(q, trialId, t);
          frozen = (await loadTrial(c, q, trialId)) as FrozenTrial;
        }
        later(() => {
          c.studyOfTrial.set(trialId, studyId);
          rememberFirst(c, studyId, frozen.distributions);
          remember(c, [frozen]);
        });
        return right(frozen);
      }),
    claimWaitingTrial: (studyId) =>
      run(c, "claim a waiting trial", async (q, later) => {
        if (!isId(studyId)) return left(studyNotFound(`#${show(studyId)}`));
        const r = (await q(
          `WITH claimed AS (UPDATE trials SET state = 'RUNNING', datetime_start = $2::text::timestamp WHERE trial_id = (SELECT trial_id FROM trials WHERE study_id = $1 AND state = 'WAITING' ORDER BY number, trial_id LIMIT 1 FOR UPDATE SKIP LOCKED) AND state = 'WAITING' RETURNING trial_id) SELECT (SELECT trial_id FROM claimed) AS trial_id, EXISTS (SELECT 1 FROM studies WHERE study_id = $1) AS found`,
          [studyId, formatDatetime(c.now())],
        ))[0];
        const claimed = r?.trial_id === null || r?.trial_id === undefined
          ? undefined
          : Number(r.trial_id);
        const decided = decideClaim(r?.found === true, studyId, claimed);
        if (decided._tag === "Left") return decided;
        if (decided.right === undefined) return right(undefined);
        const trial = await loadTrial(c, q, decided.right);
        if (trial === undefined) return left(trialNotFound(decided.right, "id"));
        later(() => c.studyOfTrial.set(trial.trialId, studyId));
        return right(trial);
      }),
    getTrial: (trialId) =>
      run(c, "get the trial", async (q, later) => {
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        const hit = c.finishedById.get(trialId);
        if (hit !== undefined) {
          // still there? (the study may have been deleted by another worker)
          if ((await q("SELECT 1 FROM trials WHERE trial_id = $1", [trialId])).length > 0) {
            return right(hit);
          }
          later(() => c.finishedById.delete(trialId));
          return left(trialNotFound(trialId as number, "id"));
        }
        const trial = await loadTrial(c, q, trialId);
        if (trial === undefined) return left(trialNotFound(trialId as number, "id"));
        later(() => remember(c, [trial]));
        return right(trial);
      }),
    getAllTrials: (studyId, opts) =>
      run(c, "get the trials", async (q, later) => {
        if (!isId(studyId)) return left(studyNotFound(`#${show(studyId)}`));
        const checked = checkTrialQuery(opts);
        if (checked._tag === "Left") return checked;
        const cache = cacheFor(c, studyId);
        const unfinishedIds = cache.trials.unfinished.map((t) => t.trialId);
        const changed = await q(
          `${FULL_TRIAL} WHERE t.study_id = $1 AND (t.trial_id > $2 OR t.trial_id IN (SELECT value::int FROM json_array_elements_text($3::json)))`,
          [studyId, cache.trials.maxSeenId, json(unfinishedIds)],
        );
        if (changed.length < unfinishedIds.length || changed.length === 0) {
          // nothing new, or trials vanished: is the study still there?
          if (!(await studyExists(q, studyId))) {
            later(() => forgetStudy(c, studyId));
            return left(studyNotFound(`#${show(studyId)}`));
          }
        }
        const loaded = changed.map((r) => toTrial(c, r));
        const folded = foldChanged(cache.trials, loaded);
        later(() => {
          cache.trials = folded;
          for (const t of loaded) c.studyOfTrial.set(t.trialId, studyId);
          remember(c, folded.newlyFinished);
        });
        const states = checked.right;
        // each reader gets its own list (a frozen shared one makes every later read of it slower)
        return right(
          states ? folded.all.filter((t) => states.includes(t.state)) : folded.all.slice(),
        );
      }),
  };
}
