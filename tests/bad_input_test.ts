/**
 * Bad input, table-driven: every row calls one entry point (mod.ts, `@hyperion/tune/sqlite`,
 * `/storage`, `/trainer`, `/plugins/optuna`) with a wrong type or a nonsense value, against a
 * study that already holds trials, and expects a `Left` (never a throw) with the row's `_tag`
 * and a message naming the field and the value; then the stored data (every study record and
 * every trial, read through a second connection for SQLite) must be deep-equal to before.
 */
import assert from "node:assert/strict";
import { fanovaEvaluator, getParamImportances } from "../lib/importance/mod.ts";
import {
  addTrial,
  addTrials,
  ask,
  autoSampler,
  categorical,
  categoricalDistribution,
  cmaEsSampler,
  copyStudy,
  createStudy,
  createTrial,
  deleteStudy,
  type Distribution,
  downloadArtifact,
  type Either,
  enqueueTrial,
  fixedTrial,
  flatMap,
  float,
  floatDistribution,
  getAllStudyNames,
  getAllStudySummaries,
  getBestTrial,
  getBestTrials,
  getTrials,
  gpSampler,
  gridSampler,
  intDistribution,
  loadStudy,
  maxTrialsCallback,
  medianPruner,
  memoryStorage,
  nsgaIIISampler,
  nsgaIISampler,
  optimize,
  partialFixedSampler,
  randomSampler,
  report,
  runOrThrow,
  samplerFromSnapshot,
  setMetricNames,
  setStudySampler,
  setStudyUserAttr,
  setUserAttr,
  shouldPrune,
  stopOptimize,
  type Storage,
  type Study,
  suggest,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tell,
  tpeSampler,
  type Trial,
  trialSnapshot,
  uploadArtifact,
} from "@hyperion/tune";
import { checkDistribution } from "../lib/core/distributions.ts";
import { suggestDistribution } from "../lib/study/suggest.ts";
import { sqliteStorage } from "@hyperion/tune/sqlite";
import { journalFileBackend, journalStorage } from "@hyperion/tune/journal";
import { fileSystemArtifactStore, openStorage, parseStorageUrl } from "@hyperion/tune/storage";
import { configureTrainer, createTrainer, registerPlugin } from "@hyperion/tune/trainer";
import {
  checkpointSampler,
  optunaPlugin,
  restoreSampler,
  resumeStudy,
} from "@hyperion/tune/plugins/optuna";
import { frozenTrial } from "./_helpers/trials.ts";

// -------------------------------------------------------------------------------------
// the study every row runs against
// -------------------------------------------------------------------------------------

type Kind = "memory" | "sqlite" | "journal";

interface Env {
  readonly kind: Kind;
  readonly dir: string;
  readonly storage: Storage;
  /** Reads what is stored (a second connection for SQLite). */
  readonly reader: Storage;
  /** "main": three COMPLETE trials (x, n, c), one RUNNING (`running`), one WAITING. */
  readonly study: Study;
  /** "other": two objectives, one RUNNING trial (`otherTrial`). */
  readonly other: Study;
  readonly running: Trial;
  readonly finished: Trial;
  readonly otherTrial: Trial;
  /** A RUNNING trial of a study also named "main" in another storage, with the same ids. */
  readonly foreign: Trial;
}

async function populate(
  storage: Storage,
): Promise<{ study: Study; running: Trial; finished: Trial }> {
  const study = await runOrThrow(
    createStudy({ storage, studyName: "main", sampler: randomSampler({ seed: 1 }) }),
  );
  let finished: Trial | undefined;
  for (let i = 0; i < 3; i++) {
    const t = await runOrThrow(ask(study));
    await runOrThrow(suggestFloat(t, "x", -1, 1));
    await runOrThrow(suggestInt(t, "n", 1, 5));
    await runOrThrow(suggestCategorical(t, "c", ["a", "b"]));
    await runOrThrow(report(t, i, 0));
    await runOrThrow(tell(study, t, { values: i }));
    finished = t;
  }
  const running = await runOrThrow(ask(study));
  await runOrThrow(enqueueTrial(study, { x: 0.5 }));
  await runOrThrow(setStudyUserAttr(study, "note", "hello"));
  return { study, running, finished: finished as Trial };
}

async function makeEnv(kind: Kind): Promise<Env> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-bad-input-" });
  const open = async (name: string, writeThroughCache = true) =>
    kind === "memory"
      ? memoryStorage()
      : kind === "journal"
      ? await runOrThrow(journalStorage(journalFileBackend(`${dir}/${name}.log`)))
      : await runOrThrow(sqliteStorage(`${dir}/${name}`, { writeThroughCache }));
  const storage = await open("bad.db");
  const { study, running, finished } = await populate(storage);
  const other = await runOrThrow(createStudy({
    storage,
    studyName: "other",
    directions: ["minimize", "maximize"],
    sampler: randomSampler({ seed: 2 }),
  }));
  const otherTrial = await runOrThrow(ask(other));
  const foreign = (await populate(await open("foreign.db"))).running;
  const reader = kind === "memory" ? storage : await open("bad.db", false);
  return { kind, dir, storage, reader, study, other, running, finished, otherTrial, foreign };
}

/** Every study record with its trials, as stored. */
async function snapshot(env: Env): Promise<unknown> {
  const studies = await runOrThrow(env.reader.listStudies());
  const out = [];
  for (const s of studies) {
    out.push({ study: s, trials: await runOrThrow(env.reader.getAllTrials(s.studyId)) });
  }
  return out;
}

// -------------------------------------------------------------------------------------
// the table
// -------------------------------------------------------------------------------------

interface Row {
  /** What is called, with what. */
  readonly name: string;
  readonly call: (env: Env) => unknown;
  /** The expected `_tag` (one of them, for rows fixed in parallel by another helper). */
  readonly tag: string | ReadonlyArray<string>;
  /** Substrings the message must contain (the field and the value). */
  readonly message: ReadonlyArray<string>;
}

const cyclic = (): Record<string, unknown> => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};
const sym = Symbol("bad");
const floatD = (low: number, high: number, more: Partial<Distribution> = {}) =>
  ({ _tag: "FloatDistribution", low, high, log: false, step: null, ...more }) as Distribution;
const objective = () => () => Promise.resolve({ _tag: "Right" as const, right: 1 });
const bad = (x: unknown): never => x as never;
/** A trial record that addTrial accepts as it is (one objective, no parameters). */
const frozenLike = frozenTrial({ number: -1, values: [1] });

