/** What `tell` accepts for each final state, and that a refused call leaves the trial as it was. */
import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  getTrials,
  report,
  runOrThrow,
  suggestFloat,
  tell,
  trialSnapshot,
} from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";

for (const state of ["PRUNED", "FAIL"] as const) {
  Deno.test(`tell() refuses values with state ${state} and leaves the trial running (Optuna 5.0)`, async () => {
    const study = await runOrThrow(createStudy());
    const trial = await runOrThrow(ask(study));
    await runOrThrow(suggestFloat(trial, "x", 0, 1));
    await runOrThrow(report(trial, 0.25, 3));
    const err = expectLeft(await tell(study, trial, { state, values: [0.5] })(), "InvalidArgument");
    assert.equal((err as { field?: string }).field, "values");
    assert.match(err.message, new RegExp(`no values when the state is ${state}`));
    const [stored] = await runOrThrow(getTrials(study));
    assert.equal(stored!.state, "RUNNING");
    assert.equal(stored!.values, null);
    assert.equal(stored!.datetimeComplete, null);
    // without values the same call is accepted: PRUNED keeps the last intermediate value
    const told = await runOrThrow(tell(study, trial, { state }));
    assert.equal(told.state, state);
    assert.deepEqual(told.values, state === "PRUNED" ? [0.25] : null);
    assert.equal(getSnapshotState(trial), state);
  });
}

function getSnapshotState(trial: Parameters<typeof trialSnapshot>[0]): string {
  const s = trialSnapshot(trial);
  return s._tag === "Right" ? s.right.state : s.left.message;
}
