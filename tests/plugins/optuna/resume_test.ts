/**
 * `resumeStudy()` and `planResume()`: rebuilding a study after a crash keeps finished trials,
 * re-runs failed ones at their numbers, backs up first, and survives being killed at any write.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  ask,
  createStudy,
  getTrials,
  gridSampler,
  loadStudy,
  memoryStorage,
  optimize,
  qmcSampler,
  randomSampler,
  report,
  right,
  runOrThrow,
  type Storage,
  suggestCategorical,
  suggestFloat,
  tell,
  type Trial,
} from "../../../mod.ts";
import { ORIGINAL_NUMBER_KEY, resumeStudy } from "../../../lib/plugins/optuna/mod.ts";
import { planResume, RESUME_MARK_KEY } from "../../../lib/plugins/optuna/resume.ts";
import { storageError } from "../../../lib/errors.ts";
import { openStorage } from "../../../lib/storage/open.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { persistentMemory } from "./_helpers.ts";
import { STORAGE_WRITES } from "../../../lib/storage/storage.ts";

Deno.test("resumeStudy() rejects every invalid argument naming the field", async () => {
  const storage = persistentMemory();
  const cases: Array<
    [Parameters<typeof resumeStudy>[0], Parameters<typeof resumeStudy>[1], string]
  > = [
    [{ studyName: "s", loadIfExists: true }, {}, "storage"],
    [{ storage, studyName: "s" }, {}, "loadIfExists"],
    [{ storage, studyName: "s", loadIfExists: false }, {}, "loadIfExists"],
    [{ storage, loadIfExists: true }, {}, "studyName"],
    [{ storage, studyName: "s", loadIfExists: true }, { failedStates: ["PRUNED"] }, "failedStates"],
    [
      { storage, studyName: "s", loadIfExists: true },
      { failedStates: ["COMPLETE"] },
      "failedStates",
    ],
    [
      { storage, studyName: "s", loadIfExists: true },
      { failedStates: ["BROKEN" as never] },
      "failedStates",
    ],
    [{ storage: memoryStorage(), studyName: "s", loadIfExists: true }, {}, "storage"],
  ];
  for (const [args, options, field] of cases) {
    const e = expectLeft(await resumeStudy(args, options)(), "InvalidStudyArgs");
    assert.equal((e as { field: string }).field, field, e.message);
  }
  assert.deepEqual(await runOrThrow(storage.listStudies()), []);
});

Deno.test("planResume() re-runs failed trials at their numbers, keeping completed re-runs and original numbers", () => {
  const t = (
    number: number,
    state: "COMPLETE" | "FAIL" | "RUNNING" | "PRUNED",
    userAttrs = {},
  ) => ({
    number,
    trialId: number,
    state,
    values: state === "COMPLETE" ? [number] : null,
    params: { x: number / 10 },
    distributions: {
      x: { _tag: "FloatDistribution" as const, low: 0, high: 1, log: false, step: null },
    },
    intermediateValues: { 0: number },
    userAttrs,
    systemAttrs: state === "FAIL" ? { grid_id: number, fail_reason: "boom" } : {},
    datetimeStart: 0,
    datetimeComplete: 0,
  });
  const trials = [
    t(0, "COMPLETE"),
    t(1, "FAIL"),
    t(2, "FAIL", { "hyperion:original_number": 1 }), // a re-run of 1 that failed again
    t(3, "RUNNING"),
    t(4, "FAIL"),
    t(5, "COMPLETE", { "hyperion:original_number": 4 }), // 4 was already re-run successfully
    t(6, "PRUNED"),
  ];
  const { plan, templates } = planResume(trials, ["FAIL", "RUNNING"]);
  assert.deepEqual(plan.rerun, [1, 2, 3]);
  assert.deepEqual(plan.kept, [0, 4, 5, 6]);
  assert.equal(templates[2]?.state, "WAITING");
  assert.equal(templates[2]?.userAttrs?.["hyperion:original_number"], 1);
  assert.equal(templates[3]?.userAttrs?.["hyperion:original_number"], 3);
  // the sampler's record of the trial is kept, the failure's reason is not
  assert.deepEqual(templates[1]?.systemAttrs, { grid_id: 1, fixed_params: { x: 0.1 } });
  assert.deepEqual(templates[3]?.systemAttrs, { fixed_params: { x: 0.3 } });
  assert.deepEqual(templates[1]?.intermediateValues, { 0: 1 });
  assert.equal(planResume(trials, ["FAIL"]).plan.rerun.includes(3), false);
});

Deno.test("resumeStudy() rebuilds the study keeping numbers and leaves other studies alone", async () => {
  const storage = persistentMemory();
  const other = await runOrThrow(createStudy({ storage, studyName: "other" }));
  await runOrThrow(tell(other, await runOrThrow(ask(other)), { values: [1] }));
  const study = await runOrThrow(
    createStudy({ storage, studyName: "main", sampler: randomSampler({ seed: 1 }) }),
  );
  for (let i = 0; i < 4; i++) {
    const trial = await runOrThrow(ask(study));
    const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
    await runOrThrow(tell(study, trial, i === 2 ? { state: "FAIL" } : { values: [x] }));
  }
  const before = await runOrThrow(getTrials(study));
  const resumed = await runOrThrow(resumeStudy({ storage, studyName: "main", loadIfExists: true }));
  const after = await runOrThrow(getTrials(resumed));
  assert.deepEqual(after.map((t) => [t.number, t.state]), [[0, "COMPLETE"], [1, "COMPLETE"], [
    2,
    "WAITING",
  ], [3, "COMPLETE"]]);
  assert.deepEqual(after[2]?.params, before[2]?.params);
  assert.deepEqual(after[3]?.values, before[3]?.values);
  const names = (await runOrThrow(storage.listStudies())).map((s) => s.studyName).sort();
  assert.deepEqual(names, ["main", "main_backup-0", "other"]);
  // the re-run gets its parameters back
  const rerun = await runOrThrow(ask(resumed));
  assert.equal(rerun.number, 2);
  assert.equal(await runOrThrow(suggestFloat(rerun, "x", 0, 1)), before[2]?.params.x);
  await runOrThrow(tell(resumed, rerun, { values: [0.5] }));
  // nothing failed any more: a second resume changes nothing but makes another backup
  const again = await runOrThrow(resumeStudy({ storage, studyName: "main", loadIfExists: true }));
  assert.equal(
    (await runOrThrow(getTrials(again))).filter((t) => t.state === "COMPLETE").length,
    4,
  );
  assert.ok((await runOrThrow(storage.listStudies())).some((s) => s.studyName === "main_backup-1"));
});

Deno.test("resumeStudy() on SQLite backs the file up as <stem>_backup-0, -1, … and only when the study exists", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const url = `sqlite:///${join(dir, "runs.db")}`;
    const args = { storage: url, studyName: "s", loadIfExists: true } as const;
    const fresh = await runOrThrow(resumeStudy(args));
    assert.deepEqual((await readdir(dir)).filter((f) => f.includes("_backup-")), []);
    const trial = await runOrThrow(ask(fresh));
    await runOrThrow(suggestFloat(trial, "x", 0, 1));
    await runOrThrow(tell(fresh, trial, { state: "FAIL" }));
    await runOrThrow(fresh.storage.close());

    const first = await runOrThrow(resumeStudy(args));
    await runOrThrow(first.storage.close());
    const second = await runOrThrow(resumeStudy(args));
    await runOrThrow(second.storage.close());
    assert.deepEqual((await readdir(dir)).filter((f) => f.includes("_backup-")).sort(), [
      "runs_backup-0.db",
      "runs_backup-1.db",
    ]);
    // the first backup holds the study as it was before the first resume: trial 0 FAIL
    const backup = await runOrThrow(openStorage(`sqlite:///${join(dir, "runs_backup-0.db")}`));
    const old = await runOrThrow(loadStudy({ storage: backup, studyName: "s" }));
    assert.deepEqual((await runOrThrow(getTrials(old))).map((t) => t.state), ["FAIL"]);
    await runOrThrow(backup.close());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resumeStudy() keeps the original number when a re-run fails again", async () => {
  const storage = persistentMemory();
  const args = { storage, studyName: "again", loadIfExists: true, backupStudy: false } as const;
  const study = await runOrThrow(createStudy({ storage, studyName: "again" }));
  for (const state of ["COMPLETE", "FAIL"] as const) {
    const t = await runOrThrow(ask(study));
    await runOrThrow(suggestFloat(t, "x", 0, 1));
    await runOrThrow(tell(study, t, state === "FAIL" ? { state } : { values: [1] }));
  }
  const once = await runOrThrow(resumeStudy(args, { backupStudy: false }));
  const rerun = await runOrThrow(ask(once));
  assert.equal(rerun.number, 1);
  await runOrThrow(tell(once, rerun, { state: "FAIL" }));
  const twice = await runOrThrow(resumeStudy(args, { backupStudy: false }));
  const trials = await runOrThrow(getTrials(twice));
  assert.deepEqual(trials.map((t) => [t.number, t.state, t.userAttrs[ORIGINAL_NUMBER_KEY]]), [
    [0, "COMPLETE", undefined],
    [1, "WAITING", 1],
  ]);
  const names = (await runOrThrow(storage.listStudies())).map((s) => s.studyName);
  assert.deepEqual(names, ["again"]);
});

Deno.test("resumeStudy() never deletes a study it did not create, even one named <name>.resume-*", async () => {
  const storage = persistentMemory();
  // Studies of the user's that look like the temporaries of an older version.
  for (const name of ["main.resume-x", "main.resume-old-dead", "main.resume-dead"]) {
    const s = await runOrThrow(createStudy({ storage, studyName: name }));
    await runOrThrow(tell(s, await runOrThrow(ask(s)), { values: [1] }));
  }
  const main = await runOrThrow(createStudy({ storage, studyName: "main" }));
  const t = await runOrThrow(ask(main));
  await runOrThrow(suggestFloat(t, "x", 0, 1));
  await runOrThrow(tell(main, t, { state: "FAIL" }));
  const resumed = await runOrThrow(
    resumeStudy({ storage, studyName: "main", loadIfExists: true }, { backupStudy: false }),
  );
  assert.deepEqual((await runOrThrow(getTrials(resumed))).map((x) => [x.number, x.state]), [
    [0, "WAITING"],
  ]);
  assert.deepEqual((await runOrThrow(storage.listStudies())).map((s) => s.studyName).sort(), [
    "main",
    "main.resume-dead",
    "main.resume-old-dead",
    "main.resume-x",
  ]);
  for (const name of ["main.resume-x", "main.resume-old-dead", "main.resume-dead"]) {
    const s = await runOrThrow(loadStudy({ storage, studyName: name }));
    assert.deepEqual((await runOrThrow(getTrials(s))).map((x) => x.state), ["COMPLETE"]);
  }
});

Deno.test("resumeStudy() on SQLite backs up before anything changes: a user's <name>.resume-x study survives and is in the backup", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const url = `sqlite:///${join(dir, "runs.db")}`;
    const storage = await runOrThrow(openStorage(url));
    const mine = await runOrThrow(createStudy({ storage, studyName: "main.resume-x" }));
    await runOrThrow(tell(mine, await runOrThrow(ask(mine)), { values: [3] }));
    const main = await runOrThrow(createStudy({ storage, studyName: "main" }));
    const t = await runOrThrow(ask(main));
    await runOrThrow(suggestFloat(t, "x", 0, 1));
    await runOrThrow(tell(main, t, { state: "FAIL" }));
    const resumed = await runOrThrow(
      resumeStudy({ storage, studyName: "main", loadIfExists: true }),
    );
    assert.deepEqual((await runOrThrow(getTrials(resumed))).map((x) => x.state), ["WAITING"]);
    assert.deepEqual((await runOrThrow(storage.listStudies())).map((s) => s.studyName).sort(), [
      "main",
      "main.resume-x",
    ]);
    await runOrThrow(storage.close());
    assert.deepEqual((await readdir(dir)).filter((f) => f.includes("_backup-")), [
      "runs_backup-0.db",
    ]);
    const backup = await runOrThrow(openStorage(`sqlite:///${join(dir, "runs_backup-0.db")}`));
    const names = (await runOrThrow(backup.listStudies())).map((s) => s.studyName).sort();
    assert.deepEqual(names, ["main", "main.resume-x"]);
    const old = await runOrThrow(loadStudy({ storage: backup, studyName: "main" }));
    assert.deepEqual((await runOrThrow(getTrials(old))).map((x) => x.state), ["FAIL"]);
    assert.equal(
      (await runOrThrow(backup.getStudy("main"))).systemAttrs[RESUME_MARK_KEY],
      undefined,
      "the backup was taken before the study was marked",
    );
    const user = await runOrThrow(loadStudy({ storage: backup, studyName: "main.resume-x" }));
    assert.deepEqual((await runOrThrow(getTrials(user))).map((x) => x.values), [[3]]);
    await runOrThrow(backup.close());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const WRITES = STORAGE_WRITES;

/**
 * The storage as a process that dies after its `k`-th write sees it: that write lands, then
 * every later call (read or write) fails and changes nothing. `writes()` counts the writes.
 */
