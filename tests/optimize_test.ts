import assert from "node:assert/strict";
import {
  createStudy,
  fail,
  getTrials,
  map,
  optimize,
  randomSampler,
  report,
  runOrThrow,
  shouldPrune,
  stopOptimize,
  succeed,
  suggestFloat,
  type TaskEither,
  trialPruned,
} from "../mod.ts";
import { expectLeft } from "./_helpers/study.ts";

const quadratic = (trial: Parameters<Parameters<typeof optimize>[1]>[0]) =>
  map(suggestFloat(trial, "x", -5, 5), (x) => x * x);

Deno.test("optimize() runs nTrials trials and returns a summary", async () => {
  const study = await runOrThrow(createStudy({ sampler: randomSampler({ seed: 1 }) }));
  const summary = await runOrThrow(optimize(study, quadratic, { nTrials: 12 }));
  assert.equal(summary.nTrials, 12);
  assert.deepEqual(summary.counts, { COMPLETE: 12, PRUNED: 0, FAIL: 0 });
  assert.equal(summary.stoppedBy, "nTrials");
  assert.ok(summary.bestTrial !== undefined);
});

Deno.test("optimize() with the same seed reproduces the same parameters", async () => {
  const run = async () => {
    const study = await runOrThrow(createStudy({ sampler: randomSampler({ seed: 9 }) }));
    await runOrThrow(optimize(study, quadratic, { nTrials: 10 }));
    return (await runOrThrow(getTrials(study))).map((t) => t.params.x);
  };
  assert.deepEqual(await run(), await run());
});

Deno.test("optimize() validates its options naming the field, creating no trial", async () => {
  const study = await runOrThrow(createStudy());
  expectLeft(await optimize(study, quadratic, { nTrials: -1 })(), "InvalidArgument");
  expectLeft(await optimize(study, quadratic, { nTrials: 1.5 })(), "InvalidArgument");
  expectLeft(await optimize(study, quadratic, { concurrency: 0 })(), "InvalidArgument");
  expectLeft(await optimize(study, quadratic, { timeoutMs: -5 })(), "InvalidArgument");
  expectLeft(await optimize(study, quadratic, { catch: [1 as never] })(), "InvalidArgument");
  expectLeft(await optimize(study, "f" as never, { nTrials: 1 })(), "InvalidArgument");
  assert.equal((await runOrThrow(getTrials(study))).length, 0);
});

Deno.test("optimize() fails trials with NaN, wrong arity or non-numbers without stopping, naming the trial", async () => {
  const study = await runOrThrow(createStudy());
  const outputs: unknown[] = [NaN, [1, 2], "1.5", null, 3];
  const summary = await runOrThrow(
    optimize(study, (trial) => succeed(outputs[trial.number] as number), { nTrials: 5 }),
  );
  assert.deepEqual(summary.counts, { COMPLETE: 1, PRUNED: 0, FAIL: 4 });
  assert.match(summary.failures[0] ?? "", /Trial 0 failed with value NaN/);
  assert.match(
    summary.failures[1] ?? "",
    /Trial 1 failed .*number of values 2 does not match the number of objectives 1/,
  );
  assert.match(summary.failures[2] ?? "", /Trial 2 failed with value '1.5'/);
  const states = (await runOrThrow(getTrials(study))).map((t) => t.state);
  assert.deepEqual(states, ["FAIL", "FAIL", "FAIL", "FAIL", "COMPLETE"]);
});

Deno.test("optimize() stops on an uncaught failure after storing it as FAIL, and continues on caught tags", async () => {
  const study = await runOrThrow(createStudy());
  const boom: TaskEither<{ _tag: "Boom"; message: string }, number> = fail({
    _tag: "Boom",
    message: "boom",
  });
  const e = expectLeft(await optimize(study, () => boom, { nTrials: 5 })(), "ObjectiveFailed");
  assert.match(e.message, /Trial 0 failed because of the following error: Boom: boom/);
  assert.deepEqual((await runOrThrow(getTrials(study))).map((t) => t.state), ["FAIL"]);
  const summary = await runOrThrow(optimize(study, () => boom, { nTrials: 3, catch: ["Boom"] }));
  assert.equal(summary.counts.FAIL, 3);
  const thrown = await optimize(study, () => () => {
    throw new RangeError("bad");
  }, { nTrials: 2, catch: ["TypeError"] })();
  assert.match(expectLeft(thrown, "ObjectiveFailed").message, /RangeError: bad/);
  const all = await runOrThrow(getTrials(study));
  assert.ok(all.every((t) => t.state !== "RUNNING"));
});

