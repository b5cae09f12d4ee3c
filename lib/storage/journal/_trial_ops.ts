/**
 * The trial operations of the journal storage: each write is a decision of
 * `study_writes.ts`/`trial_writes.ts` on the replay (under the file lock, so it sees every
 * process's writes), followed by the journal operation Optuna writes for it. Private to the
 * journal storage.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, trialNotFound } from "../../errors.ts";
import { distributionToJson } from "../../core/distribution_json.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import { checkTrialQuery, invalidGracePeriod, type NormalisedTemplate, setOwn } from "../rules.ts";
import type { Distribution } from "../../core/distributions.ts";
import type { Storage, TrialWriteOps } from "../storage.ts";
import { decideClaim, decideFirsts, decideNewTrial, studyFound } from "../study_writes.ts";
import {
  chainRight,
  decideHeartbeat,
  decideIntermediate,
  decideParam,
  decideState,
  decideTrialAttr,
  mapRight,
  type TrialHead,
} from "../trial_writes.ts";
import { type Decision, type JournalState, read, write } from "./_core.ts";
import { formatIso, type JournalLog, OP, pyFloat, stateCode } from "./_format.ts";
import { HEARTBEAT_KEY, liveTrial, type Replay, type ReplayStudy } from "./_replay.ts";

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

function headOf(r: Replay, trialId: unknown): TrialHead | undefined {
  const e = liveTrial(r, trialId);
  return e === undefined
    ? undefined
    : { studyId: e.studyId, number: e.trial.number, state: e.trial.state };
}

const none = (): Decision<void> => ({ logs: [], answer: () => undefined });

const one = <A>(log: JournalLog, answer: () => A): Decision<A> => ({ logs: [log], answer });

/** Optuna's `value`/`values` pair: `value` for one objective, `values` for several. */
function valueFields(values: ReadonlyArray<number> | null): JournalLog {
  return values !== null && values.length > 1
    ? { value: null, values: values.map(pyFloat) }
    : { value: values === null ? null : pyFloat(values[0] as number), values: null };
}

/** An internal value as Python holds it: a float, or an int index for categoricals. */
function internalValue(d: Distribution, internal: number): number | string {
  return d._tag === "CategoricalDistribution" ? internal : pyFloat(internal);
}

function internalParams(t: NormalisedTemplate): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(t.internalParams)) {
    setOwn(out, k, internalValue(t.distributions[k] as Distribution, v));
  }
  return out;
}

/** `create_new_trial`'s log: the short form without a template, Optuna's full form with one. */
function createLog(
  studyId: number,
  t: NormalisedTemplate,
  templated: boolean,
  now: number,
): JournalLog {
  if (!templated) {
    return { op_code: OP.CREATE_TRIAL, study_id: studyId, datetime_start: formatIso(now) };
  }
  const distributions: Record<string, string> = {};
  for (const [k, d] of Object.entries(t.distributions)) {
    setOwn(distributions, k, distributionToJson(d));
  }
  return {
    op_code: OP.CREATE_TRIAL,
    study_id: studyId,
    datetime_start: t.datetimeStart === null ? null : formatIso(t.datetimeStart),
    state: stateCode(t.state),
    ...valueFields(t.values),
    ...(t.datetimeComplete === null ? {} : { datetime_complete: formatIso(t.datetimeComplete) }),
    distributions,
    params: internalParams(t),
    user_attrs: t.userAttrs,
    system_attrs: t.systemAttrs,
    intermediate_values: Object.fromEntries(
      Object.entries(t.intermediateValues).map(([k, v]) => [k, pyFloat(v)]),
    ),
  };
}

