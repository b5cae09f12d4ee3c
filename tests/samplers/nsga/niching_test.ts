import assert from "node:assert/strict";
import fc from "fast-check";
import { preserveNiches } from "../../../lib/samplers/nsga/_nsga3.ts";
import { rngFromSeed } from "../../../lib/random/rng.ts";
import { trialOf } from "./_helpers.ts";

const assocArb = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc.record({
    nElite: fc.integer({ min: 0, max: 10 }),
    closest: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n + 10, maxLength: n + 10 }),
    distance: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
      minLength: n + 10,
      maxLength: n + 10,
    }),
    n: fc.constant(n),
    target: fc.integer({ min: 1, max: n }),
    seed: fc.integer(),
  })
);

Deno.test("NSGA-III niching takes distinct members of the front, least crowded reference points first", () => {
  fc.assert(fc.property(assocArb, ({ nElite, closest, distance, n, target, seed }) => {
    const front = Array.from({ length: n }, (_, i) => trialOf(100 + i, [i]));
    const assoc = {
      closest: Int32Array.from(closest.slice(0, nElite + n)),
      distance: Float64Array.from(distance.slice(0, nElite + n)),
    };
    const chosen = preserveNiches(target, nElite, front, assoc, rngFromSeed(seed));
    assert.equal(chosen.length, target);
    assert.equal(new Set(chosen).size, target);
    // niche counts: elite neighbours plus those chosen; a reference point chosen while another
    // with a front member left had fewer neighbours would break the rule
    const count = new Map<number, number>();
    for (let i = 0; i < nElite; i++) {
      count.set(assoc.closest[i]!, (count.get(assoc.closest[i]!) ?? 0) + 1);
    }
    const left = new Set(front.map((_, i) => i));
    for (const t of chosen) {
      const i = t.number - 100, ref = assoc.closest[nElite + i]!;
      const least = Math.min(
        ...[...left].map((j) => count.get(assoc.closest[nElite + j]!) ?? 0),
      );
      assert.equal(count.get(ref) ?? 0, least, "a least crowded reference point");
      if ((count.get(ref) ?? 0) === 0) {
        // an empty niche takes its closest member
        const members = [...left].filter((j) => assoc.closest[nElite + j] === ref);
        const best = Math.min(...members.map((j) => assoc.distance[nElite + j]!));
        assert.equal(assoc.distance[nElite + i], best);
      }
      count.set(ref, (count.get(ref) ?? 0) + 1);
      left.delete(i);
    }
  }));
});

Deno.test("NSGA-III niching is a function of its generator's seed", () => {
  const front = Array.from({ length: 12 }, (_, i) => trialOf(i, [i]));
  const assoc = {
    closest: Int32Array.from({ length: 12 }, (_, i) => i % 3),
    distance: Float64Array.from({ length: 12 }, (_, i) => (i * 7 % 5) / 5),
  };
  const pick = (seed: number) =>
    preserveNiches(7, 0, front, assoc, rngFromSeed(seed)).map((t) => t.number);
  assert.deepEqual(pick(1), pick(1));
  const seen = new Set([1, 2, 3, 4, 5, 6].map((s) => pick(s).join(",")));
  assert.ok(seen.size > 1);
});
