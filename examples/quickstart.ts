/**
 * Quickstart: tune a small function on the embedded SQLite storage.
 *
 * The study lives in `out/quickstart.db`, a file in Optuna's own schema: run this again and the
 * study continues where it stopped; open it with Python Optuna
 * (`optuna.load_study(study_name="quickstart", storage="sqlite:///out/quickstart.db")`) or with
 * `optuna-dashboard sqlite:///out/quickstart.db`.
 *
 * Run: `deno task demo` (or `deno run -A examples/quickstart.ts`).
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import {
  categorical,
  createStudy,
  flatMap,
  float,
  getBestTrial,
  getTrials,
  int,
  map,
  optimize,
  report,
  runOrThrow,
  suggest,
  tpeSampler,
} from "@hyperion/tune";
import { openStorage } from "@hyperion/tune/storage";

mkdirSync("out", { recursive: true });
const storage = await runOrThrow(openStorage("sqlite:///out/quickstart.db"));

// A typed search space: the type of `params` below is inferred from it.
const space = {
  x: float(-10, 10),
  y: float(-10, 10),
  lr: float(1e-5, 1e-1, { log: true }),
  layers: int(1, 4),
  activation: categorical(["relu", "tanh", "gelu"]),
};

const study = await runOrThrow(
  createStudy({
    storage,
    studyName: "quickstart",
    direction: "minimize",
    sampler: tpeSampler({ seed: 42 }),
    loadIfExists: true,
  }),
);
const before = (await runOrThrow(getTrials(study))).length;

await runOrThrow(
  optimize(
    study,
    (trial) =>
      flatMap(suggest(trial, space), (p) => {
        const value = (p.x - 2) ** 2 + (p.y + 3) ** 2 + (Math.log10(p.lr) + 3) ** 2 +
          0.1 * p.layers + (p.activation === "gelu" ? 0 : 0.5);
        // Intermediate values show up in optuna-dashboard's intermediate-value plot.
        return map(report(trial, value, 0), () => value);
      }),
    { nTrials: 40 },
  ),
);

const trials = await runOrThrow(getTrials(study));
const best = await runOrThrow(getBestTrial(study));
console.log(`study "quickstart" in out/quickstart.db: ${before} → ${trials.length} trials`);
console.log(`best trial #${best.number}: value ${best.values?.[0]?.toFixed(4)}`);
console.log("params:", best.params);
await runOrThrow(storage.close());
