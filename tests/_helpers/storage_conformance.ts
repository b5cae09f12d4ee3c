/**
 * The storage conformance suite: the behaviour every {@link Storage} backend shares (memory,
 * SQLite, PostgreSQL). A backend's test file calls {@link storageConformance} with a factory
 * that opens a fresh, empty storage; the suite registers one `Deno.test` per behaviour.
 *
 * The factory receives a controllable clock ({@link ConformanceEnv.now}); backends must take
 * trial datetimes and heartbeat times from it, so the suite can check them exactly and age
 * heartbeats without sleeping.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Either } from "../../lib/effect/mod.ts";
import { getOrThrow, runOrThrow } from "../../lib/effect/mod.ts";
import type { HyperionError } from "../../lib/errors.ts";
import {
  categoricalDistribution,
  type Distribution,
  floatDistribution,
  intDistribution,
} from "../../lib/core/distributions.ts";
import type { JsonValue } from "../../lib/core/json.ts";
import type { StudyRecord } from "../../lib/core/study.ts";
import type { FrozenTrial, TrialTemplate } from "../../lib/core/trial.ts";
import type { Storage } from "../../lib/storage/storage.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What the suite hands to a backend factory. */
export interface ConformanceEnv {
  /** The clock the storage must use (epoch milliseconds); the suite moves it. */
  readonly now: () => number;
}

/** A freshly opened, empty storage and how to dispose of it. */
export interface OpenedStorage {
  /** The storage under test. */
  readonly storage: Storage;
  /** Closes the storage (if the test did not) and removes its files. */
  readonly cleanup: () => Promise<void>;
}

/** Opens a fresh, empty storage using the given environment. */
export type StorageFactory = (env: ConformanceEnv) => Promise<OpenedStorage>;

