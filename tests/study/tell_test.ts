import assert from "node:assert/strict";
import { ask, createStudy, getTrials, runOrThrow, tell } from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";

Deno.test("tell() with skipIfFinished returns a finished trial unchanged; without it, TrialNotUpdatable", async () => {
  const study = await runOrThrow(createStudy());
  const trial = await runOrThrow(ask(study));
  const done = await runOrThrow(tell(study, trial, { values: 1 }));
  assert.deepEqual(await runOrThrow(tell(study, trial, { values: 5, skipIfFinished: true })), done);
  assert.deepEqual(
    await runOrThrow(tell(study, trial.number, { state: "FAIL", skipIfFinished: true })),
    done,
  );
  expectLeft(await tell(study, trial, { values: 5 })(), "TrialNotUpdatable");
  expectLeft(
    await tell(study, trial, { values: 5, skipIfFinished: "yes" as never })(),
    "InvalidArgument",
  );
  assert.deepEqual((await runOrThrow(getTrials(study))).map((t) => t.values), [[1]]);
});

Deno.test("tell() with skipIfFinished still finishes a RUNNING trial and refuses a WAITING one", async () => {
  const study = await runOrThrow(createStudy());
  const trial = await runOrThrow(ask(study));
  const done = await runOrThrow(tell(study, trial, { values: 2, skipIfFinished: true }));
  assert.deepEqual([done.state, done.values], ["COMPLETE", [2]]);
  await runOrThrow(study.storage.createTrial(study.studyId, { state: "WAITING" }));
  expectLeft(await tell(study, 1, { values: 1, skipIfFinished: true })(), "TrialNotUpdatable");
});
