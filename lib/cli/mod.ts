/**
 * The command line (`@hyperion/tune/cli`): Optuna's commands and more, on any storage URL.
 *
 *     deno run -A lib/cli/main.ts <command> [options]     (in the repository: deno task cli)
 *
 * Commands: `studies`, `study-names`, `study set-user-attr`, `create-study`, `delete-study`,
 * `copy-study`, `trials`, `best-trial`, `best-trials`, `ask`, `tell`, `enqueue`, `export`,
 * `importance`, `storage check`, `report` (a study as one HTML file) and `dashboard` (the local
 * web app). Each takes `--help`. The storage comes from `--storage URL` or the `HYPERION_STORAGE` variable; listings
 * print as `-f table` (default), `json`, `yaml` or `value`, in Optuna's shapes. Storage URLs and
 * names are never handed to a shell.
 *
 * Exit codes ({@link EXIT}): 0 ok; 1 the storage cannot be opened, read or written, or
 * `storage check` found a problem; 2 bad command line (unknown command or option, missing or
 * malformed value, bad storage URL, bad JSON); 3 the study or trial does not exist; 4 the study
 * already exists or the trial is already finished; 5 no completed trial to answer with.
 * Messages go to stderr as `error: …`; results to stdout.
 *
 * @example Create a study, ask for a trial, tell its value, read the best trial
 * ```ts
 * import { main } from "@hyperion/tune/cli";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const storage = `sqlite:///${dir}/study.db`;
 * const out: string[] = [];
 * const io = { out: (t: string) => void out.push(t), err: () => {} };
 * assert.equal(await main(["create-study", "--storage", storage, "--study-name", "s"], io), 0);
 * const space = '{"x": {"name": "FloatDistribution", "attributes": {"low": 0, "high": 1}}}';
 * assert.equal(await main(["ask", "--storage", storage, "--study-name", "s", "--search-space", space], io), 0);
 * const asked = JSON.parse(out[1] ?? "");
 * assert.equal(asked.number, 0);
 * assert.equal(await main(["tell", "--storage", storage, "--study-name", "s", "--trial-number", "0", "--values", "0.5"], io), 0);
 * assert.equal(await main(["best-trial", "--storage", storage, "--study-name", "s", "-f", "json"], io), 0);
 * assert.equal(JSON.parse(out[2] ?? "").value, 0.5);
 * assert.equal(await main(["trials", "--storage", storage, "--study-name", "nope"], io), 3);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { Command, CommanderError } from "commander";
import { LIBRARY_VERSION } from "../storage/rdb/codec.ts";
import { type CliIo, type Context, contextOf, EXIT, type ExitCodes } from "./_context.ts";
import { runner, withStorageOption } from "./_command.ts";
import { OUTPUT_FORMATS, type OutputFormat } from "./_output.ts";
import { addStudyCommands } from "./_study_commands.ts";
import { addTrialCommands } from "./_trial_commands.ts";
import { addAskTellCommands } from "./_ask_tell.ts";
import { addViewCommands } from "./_view_commands.ts";
import { addImportanceCommand } from "./_importance.ts";
import { checkStorage } from "./_storage_check.ts";
import { STORAGE_ENV, storageUrl } from "./_storage.ts";
import { flatMap, fromEither } from "../effect/mod.ts";
import { Option } from "commander";

export { type CliIo, EXIT, type ExitCodes };

// -------------------------------------------------------------------------------------
// the program
// -------------------------------------------------------------------------------------

const EPILOG = `
Storage: --storage URL or the ${STORAGE_ENV} variable (sqlite:///relative.db, sqlite:////absolute.db,
postgresql://user@host/db).
Exit codes: 0 ok, 1 storage error or failed check, 2 bad command line, 3 study or trial not
found, 4 study exists or trial finished, 5 no completed trials.`;

function addStorageCommands(program: Command, ctx: Context, run: ReturnType<typeof runner>): void {
  const storage = program.command("storage").description("Storage maintenance commands.");
  withStorageOption(
    storage.command("check").description(
      "Check an SQLite storage: schema revision, PRAGMA integrity_check, foreign keys, orphan rows, trial numbering and values.",
    ),
  )
    .addOption(
      new Option("-f, --format <format>", "output format").choices(OUTPUT_FORMATS).default("table"),
    )
    .action((opts: { storage?: string; format: OutputFormat }) =>
      run(
        flatMap(fromEither(storageUrl(opts.storage, ctx)), (url) => checkStorage(url, opts.format)),
      )
    );
}

function program(ctx: Context, run: ReturnType<typeof runner>): Command {
  const p = new Command("hyperion")
    .description("Hyperion's command line: look at and steer studies in any storage.")
    .version(LIBRARY_VERSION, "--version")
    .exitOverride()
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EPILOG);
  addStudyCommands(p, ctx, run);
  addTrialCommands(p, ctx, run);
  addAskTellCommands(p, ctx, run);
  addStorageCommands(p, ctx, run);
  addImportanceCommand(p, ctx, run);
  addViewCommands(p, ctx, run);
  return p;
}

function commanderExit(e: CommanderError): number {
  switch (e.code) {
    case "commander.helpDisplayed":
    case "commander.version":
      return EXIT.ok;
    default:
      return EXIT.usage;
  }
}

// -------------------------------------------------------------------------------------
// entry point
// -------------------------------------------------------------------------------------

/**
 * Runs the CLI on `args` (without the program name) and returns its exit code ({@link EXIT});
 * writes results to `io.out` and messages to `io.err` (the process's stdout and stderr by
 * default). Never exits the process and never throws.
 *
 * @example Usage errors exit 2, with the message on stderr
 * ```ts
 * import { EXIT, main } from "@hyperion/tune/cli";
 * import assert from "node:assert/strict";
 *
 * const err: string[] = [];
 * const code = await main(["studies", "--storage", "mysql://db/x"], { out: () => {}, err: (t) => void err.push(t) });
 * assert.equal(code, EXIT.usage);
 * assert.match(err.join(""), /^error: Invalid 'url'/);
 * ```
 */
export async function main(args: ReadonlyArray<string>, io: CliIo = {}): Promise<number> {
  const ctx = contextOf(io);
  const state = { code: EXIT.ok as number };
  try {
    await program(ctx, runner(ctx, state)).parseAsync([...args], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return commanderExit(e);
    ctx.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.error;
  }
  return state.code;
}
