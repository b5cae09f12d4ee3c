import assert from "node:assert/strict";
import {
  categorical,
  createLogger,
  fixedTrial,
  float,
  getOrThrow,
  int,
  type LogEntry,
  report,
  runOrThrow,
  setUserAttr,
  shouldPrune,
  suggest,
  suggestCategorical,
  suggestFloat,
  suggestInt,
} from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";

Deno.test("fixedTrial() hands the objective its parameters through every suggest form", async () => {
  const trial = await runOrThrow(
    fixedTrial({ x: 0.25, n: 3, act: "tanh", lr: 1e-3 }, { number: 7 }),
  );
  assert.equal(trial.number, 7);
  assert.equal(await runOrThrow(suggestFloat(trial, "x", 0, 1)), 0.25);
  assert.equal(await runOrThrow(suggestInt(trial, "n", 1, 8)), 3);
  assert.equal(await runOrThrow(suggestCategorical(trial, "act", ["relu", "tanh"])), "tanh");
  assert.deepEqual(
    await runOrThrow(
      suggest(trial, {
        lr: float(1e-5, 1, { log: true }),
        n: int(1, 8),
        act: categorical(["relu", "tanh"]),
      }),
    ),
    { lr: 1e-3, n: 3, act: "tanh" },
  );
  // a second suggest of the same name returns the same value
  assert.equal(await runOrThrow(suggestFloat(trial, "x", 0, 1)), 0.25);
  await runOrThrow(report(trial, 0.5, 1));
  assert.equal(await runOrThrow(shouldPrune(trial)), false);
  await runOrThrow(setUserAttr(trial, "k", 1));
});

Deno.test("fixedTrial(): a missing parameter is a Left naming it; an unknown choice is a Left", async () => {
  const trial = await runOrThrow(fixedTrial({ x: 0.5, act: "gelu" }));
  const e = expectLeft(await suggestFloat(trial, "y", 0, 1)(), "InvalidArgument");
  assert.match(e.message, /'y'/);
  assert.equal((await suggestCategorical(trial, "act", ["relu", "tanh"])())._tag, "Left");
});

Deno.test("fixedTrial(): a value outside the distribution is returned as is, with a warning", async () => {
  const entries: LogEntry[] = [];
  const trial = await runOrThrow(fixedTrial({ x: 5 }));
  trial.study.runtime.logger = getOrThrow(
    createLogger({ level: "warning", write: (e) => entries.push(e) }),
  );
  assert.equal(await runOrThrow(suggestFloat(trial, "x", 0, 1)), 5);
  assert.equal(entries.length, 1);
  assert.match(entries[0]!.message, /"x" with value 5 is out of range/);
});

Deno.test("fixedTrial() refuses bad params and numbers with a Left", async () => {
  expectLeft(await fixedTrial(null as never)(), "InvalidArgument");
  expectLeft(await fixedTrial({ x: [1] as never })(), "InvalidArgument");
  expectLeft(await fixedTrial({}, { number: -1 })(), "InvalidArgument");
});
