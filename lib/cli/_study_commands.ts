/**
 * The CLI's study commands: `studies`, `study-names`, `create-study`, `delete-study`,
 * `copy-study` (Optuna's options and output). Private to the CLI.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { gen, left, map, mapError, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { Direction } from "../core/study.ts";
import type { Storage } from "../storage/storage.ts";
import { createStudy, loadStudy, setStudyUserAttr } from "../study/study.ts";
import { copyStudy, deleteStudy, getAllStudySummaries } from "../study/studies.ts";
import { cellRecord, formatOutput } from "./_output.ts";
import { LISTING_TIMES } from "./_records.ts";
import type { Context } from "./_context.ts";
import {
  type FormatOpts,
  requireStudyName,
  type Runner,
  type StorageOpts,
  type StudyOpts,
  withFormatOptions,
  withStorageOption,
  withStudyOption,
} from "./_command.ts";
import { storageUrl, withStorage } from "./_storage.ts";

const DIRECTIONS: ReadonlyArray<Direction> = ["minimize", "maximize"];

// -------------------------------------------------------------------------------------
// studies, study-names
// -------------------------------------------------------------------------------------

function listStudies(storage: Storage, opts: FormatOpts): TaskEither<HyperionError, string> {
  return map(getAllStudySummaries(storage), (summaries) => {
    const records = summaries.map((s) =>
      cellRecord([
        [{ name: "name", key: "" }, s.study.studyName],
        [{ name: "direction", key: "" }, s.study.directions.map((d) => d.toUpperCase())],
        [{ name: "n_trials", key: "" }, s.nTrials],
        [
          { name: "datetime_start", key: "" },
          s.datetimeStart === null ? null : LISTING_TIMES.datetime(s.datetimeStart),
        ],
        [{ name: "user_attrs", key: "" }, s.study.userAttrs],
      ])
    );
    const withAttrs = summaries.some((s) => Object.keys(s.study.userAttrs).length > 0);
    const columns = ["name", "direction", "n_trials", "datetime_start"]
      .concat(withAttrs ? ["user_attrs"] : []).map((name) => ({ name, key: "" }));
    return formatOutput(records, columns, { format: opts.format, flatten: opts.flatten === true });
  });
}

function studyNames(storage: Storage, opts: FormatOpts): TaskEither<HyperionError, string> {
  return map(storage.listStudies(), (studies) =>
    formatOutput(
      studies.map((s) => cellRecord([[{ name: "name", key: "" }, s.studyName]])),
      [{ name: "name", key: "" }],
      { format: opts.format, flatten: false },
    ));
}

// -------------------------------------------------------------------------------------
// create-study, delete-study, copy-study
// -------------------------------------------------------------------------------------

interface CreateOpts extends StudyOpts {
  readonly direction?: Direction;
  readonly directions?: ReadonlyArray<Direction>;
  readonly skipIfExists?: boolean;
}

function create(storage: Storage, opts: CreateOpts): TaskEither<HyperionError, string> {
  const name = opts.studyName ?? opts.study;
  const created = createStudy({
    storage,
    ...(name === undefined ? {} : { studyName: name }),
    ...(opts.direction === undefined ? {} : { direction: opts.direction }),
    ...(opts.directions === undefined ? {} : { directions: opts.directions }),
    loadIfExists: opts.skipIfExists === true,
  });
  return map(
    mapError(created, (e): HyperionError =>
      e._tag === "DuplicatedStudy"
        ? {
          ...e,
          message: `Cannot create study '${e.studyName}' as a study with that name already ` +
            "exists: pass --skip-if-exists to accept the existing one",
        }
        : e),
    (study) => study.studyName,
  );
}

interface CopyOpts extends StudyOpts {
  readonly toStorage?: string;
  readonly toStudyName?: string;
}

function copy(ctx: Context, opts: CopyOpts): TaskEither<HyperionError, undefined> {
  return gen(function* (_) {
    const from = yield* _(requireStudyName(opts));
    const fromUrl = yield* _(storageUrl(opts.storage, ctx));
    const toUrl = opts.toStorage ?? fromUrl;
    const toName = opts.toStudyName ?? from;
    if (toUrl === fromUrl && toName === from) {
      return yield* _(left(invalidArgument({
        field: "--to-study-name",
        value: undefined,
        expected: "another study name or --to-storage (a study cannot be copied onto itself)",
        got: "none",
      })));
    }
    yield* _(
      withStorage(fromUrl, "existing", (fromStorage) =>
        toUrl === fromUrl
          ? copyStudy({
            fromStudyName: from,
            fromStorage,
            toStorage: fromStorage,
            toStudyName: toName,
          })
          : withStorage(toUrl, "create", (toStorage) =>
            copyStudy({ fromStudyName: from, fromStorage, toStorage, toStudyName: toName }))),
    );
    return undefined;
  });
}

// -------------------------------------------------------------------------------------
// registration
// -------------------------------------------------------------------------------------

function onStorage<O extends StorageOpts>(
  ctx: Context,
  run: Runner,
  mode: "existing" | "create",
  body: (storage: Storage, opts: O) => TaskEither<HyperionError, string | undefined>,
): (opts: O) => Promise<void> {
  return (opts) =>
    run(gen(function* (_) {
      const url = yield* _(storageUrl(opts.storage, ctx));
      return yield* _(withStorage(url, mode, (storage) => body(storage, opts)));
    }));
}

/** Adds the study commands to `program`. */
export function addStudyCommands(program: Command, ctx: Context, run: Runner): void {
  withFormatOptions(
    withStorageOption(program.command("studies").description("Show a list of studies.")),
    "table",
    "flatten nested columns such as directions",
  ).action(onStorage<StorageOpts & FormatOpts>(ctx, run, "existing", listStudies));

  withStorageOption(
    program.command("study-names").description("Show the names of every study in the storage."),
  ).addOption(
    new Option("-f, --format <format>", "output format").choices([
      "value",
      "table",
      "json",
      "yaml",
    ]).default("value"),
  ).action(onStorage<StorageOpts & FormatOpts>(ctx, run, "existing", studyNames));

  withStudyOption(
    withStorageOption(
      program.command("create-study").description(
        "Create a new study (and the SQLite file when missing); prints its name.",
      ),
    ),
    "a human-readable name for the study (default: a generated one)",
  )
    .addOption(
      new Option("--direction <direction>", "direction of a single objective")
        .choices(DIRECTIONS).conflicts("directions"),
    )
    .addOption(
      new Option("--directions <directions...>", "directions of several objectives")
        .choices(DIRECTIONS),
    )
    .option("--skip-if-exists", "succeed without change when the study exists already")
    .action(onStorage(ctx, run, "create", create));

  withStudyOption(
    withStorageOption(program.command("delete-study").description("Delete a study.")),
    "the name of the study to delete",
  ).action(onStorage<StudyOpts>(ctx, run, "existing", (storage, opts) =>
    gen(function* (_) {
      const studyName = yield* _(requireStudyName(opts));
      yield* _(deleteStudy({ studyName, storage }));
      return undefined;
    })));

  withStudyOption(
    withStorageOption(
      program.command("copy-study").description(
        "Copy a study with all its trials to another name or storage.",
      ),
    ),
    "the name of the study to copy",
  )
    .option("--to-storage <url>", "the storage to copy to (default: --storage)")
    .option("--to-study-name <name>", "the copy's name (default: the study's name)")
    .action((opts: CopyOpts) => run(copy(ctx, opts)));

  const study = program.command("study").description("Commands on one study.");
  withStudyOption(
    withStorageOption(
      study.command("set-user-attr").description(
        "Set a user attribute of a study (the value is stored as a string, as Optuna's CLI does).",
      ),
    ),
    "the study to set the attribute of",
  )
    .requiredOption("-k, --key <key>", "the attribute's key")
    .requiredOption("--value <value>", "the attribute's value")
    .action(onStorage<UserAttrOpts>(ctx, run, "existing", (storage, opts) =>
      gen(function* (_) {
        const studyName = yield* _(requireStudyName(opts));
        const handle = yield* _(loadStudy({ storage, studyName }));
        yield* _(setStudyUserAttr(handle, opts.key, opts.value));
        return undefined;
      })));
}

interface UserAttrOpts extends StudyOpts {
  readonly key: string;
  readonly value: string;
}
