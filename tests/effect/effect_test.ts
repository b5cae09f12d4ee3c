import assert from "node:assert/strict";
import * as FE from "npm:fp-ts@2.16.11/lib/Either.js";
import * as FTE from "npm:fp-ts@2.16.11/lib/TaskEither.js";
import {
  type Either,
  fail,
  flatMap,
  fromAsync,
  fromTask,
  getOrThrow,
  isLeft,
  isRight,
  left,
  map,
  mapError,
  orElse,
  right,
  runOrThrow,
  sequence,
  succeed,
  tap,
  type TaskEither,
  tryCatch,
} from "../../lib/effect/mod.ts";

Deno.test("Either twin is assignable to and from fp-ts's Either", () => {
  const ours: Either<string, number> = right(1);
  const theirs: FE.Either<string, number> = ours;
  const back: Either<string, number> = FE.left("e");
  assert.equal(FE.isRight(theirs), true);
  assert.equal(isLeft(back), true);
});

Deno.test("TaskEither twin is assignable to and from fp-ts's TaskEither", async () => {
  const ours: TaskEither<string, number> = succeed(2);
  const theirs: FTE.TaskEither<string, number> = ours;
  const doubled: TaskEither<string, number> = FTE.map((n: number) => n * 2)(theirs);
  assert.deepEqual(await doubled(), right(4));
});

Deno.test("map, flatMap, mapError and tap compose effects", async () => {
  const r = await flatMap(map(succeed(3), (n) => n + 1), (n) => succeed(n * 10))();
  assert.deepEqual(r, right(40));
  const e = await mapError(fail("boom"), (s) => s.length)();
  assert.deepEqual(e, left(4));
  const seen: number[] = [];
  const t = await tap(succeed(5), (n) => {
    seen.push(n);
    return succeed(undefined);
  })();
  assert.deepEqual(t, right(5));
  assert.deepEqual(seen, [5]);
});

Deno.test("sequence stops at the first error", async () => {
  const ran: number[] = [];
  const step = (n: number, ok: boolean): TaskEither<string, number> => () => {
    ran.push(n);
    return Promise.resolve(ok ? right(n) : left(`bad ${n}`));
  };
  assert.deepEqual(await sequence([step(1, true), step(2, true)])(), right([1, 2]));
  ran.length = 0;
  assert.deepEqual(await sequence([step(1, true), step(2, false), step(3, true)])(), left("bad 2"));
  assert.deepEqual(ran, [1, 2]);
});

Deno.test("tryCatch and fromAsync turn throws and rejections into Left", async () => {
  assert.deepEqual(
    await tryCatch(() => {
      throw new Error("x");
    }, (e) => (e as Error).message)(),
    left("x"),
  );
  assert.deepEqual(
    await fromAsync(() => Promise.reject("r"), (e) => `caught ${e}`)(),
    left("caught r"),
  );
});

Deno.test("runOrThrow and getOrThrow throw the error's message", async () => {
  assert.equal(await runOrThrow(succeed(1)), 1);
  await assert.rejects(runOrThrow(fail({ _tag: "X", message: "nope" })), /nope/);
  assert.throws(() => getOrThrow(left(new RangeError("r"))), RangeError);
  assert.equal(isRight(right(0)), true);
});

Deno.test("orElse recovers from an error and leaves a success alone", async () => {
  const recovered = await orElse(fail("boom"), (e) => succeed(e.length))();
  assert.deepEqual(recovered, right(4));
  let called = false;
  const kept = await orElse(succeed(1), () => {
    called = true;
    return succeed(2);
  })();
  assert.deepEqual(kept, right(1));
  assert.equal(called, false);
  assert.deepEqual(await orElse(fail("a"), () => fail("b"))(), left("b"));
});

Deno.test("fromTask lifts a computation that cannot fail", async () => {
  assert.deepEqual(await fromTask(() => Promise.resolve(3))(), right(3));
});
