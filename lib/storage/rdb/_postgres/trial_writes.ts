/**
 * The PostgreSQL adapter's trial writes, one round trip each: the write itself is the check
 * (a guarded `INSERT … SELECT … WHERE` or `UPDATE … WHERE state IN …` returning what it
 * wrote); only when nothing was written is the trial's head read, and the shared decision of
 * `trial_writes.ts` explains why, so the errors and their order are every backend's. Also
 * heartbeats (server clock) and failing stale trials. Private to the library.
 *
 * @module
 */
import { type Either, left, right } from "../../../effect/mod.ts";
import {
  type HyperionError,
  show,
  storageError,
  studyNotFound,
  trialNotFound,
} from "../../../errors.ts";
import { checkCompatible } from "../../../core/distributions.ts";
import { distributionToJson } from "../../../core/distribution_json.ts";
import { checkTransition, isFinished } from "../../../core/trial.ts";
import {
  checkAttrWrite,
  checkIntermediate,
  checkParam,
  checkValues,
  invalidGracePeriod,
} from "../../rules.ts";
import type { SetTrialParamArgs, SetTrialStateArgs, TrialWriteOps } from "../../storage.ts";
import { byNumber } from "../../trial_cache.ts";
import {
  decideIntermediate,
  decideParam,
  decideState,
  decideTrialAttr,
  mapRight,
} from "../../trial_writes.ts";
import { encodeJson, encodeValue, formatDatetime } from "../codec.ts";
import { POSTGRESQL, trialWriteSql } from "../dialect.ts";
import type { PgParam, PgQuery, PgRow } from "../postgres_connection.ts";
import { type Later, type PgConnection, run } from "./connection.ts";
import {
  firstDistribution,
  FULL_TRIAL,
  heartbeatTime,
  isId,
  json,
  remember,
  rememberFirst,
  toTrial,
  trialHead,
} from "./reads.ts";

/** The trial-write statements in PostgreSQL's dialect (guarded: the write is the check). */
const WRITE = trialWriteSql(POSTGRESQL);

/** Trial states from which a write may move the trial to RUNNING / to a finished state. */
const FROM_STATES = {
  claim: "'WAITING'",
  other: "'RUNNING', 'WAITING'",
} as const;

/** The trial-writing operations on the pool. */
export function trialWriteOps(c: PgConnection): TrialWriteOps {
  return {
    setTrialParam: (args) =>
      run(c, "set the trial parameter", (q, later) => setParam(c, q, later, args)),
    setTrialIntermediateValue: (args) =>
      run(c, "set the intermediate value", async (q) => {
        const trialId = args?.trialId;
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        const explain = async () => decideIntermediate(await trialHead(c, q, trialId), args);
        if (checkIntermediate(args.step, args.value)._tag === "Left") {
          return mapRight(await explain(), () => undefined);
        }
        const [value, type] = encodeValue(args.value);
        const written = await q(WRITE.intermediate, [trialId, args.step, value, type]);
        if (written.length === 0) {
          const why = await explain();
          if (why._tag === "Left") return why;
          return left(storageError("set the intermediate value" + c.where, "nothing was written"));
        }
        return right(undefined);
      }),
    setTrialStateValues: (args) =>
      run(c, "set the trial state", (q, later) => setState(c, q, later, args)),
    setTrialAttr: (args) =>
      run(c, "set the trial attribute", async (q) => {
        const trialId = args?.id;
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        const explain = async () => decideTrialAttr(await trialHead(c, q, trialId), args);
        if (checkAttrWrite(args)._tag === "Left") return mapRight(await explain(), () => undefined);
        const kind = args.kind === "user" ? "user" : "system";
        const written = await q(WRITE.attr[kind], [trialId, args.key, encodeJson(args.value)]);
        if (written.length === 0) {
          const why = await explain();
          if (why._tag === "Left") return why;
          return left(storageError("set the trial attribute" + c.where, "nothing was written"));
        }
        return right(undefined);
      }),
    recordHeartbeat: (trialId) =>
      run(c, "record the heartbeat", async (q) => {
        if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
        const r = (await q(
          "WITH t AS (SELECT trial_id, state FROM trials WHERE trial_id = $1), hb AS (INSERT INTO trial_heartbeats (trial_id, heartbeat) SELECT trial_id, COALESCE($2::text::timestamp, (CURRENT_TIMESTAMP AT TIME ZONE 'UTC')) FROM t WHERE state = 'RUNNING' ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat RETURNING 1) SELECT EXISTS (SELECT 1 FROM t) AS found",
          [trialId, heartbeatTime(c)],
        ))[0];
        return r?.found === true ? right(undefined) : left(trialNotFound(trialId as number, "id"));
      }),
    failStaleTrials: (args) =>
      run(c, "fail stale trials", async (q, later) => {
        const studyId = args?.studyId;
        if (!isId(studyId)) return left(studyNotFound(`#${show(studyId)}`));
        const invalid = invalidGracePeriod(args.gracePeriodMs);
        if (invalid !== undefined) return left(invalid);
        // beyond ±31 years the interval would overflow; nothing is that old or that new
        const grace = Math.max(-1e12, Math.min(args.gracePeriodMs, 1e12));
        const r = (await q(
          "WITH stale AS (UPDATE trials t SET state = 'FAIL', datetime_complete = $3::text::timestamp FROM trial_heartbeats h WHERE h.trial_id = t.trial_id AND t.study_id = $1 AND t.state = 'RUNNING' AND h.heartbeat < COALESCE($4::text::timestamp, (CURRENT_TIMESTAMP AT TIME ZONE 'UTC')) - make_interval(secs => $2::float8 / 1000) RETURNING t.trial_id) SELECT COALESCE((SELECT json_agg(trial_id) FROM stale), '[]') AS ids, EXISTS (SELECT 1 FROM studies WHERE study_id = $1) AS found",
          [studyId, grace, formatDatetime(c.now()), heartbeatTime(c)],
        ))[0];
        if (r?.found !== true) return left(studyNotFound(`#${show(studyId)}`));
        const ids = (Array.isArray(r.ids) ? r.ids : []).map(Number);
        if (ids.length === 0) return right([]);
        const failed = (await q(
          `${FULL_TRIAL} WHERE t.trial_id IN (SELECT value::int FROM json_array_elements_text($1::json))`,
          [json(ids)],
        )).map((row) => toTrial(c, row)).sort(byNumber);
        later(() => remember(c, failed));
        return right(failed);
      }),
  };
}