/** What a backend cannot do by design, checked as a refusal instead. */
export interface ConformanceOptions {
  /**
   * False when the backend's format cannot rename a study (Optuna's journal): `renameStudy`
   * must then be a `StorageError` that changes nothing.
   *
   * @default {true}
   */
  readonly rename?: boolean;
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

interface Ctx {
  readonly storage: Storage;
  readonly clock: { now: number };
}

function expectLeft(e: Either<HyperionError, unknown>, tag: string): HyperionError {
  assert.equal(e._tag, "Left", `expected Left ${tag}, got ${safeShow(e)}`);
  const err = (e as { left: HyperionError }).left;
  assert.equal(err._tag, tag, err.message);
  return err;
}

function expectLeftOneOf(
  e: Either<HyperionError, unknown>,
  tags: ReadonlyArray<string>,
): HyperionError {
  assert.equal(e._tag, "Left", `expected Left ${tags.join("|")}, got ${safeShow(e)}`);
  const err = (e as { left: HyperionError }).left;
  assert.ok(tags.includes(err._tag), `${err._tag}: ${err.message}`);
  return err;
}

function safeShow(x: unknown): string {
  try {
    return JSON.stringify(x);
  } catch {
    return String(x);
  }
}

const floatD: Distribution = getOrThrow(floatDistribution(0, 1));
const floatWide: Distribution = getOrThrow(floatDistribution(-5, 5));
const floatLog: Distribution = getOrThrow(floatDistribution(1e-5, 1, { log: true }));
const intD: Distribution = getOrThrow(intDistribution(1, 10));
const intStep: Distribution = getOrThrow(intDistribution(0, 10, { step: 2 }));
const catD: Distribution = getOrThrow(categoricalDistribution(["a", 1, null, true, 2.5]));
const catOther: Distribution = getOrThrow(categoricalDistribution(["a", "b"]));

function register(
  name: string,
  make: StorageFactory,
  behaviour: string,
  body: (ctx: Ctx) => Promise<void>,
): void {
  Deno.test(`${name}: ${behaviour}`, async () => {
    const clock = { now: T0 };
    const opened = await make({ now: () => clock.now });
    try {
      await body({ storage: opened.storage, clock });
    } finally {
      await opened.cleanup();
    }
  });
}

async function study(
  storage: Storage,
  studyName = "s",
  directions: StudyRecord["directions"] = ["minimize"],
): Promise<StudyRecord> {
  return await runOrThrow(storage.createStudy({ studyName, directions }));
}

async function trial(
  storage: Storage,
  studyId: number,
  template?: TrialTemplate,
): Promise<FrozenTrial> {
  return await runOrThrow(storage.createTrial(studyId, template));
}

async function all(storage: Storage, studyId: number): Promise<ReadonlyArray<FrozenTrial>> {
  return await runOrThrow(storage.getAllTrials(studyId));
}

async function finishedTrial(storage: Storage, studyId: number): Promise<FrozenTrial> {
  const t = await trial(storage, studyId);
  await runOrThrow(
    storage.setTrialParam({ trialId: t.trialId, name: "x", internal: 0.5, distribution: floatD }),
  );
  await runOrThrow(storage.setTrialIntermediateValue({ trialId: t.trialId, step: 0, value: 1 }));
  await runOrThrow(storage.setTrialAttr({ id: t.trialId, kind: "user", key: "k", value: 1 }));
  assert.equal(
    await runOrThrow(
      storage.setTrialStateValues({ trialId: t.trialId, state: "COMPLETE", values: [2] }),
    ),
    true,
  );
  return await runOrThrow(storage.getTrial(t.trialId));
}

// -------------------------------------------------------------------------------------
// the suite
// -------------------------------------------------------------------------------------

/**
 * Registers the conformance tests for one backend. `name` prefixes every test name; `make`
 * opens a fresh, empty storage for each test.
 */
export function storageConformance(
  name: string,
  make: StorageFactory,
  options: ConformanceOptions = {},
): void {
  const canRename = options.rename !== false;
  const test = (behaviour: string, body: (ctx: Ctx) => Promise<void>) =>
    canRename || !behaviour.startsWith("renameStudy() renames")
      ? register(name, make, behaviour, body)
      : undefined;

  // ---- studies ----------------------------------------------------------------------

  test("createStudy() stores the name and directions with empty attributes", async ({ storage }) => {
    const a = await study(storage, "a", ["minimize"]);
    const b = await study(storage, "b", ["maximize", "minimize"]);
    assert.notEqual(a.studyId, b.studyId);
    assert.deepEqual({ ...a, studyId: 0 }, {
      studyId: 0,
      studyName: "a",
      directions: ["minimize"],
      userAttrs: {},
      systemAttrs: {},
    });
    assert.deepEqual(b.directions, ["maximize", "minimize"]);
    assert.deepEqual(await runOrThrow(storage.getStudyById(b.studyId)), b);
    assert.deepEqual(await runOrThrow(storage.getStudy("a")), a);
  });

  test("createStudy() refuses a duplicate name and keeps the first study", async ({ storage }) => {
    const first = await study(storage, "dup", ["maximize"]);
    const e = expectLeft(
      await storage.createStudy({ studyName: "dup", directions: ["minimize"] })(),
      "DuplicatedStudy",
    );
    assert.match(e.message, /'dup'/);
    assert.deepEqual(await runOrThrow(storage.getStudy("dup")), first);
    assert.equal((await runOrThrow(storage.listStudies())).length, 1);
  });

  test("createStudy() rejects bad names and directions without storing anything", async ({ storage }) => {
    expectLeft(
      await storage.createStudy({ studyName: "", directions: ["minimize"] })(),
      "InvalidStudyArgs",
    );
    expectLeft(
      await storage.createStudy({ studyName: "x".repeat(513), directions: ["minimize"] })(),
      "InvalidStudyArgs",
    );
    expectLeft(
      await storage.createStudy({ studyName: "ok", directions: [] })(),
      "InvalidStudyArgs",
    );
    expectLeft(
      await storage.createStudy({ studyName: "ok", directions: ["up" as never] })(),
      "InvalidStudyArgs",
    );
    assert.deepEqual(await runOrThrow(storage.listStudies()), []);
  });

  test("getStudy() and getStudyById() report missing studies as StudyNotFound", async ({ storage }) => {
    const e = expectLeft(await storage.getStudy("nope")(), "StudyNotFound");
    assert.match(e.message, /'nope'/);
    expectLeft(await storage.getStudyById(12345)(), "StudyNotFound");
  });

  test("listStudies() returns every study in creation order", async ({ storage }) => {
    const names = ["zeta", "alpha", "mid", "beta"];
    for (const n of names) await study(storage, n);
    assert.deepEqual((await runOrThrow(storage.listStudies())).map((s) => s.studyName), names);
  });

  test("deleteStudy() removes the study with its trials and leaves the others", async ({ storage }) => {
    const a = await study(storage, "a");
    const b = await study(storage, "b");
    const ta = await finishedTrial(storage, a.studyId);
    await runOrThrow(storage.setStudyAttr({ id: a.studyId, kind: "user", key: "k", value: 1 }));
    const tb = await finishedTrial(storage, b.studyId);
    await runOrThrow(storage.deleteStudy(a.studyId));
    expectLeft(await storage.getStudy("a")(), "StudyNotFound");
    expectLeft(await storage.getStudyById(a.studyId)(), "StudyNotFound");
    expectLeft(await storage.getAllTrials(a.studyId)(), "StudyNotFound");
    expectLeft(await storage.getTrial(ta.trialId)(), "TrialNotFound");
    expectLeft(await storage.deleteStudy(a.studyId)(), "StudyNotFound");
    assert.deepEqual(await all(storage, b.studyId), [tb]);
    // the name is free again and the new study starts empty at number 0
    const again = await study(storage, "a");
    assert.deepEqual(again.userAttrs, {});
    assert.deepEqual(await all(storage, again.studyId), []);
    assert.equal((await trial(storage, again.studyId)).number, 0);
    assert.deepEqual((await runOrThrow(storage.listStudies())).map((s) => s.studyName), ["b", "a"]);
  });

  if (!canRename) {
    test("renameStudy() is refused with StorageError and changes nothing", async ({ storage }) => {
      const a = await study(storage, "a");
      await trial(storage, a.studyId);
      const e = expectLeft(
        await storage.renameStudy({ studyId: a.studyId, studyName: "c" })(),
        "StorageError",
      );
      assert.match(e.message, /rename/);
      assert.deepEqual(await runOrThrow(storage.getStudy("a")), a);
      expectLeft(await storage.getStudy("c")(), "StudyNotFound");
      assert.equal((await all(storage, a.studyId)).length, 1);
    });
  }

  test("renameStudy() renames, refusing taken names and missing studies", async ({ storage }) => {
    const a = await study(storage, "a");
    await study(storage, "b");
    await trial(storage, a.studyId);
    const renamed = await runOrThrow(storage.renameStudy({ studyId: a.studyId, studyName: "c" }));
    assert.equal(renamed.studyName, "c");
    assert.equal((await runOrThrow(storage.getStudy("c"))).studyId, a.studyId);
    expectLeft(await storage.getStudy("a")(), "StudyNotFound");
    expectLeft(
      await storage.renameStudy({ studyId: a.studyId, studyName: "b" })(),
      "DuplicatedStudy",
    );
    expectLeft(await storage.renameStudy({ studyId: 9999, studyName: "z" })(), "StudyNotFound");
    expectLeft(
      await storage.renameStudy({ studyId: a.studyId, studyName: "" })(),
      "InvalidStudyArgs",
    );
    assert.equal((await all(storage, a.studyId)).length, 1);
    assert.deepEqual((await runOrThrow(storage.listStudies())).map((s) => s.studyName), ["c", "b"]);
  });

  test("setStudyAttr() keeps user and system attributes apart, overwrites, round-trips JSON", async ({ storage }) => {
    const s = await study(storage);
    const nested: JsonValue = { a: [1, 2.5, null, true, "x"], b: { c: -0.125, d: [] }, e: "é'\"" };
    await runOrThrow(
      storage.setStudyAttr({ id: s.studyId, kind: "user", key: "n", value: nested }),
    );
    await runOrThrow(storage.setStudyAttr({ id: s.studyId, kind: "user", key: "k", value: 1 }));
    await runOrThrow(storage.setStudyAttr({ id: s.studyId, kind: "user", key: "k", value: "two" }));
    await runOrThrow(storage.setStudyAttr({ id: s.studyId, kind: "system", key: "k", value: [3] }));
    const got = await runOrThrow(storage.getStudyById(s.studyId));
    assert.deepEqual(got.userAttrs, { n: nested, k: "two" });
    assert.deepEqual(got.systemAttrs, { k: [3] });
    expectLeft(
      await storage.setStudyAttr({ id: 9999, kind: "user", key: "k", value: 1 })(),
      "StudyNotFound",
    );
  });

  test("setStudyAttr() rejects non-JSON values and bad keys without storing them", async ({ storage }) => {
    const s = await study(storage);
    await runOrThrow(storage.setStudyAttr({ id: s.studyId, kind: "user", key: "k", value: 1 }));
    for (
      const value of [NaN, Infinity, undefined, () => 1, new Date(0), { a: NaN }, [1, undefined]]
    ) {
      expectLeft(
        await storage.setStudyAttr({
          id: s.studyId,
          kind: "user",
          key: "k",
          value: value as never,
        })(),
        "InvalidArgument",
      );
    }
    expectLeft(
      await storage.setStudyAttr({ id: s.studyId, kind: "user", key: "", value: 1 })(),
      "InvalidArgument",
    );
    assert.deepEqual((await runOrThrow(storage.getStudyById(s.studyId))).userAttrs, { k: 1 });
  });

  // ---- trials: creation and numbering -------------------------------------------------

  test("createTrial() numbers trials 0..n-1 per study, independently across studies", async ({ storage, clock }) => {
    const a = await study(storage, "a");
    const b = await study(storage, "b");
    const made: FrozenTrial[] = [];
    for (let i = 0; i < 4; i++) {
      made.push(await trial(storage, a.studyId));
      made.push(await trial(storage, b.studyId));
    }
    assert.deepEqual(made.filter((_, i) => i % 2 === 0).map((t) => t.number), [0, 1, 2, 3]);
    assert.deepEqual(made.filter((_, i) => i % 2 === 1).map((t) => t.number), [0, 1, 2, 3]);
    assert.equal(new Set(made.map((t) => t.trialId)).size, 8);
    const t = made[0] as FrozenTrial;
    assert.deepEqual({ ...t, trialId: 0 }, {
      number: 0,
      trialId: 0,
      state: "RUNNING",
      values: null,
      params: {},
      distributions: {},
      intermediateValues: {},
      userAttrs: {},
      systemAttrs: {},
      datetimeStart: clock.now,
      datetimeComplete: null,
    });
    assert.deepEqual(await runOrThrow(storage.getTrial(t.trialId)), t);
    assert.deepEqual((await all(storage, a.studyId)).map((x) => x.number), [0, 1, 2, 3]);
    expectLeft(await storage.createTrial(9999)(), "StudyNotFound");
  });

  test("createTrial() under Promise.all concurrency assigns each number exactly once", async ({ storage }) => {
    const s = await study(storage);
    const made = await Promise.all(
      Array.from({ length: 40 }, () => runOrThrow(storage.createTrial(s.studyId))),
    );
    assert.deepEqual(made.map((t) => t.number).sort((x, y) => x - y), [...Array(40).keys()]);
    assert.deepEqual((await all(storage, s.studyId)).map((t) => t.number), [...Array(40).keys()]);
  });

  test("createTrial() with a WAITING template starts with no start time", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId, {
      state: "WAITING",
      params: { x: 0.25, n: 3, c: null },
      distributions: { x: floatD, n: intD, c: catD },
      systemAttrs: { fixed_params: { x: 0.25 } },
    });
    assert.equal(t.state, "WAITING");
    assert.equal(t.datetimeStart, null);
    assert.equal(t.datetimeComplete, null);
    assert.deepEqual(t.params, { x: 0.25, n: 3, c: null });
    assert.deepEqual(await runOrThrow(storage.getTrial(t.trialId)), t);
  });

  test("createTrial() stores a finished template with its values, params and contents", async ({ storage }) => {
    const s = await study(storage, "s", ["minimize", "maximize"]);
    const template: TrialTemplate = {
      state: "COMPLETE",
      values: [Infinity, -Infinity],
      params: { x: 0.5, n: 4, c: true, l: 1e-3, e: 6 },
      distributions: { x: floatD, n: intD, c: catD, l: floatLog, e: intStep },
      intermediateValues: { 0: NaN, 1: Infinity, 2: -Infinity, 3: 1.5 },
      userAttrs: { u: { deep: [1, "two"] } },
      systemAttrs: { s: "x" },
      datetimeStart: T0 - 5000,
      datetimeComplete: T0 - 1000,
    };
    const t = await trial(storage, s.studyId, template);
    assert.equal(t.number, 0);
    assert.equal(t.state, "COMPLETE");
    assert.deepEqual(t.values, [Infinity, -Infinity]);
    assert.deepEqual(t.params, template.params);
    assert.deepEqual(t.distributions, template.distributions);
    assert.deepEqual(t.intermediateValues, template.intermediateValues);
    assert.deepEqual(t.userAttrs, template.userAttrs);
    assert.deepEqual(t.systemAttrs, template.systemAttrs);
    assert.equal(t.datetimeStart, T0 - 5000);
    assert.equal(t.datetimeComplete, T0 - 1000);
    assert.deepEqual(await runOrThrow(storage.getTrial(t.trialId)), t);
    assert.deepEqual(await all(storage, s.studyId), [t]);
    const failed = await trial(storage, s.studyId, { state: "FAIL" });
    assert.equal(failed.number, 1);
    assert.notEqual(failed.datetimeComplete, null);
    assert.equal(failed.values, null);
  });

  test("createTrial() rejects invalid templates without creating a trial or using a number", async ({ storage }) => {
    const s = await study(storage);
    await trial(storage, s.studyId, {
      state: "COMPLETE",
      values: [1],
      params: { x: 0.5 },
      distributions: { x: floatD },
    });
    const bad: ReadonlyArray<TrialTemplate> = [
      { state: "COMPLETE" },
      { state: "FAIL", values: [1] },
      { state: "COMPLETE", values: [NaN] },
      { state: "WAITING", params: { x: 2 }, distributions: { x: floatD } },
      { state: "WAITING", params: { n: 2.5 }, distributions: { n: intD } },
      { state: "WAITING", params: { c: "zzz" }, distributions: { c: catD } },
      { state: "WAITING", params: { x: 0.5 }, distributions: {} },
      { state: "WAITING", userAttrs: { k: NaN } as never },
      { state: "WAITING", intermediateValues: { [-1]: 1 } },
      { state: "BOGUS" as never },
    ];
    for (const template of bad) {
      expectLeftOneOf(await storage.createTrial(s.studyId, template)(), [
        "InvalidArgument",
        "InvalidDistribution",
      ]);
    }
    // incompatible with the study's first distribution for 'x'
    expectLeft(
      await storage.createTrial(s.studyId, {
        state: "WAITING",
        params: { x: 1 },
        distributions: { x: intD },
      })(),
      "IncompatibleDistribution",
    );
    assert.equal((await all(storage, s.studyId)).length, 1);
    assert.equal((await trial(storage, s.studyId)).number, 1);
  });

  // ---- params -------------------------------------------------------------------------

  test("setTrialParam() stores internal values and returns external ones", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId);
    const set = (name: string, internal: number, distribution: Distribution) =>
      runOrThrow(storage.setTrialParam({ trialId: t.trialId, name, internal, distribution }));
    await set("x", 0.123456789012345, floatD);
    await set("n", 7, intD);
    await set("c", 3, catD);
    await set("c2", 2, catD);
    await set("l", 1e-5, floatLog);
    const got = await runOrThrow(storage.getTrial(t.trialId));
    assert.deepEqual(got.params, { x: 0.123456789012345, n: 7, c: true, c2: null, l: 1e-5 });
    assert.deepEqual(got.distributions, { x: floatD, n: intD, c: catD, c2: catD, l: floatLog });
    assert.deepEqual(Object.keys(got.params), ["x", "n", "c", "c2", "l"]);
    expectLeft(
      await storage.setTrialParam({
        trialId: 9999,
        name: "x",
        internal: 0,
        distribution: floatD,
      })(),
      "TrialNotFound",
    );
  });

  test("setTrialParam() checks compatibility study-wide: bounds may change, kind/log/choices may not", async ({ storage }) => {
    const s = await study(storage);
    const other = await study(storage, "other");
    const t0 = await trial(storage, s.studyId);
    const t1 = await trial(storage, s.studyId);
    const set = (trialId: number, name: string, internal: number, distribution: Distribution) =>
      storage.setTrialParam({ trialId, name, internal, distribution })();
    await runOrThrow(() => set(t0.trialId, "x", 0.5, floatD));
    await runOrThrow(() => set(t0.trialId, "c", 0, catD));
    await runOrThrow(() => set(t1.trialId, "x", 4, floatWide));
    expectLeft(await set(t1.trialId, "c", 0, catOther), "IncompatibleDistribution");
    const t2 = await trial(storage, s.studyId);
    expectLeft(await set(t2.trialId, "x", 3, intD), "IncompatibleDistribution");
    expectLeft(await set(t2.trialId, "x", 0.5, floatLog), "IncompatibleDistribution");
    // another study is independent
    const o = await trial(storage, other.studyId);
    await runOrThrow(() => set(o.trialId, "x", 3, intD));
    assert.deepEqual((await runOrThrow(storage.getTrial(t1.trialId))).params, { x: 4 });
    assert.deepEqual((await runOrThrow(storage.getTrial(t2.trialId))).params, {});
  });

  test("setTrialParam() ignores a second write of the same name in one trial", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId);
    await runOrThrow(
      storage.setTrialParam({
        trialId: t.trialId,
        name: "x",
        internal: 0.25,
        distribution: floatD,
      }),
    );
    await runOrThrow(
      storage.setTrialParam({
        trialId: t.trialId,
        name: "x",
        internal: 3,
        distribution: floatWide,
      }),
    );
    const got = await runOrThrow(storage.getTrial(t.trialId));
    assert.deepEqual(got.params, { x: 0.25 });
    assert.deepEqual(got.distributions, { x: floatD });
  });

  test("setTrialParam() works on WAITING trials", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId, { state: "WAITING" });
    await runOrThrow(
      storage.setTrialParam({ trialId: t.trialId, name: "n", internal: 5, distribution: intD }),
    );
    assert.deepEqual((await runOrThrow(storage.getTrial(t.trialId))).params, { n: 5 });
  });

  // ---- intermediate values ------------------------------------------------------------

  test("setTrialIntermediateValue() stores NaN and infinities and upserts a step", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId);
    const report = (step: number, value: number) =>
      runOrThrow(storage.setTrialIntermediateValue({ trialId: t.trialId, step, value }));
    await report(3, NaN);
    await report(0, Infinity);
    await report(1, -Infinity);
    await report(2, 0.5);
    await report(2, 0.75);
    await report(10, 0);
    const got = await runOrThrow(storage.getTrial(t.trialId));
    assert.deepEqual(got.intermediateValues, { 0: Infinity, 1: -Infinity, 2: 0.75, 3: NaN, 10: 0 });
    expectLeft(
      await storage.setTrialIntermediateValue({ trialId: 9999, step: 0, value: 1 })(),
      "TrialNotFound",
    );
  });

  test("setTrialIntermediateValue() rejects bad steps and values without storing them", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId);
    for (const step of [-1, 1.5, NaN, "1" as never]) {
      expectLeft(
        await storage.setTrialIntermediateValue({ trialId: t.trialId, step, value: 1 })(),
        "InvalidArgument",
      );
    }
    expectLeft(
      await storage.setTrialIntermediateValue({
        trialId: t.trialId,
        step: 0,
        value: "1" as never,
      })(),
      "InvalidArgument",
    );
    assert.deepEqual((await runOrThrow(storage.getTrial(t.trialId))).intermediateValues, {});
  });

  // ---- attrs ---------------------------------------------------------------------------

  test("setTrialAttr() round-trips JSON, overwrites, keeps user and system apart", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId);
    const value: JsonValue = {
      list: [1, 2.5, -3e-7, 1e21, null],
      nested: { ok: true },
      s: "'; DROP TABLE trials; --",
    };
    await runOrThrow(storage.setTrialAttr({ id: t.trialId, kind: "user", key: "v", value }));
    await runOrThrow(storage.setTrialAttr({ id: t.trialId, kind: "user", key: "k", value: 1 }));
    await runOrThrow(storage.setTrialAttr({ id: t.trialId, kind: "user", key: "k", value: [2] }));
    await runOrThrow(
      storage.setTrialAttr({ id: t.trialId, kind: "system", key: "k", value: "sys" }),
    );
    const got = await runOrThrow(storage.getTrial(t.trialId));
    assert.deepEqual(got.userAttrs, { v: value, k: [2] });
    assert.deepEqual(got.systemAttrs, { k: "sys" });
    expectLeft(
      await storage.setTrialAttr({ id: 9999, kind: "user", key: "k", value: 1 })(),
      "TrialNotFound",
    );
  });

  test("setTrialAttr() rejects non-JSON values without storing them", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId);
    for (const value of [NaN, -Infinity, undefined, Symbol("x"), new Map(), { a: undefined }]) {
      expectLeft(
        await storage.setTrialAttr({
          id: t.trialId,
          kind: "user",
          key: "k",
          value: value as never,
        })(),
        "InvalidArgument",
      );
    }
    assert.deepEqual((await runOrThrow(storage.getTrial(t.trialId))).userAttrs, {});
  });

  test("returned trials are snapshots: later writes do not change them", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId);
    const before = await all(storage, s.studyId);
    const one = await runOrThrow(storage.getTrial(t.trialId));
    await runOrThrow(
      storage.setTrialParam({ trialId: t.trialId, name: "x", internal: 0.5, distribution: floatD }),
    );
    await runOrThrow(storage.setTrialIntermediateValue({ trialId: t.trialId, step: 0, value: 1 }));
    await runOrThrow(storage.setTrialAttr({ id: t.trialId, kind: "user", key: "k", value: 1 }));
    await runOrThrow(
      storage.setTrialStateValues({ trialId: t.trialId, state: "COMPLETE", values: [1] }),
    );
    assert.equal(before.length, 1);
    assert.deepEqual(before[0], t);
    assert.deepEqual(one, t);
  });

  // ---- state rules -------------------------------------------------------------------

  test("setTrialStateValues() finishes trials with values and completion time", async ({ storage, clock }) => {
    const s = await study(storage, "s", ["minimize", "maximize"]);
    const a = await trial(storage, s.studyId);
    const b = await trial(storage, s.studyId);
    const c = await trial(storage, s.studyId);
    const d = await trial(storage, s.studyId);
    clock.now += 1500;
    const set = (trialId: number, state: FrozenTrial["state"], values?: number[] | null) =>
      runOrThrow(
        storage.setTrialStateValues({
          trialId,
          state,
          ...(values === undefined ? {} : { values }),
        }),
      );
    assert.equal(await set(a.trialId, "COMPLETE", [Infinity, -Infinity]), true);
    assert.equal(await set(b.trialId, "PRUNED", [0.5, 2]), true);
    assert.equal(await set(c.trialId, "PRUNED"), true);
    assert.equal(await set(d.trialId, "FAIL", null), true);
    const got = await all(storage, s.studyId);
    assert.deepEqual(got.map((t) => [t.state, t.values]), [
      ["COMPLETE", [Infinity, -Infinity]],
      ["PRUNED", [0.5, 2]],
      ["PRUNED", null],
      ["FAIL", null],
    ]);
    for (const t of got) {
      assert.equal(t.datetimeStart, T0);
      assert.equal(t.datetimeComplete, T0 + 1500);
    }
  });

  test("setTrialStateValues() needs values for COMPLETE, refuses them for FAIL and NaN, and WAITING as target", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId);
    expectLeft(
      await storage.setTrialStateValues({ trialId: t.trialId, state: "COMPLETE" })(),
      "InvalidArgument",
    );
    expectLeft(
      await storage.setTrialStateValues({ trialId: t.trialId, state: "COMPLETE", values: null })(),
      "InvalidArgument",
    );
    expectLeft(
      await storage.setTrialStateValues({ trialId: t.trialId, state: "FAIL", values: [1] })(),
      "InvalidArgument",
    );
    expectLeft(
      await storage.setTrialStateValues({ trialId: t.trialId, state: "COMPLETE", values: [NaN] })(),
      "InvalidArgument",
    );
    expectLeft(
      await storage.setTrialStateValues({ trialId: t.trialId, state: "COMPLETE", values: [] })(),
      "InvalidArgument",
    );
    expectLeft(
      await storage.setTrialStateValues({ trialId: t.trialId, state: "WAITING" })(),
      "InvalidArgument",
    );
    expectLeft(
      await storage.setTrialStateValues({ trialId: 9999, state: "FAIL" })(),
      "TrialNotFound",
    );
    assert.deepEqual(await runOrThrow(storage.getTrial(t.trialId)), t);
  });

  test("setTrialStateValues() RUNNING claims only a WAITING trial and returns false otherwise", async ({ storage, clock }) => {
    const s = await study(storage);
    const running = await trial(storage, s.studyId);
    const waiting = await trial(storage, s.studyId, { state: "WAITING" });
    assert.equal(
      await runOrThrow(storage.setTrialStateValues({ trialId: running.trialId, state: "RUNNING" })),
      false,
    );
    assert.deepEqual(await runOrThrow(storage.getTrial(running.trialId)), running);
    clock.now += 10;
    assert.equal(
      await runOrThrow(storage.setTrialStateValues({ trialId: waiting.trialId, state: "RUNNING" })),
      true,
    );
    const claimed = await runOrThrow(storage.getTrial(waiting.trialId));
    assert.equal(claimed.state, "RUNNING");
    assert.equal(claimed.datetimeStart, T0 + 10);
    assert.equal(
      await runOrThrow(storage.setTrialStateValues({ trialId: waiting.trialId, state: "RUNNING" })),
      false,
    );
  });

  test("finished trials are immutable: every write is TrialNotUpdatable and changes nothing", async ({ storage }) => {
    const s = await study(storage);
    const done = await finishedTrial(storage, s.studyId);
    const pruned = await trial(storage, s.studyId, { state: "PRUNED" });
    const failed = await trial(storage, s.studyId, { state: "FAIL" });
    for (const t of [done, pruned, failed]) {
      const id = t.trialId;
      const writes: Array<() => Promise<Either<HyperionError, unknown>>> = [
        storage.setTrialParam({ trialId: id, name: "y", internal: 0.5, distribution: floatD }),
        storage.setTrialParam({ trialId: id, name: "x", internal: 0.1, distribution: floatD }),
        storage.setTrialIntermediateValue({ trialId: id, step: 5, value: 1 }),
        storage.setTrialAttr({ id, kind: "user", key: "k", value: 2 }),
        storage.setTrialAttr({ id, kind: "system", key: "z", value: 2 }),
        storage.setTrialStateValues({ trialId: id, state: "COMPLETE", values: [3] }),
        storage.setTrialStateValues({ trialId: id, state: "FAIL" }),
        storage.setTrialStateValues({ trialId: id, state: "RUNNING" }),
      ];
      for (const w of writes) {
        const e = expectLeft(await w(), "TrialNotUpdatable");
        assert.match(e.message, new RegExp(`trial ${t.number}\\b`));
      }
    }
    assert.deepEqual(await all(storage, s.studyId), [done, pruned, failed]);
  });

  // ---- claims -----------------------------------------------------------------------

  test("claimWaitingTrial() claims the lowest-numbered WAITING trial first, each once", async ({ storage, clock }) => {
    const s = await study(storage);
    expectLeft(await storage.claimWaitingTrial(9999)(), "StudyNotFound");
    assert.equal(await runOrThrow(storage.claimWaitingTrial(s.studyId)), undefined);
    await trial(storage, s.studyId);
    const w1 = await trial(storage, s.studyId, {
      state: "WAITING",
      params: { x: 0.5 },
      distributions: { x: floatD },
      userAttrs: { u: 1 },
    });
    await trial(storage, s.studyId, { state: "COMPLETE", values: [1] });
    const w3 = await trial(storage, s.studyId, { state: "WAITING" });
    clock.now += 42;
    const first = await runOrThrow(storage.claimWaitingTrial(s.studyId));
    assert.deepEqual(first, { ...w1, state: "RUNNING", datetimeStart: T0 + 42 });
    assert.deepEqual(await runOrThrow(storage.getTrial(w1.trialId)), first);
    const second = await runOrThrow(storage.claimWaitingTrial(s.studyId));
    assert.equal(second?.number, w3.number);
    assert.equal(await runOrThrow(storage.claimWaitingTrial(s.studyId)), undefined);
  });

  test("claimWaitingTrial() under Promise.all concurrency never hands out a trial twice", async ({ storage }) => {
    const s = await study(storage);
    const other = await study(storage, "other");
    await trial(storage, other.studyId, { state: "WAITING" });
    for (let i = 0; i < 10; i++) await trial(storage, s.studyId, { state: "WAITING" });
    const claims = await Promise.all(
      Array.from({ length: 25 }, () => runOrThrow(storage.claimWaitingTrial(s.studyId))),
    );
    const got = claims.filter((c) => c !== undefined).map((c) => (c as FrozenTrial).number);
    assert.deepEqual(got.sort((a, b) => a - b), [...Array(10).keys()]);
    assert.equal(claims.filter((c) => c === undefined).length, 15);
    assert.deepEqual(
      (await all(storage, s.studyId)).map((t) => t.state),
      Array(10).fill("RUNNING"),
    );
    assert.equal((await all(storage, other.studyId))[0]?.state, "WAITING");
  });

  test("setTrialStateValues() RUNNING under Promise.all concurrency succeeds exactly once", async ({ storage }) => {
    const s = await study(storage);
    const w = await trial(storage, s.studyId, { state: "WAITING" });
    const results = await Promise.all(
      Array.from(
        { length: 8 },
        () => runOrThrow(storage.setTrialStateValues({ trialId: w.trialId, state: "RUNNING" })),
      ),
    );
    assert.equal(results.filter((r) => r).length, 1);
  });

  // ---- reads ----------------------------------------------------------------------------

  test("getAllTrials() orders by number and filters by state", async ({ storage }) => {
    const s = await study(storage);
    await trial(storage, s.studyId, { state: "COMPLETE", values: [1] });
    await trial(storage, s.studyId, { state: "WAITING" });
    await trial(storage, s.studyId);
    await trial(storage, s.studyId, { state: "FAIL" });
    await trial(storage, s.studyId, { state: "PRUNED" });
    await trial(storage, s.studyId, { state: "COMPLETE", values: [2] });
    const get = async (states?: FrozenTrial["state"][]) =>
      (await runOrThrow(storage.getAllTrials(s.studyId, states ? { states } : {}))).map((t) =>
        t.number
      );
    assert.deepEqual(await get(), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(await get(["COMPLETE"]), [0, 5]);
    assert.deepEqual(await get(["WAITING", "RUNNING"]), [1, 2]);
    assert.deepEqual(await get(["FAIL", "PRUNED"]), [3, 4]);
    assert.deepEqual(await get([]), []);
  });

  test("getAllTrials() sees every change across repeated reads", async ({ storage }) => {
    const s = await study(storage);
    const a = await trial(storage, s.studyId);
    assert.equal((await all(storage, s.studyId))[0]?.state, "RUNNING");
    await runOrThrow(
      storage.setTrialParam({ trialId: a.trialId, name: "x", internal: 0.5, distribution: floatD }),
    );
    assert.deepEqual((await all(storage, s.studyId))[0]?.params, { x: 0.5 });
    await runOrThrow(
      storage.setTrialStateValues({ trialId: a.trialId, state: "COMPLETE", values: [1] }),
    );
    const b = await trial(storage, s.studyId);
    const got = await all(storage, s.studyId);
    assert.deepEqual(got.map((t) => [t.number, t.state, t.values]), [[0, "COMPLETE", [1]], [
      1,
      "RUNNING",
      null,
    ]]);
    await runOrThrow(storage.setTrialIntermediateValue({ trialId: b.trialId, step: 1, value: 3 }));
    assert.deepEqual((await all(storage, s.studyId))[1]?.intermediateValues, { 1: 3 });
    assert.deepEqual((await all(storage, s.studyId))[0], got[0]);
    expectLeft(await storage.getTrial(9999)(), "TrialNotFound");
  });

  test("getAllTrials() hands out a list that never changes afterwards and cannot be changed", async ({ storage }) => {
    const s = await study(storage);
    const a = await finishedTrial(storage, s.studyId);
    const first = await all(storage, s.studyId);
    const again = await all(storage, s.studyId);
    assert.deepEqual(again, first);
    const b = await trial(storage, s.studyId);
    await runOrThrow(
      storage.setTrialStateValues({ trialId: b.trialId, state: "COMPLETE", values: [2] }),
    );
    await trial(storage, s.studyId);
    assert.deepEqual(first.map((t) => t.number), [0], "a list read earlier keeps its contents");
    const later = await all(storage, s.studyId);
    assert.deepEqual(later.map((t) => [t.number, t.state]), [[0, "COMPLETE"], [1, "COMPLETE"], [
      2,
      "RUNNING",
    ]]);
    // a reader that casts the readonly list away cannot change what the storage holds
    const attempt = () => {
      (later as FrozenTrial[]).pop();
      (later as FrozenTrial[]).reverse();
    };
    try {
      attempt();
    } catch { /* a frozen list refuses */ }
    const fresh = await all(storage, s.studyId);
    assert.deepEqual(fresh.map((t) => t.number), [0, 1, 2]);
    assert.equal(fresh[0]?.trialId, a.trialId);
  });

  // ---- heartbeats -------------------------------------------------------------------

  test("failStaleTrials() fails RUNNING trials whose heartbeat is older than the grace period", async ({ storage, clock }) => {
    const s = await study(storage);
    const other = await study(storage, "other");
    const stale = await trial(storage, s.studyId);
    const fresh = await trial(storage, s.studyId);
    const silent = await trial(storage, s.studyId);
    const done = await trial(storage, s.studyId);
    const elsewhere = await trial(storage, other.studyId);
    await runOrThrow(storage.recordHeartbeat(stale.trialId));
    await runOrThrow(storage.recordHeartbeat(done.trialId));
    await runOrThrow(storage.recordHeartbeat(elsewhere.trialId));
    await runOrThrow(
      storage.setTrialStateValues({ trialId: done.trialId, state: "COMPLETE", values: [1] }),
    );
    clock.now += 20_000;
    await runOrThrow(storage.recordHeartbeat(fresh.trialId));
    assert.deepEqual(
      await runOrThrow(storage.failStaleTrials({ studyId: s.studyId, gracePeriodMs: 30_000 })),
      [],
    );
    clock.now += 15_000;
    const failed = await runOrThrow(
      storage.failStaleTrials({ studyId: s.studyId, gracePeriodMs: 30_000 }),
    );
    assert.deepEqual(failed.map((t) => [t.number, t.state, t.datetimeComplete]), [[
      stale.number,
      "FAIL",
      clock.now,
    ]]);
    assert.deepEqual(failed[0], await runOrThrow(storage.getTrial(stale.trialId)));
    assert.deepEqual(
      (await all(storage, s.studyId)).map((t) => t.state),
      ["FAIL", "RUNNING", "RUNNING", "COMPLETE"],
    );
    assert.equal((await all(storage, other.studyId))[0]?.state, "RUNNING");
    // a later heartbeat keeps it alive; an old one fails it on the next call
    clock.now += 40_000;
    await runOrThrow(storage.recordHeartbeat(silent.trialId));
    const next = await runOrThrow(
      storage.failStaleTrials({ studyId: s.studyId, gracePeriodMs: 30_000 }),
    );
    assert.deepEqual(next.map((t) => t.number), [fresh.number]);
    assert.deepEqual(
      await runOrThrow(storage.failStaleTrials({ studyId: s.studyId, gracePeriodMs: 30_000 })),
      [],
    );
    expectLeft(
      await storage.failStaleTrials({ studyId: 9999, gracePeriodMs: 1 })(),
      "StudyNotFound",
    );
    expectLeft(await storage.recordHeartbeat(9999)(), "TrialNotFound");
  });

  test("recordHeartbeat() on a trial that is not RUNNING is a no-op", async ({ storage, clock }) => {
    const s = await study(storage);
    const w = await trial(storage, s.studyId, { state: "WAITING" });
    const d = await trial(storage, s.studyId, { state: "COMPLETE", values: [1] });
    await runOrThrow(storage.recordHeartbeat(w.trialId));
    await runOrThrow(storage.recordHeartbeat(d.trialId));
    clock.now += 1e6;
    assert.equal(
      await runOrThrow(storage.setTrialStateValues({ trialId: w.trialId, state: "RUNNING" })),
      true,
    );
    assert.deepEqual(
      await runOrThrow(storage.failStaleTrials({ studyId: s.studyId, gracePeriodMs: 0 })),
      [],
    );
  });

  // ---- lifecycle ---------------------------------------------------------------------

  test("a closed storage answers every call with StorageError", async ({ storage }) => {
    const s = await study(storage);
    const t = await trial(storage, s.studyId);
    await runOrThrow(storage.close());
    const calls: Array<() => Promise<Either<HyperionError, unknown>>> = [
      storage.createStudy({ studyName: "x", directions: ["minimize"] }),
      storage.deleteStudy(s.studyId),
      storage.renameStudy({ studyId: s.studyId, studyName: "y" }),
      storage.getStudy("s"),
      storage.getStudyById(s.studyId),
      storage.listStudies(),
      storage.setStudyAttr({ id: s.studyId, kind: "user", key: "k", value: 1 }),
      storage.createTrial(s.studyId),
      storage.claimWaitingTrial(s.studyId),
      storage.setTrialParam({ trialId: t.trialId, name: "x", internal: 0.5, distribution: floatD }),
      storage.setTrialIntermediateValue({ trialId: t.trialId, step: 0, value: 1 }),
      storage.setTrialStateValues({ trialId: t.trialId, state: "FAIL" }),
      storage.setTrialAttr({ id: t.trialId, kind: "user", key: "k", value: 1 }),
      storage.getTrial(t.trialId),
      storage.getAllTrials(s.studyId),
      storage.recordHeartbeat(t.trialId),
      storage.failStaleTrials({ studyId: s.studyId, gracePeriodMs: 1 }),
    ];
    for (const call of calls) {
      const e = expectLeft(await call(), "StorageError");
      assert.match(e.message, /closed/);
    }
  });

  test("names, keys and values with quotes and SQL are stored verbatim", async ({ storage }) => {
    const nasty = "x'); DROP TABLE studies; --\"`\\ é 🙂";
    const s = await study(storage, nasty);
    assert.equal((await runOrThrow(storage.getStudy(nasty))).studyId, s.studyId);
    const t = await trial(storage, s.studyId);
    await runOrThrow(
      storage.setTrialParam({
        trialId: t.trialId,
        name: nasty,
        internal: 0.5,
        distribution: floatD,
      }),
    );
    const cat = getOrThrow(categoricalDistribution([nasty, "'", '"']));
    await runOrThrow(
      storage.setTrialParam({ trialId: t.trialId, name: "c", internal: 0, distribution: cat }),
    );
    await runOrThrow(
      storage.setTrialAttr({ id: t.trialId, kind: "user", key: nasty, value: nasty }),
    );
    await runOrThrow(
      storage.setStudyAttr({ id: s.studyId, kind: "system", key: nasty, value: [nasty] }),
    );
    const got = await runOrThrow(storage.getTrial(t.trialId));
    assert.deepEqual(got.params, { [nasty]: 0.5, c: nasty });
    assert.deepEqual(got.userAttrs, { [nasty]: nasty });
    assert.deepEqual((await runOrThrow(storage.getStudyById(s.studyId))).systemAttrs, {
      [nasty]: [nasty],
    });
    assert.equal((await runOrThrow(storage.listStudies())).length, 1);
  });
}
