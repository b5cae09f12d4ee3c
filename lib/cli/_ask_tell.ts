/**
 * The CLI's write commands on trials: `ask` (with `--search-space` in Optuna's distribution
 * JSON and `--sampler`/`--sampler-kwargs` naming Optuna's sampler classes), `tell` and
 * `enqueue`. Every option is checked before the storage is opened, so bad input writes nothing.
 * Private to the CLI.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { type Either, gen, genEither, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { checkCompatible, type Distribution } from "../core/distributions.ts";
import { distributionFromJson } from "../core/distribution_json.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import type { FrozenTrial, TrialState } from "../core/trial.ts";
import type { Sampler } from "../samplers/sampler.ts";
import { randomSampler } from "../samplers/random.ts";
import { tpeSampler } from "../samplers/tpe/mod.ts";
import { gridSampler, type GridSpace } from "../samplers/grid.ts";
import { qmcSampler } from "../samplers/qmc/mod.ts";
import { bruteForceSampler } from "../samplers/brute_force.ts";
import type { Storage } from "../storage/storage.ts";
import { loadStudy, type Study } from "../study/study.ts";
import { ask } from "../study/ask.ts";
import { tell } from "../study/tell.ts";
import { enqueueTrial } from "../study/enqueue.ts";
import { trialNotFound } from "../storage/errors.ts";
import { cellRecord, type Column, formatOutput } from "./_output.ts";
import type { Context } from "./_context.ts";
import {
  type FormatOpts,
  type Outcome,
  parseJsonObject,
  parseNumber,
  requireStudyName,
  type Runner,
  type StudyOpts,
  withFormatOptions,
  withStorageOption,
  withStudyOption,
} from "./_command.ts";
import { storageUrl, withStorage } from "./_storage.ts";

// -------------------------------------------------------------------------------------
// samplers by Optuna's class names
// -------------------------------------------------------------------------------------

type Kwargs = Readonly<Record<string, JsonValue>>;

const SAMPLERS: Readonly<Record<string, (kwargs: Kwargs) => Sampler>> = {
  TPESampler: (k) => tpeSampler(k as never),
  RandomSampler: (k) => randomSampler(k as never),
  QMCSampler: (k) => qmcSampler(k as never),
  BruteForceSampler: (k) => bruteForceSampler(k as never),
  GridSampler: ({ searchSpace, ...rest }) => gridSampler(searchSpace as GridSpace, rest as never),
};

/** The sampler classes `--sampler` takes (also by Hyperion's kind: tpe, random, …). */
export const SAMPLER_NAMES: ReadonlyArray<string> = Object.keys(SAMPLERS);

const KIND_TO_CLASS: Readonly<Record<string, string>> = {
  tpe: "TPESampler",
  random: "RandomSampler",
  qmc: "QMCSampler",
  bruteForce: "BruteForceSampler",
  grid: "GridSampler",
};

/** `snake_case` keys (Python's keyword arguments) as `camelCase`. */
function camelKeys(kwargs: Kwargs): Kwargs {
  return Object.fromEntries(
    Object.entries(kwargs).map((
      [k, v],
    ) => [k.replace(/_([a-z0-9])/g, (_m, c) => c.toUpperCase()), v]),
  );
}

/** The sampler `--sampler`/`--sampler-kwargs` name; `undefined` when neither is given. */
export function samplerOption(
  name: string | undefined,
  kwargs: string | undefined,
): Either<HyperionError, Sampler | undefined> {
  return genEither(function* (_) {
    if (name === undefined) {
      if (kwargs === undefined) return undefined;
      return yield* _(left(invalidArgument({
        field: "--sampler-kwargs",
        value: kwargs,
        expected: "--sampler as well (or no --sampler-kwargs)",
        got: "--sampler-kwargs without --sampler",
      })));
    }
    const cls = KIND_TO_CLASS[name] ?? name;
    const make = Object.hasOwn(SAMPLERS, cls) ? SAMPLERS[cls] : undefined;
    if (make === undefined) {
      return yield* _(left(invalidArgument({
        field: "--sampler",
        value: name,
        expected: `one of ${SAMPLER_NAMES.join(", ")}`,
      })));
    }
    const args = kwargs === undefined ? {} : yield* _(parseJsonObject("--sampler-kwargs", kwargs));
    return make(camelKeys(args));
  });
}

