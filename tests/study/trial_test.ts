import assert from "node:assert/strict";
import {
  ask,
  BUILTIN_SAMPLERS,
  createStudy,
  floatDistribution,
  type FrozenTrial,
  getOrThrow,
  getTrials,
  memoryStorage,
  type Pruner,
  report,
  right,
  runOrThrow,
  type SamplerImpl,
  setUserAttr,
  shouldPrune,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tell,
  trialSnapshot,
} from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";

Deno.test("ask() creates RUNNING trials numbered from 0 and suggests fixed distributions", async () => {
  const study = await runOrThrow(createStudy());
  const d = getOrThrow(floatDistribution(0, 1));
  const t0 = await runOrThrow(ask(study, { x: d }));
  const t1 = await runOrThrow(ask(study));
  assert.deepEqual([t0.number, t1.number], [0, 1]);
  const stored = await runOrThrow(getTrials(study));
  assert.deepEqual(stored.map((t) => t.state), ["RUNNING", "RUNNING"]);
  assert.ok(typeof stored[0]?.params.x === "number");
});

Deno.test("suggest*() returns the first value when a name is suggested again and refuses incompatible kinds", async () => {
  const study = await runOrThrow(createStudy());
  const trial = await runOrThrow(ask(study));
  const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
  assert.equal(await runOrThrow(suggestFloat(trial, "x", 0, 100)), x);
  const e = expectLeft(await suggestInt(trial, "x", 0, 10)(), "IncompatibleDistribution");
  assert.match(e.message, /Cannot suggest 'x' as its kind must not change/);
});

Deno.test("suggest*() validates bounds with messages naming the parameter, leaving nothing stored", async () => {
  const study = await runOrThrow(createStudy());
  const trial = await runOrThrow(ask(study));
  const e = expectLeft(await suggestFloat(trial, "lr", 1, 0)(), "InvalidDistribution");
  assert.equal(
    e.message,
    "Cannot suggest 'lr' as 'low' must not exceed 'high': current values 1 and 0",
  );
  expectLeft(await suggestFloat(trial, "lr", NaN, 1)(), "InvalidDistribution");
  expectLeft(await suggestInt(trial, "n", 0, 5, { log: true })(), "InvalidDistribution");
  expectLeft(await suggestCategorical(trial, "c", [])(), "InvalidDistribution");
  expectLeft(await suggestCategorical(trial, "c", ["a", "a"])(), "InvalidDistribution");
  const [stored] = await runOrThrow(getTrials(study));
  assert.deepEqual(stored?.params, {});
  assert.equal(stored?.state, "RUNNING");
});

Deno.test("suggest*() keeps distributions compatible across trials of the study", async () => {
  const study = await runOrThrow(createStudy());
  await runOrThrow(suggestFloat(await runOrThrow(ask(study)), "x", 0, 1));
  const other = await runOrThrow(ask(study));
  assert.ok((await runOrThrow(suggestFloat(other, "x", 0, 5))) <= 5);
  const third = await runOrThrow(ask(study));
  expectLeft(await suggestFloat(third, "x", 0.1, 1, { log: true })(), "IncompatibleDistribution");
});

Deno.test("suggestCategorical() returns the choice itself, single-choice domains need no sampling", async () => {
  const study = await runOrThrow(createStudy());
  const trial = await runOrThrow(ask(study));
  const c = await runOrThrow(suggestCategorical(trial, "c", [null, true, 3, "s"]));
  assert.ok([null, true, 3, "s"].includes(c));
  assert.equal(await runOrThrow(suggestCategorical(trial, "one", ["only"])), "only");
  assert.equal(await runOrThrow(suggestInt(trial, "fixed", 4, 4)), 4);
});

Deno.test("report() keeps the first value per step and refuses bad steps, values and finished trials", async () => {
  const study = await runOrThrow(createStudy());
  const trial = await runOrThrow(ask(study));
  await runOrThrow(report(trial, 1.5, 0));
  await runOrThrow(report(trial, 9, 0));
  await runOrThrow(report(trial, NaN, 3));
  expectLeft(await report(trial, 1, -1)(), "InvalidArgument");
  expectLeft(await report(trial, 1, 1.5)(), "InvalidArgument");
  expectLeft(await report(trial, "x" as never, 1)(), "InvalidArgument");
  const snapshot = getOrThrow(trialSnapshot(trial));
  assert.equal(snapshot.intermediateValues[0], 1.5);
  await runOrThrow(tell(study, trial, { state: "PRUNED" }));
  expectLeft(await report(trial, 1, 5)(), "TrialNotUpdatable");
  expectLeft(await suggestFloat(trial, "late", 0, 1)(), "TrialNotUpdatable");
  const [stored] = await runOrThrow(getTrials(study));
  // PRUNED keeps the last intermediate value unless it is NaN
  assert.equal(stored?.values, null);
  assert.deepEqual(Object.keys(stored?.intermediateValues ?? {}), ["0", "3"]);
});

Deno.test("report() and shouldPrune() are refused on multi-objective studies", async () => {
  const study = await runOrThrow(createStudy({ directions: ["minimize", "minimize"] }));
  const trial = await runOrThrow(ask(study));
  expectLeft(await report(trial, 1, 0)(), "NotSupported");
  expectLeft(await shouldPrune(trial)(), "NotSupported");
});

