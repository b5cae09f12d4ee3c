/**
 * What Hyperion tells the user, like Optuna's `optuna` logger: `optimize` writes an INFO line
 * per finished trial (value, parameters, best so far), a WARNING per failed trial with its
 * reason, and `suggest*` a WARNING when a parameter is suggested again in a trial with a
 * different distribution (the first value is kept, as in Optuna).
 *
 * A {@link Logger} is a record: a level (`"debug"`, `"info"`, `"warning"`, `"error"` or
 * `"silent"`) and a `write` function that receives {@link LogEntry} records. Pass one to
 * `optimize(study, f, { logger })` to redirect or silence one run; otherwise the process-wide
 * default applies, described by the one mutable record {@link loggingSettings} (Optuna's
 * `optuna.logging.set_verbosity`): {@link setVerbosity} changes its level.
 *
 * **Default level.** Optuna prints INFO lines always. Hyperion prints them only when standard
 * error is a terminal (an interactive run, where they are wanted); when standard error is a
 * pipe or a file (CI, test runners, worker processes whose stderr is collected) the default is
 * `"warning"`: failures are still reported, routine lines are not. Set the level explicitly to
 * get Optuna's behaviour everywhere: `setVerbosity("info")`.
 *
 * @example Capture the lines of one run
 * ```ts
 * import {
 *   createLogger, createStudy, float, getOrThrow, type LogEntry, map, optimize, runOrThrow, suggest,
 * } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const lines: LogEntry[] = [];
 * const logger = getOrThrow(createLogger({ level: "info", write: (e) => lines.push(e) }));
 * const study = await runOrThrow(createStudy());
 * await runOrThrow(optimize(study, (trial) =>
 *   map(suggest(trial, { x: float(-1, 1) }), ({ x }) => x * x), { nTrials: 2, logger }));
 * assert.equal(lines.length, 2);
 * assert.match(lines[0]!.message, /^Trial 0 finished with value: .* and parameters: \{"x": .*\}\. Best is trial 0 with value: /);
 * ```
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { ParamValue } from "../core/json.ts";
import { type Distribution, distributionEquals } from "../core/distributions.ts";
import { distributionToJson } from "../core/distribution_json.ts";
import { stderrSink } from "./_tty.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How much a logger writes: every entry at this severity or above; `"silent"` writes nothing.
 *
 * @category model
 */
export type LogLevel = "debug" | "info" | "warning" | "error" | "silent";

/**
 * The severity of one entry.
 *
 * @category model
 */
export type LogSeverity = Exclude<LogLevel, "silent">;

/**
 * One thing to tell the user.
 *
 * @category model
 */
export interface LogEntry {
  /** How important it is. */
  readonly severity: LogSeverity;
  /** The text, one line, without the level and time prefix. */
  readonly message: string;
  /** When it was logged. */
  readonly time: Date;
}

/**
 * Where log entries go, and from which severity on.
 *
 * @category model
 */
export interface Logger {
  /** Entries below this level are dropped before `write` is called. */
  readonly level: LogLevel;
  /** Receives each entry at or above `level` (format it with {@link formatLogEntry}). */
  readonly write: (entry: LogEntry) => void;
}

/**
 * The process-wide default logger's settings (see {@link loggingSettings}).
 *
 * @category model
 */
export interface LoggingSettings {
  /**
   * The default logger's level; `undefined`: `"info"` when standard error is a terminal,
   * `"warning"` otherwise.
   */
  level: LogLevel | undefined;
  /** Where the default logger writes; `undefined`: standard error, one formatted line each. */
  write: ((entry: LogEntry) => void) | undefined;
}

// -------------------------------------------------------------------------------------
// constants
// -------------------------------------------------------------------------------------

const LEVELS: ReadonlyArray<LogLevel> = ["debug", "info", "warning", "error", "silent"];

/**
 * The settings of the default logger, used by `optimize` without a `logger` option and by
 * `suggest*` outside `optimize`. The one piece of process-wide logging state, on purpose (a
 * process has one standard error); a plain record so that it can be read, changed and restored:
 * `setVerbosity(level)` sets `level`; assign `write` to send every default entry elsewhere.
 *
 * @category constants
 */
export const loggingSettings: LoggingSettings = { level: undefined, write: undefined };

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds a logger, checking its fields.
 *
 * @example A logger that keeps warnings
 * ```ts
 * import { createLogger, getOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const warnings: string[] = [];
 * const logger = getOrThrow(createLogger({ level: "warning", write: (e) => warnings.push(e.message) }));
 * assert.equal(logger.level, "warning");
 * const bad = createLogger({ level: "loud" as never, write: () => {} });
 * assert.equal(bad._tag, "Left");
 * ```
 *
 * @category constructors
 */
export function createLogger(
  args: { readonly level: LogLevel; readonly write: (entry: LogEntry) => void },
): Either<HyperionError, Logger> {
  return genEither(function* (_) {
    yield* _(checkLogger(args, "logger"));
    return { level: args.level, write: args.write };
  });
}

/**
 * A logger writing formatted lines to standard error (nothing where there is none).
 *
 * @category constructors
 */
export function stderrLogger(level: LogLevel): Logger {
  const sink = stderrSink();
  return { level, write: (entry) => sink.write(`${formatLogEntry(entry)}\n`) };
}

/**
 * The default logger as {@link loggingSettings} describe it now.
 *
 * @category constructors
 */
