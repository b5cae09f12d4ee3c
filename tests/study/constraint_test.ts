import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ask,
  createStudy,
  getTrials,
  runOrThrow,
  setConstraint,
  suggestFloat,
  tell,
  tpeSampler,
} from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { expectLeft } from "../_helpers/study.ts";

Deno.test("setConstraint() stores constraints:<key> as Optuna 5.0 and keeps the first value", async () => {
  const study = await runOrThrow(createStudy());
  const trial = await runOrThrow(ask(study));
  await runOrThrow(setConstraint(trial, "c0", 0.25));
  await runOrThrow(setConstraint(trial, "c0", -1));
  await runOrThrow(setConstraint(trial, "c1", -2));
  const done = await runOrThrow(tell(study, trial, { values: [1] }));
  assert.equal(done.systemAttrs["constraints:c0"], 0.25);
  assert.equal(done.systemAttrs["constraints:c1"], -2);
});

Deno.test("setConstraint() refuses NaN and finished trials, leaving the stored trial as it was", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const storage = await runOrThrow(sqliteStorage(join(dir, "c.db")));
    const study = await runOrThrow(createStudy({ storage }));
    const trial = await runOrThrow(ask(study));
    const error = expectLeft(await setConstraint(trial, "c0", NaN)(), "InvalidArgument");
    assert.match(error.message, /constraints:c0/);
    await runOrThrow(tell(study, trial, { values: [1] }));
    assert.equal((await setConstraint(trial, "c1", 1)())._tag, "Left");
    const [stored] = await runOrThrow(getTrials(study));
    assert.deepEqual(
      Object.keys(stored!.systemAttrs).filter((k) => k.startsWith("constraints")),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TPE steers away from trials that setConstraint marked infeasible", async () => {
  // feasible only for x <= 0.2 (a random sampler: 6 of 30), while the objective pulls x up;
  // ignoring the constraint, TPE would follow it to x near 1. Its feasible below set
  // keeps later suggestions feasible more often than chance.
  const study = await runOrThrow(
    createStudy({ sampler: tpeSampler({ seed: 1, nStartupTrials: 10 }) }),
  );
  for (let i = 0; i < 60; i++) {
    const trial = await runOrThrow(ask(study));
    const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
    await runOrThrow(setConstraint(trial, "c", x - 0.2));
    await runOrThrow(tell(study, trial, { values: [-x] }));
  }
  const trials = await runOrThrow(getTrials(study));
  const late = trials.slice(30).filter((t) => (t.params.x as number) <= 0.2).length;
  assert.ok(late >= 10, `only ${late} of the last 30 trials were feasible`);
});
