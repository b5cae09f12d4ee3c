import assert from "node:assert/strict";
import fc from "fast-check";
import type { Direction, FrozenTrial } from "../../../mod.ts";
import { HEAP } from "../../../lib/math/alloc.ts";
import { classify, type HsspMemo, splitMask } from "../../../lib/samplers/tpe/split.ts";
import { createSplitMemo, splitMaskMemo } from "../../../lib/samplers/tpe/fast/_split.ts";
import { createTrialLists } from "../../../lib/samplers/tpe/fast/_trial_lists.ts";
import { createHistoryMemo, historyOf } from "../../../lib/samplers/tpe/fast/_history.ts";

function trial(number: number, state: FrozenTrial["state"], values: number[]): FrozenTrial {
  return {
    number,
    trialId: number + 1,
    state,
    values: state === "COMPLETE" ? values : null,
    params: {},
    distributions: {},
    intermediateValues: state === "PRUNED" ? { 1: values[0]! } : {},
    userAttrs: {},
    systemAttrs: {},
    datetimeStart: null,
    datetimeComplete: null,
  };
}

const history = fc.array(
  fc.record({
    state: fc.constantFrom<FrozenTrial["state"]>("COMPLETE", "COMPLETE", "PRUNED", "RUNNING"),
    values: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 3, maxLength: 3 }),
  }),
  { minLength: 1, maxLength: 80 },
);

Deno.test("splitMaskMemo() equals splitMask() along a growing history, repeated calls and all, from the trials or their memo records", () => {
  fc.assert(
    fc.property(
      history,
      fc.constantFrom(2, 3),
      fc.integer({ min: 1, max: 30 }),
      (specs, k, nBelow) => {
        const directions: Direction[] = ["minimize", "maximize", "minimize"].slice(
          0,
          k,
        ) as Direction[];
        const all = specs.map((s, i) => trial(i, s.state, s.values.slice(0, k)));
        const lists = createTrialLists();
        const mem = createSplitMemo(lists), hm = createHistoryMemo(lists);
        for (let n = 1; n <= all.length; n += 7) {
          for (const b of [nBelow, nBelow, nBelow + 1]) {
            const list = all.slice(0, n); // a new list each call, as the sampler gets
            // the split reads the trials, or the history memo's records of them
            const classes = b === nBelow ? historyOf(hm, list) : classify(list);
            const got = splitMaskMemo(mem, list, directions, b, classes, HEAP);
            assert.deepEqual(got, splitMask(list, directions, b));
          }
        }
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("splitMaskMemo() splits again when a trial of the list is replaced", () => {
  const mem = createSplitMemo(createTrialLists());
  const dirs: Direction[] = ["minimize", "minimize"];
  const a = [trial(0, "COMPLETE", [0, 0]), trial(1, "COMPLETE", [5, 5])];
  assert.deepEqual([...splitMaskMemo(mem, a, dirs, 1, classify(a), HEAP)], [1, 0]);
  const b = [a[0]!, trial(1, "COMPLETE", [-1, -1])];
  assert.deepEqual([...splitMaskMemo(mem, b, dirs, 1, classify(b), HEAP)], [0, 1]);
});

Deno.test("splitMask() with an HSSP memo equals a fresh split along growing histories", () => {
  let hits = 0;
  fc.assert(
    fc.property(
      history,
      fc.constantFrom(2, 3),
      fc.integer({ min: 1, max: 12 }),
      (specs, k, nBelow) => {
        const directions = (["minimize", "maximize", "minimize"] as Direction[]).slice(0, k);
        const all = specs.map((s, i) => trial(i, s.state, s.values.slice(0, k)));
        const memo: HsspMemo = { last: undefined };
        for (let n = 1; n <= all.length; n++) {
          const list = all.slice(0, n);
          const before = memo.last;
          const got = splitMask(list, directions, nBelow, classify(list), HEAP, memo);
          assert.deepEqual(got, splitMask(list, directions, nBelow));
          if (before && memo.last === before) hits++;
        }
      },
    ),
    { numRuns: 150 },
  );
  assert.ok(hits > 20, `the memo was reused only ${hits} times`);
});

Deno.test("splitMask() with an HSSP memo selects again when a tied loss changes", () => {
  const dirs: Direction[] = ["minimize", "minimize", "minimize"];
  const memo: HsspMemo = { last: undefined };
  const front = [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0.5, 0.5, 3]];
  const a = front.map((v, i) => trial(i, "COMPLETE", v));
  const first = splitMask(a, dirs, 2, classify(a), HEAP, memo);
  assert.deepEqual(first, splitMask(a, dirs, 2));
  // the same positions, one loss moved: the recorded selection must not be reused
  const b = [...a.slice(0, 3), trial(3, "COMPLETE", [0.5, 0.5, 0.25])];
  const second = splitMask(b, dirs, 2, classify(b), HEAP, memo);
  assert.deepEqual(second, splitMask(b, dirs, 2));
  assert.notDeepEqual(second, first);
});
