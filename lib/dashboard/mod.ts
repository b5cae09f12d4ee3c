/**
 * The dashboard (`@hyperion/tune/dashboard`): {@link serveDashboard} serves a local web app
 * over a storage — studies, the trial table (sort, filter, pages), plots, importances, the
 * Pareto front, notes and user attributes, live updates while workers write — and
 * {@link writeReport} writes the same views as one self-contained HTML file.
 *
 * Notes are stored in optuna-dashboard's format (see {@link readNote}), so either tool reads
 * the other's.
 *
 * @example Serve, then stop
 * ```ts
 * import { serveDashboard } from "@hyperion/tune/dashboard";
 * import { memoryStorage, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const server = await runOrThrow(serveDashboard({ storage: memoryStorage(), port: 0 }));
 * assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
 * await runOrThrow(server.close());
 * ```
 *
 * @module
 */
export {
  type DashboardError,
  type DashboardOptions,
  type DashboardServer,
  serveDashboard,
} from "./server.ts";
export { type ReportInfo, writeReport } from "./report.ts";
export { type ServeFailed, serveFailed } from "./errors.ts";
export {
  checkNoteSave,
  type Note,
  NOTE_CHUNK_LENGTH,
  noteChunkPrefix,
  notedTrialIds,
  noteVersionKey,
  noteWrites,
  readNote,
} from "./notes.ts";
