import assert from "node:assert/strict";
import {
  createStudy,
  getOrThrow,
  getTrials,
  left,
  loadStudy,
  maxTrialsCallback,
  memoryStorage,
  optimize,
  runOrThrow,
  suggestFloat,
  type Trial,
  trialPruned,
} from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";

const objective = async (trial: Trial) => {
  const x = await runOrThrow(suggestFloat(trial, "x", -1, 1));
  await new Promise((r) => setTimeout(r, 1));
  return x * x;
};

Deno.test("maxTrialsCallback() stops every worker once the study holds nTrials COMPLETE trials", async () => {
  const storage = memoryStorage();
  await runOrThrow(createStudy({ storage, studyName: "budget" }));
  const budget = getOrThrow(maxTrialsCallback(12));
  const workers = await Promise.all([0, 1, 2].map(async () => {
    const study = await runOrThrow(loadStudy({ storage, studyName: "budget" }));
    return await runOrThrow(optimize(study, objective, { nTrials: 100, callbacks: [budget] }));
  }));
  for (const w of workers) assert.equal(w.stoppedBy, "callback");
  const study = await runOrThrow(loadStudy({ storage, studyName: "budget" }));
  const n = (await runOrThrow(getTrials(study))).length;
  // each worker stops after the trial that reached the budget: at most one extra per worker
  assert.ok(n >= 12 && n <= 14, `${n} trials`);
});

Deno.test("maxTrialsCallback() counts only the given states (COMPLETE by default; null: all)", async () => {
  let i = 0;
  const sometimesPruned = async (trial: Trial) => {
    await runOrThrow(suggestFloat(trial, "x", 0, 1));
    return i++ % 2 === 0 ? 1 : left(trialPruned());
  };
  const study = await runOrThrow(createStudy());
  const complete = getOrThrow(maxTrialsCallback(3));
  await runOrThrow(optimize(study, sometimesPruned, { nTrials: 50, callbacks: [complete] }));
  assert.equal((await runOrThrow(getTrials(study, { states: ["COMPLETE"] }))).length, 3);
  const any = getOrThrow(maxTrialsCallback(8, { states: null }));
  const more = await runOrThrow(
    optimize(study, sometimesPruned, { nTrials: 50, callbacks: [any] }),
  );
  assert.equal((await runOrThrow(getTrials(study))).length, 8);
  assert.equal(more.stoppedBy, "callback");
});

Deno.test("maxTrialsCallback() refuses a bad budget or states with a Left", () => {
  expectLeft(maxTrialsCallback(-1), "InvalidArgument");
  expectLeft(maxTrialsCallback(1.5), "InvalidArgument");
  expectLeft(maxTrialsCallback(3, { states: ["DONE" as never] }), "InvalidArgument");
  expectLeft(maxTrialsCallback(3, null as never), "InvalidArgument");
});
