/**
 * The study domain: study handles ({@link Study}), trials at run time, `optimize`, heartbeats
 * and logging. Other domains import the study layer through this file.
 *
 * @module
 */
export * from "./study.ts";
export * from "./studies.ts";
export * from "./enqueue.ts";
export * from "./trial.ts";
export * from "./ask.ts";
export * from "./suggest.ts";
export * from "./tell.ts";
export * from "./space.ts";
export * from "./objective.ts";
export * from "./optimize_options.ts";
export * from "./optimize.ts";
export * from "./heartbeat.ts";
export * from "./logging.ts";
export * from "./add_trial.ts";
export * from "./fixed_trial.ts";
export * from "./metric_names.ts";
export * from "./callbacks.ts";
export * from "./artifacts.ts";
