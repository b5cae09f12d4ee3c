/**
 * Checks of the records a study is built from (storage, sampler, pruner), shared by the study
 * functions, each returning `InvalidStudyArgs` naming the field; and of the parameter values
 * given by hand (`enqueueTrial`, `fixedTrial`), returning `InvalidArgument`.
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, invalidStudyArgs, show } from "../errors.ts";
import type { Storage } from "../storage/storage.ts";
import type { Sampler, SamplerKinds } from "../samplers/sampler.ts";
import { samplerImpl } from "../samplers/catalog.ts";
import type { Pruner } from "../pruners/pruner.ts";

/** A sampler record of a kind in `kinds` whose options its kind accepts. */
export function checkSampler(
  sampler: unknown,
  kinds: SamplerKinds,
): Either<HyperionError, Sampler> {
  if (typeof sampler !== "object" || sampler === null || !("kind" in sampler)) {
    return left(invalidStudyArgs(
      "sampler",
      `Invalid 'sampler': expected a sampler record {kind, options, state}, got ${show(sampler)}`,
    ));
  }
  return genEither(function* (_) {
    const impl = yield* _(samplerImpl(sampler as Sampler, kinds));
    return yield* _(impl.validate(sampler as Sampler));
  });
}

/** A pruner record with a `prune` function, validated by its own `validate` when it has one. */
export function checkPruner(pruner: unknown): Either<HyperionError, Pruner> {
  if (
    typeof pruner !== "object" || pruner === null ||
    typeof (pruner as { prune?: unknown }).prune !== "function"
  ) {
    return left(invalidStudyArgs(
      "pruner",
      `Invalid 'pruner': expected a pruner record {kind, options, prune}, got ${show(pruner)}`,
    ));
  }
  const validate = (pruner as { validate?: () => Either<HyperionError, void> }).validate;
  return genEither(function* (_) {
    if (typeof validate === "function") yield* _(validate());
    return pruner as Pruner;
  });
}

/** A storage record (anything with a `createStudy` function). */
export function checkStorage(storage: unknown, field = "storage"): Either<HyperionError, Storage> {
  if (
    typeof storage !== "object" || storage === null ||
    typeof (storage as { createStudy?: unknown }).createStudy !== "function"
  ) {
    return left(invalidStudyArgs(
      field,
      `Invalid '${field}': expected a Storage record, got ${show(storage)}`,
    ));
  }
  return right(storage as Storage);
}

/**
 * Parameter values by name: an object whose values are numbers (NaN and infinities too: they
 * are stored with `json.dumps`'s tokens, as Optuna does), strings, booleans or null.
 */
export function checkParamValues(params: unknown): Either<HyperionError, void> {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    return left(invalidArgument({
      field: "params",
      value: params,
      expected: "an object of parameter values",
    }));
  }
  for (const [name, value] of Object.entries(params)) {
    const ok = value === null || typeof value === "string" || typeof value === "boolean" ||
      typeof value === "number";
    if (!ok) {
      return left(invalidArgument({
        field: `params.${name}`,
        value,
        expected: "a number, string, boolean or null",
      }));
    }
  }
  return right(undefined);
}
