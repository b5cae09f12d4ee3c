/** Which failed trials `resumeStudy` runs again: only those no finished re-run covers. */
import assert from "node:assert/strict";
import type { FrozenTrial, TrialState } from "../../../mod.ts";
import { planResume } from "../../../lib/plugins/optuna/resume.ts";

function trial(
  number: number,
  state: TrialState,
  userAttrs: Record<string, number> = {},
  systemAttrs: Record<string, number> = {},
): FrozenTrial {
  return {
    number,
    trialId: number,
    state,
    values: state === "COMPLETE" ? [number] : null,
    params: { x: number / 10 },
    distributions: {
      x: { _tag: "FloatDistribution", low: 0, high: 1, log: false, step: null },
    },
    intermediateValues: {},
    userAttrs,
    systemAttrs,
    datetimeStart: 0,
    datetimeComplete: 0,
  };
}

Deno.test("planResume() does not re-run a failed trial whose re-run was pruned", () => {
  const trials = [
    trial(0, "FAIL"),
    trial(1, "PRUNED", { "hyperion:original_number": 0 }),
    trial(2, "FAIL"),
    trial(3, "PRUNED", {}, { failed_trial: 2 }), // Optuna's RetryFailedTrialCallback record
    trial(4, "FAIL"),
    trial(5, "FAIL", { "hyperion:original_number": 4 }),
  ];
  const { plan } = planResume(trials, ["FAIL"]);
  assert.deepEqual(plan.rerun, [4, 5]);
  assert.deepEqual(plan.kept, [0, 1, 2, 3]);
});
