import assert from "node:assert/strict";
import fc from "fast-check";
import {
  categoricalDistribution,
  copyStudy,
  createStudy,
  enqueueTrial,
  flatMap,
  floatDistribution,
  getOrThrow,
  getTrials,
  intDistribution,
  map,
  memoryStorage,
  optimize,
  qmcSampler,
  runOrThrow,
  samplerFromSnapshot,
  studySampler,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
} from "../../../mod.ts";
import { contains } from "../../../lib/core/distributions.ts";
import { directionNumbers, scramble, sobolPoint } from "../../../lib/samplers/qmc/_sobol.ts";
import { qmcCounterKey } from "../../../lib/samplers/qmc/mod.ts";
import { sha256Hex } from "../../../lib/samplers/qmc/_sha256.ts";
import { rngFromSeed } from "../../../lib/random/rng.ts";
import { distFromJson, type DistJson, readFixture } from "../../_helpers/tpe_fixtures.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { checkReplay } from "../../_helpers/sampler_replay.ts";

interface SobolFixture {
  cases: { d: number; indices: number[]; columns: number[]; points: number[][] }[];
  study: {
    space: Record<string, DistJson>;
    params: Record<string, number | string>[];
    studySystemAttrs: Record<string, number>;
  };
}
const fixture = readFixture<SobolFixture>("sobol.json");

Deno.test("Sobol' points equal scipy's unscrambled qmc.Sobol bit for bit", () => {
  for (const c of fixture.cases) {
    const v = directionNumbers(c.d);
    c.indices.forEach((k, r) => {
      const p = sobolPoint(v, undefined, c.d, k);
      c.columns.forEach((col, q) =>
        assert.equal(p[col], c.points[r]![q], `d=${c.d} k=${k} col=${col}`)
      );
    });
  }
});

function runObjective(space: Record<string, DistJson>) {
  return (t: Trial) => async () => {
    let v = 0;
    for (const [name, d] of Object.entries(space)) {
      if (d.type === "float") {
        v += await runOrThrow(suggestFloat(t, name, d.low, d.high, {
          log: d.log ?? false,
          ...(d.step != null ? { step: d.step } : {}),
        }));
      } else if (d.type === "int") {
        v += await runOrThrow(suggestInt(t, name, d.low, d.high, { log: d.log ?? false }));
      } else v += String(await runOrThrow(suggestCategorical(t, name, d.choices))).length;
    }
    return { _tag: "Right" as const, right: v };
  };
}

Deno.test("qmcSampler() suggests what Optuna 5.0's QMCSampler suggests and keeps its counter key", async () => {
  const { space, params, studySystemAttrs } = fixture.study;
  const study = await runOrThrow(createStudy({ sampler: qmcSampler({ seed: 0 }) }));
  await runOrThrow(optimize(study, runObjective(space), { nTrials: params.length }));
  const trials = await runOrThrow(getTrials(study));
  // trial 0 is random in both; then the sequence from its origin
  for (let i = 1; i < params.length; i++) {
    for (const [name, expected] of Object.entries(params[i]!)) {
      const got = trials[i]!.params[name];
      if (typeof expected === "number" && !Number.isInteger(expected)) {
        assert.ok(
          Math.abs((got as number) - expected) <= 1e-12 * Math.abs(expected),
          `${i} ${name}`,
        );
      } else assert.equal(got, expected, `trial ${i} ${name}`);
    }
  }
  const record = await runOrThrow(() => study.storage.getStudyById(study.studyId)());
  for (const [key, value] of Object.entries(studySystemAttrs)) {
    assert.equal(record.systemAttrs[key], value);
  }
  const dists = Object.fromEntries(Object.entries(space).map(([k, d]) => [k, distFromJson(d)]));
  assert.equal(
    qmcCounterKey(dists, { seed: 0, scramble: false }),
    Object.keys(studySystemAttrs)[0],
  );
});

Deno.test("qmcSampler() samples categorical-only spaces through the sequence (Optuna 5.0)", async () => {
  const study = await runOrThrow(createStudy({ sampler: qmcSampler({ seed: 3 }) }));
  await runOrThrow(optimize(
    study,
    (t) => async () => ({
      _tag: "Right" as const,
      right: String(await runOrThrow(suggestCategorical(t, "c", ["a", "b", "c", "d"]))).length,
    }),
    { nTrials: 9 },
  ));
  const trials = await runOrThrow(getTrials(study));
  // unscrambled 1-D Sobol': 0, .5, .75, .25, .375, .875, .625, .125 → bins of 4 choices
  assert.deepEqual(trials.slice(1).map((t) => t.params.c), [
    "a",
    "c",
    "d",
    "b",
    "b",
    "d",
    "c",
    "a",
  ]);
});

Deno.test("qmcSampler() with scrambling keeps a balanced (0, m, 1)-net in every dimension", () => {
  const dim = 5;
  const { v, shift } = scramble(directionNumbers(dim), dim, rngFromSeed(1));
  for (let d = 0; d < dim; d++) {
    const bins = new Array(16).fill(0);
    for (let k = 0; k < 16; k++) bins[Math.floor(sobolPoint(v, shift, dim, k)[d]! * 16)]++;
    assert.deepEqual(bins, new Array(16).fill(1));
  }
});