function killAfter(storage: Storage, k: number): { storage: Storage; writes: () => number } {
  let writes = 0;
  const dead = () => writes > k;
  const wrapped: Record<string, unknown> = { ...storage };
  for (const [name, f] of Object.entries(storage)) {
    if (typeof f !== "function" || name === "close") continue;
    const isWrite = (WRITES as ReadonlyArray<string>).includes(name);
    wrapped[name] = (...args: unknown[]) => () => {
      if (dead()) return Promise.resolve({ _tag: "Left", left: storageError(name, "killed") });
      if (isWrite && ++writes > k) {
        return Promise.resolve({ _tag: "Left", left: storageError(name, "killed") });
      }
      return (f as (...a: unknown[]) => () => Promise<unknown>)(...args)();
    };
  }
  return { storage: wrapped as unknown as Storage, writes: () => writes };
}

/** A storage holding the user's studies and a study "main" with trials to re-run. */
async function crashedStorage(): Promise<Storage> {
  const storage = persistentMemory();
  const mine = await runOrThrow(createStudy({ storage, studyName: "main.resume-x" }));
  await runOrThrow(tell(mine, await runOrThrow(ask(mine)), { values: [1] }));
  await runOrThrow(createStudy({ storage, studyName: "other" }));
  const main = await runOrThrow(
    createStudy({ storage, studyName: "main", sampler: randomSampler({ seed: 3 }) }),
  );
  await runOrThrow(storage.setStudyAttr({ id: main.studyId, kind: "user", key: "k", value: 1 }));
  for (let i = 0; i < 4; i++) {
    const trial = await runOrThrow(ask(main));
    await runOrThrow(suggestFloat(trial, "x", 0, 1));
    await runOrThrow(report(trial, i, 0));
    if (i === 3) break; // left RUNNING by the crash
    await runOrThrow(tell(main, trial, i === 1 ? { state: "FAIL" } : { values: [i] }));
  }
  return storage;
}

