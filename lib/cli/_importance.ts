/**
 * `importance`: the parameters' importances of a study (`lib/importance/`'s
 * `evaluateImportances`), most important first, with the evaluator, the parameters, the
 * objective to explain and the normalisation chosen on the command line. Private to the CLI.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { type Either, gen, genEither, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { FrozenTrial } from "../core/trial.ts";
import {
  evaluateImportances,
  fanovaEvaluator,
  type ImportanceEvaluator,
  type ImportanceOptions,
  meanDecreaseImpurityEvaluator,
  pedAnovaEvaluator,
} from "../importance/mod.ts";
import { cellRecord, formatOutput, OUTPUT_FORMATS, type OutputFormat } from "./_output.ts";
import type { Context } from "./_context.ts";
import {
  parseNumber,
  type Runner,
  type StudyOpts,
  withStorageOption,
  withStudyOption,
} from "./_command.ts";
import { readStudy } from "./_trial_commands.ts";

// -------------------------------------------------------------------------------------
// options
// -------------------------------------------------------------------------------------

interface ImportanceOpts extends StudyOpts {
  readonly evaluator: string;
  readonly params?: ReadonlyArray<string>;
  readonly target?: string;
  readonly normalize: boolean;
  readonly seed?: string;
  readonly nTrees?: string;
  readonly format: OutputFormat;
}

const EVALUATORS: Readonly<Record<string, ImportanceEvaluator["kind"]>> = {
  "ped-anova": "pedAnova",
  PedAnovaImportanceEvaluator: "pedAnova",
  fanova: "fanova",
  FanovaImportanceEvaluator: "fanova",
  mdi: "meanDecreaseImpurity",
  "mean-decrease-impurity": "meanDecreaseImpurity",
  MeanDecreaseImpurityImportanceEvaluator: "meanDecreaseImpurity",
};

function evaluatorOf(opts: ImportanceOpts): Either<HyperionError, ImportanceEvaluator> {
  return genEither(function* (_) {
    const kind = Object.hasOwn(EVALUATORS, opts.evaluator) ? EVALUATORS[opts.evaluator] : undefined;
    if (kind === undefined) {
      return yield* _(left(invalidArgument({
        field: "--evaluator",
        value: opts.evaluator,
        expected: "'ped-anova', 'fanova' or 'mdi' (mean decrease impurity)",
      })));
    }
    const seed = opts.seed === undefined
      ? undefined
      : yield* _(parseNumber("--seed", opts.seed, "integer"));
    const nTrees = opts.nTrees === undefined
      ? undefined
      : yield* _(parseNumber("--n-trees", opts.nTrees, "integer"));
    if (kind === "pedAnova") {
      if (seed !== undefined || nTrees !== undefined) {
        return yield* _(left(invalidArgument({
          field: seed !== undefined ? "--seed" : "--n-trees",
          value: seed ?? nTrees,
          expected: "no value with --evaluator ped-anova (it uses no random forest)",
        })));
      }
      return pedAnovaEvaluator();
    }
    const forest = {
      ...(seed === undefined ? {} : { seed }),
      ...(nTrees === undefined ? {} : { nTrees }),
    };
    return kind === "fanova" ? fanovaEvaluator(forest) : meanDecreaseImpurityEvaluator(forest);
  });
}

function targetOf(
  text: string | undefined,
  objectives: number,
): Either<HyperionError, ((t: FrozenTrial) => number) | undefined> {
  if (text === undefined) return right(undefined);
  const index = parseNumber("--target", text, "integer");
  if (index._tag === "Left") return index;
  const i = index.right;
  if (i >= objectives) {
    return left(invalidArgument({
      field: "--target",
      value: i,
      expected: `an objective index below ${objectives}`,
    }));
  }
  return right((t) => t.values?.[i] ?? NaN);
}

// -------------------------------------------------------------------------------------
// the command
// -------------------------------------------------------------------------------------

function importance(ctx: Context, opts: ImportanceOpts): TaskEither<HyperionError, string> {
  return gen(function* (_) {
    const evaluator = yield* _(evaluatorOf(opts));
    const { study, trials } = yield* _(readStudy(ctx, opts));
    const target = yield* _(targetOf(opts.target, study.directions.length));
    const options: ImportanceOptions = {
      evaluator,
      normalize: opts.normalize,
      ...(opts.params === undefined ? {} : { params: opts.params }),
      ...(target === undefined ? {} : { target }),
    };
    const found = yield* _(evaluateImportances(
      { trials, directions: study.directions, studyName: study.studyName },
      options,
    ));
    const entries = Object.entries(found);
    if (opts.format === "json" || opts.format === "yaml") {
      // a mapping parameter → importance, in order, as Optuna's get_param_importances returns
      const columns = entries.map(([name]) => ({ name, key: "" }));
      const record = cellRecord(entries.map(([name, v]) => [{ name, key: "" }, v]));
      return formatOutput([record], columns, { format: opts.format, flatten: false, single: true });
    }
    const columns = [{ name: "param", key: "" }, { name: "importance", key: "" }];
    const records = entries.map(([param, value]) =>
      cellRecord([[columns[0]!, param], [columns[1]!, value]])
    );
    return formatOutput(records, columns, { format: opts.format, flatten: false });
  });
}

/** Adds `importance` to `program`. */
export function addImportanceCommand(program: Command, ctx: Context, run: Runner): void {
  withStudyOption(
    withStorageOption(
      program.command("importance").description(
        "Show the parameters' importances, most important first (COMPLETE trials only).",
      ),
    ),
    "the study whose parameters to assess",
  )
    .option(
      "--evaluator <name>",
      "ped-anova (Optuna 5.0's default), fanova, or mdi (mean decrease impurity)",
      "ped-anova",
    )
    .option(
      "--params <names...>",
      "only these parameters (default: those every COMPLETE trial has)",
    )
    .option("--target <index>", "the objective to explain, by index (several objectives)")
    .option("--no-normalize", "raw importances instead of shares summing to 1")
    .option("--seed <n>", "the random forest's seed (fanova, mdi; default 0)")
    .option("--n-trees <n>", "the random forest's size (fanova, mdi; default 64)")
    .addOption(
      new Option("-f, --format <format>", "output format").choices(OUTPUT_FORMATS).default("table"),
    )
    .action((opts: ImportanceOpts) => run(importance(ctx, opts)));
}