const ROWS: ReadonlyArray<Row> = [
  // ---- mod.ts: studies ----
  {
    name: "createStudy(null)",
    call: () => createStudy(bad(null)),
    tag: "InvalidStudyArgs",
    message: ["null"],
  },
  {
    name: "createStudy direction 'up'",
    call: () => createStudy({ direction: bad("up") }),
    tag: "InvalidStudyArgs",
    message: ["directions", "'up'"],
  },
  {
    name: "createStudy directions []",
    call: () => createStudy({ directions: [] }),
    tag: "InvalidStudyArgs",
    message: ["directions", "[]"],
  },
  {
    name: "createStudy direction and directions",
    call: () => createStudy({ direction: "minimize", directions: ["maximize"] }),
    tag: "InvalidStudyArgs",
    message: ["'direction'", "'directions'"],
  },
  {
    name: "createStudy direction null",
    call: () => createStudy({ direction: bad(null) }),
    tag: "InvalidStudyArgs",
    message: ["directions", "null"],
  },
  {
    name: "createStudy duplicate name",
    call: (e) => createStudy({ storage: e.storage, studyName: "main" }),
    tag: "DuplicatedStudy",
    message: ["'main'", "loadIfExists"],
  },
  {
    name: "createStudy studyName ''",
    call: (e) => createStudy({ storage: e.storage, studyName: "" }),
    tag: "InvalidStudyArgs",
    message: ["studyName", "''"],
  },
  {
    name: "createStudy studyName null",
    call: (e) => createStudy({ storage: e.storage, studyName: bad(null) }),
    tag: "InvalidStudyArgs",
    message: ["studyName", "null"],
  },
  {
    name: "createStudy studyName Symbol",
    call: (e) => createStudy({ storage: e.storage, studyName: bad(sym) }),
    tag: "InvalidStudyArgs",
    message: ["studyName", "Symbol(bad)"],
  },
  {
    name: "createStudy studyName of 513 chars",
    call: (e) => createStudy({ storage: e.storage, studyName: "x".repeat(513) }),
    tag: "InvalidStudyArgs",
    message: ["studyName", "512"],
  },
  {
    name: "createStudy storage null",
    call: () => createStudy({ storage: bad(null) }),
    tag: "InvalidStudyArgs",
    message: ["'storage'", "null"],
  },
  {
    name: "createStudy sampler null",
    call: (e) => createStudy({ storage: e.storage, sampler: bad(null) }),
    tag: "InvalidStudyArgs",
    message: ["'sampler'", "null"],
  },
  {
    name: "createStudy pruner {}",
    call: (e) => createStudy({ storage: e.storage, pruner: bad({}) }),
    tag: "InvalidStudyArgs",
    message: ["'pruner'", "{}"],
  },
  {
    name: "createStudy loadIfExists 'yes'",
    call: (e) => createStudy({ storage: e.storage, studyName: "main", loadIfExists: bad("yes") }),
    tag: "InvalidStudyArgs",
    message: ["loadIfExists", "'yes'"],
  },
  {
    name: "createStudy sampler of unknown kind",
    call: (e) =>
      createStudy({ storage: e.storage, sampler: bad({ kind: "nope", options: {}, state: {} }) }),
    tag: "UnknownSamplerKind",
    message: ["'nope'"],
  },
  {
    name: "loadStudy(null)",
    call: () => loadStudy(bad(null)),
    tag: "InvalidStudyArgs",
    message: ["null"],
  },
  {
    name: "loadStudy missing name",
    call: (e) => loadStudy({ storage: e.storage, studyName: "nope" }),
    tag: "StudyNotFound",
    message: ["'nope'"],
  },
  {
    name: "loadStudy studyName 42",
    call: (e) => loadStudy({ storage: e.storage, studyName: bad(42) }),
    tag: "InvalidStudyArgs",
    message: ["studyName", "42"],
  },
  {
    name: "loadStudy storage URL string",
    call: () => loadStudy({ storage: bad("sqlite:///x.db") }),
    tag: "InvalidStudyArgs",
    message: ["'storage'", "'sqlite:///x.db'"],
  },
  {
    name: "loadStudy without name, two studies",
    call: (e) => loadStudy({ storage: e.storage }),
    tag: "InvalidStudyArgs",
    message: ["studyName", "2 studies"],
  },
  {
    name: "deleteStudy(null)",
    call: () => deleteStudy(bad(null)),
    tag: "InvalidArgument",
    message: ["'args'", "null"],
  },
  {
    name: "deleteStudy missing name",
    call: (e) => deleteStudy({ storage: e.storage, studyName: "nope" }),
    tag: "StudyNotFound",
    message: ["'nope'"],
  },
  {
    name: "deleteStudy storage {}",
    call: () => deleteStudy({ storage: bad({}), studyName: "main" }),
    tag: "InvalidStudyArgs",
    message: ["'storage'", "{}"],
  },
  {
    name: "copyStudy(null)",
    call: () => copyStudy(bad(null)),
    tag: "InvalidArgument",
    message: ["'args'", "null"],
  },
  {
    name: "copyStudy onto itself",
    call: (e) => copyStudy({ fromStudyName: "main", fromStorage: e.storage, toStorage: e.storage }),
    tag: "DuplicatedStudy",
    message: ["'main'"],
  },
  {
    name: "copyStudy missing source",
    call: (e) =>
      copyStudy({
        fromStudyName: "nope",
        fromStorage: e.storage,
        toStorage: e.storage,
        toStudyName: "copy",
      }),
    tag: "StudyNotFound",
    message: ["'nope'"],
  },
  {
    name: "copyStudy toStorage null",
    call: (e) => copyStudy({ fromStudyName: "main", fromStorage: e.storage, toStorage: bad(null) }),
    tag: "InvalidStudyArgs",
    message: ["'toStorage'", "null"],
  },
  {
    name: "getAllStudySummaries(null)",
    call: () => getAllStudySummaries(bad(null)),
    tag: "InvalidStudyArgs",
    message: ["'storage'", "null"],
  },
  {
    name: "getTrials(null)",
    call: () => getTrials(bad(null)),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },
  {
    name: "getTrials unknown state",
    call: (e) => getTrials(e.study, { states: [bad("DONE")] }),
    tag: "InvalidArgument",
    message: ["'states'", "'DONE'"],
  },
  {
    name: "getTrials states as a string",
    call: (e) => getTrials(e.study, { states: bad("COMPLETE") }),
    tag: "InvalidArgument",
    message: ["'states'", "'COMPLETE'"],
  },
  {
    name: "getTrials options null",
    call: (e) => getTrials(e.study, bad(null)),
    tag: "InvalidArgument",
    message: ["'options'", "null"],
  },
  {
    name: "getBestTrial(null)",
    call: () => getBestTrial(bad(null)),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },
  {
    name: "getBestTrial multi-objective",
    call: (e) => getBestTrial(e.other),
    tag: "NotSupported",
    message: ["'other'", "getBestTrials"],
  },
  {
    name: "getBestTrials(undefined)",
    call: () => getBestTrials(bad(undefined)),
    tag: "InvalidArgument",
    message: ["'study'", "undefined"],
  },
  {
    name: "setStudyUserAttr key ''",
    call: (e) => setStudyUserAttr(e.study, "", 1),
    tag: "InvalidArgument",
    message: ["'key'", "''"],
  },
  {
    name: "setStudyUserAttr key Symbol",
    call: (e) => setStudyUserAttr(e.study, bad(sym), 1),
    tag: "InvalidArgument",
    message: ["'key'", "Symbol(bad)"],
  },
  {
    name: "setStudyUserAttr cyclic value",
    call: (e) => setStudyUserAttr(e.study, "cyc", bad(cyclic())),
    tag: "InvalidArgument",
    message: ["'cyc'", "cyclic"],
  },
  {
    name: "setStudyUserAttr function value",
    call: (e) => setStudyUserAttr(e.study, "f", bad(() => 1)),
    tag: "InvalidArgument",
    message: ["'f'", "function"],
  },
  {
    name: "setStudyUserAttr NaN value",
    call: (e) => setStudyUserAttr(e.study, "v", NaN),
    tag: "InvalidArgument",
    message: ["'v'", "NaN"],
  },
  {
    name: "setStudyUserAttr Date value",
    call: (e) => setStudyUserAttr(e.study, "when", bad(new Date(0))),
    tag: "InvalidArgument",
    message: ["'when'", "Date"],
  },
  {
    name: "setStudyUserAttr study null",
    call: () => setStudyUserAttr(bad(null), "a", 1),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },
  {
    name: "enqueueTrial array value",
    call: (e) => enqueueTrial(e.study, { x: bad([1]) }),
    tag: "InvalidArgument",
    message: ["'params.x'", "[1]"],
  },
  {
    name: "enqueueTrial undefined value",
    call: (e) => enqueueTrial(e.study, { x: bad(undefined) }),
    tag: "InvalidArgument",
    message: ["'params.x'", "undefined"],
  },
  {
    name: "enqueueTrial params null",
    call: (e) => enqueueTrial(e.study, bad(null)),
    tag: "InvalidArgument",
    message: ["'params'", "null"],
  },
  {
    name: "enqueueTrial object value",
    call: (e) => enqueueTrial(e.study, { x: bad({}) }),
    tag: "InvalidArgument",
    message: ["'params.x'", "{}"],
  },
  {
    name: "enqueueTrial options null",
    call: (e) => enqueueTrial(e.study, { x: 1 }, bad(null)),
    tag: "InvalidArgument",
    message: ["'options'", "null"],
  },
  {
    name: "enqueueTrial cyclic user attr",
    call: (e) => enqueueTrial(e.study, { x: 1 }, { userAttrs: bad({ a: cyclic() }) }),
    tag: "InvalidArgument",
    message: ["'a'", "cyclic"],
  },
  {
    name: "enqueueTrial study null",
    call: () => enqueueTrial(bad(null), { x: 1 }),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },
  {
    name: "setStudySampler sampler null",
    call: (e) => setStudySampler(e.study, bad(null)),
    tag: "InvalidStudyArgs",
    message: ["'sampler'", "null"],
  },
  {
    name: "setStudySampler study null",
    call: () => setStudySampler(bad(null), randomSampler()),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },
  {
    name: "stopOptimize(null)",
    call: () => stopOptimize(bad(null)),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },

  // ---- mod.ts: trials ----
  {
    name: "ask(null)",
    call: () => ask(bad(null)),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },
  {
    name: "ask with an invalid fixed distribution",
    call: (e) => ask(e.study, { x: floatD(1, 0) }),
    tag: "InvalidDistribution",
    message: ["'x'", "'low' must not exceed 'high': current values 1 and 0"],
  },
  {
    name: "ask fixedDistributions null",
    call: (e) => ask(e.study, bad(null)),
    tag: "InvalidArgument",
    message: ["'fixedDistributions'", "null"],
  },
  {
    name: "suggestFloat low > high",
    call: (e) => suggestFloat(e.running, "lr", 1, 0),
    tag: "InvalidDistribution",
    message: ["Cannot suggest 'lr' as 'low' must not exceed 'high': current values 1 and 0"],
  },
  {
    name: "suggestFloat log with low 0",
    call: (e) => suggestFloat(e.running, "lr", 0, 1, { log: true }),
    tag: "InvalidDistribution",
    message: ["'lr'", "positive", "0"],
  },
  {
    name: "suggestFloat NaN low",
    call: (e) => suggestFloat(e.running, "lr", NaN, 1),
    tag: "InvalidDistribution",
    message: ["'lr'", "'low'", "NaN"],
  },
  {
    name: "suggestFloat step 0",
    call: (e) => suggestFloat(e.running, "lr", 0, 1, { step: 0 }),
    tag: "InvalidDistribution",
    message: ["'lr'", "'step'", "0"],
  },
  {
    name: "suggestFloat step with log",
    call: (e) => suggestFloat(e.running, "lr", 1, 2, { step: 0.1, log: true }),
    tag: "InvalidDistribution",
    message: ["'lr'", "'step'", "0.1"],
  },
  {
    name: "suggestFloat log 'yes'",
    call: (e) => suggestFloat(e.running, "lr", 1, 2, { log: bad("yes") }),
    tag: "InvalidDistribution",
    message: ["'lr'", "'log'", "'yes'"],
  },
  {
    name: "suggestInt low 0.5",
    call: (e) => suggestInt(e.running, "k", 0.5, 3),
    tag: "InvalidDistribution",
    message: ["'k'", "'low'", "0.5"],
  },
  {
    name: "suggestInt step 0",
    call: (e) => suggestInt(e.running, "k", 1, 10, { step: 0 }),
    tag: "InvalidDistribution",
    message: ["'k'", "'step'", "0"],
  },
  {
    name: "suggestInt log with low 0",
    call: (e) => suggestInt(e.running, "k", 0, 10, { log: true }),
    tag: "InvalidDistribution",
    message: ["'k'", "'low'", "0"],
  },
  {
    name: "suggestInt high '9'",
    call: (e) => suggestInt(e.running, "k", 1, bad("9")),
    tag: "InvalidDistribution",
    message: ["'k'", "'high'", "'9'"],
  },
  {
    name: "suggestCategorical []",
    call: (e) => suggestCategorical(e.running, "act", []),
    tag: "InvalidDistribution",
    message: ["'act'", "'choices'"],
  },
  {
    name: "suggestCategorical repeated choice",
    call: (e) => suggestCategorical(e.running, "act", [1, 1]),
    tag: "InvalidDistribution",
    message: ["'act'", "1 appears twice"],
  },
  {
    name: "suggestCategorical object choice",
    call: (e) => suggestCategorical(e.running, "act", [bad({})]),
    tag: "InvalidDistribution",
    message: ["'act'", "choice 0 is {}"],
  },
  {
    name: "suggestCategorical choices null",
    call: (e) => suggestCategorical(e.running, "act", bad(null)),
    tag: "InvalidDistribution",
    message: ["'act'", "'choices'", "null"],
  },
  {
    name: "suggestFloat name null",
    call: (e) => suggestFloat(e.running, bad(null), 0, 1),
    tag: "InvalidArgument",
    message: ["'name'", "null"],
  },
  {
    name: "suggestFloat name Symbol",
    call: (e) => suggestFloat(e.running, bad(sym), 0, 1),
    tag: "InvalidArgument",
    message: ["'name'", "Symbol(bad)"],
  },
  {
    name: "suggestInt name ''",
    call: (e) => suggestInt(e.running, "", 0, 1),
    tag: "InvalidArgument",
    message: ["'name'", "''"],
  },
  {
    name: "suggestFloat of a categorical name",
    call: (e) => suggestFloat(e.running, "c", 0, 1),
    tag: "IncompatibleDistribution",
    message: ["'c'", "categorical", "float"],
  },
  {
    name: "suggestFloat trial null",
    call: () => suggestFloat(bad(null), "x", 0, 1),
    tag: "InvalidArgument",
    message: ["'trial'", "null"],
  },
  {
    name: "suggestFloat on a finished trial",
    call: (e) => suggestFloat(e.finished, "x", 0, 1),
    tag: "TrialNotUpdatable",
    message: ["trial 2", "COMPLETE"],
  },
  {
    name: "suggestDistribution low > high",
    call: (e) => suggestDistribution(e.running, "d", floatD(2, 1)),
    tag: "InvalidDistribution",
    message: ["Cannot suggest 'd' as 'low' must not exceed 'high': current values 2 and 1"],
  },
  {
    name: "suggestDistribution empty choices",
    call: (e) =>
      suggestDistribution(e.running, "d", bad({ _tag: "CategoricalDistribution", choices: [] })),
    tag: "InvalidDistribution",
    message: ["'d'", "'choices'"],
  },
  {
    name: "suggestDistribution log with low 0",
    call: (e) => suggestDistribution(e.running, "d", floatD(0, 1, { log: true })),
    tag: "InvalidDistribution",
    message: ["'d'", "'low'", "0"],
  },
  {
    name: "suggestDistribution unknown tag",
    call: (e) => suggestDistribution(e.running, "d", bad({ _tag: "BetaDistribution" })),
    tag: "InvalidDistribution",
    message: ["'d'", "'_tag'", "'BetaDistribution'"],
  },
  {
    name: "suggestDistribution NaN high",
    call: (e) => suggestDistribution(e.running, "d", floatD(0, NaN)),
    tag: "InvalidDistribution",
    message: ["'d'", "'high'", "NaN"],
  },
  {
    name: "suggestDistribution int step 0",
    call: (e) =>
      suggestDistribution(
        e.running,
        "d",
        bad({ _tag: "IntDistribution", low: 0, high: 5, log: false, step: 0 }),
      ),
    tag: "InvalidDistribution",
    message: ["'d'", "'step'", "0"],
  },
  {
    name: "suggestDistribution float step -1",
    call: (e) => suggestDistribution(e.running, "d", floatD(0, 5, { step: -1 })),
    tag: "InvalidDistribution",
    message: ["'d'", "'step'", "-1"],
  },
  {
    name: "suggestDistribution null",
    call: (e) => suggestDistribution(e.running, "d", bad(null)),
    tag: "InvalidDistribution",
    message: ["'d'", "null"],
  },
  {
    name: "suggest space null",
    call: (e) => suggest(e.running, bad(null)),
    tag: "InvalidArgument",
    message: ["'space'", "null"],
  },
  {
    name: "suggest entry null",
    call: (e) => suggest(e.running, bad({ a: null })),
    tag: "InvalidArgument",
    message: ["'space.a'", "null"],
  },
  {
    name: "suggest float(1, 0)",
    call: (e) => suggest(e.running, { a: float(1, 0) }),
    tag: "InvalidDistribution",
    message: ["'a'", "1 and 0"],
  },
  {
    name: "suggest categorical([])",
    call: (e) => suggest(e.running, { a: categorical([]) }),
    tag: "InvalidDistribution",
    message: ["'a'", "'choices'"],
  },
  {
    name: "report value '1'",
    call: (e) => report(e.running, bad("1"), 0),
    tag: "InvalidArgument",
    message: ["'value'", "'1'"],
  },
  {
    name: "report step -1",
    call: (e) => report(e.running, 1, -1),
    tag: "InvalidArgument",
    message: ["'step'", "-1"],
  },
  {
    name: "report step 1.5",
    call: (e) => report(e.running, 1, 1.5),
    tag: "InvalidArgument",
    message: ["'step'", "1.5"],
  },
  {
    name: "report trial null",
    call: () => report(bad(null), 1, 0),
    tag: "InvalidArgument",
    message: ["'trial'", "null"],
  },
  {
    name: "report to a finished trial",
    call: (e) => report(e.finished, 1, 5),
    tag: "TrialNotUpdatable",
    message: ["trial 2", "COMPLETE"],
  },
  {
    name: "report on a multi-objective study",
    call: (e) => report(e.otherTrial, 1, 0),
    tag: "NotSupported",
    message: ["report", "multi-objective"],
  },
  {
    name: "setUserAttr key ''",
    call: (e) => setUserAttr(e.running, "", 1),
    tag: "InvalidArgument",
    message: ["'key'", "''"],
  },
  {
    name: "setUserAttr key Symbol",
    call: (e) => setUserAttr(e.running, bad(sym), 1),
    tag: "InvalidArgument",
    message: ["'key'", "Symbol(bad)"],
  },
  {
    name: "setUserAttr cyclic value",
    call: (e) => setUserAttr(e.running, "cyc", bad(cyclic())),
    tag: "InvalidArgument",
    message: ["'cyc'", "cyclic"],
  },
  {
    name: "setUserAttr bigint value",
    call: (e) => setUserAttr(e.running, "big", bad(1n)),
    tag: "InvalidArgument",
    message: ["'big'", "1"],
  },
  {
    name: "setUserAttr undefined value",
    call: (e) => setUserAttr(e.running, "u", bad(undefined)),
    tag: "InvalidArgument",
    message: ["'u'", "undefined"],
  },
  {
    name: "setUserAttr on a forged handle",
    call: (e) => setUserAttr({ ...e.running }, "a", 1),
    tag: "InvalidArgument",
    message: ["'trial'"],
  },
  {
    name: "setUserAttr on a finished trial",
    call: (e) => setUserAttr(e.finished, "a", 1),
    tag: "TrialNotUpdatable",
    message: ["trial 2", "COMPLETE"],
  },
  {
    name: "shouldPrune(null)",
    call: () => shouldPrune(bad(null)),
    tag: "InvalidArgument",
    message: ["'trial'", "null"],
  },
  {
    name: "trialSnapshot(null)",
    call: () => trialSnapshot(bad(null)),
    tag: "InvalidArgument",
    message: ["'trial'", "null"],
  },
  {
    name: "tell COMPLETE with NaN",
    call: (e) => tell(e.study, e.running, { state: "COMPLETE", values: NaN }),
    tag: "InvalidArgument",
    message: ["'values'", "NaN"],
  },
  {
    name: "tell COMPLETE with two values",
    call: (e) => tell(e.study, e.running, { state: "COMPLETE", values: [1, 2] }),
    tag: "InvalidArgument",
    message: ["'values'", "[1,2]"],
  },
  {
    name: "tell state WAITING",
    call: (e) => tell(e.study, e.running, { state: "WAITING" }),
    tag: "InvalidArgument",
    message: ["'state'", "'WAITING'"],
  },
  {
    name: "tell FAIL with values",
    call: (e) => tell(e.study, e.running, { state: "FAIL", values: 1 }),
    tag: "InvalidArgument",
    message: ["'values'", "1"],
  },
  {
    name: "tell outcome null",
    call: (e) => tell(e.study, e.running, bad(null)),
    tag: "InvalidArgument",
    message: ["'outcome'", "null"],
  },
  {
    name: "tell trial null",
    call: (e) => tell(e.study, bad(null)),
    tag: "InvalidArgument",
    message: ["'trial'", "null"],
  },
  {
    name: "tell study null",
    call: (e) => tell(bad(null), e.running, { values: 1 }),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },
  {
    name: "tell unknown trial number",
    call: (e) => tell(e.study, 99, { values: 1 }),
    tag: "TrialNotFound",
    message: ["99"],
  },
  {
    name: "tell a finished trial by number",
    call: (e) => tell(e.study, 0, { values: 1 }),
    tag: "TrialNotUpdatable",
    message: ["trial 0", "COMPLETE"],
  },
  {
    name: "tell a trial of another study",
    call: (e) => tell(e.study, e.otherTrial, { values: [1, 2] }),
    tag: "InvalidArgument",
    message: ["trial 0 of study 'other'", "through study 'main'"],
  },
  {
    name: "tell through another study",
    call: (e) => tell(e.other, e.running, { values: [1, 2] }),
    tag: "InvalidArgument",
    message: ["trial 3 of study 'main'", "through study 'other'"],
  },
  {
    name: "tell a trial of another storage",
    call: (e) => tell(e.study, e.foreign, { values: 1 }),
    tag: "InvalidArgument",
    message: ["trial 3 of study 'main'", "its own study in its own storage"],
  },
  {
    name: "tell a forged handle",
    call: (e) => tell(e.study, { ...e.running }, { values: 1 }),
    tag: "InvalidArgument",
    message: ["'trial'"],
  },

  // ---- mod.ts: optimize (helper D) ----
  {
    name: "optimize objective null",
    call: (e) => optimize(e.study, bad(null), { nTrials: 1 }),
    tag: "InvalidArgument",
    message: ["'objective'", "null"],
  },
  {
    name: "optimize nTrials -1",
    call: (e) => optimize(e.study, objective, { nTrials: -1 }),
    tag: "InvalidArgument",
    message: ["'nTrials'", "-1"],
  },
  {
    name: "optimize options null",
    call: (e) => optimize(e.study, objective, bad(null)),
    tag: "InvalidArgument",
    message: ["'options'", "null"],
  },
  {
    name: "optimize study null",
    call: () => optimize(bad(null), objective, { nTrials: 1 }),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },

  // ---- mod.ts: samplers (helper A), pruners, distributions ----
  {
    name: "gridSampler(null)",
    call: (e) => createStudy({ storage: e.storage, sampler: gridSampler(bad(null)) }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["null"],
  },
  {
    name: "randomSampler(null)",
    call: (e) => createStudy({ storage: e.storage, sampler: randomSampler(bad(null)) }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["null"],
  },
  {
    name: "tpeSampler({ nStartupTrials: -1 })",
    call: (e) => createStudy({ storage: e.storage, sampler: tpeSampler({ nStartupTrials: -1 }) }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["nStartupTrials", "-1"],
  },
  {
    name: "cmaEsSampler({ popsize: 1 })",
    call: (e) => createStudy({ storage: e.storage, sampler: cmaEsSampler({ popsize: 1 }) }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["popsize", "1"],
  },
  {
    name: "nsgaIISampler({ populationSize: 1 })",
    call: (e) => createStudy({ storage: e.storage, sampler: nsgaIISampler({ populationSize: 1 }) }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["populationSize", "1"],
  },
  {
    name: "nsgaIIISampler({ dividingParameter: 0 })",
    call: (e) =>
      createStudy({ storage: e.storage, sampler: nsgaIIISampler({ dividingParameter: 0 }) }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["dividingParameter", "0"],
  },
  {
    name: "partialFixedSampler({ x: [] }, randomSampler())",
    call: (e) =>
      createStudy({
        storage: e.storage,
        sampler: partialFixedSampler(bad({ x: [] }), randomSampler()),
      }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["fixedParams.x"],
  },
  {
    name: "gpSampler({ nStartupTrials: -1 })",
    call: (e) => createStudy({ storage: e.storage, sampler: gpSampler({ nStartupTrials: -1 }) }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["nStartupTrials", "-1"],
  },
  {
    name: "autoSampler({ gpBudget: -1 })",
    call: (e) => createStudy({ storage: e.storage, sampler: autoSampler({ gpBudget: -1 }) }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["gpBudget", "-1"],
  },
  {
    name: "medianPruner({ nStartupTrials: -1 })",
    call: (e) => createStudy({ storage: e.storage, pruner: medianPruner({ nStartupTrials: -1 }) }),
    tag: ["InvalidArgument", "InvalidStudyArgs"],
    message: ["nStartupTrials", "-1"],
  },
  {
    name: "samplerFromSnapshot('not json')",
    call: () => samplerFromSnapshot("not json"),
    tag: ["InvalidArgument", "CorruptCheckpoint", "UnknownSamplerKind"],
    message: ["not json"],
  },
  {
    name: "floatDistribution(1, 0)",
    call: () => floatDistribution(1, 0),
    tag: "InvalidDistribution",
    message: ["'low' must not exceed 'high': current values 1 and 0"],
  },
  {
    name: "intDistribution(1, 5, { step: 1.5 })",
    call: () => intDistribution(1, 5, { step: 1.5 }),
    tag: "InvalidDistribution",
    message: ["'step'", "1.5"],
  },
  {
    name: "categoricalDistribution(null)",
    call: () => categoricalDistribution(bad(null)),
    tag: "InvalidDistribution",
    message: ["'choices'", "null"],
  },
  {
    name: "checkDistribution unknown tag",
    call: () => checkDistribution({ _tag: "X" }, "p"),
    tag: "InvalidDistribution",
    message: ["'p'", "'X'"],
  },

  // ---- @hyperion/tune/journal ----
  {
    name: "journalStorage(null)",
    call: () => journalStorage(bad(null)),
    tag: "InvalidArgument",
    message: ["'backend'", "null"],
  },
  {
    name: "journalFileBackend lock 'flock'",
    call: (e) => journalStorage(journalFileBackend(`${e.dir}/j.log`, { lock: bad("flock") })),
    tag: "InvalidArgument",
    message: ["'lock'", "'flock'"],
  },
  {
    name: "journalFileBackend lockGracePeriodMs 0",
    call: (e) => journalStorage(journalFileBackend(`${e.dir}/j.log`, { lockGracePeriodMs: 0 })),
    tag: "InvalidArgument",
    message: ["'lockGracePeriodMs'", "0"],
  },
  {
    name: "journalStorage in a missing folder",
    call: (e) => journalStorage(journalFileBackend(`${e.dir}/missing/j.log`)),
    tag: "StorageError",
    message: ["missing", "ENOENT"],
  },

  // ---- @hyperion/tune/sqlite ----
  {
    name: "sqliteStorage(null)",
    call: () => sqliteStorage(bad(null)),
    tag: "InvalidArgument",
    message: ["'path'", "null"],
  },
  {
    name: "sqliteStorage('')",
    call: () => sqliteStorage(""),
    tag: "InvalidArgument",
    message: ["'path'", "''"],
  },
  {
    name: "sqliteStorage in a missing folder",
    call: (e) => sqliteStorage(`${e.dir}/missing/x.db`),
    tag: "StorageError",
    message: ["missing", "does not exist"],
  },
  {
    name: "sqliteStorage timeoutMs -1",
    call: (e) => sqliteStorage(`${e.dir}/t.db`, { timeoutMs: -1 }),
    tag: "InvalidArgument",
    message: ["'timeoutMs'", "-1"],
  },
  {
    name: "sqliteStorage synchronous 'OFF'",
    call: (e) => sqliteStorage(`${e.dir}/t.db`, { synchronous: bad("OFF") }),
    tag: "InvalidArgument",
    message: ["'synchronous'", "'OFF'"],
  },
  {
    name: "sqliteStorage options null",
    call: (e) => sqliteStorage(`${e.dir}/t.db`, bad(null)),
    tag: "InvalidArgument",
    message: ["'options'", "null"],
  },
  {
    name: "sqliteStorage retries 1.5",
    call: (e) => sqliteStorage(`${e.dir}/t.db`, { retries: 1.5 }),
    tag: "InvalidArgument",
    message: ["'retries'", "1.5"],
  },
  {
    name: "sqliteStorage in /proc",
    call: () => sqliteStorage("/proc/hyperion-bad-input.db"),
    tag: "StorageError",
    message: ["/proc", "permission denied"],
  },

  // ---- @hyperion/tune/storage ----
  {
    name: "openStorage('mysql://x')",
    call: () => openStorage("mysql://x"),
    tag: "InvalidArgument",
    message: ["'url'", "postgresql", "'mysql'"],
  },
  {
    name: "openStorage(null)",
    call: () => openStorage(bad(null)),
    tag: "InvalidArgument",
    message: ["'url'", "null"],
  },
  {
    name: "openStorage('sqlite://a.db')",
    call: () => openStorage("sqlite://a.db"),
    tag: "InvalidArgument",
    message: ["'url'", "three slashes"],
  },
  {
    name: "parseStorageUrl with a query",
    call: () => parseStorageUrl("sqlite:///a.db?mode=ro"),
    tag: "InvalidArgument",
    message: ["'url'", "query"],
  },
  {
    name: "storage.createStudy(null)",
    call: (e) => e.storage.createStudy(bad(null)),
    tag: "InvalidStudyArgs",
    message: ["'studyName'", "undefined"],
  },
  {
    name: "storage.createStudy direction 'up'",
    call: (e) => e.storage.createStudy({ studyName: "n", directions: bad(["up"]) }),
    tag: "InvalidStudyArgs",
    message: ["'directions'", "'up'"],
  },
  {
    name: "storage.getStudy(Symbol)",
    call: (e) => e.storage.getStudy(bad(sym)),
    tag: ["InvalidStudyArgs", "StudyNotFound"],
    message: ["Symbol(bad)"],
  },
  {
    name: "storage.getStudyById(999)",
    call: (e) => e.storage.getStudyById(999),
    tag: "StudyNotFound",
    message: ["#999"],
  },
  {
    name: "storage.setStudyAttr cyclic",
    call: (e) =>
      e.storage.setStudyAttr({
        id: e.study.studyId,
        kind: "user",
        key: "cyc",
        value: bad(cyclic()),
      }),
    tag: "InvalidArgument",
    message: ["'cyc'", "cyclic"],
  },
  {
    name: "storage.setStudyAttr kind 'bogus'",
    call: (e) =>
      e.storage.setStudyAttr({ id: e.study.studyId, kind: bad("bogus"), key: "a", value: 1 }),
    tag: "InvalidArgument",
    message: ["'kind'", "'bogus'"],
  },
  {
    name: "storage.createTrial state 'DONE'",
    call: (e) => e.storage.createTrial(e.study.studyId, { state: bad("DONE") }),
    tag: "InvalidArgument",
    message: ["'state'", "'DONE'"],
  },
  {
    name: "storage.createTrial COMPLETE without values",
    call: (e) => e.storage.createTrial(e.study.studyId, { state: "COMPLETE" }),
    tag: "InvalidArgument",
    message: ["'values'", "null"],
  },
  {
    name: "storage.createTrial hand-built low > high",
    call: (e) =>
      e.storage.createTrial(e.study.studyId, {
        state: "COMPLETE",
        values: [1],
        params: { d: 1.5 },
        distributions: { d: floatD(2, 1) },
      }),
    tag: "InvalidDistribution",
    message: ["'d'", "2 and 1"],
  },
  {
    name: "storage.createTrial NaN value",
    call: (e) => e.storage.createTrial(e.study.studyId, { state: "COMPLETE", values: [NaN] }),
    tag: "InvalidArgument",
    message: ["'values'", "NaN"],
  },
  {
    name: "storage.createTrial params without distributions",
    call: (e) =>
      e.storage.createTrial(e.study.studyId, {
        state: "RUNNING",
        params: { x: 1 },
        distributions: {},
      }),
    tag: "InvalidArgument",
    message: ["'distributions'", '"x"'],
  },
  {
    name: "storage.createTrial cyclic user attr",
    call: (e) =>
      e.storage.createTrial(e.study.studyId, { state: "RUNNING", userAttrs: bad({ a: cyclic() }) }),
    tag: "InvalidArgument",
    message: ["userAttrs.a", "cyclic"],
  },
  {
    name: "storage.createTrial template null",
    call: (e) => e.storage.createTrial(e.study.studyId, bad(null)),
    tag: "InvalidArgument",
    message: ["'template'", "null"],
  },
  {
    name: "storage.setTrialParam low > high",
    call: (e) =>
      e.storage.setTrialParam({
        trialId: e.running.trialId,
        name: "d",
        internal: 0.5,
        distribution: floatD(1, 0),
      }),
    tag: "InvalidDistribution",
    message: ["'d'", "1 and 0"],
  },
  {
    name: "storage.setTrialParam choice index 3 of 1",
    call: (e) =>
      e.storage.setTrialParam({
        trialId: e.running.trialId,
        name: "d",
        internal: 3,
        distribution: bad({ _tag: "CategoricalDistribution", choices: ["a"] }),
      }),
    tag: "InvalidArgument",
    message: ["'params.d'", "3"],
  },
  {
    name: "storage.setTrialParam internal NaN",
    call: (e) =>
      e.storage.setTrialParam({
        trialId: e.running.trialId,
        name: "d",
        internal: NaN,
        distribution: floatD(0, 1),
      }),
    tag: "InvalidArgument",
    message: ["'params.d'", "NaN"],
  },
  {
    name: "storage.setTrialParam name ''",
    call: (e) =>
      e.storage.setTrialParam({
        trialId: e.running.trialId,
        name: "",
        internal: 0.5,
        distribution: floatD(0, 1),
      }),
    tag: "InvalidArgument",
    message: ["'name'", "''"],
  },
  {
    name: "storage.setTrialParam(null)",
    call: (e) => e.storage.setTrialParam(bad(null)),
    tag: "TrialNotFound",
    message: ["undefined"],
  },
  {
    name: "storage.setTrialIntermediateValue step -1",
    call: (e) =>
      e.storage.setTrialIntermediateValue({ trialId: e.running.trialId, step: -1, value: 1 }),
    tag: "InvalidArgument",
    message: ["'step'", "-1"],
  },
  {
    name: "storage.setTrialStateValues NaN",
    call: (e) =>
      e.storage.setTrialStateValues({
        trialId: e.running.trialId,
        state: "COMPLETE",
        values: [NaN],
      }),
    tag: "InvalidArgument",
    message: ["'values'", "NaN"],
  },
  {
    name: "storage.setTrialStateValues state 'BOGUS'",
    call: (e) => e.storage.setTrialStateValues({ trialId: e.running.trialId, state: bad("BOGUS") }),
    tag: "InvalidArgument",
    message: ["'state'", "'BOGUS'"],
  },
  {
    name: "storage.setTrialAttr undefined value",
    call: (e) =>
      e.storage.setTrialAttr({
        id: e.running.trialId,
        kind: "user",
        key: "u",
        value: bad(undefined),
      }),
    tag: "InvalidArgument",
    message: ["'u'", "undefined"],
  },
  {
    name: "storage.setTrialAttr kind 'bogus'",
    call: (e) =>
      e.storage.setTrialAttr({ id: e.running.trialId, kind: bad("bogus"), key: "a", value: 1 }),
    tag: "InvalidArgument",
    message: ["'kind'", "'bogus'"],
  },
  {
    name: "storage.getAllTrials unknown state",
    call: (e) => e.storage.getAllTrials(e.study.studyId, { states: [bad("X")] }),
    tag: "InvalidArgument",
    message: ["'states'", "'X'"],
  },
  {
    name: "storage.getTrial(-1)",
    call: (e) => e.storage.getTrial(-1),
    tag: "TrialNotFound",
    message: ["-1"],
  },
  {
    name: "storage.failStaleTrials grace 'x'",
    call: (e) => e.storage.failStaleTrials({ studyId: e.study.studyId, gracePeriodMs: bad("x") }),
    tag: "InvalidArgument",
    message: ["'gracePeriodMs'", "'x'"],
  },
  {
    name: "storage.renameStudy to ''",
    call: (e) => e.storage.renameStudy({ studyId: e.study.studyId, studyName: "" }),
    tag: "InvalidStudyArgs",
    message: ["'studyName'", "''"],
  },
  {
    name: "storage.renameStudy onto another",
    call: (e) => e.storage.renameStudy({ studyId: e.other.studyId, studyName: "main" }),
    tag: "DuplicatedStudy",
    message: ["'main'"],
  },
  {
    name: "storage.deleteStudy(999)",
    call: (e) => e.storage.deleteStudy(999),
    tag: "StudyNotFound",
    message: ["#999"],
  },

  // ---- @hyperion/tune/trainer (helper B) ----
  {
    name: "createTrainer(null)",
    call: () => createTrainer(bad(null)),
    tag: "InvalidTrainerConfig",
    message: ["null"],
  },
  {
    name: "createTrainer(Symbol)",
    call: () => createTrainer(bad(sym)),
    tag: "InvalidTrainerConfig",
    message: ["Symbol(bad)"],
  },
  {
    name: "createTrainer totalSteps -1",
    call: () => createTrainer({ totalSteps: -1 }),
    tag: "InvalidTrainerConfig",
    message: ["'totalSteps'", "-1"],
  },
  {
    name: "registerPlugin(trainer, null)",
    call: () => registerPlugin(runTrainer(), bad(null)),
    tag: ["InvalidTrainerConfig", "InvalidArgument"],
    message: ["plugin", "null"],
  },
  {
    name: "configureTrainer(trainer, null)",
    call: () => configureTrainer(runTrainer(), bad(null)),
    tag: ["InvalidTrainerConfig", "InvalidArgument"],
    message: ["null"],
  },

  // ---- @hyperion/tune/plugins/optuna (helper B) ----
  {
    name: "optunaPlugin(null, 'loss')",
    // the plug-in record is returned; its hooks (here setup, which fit calls first) give the Left
    call: () => optunaPlugin(bad(null), "loss").setup(),
    tag: "InvalidArgument",
    message: ["'trial'", "null"],
  },
  {
    name: "optunaPlugin(trial, Symbol)",
    call: (e) => optunaPlugin(e.running, bad(sym)).setup(),
    tag: "InvalidArgument",
    message: ["metricName", "Symbol(bad)"],
  },
  {
    name: "checkpointSampler(null, dir)",
    call: (e) => checkpointSampler(bad(null), e.dir),
    tag: "InvalidArgument",
    message: ["'trial'", "null"],
  },
  {
    name: "checkpointSampler(trial, null)",
    call: (e) => checkpointSampler(e.running, bad(null)),
    tag: "InvalidArgument",
    message: ["chkptRoot", "null"],
  },
  {
    name: "restoreSampler(Symbol)",
    call: () => restoreSampler(bad(sym)),
    tag: "InvalidArgument",
    message: ["chkptRoot", "Symbol(bad)"],
  },
  {
    name: "resumeStudy(null)",
    call: () => resumeStudy(bad(null)),
    tag: ["InvalidStudyArgs", "InvalidArgument"],
    message: ["null"],
  },
  {
    name: "resumeStudy without loadIfExists",
    call: (e) => resumeStudy({ storage: e.storage, studyName: "main" }),
    tag: ["InvalidStudyArgs", "NotPersistentStorage"],
    message: ["loadIfExists", "undefined"],
  },
  // ---- mod.ts: issue 22's everyday API ----
  {
    name: "addTrial COMPLETE without values",
    call: (e) => addTrial(e.study, bad({ ...frozenLike, values: null })),
    tag: "InvalidArgument",
    message: ["'values'", "null"],
  },
  {
    name: "addTrial values per objective",
    call: (e) => addTrial(e.study, bad({ ...frozenLike, values: [1, 2] })),
    tag: "InvalidArgument",
    message: ["'values'", "[1,2]"],
  },
  {
    name: "addTrials one param outside its distribution",
    call: (e) =>
      addTrials(e.study, [
        bad(frozenLike),
        bad({ ...frozenLike, params: { x: 5 }, distributions: { x: floatD(-1, 1) } }),
      ]),
    tag: "InvalidArgument",
    message: ["'params.x'", "5"],
  },
  {
    name: "addTrial trial null",
    call: (e) => addTrial(e.study, bad(null)),
    tag: "InvalidArgument",
    message: ["'trial'", "null"],
  },
  {
    name: "createTrial NaN value",
    call: () => createTrial({ value: NaN }),
    tag: "InvalidArgument",
    message: ["'values'", "NaN"],
  },
  {
    name: "createTrial value and values",
    call: () => createTrial({ value: 1, values: [1] }),
    tag: "InvalidArgument",
    message: ["'value'", "1"],
  },
  {
    name: "fixedTrial params null",
    call: () => fixedTrial(bad(null)),
    tag: "InvalidArgument",
    message: ["'params'", "null"],
  },
  {
    name: "fixedTrial suggest a missing parameter",
    call: () => flatMap(fixedTrial({ x: 0.5 }), (t) => suggestFloat(t, "y", 0, 1)),
    tag: "InvalidArgument",
    message: ["'y'", "x"],
  },
  {
    name: "setMetricNames count differs from objectives",
    call: (e) => setMetricNames(e.study, ["a", "b"]),
    tag: "InvalidArgument",
    message: ["'names'", "a"],
  },
  {
    name: "setMetricNames not an array",
    call: (e) => setMetricNames(e.study, bad(7)),
    tag: "InvalidArgument",
    message: ["'names'", "7"],
  },
  {
    name: "tell skipIfFinished not a boolean",
    call: (e) => tell(e.study, e.running, { values: 1, skipIfFinished: bad("yes") }),
    tag: "InvalidArgument",
    message: ["'skipIfFinished'", "yes"],
  },
  {
    name: "getAllStudySummaries includeBestTrial not a boolean",
    call: (e) => getAllStudySummaries(e.storage, { includeBestTrial: bad(1) }),
    tag: "InvalidArgument",
    message: ["'includeBestTrial'", "1"],
  },
  {
    name: "getAllStudyNames storage null",
    call: () => getAllStudyNames(bad(null)),
    tag: "InvalidStudyArgs",
    message: ["'storage'", "null"],
  },
  {
    name: "maxTrialsCallback negative budget",
    call: () => maxTrialsCallback(-1),
    tag: "InvalidArgument",
    message: ["'nTrials'", "-1"],
  },
  {
    name: "maxTrialsCallback unknown state",
    call: () => maxTrialsCallback(3, { states: bad(["DONE"]) }),
    tag: "InvalidArgument",
    message: ["'states'", "DONE"],
  },
  {
    name: "createStudy constraintsFunc not a function",
    call: (e) => createStudy({ storage: e.storage, studyName: "c", constraintsFunc: bad(3) }),
    tag: "InvalidStudyArgs",
    message: ["'constraintsFunc'", "3"],
  },
  {
    name: "uploadArtifact filename with ..",
    call: (e) =>
      uploadArtifact({
        store: fileSystemArtifactStore(`${e.dir}/artifacts`),
        target: e.study,
        data: new Uint8Array([1]),
        filename: "../escape.txt",
      }),
    tag: "InvalidArgument",
    message: ["'filename'", "../escape.txt"],
  },
  {
    name: "uploadArtifact absolute filename",
    call: (e) =>
      uploadArtifact({
        store: fileSystemArtifactStore(`${e.dir}/artifacts`),
        target: e.running,
        data: new Uint8Array([1]),
        filename: "/etc/passwd",
      }),
    tag: "InvalidArgument",
    message: ["'filename'", "/etc/passwd"],
  },
  {
    name: "uploadArtifact data not bytes",
    call: (e) =>
      uploadArtifact({
        store: fileSystemArtifactStore(`${e.dir}/artifacts`),
        target: e.study,
        data: bad("text"),
        filename: "a.txt",
      }),
    tag: "InvalidArgument",
    message: ["'data'", "text"],
  },
  {
    name: "downloadArtifact id with ..",
    call: (e) => downloadArtifact(fileSystemArtifactStore(`${e.dir}/artifacts`), "../bad.db"),
    tag: "InvalidArgument",
    message: ["'artifactId'", "../bad.db"],
  },
  {
    name: "fileSystemArtifactStore write absolute id",
    call: (e) => fileSystemArtifactStore(`${e.dir}/artifacts`).write("/tmp/x", new Uint8Array()),
    tag: "InvalidArgument",
    message: ["'artifactId'", "/tmp/x"],
  },
  // ---- @hyperion/tune/importance ----
  {
    name: "getParamImportances of a study without COMPLETE trials",
    call: (e) => getParamImportances(e.other, { target: (t) => t.values?.[0] ?? 0 }),
    tag: "NoCompletedTrials",
    message: ["'other'", "no trial is complete"],
  },
  {
    name: "getParamImportances params of an unknown name",
    call: (e) => getParamImportances(e.study, { params: ["nope"] }),
    tag: "InvalidArgument",
    message: ["'params'", "nope"],
  },
  {
    name: "getParamImportances params 'x'",
    call: (e) => getParamImportances(e.study, { params: bad("x") }),
    tag: "InvalidArgument",
    message: ["'params'", "'x'"],
  },
  {
    name: "getParamImportances options null",
    call: (e) => getParamImportances(e.study, bad(null)),
    tag: "InvalidArgument",
    message: ["'options'", "null"],
  },
  {
    name: "getParamImportances evaluator nTrees 0",
    call: (e) => getParamImportances(e.study, { evaluator: fanovaEvaluator({ nTrees: 0 }) }),
    tag: "InvalidArgument",
    message: ["'evaluator.nTrees'", "0"],
  },
  {
    name: "getParamImportances(null)",
    call: () => getParamImportances(bad(null)),
    tag: "InvalidArgument",
    message: ["'study'", "null"],
  },
];

function runTrainer() {
  const t = createTrainer({});
  if (t._tag === "Left") throw new Error(t.left.message);
  return t.right;
}

// -------------------------------------------------------------------------------------
// running a row
// -------------------------------------------------------------------------------------

type Outcome =
  | { readonly kind: "threw"; readonly error: unknown }
  | { readonly kind: "left"; readonly tag: string; readonly message: string }
  | { readonly kind: "other"; readonly value: unknown };

async function outcomeOf(call: () => unknown): Promise<Outcome> {
  let value: unknown;
  try {
    value = await call();
    if (typeof value === "function") value = await (value as () => Promise<unknown>)();
  } catch (error) {
    return { kind: "threw", error };
  }
  const e = value as Either<{ _tag?: unknown; message?: unknown }, unknown> | undefined;
  if (typeof e === "object" && e !== null && e._tag === "Left") {
    return { kind: "left", tag: String(e.left?._tag), message: String(e.left?.message) };
  }
  return { kind: "other", value };
}

async function checkRow(env: Env, row: Row): Promise<void> {
  const before = await snapshot(env);
  const outcome = await outcomeOf(() => row.call(env));
  // whatever happened, nothing stored may have changed
  assert.deepEqual(await snapshot(env), before, "the stored data changed");
  if (outcome.kind === "threw") assert.fail(`threw ${String(outcome.error)}`);
  if (outcome.kind === "other") {
    // a storage was opened by mistake: close it
    const r = outcome.value as { _tag?: string; right?: { close?: () => () => Promise<unknown> } };
    if (r?._tag === "Right" && typeof r.right?.close === "function") await r.right.close()();
    assert.fail(`expected a Left, got ${String((outcome.value as { _tag?: string })?._tag)}`);
  }
  const tags = typeof row.tag === "string" ? [row.tag] : row.tag;
  assert.ok(tags.includes(outcome.tag), `tag ${outcome.tag} (${outcome.message})`);
  for (const part of row.message) {
    assert.ok(
      outcome.message.includes(part),
      `message ${JSON.stringify(outcome.message)} lacks ${JSON.stringify(part)}`,
    );
  }
}

for (const kind of ["memory", "sqlite", "journal"] as const) {
  Deno.test({
    name: `bad input on ${kind}: a Left with the field and value, never a throw, nothing stored`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async (t) => {
      assert.ok(ROWS.length >= 80, `${ROWS.length} rows`);
      const env = await makeEnv(kind);
      try {
        for (const row of ROWS) {
          await t.step({
            name: row.name,
            sanitizeResources: false,
            sanitizeOps: false,
            fn: () => checkRow(env, row),
          });
        }
      } finally {
        await env.storage.close()();
        await env.reader.close()();
        await Deno.remove(env.dir, { recursive: true });
      }
    },
  });
}