/** A study's content without ids, dates and the resume mark. */
async function content(storage: Storage, name: string): Promise<unknown> {
  const record = await runOrThrow(storage.getStudy(name));
  const trials = await runOrThrow(storage.getAllTrials(record.studyId));
  const { [RESUME_MARK_KEY]: _mark, ...systemAttrs } = record.systemAttrs;
  return {
    directions: record.directions,
    userAttrs: record.userAttrs,
    systemAttrs,
    trials: trials.map((t) => ({
      number: t.number,
      state: t.state,
      values: t.values,
      params: t.params,
      distributions: t.distributions,
      intermediateValues: t.intermediateValues,
      userAttrs: t.userAttrs,
      systemAttrs: t.systemAttrs,
    })),
  };
}

Deno.test("resumeStudy() killed after any write, once or twice in a row, ends like an uninterrupted call on the next call", async () => {
  const args = (storage: Storage) => ({ storage, studyName: "main", loadIfExists: true }) as const;
  const options = { failedStates: ["FAIL", "RUNNING"] } as const;
  // the uninterrupted call
  const reference = await crashedStorage();
  const original = await content(reference, "main");
  const counted = killAfter(reference, Infinity);
  await runOrThrow(resumeStudy(args(counted.storage), options));
  const total = counted.writes();
  const expected = await content(reference, "main");
  assert.notDeepEqual(expected, original);
  assert.ok(total > 10, `the call writes ${total} times`);

  const check = async (storage: Storage, label: string) => {
    const names = (await runOrThrow(storage.listStudies())).map((s) => s.studyName);
    const backups = names.filter((n) => /^main_backup-\d+$/.test(n));
    assert.deepEqual(
      names.filter((n) => !backups.includes(n)).sort(),
      ["main", "main.resume-x", "other"],
      label,
    );
    assert.deepEqual(await content(storage, "main"), expected, label);
    assert.deepEqual(
      (await content(storage, "main.resume-x") as { trials: unknown[] }).trials.length,
      1,
      label,
    );
    assert.ok(backups.length >= 1, label);
    for (const b of backups) {
      const copy = await content(storage, b);
      assert.ok(
        JSON.stringify(copy) === JSON.stringify(original) ||
          JSON.stringify(copy) === JSON.stringify(expected),
        `${label}: ${b} is a whole copy`,
      );
    }
    assert.ok(
      await Promise.all(backups.map((b) => content(storage, b))).then((cs) =>
        cs.some((c) => JSON.stringify(c) === JSON.stringify(original))
      ),
      `${label}: the original is backed up`,
    );
  };

  for (let k = 0; k < total; k++) {
    const storage = await crashedStorage();
    const killed = await resumeStudy(args(killAfter(storage, k).storage), options)();
    assert.equal(killed._tag, "Left", `killed after write ${k}`);
    await runOrThrow(resumeStudy(args(storage), options));
    await check(storage, `killed after write ${k}`);
    // twice in a row: the restart is killed too, at every write it makes
    for (let k2 = 0;; k2++) {
      const again = await crashedStorage();
      await resumeStudy(args(killAfter(again, k).storage), options)();
      const second = killAfter(again, k2);
      const r = await resumeStudy(args(second.storage), options)();
      if (r._tag === "Right") {
        await check(again, `killed after write ${k}, then after write ${k2} (finished)`);
        break;
      }
      await runOrThrow(resumeStudy(args(again), options));
      await check(again, `killed after write ${k}, then after write ${k2}`);
    }
  }
});

