/**
 * Data-parallel training on one machine, the way PyTorch's DDP runs several ranks on one host:
 * {@link fitParallel} starts `worldSize` ranks as Workers (threads), each running `fit` on its
 * shard of the data with its rank, and gives the model collective operations
 * (`ctx.collective`: all-reduce, broadcast, barrier) over a `SharedArrayBuffer`.
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument, tagOf } from "../../errors.ts";
import type { JsonValue } from "../../core/json.ts";
import { spawnWorker, type WorkerHandle } from "../../runtime/workers.ts";
import { rankFailed } from "../errors.ts";
import type { Trainer } from "../trainer.ts";
import type { FitResult } from "../types.ts";
import { abortCollective, type CollectiveMemory, collectiveMemory } from "./_collective.ts";
import { serveHook } from "./_host.ts";
import type {
  ArrayDataSpec,
  ModuleExport,
  PluginSpec,
  RankMessage,
  RankResult,
  StartMessage,
} from "./_protocol.ts";

export type { ArrayDataSpec, ModuleExport, RankResult } from "./_protocol.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a model or data module export that is a function receives in each rank: it returns the
 * model (or data module) of that rank, or a promise of it.
 *
 * @category model
 */
export interface RankInit {
  /** The rank (0 to `worldSize - 1`). */
  readonly rank: number;
  /** How many ranks. */
  readonly worldSize: number;
  /** `FitParallelOptions.options`, as given (hyperparameters, for example). */
  readonly options: JsonValue | undefined;
}

/**
 * Options of {@link fitParallel}.
 *
 * @category model
 */
export interface FitParallelOptions {
  /** How many ranks (Workers) train together: a positive integer. */
  readonly worldSize: number;
  /**
   * JSON handed to the model's and the data module's factories (`RankInit.options`).
   *
   * @default {undefined}
   */
  readonly options?: JsonValue;
  /**
   * The model's save name in every rank, replacing the export's (checkpoints go to
   * `<chkptRoot>/<saveName>/`): with the tuning plug-in, `plugin.trialSaveName(name)`, the
   * parallel form of `plugin.configureModel`.
   *
   * @default {undefined}
   */
  readonly saveName?: string;
  /**
   * How long a rank waits for the others in one collective operation before the run fails
   * with `RankFailed` naming the ranks that did not arrive (ms).
   *
   * @default {300000}
   */
  readonly collectiveTimeoutMs?: number;
  /**
   * Elements of each rank's shared-memory slot; longer buffers go through in chunks.
   *
   * @default {262144}
   */
  readonly chunkSize?: number;
}

/**
 * What {@link fitParallel} returns: rank 0's result (its `state` as the model's `stateDict`
 * saves it, since model states do not cross threads) and every rank's.
 *
 * @category model
 */