Deno.test("shouldPrune() consults the study's pruner and records its system attributes", async () => {
  const seen: number[] = [];
  const pruner: Pruner = {
    kind: "test",
    options: {},
    prune: (ctx) => {
      seen.push(ctx.trials.length);
      return right({
        prune: (ctx.trial.intermediateValues[0] ?? 0) > 1,
        trialSystemAttrs: { "completed_rung_0": 1 },
      });
    },
  };
  const study = await runOrThrow(createStudy({ pruner }));
  const trial = await runOrThrow(ask(study));
  await runOrThrow(report(trial, 2, 0));
  assert.equal(await runOrThrow(shouldPrune(trial)), true);
  const [stored] = await runOrThrow(getTrials(study));
  assert.equal(stored?.systemAttrs["completed_rung_0"], 1);
  assert.deepEqual(seen, [1]);
});

Deno.test("tell() maps outcomes to states as Optuna does", async () => {
  const study = await runOrThrow(createStudy());
  const complete = await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: 1 }));
  assert.deepEqual([complete.state, complete.values], ["COMPLETE", [1]]);
  const inf = await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: [Infinity] }));
  assert.equal(inf.state, "COMPLETE");
  const nan = await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: [NaN] }));
  assert.deepEqual([nan.state, nan.values], ["FAIL", null]);
  const wrongArity = await runOrThrow(
    tell(study, await runOrThrow(ask(study)), { values: [1, 2] }),
  );
  assert.equal(wrongArity.state, "FAIL");
  const pruned = await runOrThrow(ask(study));
  await runOrThrow(report(pruned, 0.5, 2));
  await runOrThrow(report(pruned, 0.25, 7));
  const p = await runOrThrow(tell(study, pruned, { state: "PRUNED" }));
  assert.deepEqual([p.state, p.values], ["PRUNED", [0.25]]);
});

Deno.test("tell() refuses a second tell, bad states and values, leaving the trial as it was", async () => {
  const study = await runOrThrow(createStudy());
  const trial = await runOrThrow(ask(study));
  expectLeft(await tell(study, trial, { state: "COMPLETE" })(), "InvalidArgument");
  expectLeft(await tell(study, trial, { state: "COMPLETE", values: [NaN] })(), "InvalidArgument");
  expectLeft(await tell(study, trial, { state: "FAIL", values: [1] })(), "InvalidArgument");
  expectLeft(await tell(study, trial, { state: "WAITING" })(), "InvalidArgument");
  assert.equal((await runOrThrow(getTrials(study)))[0]?.state, "RUNNING");
  await runOrThrow(tell(study, trial.number, { values: [3] }));
  const e = expectLeft(await tell(study, trial, { values: [4] })(), "TrialNotUpdatable");
  assert.match(e.message, /Cannot tell trial 0 as it has already finished: current state COMPLETE/);
  expectLeft(await tell(study, 99, { values: [1] })(), "TrialNotFound");
  assert.deepEqual((await runOrThrow(getTrials(study)))[0]?.values, [3]);
});

Deno.test("setUserAttr() stores JSON values and refuses non-JSON ones", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(createStudy({ storage }));
  const trial = await runOrThrow(ask(study));
  await runOrThrow(setUserAttr(trial, "note", { a: [1, "b"] }));
  expectLeft(await setUserAttr(trial, "bad", NaN)(), "InvalidArgument");
  assert.deepEqual((await runOrThrow(getTrials(study)))[0]?.userAttrs, { note: { a: [1, "b"] } });
});

Deno.test("samplers see the trial as last written, in one list for as long as it is unchanged", async () => {
  type Seen = { readonly trials: ReadonlyArray<FrozenTrial>; readonly params: string[] };
  const seen: Seen[] = [];
  const recording: SamplerImpl = {
    kind: "test-recording",
    needsHistory: true,
    validate: (s) => right(s),
    inferRelativeSearchSpace: (_s, ctx) => {
      seen.push({ trials: ctx.trials, params: Object.keys(ctx.trial.params) });
      return {};
    },
    sampleRelative: (s) => right({ value: {}, state: s.state }),
    sampleIndependent: (s, ctx, p) => {
      const own = ctx.trials.find((t) => t.number === ctx.trial.number)!;
      seen.push({ trials: ctx.trials, params: Object.keys(own.params) });
      return right({
        value: p.distribution._tag === "FloatDistribution" ? 0.5 : 0,
        state: s.state,
      });
    },
  };
  const study = await runOrThrow(createStudy({
    sampler: { kind: "test-recording", options: null, state: null },
    samplerKinds: { ...BUILTIN_SAMPLERS, "test-recording": recording },
  }));
  await runOrThrow(tell(study, await runOrThrow(ask(study)), { values: 1 }));
  const trial = await runOrThrow(ask(study));
  await runOrThrow(suggestFloat(trial, "x", 0, 1));
  await runOrThrow(suggestFloat(trial, "y", 0, 1));
  // the relative space (once per trial), then the independent sample: the same list
  assert.equal(seen.length, 3);
  assert.equal(seen[0]!.trials, seen[1]!.trials);
  assert.deepEqual(seen[1]!.params, []);
  // after x was written the sampler sees a new list holding the trial with x
  assert.notEqual(seen[1]!.trials, seen[2]!.trials);
  assert.deepEqual(seen[2]!.params, ["x"]);
  assert.deepEqual(seen[2]!.trials.map((t) => t.number), [0, 1]);
  assert.equal(seen[2]!.trials[0], seen[1]!.trials[0]);
});
