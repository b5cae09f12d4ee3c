import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  deleteStudy,
  getAllStudyNames,
  getAllStudySummaries,
  memoryStorage,
  runOrThrow,
  tell,
} from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";

Deno.test("getAllStudyNames() lists names in creation order, deleted ones gone", async () => {
  const storage = memoryStorage();
  assert.deepEqual(await runOrThrow(getAllStudyNames(storage)), []);
  for (const name of ["b", "a", "c"]) await runOrThrow(createStudy({ storage, studyName: name }));
  await runOrThrow(deleteStudy({ storage, studyName: "a" }));
  assert.deepEqual(await runOrThrow(getAllStudyNames(storage)), ["b", "c"]);
  expectLeft(await getAllStudyNames(null as never)(), "InvalidStudyArgs");
});

Deno.test("getAllStudySummaries() with includeBestTrial: false leaves bestTrial out, counts the same", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(createStudy({ storage, studyName: "s" }));
  await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: 1 }));
  const [withBest] = await runOrThrow(getAllStudySummaries(storage));
  const [without] = await runOrThrow(getAllStudySummaries(storage, { includeBestTrial: false }));
  assert.equal(withBest?.bestTrial?.number, 0);
  assert.deepEqual(without, { ...withBest, bestTrial: undefined });
  expectLeft(
    await getAllStudySummaries(storage, { includeBestTrial: "no" as never })(),
    "InvalidArgument",
  );
});
