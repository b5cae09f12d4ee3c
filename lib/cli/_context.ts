/**
 * What every CLI command is handed: where it writes (stdout, stderr), where it reads the
 * environment, and the exit codes errors map to. Private to the CLI.
 *
 * @module
 */
import { envVar, stderrSink, stdoutSink } from "../runtime/mod.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The exit codes of the CLI, by meaning.
 *
 * @category model
 */
export interface ExitCodes {
  /** 0: the command did what it was asked. */
  readonly ok: 0;
  /** 1: the storage cannot be opened, read or written, or `storage check` found a problem. */
  readonly error: 1;
  /** 2: bad command line (unknown command or option, missing or malformed value, bad URL or JSON). */
  readonly usage: 2;
  /** 3: the study or trial named does not exist. */
  readonly notFound: 3;
  /** 4: the study already exists, or the trial is already finished. */
  readonly conflict: 4;
  /** 5: no completed trial to answer with (best-trial, best-trials). */
  readonly noData: 5;
}

/**
 * The exit codes of the CLI, which scripts can rely on.
 *
 * @example Test a command's outcome in a script
 * ```ts
 * import { EXIT } from "@hyperion/tune/cli";
 * import assert from "node:assert/strict";
 *
 * assert.equal(EXIT.notFound, 3);
 * ```
 *
 * @category model
 */
export const EXIT: ExitCodes = Object.freeze({
  /** The command did what it was asked. */
  ok: 0,
  /** The storage cannot be opened or read or written, its schema is another, or a check failed. */
  error: 1,
  /** Bad command line: unknown command or option, a missing or malformed value, a bad storage URL, bad JSON. */
  usage: 2,
  /** The study or trial named does not exist. */
  notFound: 3,
  /** The study already exists, or the trial is already finished. */
  conflict: 4,
  /** The study has no completed trial to answer with (best-trial, best-trials, importance). */
  noData: 5,
});

/**
 * Where the CLI writes and reads: the defaults are the process's stdout, stderr and environment.
 *
 * @category model
 */
export interface CliIo {
  /**
   * Writes text to standard output.
   *
   * @default {writes to the process's standard output}
   */
  readonly out?: (text: string) => void;
  /**
   * Writes text to standard error.
   *
   * @default {writes to the process's standard error}
   */
  readonly err?: (text: string) => void;
  /**
   * Reads an environment variable (`HYPERION_STORAGE`).
   *
   * @default {the process's environment}
   */
  readonly env?: (name: string) => string | undefined;
  /**
   * Stops a command that runs until stopped (`dashboard`).
   *
   * @default {SIGINT or SIGTERM}
   */
  readonly stop?: AbortSignal;
}

/** Any error a command returns: Hyperion's, or the dashboard's `ServeFailed`. */
export interface CliError {
  readonly _tag: string;
  readonly message: string;
}

/** {@link CliIo} with every part present. */
export interface Context {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: (name: string) => string | undefined;
  readonly stop: AbortSignal | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The context of a run: the given parts, the process's streams and environment otherwise (a
 * reader that went away, `| head`, is not an error: the rest is dropped).
 */
export function contextOf(io: CliIo): Context {
  return {
    out: io.out ?? stdoutSink().write,
    err: io.err ?? stderrSink().write,
    stop: io.stop,
    env: io.env ?? envVar,
  };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The exit code of an error (see {@link EXIT}). */
export function exitCodeOf(error: CliError): number {
  switch (error._tag) {
    case "InvalidArgument":
    case "InvalidStudyArgs":
    case "InvalidDistribution":
    case "IncompatibleDistribution":
    case "UnknownSamplerKind":
      return EXIT.usage;
    case "StudyNotFound":
    case "TrialNotFound":
      return EXIT.notFound;
    case "DuplicatedStudy":
    case "TrialNotUpdatable":
      return EXIT.conflict;
    case "NoCompletedTrials":
      return EXIT.noData;
    default:
      return EXIT.error;
  }
}
