/**
 * Checks of the records a study is built from (storage, sampler, pruner), shared by the study
 * functions. Each returns `InvalidStudyArgs` naming the field.
 *
 * @module
 */
import { type Either, genEither, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidStudyArgs, show } from "../errors.ts";
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
