/**
 * Effects and results: structural twins of fp-ts's `Either` and `TaskEither`, and the few
 * combinators Hyperion adds on top of them.
 *
 * Every public function that does I/O returns a {@link TaskEither}: a lazy computation that,
 * when run, resolves to a {@link Either}. Nothing throws across the public API. The twins are
 * assignable to and from fp-ts's types, so `fp-ts/lib/TaskEither.js` combinators apply. The
 * library itself does not import fp-ts (tests/effect/effect_test.ts proves the assignability
 * against fp-ts 2.16); these combinators behave as fp-ts's of the same names.
 *
 * @example Run an effect and inspect its result
 * ```ts
 * import { right, isRight, type TaskEither } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const answer: TaskEither<never, number> = () => Promise.resolve(right(42));
 * const result = await answer();
 * assert.ok(isRight(result) && result.right === 42);
 * ```
 *
 * @module
 */
import { type Either, getOrThrow, left, right } from "./either.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A lazy asynchronous computation that resolves to an {@link Either}; the structural twin of
 * fp-ts's `TaskEither`. Running it (calling it) never rejects when built by Hyperion.
 *
 * @category model
 */
export type TaskEither<E, A> = () => Promise<Either<E, A>>;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A {@link TaskEither} that succeeds with `a`.
 *
 * @category constructors
 */
export function succeed<A, E = never>(a: A): TaskEither<E, A> {
  return () => Promise.resolve(right(a));
}

/**
 * A {@link TaskEither} that fails with `e`.
 *
 * @category constructors
 */
export function fail<E, A = never>(e: E): TaskEither<E, A> {
  return () => Promise.resolve(left(e));
}

/**
 * Lifts an {@link Either} into a {@link TaskEither}.
 *
 * @category constructors
 */
export function fromEither<E, A>(ea: Either<E, A>): TaskEither<E, A> {
  return () => Promise.resolve(ea);
}

/**
 * Lifts an async computation that cannot fail (fp-ts's `TaskEither.fromTask`); a rejection
 * rejects the result (wrap with {@link fromAsync} to map it).
 *
 * @category constructors
 */
export function fromTask<A, E = never>(run: () => Promise<A>): TaskEither<E, A> {
  return async () => right(await run());
}

/**
 * Wraps an async function that may throw or reject into a {@link TaskEither}; `onError` turns
 * the thrown value into the error.
 *
 * @category constructors
 */
export function tryCatch<E, A>(
  run: () => Promise<A> | A,
  onError: (reason: unknown) => E,
): TaskEither<E, A> {
  return async () => {
    try {
      return right(await run());
    } catch (reason) {
      return left(onError(reason));
    }
  };
}

/**
 * Builds a {@link TaskEither} from an async function written with `await` that returns an
 * {@link Either}; a throw or rejection becomes `onError(reason)`.
 *
 * @category constructors
 */
export function fromAsync<E, A>(
  run: () => Promise<Either<E, A>>,
  onError: (reason: unknown) => E,
): TaskEither<E, A> {
  return async () => {
    try {
      return await run();
    } catch (reason) {
      return left(onError(reason));
    }
  };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Transforms the success value of a {@link TaskEither}.
 *
 * @category combinators
 */
export function map<E, A, B>(fa: TaskEither<E, A>, f: (a: A) => B): TaskEither<E, B> {
  return async () => {
    const ea = await fa();
    return ea._tag === "Left" ? ea : right(f(ea.right));
  };
}

/**
 * Sequences a {@link TaskEither} after another (monadic bind).
 *
 * @category combinators
 */
export function flatMap<E1, A, E2, B>(
  fa: TaskEither<E1, A>,
  f: (a: A) => TaskEither<E2, B>,
): TaskEither<E1 | E2, B> {
  return async () => {
    const ea = await fa();
    return ea._tag === "Left" ? ea : await f(ea.right)();
  };
}

/**
 * Transforms the error of a {@link TaskEither}.
 *
 * @category combinators
 */
export function mapError<E, A, F>(fa: TaskEither<E, A>, f: (e: E) => F): TaskEither<F, A> {
  return async () => {
    const ea = await fa();
    return ea._tag === "Left" ? left(f(ea.left)) : ea;
  };
}

/**
 * Recovers from an error: runs `f` on a failure (it may fail again, or succeed).
 *
 * @category combinators
 */
export function orElse<E1, A, E2, B>(
  fa: TaskEither<E1, A>,
  f: (e: E1) => TaskEither<E2, B>,
): TaskEither<E2, A | B> {
  return async () => {
    const ea = await fa();
    return ea._tag === "Left" ? await f(ea.left)() : ea;
  };
}

/**
 * Runs `f` on a success for its effect and keeps the original value.
 *
 * @category combinators
 */
export function tap<E1, A, E2>(
  fa: TaskEither<E1, A>,
  f: (a: A) => TaskEither<E2, unknown>,
): TaskEither<E1 | E2, A> {
  return async () => {
    const ea = await fa();
    if (ea._tag === "Left") return ea;
    const eb = await f(ea.right)();
    return eb._tag === "Left" ? eb : ea;
  };
}

/**
 * Runs the effects one after another and collects their values; stops at the first error.
 *
 * @category combinators
 */
export function sequence<E, A>(
  tasks: ReadonlyArray<TaskEither<E, A>>,
): TaskEither<E, ReadonlyArray<A>> {
  return async () => {
    const values: A[] = [];
    for (const task of tasks) {
      const ea = await task();
      if (ea._tag === "Left") return ea;
      values.push(ea.right);
    }
    return right(values);
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Runs a {@link TaskEither} and returns its value, throwing the error otherwise. Meant for
 * scripts, examples and tests; library code stays in `TaskEither`.
 *
 * @category utils
 */
export async function runOrThrow<E, A>(fa: TaskEither<E, A>): Promise<A> {
  return getOrThrow(await fa());
}
