import assert from "node:assert/strict";
import fc from "fast-check";
import type { FrozenTrial } from "../../../mod.ts";
import { createHistoryMemo, usedTrials } from "../../../lib/samplers/tpe/fast/_history.ts";
import {
  createTrialLists,
  knownPrefix,
  lineageOf,
  noteLineage,
  notePrefix,
  sharedPrefix,
} from "../../../lib/samplers/tpe/fast/_trial_lists.ts";

function trial(number: number, state: FrozenTrial["state"]): FrozenTrial {
  return {
    number,
    trialId: number + 1,
    state,
    values: state === "COMPLETE" ? [number] : null,
    params: {},
    distributions: {},
    intermediateValues: {},
    userAttrs: {},
    systemAttrs: {},
    datetimeStart: null,
    datetimeComplete: null,
  };
}

function commonPrefix(a: ReadonlyArray<FrozenTrial>, b: ReadonlyArray<FrozenTrial>): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

Deno.test("sharedPrefix() is the common prefix of two lists and is then known both ways", () => {
  const lists = createTrialLists();
  const pool = Array.from({ length: 6 }, (_, i) => trial(i, "COMPLETE"));
  const list = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 12 }).map((ix) =>
    ix.map((i) => pool[i]!)
  );
  fc.assert(fc.property(list, list, (a, b) => {
    assert.equal(knownPrefix(lists, a, b), a === b ? a.length : -1);
    const k = sharedPrefix(lists, a, b);
    assert.equal(k, commonPrefix(a, b));
    assert.equal(knownPrefix(lists, a, b), k);
    assert.equal(knownPrefix(lists, b, a), k);
  }));
});

Deno.test("knownPrefix() keeps the recent relations only and tells unrelated lists apart", () => {
  const lists = createTrialLists();
  const t = Array.from({ length: 4 }, (_, i) => trial(i, "COMPLETE"));
  const a = [t[0]!, t[1]!, t[2]!];
  const bases = Array.from({ length: 40 }, () => [t[0]!, t[1]!, t[3]!]);
  bases.forEach((b) => notePrefix(lists, a, b, 2));
  // a short ring of relations (lists are not kept alive by old ones): the oldest are forgotten
  assert.equal(knownPrefix(lists, a, bases[0]!), -1);
  assert.equal(knownPrefix(lists, a, bases[39]!), 2);
  assert.equal(knownPrefix(lists, bases[39]!, a), 2);
  assert.equal(knownPrefix(lists, a, [t[0]!]), -1);
  const out = [t[0]!];
  noteLineage(lists, out, {
    prev: a,
    map: Int32Array.from([0, -1, -1]),
    prevCovered: 3,
    newCovered: 1,
    inserted: [],
  });
  assert.equal(lineageOf(lists, out, a)?.prevCovered, 3);
  assert.equal(lineageOf(lists, out, bases[0]!), undefined);
});

Deno.test("usedTrials() records only the prefixes its successive lists really share", () => {
  // a study as successive samplers see it: trials start, finish, fail, and lists are new
  // arrays; sometimes the study's lists are compared first (as the search space does)
  const step = fc.record({
    op: fc.constantFrom("start", "complete", "fail", "prune", "same", "touch"),
    at: fc.nat(),
    compare: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.boolean(), (ops, liar) => {
      const lists = createTrialLists();
      const history = createHistoryMemo(lists);
      let trials: FrozenTrial[] = [trial(0, "COMPLETE"), trial(1, "RUNNING")];
      let prevCtx: FrozenTrial[] | undefined;
      let prevUsed: ReadonlyArray<FrozenTrial> | undefined;
      for (const o of ops) {
        trials = trials.slice();
        const running = trials.filter((t) => t.state === "RUNNING");
        if (o.op === "start") trials.push(trial(trials.length, "RUNNING"));
        else if (o.op === "touch") {
          // the newest trial written again (as each suggestion does): a new record, same state
          const last = trials[trials.length - 1]!;
          trials[last.number] = trial(last.number, last.state);
        } else if (o.op !== "same" && running.length > 0) {
          const r = running[o.at % running.length]!;
          const state = o.op === "complete" ? "COMPLETE" : o.op === "fail" ? "FAIL" : "PRUNED";
          trials[r.number] = trial(r.number, state);
        }
        if (o.compare && prevCtx) sharedPrefix(lists, trials, prevCtx);
        const current = trials[trials.length - 1]!.number;
        const used = usedTrials(history, trials, current, liar);
        const want = trials.filter((t) =>
          t.state === "COMPLETE" || t.state === "PRUNED" ||
          (liar && t.state === "RUNNING" && t.number !== current)
        );
        assert.deepEqual(used.map((t) => t.number), want.map((t) => t.number));
        // the very records of this list (a list reused from the previous call must hold them)
        assert.ok(used.every((t, i) => t === want[i]));
        if (prevUsed) {
          const k = knownPrefix(lists, used, prevUsed);
          if (k >= 0) assert.ok(k <= commonPrefix(used, prevUsed), `claimed ${k}`);
        }
        prevCtx = trials;
        prevUsed = used;
      }
    }),
    { numRuns: 200 },
  );
});
