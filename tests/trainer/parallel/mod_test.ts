/**
 * `fitParallel()` with real Workers: 1, 2 and 4 ranks against the single-rank run, the
 * collectives' arithmetic, failures of a rank (throw, silent end, uncaught error, mismatched
 * collectives) and bad arguments. Every failure test also checks that no Worker thread is left.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  arrayDataModule,
  createTrainer,
  fit,
  fitParallel,
  getOrThrow,
  type ParallelFitResult,
  registerPlugin,
  runOrThrow,
} from "../../../lib/trainer/mod.ts";
import type { Either, TaskEither } from "../../../lib/effect/mod.ts";
import type { HyperionError } from "../../../lib/errors.ts";
import { expectLeft } from "../../_helpers/study.ts";
import {
  contribution,
  regression,
  regressionPoints,
  type RegressionState,
} from "../../fixtures/parallel_models.ts";

const MODELS = new URL("../../fixtures/parallel_models.ts", import.meta.url);
const regressionExport = { url: MODELS, exportName: "regression" };
const { train, validation } = regressionPoints();
const GLOBAL_BATCH = 16;

/** The OS threads of this process (each Worker is one). */
function threads(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]);
}

/**
 * Runs `body` and checks that the process has no more threads afterwards than before. Other test
 * files run in this process too (`--parallel`), and the runtime's blocking-I/O threads they start
 * linger for up to 10 s when idle, so the count is given that long to come back down.
 */
