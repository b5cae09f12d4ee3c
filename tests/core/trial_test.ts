import assert from "node:assert/strict";
import {
  checkTransition,
  checkUpdatable,
  type FrozenTrial,
  isFinished,
  lastStep,
  reportedSteps,
  type TrialState,
} from "../../lib/core/trial.ts";

const trial = (
  state: TrialState,
  intermediateValues: Record<number, number> = {},
): FrozenTrial => ({
  number: 4,
  trialId: 9,
  state,
  values: null,
  params: {},
  distributions: {},
  intermediateValues,
  userAttrs: {},
  systemAttrs: {},
  datetimeStart: 0,
  datetimeComplete: null,
});

Deno.test("isFinished() is true exactly for COMPLETE, PRUNED and FAIL", () => {
  assert.deepEqual(
    (["RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"] as const).map(isFinished),
    [false, true, true, true, false],
  );
});

Deno.test("checkUpdatable() refuses finished trials naming the trial and state", () => {
  assert.equal(checkUpdatable(trial("RUNNING"))._tag, "Right");
  assert.equal(checkUpdatable(trial("WAITING"))._tag, "Right");
  const r = checkUpdatable(trial("PRUNED"), "report to");
  assert.equal(
    r._tag === "Left" && r.left.message,
    "Cannot report to trial 4 as it has already finished: current state PRUNED",
  );
});

Deno.test("checkTransition() allows RUNNING only as a claim of a WAITING trial", () => {
  assert.deepEqual(checkTransition(trial("WAITING"), "RUNNING", undefined), {
    _tag: "Right",
    right: true,
  });
  assert.deepEqual(checkTransition(trial("RUNNING"), "RUNNING", undefined), {
    _tag: "Right",
    right: false,
  });
  assert.equal(checkTransition(trial("RUNNING"), "WAITING", undefined)._tag, "Left");
  assert.equal(checkTransition(trial("RUNNING"), "COMPLETE", null)._tag, "Left");
  assert.equal(checkTransition(trial("RUNNING"), "FAIL", [1])._tag, "Left");
  assert.deepEqual(checkTransition(trial("RUNNING"), "COMPLETE", [1]), {
    _tag: "Right",
    right: true,
  });
  assert.equal(checkTransition(trial("COMPLETE"), "FAIL", null)._tag, "Left");
});

Deno.test("lastStep() and reportedSteps() read steps numerically, whatever the report order", () => {
  const t = trial("RUNNING", { 10: 1, 2: 3, 7: NaN });
  assert.equal(lastStep(t), 10);
  assert.deepEqual(reportedSteps(t), [2, 7, 10]);
  assert.equal(lastStep(trial("RUNNING")), undefined);
});
