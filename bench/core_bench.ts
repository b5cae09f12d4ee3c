/**
 * `deno bench` for the core: the cost of a whole trial with the random sampler in memory, and
 * of the pure queries over a large history.
 *
 * @module
 */
import {
  bestTrial,
  createStudy,
  floatDistribution,
  type FrozenTrial,
  getOrThrow,
  map,
  optimize,
  paretoFront,
  randomSampler,
  runOrThrow,
  suggestFloat,
} from "../mod.ts";
import { intersectionSearchSpace } from "../lib/core/search_space.ts";

const d = getOrThrow(floatDistribution(0, 1));
const history: FrozenTrial[] = Array.from({ length: 10_000 }, (_, i) => ({
  number: i,
  trialId: i,
  state: "COMPLETE",
  values: [Math.sin(i), Math.cos(i)],
  params: { x: (i % 100) / 100 },
  distributions: { x: d },
  intermediateValues: {},
  userAttrs: {},
  systemAttrs: {},
  datetimeStart: 0,
  datetimeComplete: 0,
}));

Deno.bench("optimize(): 100 trials, random sampler, memory storage", async () => {
  const study = await runOrThrow(createStudy({ sampler: randomSampler({ seed: 1 }) }));
  await runOrThrow(
    optimize(study, (t) => map(suggestFloat(t, "x", -1, 1), (x) => x * x), { nTrials: 100 }),
  );
});

Deno.bench("bestTrial() over 10,000 trials", () => {
  bestTrial(history, ["minimize"]);
});

Deno.bench("intersectionSearchSpace() over 10,000 trials", () => {
  intersectionSearchSpace(history);
});

Deno.bench("paretoFront() over 1,000 two-objective trials", () => {
  paretoFront(history.slice(0, 1000), ["minimize", "minimize"]);
});
