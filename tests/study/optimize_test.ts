import assert from "node:assert/strict";
import {
  createStudy,
  type Either,
  fail,
  getTrials,
  type HyperionError,
  left,
  type Logger,
  map,
  memoryStorage,
  type Objective,
  optimize,
  type OptimizeOptions,
  randomSampler,
  report,
  right,
  runOrThrow,
  shouldPrune,
  stopOptimize,
  type Storage,
  succeed,
  suggestFloat,
  type TaskEither,
  trialPruned,
} from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { expectLeft } from "../_helpers/study.ts";

const quiet: Logger = { level: "silent", write: () => {} };

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
    optimize(study, (trial) => succeed(outputs[trial.number] as number), {
      nTrials: 5,
      logger: quiet,
    }),
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
  const e = expectLeft(
    await optimize(study, () => boom, { nTrials: 5, logger: quiet })(),
    "ObjectiveFailed",
  );
  assert.match(e.message, /Trial 0 failed because of the following error: Boom: boom/);
  assert.deepEqual((await runOrThrow(getTrials(study))).map((t) => t.state), ["FAIL"]);
  const summary = await runOrThrow(
    optimize(study, () => boom, { nTrials: 3, catch: ["Boom"], logger: quiet }),
  );
  assert.equal(summary.counts.FAIL, 3);
  const thrown = await optimize(study, () => () => {
    throw new RangeError("bad");
  }, { nTrials: 2, catch: ["TypeError"], logger: quiet })();
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

