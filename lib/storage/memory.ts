/**
 * In-memory storage: for tests and throw-away studies. Not shared between processes and lost
 * when the process ends.
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../effect/mod.ts";
import {
  duplicatedStudy,
  type HyperionError,
  show,
  storageError,
  studyNotFound,
  trialNotFound,
} from "../errors.ts";
import { checkCompatible, type Distribution, toExternal } from "../core/distributions.ts";
import type { JsonValue } from "../core/json.ts";
import type { StudyRecord } from "../core/study.ts";
import { checkTransition, checkUpdatable, type FrozenTrial, isFinished } from "../core/trial.ts";
import {
  checkAttrWrite,
  checkDirections,
  checkIntermediate,
  checkParam,
  checkStudyName,
  checkTrialQuery,
  checkValues,
  cloneJson,
  invalidGracePeriod,
  normaliseTemplate,
} from "./rules.ts";
import type { Storage } from "./storage.ts";

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
  /** A frozen copy of `byNumber`, handed to every reader until a trial changes. */
  snapshot: ReadonlyArray<FrozenTrial> | undefined;
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
  const now = options.now ?? Date.now;
  const studies = new Map<number, StudyEntry>();
  const byName = new Map<string, number>();
  const trials = new Map<number, { studyId: number; trial: FrozenTrial }>();
  const heartbeats = new Map<number, number>();
  let nextStudyId = 0;
  let nextTrialId = 0;
  let closed = false;

  const run =
    <A>(operation: string, f: () => Either<HyperionError, A>): TaskEither<HyperionError, A> =>
    () => {
      if (closed) return Promise.resolve(left(storageError(operation, "the storage is closed")));
      try {
        return Promise.resolve(f());
      } catch (e) {
        return Promise.resolve(left(storageError(operation, e)));
      }
    };
  const study = (studyId: number): Either<HyperionError, StudyEntry> => {
    const s = studies.get(studyId);
    return s ? right(s) : left(studyNotFound(`#${show(studyId)}`));
  };
  const trial = (
    trialId: number,
  ): Either<HyperionError, { studyId: number; trial: FrozenTrial }> => {
    const t = trials.get(trialId);
    return t ? right(t) : left(trialNotFound(trialId, "id"));
  };
  const put = (studyId: number, t: FrozenTrial): void => {
    trials.set(t.trialId, { studyId, trial: t });
    const s = studies.get(studyId)!;
    s.byNumber[t.number] = t;
    s.snapshot = undefined;
    if (t.state === "WAITING") s.waiting.add(t.trialId);
    else s.waiting.delete(t.trialId);
  };

  return {
    url: "memory:",
    persistent: false,
    createStudy: (args) =>
      run("create the study", () => {
        const name = checkStudyName(args?.studyName);
        if (name._tag === "Left") return name;
        const directions = checkDirections(args?.directions);
        if (directions._tag === "Left") return directions;
        if (byName.has(name.right)) return left(duplicatedStudy(name.right));
        const record: StudyRecord = {
          studyId: nextStudyId++,
          studyName: name.right,
          directions: [...directions.right],
          userAttrs: {},
          systemAttrs: {},
        };
        studies.set(record.studyId, {
          record,
          byNumber: [],
          snapshot: undefined,
          waiting: new Set(),
          firstDistributions: new Map(),
        });
        byName.set(record.studyName, record.studyId);
        return right(record);
      }),
    deleteStudy: (studyId) =>
      run("delete the study", () => {
        const s = study(studyId);
        if (s._tag === "Left") return s;
        for (const t of s.right.byNumber) {
          trials.delete(t.trialId);
          heartbeats.delete(t.trialId);
        }
        studies.delete(studyId);
        byName.delete(s.right.record.studyName);
        return right(undefined);
      }),
    renameStudy: (args) =>
      run("rename the study", () => {
        const s = study(args?.studyId);
        if (s._tag === "Left") return s;
        const name = checkStudyName(args?.studyName);
        if (name._tag === "Left") return name;
        const taken = byName.get(name.right);
        if (taken !== undefined && taken !== args.studyId) return left(duplicatedStudy(name.right));
        byName.delete(s.right.record.studyName);
        s.right.record = { ...s.right.record, studyName: name.right };
        byName.set(name.right, args.studyId);
        return right(s.right.record);
      }),
    getStudy: (studyName) =>
      run("get the study", () => {
        const name = checkStudyName(studyName);
        if (name._tag === "Left") return name;
        const id = byName.get(name.right);
        return id === undefined ? left(studyNotFound(name.right)) : right(studies.get(id)!.record);
      }),
    getStudyById: (studyId) =>
      run("get the study", () => {
        const s = study(studyId);
        return s._tag === "Left" ? s : right(s.right.record);
      }),
    listStudies: () =>
      run("list the studies", () => right([...studies.values()].map((s) => s.record))),
    setStudyAttr: (args) =>
      run("set the study attribute", () => {
        const s = study(args?.id);
        if (s._tag === "Left") return s;
        const checked = checkAttrWrite(args);
        if (checked._tag === "Left") return checked;
        const field = args.kind === "user" ? "userAttrs" : "systemAttrs";
        const r = s.right.record;
        s.right.record = { ...r, [field]: { ...r[field], [args.key]: cloneJson(args.value) } };
        return right(undefined);
      }),
    createTrial: (studyId, template) =>
      run("create the trial", () => {
        const s = study(studyId);
        if (s._tag === "Left") return s;
        const t = normaliseTemplate(template, now());
        if (t._tag === "Left") return t;
        for (const [name, d] of Object.entries(t.right.distributions)) {
          const first = s.right.firstDistributions.get(name);
          if (first) {
            const ok = checkCompatible(first, d, name);
            if (ok._tag === "Left") return ok;
          }
        }
        for (const [name, d] of Object.entries(t.right.distributions)) {
          if (!s.right.firstDistributions.has(name)) s.right.firstDistributions.set(name, d);
        }
        const frozen: FrozenTrial = {
          number: s.right.byNumber.length,
          trialId: nextTrialId++,
          state: t.right.state,
          values: t.right.values === null ? null : [...t.right.values],
          params: { ...t.right.params },
          distributions: { ...t.right.distributions },
          intermediateValues: { ...t.right.intermediateValues },
          userAttrs: cloneJson(t.right.userAttrs as JsonValue) as FrozenTrial["userAttrs"],
          systemAttrs: cloneJson(t.right.systemAttrs as JsonValue) as FrozenTrial["systemAttrs"],
          datetimeStart: t.right.datetimeStart,
          datetimeComplete: t.right.datetimeComplete,
        };
        put(studyId, frozen);
        return right(frozen);
      }),
    claimWaitingTrial: (studyId) =>
      run("claim a waiting trial", () => {
        const s = study(studyId);
        if (s._tag === "Left") return s;
        // the WAITING trial with the smallest number
        let first: FrozenTrial | undefined;
        for (const id of s.right.waiting) {
          const t = trials.get(id)!.trial;
          if (first === undefined || t.number < first.number) first = t;
        }
        if (first === undefined) return right(undefined);
        const claimed: FrozenTrial = { ...first, state: "RUNNING", datetimeStart: now() };
        put(studyId, claimed);
        return right(claimed);
      }),
    setTrialParam: (args) =>
      run("set the trial parameter", () => {
        const found = trial(args?.trialId);
        if (found._tag === "Left") return found;
        const { studyId, trial: t } = found.right;
        const param = checkParam(args.name, args.internal, args.distribution);
        if (param._tag === "Left") return param;
        const d = param.right;
        const updatable = checkUpdatable(t, `set parameter '${args.name}' of`);
        if (updatable._tag === "Left") return updatable;
        const s = studies.get(studyId)!;
        const first = s.firstDistributions.get(args.name);
        if (first) {
          const ok = checkCompatible(first, d, args.name);
          if (ok._tag === "Left") return ok;
        }
        if (Object.hasOwn(t.params, args.name)) return right(undefined);
        if (!first) s.firstDistributions.set(args.name, d);
        put(studyId, {
          ...t,
          params: { ...t.params, [args.name]: toExternal(d, args.internal) },
          distributions: { ...t.distributions, [args.name]: d },
        });
        return right(undefined);
      }),
    setTrialIntermediateValue: (args) =>
      run("set the intermediate value", () => {
        const found = trial(args?.trialId);
        if (found._tag === "Left") return found;
        const { studyId, trial: t } = found.right;
        const updatable = checkUpdatable(t, "report to");
        if (updatable._tag === "Left") return updatable;
        const checked = checkIntermediate(args.step, args.value);
        if (checked._tag === "Left") return checked;
        put(studyId, {
          ...t,
          intermediateValues: { ...t.intermediateValues, [args.step]: args.value },
        });
        return right(undefined);
      }),
    setTrialStateValues: (args) =>
      run("set the trial state", () => {
        const found = trial(args?.trialId);
        if (found._tag === "Left") return found;
        const { studyId, trial: t } = found.right;
        const ok = checkTransition(t, args.state, args.values);
        if (ok._tag === "Left" || !ok.right) return ok;
        if (args.values !== undefined && args.values !== null) {
          const checked = checkValues(args.values);
          if (checked._tag === "Left") return checked;
        }
        const time = now();
        put(studyId, {
          ...t,
          state: args.state,
          values: args.values === undefined || args.values === null ? t.values : [...args.values],
          datetimeStart: args.state === "RUNNING" ? time : t.datetimeStart,
          datetimeComplete: isFinished(args.state) ? time : t.datetimeComplete,
        });
        if (isFinished(args.state)) heartbeats.delete(args.trialId);
        return right(true);
      }),
    setTrialAttr: (args) =>
      run("set the trial attribute", () => {
        const found = trial(args?.id);
        if (found._tag === "Left") return found;
        const { studyId, trial: t } = found.right;
        const checked = checkAttrWrite(args);
        if (checked._tag === "Left") return checked;
        const updatable = checkUpdatable(t, `set attribute '${args.key}' of`);
        if (updatable._tag === "Left") return updatable;
        const field = args.kind === "user" ? "userAttrs" : "systemAttrs";
        put(studyId, { ...t, [field]: { ...t[field], [args.key]: cloneJson(args.value) } });
        return right(undefined);
      }),
    getTrial: (trialId) =>
      run("get the trial", () => {
        const found = trial(trialId);
        return found._tag === "Left" ? found : right(found.right.trial);
      }),
    getAllTrials: (studyId, opts) =>
      run("get the trials", () => {
        const s = study(studyId);
        if (s._tag === "Left") return s;
        const checked = checkTrialQuery(opts);
        if (checked._tag === "Left") return checked;
        const all = s.right.byNumber;
        const states = checked.right;
        if (states) return right(all.filter((t) => states.includes(t.state)));
        // shared by every reader until a trial changes: a study's history is read every trial
        return right(s.right.snapshot ??= Object.freeze(all.slice()));
      }),
    recordHeartbeat: (trialId) =>
      run("record the heartbeat", () => {
        const found = trial(trialId);
        if (found._tag === "Left") return found;
        if (found.right.trial.state !== "RUNNING") return right(undefined);
        heartbeats.set(trialId, now());
        return right(undefined);
      }),
    failStaleTrials: (args) =>
      run("fail stale trials", () => {
        const s = study(args?.studyId);
        if (s._tag === "Left") return s;
        const invalid = invalidGracePeriod(args.gracePeriodMs);
        if (invalid !== undefined) return left(invalid);
        const time = now();
        const failed: FrozenTrial[] = [];
        for (const t of s.right.byNumber) {
          const id = t.trialId;
          const beat = heartbeats.get(id);
          if (
            t.state !== "RUNNING" || beat === undefined || time - beat <= args.gracePeriodMs
          ) continue;
          const next: FrozenTrial = { ...t, state: "FAIL", datetimeComplete: time };
          put(args.studyId, next);
          heartbeats.delete(id);
          failed.push(next);
        }
        return right(failed);
      }),
    close: () => () => {
      closed = true;
      return Promise.resolve(right(undefined));
    },
  };
}
