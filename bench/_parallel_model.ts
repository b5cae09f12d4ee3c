/**
 * The compute-bound model of `bench/parallel_speedup.ts`, imported by every rank: a
 * 128 → 512 → 1 perceptron (ReLU) fitted by SGD with plain `Float64Array` loops to a fixed
 * random teacher on 4096 synthetic points. A step costs about 2·128·512 multiply-adds per example
 * forward and backward; the gradient (66 561 values) is all-reduced every step, and the state
 * records the time the loop took on this rank.
 *
 * @module
 */
import { arrayDataModule, type DataModule, type Model, type RankInit } from "../lib/trainer/mod.ts";
import { normal, rngFromSeed } from "../lib/random/rng.ts";

const D = 128, H = 512;
const SIZE = D * H + H + H + 1;

/** The state: the weights (W1 row-major, b1, w2, b2) and the loop's duration in ms. */
export interface MlpState {
  readonly w: Float64Array;
  readonly startedAt: number;
  readonly loopMs: number;
}

function points(n: number): Array<{ x: number[]; y: number }> {
  const rng = rngFromSeed("mlp-bench-data");
  const teacher = Array.from({ length: D }, () => normal(rng, 0, 1));
  return Array.from({ length: n }, () => {
    const x = Array.from({ length: D }, () => normal(rng, 0, 1));
    const y = Math.tanh(x.reduce((s, xi, i) => s + xi * (teacher[i] as number), 0) / Math.sqrt(D));
    return { x, y };
  });
}

/** The data: 4096 points, `options.batch` per rank. */
export function mlpData(init: RankInit): DataModule<ReadonlyArray<{ x: number[]; y: number }>> {
  return arrayDataModule(points(4096), { batchSize: (init.options as { batch: number }).batch });
}

/** Forward and backward over `batch`, adding the gradient into `g`. */
function accumulate(
  w: Float64Array,
  g: Float64Array,
  batch: ReadonlyArray<{ x: number[]; y: number }>,
): void {
  const h = new Float64Array(H);
  const b1 = D * H, w2 = b1 + H, b2 = w2 + H;
  for (const { x, y } of batch) {
    let out = w[b2] as number;
    for (let j = 0; j < H; j++) {
      let s = w[b1 + j] as number;
      const row = j * D;
      for (let i = 0; i < D; i++) s += (w[row + i] as number) * (x[i] as number);
      h[j] = s > 0 ? s : 0;
      out += (w[w2 + j] as number) * (h[j] as number);
    }
    const e = out - y;
    g[b2] = (g[b2] as number) + e;
    for (let j = 0; j < H; j++) {
      g[w2 + j] = (g[w2 + j] as number) + e * (h[j] as number);
      if ((h[j] as number) <= 0) continue;
      const d = e * (w[w2 + j] as number);
      g[b1 + j] = (g[b1 + j] as number) + d;
      const row = j * D;
      for (let i = 0; i < D; i++) g[row + i] = (g[row + i] as number) + d * (x[i] as number);
    }
  }
}

/** The model of one rank. */
export function mlp(_init: RankInit): Model<MlpState, ReadonlyArray<{ x: number[]; y: number }>> {
  return {
    saveName: "mlp",
    setup: (ctx) => {
      const w = new Float64Array(SIZE);
      for (let i = 0; i < D * H; i++) w[i] = normal(ctx.rng, 0, 1 / Math.sqrt(D));
      for (let j = 0; j < H; j++) w[D * H + H + j] = normal(ctx.rng, 0, 1 / Math.sqrt(H));
      return { w, startedAt: 0, loopMs: 0 };
    },
    onTrainingStart: (s) => ({ ...s, startedAt: performance.now() }),
    trainStep: (s, batch, ctx) => {
      const g = new Float64Array(SIZE + 1);
      accumulate(s.w, g, batch);
      g[SIZE] = batch.length;
      const reduced = ctx.collective.allReduce(g);
      if (reduced._tag === "Left") return reduced;
      const scale = 0.01 / (g[SIZE] as number);
      for (let i = 0; i < SIZE; i++) s.w[i] = (s.w[i] as number) - scale * (g[i] as number);
      return { state: s };
    },
    onTrainingEnd: (s) => ({ ...s, loopMs: performance.now() - s.startedAt }),
    stateDict: (s) => ({ loopMs: s.loopMs, checksum: s.w.reduce((a, b) => a + b, 0) }),
  };
}
