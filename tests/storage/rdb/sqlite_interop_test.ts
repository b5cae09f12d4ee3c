/**
 * Interoperability with Python Optuna 5.0 on the same SQLite files: studies written here read
 * the same in Python and the reverse; each side continues the other's study; the schema DDL is
 * identical. Python Optuna 5.0 is taken from `.venv-optuna/bin/python` at the repository root,
 * or set up there from the machine's wheel store; the tests are skipped (with the reason
 * printed) only when neither works.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatabaseSync } from "node:sqlite";
import {
  ask,
  bestTrial,
  createStudy,
  enqueueTrial,
  type FrozenTrial,
  getOrThrow,
  map,
  optimize,
  randomSampler,
  report,
  right,
  runOrThrow,
  setStudyUserAttr,
  setUserAttr,
  type StudyRecord,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tell,
  type Trial,
} from "../../../mod.ts";
import { categoricalDistribution, floatDistribution } from "../../../lib/core/distributions.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";
import type { Storage } from "../../../lib/storage/storage.ts";
import { findOptunaPython } from "../../_helpers/python_optuna.ts";
import { type TrialJson, trialJson } from "../../_helpers/optuna_json.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const FIXTURES = join(ROOT, "tests", "fixtures", "sqlite");

const found = await findOptunaPython();
const PYTHON = "python" in found ? found.python : undefined;
if (PYTHON === undefined) {
  console.log(
    `sqlite interop tests skipped: no Python Optuna 5.0 (${(found as { why: string }).why})`,
  );
}

function interop(name: string, fn: (python: string) => Promise<void>): void {
  Deno.test({ name, ignore: PYTHON === undefined, fn: () => fn(PYTHON as string) });
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

type TrialView = TrialJson<string>;

interface StudyView {
  readonly name: string;
  readonly directions: ReadonlyArray<string>;
  readonly user_attrs: unknown;
  readonly system_attrs: unknown;
  readonly best_trial: number | null;
  readonly trials: ReadonlyArray<TrialView>;
}

interface Dump {
  readonly version: string;
  readonly studies: ReadonlyArray<StudyView>;
}

const trialView = (t: FrozenTrial): TrialView => trialJson(t, false);

async function studyView(storage: Storage, study: StudyRecord): Promise<StudyView> {
  const trials = await runOrThrow(storage.getAllTrials(study.studyId));
  return {
    name: study.studyName,
    directions: study.directions.map((d) => d.toUpperCase()),
    user_attrs: study.userAttrs,
    system_attrs: study.systemAttrs,
    best_trial: bestTrial(trials, study.directions)?.number ?? null,
    trials: trials.map(trialView),
  };
}

/** Reads every study of the file through a fresh connection (no cache from the writer). */
async function ourDump(path: string): Promise<ReadonlyArray<StudyView>> {
  const storage = await runOrThrow(sqliteStorage(path));
  try {
    const studies = await runOrThrow(storage.listStudies());
    const out: StudyView[] = [];
    for (const s of studies) out.push(await studyView(storage, s));
    return out;
  } finally {
    await runOrThrow(storage.close());
  }
}

