import assert from "node:assert/strict";
import {
  bestCompleteTrial,
  earliestCompleted,
  isFirstInIntervalStep,
} from "../../lib/pruners/_utils.ts";
import { currentRung, estimateMinResource } from "../../lib/pruners/_rungs.ts";
import { handTrial } from "../_helpers/pruner_fixtures.ts";

Deno.test("isFirstInIntervalStep() is true only for the first report at or after a checkpoint", () => {
  assert.equal(isFirstInIntervalStep(4, [0, 4], 0, 3), true); // checkpoint 3, nothing in [3, 4)
  assert.equal(isFirstInIntervalStep(4, [0, 3, 4], 0, 3), false);
  assert.equal(isFirstInIntervalStep(6, [6, 0, 2], 0, 3), true); // order of reports is irrelevant
  assert.equal(isFirstInIntervalStep(2, [2], 2, 5), true);
});

Deno.test("earliestCompleted() keeps the COMPLETE trials with reports that completed first", () => {
  const a = handTrial(0, [1], { datetimeComplete: 30 });
  const b = handTrial(1, [1, 1], { datetimeComplete: 10 });
  const c = handTrial(2, [], { datetimeComplete: 5 });
  const d = handTrial(3, [1], { datetimeComplete: 10 });
  const e = handTrial(4, [1], { state: "PRUNED", datetimeComplete: 1 });
  assert.deepEqual(earliestCompleted([a, b, c, d, e]).map((t) => t.number), [1, 3]);
  const undated = [
    handTrial(0, [1], { datetimeComplete: null }),
    handTrial(1, [1], { datetimeComplete: null }),
  ];
  assert.equal(earliestCompleted(undated).length, 2);
});

Deno.test("estimateMinResource() is max(last step // 100, 1) of the first completed trials", () => {
  assert.equal(estimateMinResource([]), undefined);
  assert.equal(estimateMinResource([handTrial(0, Array(50).fill(0))]), 1);
  assert.equal(estimateMinResource([handTrial(0, Array(301).fill(0))]), 3);
});

Deno.test("currentRung() counts consecutive completed_rung keys", () => {
  assert.equal(currentRung(handTrial(0, [], { systemAttrs: {} })), 0);
  assert.equal(
    currentRung(handTrial(0, [], { systemAttrs: { completed_rung_0: 1, completed_rung_2: 1 } })),
    1,
  );
});

Deno.test("bestCompleteTrial() picks the earliest best and skips infeasible trials", () => {
  const t0 = handTrial(0, [], { value: 2 });
  const t1 = handTrial(1, [], { value: 1 });
  const t2 = handTrial(2, [], { value: 1 });
  assert.equal(bestCompleteTrial([t0, t1, t2], "minimize")?.number, 1);
  assert.equal(bestCompleteTrial([t0, t1, t2], "maximize")?.number, 0);
  const bad = handTrial(3, [], { value: 0, systemAttrs: { "constraints:mem": 2 } });
  assert.equal(bestCompleteTrial([t0, t1, bad], "minimize")?.number, 1);
  assert.equal(bestCompleteTrial([bad], "minimize"), undefined);
  assert.equal(bestCompleteTrial([handTrial(0, [], { state: "RUNNING" })], "minimize"), undefined);
});
