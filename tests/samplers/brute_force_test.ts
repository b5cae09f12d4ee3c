import assert from "node:assert/strict";
import {
  ask,
  bruteForceSampler,
  createStudy,
  flatMap,
  getTrials,
  map,
  optimize,
  runOrThrow,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tell,
  type Trial,
} from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";
import { checkReplay, checkRerun } from "../_helpers/sampler_replay.ts";

Deno.test("bruteForceSampler() tries every combination once and stops", async () => {
  const study = await runOrThrow(createStudy({ sampler: bruteForceSampler({ seed: 0 }) }));
  const summary = await runOrThrow(
    optimize(
      study,
      (t) =>
        flatMap(
          suggestInt(t, "a", 0, 2),
          (a) =>
            flatMap(suggestFloat(t, "b", 0, 0.3, { step: 0.1 }), (b) =>
              map(suggestCategorical(t, "c", ["x", "y"]), (c) => a + b + c.length)),
        ),
      { nTrials: 1000 },
    ),
  );
  assert.equal(summary.nTrials, 3 * 4 * 2);
  assert.equal(summary.stoppedBy, "sampler");
  const seen = new Set((await runOrThrow(getTrials(study))).map((t) => JSON.stringify(t.params)));
  assert.equal(seen.size, 24);
  // decimal grid as Python's Decimal enumerates it
  const bs = new Set((await runOrThrow(getTrials(study))).map((t) => t.params.b));
  assert.deepEqual([...bs].sort(), [0, 0.1, 0.2, 0.3]);
});

Deno.test("bruteForceSampler() explores conditional spaces", async () => {
  const study = await runOrThrow(createStudy({ sampler: bruteForceSampler({ seed: 2 }) }));
  const summary = await runOrThrow(
    optimize(
      study,
      (t) =>
        flatMap(
          suggestCategorical(t, "kind", ["float", "int"]),
          (kind) =>
            kind === "float" ? suggestFloat(t, "x", 1, 3, { step: 0.5 }) : flatMap(
              suggestInt(t, "a", 1, 3),
              (a) => map(suggestInt(t, "b", a, 3), (b) => a + b),
            ),
        ),
      { nTrials: 1000 },
    ),
  );
  // float: 5 values; int: (1,1..3) + (2,2..3) + (3,3) = 6
  assert.equal(summary.nTrials, 11);
});

Deno.test("bruteForceSampler() rejects floats without a step", async () => {
  const study = await runOrThrow(createStudy({ sampler: bruteForceSampler() }));
  const trial = await runOrThrow(ask(study));
  const err = expectLeft(await suggestFloat(trial, "x", 0, 1)(), "InvalidArgument");
  assert.match(err.message, /search space is infinite/);
});

Deno.test("bruteForceSampler() avoids values being evaluated by running trials", async () => {
  const study = await runOrThrow(createStudy({ sampler: bruteForceSampler({ seed: 5 }) }));
  const t1 = await runOrThrow(ask(study));
  const t2 = await runOrThrow(ask(study));
  const a = await runOrThrow(suggestInt(t1, "n", 0, 1));
  const b = await runOrThrow(suggestInt(t2, "n", 0, 1));
  assert.notEqual(a, b);
  await runOrThrow(tell(study, t1, { values: [0] }));
  await runOrThrow(tell(study, t2, { values: [0] }));
});

/** 3 × 4 × 2 = 24 combinations. */
const combos = (t: Trial) =>
  flatMap(
    suggestCategorical(t, "kind", ["a", "b", "c"]),
    (kind) =>
      flatMap(suggestInt(t, "n", 1, 4), (n) =>
        map(suggestFloat(t, "x", 0, 1, { step: 1 }), (x) => n + x + kind.length)),
  );

Deno.test("bruteForceSampler() continues a study exactly from any older snapshot or a fresh sampler with the same seed", async () => {
  await checkReplay({
    sampler: () => bruteForceSampler({ seed: 8 }),
    objective: combos,
    nTrials: 16,
    cuts: [[0, 4], [3, 8], [8, 8], [5, 12]],
  });
});

Deno.test("bruteForceSampler(): a re-run with some parameters fixed draws the others as the original trial", async () => {
  await checkRerun({
    sampler: () => bruteForceSampler({ seed: 9 }),
    objective: combos,
    nTrials: 12,
    rerun: 9,
    fixed: [["kind"], ["kind", "n"]],
  });
});
