/**
 * The CLI's read commands on one study: `trials`, `best-trial`, `best-trials` (Optuna's
 * columns and output shapes) and `export` (every trial as CSV or JSON lines, with the columns
 * of Optuna's `trials_dataframe()`). Private to the CLI.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { gen, left, map, right, succeed, type TaskEither, tryCatch } from "../effect/mod.ts";
import { writeFileAtomic } from "../fs/atomic.ts";
import { type HyperionError, invalidArgument, storageError } from "../errors.ts";
import { bestTrial, paretoFront, type StudyRecord } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { Storage } from "../storage/storage.ts";
import { noCompletedTrials } from "../study/errors.ts";
import { formatOutput } from "./_output.ts";
import {
  EXPORT_ATTRS,
  EXPORT_TIMES,
  LISTING_TIMES,
  TRIAL_ATTRS,
  trialRecords,
} from "./_records.ts";
import { type ExportFormat, exportTrials } from "./_export.ts";
import type { Context } from "./_context.ts";
import {
  type FormatOpts,
  type Outcome,
  requireStudyName,
  type Runner,
  type StudyOpts,
  withFormatOptions,
  withStorageOption,
  withStudyOption,
} from "./_command.ts";
import { storageUrl, withStorage } from "./_storage.ts";

// -------------------------------------------------------------------------------------
// reading a study
// -------------------------------------------------------------------------------------

interface Loaded {
  readonly study: StudyRecord;
  readonly trials: ReadonlyArray<FrozenTrial>;
}

/** Opens the storage of `opts`, reads the study and its trials, closes the storage. */
export function readStudy(ctx: Context, opts: StudyOpts): TaskEither<HyperionError, Loaded> {
  return gen(function* (_) {
    const name = yield* _(requireStudyName(opts));
    const url = yield* _(storageUrl(opts.storage, ctx));
    return yield* _(withStorage(url, "existing", (storage: Storage) =>
      gen(function* (_) {
        const study = yield* _(storage.getStudy(name));
        return { study, trials: yield* _(storage.getAllTrials(study.studyId)) };
      })));
  });
}

function listing(
  { study, trials }: Loaded,
  chosen: ReadonlyArray<FrozenTrial>,
  opts: FormatOpts,
  single: boolean,
): string {
  const { records, columns } = trialRecords(trials, study, TRIAL_ATTRS, LISTING_TIMES);
  const wanted = new Set(chosen.map((t) => t.number));
  const kept = records.filter((_, i) => wanted.has((trials[i] as FrozenTrial).number));
  return formatOutput(kept, columns, {
    format: opts.format,
    flatten: opts.flatten === true,
    single,
  });
}

function best(loaded: Loaded): TaskEither<HyperionError, FrozenTrial> {
  const { study, trials } = loaded;
  if (study.directions.length > 1) {
    return () =>
      Promise.resolve(left(invalidArgument({
        field: "command",
        value: "best-trial",
        expected:
          `'best-trials' for study '${study.studyName}', which has ${study.directions.length} objectives`,
      })));
  }
  const found = bestTrial(trials.filter((t) => t.state === "COMPLETE"), study.directions);
  return () => Promise.resolve(found ? right(found) : left(noCompletedTrials(study.studyName)));
}

function paretoOf(loaded: Loaded): TaskEither<HyperionError, ReadonlyArray<FrozenTrial>> {
  const complete = loaded.trials.filter((t) => t.state === "COMPLETE");
  return () =>
    Promise.resolve(
      complete.length === 0
        ? left(noCompletedTrials(
          loaded.study.studyName,
          `Cannot find the best trials of study '${loaded.study.studyName}': no trial is complete`,
        ))
        : right(paretoFront(complete, loaded.study.directions)),
    );
}

// -------------------------------------------------------------------------------------
// export
// -------------------------------------------------------------------------------------

interface ExportOpts extends StudyOpts {
  readonly format: ExportFormat;
  readonly output?: string;
}

function exportStudy(ctx: Context, opts: ExportOpts): TaskEither<HyperionError, Outcome> {
  return gen(function* (_) {
    const loaded = yield* _(readStudy(ctx, opts));
    const { records, columns } = trialRecords(
      loaded.trials,
      loaded.study,
      EXPORT_ATTRS,
      EXPORT_TIMES,
    );
    const { text, notes } = exportTrials(records, columns, opts.format);
    if (opts.output === undefined || opts.output === "-") return { text: text.trimEnd(), notes };
    const path = opts.output;
    yield* _(
      tryCatch(() => writeFileAtomic(path, text), (e) => storageError(`write '${path}'`, e)),
    );
    return { notes };
  });
}

// -------------------------------------------------------------------------------------
// registration
// -------------------------------------------------------------------------------------

type ListOpts = StudyOpts & FormatOpts;

function studyCommand(program: Command, name: string, description: string, help: string): Command {
  return withStudyOption(
    withStorageOption(program.command(name).description(description)),
    help,
  );
}

/** A listing command: the study's trials that `pick` chooses, in Optuna's columns. */
interface Listing {
  readonly name: string;
  readonly description: string;
  readonly studyHelp: string;
  readonly pick: (loaded: Loaded) => TaskEither<HyperionError, ReadonlyArray<FrozenTrial>>;
  /** One record rather than a list (`best-trial`). */
  readonly single: boolean;
}

const LISTINGS: ReadonlyArray<Listing> = [{
  name: "trials",
  description: "Show a list of trials.",
  studyHelp: "the study whose trials to show",
  pick: (loaded) => succeed(loaded.trials),
  single: false,
}, {
  name: "best-trial",
  description: "Show the best trial.",
  studyHelp: "the study to get the best trial of",
  pick: (loaded) => map(best(loaded), (t) => [t]),
  single: true,
}, {
  name: "best-trials",
  description: "Show the trials on the Pareto front (every best trial).",
  studyHelp: "the study to get the best trials of",
  pick: paretoOf,
  single: false,
}];

/** Adds the trial read commands to `program`. */
export function addTrialCommands(program: Command, ctx: Context, run: Runner): void {
  const flatten = "flatten nested columns such as params and user_attrs";
  for (const { name, description, studyHelp, pick, single } of LISTINGS) {
    withFormatOptions(studyCommand(program, name, description, studyHelp), "table", flatten)
      .action((opts: ListOpts) =>
        run(gen(function* (_) {
          const loaded = yield* _(readStudy(ctx, opts));
          return listing(loaded, yield* _(pick(loaded)), opts, single);
        }))
      );
  }

  studyCommand(
    program,
    "export",
    "Write every trial as CSV or JSON lines, with the columns of Optuna's trials_dataframe().",
    "the study to export",
  )
    .addOption(
      new Option("-f, --format <format>", "csv or jsonl (JSON lines)").choices(["csv", "jsonl"])
        .default("csv"),
    )
    .option(
      "-o, --output <file>",
      "write to this file (written whole or not at all) instead of stdout",
    )
    .action((opts: ExportOpts) => run(exportStudy(ctx, opts)));
}
