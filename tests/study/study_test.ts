import assert from "node:assert/strict";
import {
  ask,
  copyStudy,
  createStudy,
  deleteStudy,
  enqueueTrial,
  getAllStudySummaries,
  getBestTrial,
  getBestTrials,
  getTrials,
  left,
  loadStudy,
  memoryStorage,
  randomSampler,
  runOrThrow,
  setStudySampler,
  setStudyUserAttr,
  type Storage,
  studySampler,
  suggestFloat,
  suggestInt,
  tell,
} from "../../mod.ts";
import { storageError } from "../../lib/storage/errors.ts";
import { expectLeft } from "../_helpers/study.ts";

Deno.test("createStudy() validates its arguments naming the field", async () => {
  const storage = memoryStorage();
  expectLeft(
    await createStudy({ storage, direction: "minimize", directions: ["minimize"] })(),
    "InvalidStudyArgs",
  );
  const e = expectLeft(
    await createStudy({ storage, direction: "up" as never })(),
    "InvalidStudyArgs",
  );
  assert.match(e.message, /'directions': expected 'minimize' or 'maximize', got 'up'/);
  expectLeft(await createStudy({ storage, directions: [] })(), "InvalidStudyArgs");
  expectLeft(await createStudy({ storage, studyName: "" })(), "InvalidStudyArgs");
  expectLeft(
    await createStudy({ storage, sampler: { kind: "nope", options: {}, state: {} } })(),
    "UnknownSamplerKind",
  );
  expectLeft(await createStudy({ storage, pruner: {} as never })(), "InvalidStudyArgs");
  assert.deepEqual(await runOrThrow(storage.listStudies()), []);
});

Deno.test("createStudy() refuses a duplicate name unless loadIfExists, keeping the stored directions", async () => {
  const storage = memoryStorage();
  await runOrThrow(createStudy({ storage, studyName: "s", direction: "maximize" }));
  expectLeft(await createStudy({ storage, studyName: "s" })(), "DuplicatedStudy");
  const loaded = await runOrThrow(createStudy({ storage, studyName: "s", loadIfExists: true }));
  assert.deepEqual(loaded.directions, ["maximize"]);
  const unnamed = await runOrThrow(createStudy({ storage }));
  assert.match(unnamed.studyName, /^no-name-[0-9a-f-]{36}$/);
});

Deno.test("loadStudy() finds by name, infers the only study, and reports missing ones", async () => {
  const storage = memoryStorage();
  expectLeft(await loadStudy({ storage, studyName: "x" })(), "StudyNotFound");
  await runOrThrow(createStudy({ storage, studyName: "only" }));
  assert.equal((await runOrThrow(loadStudy({ storage }))).studyName, "only");
  await runOrThrow(createStudy({ storage, studyName: "second" }));
  expectLeft(await loadStudy({ storage })(), "InvalidStudyArgs");
});

Deno.test("deleteStudy() removes the study and its trials", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(createStudy({ storage, studyName: "d" }));
  await runOrThrow(ask(study));
  await runOrThrow(deleteStudy({ storage, studyName: "d" }));
  expectLeft(await loadStudy({ storage, studyName: "d" })(), "StudyNotFound");
  expectLeft(await deleteStudy({ storage, studyName: "d" })(), "StudyNotFound");
});

Deno.test("copyStudy() copies attributes and every trial with its state and values", async () => {
  const from = memoryStorage(), to = memoryStorage();
  const study = await runOrThrow(createStudy({ storage: from, studyName: "src" }));
  await runOrThrow(setStudyUserAttr(study, "owner", "me"));
  for (let i = 0; i < 3; i++) {
    const trial = await runOrThrow(ask(study));
    const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
    await runOrThrow(tell(study, trial, i === 1 ? { state: "FAIL" } : { values: [x] }));
  }
  await runOrThrow(enqueueTrial(study, { x: 0.5 }));
  await runOrThrow(
    copyStudy({ fromStudyName: "src", fromStorage: from, toStorage: to, toStudyName: "dst" }),
  );
  const copy = await runOrThrow(loadStudy({ storage: to, studyName: "dst" }));
  const [a, b] = [await runOrThrow(getTrials(study)), await runOrThrow(getTrials(copy))];
  assert.deepEqual(
    b.map((t) => [t.number, t.state, t.values, t.params, t.systemAttrs]),
    a.map((t) => [t.number, t.state, t.values, t.params, t.systemAttrs]),
  );
  assert.deepEqual((await runOrThrow(to.getStudy("dst"))).userAttrs, { owner: "me" });
  expectLeft(
    await copyStudy({
      fromStudyName: "src",
      fromStorage: from,
      toStorage: to,
      toStudyName: "dst",
    })(),
    "DuplicatedStudy",
  );
  expectLeft(
    await copyStudy({ fromStudyName: "none", fromStorage: from, toStorage: to })(),
    "StudyNotFound",
  );
});