async function noThreadLeft<T>(body: () => Promise<T>): Promise<T> {
  const before = threads();
  const out = await body();
  for (let i = 0; i < 150 && threads() > before; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(threads() <= before, `threads before ${before}, after ${threads()}`);
  return out;
}

const config = { totalSteps: 6, validationFrequency: 2, seed: 11 };

function parallel(
  worldSize: number,
  options: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): TaskEither<HyperionError, ParallelFitResult> {
  return fitParallel(
    getOrThrow(createTrainer(config)),
    regressionExport,
    { train, validation, batchSize: GLOBAL_BATCH / worldSize },
    { worldSize, options: options as never, ...extra },
  );
}

Deno.test("fitParallel() with 1, 2 and 4 ranks gives the single-rank result of the same global batch", async () => {
  const single = await runOrThrow(fit(
    getOrThrow(createTrainer(config)),
    regression({ rank: 0, worldSize: 1, options: undefined }),
    arrayDataModule(train, { batchSize: GLOBAL_BATCH, validation }),
  ));
  const one = await runOrThrow(parallel(1));
  // one rank: the very same arithmetic as fit, bit for bit
  assert.deepEqual(one.state, single.state);
  assert.deepEqual(one.metrics, single.metrics);
  for (const worldSize of [2, 4]) {
    const run = await runOrThrow(parallel(worldSize));
    assert.equal(run.ranks.length, worldSize);
    // every rank holds the same bits (the all-reduce adds in rank order on every rank)
    for (const r of run.ranks) assert.deepEqual(r.state, run.state);
    const { lastMetrics: _a, ...training } = run.training;
    const { lastMetrics: _b, ...singleTraining } = single.training;
    assert.deepEqual(training, singleTraining);
    // the sums are split into per-rank partial sums, so the last bits may differ: |Δ| ≤ 1e-12
    const w = (run.state as RegressionState).w, w1 = single.state.w;
    w.forEach((wi, i) => assert.ok(Math.abs(wi - (w1[i] as number)) <= 1e-12, `w${i}: ${wi}`));
    assert.ok(Math.abs((run.metrics.mse as number) - (single.metrics.mse as number)) <= 1e-12);
    // and a second run gives exactly the same bits
    assert.deepEqual((await runOrThrow(parallel(worldSize))).state, run.state);
  }
});

Deno.test("the collectives sum in rank order over several chunks, round Float32 once, broadcast", async () => {
  const worldSize = 3, length = 10;
  const run = await runOrThrow(fitParallel(
    getOrThrow(createTrainer({ totalSteps: 1 })),
    { url: MODELS, exportName: "collectives" },
    { train: [0, 1, 2], batchSize: 1 },
    { worldSize, chunkSize: 4, options: { length } },
  ));
  const sum = (i: number) => {
    let s = contribution(0, i);
    for (let r = 1; r < worldSize; r++) s += contribution(r, i);
    return s;
  };
  const f32 = (i: number) => {
    let s = Math.fround(contribution(0, i));
    for (let r = 1; r < worldSize; r++) s += Math.fround(contribution(r, i));
    return Math.fround(s);
  };
  const indices = Array.from({ length }, (_, i) => i);
  for (const r of run.ranks) {
    const s = r.state as { f64: number[]; f32: number[]; mean: number[]; broadcast: number[] };
    assert.deepEqual(s.f64, indices.map(sum));
    assert.deepEqual(s.f32, indices.map(f32));
    assert.deepEqual(s.mean, indices.map((i) => sum(i) / worldSize));
    assert.deepEqual(s.broadcast, indices.map((i) => contribution(worldSize - 1, i)));
  }
});

Deno.test("a rank that throws ends the run with RankFailed naming it, and no Worker is left", async () => {
  const result = await noThreadLeft(parallel(2, { throwAt: [1, 3] }));
  const e = expectLeft(result, "RankFailed") as HyperionError & { rank: number };
  assert.equal(e.rank, 1);
  assert.match(e.message, /^Rank 1 of 2 failed: .*injected failure on rank 1 at batch 3/);
});

Deno.test("a rank whose Worker ends silently fails the run within the collective timeout, naming it", async () => {
  const started = performance.now();
  const result = await noThreadLeft(
    parallel(2, { closeAt: [1, 2] }, { collectiveTimeoutMs: 1500 }),
  );
  const e = expectLeft(result, "RankFailed") as HyperionError & { rank: number };
  assert.equal(e.rank, 1);
  assert.match(e.message, /rank 1 did not reach allReduce\(4 values, 'sum'\)/);
  assert.ok(performance.now() - started < 60_000);
});

Deno.test("an uncaught error in a rank ends the run with RankFailed naming it", async () => {
  const result = await noThreadLeft(parallel(4, { uncaughtAt: [2, 2] }));
  const e = expectLeft(result, "RankFailed") as HyperionError & { rank: number };
  assert.equal(e.rank, 2);
  assert.match(e.message, /uncaught failure on rank 2/);
});

Deno.test("ranks that call different collectives fail with a mismatch instead of hanging", async () => {
  const result = await noThreadLeft(parallel(2, { mismatchAt: [1, 2] }));
  const e = expectLeft(result, "RankFailed") as HyperionError & { rank: number };
  assert.equal(e.rank, 1);
  assert.match(e.message, /rank 1 called barrier\(\) while rank 0 called allReduce\(4 values/);
});

Deno.test("fitParallel() refuses bad arguments with a Left naming the field", async () => {
  const trainer = getOrThrow(createTrainer(config));
  const data = { train, batchSize: 8 };
  const cases: Array<[() => Promise<Either<HyperionError, unknown>>, RegExp]> = [
    [fitParallel(trainer, regressionExport, data, { worldSize: 0 }), /'options\.worldSize'/],
    [
      fitParallel(trainer, { url: "not a url", exportName: "regression" }, data, {
        worldSize: 2,
      }),
      /'model\.url'/,
    ],
    [
      fitParallel(trainer, { url: MODELS, exportName: "nothing" }, data, { worldSize: 2 }),
      /'model\.exportName'.*got 'nothing'/,
    ],
    [
      fitParallel(
        getOrThrow(registerPlugin(trainer, { id: "aug", processTrainingBatch: (b) => b })),
        regressionExport,
        data,
        { worldSize: 2 },
      ),
      /'trainer\.plugins'.*processTrainingBatch/,
    ],
  ];
  for (const [run, message] of cases) {
    const e = expectLeft(await noThreadLeft(run), "InvalidArgument");
    assert.match(e.message, message);
  }
});
