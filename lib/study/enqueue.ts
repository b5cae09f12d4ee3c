/**
 * `enqueueTrial`: a trial with fixed parameters that the next `ask` claims.
 *
 * @module
 */
import {
  type Either,
  fromAsync,
  gen,
  genEither,
  left,
  right,
  type TaskEither,
} from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import type { Attrs, FrozenTrial } from "../core/trial.ts";
import { checkAttr } from "../storage/rules.ts";
import { checkParamValues } from "./_checks.ts";
import { withStudy } from "./_live.ts";
import type { Study } from "./study.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link enqueueTrial}.
 *
 * @category model
 */
export interface EnqueueOptions {
  /**
   * User attributes of the enqueued trial.
   *
   * @default {{}}
   */
  readonly userAttrs?: Attrs;
  /**
   * Skip when a trial with the same parameter names and (relatively within 1e-5) equal values
   * exists, in any state.
   *
   * @default {false}
   */
  readonly skipIfExists?: boolean;
}

// -------------------------------------------------------------------------------------
// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

function repeats(next: ParamValue | undefined, old: unknown): boolean {
  if (typeof next === "number" && typeof old === "number") {
    // numpy's isclose(next, old, atol=0, equal_nan=True), as Optuna's skip_if_exists
    if (Number.isNaN(next) || Number.isNaN(old)) return Number.isNaN(next) && Number.isNaN(old);
    if (!Number.isFinite(next) || !Number.isFinite(old)) return next === old;
    return Math.abs(next - old) <= 1e-5 * Math.abs(old);
  }
  return Object.is(next, old);
}

/** True when a trial with the same parameter names and (nearly) equal values exists. */
function alreadyEnqueued(
  trials: ReadonlyArray<FrozenTrial>,
  params: Readonly<Record<string, ParamValue>>,
): boolean {
  const keys = Object.keys(params).sort().join("\u0000");
  return trials.some((t) => {
    const fixed = t.systemAttrs["fixed_params"];
    const existing = (typeof fixed === "object" && fixed !== null && !Array.isArray(fixed))
      ? fixed as Readonly<Record<string, JsonValue>>
      : t.params;
    return Object.keys(existing).sort().join("\u0000") === keys &&
      Object.entries(params).every(([k, v]) => repeats(v, existing[k]));
  });
}

function checkEnqueueOptions(options: EnqueueOptions): Either<HyperionError, Attrs> {
  if (typeof options !== "object" || options === null) {
    return left(invalidArgument({
      field: "options",
      value: options,
      expected: "an object such as { skipIfExists: true }",
    }));
  }
  if (options.skipIfExists !== undefined && typeof options.skipIfExists !== "boolean") {
    return left(invalidArgument({
      field: "skipIfExists",
      value: options.skipIfExists,
      expected: "a boolean",
    }));
  }
  return right(options.userAttrs ?? {});
}

function checkUserAttrs(userAttrs: Attrs): Either<HyperionError, void> {
  if (typeof userAttrs !== "object" || userAttrs === null || Array.isArray(userAttrs)) {
    return left(invalidArgument({
      field: "userAttrs",
      value: userAttrs,
      expected: "an object of JSON values",
    }));
  }
  return genEither(function* (_) {
    for (const [key, value] of Object.entries(userAttrs)) yield* _(checkAttr(key, value));
  });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Enqueues a trial with fixed parameters (a WAITING trial that the next `ask` claims). Names
 * not given are sampled as usual. Values outside the distribution later suggested are used as
 * given, as Optuna does. `NaN` and infinities are enqueued too (stored as Python's `json.dumps`
 * writes them, so Optuna reads them), and `skipIfExists` treats two NaNs, or two equal
 * infinities, as the same value.
 *
 * @example Try a known configuration first
 * ```ts
 * import { createStudy, enqueueTrial, ask, suggestFloat, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const study = await runOrThrow(createStudy());
 * await runOrThrow(enqueueTrial(study, { lr: 0.01 }));
 * const trial = await runOrThrow(ask(study));
 * assert.equal(await runOrThrow(suggestFloat(trial, "lr", 1e-5, 1, { log: true })), 0.01);
 * ```
 *
 * @category combinators
 */
export function enqueueTrial(
  study: Study,
  params: Readonly<Record<string, ParamValue>>,
  options: EnqueueOptions = {},
): TaskEither<HyperionError, void> {
  return fromAsync(
    withStudy(study, () =>
      gen(function* (_) {
        const userAttrs = yield* _(checkEnqueueOptions(options));
        yield* _(checkParamValues(params));
        yield* _(checkUserAttrs(userAttrs));
        if (options.skipIfExists === true) {
          const trials = yield* _(study.storage.getAllTrials(study.studyId));
          if (alreadyEnqueued(trials, params)) return;
        }
        yield* _(study.storage.createTrial(study.studyId, {
          state: "WAITING",
          systemAttrs: { fixed_params: { ...params } },
          userAttrs,
        }));
      })),
    (e) => invalidArgument({ field: "params", value: String(e), expected: "enqueueable params" }),
  );
}
