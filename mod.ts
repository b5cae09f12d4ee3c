/**
 * Hyperion (`@hyperion/tune`): a functional hyperparameter-optimisation library for Deno and
 * TypeScript — the Optuna-class engine. Studies and trials are immutable records; effects are
 * `TaskEither`s; samplers are JSON data; storages are injected.
 *
 * This entry point is runtime-neutral (no `Deno.*`, no `node:*`): the core types, errors,
 * distributions, the study runtime, samplers, pruners and the in-memory storage. SQLite lives
 * in `@hyperion/tune/sqlite`, URL-based opening in `@hyperion/tune/storage`, the training-loop
 * host in `@hyperion/tune/trainer` and the tuning plug-in in `@hyperion/tune/plugins/optuna`.
 *
 * @example Tune a function in a few lines
 * ```ts
 * import { createStudy, float, int, optimize, runOrThrow, suggest, map } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy({ direction: "minimize" }));
 * const summary = await runOrThrow(optimize(study, (trial) =>
 *   map(suggest(trial, { x: float(-10, 10), n: int(1, 5) }), ({ x, n }) => (x - 3) ** 2 + n),
 *   { nTrials: 40 }));
 * assert.equal(summary.nTrials, 40);
 * assert.ok(summary.bestTrial !== undefined);
 * ```
 *
 * @module
 */

// effects and errors
export * from "./lib/effect/mod.ts";
export * from "./lib/errors.ts";

// core records and pure queries
export * from "./lib/core/json.ts";
export * from "./lib/core/distributions.ts";
export * from "./lib/core/trial.ts";
export * from "./lib/core/study.ts";
export * from "./lib/core/search_space.ts";

// randomness
export * from "./lib/random/rng.ts";

// storage
export * from "./lib/storage/storage.ts";
export * from "./lib/storage/memory.ts";

// study runtime
export * from "./lib/study/study.ts";
export * from "./lib/study/studies.ts";
export * from "./lib/study/enqueue.ts";
export * from "./lib/study/trial.ts";
export * from "./lib/study/ask.ts";
export * from "./lib/study/suggest.ts";
export * from "./lib/study/tell.ts";
export * from "./lib/study/space.ts";
export * from "./lib/study/objective.ts";
export * from "./lib/study/optimize_options.ts";
export * from "./lib/study/optimize.ts";

// heartbeats
export {
  type FailedTrialCallback,
  failStaleTrials,
  type HeartbeatOptions,
  retriedTrialNumber,
  retryFailedTrialCallback,
  type RetryFailedTrialOptions,
  retryHistory,
} from "./lib/study/heartbeat.ts";

// samplers
export * from "./lib/samplers/sampler.ts";
export * from "./lib/samplers/catalog.ts";
export * from "./lib/samplers/random.ts";
export * from "./lib/samplers/tpe/parzen_estimator.ts";
export * from "./lib/samplers/tpe/mod.ts";
export * from "./lib/samplers/grid.ts";
export * from "./lib/samplers/qmc/mod.ts";
export * from "./lib/samplers/brute_force.ts";

// pruners
export * from "./lib/pruners/pruner.ts";
export * from "./lib/pruners/nop.ts";
export * from "./lib/pruners/percentile.ts";
export * from "./lib/pruners/successive_halving.ts";
export * from "./lib/pruners/hyperband.ts";
export * from "./lib/pruners/threshold.ts";
export * from "./lib/pruners/patient.ts";
export * from "./lib/pruners/wilcoxon.ts";

// logging
export * from "./lib/study/logging.ts";
