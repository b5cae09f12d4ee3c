/**
 * Speed-up of `fitParallel` on a compute-bound model (`bench/_parallel_model.ts`: a 128 → 512 → 1
 * perceptron in plain `Float64Array` loops, gradients of 66 561 values all-reduced every step):
 * the same epochs over the same 4096 points with a global batch of 256, run by 1 rank and by 2
 * ranks (batches of 128 each), each through `fitParallel` so both pay the same Worker costs.
 * Runs alternate (1, 2, 1, 2, …) `--repeat` times; it prints every run, the medians, the
 * speed-up of the training loop (rank 0's time from `onTrainingStart` to `onTrainingEnd`) and of
 * the whole call (Worker start and module load included), and the load average before and after.
 * Python Optuna has no data-parallel trainer, so there is no Python column.
 *
 * Run: `deno run -A bench/parallel_speedup.ts [--repeat 3] [--epochs 6] [--batch 256]` (the global
 * batch: a larger one does more work per all-reduce). Under `deno bench`
 * nothing runs.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createTrainer, fitParallel, getOrThrow, runOrThrow } from "../lib/trainer/mod.ts";

const MODULE = new URL("./_parallel_model.ts", import.meta.url);
/** The global batch (`--batch`): each of N ranks takes batch / N points a step. */
const DEFAULT_GLOBAL_BATCH = 256;

/** CPU time of this process (every thread, Workers included) in ms, from /proc/self/stat. */
function cpuMs(): number {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return NaN;
  }
}

function load(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

async function once(
  worldSize: number,
  epochs: number,
  globalBatch: number,
): Promise<{ loop: number; total: number; cpu: number; checksum: number }> {
  const started = performance.now(), cpu0 = cpuMs();
  const run = await runOrThrow(fitParallel(
    getOrThrow(createTrainer({ totalSteps: epochs, seed: 1 })),
    { url: MODULE, exportName: "mlp" },
    { url: MODULE, exportName: "mlpData" },
    { worldSize, options: { batch: globalBatch / worldSize } },
  ));
  const state = run.state as { loopMs: number; checksum: number };
  return {
    loop: state.loopMs,
    total: performance.now() - started,
    cpu: cpuMs() - cpu0,
    checksum: state.checksum,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length / 2;
  return s.length % 2 === 1
    ? s[Math.floor(m)] as number
    : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      repeat: { type: "string", default: "3" },
      epochs: { type: "string", default: "6" },
      batch: { type: "string", default: String(DEFAULT_GLOBAL_BATCH) },
    },
  });
  const repeat = Number(values.repeat), epochs = Number(values.epochs);
  const cores = navigator.hardwareConcurrency;
  console.log(`cores ${cores}, global batch ${values.batch}, load average before: ${load()}`);
  const times: Record<number, { loop: number[]; total: number[]; cpu: number[] }> = {
    1: { loop: [], total: [], cpu: [] },
    2: { loop: [], total: [], cpu: [] },
  };
  for (let r = 0; r < repeat; r++) {
    for (const worldSize of [1, 2]) {
      const t = await once(worldSize, epochs, Number(values.batch));
      times[worldSize]!.loop.push(t.loop);
      times[worldSize]!.total.push(t.total);
      times[worldSize]!.cpu.push(t.cpu);
      console.log(
        `  run ${r + 1}, ${worldSize} rank(s): loop ${t.loop.toFixed(0)} ms, whole call ${
          t.total.toFixed(0)
        } ms, CPU ${t.cpu.toFixed(0)} ms (weights checksum ${t.checksum.toFixed(6)})`,
      );
    }
  }
  const row = (w: number) =>
    `${w} rank(s): loop ${median(times[w]!.loop).toFixed(0)} ms, whole call ${
      median(times[w]!.total).toFixed(0)
    } ms`;
  console.log(`medians of ${repeat}: ${row(1)}; ${row(2)}`);
  console.log(
    `speed-up with 2 ranks: loop ${
      (median(times[1]!.loop) / median(times[2]!.loop)).toFixed(2)
    }×, ` +
      `whole call ${
        (median(times[1]!.total) / median(times[2]!.total)).toFixed(2)
      }× (target ≥ 1.6× on 2 idle cores)`,
  );
  // On a machine whose cores are taken by other processes the wall-clock figure says little;
  // the CPU figures say how much work the ranks added (Worker start, module load, collectives).
  const cpu1 = median(times[1]!.cpu), cpu2 = median(times[2]!.cpu);
  console.log(
    `CPU time: 1 rank ${cpu1.toFixed(0)} ms, 2 ranks ${cpu2.toFixed(0)} ms in all ` +
      `(${(cpu2 / cpu1).toFixed(2)}× the work; on 2 idle cores at most ${
        (2 * cpu1 / cpu2).toFixed(2)
      }× faster)`,
  );
  console.log(`load average after: ${load()}`);
}

if (import.meta.main) await main();