/** `--search-space`: names to Optuna distribution JSON objects. */
export function searchSpaceOption(
  text: string | undefined,
): Either<HyperionError, Readonly<Record<string, Distribution>>> {
  return genEither(function* (_) {
    if (text === undefined) return {};
    const raw = yield* _(parseJsonObject("--search-space", text));
    const space: Record<string, Distribution> = {};
    for (const [name, dist] of Object.entries(raw)) {
      const parsed = distributionFromJson(JSON.stringify(dist));
      if (parsed._tag === "Left") {
        return yield* _(left(invalidArgument({
          field: `--search-space.${name}`,
          value: dist,
          expected: "a distribution such as " +
            `{"name": "FloatDistribution", "attributes": {"low": 0, "high": 1}} (${parsed.left.message})`,
        })));
      }
      space[name] = parsed.right;
    }
    return space;
  });
}

// -------------------------------------------------------------------------------------
// ask
// -------------------------------------------------------------------------------------

/** Each distribution of `space` is compatible with the first one the study recorded for its name. */
function compatibleSpace(
  trials: ReadonlyArray<FrozenTrial>,
  space: Readonly<Record<string, Distribution>>,
): Either<HyperionError, void> {
  for (const [name, next] of Object.entries(space)) {
    const previous = trials.find((t) => Object.hasOwn(t.distributions, name))?.distributions[name];
    if (previous === undefined) continue;
    const ok = checkCompatible(previous, next, name);
    if (ok._tag === "Left") return ok;
  }
  return right(undefined);
}

interface AskOpts extends StudyOpts, FormatOpts {
  readonly sampler?: string;
  readonly samplerKwargs?: string;
  readonly searchSpace?: string;
}

function onStudy<A>(
  ctx: Context,
  opts: StudyOpts,
  sampler: Sampler | undefined,
  use: (study: Study, storage: Storage) => TaskEither<HyperionError, A>,
): TaskEither<HyperionError, A> {
  return gen(function* (_) {
    const studyName = yield* _(requireStudyName(opts));
    const url = yield* _(storageUrl(opts.storage, ctx));
    return yield* _(withStorage(url, "existing", (storage) =>
      gen(function* (_) {
        const study = yield* _(loadStudy({
          storage,
          studyName,
          ...(sampler === undefined ? {} : { sampler }),
        }));
        return yield* _(use(study, storage));
      })));
  });
}

function askCommand(ctx: Context, opts: AskOpts): TaskEither<HyperionError, string> {
  return gen(function* (_) {
    const sampler = yield* _(samplerOption(opts.sampler, opts.samplerKwargs));
    const space = yield* _(searchSpaceOption(opts.searchSpace));
    const trial = yield* _(onStudy(ctx, opts, sampler, (study) =>
      gen(function* (_) {
        // checked before the trial is created, so that an incompatible space writes nothing
        yield* _(compatibleSpace(yield* _(study.storage.getAllTrials(study.studyId)), space));
        const handle = yield* _(ask(study, space));
        return yield* _(study.storage.getTrial(handle.trialId));
      })));
    const flatten = opts.flatten === true;
    const params = Object.entries(trial.params);
    const cells: Array<readonly [Column, unknown]> = [[{ name: "number", key: "" }, trial.number]];
    if (params.length === 0 && !flatten) cells.push([{ name: "params", key: "" }, {}]);
    for (const [k, v] of params) cells.push([{ name: "params", key: k }, v]);
    return formatOutput([cellRecord(cells)], cells.map(([c]) => c), {
      format: opts.format,
      flatten,
      single: true,
    });
  });
}

// -------------------------------------------------------------------------------------
// tell
// -------------------------------------------------------------------------------------

interface TellOpts extends StudyOpts {
  readonly trialNumber?: string;
  readonly values?: ReadonlyArray<string>;
  readonly state?: "complete" | "pruned" | "fail";
  readonly skipIfFinished?: boolean;
}

function tellArgs(opts: TellOpts): Either<HyperionError, { number: number; values?: number[] }> {
  return genEither(function* (_) {
    if (opts.trialNumber === undefined) {
      return yield* _(left(invalidArgument({
        field: "--trial-number",
        value: undefined,
        expected: "the number of the trial to finish",
        got: "none",
      })));
    }
    const number = yield* _(parseNumber("--trial-number", opts.trialNumber, "integer"));
    if (opts.values === undefined) return { number };
    const values: number[] = [];
    for (const v of opts.values) values.push(yield* _(parseNumber("--values", v, "number")));
    return { number, values };
  });
}

