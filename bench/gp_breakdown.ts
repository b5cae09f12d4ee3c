/**
 * Where one GP trial's time goes (ours only): on `n` random Hartmann-6 points, the CPU
 * milliseconds of the kernel fit (from the defaults, and warm-started from the fit on the
 * first `n − 1` points with its parameters and curvature, as a running study does), of one
 * loss evaluation, of the 2048 Sobol' candidates' posterior and of the whole acquisition
 * optimisation (candidates and local searches).
 *
 *     deno run -A bench/gp_breakdown.ts [--sizes 100,300] [--reps 3]
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { rngFor, uniform } from "../lib/random/rng.ts";
import {
  fitGp,
  fitLoss,
  fitWorkspace,
  type GpData,
  pairSqd,
  posteriorMany,
} from "../lib/samplers/gp/_gp.ts";
import { logEiAcqf } from "../lib/samplers/gp/_acqf.ts";
import { optimizeAcqf } from "../lib/samplers/gp/_optim.ts";
import { gpSpace, sampleNormalized } from "../lib/samplers/gp/_space.ts";
import { floatDistribution } from "../lib/core/distributions.ts";
import { standardize } from "../lib/samplers/gp/_relative.ts";
import { evaluateProblem } from "./_quality_problems.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "100,300" },
    reps: { type: "string", default: "3" },
  },
});

function cpu<T>(f: () => T): [T, number] {
  const c0 = process.cpuUsage();
  const out = f();
  const c = process.cpuUsage(c0);
  return [out, (c.user + c.system) / 1000];
}

function median(xs: ReadonlyArray<number>): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** `n` random Hartmann-6 points, standardised for maximisation. */
function data(n: number, seed: number): GpData {
  const rng = rngFor(seed, 0, "breakdown");
  const x = new Float64Array(n * 6), rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const p: Record<string, number> = {};
    for (let d = 0; d < 6; d++) p[`x${d}`] = x[i * 6 + d] = uniform(rng);
    rows.push([-(evaluateProblem("hartmann6", p) as number)]);
  }
  const y = standardize(rows).values[0]!;
  return { x, y, n, dim: 6, isCategorical: new Uint8Array(6) };
}

const space = gpSpace(
  Object.fromEntries(
    Array.from({ length: 6 }, (_, d) => {
      const dist = floatDistribution(0, 1);
      if (dist._tag === "Left") throw new Error("bad distribution");
      return [`x${d}`, dist.right];
    }),
  ),
);

console.log(`# load: ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")} (1/5/15 min)`);
for (const n of args.sizes!.split(",").map(Number)) {
  const t: Record<string, number[]> = {
    fitCold: [],
    fitWarm: [],
    evalMs: [],
    candidates: [],
    optimize: [],
  };
  for (let rep = -1; rep < Number(args.reps); rep++) {
    const keep = rep >= 0; // rep −1 warms the JIT up
    const full = data(n, rep + 1);
    const prev: GpData = {
      ...full,
      x: full.x.slice(0, (n - 1) * 6),
      y: full.y.slice(0, n - 1),
      n: n - 1,
    };
    const [, msCold] = cpu(() => fitGp(full, false));
    const [warmStart] = cpu(() => fitGp(prev, false));
    const [warm, msWarm] = cpu(() => fitGp(full, false, warmStart.params, warmStart.curvature));
    if (keep) t.fitCold!.push(msCold);
    if (keep) t.fitWarm!.push(msWarm);
    const sq = pairSqd(full), g = new Float64Array(8), raw = new Float64Array(8);
    const ws = fitWorkspace(n, 6); // one per fit, as fitGp
    const [, msEval] = cpu(() => {
      for (let i = 0; i < 10; i++) fitLoss(full, sq, raw, g, false, ws);
    });
    if (keep) t.evalMs!.push(msEval / 10);
    const acqf = logEiAcqf(warm, Math.max(...full.y));
    const rng = rngFor(rep + 1, 1, "relative");
    const xs = sampleNormalized(space, 2048, rng);
    const means = new Float64Array(2048), vars = new Float64Array(2048);
    const [, msCand] = cpu(() => posteriorMany(warm, xs, 2048, means, vars));
    if (keep) t.candidates!.push(msCand);
    const [, msOpt] = cpu(() => optimizeAcqf(acqf, space, [], rngFor(rep + 1, 2, "relative")));
    if (keep) t.optimize!.push(msOpt);
  }
  console.log(JSON.stringify({
    n,
    fitColdMs: median(t.fitCold!).toFixed(1),
    fitWarmMs: median(t.fitWarm!).toFixed(1),
    lossEvalMs: median(t.evalMs!).toFixed(2),
    candidatesMs: median(t.candidates!).toFixed(1),
    optimizeAcqfMs: median(t.optimize!).toFixed(1),
  }));
}