Deno.test("optimize() redraws a progress bar in place on a terminal, padding shorter text, and ends with a newline", async () => {
  const study = await runOrThrow(createStudy());
  const written: string[] = [];
  await runOrThrow(
    optimize(study, quadratic, {
      nTrials: 3,
      progress: { isTerminal: true, write: (s) => written.push(s) },
      logger: quiet,
    }),
  );
  assert.equal(written.length, 4);
  assert.match(written[2] ?? "", /^\r\[#+\] 3\/3, best .* \(trial \d\), \d+\.\ds *$/);
  assert.equal(written[3], "\n");
  // without nTrials the text can get shorter (best value 10 → 1): the rest is blanked
  const values = [10, 1];
  const lines: string[] = [];
  await runOrThrow(optimize(study, (t) => succeed(values[t.number - 3] ?? 5), {
    progress: { isTerminal: true, write: (s) => lines.push(s) },
    callbacks: [(_s, t) => t.number === 4 ? "stop" : undefined],
    logger: quiet,
  }));
  assert.match(lines[0] ?? "", /^\r1 trials, best 10 \(trial 3\), \d\.\ds$/);
  assert.match(lines[1] ?? "", /^\r2 trials, best 1 \(trial 4\), \d\.\ds $/);
  assert.deepEqual(lines.slice(2), ["\n"]);
});

Deno.test("optimize() writes plain progress lines without control characters when not on a terminal", async () => {
  const study = await runOrThrow(createStudy());
  const plain: string[] = [];
  await runOrThrow(
    optimize(study, quadratic, {
      nTrials: 20,
      progress: { isTerminal: false, write: (s) => plain.push(s) },
      logger: quiet,
    }),
  );
  assert.equal(plain.length, 10, plain.join(""));
  for (const line of plain) {
    assert.match(line, /^\d+\/20 trials finished, best .* \(trial \d+\), \d+\.\ds\n$/);
    const controls = [...line.slice(0, -1)].filter((c) => c < " " || c === "\x7f");
    assert.deepEqual(controls, [], JSON.stringify(line));
  }
  assert.match(plain[9] ?? "", /^20\/20 /);
  const odd: string[] = [];
  await runOrThrow(optimize(study, quadratic, {
    nTrials: 3,
    progress: { isTerminal: false, write: (s) => odd.push(s) },
    logger: quiet,
  }));
  assert.deepEqual(odd.map((l) => l.split(" ")[0]), ["1/3", "2/3", "3/3"]);
});

// -------------------------------------------------------------------------------------
// what users write as an objective (issue 17 §3)
// -------------------------------------------------------------------------------------

type Form = readonly [name: string, objective: Objective, state: "COMPLETE" | "PRUNED" | "FAIL"];

const single: ReadonlyArray<Form> = [
  ["a TaskEither", (t) => map(suggestFloat(t, "x", 0, 1), (x) => x + 1), "COMPLETE"],
  ["an async function returning a number", async (t) => {
    const x = await runOrThrow(suggestFloat(t, "x", 0, 1));
    return x + 1;
  }, "COMPLETE"],
  ["a plain number", () => 2, "COMPLETE"],
  ["a plain one-element array", () => [2], "COMPLETE"],
  ["a Promise of a Right", () => Promise.resolve(right(2)), "COMPLETE"],
  ["an Either", () => right(2), "COMPLETE"],
  ["a Promise of a TaskEither", () => Promise.resolve(succeed(2)) as never, "COMPLETE"],
  // deno-lint-ignore require-await
  ["an async thunk resolving to a number", () => (async () => 2) as never, "COMPLETE"],
  ["a thrown Error", () => {
    throw new Error("thrown here");
  }, "FAIL"],
  ["a rejected promise", () => Promise.reject(new Error("rejected here")), "FAIL"],
  ["an async function that throws", async () => {
    await Promise.resolve();
    throw new Error("async throw");
  }, "FAIL"],
  ["a Promise of a Left", () => Promise.resolve(left(new Error("left here"))), "FAIL"],
  ["a thrown TrialPruned", () => {
    throw trialPruned("thrown prune");
  }, "PRUNED"],
  ["a rejected TrialPruned", () => Promise.reject(trialPruned("rejected prune")), "PRUNED"],
  ["a TaskEither of a pruned Left", () => fail(trialPruned()), "PRUNED"],
  // deno-lint-ignore require-await
  ["an async function returning a string", async () => "1.5" as never, "FAIL"],
];

async function withStorages(
  run: (storage: Storage, label: string) => Promise<void>,
): Promise<void> {
  await run(memoryStorage(), "memory");
  const dir = await Deno.makeTempDir();
  const storage = await runOrThrow(sqliteStorage(`${dir}/forms.db`));
  try {
    await run(storage, "sqlite");
  } finally {
    await runOrThrow(storage.close());
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("optimize() accepts a TaskEither, a promise, an Either or plain values, and fails or prunes on throws and rejections, on memory and SQLite", async () => {
  await withStorages(async (storage, label) => {
    for (const [name, objective, expected] of single) {
      const study = await runOrThrow(createStudy({ storage, studyName: `${label}-${name}` }));
      const result = await optimize(study, objective, {
        nTrials: 2,
        catch: ["Error"],
        logger: quiet,
      })();
      assert.equal(result._tag, "Right", `${label}, ${name}: ${JSON.stringify(result)}`);
      const trials = await runOrThrow(getTrials(study));
      assert.deepEqual(trials.map((t) => t.state), [expected, expected], `${label}, ${name}`);
      if (expected === "COMPLETE") {
        assert.ok(trials.every((t) => typeof t.values?.[0] === "number"), name);
      }
      if (expected === "FAIL") {
        const reason = trials[0]!.systemAttrs["fail_reason"];
        assert.equal(typeof reason, "string", name);
        assert.doesNotMatch(String(reason), /\{\}/, `${name}: ${reason}`);
      }
    }
    // multi-objective: an array, a promise of an array
    // deno-lint-ignore require-await
    const asyncPair = async () => [1, 2];
    for (const objective of [() => [1, 2], asyncPair, () => succeed([1, 2])]) {
      const study = await runOrThrow(
        createStudy({ storage, directions: ["minimize", "maximize"] }),
      );
      await runOrThrow(optimize(study, objective as Objective, { nTrials: 1, logger: quiet }));
      const [trial] = await runOrThrow(getTrials(study));
      assert.deepEqual([trial?.state, trial?.values], ["COMPLETE", [1, 2]], label);
    }
  });
});

Deno.test("optimize() stops on an uncaught rejection of an async objective with its message, storing the trial as FAIL", async () => {
  const study = await runOrThrow(createStudy());
  const result = await optimize(study, async () => {
    await Promise.resolve();
    throw new TypeError("no such layer");
  }, { nTrials: 3, logger: quiet })();
  const e = expectLeft(result, "ObjectiveFailed");
  assert.match(
    e.message,
    /Trial 0 failed because of the following error: TypeError: no such layer/,
  );
  const trials = await runOrThrow(getTrials(study));
  assert.deepEqual(trials.map((t) => t.state), ["FAIL"]);
  assert.equal(trials[0]?.systemAttrs["fail_reason"], "TypeError: no such layer");
});

Deno.test("optimize() returns only after every objective it started has settled (timeout, stop, uncaught failure)", async () => {
  const study = await runOrThrow(createStudy());
  let running = 0;
  const slow = (ms: number, fails = false): Objective => async (trial) => {
    running++;
    try {
      await new Promise((r) => setTimeout(r, trial.number === 0 ? 5 : ms));
      if (fails && trial.number % 3 === 0) throw new Error("boom");
      return trial.number;
    } finally {
      running--;
    }
  };
  await runOrThrow(optimize(study, slow(30), { timeoutMs: 10, concurrency: 3, logger: quiet }));
  assert.equal(running, 0);
  const failed = await optimize(study, slow(30, true), { concurrency: 3, logger: quiet })();
  expectLeft(failed, "ObjectiveFailed");
  assert.equal(running, 0);
  const trials = await runOrThrow(getTrials(study));
  assert.ok(trials.every((t) => t.state !== "RUNNING"), JSON.stringify(trials.map((t) => t.state)));
});

Deno.test("an objective's rejection never escapes as an unhandled rejection (child process)", async () => {
  const script = new URL("../fixtures/optimize_forms.ts", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, stderr);
  assert.doesNotMatch(stderr, /Uncaught|unhandled/i);
  assert.deepEqual(JSON.parse(stdout), {
    async: { COMPLETE: 3, PRUNED: 0, FAIL: 0 },
    rejecting: { COMPLETE: 0, PRUNED: 0, FAIL: 3 },
    stopped: "ObjectiveFailed",
  });
});

// -------------------------------------------------------------------------------------
// bad input (issue 17 §4)
// -------------------------------------------------------------------------------------

const badOptions: ReadonlyArray<readonly [unknown, string]> = [
  [null, "options"],
  ["fast", "options"],
  [[], "options"],
  [42, "options"],
  [{ nTrials: -1 }, "nTrials"],
  [{ nTrials: NaN }, "nTrials"],
  [{ nTrials: "3" }, "nTrials"],
  [{ nTrials: Infinity }, "nTrials"],
  [{ nTrials: 1.5 }, "nTrials"],
  [{ timeoutMs: NaN }, "timeoutMs"],
  [{ timeoutMs: "10" }, "timeoutMs"],
  [{ timeoutMs: -1 }, "timeoutMs"],
  [{ concurrency: 0 }, "concurrency"],
  [{ concurrency: "2" }, "concurrency"],
  [{ concurrency: 1.5 }, "concurrency"],
  [{ catch: "Boom" }, "catch"],
  [{ catch: [1] }, "catch"],
  [{ callbacks: [1] }, "callbacks"],
  [{ callbacks: () => {} }, "callbacks"],
  [{ callbacks: null }, "callbacks"],
  [{ signal: "abort" }, "signal"],
  [{ signal: {} }, "signal"],
  [{ progress: "yes" }, "progress"],
  [{ progress: { isTerminal: true, write: 1 } }, "progress"],
  [{ handleSignals: "no" }, "handleSignals"],
  [{ logger: "quiet" }, "logger"],
  [{ logger: { level: "loud", write: () => {} } }, "logger.level"],
  [{ logger: { level: "info" } }, "logger.write"],
  [{ heartbeat: null }, "heartbeat"],
  [{ heartbeat: { intervalMs: -1 } }, "heartbeat.intervalMs"],
];

Deno.test("optimize() rejects bad options, study and objective with a Left naming the field, never a throw, changing nothing stored", async () => {
  const dir = await Deno.makeTempDir();
  const storage = await runOrThrow(sqliteStorage(`${dir}/bad.db`));
  try {
    const study = await runOrThrow(createStudy({ storage }));
    await runOrThrow(optimize(study, quadratic, { nTrials: 2, logger: quiet }));
    const before = JSON.stringify(await runOrThrow(getTrials(study)));
    for (const [options, field] of badOptions) {
      const result = await optimize(study, quadratic, options as OptimizeOptions)();
      const e = expectLeft(result, "InvalidArgument");
      assert.match(e.message, new RegExp(`^Invalid '${field.replace(".", "\\.")}'`), e.message);
      assert.doesNotMatch(e.message, /trial -1/);
    }
    for (
      const [study2, objective, field] of [
        [null, quadratic, "study"],
        [{}, quadratic, "study"],
        ["s", quadratic, "study"],
        [study, null, "objective"],
        [study, 3, "objective"],
      ] as const
    ) {
      const result = await optimize(study2 as never, objective as never, { nTrials: 1 })();
      assert.match(
        expectLeft(result, "InvalidArgument").message,
        new RegExp(`^Invalid '${field}'`),
      );
    }
    assert.equal(JSON.stringify(await runOrThrow(getTrials(study))), before);
  } finally {
    await runOrThrow(storage.close());
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("optimize() refuses nested optimization on the same handle with a Left, and runs again afterwards", async () => {
  const study = await runOrThrow(createStudy());
  let nested: Either<HyperionError, unknown> | undefined;
  const summary = await runOrThrow(optimize(study, async () => {
    nested ??= await optimize(study, () => 1, { nTrials: 1 })();
    return 1;
  }, { nTrials: 2 }));
  assert.equal(summary.nTrials, 2);
  assert.equal(nested?._tag, "Left");
  assert.match(
    (nested as { left: HyperionError }).left.message,
    /nested optimization is not supported/,
  );
  assert.equal((await runOrThrow(optimize(study, () => 1, { nTrials: 1 }))).nTrials, 1);
  assert.equal((await runOrThrow(getTrials(study))).length, 3);
});