async function python(py: string, script: string, args: ReadonlyArray<string>): Promise<Dump> {
  const out = await new Deno.Command(py, {
    args: [join(FIXTURES, script), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${script} failed:\n${stderr}`);
  const dump = JSON.parse(new TextDecoder().decode(out.stdout)) as Dump;
  assert.equal(dump.version, "5.0.0");
  return dump;
}

function assertSameStudies(ours: ReadonlyArray<StudyView>, theirs: ReadonlyArray<StudyView>): void {
  assert.deepEqual(ours.map((s) => s.name), theirs.map((s) => s.name));
  for (const [i, mine] of ours.entries()) {
    const other = theirs[i] as StudyView;
    const { trials: a, ...restA } = mine;
    const { trials: b, ...restB } = other;
    assert.deepEqual(restA, restB, `study '${mine.name}'`);
    assert.equal(a.length, b.length, `number of trials of '${mine.name}'`);
    for (const [j, t] of a.entries()) assert.deepEqual(t, b[j], `trial ${j} of '${mine.name}'`);
  }
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-interop-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

interop("a study written here reads the same in Python Optuna 5.0", (py) =>
  withDir(async (dir) => {
    const path = join(dir, "ours.db");
    const storage = await runOrThrow(sqliteStorage(path));
    const study = await runOrThrow(createStudy({
      storage,
      studyName: "ts-study",
      sampler: randomSampler({ seed: 11 }),
    }));
    await runOrThrow(
      setStudyUserAttr(study, "owner", { name: "deno", tags: ["x", "y"], ratio: 0.5 }),
    );
    await runOrThrow(storage.setStudyAttr({
      id: study.studyId,
      kind: "system",
      key: "ts:system",
      value: [1, 2.5, null, true],
    }));
    const objective = (trial: Trial) => async () => {
      const x = getOrThrow(await suggestFloat(trial, "x", -10, 10)());
      const lr = getOrThrow(await suggestFloat(trial, "lr", 1e-5, 1e-1, { log: true })());
      const q = getOrThrow(await suggestFloat(trial, "q", 0, 1, { step: 0.25 })());
      const n = getOrThrow(await suggestInt(trial, "n", 1, 8)());
      const m = getOrThrow(await suggestInt(trial, "m", 1, 1024, { log: true })());
      const k = getOrThrow(await suggestInt(trial, "k", 0, 10, { step: 2 })());
      const c = getOrThrow(await suggestCategorical(trial, "c", ["a", 2, null, false, 3.5])());
      getOrThrow(
        await setUserAttr(trial, "nested", {
          list: [1, 2, { deep: "x'\"; DROP TABLE trials; --" }],
          n,
        })(),
      );
      getOrThrow(await report(trial, NaN, 0)());
      getOrThrow(await report(trial, Infinity, 1)());
      getOrThrow(await report(trial, -Infinity, 2)());
      getOrThrow(await report(trial, x * 0.5, 3)());
      return right(x * x + lr + q + n + m + k + (c === null ? 0 : 1));
    };
    await runOrThrow(optimize(study, objective, { nTrials: 6 }));
    const pruned = await runOrThrow(ask(study));
    await runOrThrow(suggestFloat(pruned, "x", -10, 10));
    await runOrThrow(report(pruned, 1.5, 0));
    await runOrThrow(tell(study, pruned, { state: "PRUNED" }));
    await runOrThrow(tell(study, await runOrThrow(ask(study)), { state: "FAIL" }));
    await runOrThrow(enqueueTrial(study, { x: 0.5, n: 3 }, { userAttrs: { enqueued: true } }));
    const running = await runOrThrow(ask(study));
    await runOrThrow(suggestFloat(running, "x", -10, 10));
    await runOrThrow(enqueueTrial(study, { x: -1 }));
    await runOrThrow(storage.createTrial(study.studyId, {
      state: "COMPLETE",
      values: [Infinity],
      params: { x: 1 },
      distributions: { x: getOrThrow(floatDistribution(-10, 10)) },
      intermediateValues: { 0: 2, 5: NaN },
      datetimeStart: Date.UTC(2026, 4, 6, 7, 8, 9) + 0.123,
      datetimeComplete: Date.UTC(2026, 4, 6, 7, 8, 10) + 999.999,
    }));
    const mo = await runOrThrow(createStudy({
      storage,
      studyName: "ts-mo",
      directions: ["minimize", "maximize"],
    }));
    const opt = getOrThrow(categoricalDistribution(["adam", "sgd"]));
    for (const values of [[Infinity, -Infinity], [1.25, -3.5]]) {
      const t = await runOrThrow(storage.createTrial(mo.studyId));
      await runOrThrow(
        storage.setTrialParam({ trialId: t.trialId, name: "opt", internal: 1, distribution: opt }),
      );
      await runOrThrow(
        storage.setTrialStateValues({ trialId: t.trialId, state: "COMPLETE", values }),
      );
    }
    await runOrThrow(storage.close());

    const ours = await ourDump(path);
    assert.deepEqual(ours.map((s) => s.trials.length), [11, 2]);
    const theirs = await python(py, "optuna_dump.py", [`sqlite:///${path}`]);
    assertSameStudies(ours, theirs.studies);
    // spot checks of what Python saw
    const py0 = theirs.studies[0]?.trials[0] as TrialView;
    assert.deepEqual(Object.keys(py0.params), ["x", "lr", "q", "n", "m", "k", "c"]);
    assert.deepEqual(py0.intermediate_values["0"], "NaN");
    assert.deepEqual(theirs.studies[0]?.trials.map((t) => t.state), [
      "COMPLETE",
      "COMPLETE",
      "COMPLETE",
      "COMPLETE",
      "COMPLETE",
      "COMPLETE",
      "PRUNED",
      "FAIL",
      "RUNNING",
      "WAITING",
      "COMPLETE",
    ]);
    assert.deepEqual(theirs.studies[1]?.trials[0]?.values, ["Infinity", "-Infinity"]);
  }));

interop("a study written by Python Optuna 5.0 reads the same here", (py) =>
  withDir(async (dir) => {
    const path = join(dir, "theirs.db");
    const theirs = await python(py, "optuna_write.py", [`sqlite:///${path}`]);
    assert.deepEqual(theirs.studies.map((s) => [s.name, s.trials.length]), [["py-study", 11], [
      "py-mo",
      2,
    ]]);
    const ours = await ourDump(path);
    assertSameStudies(ours, theirs.studies);
    const states = ours[0]?.trials.map((t) => t.state);
    assert.deepEqual(states?.slice(6), ["PRUNED", "FAIL", "RUNNING", "WAITING", "COMPLETE"]);
  }));

interop(
  "each side continues the other's study with consecutive numbers and claims its queue",
  (py) =>
    withDir(async (dir) => {
      const path = join(dir, "shared.db");
      const url = `sqlite:///${path}`;
      const objective = (trial: Trial) => map(suggestFloat(trial, "x", -10, 10), (x) => x * x);
      // Deno starts the study
      let storage = await runOrThrow(sqliteStorage(path));
      const study = await runOrThrow(
        createStudy({ storage, studyName: "relay", sampler: randomSampler({ seed: 1 }) }),
      );
      await runOrThrow(optimize(study, objective, { nTrials: 5 }));
      await runOrThrow(storage.close());
      // Python runs four more and enqueues one
      const afterPython = await python(py, "optuna_continue.py", [url, "relay", "4"]);
      assert.deepEqual(afterPython.studies[0]?.trials.map((t) => t.number), [
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
      ]);
      // Deno reads them, claims Python's enqueued trial first, then adds two
      storage = await runOrThrow(sqliteStorage(path));
      const loaded = await runOrThrow(createStudy({
        storage,
        studyName: "relay",
        loadIfExists: true,
        sampler: randomSampler({ seed: 2 }),
      }));
      const before = await runOrThrow(storage.getAllTrials(loaded.studyId));
      assert.deepEqual(before.map((t) => t.state).slice(5), [
        "COMPLETE",
        "COMPLETE",
        "COMPLETE",
        "COMPLETE",
        "WAITING",
      ]);
      assertSameStudies(await ourDump(path), afterPython.studies);
      await runOrThrow(optimize(loaded, objective, { nTrials: 3 }));
      const after = await runOrThrow(storage.getAllTrials(loaded.studyId));
      assert.deepEqual(after.map((t) => t.number), [...Array(12).keys()]);
      assert.equal(after[9]?.state, "COMPLETE");
      assert.deepEqual(after[9]?.params, { x: 4 });
      assert.deepEqual(after[9]?.userAttrs, { from: "python" });
      await runOrThrow(storage.close());
      // Python sees everything Deno wrote, the same way
      const final = await python(py, "optuna_dump.py", [url]);
      assertSameStudies(await ourDump(path), final.studies);
    }),
);

interop(
  "the schema created here is the one Python Optuna 5.0 creates",
  (py) =>
    withDir(async (dir) => {
      const pyPath = join(dir, "python.db");
      const out = await new Deno.Command(py, {
        args: ["-c", `import optuna; optuna.storages.RDBStorage("sqlite:///${pyPath}")`],
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const ours = join(dir, "ours.db");
      const made = await runOrThrow(sqliteStorage(ours));
      await runOrThrow(made.close());
      const describe = (file: string) => {
        const db = new DatabaseSync(file);
        try {
          const normalise = (sql: unknown) =>
            String(sql).replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")").trim();
          const master = db.prepare(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
          ).all().map((r) => ({
            type: String(r.type),
            name: String(r.name),
            tbl_name: String(r.tbl_name),
            sql: normalise(r.sql),
          }));
          const tables = master.filter((r) => r.type === "table").map((r) => String(r.name));
          const columns = Object.fromEntries(
            tables.map((t) => [t, db.prepare(`PRAGMA table_info("${t}")`).all()]),
          );
          const indexes = Object.fromEntries(tables.map((t) => [
            t,
            db.prepare(`PRAGMA index_list("${t}")`).all().map((i) => ({
              unique: i.unique,
              origin: i.origin,
              columns: db.prepare(`PRAGMA index_info("${String(i.name)}")`).all().map((c) =>
                c.name
              ),
            })),
          ]));
          const foreign = Object.fromEntries(
            tables.map((t) => [t, db.prepare(`PRAGMA foreign_key_list("${t}")`).all()]),
          );
          const version = db.prepare("SELECT version_info_id, schema_version FROM version_info")
            .all().map((r) => ({ ...r }));
          const alembic = db.prepare("SELECT version_num FROM alembic_version").all().map((r) => ({
            ...r,
          }));
          return { master, columns, indexes, foreign, version, alembic };
        } finally {
          db.close();
        }
      };
      const a = describe(ours);
      const b = describe(pyPath);
      assert.deepEqual(a.master, b.master);
      assert.deepEqual(a.columns, b.columns);
      assert.deepEqual(a.indexes, b.indexes);
      assert.deepEqual(a.foreign, b.foreign);
      assert.deepEqual(a.version, [{ version_info_id: 1, schema_version: 12 }]);
      assert.deepEqual(a.version, b.version);
      assert.deepEqual(a.alembic, [{ version_num: "v3.2.0.a" }]);
      assert.deepEqual(a.alembic, b.alembic);
      // and Python opens a file made here without complaint
      const check = await new Deno.Command(py, {
        args: [
          "-c",
          `import optuna; optuna.create_study(storage="sqlite:///${ours}", study_name="p")`,
        ],
        stderr: "piped",
      }).output();
      assert.ok(check.success, new TextDecoder().decode(check.stderr));
    }),
);

interop(
  "heartbeats recorded on either side let the other fail stale trials",
  (py) =>
    withDir(async (dir) => {
      const path = join(dir, "beats.db");
      const hour = 3_600_000;
      let clock = Date.now() - hour;
      const storage = await runOrThrow(sqliteStorage(path, { now: () => clock }));
      const study = await runOrThrow(
        storage.createStudy({ studyName: "hb", directions: ["minimize"] }),
      );
      const old = await runOrThrow(storage.createTrial(study.studyId));
      const silent = await runOrThrow(storage.createTrial(study.studyId));
      const beatenByPython = await runOrThrow(storage.createTrial(study.studyId));
      await runOrThrow(storage.recordHeartbeat(old.trialId));
      await runOrThrow(storage.close());

      // Python's clock is now: our heartbeat is an hour old, the trial without one stays RUNNING
      const out = await new Deno.Command(py, {
        args: [
          join(FIXTURES, "optuna_heartbeat.py"),
          `sqlite:///${path}`,
          "hb",
          String(beatenByPython.number),
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), { failed: [old.number] });

      // an hour later here, Python's heartbeat is stale too
      clock = Date.now() + hour;
      const again = await runOrThrow(sqliteStorage(path, { now: () => clock }));
      const failed = await runOrThrow(
        again.failStaleTrials({ studyId: study.studyId, gracePeriodMs: 60_000 }),
      );
      assert.deepEqual(failed.map((t) => t.number), [beatenByPython.number]);
      const states = (await runOrThrow(again.getAllTrials(study.studyId))).map((t) => t.state);
      assert.deepEqual(states, ["FAIL", "RUNNING", "FAIL"]);
      assert.equal(silent.number, 1);
      await runOrThrow(again.close());
    }),
);
