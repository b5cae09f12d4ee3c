/**
 * The pieces every CLI command is built from: the shared options (`--storage`, `--study-name`,
 * `-f/--format`, `--flatten`), the option checks that give usage errors, and the runner that
 * turns a command's `TaskEither` into output and an exit code. Private to the CLI.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { type Either, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import { OUTPUT_FORMATS, type OutputFormat } from "./_output.ts";
import { type CliError, type Context, EXIT, exitCodeOf } from "./_context.ts";
import { STORAGE_ENV } from "./_storage.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What a command produced: text for stdout, notes for stderr, and its exit code. */
export interface Outcome {
  readonly text?: string;
  readonly notes?: ReadonlyArray<string>;
  readonly code?: number;
}

/** A command's work: a `TaskEither` of its outcome (or just its stdout text). */
export type Work = TaskEither<CliError, Outcome | string | undefined>;

/** Runs a command's work: prints its outcome, records the exit code. */
export type Runner = (work: Work) => Promise<void>;

/** The options every command that reads a storage takes. */
export interface StorageOpts {
  readonly storage?: string;
}

/** The study-name options (`--study-name`, or its short form `--study`). */
export interface StudyOpts extends StorageOpts {
  readonly studyName?: string;
  readonly study?: string;
}

/** The output options. */
export interface FormatOpts {
  readonly format: OutputFormat;
  readonly flatten?: boolean;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A runner writing to `ctx` and recording the exit code in `state`. */
export function runner(ctx: Context, state: { code: number }): Runner {
  return async (work) => {
    const result = await work();
    if (result._tag === "Left") {
      ctx.err(`error: ${result.left.message}\n`);
      state.code = exitCodeOf(result.left);
      return;
    }
    const outcome: Outcome = typeof result.right === "string"
      ? { text: result.right }
      : result.right ?? {};
    for (const note of outcome.notes ?? []) ctx.err(`${note}\n`);
    if (outcome.text !== undefined && outcome.text !== "") ctx.out(`${outcome.text}\n`);
    state.code = outcome.code ?? EXIT.ok;
  };
}

/** Adds `--storage <url>`. */
export function withStorageOption(cmd: Command, flag = "--storage <url>"): Command {
  return cmd.option(
    flag,
    `storage URL: sqlite:///relative.db, sqlite:////absolute.db, postgresql://user@host/db (default: $${STORAGE_ENV})`,
  );
}

/** Adds `--study-name <name>` (and `--study <name>`, the same). */
export function withStudyOption(cmd: Command, help: string): Command {
  return cmd
    .option("--study-name <name>", help)
    .addOption(new Option("--study <name>", "the same as --study-name").hideHelp());
}

/** Adds `-f/--format` (with `def` as default) and `--flatten`. */
export function withFormatOptions(cmd: Command, def: OutputFormat, flatten: string): Command {
  return cmd
    .addOption(
      new Option("-f, --format <format>", "output format").choices(OUTPUT_FORMATS).default(def),
    )
    .option("--flatten", flatten);
}

// -------------------------------------------------------------------------------------
// option checks
// -------------------------------------------------------------------------------------

/** The study name given, or a usage error naming `--study-name`. */
export function requireStudyName(opts: StudyOpts): Either<HyperionError, string> {
  const name = opts.studyName ?? opts.study;
  if (name === undefined || name === "") {
    return left(invalidArgument({
      field: "--study-name",
      value: name,
      expected: "the name of a study",
      got: name === undefined ? "none" : "''",
    }));
  }
  return right(name);
}

/** Parses a JSON option; a usage error naming the option and the parser's complaint. */
export function parseJsonOption(flag: string, text: string): Either<HyperionError, JsonValue> {
  try {
    return right(JSON.parse(text) as JsonValue);
  } catch (e) {
    return left(invalidArgument({
      field: flag,
      value: text.length > 80 ? `${text.slice(0, 80)}…` : text,
      expected: `JSON (${(e as Error).message})`,
    }));
  }
}

/** A JSON object option (`{...}`). */
export function parseJsonObject(
  flag: string,
  text: string,
): Either<HyperionError, Readonly<Record<string, JsonValue>>> {
  const parsed = parseJsonOption(flag, text);
  if (parsed._tag === "Left") return parsed;
  const v = parsed.right;
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return left(invalidArgument({ field: flag, value: text, expected: "a JSON object {...}" }));
  }
  return right(v as Readonly<Record<string, JsonValue>>);
}

/** A number option (`--trial-number 3`, `--values 1.5`; `nan` and `inf` as Python's `float` reads them). */
export function parseNumber(
  flag: string,
  text: string,
  kind: "integer" | "number",
): Either<HyperionError, number> {
  const named: Readonly<Record<string, number>> = {
    nan: NaN,
    inf: Infinity,
    "+inf": Infinity,
    "-inf": -Infinity,
    infinity: Infinity,
    "-infinity": -Infinity,
  };
  const lower = text.trim().toLowerCase();
  const value = kind === "number" && lower in named ? named[lower] as number : Number(text);
  const ok = text.trim() !== "" &&
    (kind === "integer" ? Number.isSafeInteger(value) && value >= 0 : !Number.isNaN(value) ||
      lower === "nan");
  return ok ? right(value) : left(invalidArgument({
    field: flag,
    value: text,
    expected: kind === "integer" ? "a non-negative integer" : "a number",
  }));
}