export interface ParallelFitResult extends Omit<FitResult<unknown>, "state"> {
  /** Rank 0's final model state, as its `stateDict` saves it (the state itself without one). */
  readonly state: unknown;
  /** Every rank's result, by rank. */
  readonly ranks: ReadonlyArray<RankResult>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Trains a model data-parallel with `options.worldSize` ranks, as a lazy {@link TaskEither}.
 *
 * **The model is a module export**, `{ url, exportName }`: Workers cannot receive closures, so
 * every rank imports the module at `url` and takes its export `exportName`, either a `Model`
 * or a function `(init: RankInit) => Model | Promise<Model>` (hyperparameters reach it as
 * `init.options`). `data` is a module export of the same kind (a `DataModule` or a factory of
 * one) or an {@link ArrayDataSpec}, arrays copied to every rank.
 *
 * **Sharding** is deterministic and by rank: each rank's trainer has `rank` and `worldSize`, and
 * the data module yields that rank's shard of every epoch (`arrayDataModule` shuffles the whole
 * list with the epoch's seed, then position `i` goes to rank `i % worldSize`). Every rank must
 * yield the same number of batches, since the ranks meet in collectives.
 *
 * **Collectives.** The model calls `ctx.collective.allReduce(gradients, "mean")` in its
 * `trainStep` (sums in rank order: deterministic, the same bits on every rank), `broadcast`,
 * `barrier`. Every rank draws its initial weights from the same seeded `ctx.rng`.
 *
 * **Plug-ins stay in the main thread.** Rank 0 forwards every hook of the trainer's plug-ins to
 * them (other ranks do not); a plug-in's `shouldTrainingStop` answer is broadcast from rank 0
 * to every rank, so all stop after the same batch; `acceptCheckpoint` is asked by every rank.
 * Plug-ins that transform batches are refused (`InvalidArgument`). Hooks get a copy of rank 0's
 * context; its collectives refuse to run.
 *
 * **Checkpoints and logs.** Rank 0 writes checkpoints, logs and progress (a `progress` function
 * is called in the main thread); every rank resumes from the latest checkpoint.
 *
 * **Failures.** When a rank fails (a `Left` from its `fit`, a throw, an uncaught error, its
 * Worker ending, or a collective that times out), the run ends at once with `RankFailed` naming
 * the rank: the other ranks' collectives are aborted through the shared memory and every Worker
 * is terminated. Bad arguments are `InvalidArgument` (a bad export, detected in the ranks, too).
 *
 * **Runtimes.** Deno and Bun run ranks as web `Worker`s, Node as `node:worker_threads`; the
 * model module must be loadable there (a `.ts` file needs Node >= 22.18). Deno needs
 * `--allow-read` for the modules, plus what the model needs.
 *
 * @example Two ranks fit the mean of four numbers with all-reduced gradients
 * ```ts
 * import { createTrainer, fitParallel, getOrThrow, runOrThrow } from "@hyperion/tune/trainer";
 * import { join } from "node:path";
 * import { pathToFileURL } from "node:url";
 * import assert from "node:assert/strict";
 *
 * // The model lives in a module: every rank's Worker imports it by URL.
 * const dir = await Deno.makeTempDir();
 * const file = join(dir, "mean_model.js");
 * await Deno.writeTextFile(file, `export const model = {
 *   saveName: "mean",
 *   setup: () => ({ w: 0 }),
 *   trainStep: (s, batch, ctx) => {
 *     const g = new Float64Array([batch.reduce((a, x) => a + (s.w - x), 0) / batch.length]);
 *     const reduced = ctx.collective.allReduce(g, "mean"); // the mean over the ranks
 *     return reduced._tag === "Left" ? reduced : { state: { w: s.w - 0.5 * g[0] } };
 *   },
 * };`);
 * const result = await runOrThrow(fitParallel(
 *   getOrThrow(createTrainer({ totalSteps: 30 })),
 *   { url: pathToFileURL(file), exportName: "model" },
 *   { train: [1, 2, 3, 4], batchSize: 2 },
 *   { worldSize: 2 },
 * ));
 * assert.ok(Math.abs((result.state as { w: number }).w - 2.5) < 1e-3);
 * assert.deepEqual(result.ranks.map((r) => r.state), [result.state, result.state]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @category constructors
 */
export function fitParallel(
  trainer: Trainer,
  model: ModuleExport,
  data: ModuleExport | ArrayDataSpec,
  options: FitParallelOptions,
): TaskEither<HyperionError, ParallelFitResult> {
  return async () => {
    const started = startMessages(trainer, model, data, options);
    if (started._tag === "Left") return started;
    return await runRanks(trainer, started.right.memory, started.right.messages);
  };
}

// -------------------------------------------------------------------------------------
// arguments
// -------------------------------------------------------------------------------------

const BATCH_HOOKS = ["processTrainingBatch", "processValidationBatch"] as const;

function exportSpec(
  value: ModuleExport,
  field: string,
): Either<HyperionError, { readonly url: string; readonly exportName: string }> {
  const bad = (sub: string, v: unknown, expected: string) =>
    left(invalidArgument({ field: `${field}.${sub}`, value: v, expected }));
  if (typeof value !== "object" || value === null) {
    return left(invalidArgument({ field, value, expected: "{ url, exportName }" }));
  }
  if (typeof value.exportName !== "string" || value.exportName.length === 0) {
    return bad("exportName", value.exportName, "the name of an export of the module");
  }
  try {
    return right({ url: new URL(String(value.url)).href, exportName: value.exportName });
  } catch {
    return bad("url", String(value.url), "an absolute module URL (new URL(path, import.meta.url))");
  }
}

function pluginSpecs(trainer: Trainer): Either<HyperionError, ReadonlyArray<PluginSpec>> {
  const specs: PluginSpec[] = [];
  for (const p of trainer.plugins) {
    const batchHook = BATCH_HOOKS.find((h) => typeof p[h] === "function");
    if (batchHook !== undefined) {
      return left(invalidArgument({
        field: "trainer.plugins",
        value: p.id,
        expected: `plug-ins without '${batchHook}' (batch transforms cannot run in the main ` +
          "thread; do them in the model or the data module)",
      }));
    }
    const hooks = Object.keys(p).filter((k) =>
      k !== "id" && typeof p[k as keyof typeof p] === "function"
    );
    specs.push({ id: p.id, hooks });
  }
  return right(specs);
}

function positiveInteger(field: string, value: unknown): Either<HyperionError, number> {
  return Number.isInteger(value) && (value as number) > 0
    ? right(value as number)
    : left(invalidArgument({ field, value, expected: "a positive integer" }));
}

function startMessages(
  trainer: Trainer,
  model: ModuleExport,
  data: ModuleExport | ArrayDataSpec,
  options: FitParallelOptions,
): Either<HyperionError, { memory: CollectiveMemory; messages: ReadonlyArray<StartMessage> }> {
  if (typeof trainer?.config !== "object" || !Array.isArray(trainer.plugins)) {
    return left(invalidArgument({ field: "trainer", value: trainer, expected: "a trainer" }));
  }
  const worldSize = positiveInteger("options.worldSize", options?.worldSize);
  if (worldSize._tag === "Left") return worldSize;
  const timeout = positiveInteger(
    "options.collectiveTimeoutMs",
    options.collectiveTimeoutMs ?? 300_000,
  );
  if (timeout._tag === "Left") return timeout;
  const chunk = positiveInteger("options.chunkSize", options.chunkSize ?? 262_144);
  if (chunk._tag === "Left") return chunk;
  const modelSpec = exportSpec(model, "model");
  if (modelSpec._tag === "Left") return modelSpec;
  const dataSpec = dataSource(data);
  if (dataSpec._tag === "Left") return dataSpec;
  const plugins = pluginSpecs(trainer);
  if (plugins._tag === "Left") return plugins;
  const saveName = options.saveName;
  if (saveName !== undefined && (typeof saveName !== "string" || saveName.length === 0)) {
    return left(invalidArgument({
      field: "options.saveName",
      value: saveName,
      expected: "a non-empty name",
    }));
  }
  const memory = collectiveMemory(worldSize.right, chunk.right, timeout.right);
  const { progress, ...config } = trainer.config;
  const messages = Array.from({ length: worldSize.right }, (_, rank): StartMessage => ({
    kind: "start",
    rank,
    memory,
    config: { ...config, progress: progress === true },
    forwardProgress: typeof progress === "function",
    trainExceptions: trainer.trainExceptions,
    plugins: plugins.right,
    model: modelSpec.right,
    data: dataSpec.right,
    options: options.options,
    saveName,
  }));
  return right({ memory, messages });
}

function dataSource(
  data: ModuleExport | ArrayDataSpec,
): Either<HyperionError, StartMessage["data"]> {
  if (typeof data === "object" && data !== null && "train" in data) {
    if (!Array.isArray(data.train)) {
      return left(
        invalidArgument({ field: "data.train", value: data.train, expected: "an array" }),
      );
    }
    return right(data);
  }
  return exportSpec(data as ModuleExport, "data");
}

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

/** One run's Workers and what they have reported; the promise's settlement. */
interface Run {
  readonly trainer: Trainer;
  readonly memory: CollectiveMemory;
  readonly workers: Array<WorkerHandle | undefined>;
  readonly results: Array<RankResult | undefined>;
  finished: boolean;
  readonly settle: (result: Either<HyperionError, ParallelFitResult>) => void;
}

/** The rank to blame for `error` from `rank`: a collective's culprit, else the rank itself. */
function culprit(rank: number, error: unknown): number {
  const e = error as { _tag?: string; cause?: unknown; culprits?: ReadonlyArray<number> };
  const collective = tagOf(e) === "CollectiveFailed"
    ? e
    : tagOf(e?.cause) === "CollectiveFailed"
    ? e.cause as typeof e
    : undefined;
  return collective?.culprits?.[0] ?? rank;
}

function fail(run: Run, rank: number, cause: unknown): void {
  if (run.finished) return;
  run.finished = true;
  const blamed = culprit(rank, cause);
  abortCollective(run.memory, blamed);
  const tag = tagOf(cause);
  const direct = tag === "InvalidArgument" ? cause as HyperionError : undefined;
  run.settle(left(
    direct ?? rankFailed({ rank: blamed, worldSize: run.memory.worldSize, cause }),
  ));
}

function finish(run: Run, rank: number, result: RankResult): void {
  run.results[rank] = result;
  if (run.finished || run.results.some((r) => r === undefined)) return;
  run.finished = true;
  const ranks = run.results as RankResult[];
  const { rank: _rank, ...first } = ranks[0] as RankResult;
  run.settle(right({ ...first, ranks }));
}

function onMessage(run: Run, rank: number, data: unknown): void {
  const msg = data as RankMessage;
  switch (msg.kind) {
    case "done":
      return finish(run, rank, msg.result);
    case "failed":
      return fail(run, rank, msg.error);
    case "progress": {
      const progress = run.trainer.config.progress;
      if (typeof progress === "function") progress(msg.line);
      return;
    }
    case "hook":
      void serveHook(run.trainer.plugins, run.memory.worldSize, msg).then((reply) => {
        if (!run.finished) run.workers[rank]?.post(reply);
      });
  }
}

async function spawnRank(run: Run, rank: number, message: StartMessage): Promise<void> {
  const url = new URL("./_worker.ts", import.meta.url);
  const worker = await spawnWorker(url, {
    message: (data) => onMessage(run, rank, data),
    error: (error) => fail(run, rank, error),
    exit: (code) => {
      if (run.results[rank] === undefined) {
        fail(run, rank, new Error(`its Worker ended (exit code ${code}) before its fit returned`));
      }
    },
  });
  run.workers[rank] = worker;
  worker.post(message);
}

async function runRanks(
  trainer: Trainer,
  memory: CollectiveMemory,
  messages: ReadonlyArray<StartMessage>,
): Promise<Either<HyperionError, ParallelFitResult>> {
  let settle: Run["settle"] = () => {};
  const settled = new Promise<Either<HyperionError, ParallelFitResult>>((r) => (settle = r));
  const run: Run = {
    trainer,
    memory,
    workers: messages.map(() => undefined),
    results: messages.map(() => undefined),
    finished: false,
    settle: (result) => settle(result),
  };
  try {
    await Promise.all(messages.map((m) => spawnRank(run, m.rank, m)));
  } catch (cause) {
    fail(run, run.workers.findIndex((w) => w === undefined), cause);
  }
  try {
    return await settled;
  } finally {
    run.finished = true;
    await Promise.all(run.workers.map((w) => w?.terminate()));
  }
}