Deno.test("optimize() records pruned trials with their last intermediate value", async () => {
  const study = await runOrThrow(createStudy());
  const summary = await runOrThrow(optimize(study, (trial) => async () => {
    await runOrThrow(report(trial, 0.7, 0));
    await runOrThrow(report(trial, 0.4, 1));
    await runOrThrow(shouldPrune(trial));
    return trial.number % 2 === 0
      ? { _tag: "Left", left: trialPruned("early") }
      : { _tag: "Right", right: 1 };
  }, { nTrials: 4 }));
  assert.deepEqual(summary.counts, { COMPLETE: 2, PRUNED: 2, FAIL: 0 });
  const pruned = (await runOrThrow(getTrials(study, { states: ["PRUNED"] })))[0];
  assert.deepEqual(pruned?.values, [0.4]);
});

Deno.test("optimize() stops when a callback says so, when stopOptimize is called, or on the signal", async () => {
  const study = await runOrThrow(createStudy());
  const byCallback = await runOrThrow(optimize(study, quadratic, {
    nTrials: 50,
    callbacks: [(_s, t) => (t.number === 2 ? "stop" : undefined)],
  }));
  assert.deepEqual([byCallback.nTrials, byCallback.stoppedBy], [3, "callback"]);
  const byStop = await runOrThrow(optimize(study, (trial) => {
    if (trial.number === 5) stopOptimize(study);
    return quadratic(trial);
  }, { nTrials: 50 }));
  assert.equal(byStop.nTrials, 3);
  const controller = new AbortController();
  controller.abort();
  const bySignal = await runOrThrow(
    optimize(study, quadratic, { nTrials: 50, signal: controller.signal }),
  );
  assert.deepEqual([bySignal.nTrials, bySignal.stoppedBy], [0, "signal"]);
});

Deno.test("optimize() stops starting trials after timeoutMs and finishes running ones", async () => {
  const study = await runOrThrow(createStudy());
  const summary = await runOrThrow(optimize(study, (trial) => async () => {
    await new Promise((r) => setTimeout(r, 20));
    return await quadratic(trial)();
  }, { timeoutMs: 50 }));
  assert.equal(summary.stoppedBy, "timeout");
  assert.ok(summary.nTrials >= 1);
  assert.ok((await runOrThrow(getTrials(study))).every((t) => t.state === "COMPLETE"));
});

Deno.test("optimize() runs async objectives concurrently up to 'concurrency'", async () => {
  const study = await runOrThrow(createStudy());
  let running = 0, peak = 0;
  const summary = await runOrThrow(optimize(study, (trial) => async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    return await quadratic(trial)();
  }, { nTrials: 12, concurrency: 3 }));
  assert.equal(summary.nTrials, 12);
  assert.equal(peak, 3);
  const numbers = (await runOrThrow(getTrials(study))).map((t) => t.number);
  assert.deepEqual(numbers, [...Array(12).keys()]);
});

Deno.test("optimize() draws a progress bar only on a terminal", async () => {
  const study = await runOrThrow(createStudy());
  const written: string[] = [];
  await runOrThrow(
    optimize(study, quadratic, {
      nTrials: 3,
      progress: { isTerminal: true, write: (s) => written.push(s) },
    }),
  );
  assert.match(written[2] ?? "", /\r\[#+\] 3\/3, best .* \(trial \d\), \d+\.\ds/);
  const silent: string[] = [];
  await runOrThrow(
    optimize(study, quadratic, {
      nTrials: 2,
      progress: { isTerminal: false, write: (s) => silent.push(s) },
    }),
  );
  assert.equal(silent.length, 0);
});