/** `setTrialParam` in one guarded write; the decision explains a refusal. */
async function setParam(
  c: PgConnection,
  q: PgQuery,
  later: Later,
  args: SetTrialParamArgs,
): Promise<Either<HyperionError, void>> {
  const trialId = args?.trialId;
  if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
  let studyId = c.studyOfTrial.get(trialId);
  if (studyId === undefined) {
    const head = await trialHead(c, q, trialId);
    if (head === undefined) return left(trialNotFound(trialId as number, "id"));
    studyId = head.studyId;
  }
  const param = checkParam(args.name, args.internal, args.distribution);
  const first = param._tag === "Right"
    ? await firstDistribution(c, q, studyId, args.name)
    : undefined;
  // why the write is refused (or that the name was already set): the shared decision
  const explain = async () => decideParam(await trialHead(c, q, trialId), args, () => first);
  if (
    param._tag === "Left" ||
    (first !== undefined && checkCompatible(first, param.right, args.name)._tag === "Left")
  ) return mapRight(await explain(), () => undefined);
  const text = distributionToJson(param.right);
  const written = await q(WRITE.param, [trialId, args.name, args.internal, text]);
  if (written.length === 0) {
    const why = await explain();
    if (why._tag === "Left") return why;
  }
  const d = c.distribution(text);
  const sid = studyId;
  later(() => rememberFirst(c, sid, { [args.name]: d }));
  return right(undefined);
}

/** `setTrialStateValues` in one guarded statement (with the values); the decision explains a refusal. */
async function setState(
  c: PgConnection,
  q: PgQuery,
  later: Later,
  args: SetTrialStateArgs,
): Promise<Either<HyperionError, boolean>> {
  const trialId = args?.trialId;
  if (!isId(trialId)) return left(trialNotFound(trialId as number, "id"));
  const state = args.state;
  const values = args.values ?? null;
  // the checks that do not depend on the stored state; reported after TrialNotFound
  // and TrialNotUpdatable, as every backend orders them
  const pre = checkTransition({ number: -1, state: "RUNNING" }, state, values);
  const valid = pre._tag === "Left" || values === null ? pre : checkValues(values);
  if (valid._tag === "Left") {
    const decided = decideState(await trialHead(c, q, trialId), args);
    return decided._tag === "Left" ? decided : decided.right === undefined ? right(false) : valid;
  }
  const time = formatDatetime(c.now());
  const fromStates = state === "RUNNING" ? FROM_STATES.claim : FROM_STATES.other;
  const update =
    `UPDATE trials SET state = $2::trialstate, datetime_start = COALESCE($3::text::timestamp, datetime_start), datetime_complete = COALESCE($4::text::timestamp, datetime_complete) WHERE trial_id = $1 AND state IN (${fromStates}) RETURNING trial_id, number, study_id, state::text AS state`;
  const params: PgParam[] = [
    trialId,
    state,
    state === "RUNNING" ? time : null,
    isFinished(state) ? time : null,
  ];
  const written = values === null ? await q(update, params) : await q(
    `WITH upd AS (${update}), ` +
      `vals AS (INSERT INTO trial_values (trial_id, objective, value, value_type) SELECT upd.trial_id, (o - 1)::int, (e->>0)::float8, (e->>1)::trialvaluetype FROM upd, json_array_elements($5::json) WITH ORDINALITY AS x(e, o) ORDER BY o ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value, value_type = excluded.value_type), ` +
      `del AS (DELETE FROM trial_values WHERE trial_id IN (SELECT trial_id FROM upd) AND objective >= $6) ` +
      `SELECT * FROM upd`,
    [...params, json(values.map(encodeValue)), values.length],
  );
  if (written.length === 0) {
    const decided = decideState(await trialHead(c, q, trialId), args);
    // otherwise RUNNING was asked for a trial that is no longer WAITING
    return decided._tag === "Left" ? decided : right(false);
  }
  later(() => {
    const head = written[0] as PgRow;
    c.studyOfTrial.set(trialId, Number(head.study_id));
  });
  return right(true);
}
