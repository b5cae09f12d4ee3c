/**
 * `gen`: sequential effect code without hand-written `Left` checks, like Effect's `Effect.gen`.
 *
 * A generator body `yield*`s each step through the adapter `_` it receives; a step is a
 * {@link TaskEither} (run and awaited) or an {@link Either} (a pure check). The first `Left`
 * ends the whole computation with that `Left`: nothing after it runs (the generator is closed,
 * so only its `finally` blocks run). The errors of every step are unioned in the result's type.
 *
 * A `TaskEither` is a plain function and cannot be iterated itself, hence the adapter: `_(te)`
 * wraps it in a one-step iterable whose `yield*` result is the step's success value, typed.
 * {@link genEither} is the pure twin: `Either` steps only, run synchronously, an `Either` back.
 *
 * @example Two steps, the second depending on the first
 * ```ts
 * import { gen, left, right, succeed, type TaskEither } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const half = (n: number): TaskEither<"odd", number> =>
 *   () => Promise.resolve(n % 2 === 0 ? right(n / 2) : left("odd" as const));
 * const program = gen(function* (_) {
 *   const a = yield* _(succeed(12));
 *   const b = yield* _(half(a));
 *   return a + b;
 * });
 * assert.deepEqual(await program(), { _tag: "Right", right: 18 });
 * ```
 *
 * @module
 */
import { type Either, right } from "./either.ts";
import type { TaskEither } from "./task_either.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One step of a {@link gen} body: `yield*` on it runs `step` and evaluates to its success value.
 *
 * @category model
 */
export interface Step<E, A> {
  /** The effect or the pure result this step stands for. */
  readonly step: TaskEither<E, A> | Either<E, A>;
  /** `yield*` support: yields the step once and returns what the runner sends back. */
  [Symbol.iterator](): Iterator<Step<E, A>, A, unknown>;
}

/**
 * The adapter a {@link gen} body receives: wraps a `TaskEither` or an `Either` into a
 * {@link Step} for `yield*`.
 *
 * @category model
 */
export type Adapter = <E, A>(step: TaskEither<E, A> | Either<E, A>) => Step<E, A>;

/**
 * The adapter a {@link genEither} body receives: wraps an `Either` into a {@link Step}.
 *
 * @category model
 */
export type EitherAdapter = <E, A>(step: Either<E, A>) => Step<E, A>;

/**
 * The union of the error types of the steps a {@link gen} body yields.
 *
 * @category model
 */
export type StepError<S> = S extends Step<infer E, unknown> ? E : never;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A {@link Step} that is its own one-shot iterator: the first `next` yields the step, the second
 * returns the value the runner sent. A plain object with methods on its prototype costs far
 * less than a generator per step (V8 allocates a generator object and its closure for each).
 */
class StepOf<E, A> implements Step<E, A>, Iterator<Step<E, A>, A, unknown> {
  private yielded = false;
  readonly step: TaskEither<E, A> | Either<E, A>;

  // a plain field, not a parameter property: Node's type stripping refuses those
  constructor(step: TaskEither<E, A> | Either<E, A>) {
    this.step = step;
  }

  [Symbol.iterator](): Iterator<Step<E, A>, A, unknown> {
    return this;
  }

  next(value?: unknown): IteratorResult<Step<E, A>, A> {
    if (this.yielded) return { done: true, value: value as A };
    this.yielded = true;
    return { done: false, value: this };
  }
}

function stepOf<E, A>(step: TaskEither<E, A> | Either<E, A>): Step<E, A> {
  return new StepOf(step);
}

/**
 * Runs a generator body as a {@link TaskEither}: each `yield* _(step)` runs the step and
 * resumes the body with its success value; the first `Left` is the result and nothing after it
 * runs; the body's return value is the `Right`. The body is started anew each time the result
 * is run. A throw inside the body rejects the returned promise (wrap with `fromAsync` to map it
 * to an error).
 *
 * @example Stops at the first Left
 * ```ts
 * import { fail, gen, succeed } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * let reached = false;
 * const program = gen(function* (_) {
 *   const a = yield* _(succeed(1));
 *   yield* _(fail("boom"));
 *   reached = true;
 *   return a;
 * });
 * assert.deepEqual(await program(), { _tag: "Left", left: "boom" });
 * assert.equal(reached, false);
 * ```
 *
 * @category constructors
 */
export function gen<S extends Step<unknown, unknown>, R>(
  body: (_: Adapter) => Generator<S, R, unknown>,
): TaskEither<StepError<S>, R> {
  return async () => {
    const iterator = body(stepOf);
    let next = iterator.next();
    while (!next.done) {
      const step = next.value.step;
      // an Either step is used as it is: no promise, no turn of the event loop
      const result = typeof step === "function" ? await step() : step;
      if (result._tag === "Left") {
        iterator.return(undefined as never);
        return result as Either<StepError<S>, R>;
      }
      next = iterator.next(result.right);
    }
    return right(next.value);
  };
}

/**
 * The pure twin of {@link gen}: runs a generator body whose steps are `Either`s, synchronously,
 * and returns an `Either` (the first `Left`, or the body's return value).
 *
 * @example Chain pure checks
 * ```ts
 * import { genEither, left, right, type Either } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const positive = (n: number): Either<string, number> => n > 0 ? right(n) : left(`${n} <= 0`);
 * const area = (w: number, h: number) =>
 *   genEither(function* (_) {
 *     return (yield* _(positive(w))) * (yield* _(positive(h)));
 *   });
 * assert.deepEqual(area(2, 3), right(6));
 * assert.deepEqual(area(2, -1), left("-1 <= 0"));
 * ```
 *
 * @category constructors
 */
export function genEither<S extends Step<unknown, unknown>, R>(
  body: (_: EitherAdapter) => Generator<S, R, unknown>,
): Either<StepError<S>, R> {
  const iterator = body(stepOf);
  let next = iterator.next();
  while (!next.done) {
    const result = next.value.step as Either<unknown, unknown>;
    if (result._tag === "Left") {
      iterator.return(undefined as never);
      return result as Either<StepError<S>, R>;
    }
    next = iterator.next(result.right);
  }
  return right(next.value);
}
