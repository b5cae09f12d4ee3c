import assert from "node:assert/strict";
import fc from "fast-check";
import { bracket, type Either, left, right, type TaskEither } from "../../lib/effect/mod.ts";

type UseOutcome = "right" | "left" | "throw" | "reject";

function useWith(outcome: UseOutcome, log: string[]): (r: string) => TaskEither<string, number> {
  return (resource) => () => {
    log.push(`use ${resource}`);
    if (outcome === "throw") throw new Error("thrown in use");
    if (outcome === "reject") return Promise.reject(new Error("rejected in use"));
    return Promise.resolve(outcome === "right" ? right(7) : left("use failed"));
  };
}

Deno.test("bracket() releases once after use, whatever use gives, with use's result", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<UseOutcome>("right", "left", "throw", "reject"),
      fc.boolean(),
      async (outcome, releaseFails) => {
        const log: string[] = [];
        const released: Array<Either<unknown, number>> = [];
        const program = bracket(
          () => Promise.resolve(right<string, string>("db")),
          useWith(outcome, log),
          (resource, result) => () => {
            log.push(`release ${resource}`);
            released.push(result);
            return Promise.resolve(releaseFails ? left("release failed") : right(undefined));
          },
        );
        if (outcome === "throw" || outcome === "reject") {
          await assert.rejects(program(), /in use/);
          assert.equal(released[0]?._tag, "Left");
          const thrown = released[0]?._tag === "Left" ? released[0].left : undefined;
          assert.equal((thrown as { _tag: string })._tag, "Thrown");
        } else {
          const result = await program();
          const used = outcome === "right" ? right(7) : left("use failed");
          assert.deepEqual(released, [used]);
          // fp-ts semantics: a failed release wins, otherwise use's result
          assert.deepEqual(result, releaseFails ? left("release failed") : used);
        }
        assert.deepEqual(log, ["use db", "release db"]);
      },
    ),
  );
});

Deno.test("bracket() neither uses nor releases when acquire fails", async () => {
  const log: string[] = [];
  const result = await bracket(
    () => Promise.resolve(left<string, string>("cannot open")),
    useWith("right", log),
    () => () => {
      log.push("release");
      return Promise.resolve(right(undefined));
    },
  )();
  assert.deepEqual(result, left("cannot open"));
  assert.deepEqual(log, []);
});
