import assert from "node:assert/strict";
import fc from "fast-check";
import * as FTE from "npm:fp-ts@2.16.11/lib/TaskEither.js";
import {
  type Either,
  fail,
  gen,
  genEither,
  left,
  right,
  succeed,
  type TaskEither,
} from "../../lib/effect/mod.ts";

/** A step that records that it ran, then succeeds with `value` or fails with `error`. */
function step(
  ran: number[],
  index: number,
  outcome: Either<string, number>,
): TaskEither<string, number> {
  return () => {
    ran.push(index);
    return Promise.resolve(outcome);
  };
}

Deno.test("gen() returns the body's value when every step succeeds", async () => {
  const program = gen(function* (_) {
    const a = yield* _(succeed(2));
    const b = yield* _(right<number, string>(3)); // a pure Either step
    const c = yield* _(FTE.right<never, number>(4)); // an fp-ts TaskEither step
    return a * b * c;
  });
  assert.deepEqual(await program(), right(24));
});

Deno.test("gen() short-circuits on the first Left and runs nothing after it", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.option(fc.integer(), { nil: undefined }), { maxLength: 12 }),
      async (plan) => {
        // plan[i] === undefined: step i fails; otherwise it succeeds with that number
        const ran: number[] = [];
        let after = 0;
        let cleanedUp = false;
        const program = gen(function* (_) {
          const seen: number[] = [];
          try {
            for (const [i, p] of plan.entries()) {
              seen.push(yield* _(step(ran, i, p === undefined ? left(`step ${i}`) : right(p))));
              after++;
            }
          } finally {
            cleanedUp = true;
          }
          return seen;
        });
        const result = await program();
        const firstBad = plan.findIndex((p) => p === undefined);
        if (firstBad < 0) {
          assert.deepEqual(result, right(plan));
          assert.equal(after, plan.length);
        } else {
          assert.deepEqual(result, left(`step ${firstBad}`));
          assert.deepEqual(ran, Array.from({ length: firstBad + 1 }, (_, i) => i));
          assert.equal(after, firstBad);
        }
        assert.equal(cleanedUp, true, "the body's finally blocks run");
      },
    ),
  );
});

Deno.test("gen() types the union of its steps' errors", async () => {
  const a: TaskEither<"a", number> = fail("a");
  const b: TaskEither<"b", string> = succeed("x");
  const program: TaskEither<"a" | "b", string> = gen(function* (_) {
    const s = yield* _(b);
    const n = yield* _(a);
    return `${s}${n}`;
  });
  assert.deepEqual(await program(), left("a"));
  // @ts-expect-error: an error type that omits one step's error is refused
  const _narrow: TaskEither<"b", string> = program;
});

Deno.test("gen() starts the body anew each time the effect runs", async () => {
  let runs = 0;
  const program = gen(function* (_) {
    runs++;
    return yield* _(succeed(runs));
  });
  assert.deepEqual(await program(), right(1));
  assert.deepEqual(await program(), right(2));
});

Deno.test("gen() rejects when the body throws (wrap it to map the throw)", async () => {
  // deno-lint-ignore require-yield
  const program = gen(function* () {
    throw new Error("defect");
  });
  await assert.rejects(program(), /defect/);
});

Deno.test("genEither() chains pure checks and stops at the first Left", () => {
  const ran: number[] = [];
  const check = (i: number, ok: boolean): Either<string, number> => {
    ran.push(i);
    return ok ? right(i) : left(`bad ${i}`);
  };
  assert.deepEqual(
    genEither(function* (_) {
      return (yield* _(check(1, true))) + (yield* _(check(2, true)));
    }),
    right(3),
  );
  ran.length = 0;
  assert.deepEqual(
    genEither(function* (_) {
      yield* _(check(1, false));
      return yield* _(check(2, true));
    }),
    left("bad 1"),
  );
  assert.deepEqual(ran, [1]);
});
