import assert from "node:assert/strict";
import {
  ask,
  createLogger,
  createStudy,
  fail,
  getOrThrow,
  getVerbosity,
  type LogEntry,
  type Logger,
  loggingSettings,
  type LogLevel,
  map,
  optimize,
  report,
  runOrThrow,
  setVerbosity,
  stderrLogger,
  succeed,
  suggestFloat,
  type TaskEither,
  trialPruned,
} from "../../mod.ts";
import { defaultLogger, formatLogEntry } from "../../lib/study/logging.ts";

function capture(level: LogLevel = "debug"): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { logger: getOrThrow(createLogger({ level, write: (e) => entries.push(e) })), entries };
}

const lines = (entries: ReadonlyArray<LogEntry>): string[] =>
  entries.map((e) => `${e.severity}: ${e.message}`);

/** Runs `body` with the default logger's settings set, restoring them afterwards. */
async function withDefaults(
  settings: { level: LogLevel | undefined; write: ((e: LogEntry) => void) | undefined },
  body: () => Promise<void>,
): Promise<void> {
  const saved = { ...loggingSettings };
  Object.assign(loggingSettings, settings);
  try {
    await body();
  } finally {
    Object.assign(loggingSettings, saved);
  }
}

Deno.test("optimize() logs an INFO line per finished trial with value, parameters and the best so far, as Optuna does", async () => {
  const study = await runOrThrow(createStudy());
  const values = [3, 1, 2];
  const { logger, entries } = capture("info");
  await runOrThrow(
    optimize(study, (trial) => map(suggestFloat(trial, "x", 0, 1), () => values[trial.number]!), {
      nTrials: 3,
      logger,
    }),
  );
  const x = (await runOrThrow(ask(study))).number; // a 4th trial, not logged (no optimize)
  assert.equal(x, 3);
  assert.equal(entries.length, 3);
  assert.match(
    entries[0]!.message,
    /^Trial 0 finished with value: 3 and parameters: \{"x": 0\.\d+\}\. Best is trial 0 with value: 3\.$/,
  );
  assert.match(
    entries[1]!.message,
    /^Trial 1 finished with value: 1 .* Best is trial 1 with value: 1\.$/,
  );
  assert.match(
    entries[2]!.message,
    /^Trial 2 finished with value: 2 .* Best is trial 1 with value: 1\.$/,
  );
  assert.ok(entries.every((e) => e.severity === "info"));
  // a second run knows the best of the first
  const again = capture("info");
  await runOrThrow(optimize(study, () => succeed(5), { nTrials: 1, logger: again.logger }));
  assert.match(again.entries[0]!.message, /^Trial 4 finished .* Best is trial 1 with value: 1\.$/);
});

Deno.test("optimize() logs multi-objective values, pruned trials and a WARNING with the reason for each failed trial", async () => {
  const multi = await runOrThrow(createStudy({ directions: ["minimize", "maximize"] }));
  const m = capture();
  await runOrThrow(optimize(multi, () => [1, 2], { nTrials: 1, logger: m.logger }));
  assert.deepEqual(lines(m.entries), [
    "info: Trial 0 finished with values: [1, 2] and parameters: {}.",
  ]);
  const study = await runOrThrow(createStudy());
  const { logger, entries } = capture();
  const outputs: ReadonlyArray<() => TaskEither<unknown, number>> = [
    () => fail(trialPruned("too slow")),
    () => succeed(NaN),
    () => () => Promise.reject(new RangeError("bad lr")),
    () => succeed(1),
  ];
  await runOrThrow(optimize(study, async (trial) => {
    await runOrThrow(report(trial, 0.5, 0));
    return await outputs[trial.number]!()();
  }, { nTrials: 4, logger, catch: ["RangeError"] }));
  assert.deepEqual(lines(entries), [
    "info: Trial 0 pruned. too slow",
    "warning: Trial 1 failed with value NaN: the value NaN is not acceptable",
    "warning: Trial 2 failed with parameters: {} because of the following error: RangeError: bad lr.",
    "info: Trial 3 finished with value: 1 and parameters: {}. Best is trial 3 with value: 1.",
  ]);
});

Deno.test("a logger's level filters entries, and 'silent' writes nothing", async () => {
  for (
    const [level, count] of [["debug", 2], ["info", 2], ["warning", 1], ["error", 0], [
      "silent",
      0,
    ]] as const
  ) {
    const study = await runOrThrow(createStudy());
    const { logger, entries } = capture(level);
    await runOrThrow(optimize(study, (t) => succeed(t.number === 0 ? NaN : 1), {
      nTrials: 2,
      logger,
    }));
    assert.equal(entries.length, count, level);
  }
});