Deno.test("getBestTrial() fails clearly before any trial completes and on multi-objective studies", async () => {
  const study = await runOrThrow(createStudy({ studyName: "b" }));
  const e = expectLeft(await getBestTrial(study)(), "NoCompletedTrials");
  assert.match(e.message, /'b'/);
  const trial = await runOrThrow(ask(study));
  await runOrThrow(tell(study, trial, { values: [2] }));
  assert.equal((await runOrThrow(getBestTrial(study))).number, 0);
  const mo = await runOrThrow(createStudy({ directions: ["minimize", "maximize"] }));
  expectLeft(await getBestTrial(mo)(), "NotSupported");
  for (const v of [[1, 1], [2, 2], [0, 0]]) {
    await runOrThrow(tell(mo, await runOrThrow(ask(mo)), { values: v }));
  }
  assert.deepEqual((await runOrThrow(getBestTrials(mo))).map((t) => t.number), [0, 1, 2]);
});

Deno.test("getAllStudySummaries() counts trials of every state and finds the best", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(createStudy({ storage, studyName: "sum", direction: "maximize" }));
  await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: [1] }));
  await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: [3] }));
  await runOrThrow(ask(study));
  const [summary] = await runOrThrow(getAllStudySummaries(storage));
  assert.equal(summary?.nTrials, 3);
  assert.equal(summary?.bestTrial?.values?.[0], 3);
  assert.ok(summary?.datetimeStart !== null);
});

Deno.test("enqueueTrial() fixes parameters, validates them, and skips repeats with skipIfExists", async () => {
  const study = await runOrThrow(createStudy());
  await runOrThrow(enqueueTrial(study, { x: 0.25, n: 3 }, { userAttrs: { source: "manual" } }));
  await runOrThrow(enqueueTrial(study, { x: 0.250000001, n: 3 }, { skipIfExists: true }));
  await runOrThrow(enqueueTrial(study, { x: 0.3, n: 3 }, { skipIfExists: true }));
  expectLeft(await enqueueTrial(study, { x: {} as never })(), "InvalidArgument");
  expectLeft(await enqueueTrial(study, null as never)(), "InvalidArgument");
  assert.equal((await runOrThrow(getTrials(study, { states: ["WAITING"] }))).length, 2);
  const trial = await runOrThrow(ask(study));
  assert.deepEqual(trial.userAttrs, { source: "manual" });
  assert.equal(await runOrThrow(suggestFloat(trial, "x", 0, 1)), 0.25);
  assert.equal(await runOrThrow(suggestInt(trial, "n", 0, 10)), 3);
  const y = await runOrThrow(suggestFloat(trial, "y", 0, 1));
  assert.ok(y >= 0 && y <= 1);
});

Deno.test("studySampler() is the same record after a trial (draws are derived, not a stream); setStudySampler() validates a replacement", async () => {
  const study = await runOrThrow(createStudy({ sampler: randomSampler({ seed: 3 }) }));
  const before = JSON.stringify(studySampler(study));
  await runOrThrow(suggestFloat(await runOrThrow(ask(study)), "x", 0, 1));
  assert.equal(JSON.stringify(studySampler(study)), before);
  expectLeft(setStudySampler(study, { kind: "random", options: {}, state: {} }), "InvalidArgument");
  assert.equal(setStudySampler(study, JSON.parse(before))._tag, "Right");
});

Deno.test("copyStudy() deletes the partial target when a write fails midway, and reports the failure", async () => {
  const from = memoryStorage();
  const study = await runOrThrow(createStudy({ storage: from, studyName: "a" }));
  for (let i = 0; i < 3; i++) {
    await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: i }));
  }
  const target = memoryStorage();
  let writes = 0;
  const faulty: Storage = {
    ...target,
    createTrial: (studyId, template) =>
      ++writes === 2
        ? () => Promise.resolve(left(storageError("create a trial", new Error("disk full"))))
        : target.createTrial(studyId, template),
  };
  const result = await copyStudy({ fromStudyName: "a", fromStorage: from, toStorage: faulty })();
  assert.equal(result._tag === "Left" && result.left._tag, "StorageError");
  assert.deepEqual(await runOrThrow(getAllStudySummaries(target)), [], "no partial copy is left");
});