function stateLog(
  trialId: number,
  state: FrozenTrial["state"],
  values: ReadonlyArray<number> | undefined,
  now: number,
): JournalLog {
  return {
    op_code: OP.SET_TRIAL_STATE_VALUES,
    trial_id: trialId,
    state: stateCode(state),
    values: values === undefined ? null : values.map(pyFloat),
    ...(state === "RUNNING"
      ? { datetime_start: formatIso(now) }
      : state === "WAITING"
      ? {}
      : { datetime_complete: formatIso(now) }),
  };
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** Creating and claiming trials on a journal. */
export function trialCreation(
  st: JournalState,
): Pick<Storage, "createTrial" | "claimWaitingTrial"> {
  const r = st.replay;
  const lastTrial = () => r.trials[r.trials.length - 1]!.trial;
  return {
    createTrial: (studyId, template) =>
      write(st, "create the trial", () => {
        const s = r.studies.get(studyId);
        const now = st.now();
        return chainRight(decideNewTrial(s !== undefined, studyId, template, () => now), (t) =>
          mapRight(
            decideFirsts(t, (name) =>
              (s as ReplayStudy).firsts.get(name)?.d),
            (n) => one(createLog(studyId, n, template !== undefined, now), lastTrial),
          ));
      }),
    claimWaitingTrial: (studyId) =>
      write(st, "claim a waiting trial", () => {
        const s = r.studies.get(studyId);
        let first: FrozenTrial | undefined;
        for (const id of s?.waiting ?? []) {
          const t = r.trials[id]!.trial;
          if (first === undefined || t.number < first.number) first = t;
        }
        return mapRight(
          decideClaim(s !== undefined, studyId, first),
          (t): Decision<FrozenTrial | undefined> =>
            t === undefined ? { logs: [], answer: () => undefined } : one(
              stateLog(t.trialId, "RUNNING", undefined, st.now()),
              () => r.trials[t.trialId]!.trial,
            ),
        );
      }, () => {
        // nothing WAITING now: no need for the lock
        const s = r.studies.get(studyId);
        return s !== undefined && s.waiting.size === 0 ? right(undefined) : undefined;
      }),
  };
}

/** Writing to trials on a journal. */
export function trialWrites(st: JournalState): TrialWriteOps {
  const r = st.replay;
  const first = (studyId: number, name: string) => r.studies.get(studyId)?.firsts.get(name)?.d;
  return {
    setTrialParam: (args) =>
      write(
        st,
        "set the trial parameter",
        () =>
          mapRight(decideParam(headOf(r, args?.trialId), args, first), (w) =>
            // a name already set keeps its first value, as in the other storages
            Object.hasOwn(r.trials[w.trialId]!.trial.params, w.name) ? none() : one({
              op_code: OP.SET_TRIAL_PARAM,
              trial_id: w.trialId,
              param_name: w.name,
              param_value_internal: internalValue(w.distribution, w.internal),
              distribution: distributionToJson(w.distribution),
            }, () => undefined)),
      ),
    setTrialIntermediateValue: (args) =>
      write(
        st,
        "set the intermediate value",
        () =>
          mapRight(decideIntermediate(headOf(r, args?.trialId), args), (w) =>
            one({
              op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE,
              trial_id: w.trialId,
              step: w.step,
              intermediate_value: pyFloat(w.value),
            }, () => undefined)),
      ),
    setTrialStateValues: (args) =>
      write(st, "set the trial state", () =>
        mapRight(
          decideState(headOf(r, args?.trialId), args),
          (w): Decision<boolean> =>
            w === undefined
              ? { logs: [], answer: () => false }
              : one(stateLog(w.trialId, w.state, w.values, st.now()), () => true),
        )),
    setTrialAttr: (args) =>
      write(
        st,
        "set the trial attribute",
        () =>
          mapRight(decideTrialAttr(headOf(r, args?.id), args), (w) =>
            one(
              w.kind === "user"
                ? {
                  op_code: OP.SET_TRIAL_USER_ATTR,
                  trial_id: w.trialId,
                  user_attr: { [w.key]: w.value },
                }
                : {
                  op_code: OP.SET_TRIAL_SYSTEM_ATTR,
                  trial_id: w.trialId,
                  system_attr: { [w.key]: w.value },
                },
              () => undefined,
            )),
      ),
    recordHeartbeat: (trialId) =>
      write(
        st,
        "record the heartbeat",
        () =>
          mapRight(decideHeartbeat(trialId, headOf(r, trialId)), (beat) =>
            !beat ? none() : one({
              op_code: OP.SET_TRIAL_SYSTEM_ATTR,
              trial_id: trialId,
              system_attr: { [HEARTBEAT_KEY]: formatIso(st.now()) },
            }, () => undefined)),
      ),
    failStaleTrials: (args) => write(st, "fail stale trials", () => decideStale(st, args)),
  };
}

function decideStale(
  st: JournalState,
  args: { readonly studyId: number; readonly gracePeriodMs: number },
): Either<HyperionError, Decision<ReadonlyArray<FrozenTrial>>> {
  const r = st.replay;
  const s = r.studies.get(args?.studyId);
  return chainRight(studyFound(s !== undefined, args?.studyId), () => {
    const invalid = invalidGracePeriod(args.gracePeriodMs);
    if (invalid !== undefined) return left(invalid);
    const now = st.now();
    const stale = (s as ReplayStudy).byNumber.filter((t) => {
      const beat = r.heartbeats.get(t.trialId);
      return t.state === "RUNNING" && beat !== undefined && now - beat > args.gracePeriodMs;
    });
    return right({
      logs: stale.map((t) => stateLog(t.trialId, "FAIL", undefined, now)),
      answer: () => stale.map((t) => r.trials[t.trialId]!.trial),
    });
  });
}

/** Reading trials from a journal. */
export function trialReads(st: JournalState): Pick<Storage, "getTrial" | "getAllTrials"> {
  const r = st.replay;
  return {
    getTrial: (trialId) =>
      read(st, "get the trial", () => {
        const e = liveTrial(r, trialId);
        return e === undefined ? left(trialNotFound(trialId, "id")) : right(e.trial);
      }),
    getAllTrials: (studyId, opts) =>
      read(st, "get the trials", () => {
        const s = r.studies.get(studyId);
        return chainRight(
          studyFound(s !== undefined, studyId),
          () =>
            mapRight(checkTrialQuery(opts), (states): ReadonlyArray<FrozenTrial> => {
              const all = (s as ReplayStudy).byNumber;
              return states ? all.filter((t) => states.includes(t.state)) : all.slice();
            }),
        );
      }),
  };
}
