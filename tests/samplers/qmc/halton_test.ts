import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createStudy,
  flatMap,
  getTrials,
  isRight,
  map,
  optimize,
  qmcSampler,
  runOrThrow,
  samplerFromSnapshot,
  suggestFloat,
  suggestInt,
  type Trial,
} from "../../../mod.ts";
import { contains } from "../../../lib/core/distributions.ts";
import {
  firstPrimes,
  haltonPermutations,
  haltonPoint,
  permutationCount,
} from "../../../lib/samplers/qmc/_halton.ts";
import { qmcCounterKey } from "../../../lib/samplers/qmc/mod.ts";
import { rngFromSeed } from "../../../lib/random/rng.ts";
import { checkReplay } from "../../_helpers/sampler_replay.ts";

interface HaltonFixture {
  unscrambled: { d: number; start: number; points: number[][] }[];
  scrambled: { d: number; start: number; permutations: number[][][]; points: number[][] }[];
}
const fixture: HaltonFixture = JSON.parse(
  Deno.readTextFileSync(new URL("../../fixtures/qmc/halton.json", import.meta.url)),
);

Deno.test("Halton points equal scipy's unscrambled qmc.Halton bit for bit", () => {
  for (const c of fixture.unscrambled) {
    const bases = firstPrimes(c.d);
    c.points.forEach((row, r) =>
      assert.deepEqual(haltonPoint(bases, undefined, c.start + r), row, `d=${c.d} k=${c.start + r}`)
    );
  }
});

Deno.test("scrambled Halton points equal scipy's given scipy's digit permutations", () => {
  for (const c of fixture.scrambled) {
    const bases = firstPrimes(c.d);
    c.permutations.forEach((p, j) => assert.equal(p.length, permutationCount(bases[j]!)));
    c.points.forEach((row, r) =>
      assert.deepEqual(haltonPoint(bases, c.permutations, c.start + r), row, `d=${c.d}`)
    );
  }
});

Deno.test("scrambled Halton: permutations are permutations, and every base-b block is stratified", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 8 }), (seed, d) => {
      const bases = firstPrimes(d);
      const perms = haltonPermutations(bases, rngFromSeed(seed));
      perms.forEach((ps, j) =>
        ps.forEach((p) =>
          assert.deepEqual([...p].sort((a, b) => a - b), [...Array(bases[j]).keys()])
        )
      );
      // the first b² points of dimension j fall one per cell of width 1/b² (a (0, 2, 1)-net)
      bases.forEach((b, j) => {
        const cells = new Set<number>();
        for (let k = 0; k < b * b; k++) {
          const x = haltonPoint(bases, perms, k)[j]!;
          assert.ok(x >= 0 && x < 1);
          cells.add(Math.floor(x * b * b));
        }
        assert.equal(cells.size, b * b);
      });
    }),
    { numRuns: 30 },
  );
});

Deno.test("scrambled Halton: different seeds give different points, the mean stays near 1/2", () => {
  const bases = firstPrimes(4);
  const a = haltonPermutations(bases, rngFromSeed(1));
  const b = haltonPermutations(bases, rngFromSeed(2));
  assert.notDeepEqual(haltonPoint(bases, a, 5), haltonPoint(bases, b, 5));
  const n = 2310; // 2·3·5·7·11: every base's first digit is balanced
  const sums = [0, 0, 0, 0];
  for (let k = 0; k < n; k++) haltonPoint(bases, a, k).forEach((x, j) => sums[j]! += x);
  sums.forEach((s) => assert.ok(Math.abs(s / n - 0.5) < 0.01, `${s / n}`));
});

const objective = (t: Trial) =>
  flatMap(
    suggestFloat(t, "x", -1, 1),
    (x) =>
      flatMap(
        suggestFloat(t, "lr", 1e-4, 1, { log: true }),
        (lr) => map(suggestInt(t, "n", 1, 9), (n) => x * x + lr + n),
      ),
  );

Deno.test("qmcSampler({qmcType: 'halton'}) walks scipy's Halton sequence with Optuna's counter key", async () => {
  const study = await runOrThrow(
    createStudy({ sampler: qmcSampler({ seed: 0, qmcType: "halton" }) }),
  );
  await runOrThrow(optimize(study, objective, { nTrials: 9 }));
  const trials = await runOrThrow(getTrials(study));
  // dimensions in the first trial's order: x, lr, n → bases 2, 3, 5; trial 1 takes point 0
  const bases = [2, 3, 5];
  for (let i = 1; i < 9; i++) {
    const u = haltonPoint(bases, undefined, i - 1);
    assert.equal(trials[i]!.systemAttrs["qmc:sample_id"], i - 1);
    const x = -1 + u[0]! * 2;
    assert.ok(Math.abs((trials[i]!.params.x as number) - x) < 1e-12, `trial ${i}`);
  }
  const record = await runOrThrow(() => study.storage.getStudyById(study.studyId)());
  const key = qmcCounterKey(trials[1]!.distributions, {
    seed: 0,
    scramble: false,
    qmcType: "halton",
  });
  assert.equal(record.systemAttrs[key], 7);
  assert.notEqual(key, qmcCounterKey(trials[1]!.distributions, { seed: 0, scramble: false }));
});

Deno.test("qmcSampler({qmcType: 'halton', scramble: true}) suggestions lie in their distributions", async () => {
  const study = await runOrThrow(
    createStudy({ sampler: qmcSampler({ seed: 4, qmcType: "halton", scramble: true }) }),
  );
  await runOrThrow(optimize(study, objective, { nTrials: 30 }));
  for (const t of await runOrThrow(getTrials(study))) {
    for (const [name, d] of Object.entries(t.distributions)) {
      assert.ok(contains(d, t.params[name] as number), `${name}=${t.params[name]}`);
    }
  }
});

Deno.test("qmcSampler({qmcType: 'halton'}) continues a study exactly from any older snapshot or a fresh sampler", async () => {
  for (const scramble of [false, true]) {
    await checkReplay({
      sampler: () => qmcSampler({ seed: 11, qmcType: "halton", scramble }),
      objective,
      nTrials: 10,
      cuts: [[0, 4], [3, 7], [9, 9]],
    });
  }
});

Deno.test("qmcSampler() rejects an unknown qmcType, naming the option", () => {
  const r = samplerFromSnapshot({
    kind: "qmc",
    options: { seed: 1, scramble: false, qmcType: "lhs" },
    state: {},
  });
  assert.equal(r._tag, "Left");
  assert.match(JSON.stringify(r), /qmc\.options\.qmcType/);
  assert.ok(
    isRight(samplerFromSnapshot(JSON.stringify(qmcSampler({ seed: 1, qmcType: "halton" })))),
  );
});