Deno.test("suggesting a parameter again in a trial with a different range logs a WARNING and keeps the first value", async () => {
  const study = await runOrThrow(createStudy());
  const { logger, entries } = capture("warning");
  const seen: number[] = [];
  await runOrThrow(optimize(study, async (trial) => {
    const a = await runOrThrow(suggestFloat(trial, "x", 0, 1));
    const b = await runOrThrow(suggestFloat(trial, "x", 0, 1)); // same: no warning
    const c = await runOrThrow(suggestFloat(trial, "x", 0, 2)); // another range
    seen.push(a, b, c);
    return a;
  }, { nTrials: 1, logger }));
  assert.equal(new Set(seen).size, 1);
  assert.equal(entries.length, 1);
  assert.match(
    entries[0]!.message,
    /^Trial 0 suggested "x" again with a different distribution: .*"high": 2\.0.* instead of .*"high": 1\.0.*the first distribution and its value are kept\.$/,
  );
  // outside optimize, the default logger gets it
  const outside: LogEntry[] = [];
  await withDefaults({ level: "warning", write: (e) => outside.push(e) }, async () => {
    const trial = await runOrThrow(ask(study));
    await runOrThrow(suggestFloat(trial, "y", 0, 1));
    await runOrThrow(suggestFloat(trial, "y", 0, 1, { log: false, step: 0.5 }));
  });
  assert.equal(outside.length, 1);
  assert.match(outside[0]!.message, /^Trial 1 suggested "y" again/);
});

Deno.test("without a logger option, optimize() uses the default logger of loggingSettings; setVerbosity changes its level", async () => {
  const study = await runOrThrow(createStudy());
  const written: LogEntry[] = [];
  await withDefaults({ level: undefined, write: (e) => written.push(e) }, async () => {
    // the tests' stderr is not a terminal: WARNING by default, so no INFO line
    assert.equal(getVerbosity(), "warning");
    await runOrThrow(optimize(study, () => 1, { nTrials: 1 }));
    assert.equal(written.length, 0);
    assert.equal(getOrThrow(setVerbosity("info")), undefined);
    assert.equal(defaultLogger().level, "info");
    await runOrThrow(optimize(study, () => 1, { nTrials: 1 }));
    assert.equal(written.length, 1);
    assert.equal(getOrThrow(setVerbosity("silent")), "info");
    await runOrThrow(optimize(study, () => NaN, { nTrials: 1 }));
    assert.equal(written.length, 1);
    assert.equal(setVerbosity("loud" as never)._tag, "Left");
    assert.equal(getVerbosity(), "silent");
  });
  assert.equal(loggingSettings.level, undefined);
});

Deno.test("formatLogEntry() writes Optuna's prefix; stderrLogger writes one line per entry", () => {
  const time = new Date(2025, 0, 2, 3, 4, 5, 6);
  assert.equal(
    formatLogEntry({ severity: "warning", message: "m", time }),
    "[W 2025-01-02 03:04:05,006] m",
  );
  assert.equal(stderrLogger("silent").level, "silent");
});

Deno.test("a throwing logger never changes a run's outcome", async () => {
  const study = await runOrThrow(createStudy());
  const logger: Logger = {
    level: "debug",
    write: () => {
      throw new Error("disk full");
    },
  };
  const summary = await runOrThrow(optimize(study, () => 1, { nTrials: 2, logger }));
  assert.equal(summary.counts.COMPLETE, 2);
});

Deno.test("log lines during a terminal progress bar clear the bar first and redraw it after", async () => {
  const study = await runOrThrow(createStudy());
  const out: string[] = [];
  const { logger, entries } = capture("info");
  const progress = { isTerminal: true, write: (s: string) => out.push(s) };
  await runOrThrow(optimize(study, () => 1, {
    nTrials: 2,
    progress,
    logger: { level: "info", write: (e) => (out.push(`LOG ${e.message}\n`), logger.write(e)) },
  }));
  assert.equal(entries.length, 2);
  // bar(1) is drawn, then trial 1's line: clear, log, redraw; then bar(2), newline
  const clear = out.findIndex((s) => /^\r +\r$/.test(s));
  assert.ok(clear > 0, JSON.stringify(out));
  assert.match(out[clear + 1]!, /^LOG Trial 1 finished/);
  assert.match(out[clear + 2]!, /^\r\[/);
  assert.equal(out.at(-1), "\n");
});
