/** Hyperion's study functions compose with fp-ts's `pipe` and `TaskEither` combinators. */
import assert from "node:assert/strict";
import { pipe } from "npm:fp-ts@2.16.11/lib/function.js";
import * as TE from "npm:fp-ts@2.16.11/lib/TaskEither.js";
import {
  ask,
  createStudy,
  getBestTrial,
  getTrials,
  randomSampler,
  suggestFloat,
  tell,
} from "../../mod.ts";

Deno.test("createStudy, ask, suggest, tell and getBestTrial compose with fp-ts's pipe", async () => {
  const program = pipe(
    createStudy({ studyName: "pipe", sampler: randomSampler({ seed: 7 }) }),
    TE.flatMap((study) =>
      pipe(
        ask(study),
        TE.flatMap((trial) =>
          pipe(
            suggestFloat(trial, "x", -1, 1),
            TE.flatMap((x) => tell(study, trial, { values: x * x })),
          )
        ),
        TE.flatMap(() => getBestTrial(study)),
        TE.map((best) => ({ study, best })),
      )
    ),
  );
  const result = await program();
  assert.equal(result._tag, "Right");
  if (result._tag !== "Right") return;
  const { study, best } = result.right;
  const x = best.params["x"] as number;
  assert.deepEqual(best.values, [x * x]);
  assert.equal((await getTrials(study)())._tag, "Right");
});

Deno.test("a Left from a study function short-circuits an fp-ts pipe, and the rest never runs", async () => {
  let ran = false;
  const program = pipe(
    createStudy({ direction: "sideways" as never }),
    TE.flatMap((study) => {
      ran = true;
      return ask(study);
    }),
  );
  const result = await program();
  assert.equal(result._tag === "Left" && result.left._tag, "InvalidStudyArgs");
  assert.equal(ran, false);
});
