/**
 * In-memory storage: for tests and throw-away studies. Not shared between processes and lost
 * when the process ends.
 *
 * @module
 */
import { type Either, genEither, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, show, storageError, studyNotFound, trialNotFound } from "../errors.ts";
import { type Distribution, toExternal } from "../core/distributions.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import type { StudyRecord } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import {
  checkStudyName,
  checkTrialQuery,
  cloneJson,
  invalidGracePeriod,
  type NormalisedTemplate,
} from "./rules.ts";
import type { Storage, StudyOps } from "./storage.ts";
import {
  decideFirsts,
  decideNameFree,
  decideNewStudy,
  decideNewTrial,
  decideRename,
  decideStudyAttr,
} from "./study_writes.ts";
import {
  chainRight,
  decideHeartbeat,
  decideIntermediate,
  decideParam,
  decideState,
  decideTrialAttr,
  mapRight,
  type TrialHead,
} from "./trial_writes.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link memoryStorage}.
 *
 * @category model
 */
export interface MemoryStorageOptions {
  /**
   * The clock, in epoch milliseconds (inject a fake one in tests).
   *
   * @default {Date.now}
   */
  readonly now?: () => number;
}

interface StudyEntry {
  record: StudyRecord;
  /** The current version of each trial, by number. */
  readonly byNumber: FrozenTrial[];
  /** Ids of the WAITING trials. */
  readonly waiting: Set<number>;
  readonly firstDistributions: Map<string, Distribution>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A fresh in-memory storage.
 *
 * @example Create a study in memory
 * ```ts
 * import { createStudy, memoryStorage, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const storage = memoryStorage();
 * const study = await runOrThrow(createStudy({ storage, studyName: "demo" }));
 * assert.equal(study.studyName, "demo");
 * assert.equal(storage.persistent, false);
 * ```
 *
 * @category constructors
 */
export function memoryStorage(options: MemoryStorageOptions = {}): Storage {
  const st: MemoryState = {
    now: options.now ?? Date.now,
    studies: new Map(),
    byName: new Map(),
    trials: new Map(),
    heartbeats: new Map(),
    unread: new Set(),
    nextStudyId: 0,
    nextTrialId: 0,
    closed: false,
  };
  return {
    url: "memory:",
    persistent: false,
    ...studyOps(st),
    ...trialCreation(st),
    ...trialWrites(st),
    ...trialReads(st),
    close: () => () => {
      st.closed = true;
      return Promise.resolve(right(undefined));
    },
  };
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

/** Everything a memory storage holds, in one visible record. */
interface MemoryState {
  readonly now: () => number;
  readonly studies: Map<number, StudyEntry>;
  readonly byName: Map<string, number>;
  readonly trials: Map<number, { studyId: number; trial: FrozenTrial }>;
  readonly heartbeats: Map<number, number>;
  /**
   * Ids of the trials whose stored version no reader has been given and whose `params` and
   * `distributions` records only that version holds (the copies a parameter write made): the
   * next parameter write adds to them in place, so that a trial of p parameters costs O(p), not
   * O(p²). Every other write, and every read, takes the id out (the next write copies again).
   */
  readonly unread: Set<number>;
  nextStudyId: number;
  nextTrialId: number;
  closed: boolean;
}

function run<A>(
  st: MemoryState,
  operation: string,
  f: () => Either<HyperionError, A>,
): TaskEither<HyperionError, A> {
  return () => {
    if (st.closed) return Promise.resolve(left(storageError(operation, "the storage is closed")));
    try {
      return Promise.resolve(f());
    } catch (e) {
      return Promise.resolve(left(storageError(operation, e)));
    }
  };
}

function study(st: MemoryState, studyId: number): Either<HyperionError, StudyEntry> {
  const s = st.studies.get(studyId);
  return s ? right(s) : left(studyNotFound(`#${show(studyId)}`));
}

function headOf(st: MemoryState, trialId: number): TrialHead | undefined {
  const t = st.trials.get(trialId);
  return t === undefined
    ? undefined
    : { studyId: t.studyId, number: t.trial.number, state: t.trial.state };
}

/** The stored trial a decision was made about (it exists: the decision found it). */
function stored(st: MemoryState, trialId: number): { studyId: number; trial: FrozenTrial } {
  return st.trials.get(trialId)!;
}

function put(st: MemoryState, studyId: number, t: FrozenTrial): void {
  st.unread.delete(t.trialId);
  st.trials.set(t.trialId, { studyId, trial: t });
  const s = st.studies.get(studyId)!;
  s.byNumber[t.number] = t;
  if (t.state === "WAITING") s.waiting.add(t.trialId);
  else s.waiting.delete(t.trialId);
}

function studyOps(st: MemoryState): StudyOps {
  return {
    createStudy: (args) =>
      run(st, "create the study", () =>
        genEither(function* (_) {
          const { studyName: name, directions } = yield* _(decideNewStudy(args));
          yield* _(decideNameFree(name, undefined, st.byName.get(name)));
          const record: StudyRecord = {
            studyId: st.nextStudyId++,
            studyName: name,
            directions: [...directions],
            userAttrs: {},
            systemAttrs: {},
          };
          st.studies.set(record.studyId, {
            record,
            byNumber: [],
            waiting: new Set(),
            firstDistributions: new Map(),
          });
          st.byName.set(record.studyName, record.studyId);
          return record;
        })),
    deleteStudy: (studyId) =>
      run(st, "delete the study", () =>
        mapRight(study(st, studyId), (s) => {
          for (const t of s.byNumber) {
            st.trials.delete(t.trialId);
            st.heartbeats.delete(t.trialId);
            st.unread.delete(t.trialId);
          }
          st.studies.delete(studyId);
          st.byName.delete(s.record.studyName);
        })),
    renameStudy: (args) =>
      run(st, "rename the study", () =>
        genEither(function* (_) {
          const s = st.studies.get(args?.studyId);
          const name = yield* _(decideRename(s !== undefined, args));
          yield* _(decideNameFree(name, args.studyId, st.byName.get(name)));
          const e = s as StudyEntry; // found: the decision checked it
          st.byName.delete(e.record.studyName);
          e.record = { ...e.record, studyName: name };
          st.byName.set(name, args.studyId);
          return e.record;
        })),
    getStudy: (studyName) =>
      run(st, "get the study", () =>
        chainRight(checkStudyName(studyName), (name) => {
          const id = st.byName.get(name);
          return id === undefined ? left(studyNotFound(name)) : right(st.studies.get(id)!.record);
        })),
    getStudyById: (studyId) =>
      run(st, "get the study", () => mapRight(study(st, studyId), (s) => s.record)),
    listStudies: () =>
      run(st, "list the studies", () => right([...st.studies.values()].map((s) => s.record))),
    setStudyAttr: (args) =>
      run(st, "set the study attribute", () =>
        genEither(function* (_) {
          const s = st.studies.get(args?.id);
          const w = yield* _(decideStudyAttr(s !== undefined, args));
          const field = w.kind === "user" ? "userAttrs" : "systemAttrs";
          const e = s as StudyEntry; // found: the decision checked it
          const r = e.record;
          e.record = { ...r, [field]: { ...r[field], [w.key]: cloneJson(w.value) } };
        })),
  };
}

function trialCreation(st: MemoryState): Pick<Storage, "createTrial" | "claimWaitingTrial"> {
  return {
    createTrial: (studyId, template) =>
      run(
        st,
        "create the trial",
        () => {
          const s = st.studies.get(studyId);
          return chainRight(decideNewTrial(s !== undefined, studyId, template, st.now), (t) => {
            const e = s as StudyEntry;
            const firstOf = (name: string) => e.firstDistributions.get(name);
            return mapRight(decideFirsts(t, firstOf), (n) => newTrial(st, studyId, e, n));
          });
        },
      ),
    claimWaitingTrial: (studyId) =>
      run(st, "claim a waiting trial", () =>
        mapRight(study(st, studyId), (s) => {
          // the WAITING trial with the smallest number
          let first: FrozenTrial | undefined;
          for (const id of s.waiting) {
            const t = st.trials.get(id)!.trial;
            if (first === undefined || t.number < first.number) first = t;
          }
          if (first === undefined) return undefined;
          const claimed: FrozenTrial = { ...first, state: "RUNNING", datetimeStart: st.now() };
          put(st, studyId, claimed);
          return claimed;
        })),
  };
}

function newTrial(
  st: MemoryState,
  studyId: number,
  s: StudyEntry,
  t: NormalisedTemplate,
): FrozenTrial {
  for (const [name, d] of Object.entries(t.distributions)) {
    if (!s.firstDistributions.has(name)) s.firstDistributions.set(name, d);
  }
  const frozen: FrozenTrial = {
    number: s.byNumber.length,
    trialId: st.nextTrialId++,
    state: t.state,
    values: t.values === null ? null : [...t.values],
    params: { ...t.params },
    distributions: { ...t.distributions },
    intermediateValues: { ...t.intermediateValues },
    userAttrs: cloneJson(t.userAttrs as JsonValue) as FrozenTrial["userAttrs"],
    systemAttrs: cloneJson(t.systemAttrs as JsonValue) as FrozenTrial["systemAttrs"],
    datetimeStart: t.datetimeStart,
    datetimeComplete: t.datetimeComplete,
  };
  put(st, studyId, frozen);
  return frozen;
}

/**
 * Adds a parameter to a stored trial: in place when no reader has its version (see
 * `MemoryState.unread`), else in a copy that only the storage holds.
 */
function addParam(
  st: MemoryState,
  studyId: number,
  t: FrozenTrial,
  name: string,
  value: ParamValue,
  distribution: Distribution,
): void {
  if (st.unread.has(t.trialId)) {
    (t.params as Record<string, ParamValue>)[name] = value;
    (t.distributions as Record<string, Distribution>)[name] = distribution;
    return;
  }
  put(st, studyId, {
    ...t,
    params: { ...t.params, [name]: value },
    distributions: { ...t.distributions, [name]: distribution },
  });
  st.unread.add(t.trialId);
}

function trialWrites(st: MemoryState): Pick<
  Storage,
  "setTrialParam" | "setTrialIntermediateValue" | "setTrialStateValues" | "setTrialAttr"
> {
  const first = (studyId: number, name: string) =>
    st.studies.get(studyId)!.firstDistributions.get(name);
  return {
    setTrialParam: (args) =>
      run(
        st,
        "set the trial parameter",
        () =>
          mapRight(decideParam(headOf(st, args?.trialId), args, first), (w) => {
            const { studyId, trial: t } = stored(st, w.trialId);
            if (Object.hasOwn(t.params, w.name)) return;
            const s = st.studies.get(studyId)!;
            if (!s.firstDistributions.has(w.name)) s.firstDistributions.set(w.name, w.distribution);
            addParam(
              st,
              studyId,
              t,
              w.name,
              toExternal(w.distribution, w.internal),
              w.distribution,
            );
          }),
      ),
    setTrialIntermediateValue: (args) =>
      run(
        st,
        "set the intermediate value",
        () =>
          mapRight(decideIntermediate(headOf(st, args?.trialId), args), (w) => {
            const { studyId, trial: t } = stored(st, w.trialId);
            put(st, studyId, {
              ...t,
              intermediateValues: { ...t.intermediateValues, [w.step]: w.value },
            });
          }),
      ),
    setTrialStateValues: (args) =>
      run(
        st,
        "set the trial state",
        () =>
          mapRight(decideState(headOf(st, args?.trialId), args), (w) => {
            if (w === undefined) return false;
            const { studyId, trial: t } = stored(st, w.trialId);
            const time = st.now();
            put(st, studyId, {
              ...t,
              state: w.state,
              values: w.values === undefined ? t.values : [...w.values],
              datetimeStart: w.start ? time : t.datetimeStart,
              datetimeComplete: w.complete ? time : t.datetimeComplete,
            });
            if (w.complete) st.heartbeats.delete(w.trialId);
            return true;
          }),
      ),
    setTrialAttr: (args) =>
      run(
        st,
        "set the trial attribute",
        () =>
          mapRight(decideTrialAttr(headOf(st, args?.id), args), (w) => {
            const { studyId, trial: t } = stored(st, w.trialId);
            const field = w.kind === "user" ? "userAttrs" : "systemAttrs";
            put(st, studyId, { ...t, [field]: { ...t[field], [w.key]: cloneJson(w.value) } });
          }),
      ),
  };
}

function trialReads(st: MemoryState): Pick<
  Storage,
  "getTrial" | "getAllTrials" | "recordHeartbeat" | "failStaleTrials"
> {
  return {
    getTrial: (trialId) =>
      run(st, "get the trial", () => {
        const t = st.trials.get(trialId);
        st.unread.delete(trialId);
        return t === undefined ? left(trialNotFound(trialId, "id")) : right(t.trial);
      }),
    getAllTrials: (studyId, opts) =>
      run(
        st,
        "get the trials",
        () =>
          chainRight(study(st, studyId), (s) =>
            mapRight(checkTrialQuery(opts), (states): ReadonlyArray<FrozenTrial> => {
              const all = s.byNumber;
              st.unread.clear(); // the caller holds every version now
              if (states) {
                return all.filter((t) =>
                  states.includes(t.state)
                );
              }
              // each reader gets its own list: V8 reads a frozen array more slowly, and the
              // samplers read the whole history every trial
              return all.slice();
            })),
      ),
    recordHeartbeat: (trialId) =>
      run(
        st,
        "record the heartbeat",
        () =>
          mapRight(decideHeartbeat(trialId, headOf(st, trialId)), (write) => {
            if (write) st.heartbeats.set(trialId, st.now());
          }),
      ),
    failStaleTrials: (args) =>
      run(st, "fail stale trials", () =>
        genEither(function* (_) {
          const s = yield* _(study(st, args?.studyId));
          const invalid = invalidGracePeriod(args.gracePeriodMs);
          if (invalid !== undefined) yield* _(left(invalid));
          const time = st.now();
          const failed: FrozenTrial[] = [];
          for (const t of s.byNumber) {
            const id = t.trialId;
            const beat = st.heartbeats.get(id);
            if (
              t.state !== "RUNNING" || beat === undefined || time - beat <= args.gracePeriodMs
            ) continue;
            const next: FrozenTrial = { ...t, state: "FAIL", datetimeComplete: time };
            put(st, args.studyId, next);
            st.heartbeats.delete(id);
            failed.push(next);
          }
          return failed as ReadonlyArray<FrozenTrial>;
        })),
  };
}
