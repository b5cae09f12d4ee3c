/**
 * Effects and results: structural twins of fp-ts's `Either` and `TaskEither` (assignable both
 * ways, so fp-ts's `pipe` and combinators apply), the few combinators Hyperion adds on top of
 * them, {@link gen} for sequential code without hand-written `Left` checks, and
 * {@link bracket} for resources released whatever happens.
 *
 * @example Compose with fp-ts's `pipe`
 * ```ts
 * import { right, succeed } from "@hyperion/tune";
 * import { pipe } from "npm:fp-ts@2.16.11/lib/function.js";
 * import * as TE from "npm:fp-ts@2.16.11/lib/TaskEither.js";
 * import assert from "node:assert/strict";
 *
 * const program = pipe(succeed(20), TE.map((n) => n + 1), TE.flatMap((n) => succeed(n * 2)));
 * assert.deepEqual(await program(), right(42));
 * ```
 *
 * @module
 */
export * from "./either.ts";
export * from "./task_either.ts";
export * from "./gen.ts";
export * from "./bracket.ts";