function tellCommand(ctx: Context, opts: TellOpts): TaskEither<HyperionError, Outcome> {
  return gen(function* (_) {
    const { number, values } = yield* _(tellArgs(opts));
    const state = opts.state?.toUpperCase() as TrialState | undefined;
    return yield* _(onStudy(ctx, opts, undefined, (study, storage) =>
      gen(function* (_) {
        const trials = yield* _(storage.getAllTrials(study.studyId));
        const trial = trials.find((t) => t.number === number);
        if (trial === undefined) return yield* _(left(trialNotFound(number)));
        if (trial.state !== "RUNNING" && trial.state !== "WAITING" && opts.skipIfFinished) {
          return {
            notes: [`note: trial ${number} is already finished (${trial.state}): nothing told`],
          };
        }
        const told = yield* _(tell(study, number, {
          ...(values === undefined ? {} : { values }),
          ...(state === undefined ? {} : { state }),
        }));
        return told.state === "FAIL" && state === undefined
          ? {
            notes: [
              `warning: trial ${number} failed as its values ${
                JSON.stringify(values ?? null)
              } are not valid`,
            ],
          }
          : {};
      })));
  });
}

// -------------------------------------------------------------------------------------
// enqueue
// -------------------------------------------------------------------------------------

interface EnqueueOpts extends StudyOpts {
  readonly params?: string;
  readonly userAttrs?: string;
  readonly skipIfExists?: boolean;
}

function enqueueCommand(ctx: Context, opts: EnqueueOpts): TaskEither<HyperionError, undefined> {
  return gen(function* (_) {
    if (opts.params === undefined) {
      return yield* _(left(invalidArgument({
        field: "--params",
        value: undefined,
        expected: `a JSON object of parameter values such as '{"x": 0.5, "act": "relu"}'`,
        got: "none",
      })));
    }
    const params = yield* _(parseJsonObject("--params", opts.params));
    const userAttrs = opts.userAttrs === undefined
      ? {}
      : yield* _(parseJsonObject("--user-attrs", opts.userAttrs));
    yield* _(
      onStudy(
        ctx,
        opts,
        undefined,
        (study) =>
          enqueueTrial(study, params as Readonly<Record<string, ParamValue>>, {
            userAttrs,
            skipIfExists: opts.skipIfExists === true,
          }),
      ),
    );
    return undefined;
  });
}

// -------------------------------------------------------------------------------------
// registration
// -------------------------------------------------------------------------------------

function studyCommand(program: Command, name: string, description: string): Command {
  return withStudyOption(
    withStorageOption(program.command(name).description(description)),
    "the name of the study",
  );
}

/** Adds `ask`, `tell` and `enqueue` to `program`. */
export function addAskTellCommands(program: Command, ctx: Context, run: Runner): void {
  withFormatOptions(
    studyCommand(
      program,
      "ask",
      "Create a new trial and suggest parameters; prints its number and parameters.",
    )
      .option(
        "--sampler <class>",
        `sampler class: ${SAMPLER_NAMES.join(", ")} (default: TPESampler)`,
      )
      .option("--sampler-kwargs <json>", `sampler arguments as JSON, e.g. '{"seed": 1}'`)
      .option(
        "--search-space <json>",
        `parameters as JSON: names to Optuna distribution JSON, e.g. '{"x": {"name": "FloatDistribution", "attributes": {"low": 0, "high": 1}}}'`,
      ),
    "json",
    "flatten nested columns such as params",
  ).action((opts: AskOpts) => run(askCommand(ctx, opts)));

  studyCommand(program, "tell", "Finish a trial created by ask.")
    .option("--trial-number <n>", "the trial's number")
    .option("--values <values...>", "objective values (one per objective)")
    .addOption(
      new Option("--state <state>", "the trial's state (default: complete when values are valid)")
        .choices(["complete", "pruned", "fail"]),
    )
    .option("--skip-if-finished", "succeed without change when the trial is already finished")
    .action((opts: TellOpts) => run(tellCommand(ctx, opts)));

  studyCommand(program, "enqueue", "Add a trial with fixed parameters, run before new ones.")
    .option("--params <json>", `parameter values as a JSON object, e.g. '{"x": 0.5}'`)
    .option("--user-attrs <json>", "user attributes of the trial as a JSON object")
    .option("--skip-if-exists", "skip when a trial with the same parameters exists")
    .action((opts: EnqueueOpts) => run(enqueueCommand(ctx, opts)));
}