Deno.test("a re-run keeps its sampler's record: a grid point and a QMC index stay the failed trial's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const space = { x: [0, 1, 2], y: [10, 20] };
    const cases = [
      ["grid", () => gridSampler(space, { seed: 4 })],
      ["qmc", () => qmcSampler({ seed: 4, scramble: true })],
    ] as const;
    for (const [name, sampler] of cases) {
      const url = `sqlite:///${join(dir, `${name}.db`)}`;
      const objective = (failAt?: number) => (trial: Trial) => async () => {
        const x = await runOrThrow(suggestCategorical(trial, "x", space.x));
        // a crash between two suggestions: the re-run keeps x and draws y
        if (trial.number === failAt) throw new Error("crash after x");
        const y = await runOrThrow(suggestCategorical(trial, "y", space.y));
        return right(x + y);
      };
      const straight = await runOrThrow(createStudy({ sampler: sampler() }));
      await runOrThrow(optimize(straight, objective(), { nTrials: 5 }));
      const first = await runOrThrow(
        createStudy({
          storage: await runOrThrow(openStorage(url)),
          studyName: "s",
          sampler: sampler(),
        }),
      );
      await optimize(first, objective(3), { nTrials: 5 })();
      await runOrThrow(first.storage.close());
      const resumed = await runOrThrow(resumeStudy(
        { storage: url, studyName: "s", loadIfExists: true, sampler: sampler() },
        { backupStudy: false },
      ));
      const plan = await runOrThrow(getTrials(resumed));
      assert.equal(plan[3]?.state, "WAITING", name);
      await runOrThrow(optimize(resumed, objective(), { nTrials: 2 }));
      const params = (s: ReadonlyArray<{ params: unknown }>) => s.map((t) => t.params);
      assert.deepEqual(
        params(await runOrThrow(getTrials(resumed))),
        params(await runOrThrow(getTrials(straight))),
        name,
      );
      await runOrThrow(resumed.storage.close());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