Deno.test("qmcSampler() suggestions lie in their distributions, stepped values on the grid", async () => {
  const dists = [
    getOrThrow(floatDistribution(-3, 7)),
    getOrThrow(floatDistribution(1e-4, 10, { log: true })),
    getOrThrow(floatDistribution(0, 1, { step: 0.15 })),
    getOrThrow(intDistribution(-4, 9, { step: 3 })),
    getOrThrow(intDistribution(2, 500, { log: true })),
    getOrThrow(categoricalDistribution([true, false, null])),
  ];
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), fc.boolean(), async (seed, scrambleIt) => {
      const study = await runOrThrow(createStudy({
        sampler: qmcSampler({ seed, scramble: scrambleIt }),
      }));
      await runOrThrow(optimize(study, (t) => async () => {
        for (const [i, d] of dists.entries()) {
          if (d._tag === "FloatDistribution") {
            await runOrThrow(
              suggestFloat(t, `p${i}`, d.low, d.high, {
                log: d.log,
                ...(d.step !== null ? { step: d.step } : {}),
              }),
            );
          } else if (d._tag === "IntDistribution") {
            await runOrThrow(suggestInt(t, `p${i}`, d.low, d.high, { log: d.log, step: d.step }));
          } else await runOrThrow(suggestCategorical(t, `p${i}`, d.choices));
        }
        return { _tag: "Right" as const, right: 0 };
      }, { nTrials: 12 }));
      for (const t of await runOrThrow(getTrials(study))) {
        dists.forEach((d, i) => {
          const v = t.params[`p${i}`];
          const internal = d._tag === "CategoricalDistribution"
            ? d.choices.indexOf(v as never)
            : v as number;
          assert.ok(contains(d, internal), `p${i}=${v}`);
        });
      }
    }),
    { numRuns: 15 },
  );
});

Deno.test("qmcSampler() records its seed so that workers share one sequence", () => {
  const a = qmcSampler();
  assert.equal(typeof (a.options as { seed: unknown }).seed, "number");
  assert.equal(samplerFromSnapshot(JSON.stringify(a))._tag, "Right");
  expectLeft(
    samplerFromSnapshot({ ...a, options: { ...(a.options as object), qmcType: "lhs" } }),
    "InvalidArgument",
  );
});

Deno.test("sha256Hex() matches known digests", () => {
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

/** A float, an int and a categorical parameter. */
const qmcObjective = (t: Trial) =>
  flatMap(
    suggestFloat(t, "x", -1, 1),
    (x) =>
      flatMap(suggestInt(t, "n", 0, 9), (n) =>
        map(suggestCategorical(t, "c", ["a", "b", "c"]), (c) => x * x + n + c.length)),
  );

Deno.test("qmcSampler() continues a study exactly from any older snapshot or a fresh sampler with the same seed", async () => {
  for (const scramble of [false, true]) {
    await checkReplay({
      sampler: () => qmcSampler({ seed: 12, scramble }),
      objective: qmcObjective,
      nTrials: 10,
      // trial 0 is random (independent draws); the sequence starts at trial 1
      cuts: [[0, 1], [0, 4], [2, 4], [4, 4], [3, 8]],
    });
  }
});

Deno.test("qmcSampler() keeps a trial's sequence index in the trial, not in the sampler", async () => {
  const storage = memoryStorage();
  const sampler = qmcSampler({ seed: 3, scramble: true });
  const study = await runOrThrow(createStudy({ storage, studyName: "s", sampler }));
  await runOrThrow(optimize(study, qmcObjective, { nTrials: 4 }));
  const before = memoryStorage();
  await runOrThrow(copyStudy({ fromStorage: storage, fromStudyName: "s", toStorage: before }));
  await runOrThrow(optimize(study, qmcObjective, { nTrials: 2 }));
  const trials = await runOrThrow(getTrials(study));
  assert.deepEqual(trials.map((t) => t.systemAttrs["qmc:sample_id"]), [
    undefined,
    0,
    1,
    2,
    3,
    4,
  ]);
  assert.deepEqual(studySampler(study), getOrThrow(samplerFromSnapshot(JSON.stringify(sampler))));
  // a re-run of trial 4 carrying its index (as resumeStudy's WAITING trial with fixed_params)
  // takes the same point and leaves the study's counter alone
  const rebuilt = await runOrThrow(
    createStudy({ storage: before, studyName: "s", loadIfExists: true, sampler }),
  );
  await runOrThrow(enqueueTrial(rebuilt, { x: trials[4]!.params.x! }));
  const waiting = (await runOrThrow(getTrials(rebuilt)))[4]!;
  getOrThrow(
    await before.setTrialAttr({
      id: waiting.trialId,
      kind: "system",
      key: "qmc:sample_id",
      value: 3,
    })(),
  );
  // the original trial 4 had advanced the study's counter to 3 before the crash
  const counterKey = qmcCounterKey(trials[1]!.distributions, { seed: 3, scramble: true });
  const stored = await runOrThrow(before.getStudy("s"));
  assert.equal(stored.systemAttrs[counterKey], 2);
  getOrThrow(
    await before.setStudyAttr({ id: stored.studyId, kind: "system", key: counterKey, value: 3 })(),
  );
  await runOrThrow(optimize(rebuilt, qmcObjective, { nTrials: 2 }));
  const again = await runOrThrow(getTrials(rebuilt));
  assert.deepEqual(again.map((t) => t.systemAttrs["qmc:sample_id"]), [undefined, 0, 1, 2, 3, 4]);
  assert.deepEqual(again.map((t) => t.params), trials.map((t) => t.params));
});