export function defaultLogger(): Logger {
  const level = getVerbosity();
  const write = loggingSettings.write;
  return write === undefined ? stderrLogger(level) : { level, write };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The default logger's level: the one set with {@link setVerbosity}, or `"info"` when standard
 * error is a terminal and `"warning"` otherwise.
 *
 * @category queries
 */
export function getVerbosity(): LogLevel {
  return loggingSettings.level ?? (stderrSink().isTerminal ? "info" : "warning");
}

/**
 * Whether `logger` writes entries of `severity`.
 *
 * @category queries
 */
export function isEnabled(logger: Logger, severity: LogSeverity): boolean {
  return LEVELS.indexOf(severity) >= LEVELS.indexOf(logger.level);
}

/**
 * Checks a logger record given as the option `field`.
 *
 * @category queries
 */
export function checkLogger(value: unknown, field: string): Either<HyperionError, void> {
  if (typeof value !== "object" || value === null) {
    return left(invalidArgument({ field, value, expected: "a logger { level, write }" }));
  }
  const { level, write } = value as { level?: unknown; write?: unknown };
  if (!LEVELS.includes(level as LogLevel)) {
    return left(invalidArgument({
      field: `${field}.level`,
      value: level,
      expected: `one of ${LEVELS.map((l) => `'${l}'`).join(", ")}`,
    }));
  }
  if (typeof write !== "function") {
    return left(invalidArgument({ field: `${field}.write`, value: write, expected: "a function" }));
  }
  return right(undefined);
}

/**
 * Formats an entry as Optuna does: `[I 2025-01-31 12:00:00,123] message`.
 *
 * @category queries
 */
export function formatLogEntry(entry: LogEntry): string {
  const t = entry.time;
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const stamp = `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${
    p(t.getMinutes())
  }:${p(t.getSeconds())},${p(t.getMilliseconds(), 3)}`;
  return `[${entry.severity[0]!.toUpperCase()} ${stamp}] ${entry.message}`;
}

/**
 * Parameters as the log lines show them: `{"x": 1.2, "act": "relu"}`.
 *
 * @category queries
 */
export function formatParams(params: Readonly<Record<string, ParamValue>>): string {
  const parts = Object.entries(params).map(([k, v]) => `${JSON.stringify(k)}: ${formatValue(v)}`);
  return `{${parts.join(", ")}}`;
}

function formatValue(v: unknown): string {
  if (typeof v === "number") return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Sets the default logger's level (Optuna's `optuna.logging.set_verbosity`) and returns the
 * previous setting, `undefined` meaning automatic, so that a caller can restore it.
 *
 * @example Silence Hyperion, then restore
 * ```ts
 * import { getOrThrow, getVerbosity, loggingSettings, setVerbosity } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const previous = getOrThrow(setVerbosity("silent"));
 * assert.equal(getVerbosity(), "silent");
 * loggingSettings.level = previous;
 * ```
 *
 * @category combinators
 */
export function setVerbosity(level: LogLevel): Either<HyperionError, LogLevel | undefined> {
  if (!LEVELS.includes(level)) {
    return left(invalidArgument({
      field: "level",
      value: level,
      expected: `one of ${LEVELS.map((l) => `'${l}'`).join(", ")}`,
    }));
  }
  const previous = loggingSettings.level;
  loggingSettings.level = level;
  return right(previous);
}

/**
 * Writes `message` at `severity` when the logger's level allows it. Never throws: a failing
 * `write` is ignored (logging must not change the outcome of a run).
 *
 * @category combinators
 */
export function log(logger: Logger, severity: LogSeverity, message: string): void {
  if (!isEnabled(logger, severity)) return;
  try {
    logger.write({ severity, message, time: new Date() });
  } catch {
    // a broken sink must not fail the trial
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The logger a study handle logs to: the `logger` of the `optimize` run it is in (held in its
 * `runtime`), else the default logger.
 *
 * @category utils
 */
export function studyLogger(
  study: { readonly runtime?: { readonly logger?: Logger | undefined } | undefined },
): Logger {
  return study?.runtime?.logger ?? defaultLogger();
}

/**
 * Makes `study` log to `logger` until the returned function is called (which restores the
 * previous one). Used by `optimize`.
 *
 * @category utils
 */
export function useStudyLogger(
  study: { readonly runtime: { logger: Logger | undefined } },
  logger: Logger,
): () => void {
  const runtime = study.runtime;
  const previous = runtime.logger;
  runtime.logger = logger;
  return () => {
    runtime.logger = previous;
  };
}

/**
 * Logs a WARNING when a parameter is suggested again in a trial with a distribution that
 * differs from its first one (Optuna's "Inconsistent parameter values" warning): the first
 * distribution and value are kept.
 *
 * @category utils
 */
export function warnIfRedefined(
  trial: { readonly study: Parameters<typeof studyLogger>[0]; readonly number: number },
  name: string,
  first: Distribution,
  again: Distribution,
): void {
  if (distributionEquals(first, again)) return;
  log(
    studyLogger(trial.study),
    "warning",
    `Trial ${trial.number} suggested ${JSON.stringify(name)} again with a different ` +
      `distribution: ${distributionToJson(again)} instead of ${distributionToJson(first)}. ` +
      `This might be a configuration mistake: the first distribution and its value are kept.`,
  );
}
