/**
 * `bracket`: acquire a resource, use it, release it whatever happens (fp-ts's
 * `TaskEither.bracketW` semantics, plus a release on a throw).
 *
 * @example Close what was opened, on success and on failure
 * ```ts
 * import { bracket, fail, succeed, type TaskEither } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const closed: string[] = [];
 * const withFile = <A>(use: (name: string) => TaskEither<string, A>) =>
 *   bracket(succeed("log.txt"), use, (name) => {
 *     closed.push(name);
 *     return succeed(undefined);
 *   });
 * assert.deepEqual(await withFile(() => fail("disk full"))(), { _tag: "Left", left: "disk full" });
 * assert.deepEqual(await withFile(() => succeed(3))(), { _tag: "Right", right: 3 });
 * assert.deepEqual(closed, ["log.txt", "log.txt"]);
 * ```
 *
 * @module
 */
import { type Either, left } from "./either.ts";
import type { TaskEither } from "./task_either.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What `release` sees when `use` threw or rejected instead of resolving to an `Either` (a
 * defect: library code never does it); the bracket rejects with the same reason afterwards.
 *
 * @category model
 */
export interface Thrown {
  /** Discriminant. */
  readonly _tag: "Thrown";
  /** The thrown value or rejection reason. */
  readonly cause: unknown;
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

async function settle<E, B>(
  use: () => Promise<Either<E, B>>,
): Promise<{ readonly result: Either<E | Thrown, B>; readonly thrown: Thrown | undefined }> {
  try {
    return { result: await use(), thrown: undefined };
  } catch (cause) {
    const thrown: Thrown = { _tag: "Thrown", cause };
    return { result: left(thrown), thrown };
  }
}

/**
 * Acquires a resource, uses it and releases it: `release` runs once `acquire` succeeded,
 * whatever `use` gives (a `Right`, a `Left`, or a throw or rejection), with the resource and
 * `use`'s result. As in fp-ts: when `acquire` fails nothing else runs; when `release` fails its
 * `Left` is the result, otherwise `use`'s result is. When `use` throws, `release` sees
 * `Left(Thrown)` and the bracket then rejects with the thrown value.
 *
 * @example Release runs on a Left too
 * ```ts
 * import { bracket, fail, succeed } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * const result = await bracket(
 *   succeed("storage"),
 *   (s) => fail(`cannot use ${s}`),
 *   (s, r) => { log.push(`close ${s} after ${r._tag}`); return succeed(undefined); },
 * )();
 * assert.deepEqual(result, { _tag: "Left", left: "cannot use storage" });
 * assert.deepEqual(log, ["close storage after Left"]);
 * ```
 *
 * @category combinators
 */
export function bracket<E1, A, E2, B, E3 = never>(
  acquire: TaskEither<E1, A>,
  use: (a: A) => TaskEither<E2, B>,
  release: (a: A, result: Either<E2 | Thrown, B>) => TaskEither<E3, void>,
): TaskEither<E1 | E2 | E3, B> {
  return async () => {
    const acquired = await acquire();
    if (acquired._tag === "Left") return acquired;
    const resource = acquired.right;
    const used = await settle(() => use(resource)());
    const released = await release(resource, used.result)();
    if (used.thrown !== undefined) throw used.thrown.cause;
    if (released._tag === "Left") return released;
    return used.result as Either<E2, B>;
  };
}
