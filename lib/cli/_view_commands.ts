/**
 * The CLI's views: `report` (one self-contained HTML file of a study, from
 * `lib/dashboard/`'s `writeReport`) and `dashboard` (the local web app, `serveDashboard`, until
 * Ctrl-C). Both take the storage as an argument or `--storage`. Private to the CLI.
 *
 * @module
 */
import type { Command } from "commander";
import { type Either, gen, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { serveDashboard, writeReport } from "../dashboard/mod.ts";
import type { CliError, Context } from "./_context.ts";
import {
  type Outcome,
  parseNumber,
  requireStudyName,
  type Runner,
  type StudyOpts,
  withStorageOption,
  withStudyOption,
} from "./_command.ts";
import { storageUrl } from "./_storage.ts";
import { type InterruptSignal, signalRuntime } from "../runtime/mod.ts";

// -------------------------------------------------------------------------------------
// options
// -------------------------------------------------------------------------------------

/** The storage given as the argument or `--storage` (not both, unless they agree). */
function storageOf(
  positional: string | undefined,
  opts: StudyOpts,
  ctx: Context,
): Either<HyperionError, string> {
  if (positional !== undefined && opts.storage !== undefined && positional !== opts.storage) {
    return left(invalidArgument({
      field: "--storage",
      value: opts.storage,
      expected: `the storage argument '${positional}' or --storage, not both`,
    }));
  }
  return storageUrl(positional ?? opts.storage, ctx);
}

// -------------------------------------------------------------------------------------
// report
// -------------------------------------------------------------------------------------

interface ReportOpts extends StudyOpts {
  readonly output: string;
}

function report(
  ctx: Context,
  positional: string | undefined,
  opts: ReportOpts,
): TaskEither<CliError, Outcome> {
  return gen(function* (_) {
    const url = yield* _(storageOf(positional, opts, ctx));
    const studyName = yield* _(requireStudyName(opts));
    const info = yield* _(writeReport(url, studyName, opts.output));
    return {
      text: info.path,
      notes: [`wrote ${info.path}: ${info.trials} trials, ${Math.ceil(info.bytes / 1024)} KiB`],
    };
  });
}

// -------------------------------------------------------------------------------------
// dashboard
// -------------------------------------------------------------------------------------

interface DashboardOpts extends StudyOpts {
  readonly port: string;
  readonly host: string;
  readonly allowWrites?: boolean;
}

/** Resolves when `stop` aborts, or (without it) on SIGINT or SIGTERM. */
function stopped(stop: AbortSignal | undefined): Promise<void> {
  if (stop !== undefined) {
    return stop.aborted
      ? Promise.resolve()
      : new Promise((resolve) => stop.addEventListener("abort", () => resolve(), { once: true }));
  }
  const runtime = signalRuntime();
  if (runtime === undefined) return new Promise(() => {}); // no process, no signal: runs on
  return new Promise((resolve) => {
    const signals: InterruptSignal[] = runtime.windows
      ? ["SIGINT", "SIGBREAK"]
      : ["SIGINT", "SIGTERM"];
    const handler = () => {
      for (const s of signals) runtime.remove(s, handler);
      resolve();
    };
    for (const s of signals) runtime.add(s, handler);
  });
}

function dashboard(
  ctx: Context,
  positional: string | undefined,
  opts: DashboardOpts,
): TaskEither<CliError, Outcome> {
  return gen(function* (_) {
    const url = yield* _(storageOf(positional, opts, ctx));
    const port = yield* _(parseNumber("--port", opts.port, "integer"));
    const server = yield* _(serveDashboard({
      storage: url,
      port,
      host: opts.host,
      allowWrites: opts.allowWrites === true,
    }));
    ctx.out(`${server.url}\n`);
    ctx.err(
      `Serving the dashboard of ${url} at ${server.url} (${
        server.allowWrites ? "writes allowed" : "read-only"
      }); Ctrl-C stops it\n`,
    );
    yield* _(() => stopped(ctx.stop).then(() => right(undefined)));
    yield* _(server.close());
    return {};
  });
}

// -------------------------------------------------------------------------------------
// registration
// -------------------------------------------------------------------------------------

/** Adds `report` and `dashboard` to `program`. */
export function addViewCommands(program: Command, ctx: Context, run: Runner): void {
  withStudyOption(
    withStorageOption(
      program.command("report").argument("[storage]", "storage URL (or --storage)").description(
        "Write a study's views (trials, plots, importances) as one self-contained HTML file.",
      ),
    ),
    "the study to report on",
  )
    .option("-o, --output <file>", "the HTML file to write", "report.html")
    .action((positional: string | undefined, opts: ReportOpts) =>
      run(report(ctx, positional, opts))
    );

  withStorageOption(
    program.command("dashboard").argument("[storage]", "storage URL (or --storage)").description(
      "Serve the dashboard (a local web app) until Ctrl-C; prints its URL.",
    ),
  )
    .option("--port <port>", "the port (0: any free one)", "8080")
    .option(
      "--host <host>",
      "the address to listen on (others than 127.0.0.1 expose it)",
      "127.0.0.1",
    )
    .option("--allow-writes", "allow tell of RUNNING trials and notes from the page")
    .action((positional: string | undefined, opts: DashboardOpts) =>
      run(dashboard(ctx, positional, opts))
    );
}
