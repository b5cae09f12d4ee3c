import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BUILTIN_SAMPLERS,
  createStudy,
  type Direction,
  flatMap,
  type FrozenTrial,
  getOrThrow,
  getTrials,
  map,
  memoryStorage,
  type NsgaCrossover,
  nsgaIIISampler,
  nsgaIISampler,
  optimize,
  runOrThrow,
  type Sampler,
  samplerFromSnapshot,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
} from "../../../mod.ts";
import { contains } from "../../../lib/core/distributions.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { checkReplay } from "../../_helpers/sampler_replay.ts";

/** Two objectives over every kind of distribution. */
const mixed = (t: Trial) =>
  flatMap(
    suggestFloat(t, "x", -2, 2),
    (x) =>
      flatMap(suggestFloat(t, "lr", 1e-4, 1, { log: true }), (lr) =>
        flatMap(suggestFloat(t, "s", 0, 1, { step: 0.1 }), (s) =>
          flatMap(suggestInt(t, "n", 1, 9), (n) =>
            flatMap(suggestInt(t, "k", 1, 64, { log: true }), (k) =>
              map(suggestCategorical(t, "c", ["a", "b", "c"]), (c) => [
                x * x + s + Math.log(lr) / 10 + (c === "a" ? 0 : 0.5),
                (x - 1) ** 2 + n / 9 + k / 64,
              ]))))),
  );

const CROSSOVERS: ReadonlyArray<NsgaCrossover> = [
  "uniform",
  "blxalpha",
  "sbx",
  "vsbx",
  "undx",
  "spx",
  { name: "sbx", eta: 5, uniformCrossoverProb: 0.2, useChildGeneProb: 0.9 },
  { name: "undx", sigmaXi: 0.8, sigmaEta: 0.3 },
];

async function run(
  sampler: Sampler,
  nTrials: number,
  directions: Direction[] = ["minimize", "minimize"],
) {
  const study = await runOrThrow(createStudy({ sampler, directions }));
  await runOrThrow(optimize(study, mixed, { nTrials }));
  return { study, trials: await runOrThrow(getTrials(study)) };
}

Deno.test("nsgaIISampler() children lie in their distributions for every crossover and mutation", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...CROSSOVERS),
      fc.constantFrom(null, "polynomial" as const),
      fc.integer({ min: 0, max: 1000 }),
      async (crossover, mutation, seed) => {
        const { trials } = await run(
          nsgaIISampler({ seed, crossover, mutation, populationSize: 6 }),
          24,
        );
        for (const t of trials) {
          assert.equal(t.state, "COMPLETE");
          for (const [name, d] of Object.entries(t.distributions)) {
            const v = d._tag === "CategoricalDistribution"
              ? d.choices.indexOf(t.params[name]!)
              : t.params[name] as number;
            assert.ok(contains(d, v), `${JSON.stringify(crossover)} ${name}=${t.params[name]}`);
          }
        }
      },
    ),
    { numRuns: 12 },
  );
});

Deno.test("nsgaIISampler() records generations and parents under Optuna's keys", async () => {
  const { study, trials } = await run(nsgaIISampler({ seed: 1, populationSize: 5 }), 17);
  const gens = trials.map((t) => t.systemAttrs["NSGAIISampler:generation"]);
  assert.deepEqual(gens, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3]);
  const record = await runOrThrow(() => study.storage.getStudyById(study.studyId)());
  const parents1 = record.systemAttrs["NSGAIISampler:parent:1"] as number[];
  const parents3 = record.systemAttrs["NSGAIISampler:parent:3"] as number[];
  assert.deepEqual([...parents1].sort(), trials.slice(0, 5).map((t) => t.trialId).sort());
  assert.equal(parents3.length, 5);
  // the elite of generation 2 and its parents: non-dominated ones among them all survive
  const pool = trials.slice(0, 15);
  const front = pool.filter((a) =>
    !pool.some((b) =>
      b.values!.every((v, i) => v <= a.values![i]!) && b.values!.some((v, i) => v < a.values![i]!)
    )
  );
  if (front.length <= 5) { for (const t of front) assert.ok(parents3.includes(t.trialId)); }
});

Deno.test("nsgaIISampler() children of generation 1 inherit their parents' values", async () => {
  const { trials } = await run(nsgaIISampler({ seed: 2, populationSize: 8, mutationProb: 0 }), 16);
  const parentValues = new Set(trials.slice(0, 8).map((t) => t.params.c));
  const parentX = new Set(trials.slice(0, 8).map((t) => t.params.x));
  for (const t of trials.slice(8)) {
    assert.ok(parentValues.has(t.params.c));
    assert.ok(parentX.has(t.params.x), "uniform crossover copies a parent's x");
  }
});

Deno.test("nsgaIISampler() with the same seed reproduces; another seed differs", async () => {
  const a = (await run(nsgaIISampler({ seed: 3, populationSize: 4 }), 12)).trials.map((t) =>
    t.params
  );
  const b = (await run(nsgaIISampler({ seed: 3, populationSize: 4 }), 12)).trials.map((t) =>
    t.params
  );
  const c = (await run(nsgaIISampler({ seed: 4, populationSize: 4 }), 12)).trials.map((t) =>
    t.params
  );
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("nsgaIISampler() and nsgaIIISampler() continue a study exactly from any older snapshot or a fresh sampler", async () => {
  for (
    const sampler of [
      () => nsgaIISampler({ seed: 5, populationSize: 4, crossover: "sbx", mutation: "polynomial" }),
      () => nsgaIIISampler({ seed: 6, populationSize: 4, crossover: "undx" }),
    ]
  ) {
    await checkReplay({
      sampler,
      objective: mixed,
      nTrials: 14,
      directions: ["minimize", "minimize"],
      cuts: [[0, 3], [2, 6], [7, 9], [13, 13]],
    });
  }
});

Deno.test("nsgaIISampler() runs single-objective studies and improves on random search", async () => {
  const objective = (t: Trial) =>
    flatMap(
      suggestFloat(t, "x", -5, 5),
      (x) => map(suggestFloat(t, "y", -5, 5), (y) => x * x + y * y),
    );
  const best = async (sampler: Sampler) => {
    const study = await runOrThrow(createStudy({ sampler }));
    await runOrThrow(optimize(study, objective, { nTrials: 200 }));
    const trials = await runOrThrow(getTrials(study));
    return Math.min(...trials.slice(100).map((t) => t.values![0]!));
  };
  const ga = await best(nsgaIISampler({ seed: 7, populationSize: 20, crossover: "blxalpha" }));
  assert.ok(ga < 0.1, `best of the last 100: ${ga}`);
});

Deno.test("nsgaIISampler() prefers feasible trials in a constrained study", async () => {
  // feasible when x ≥ 1; unconstrained, the front would sit around x ∈ [-1, 0]
  const objective = (t: Trial) =>
    flatMap(
      suggestFloat(t, "x", -2, 2),
      (x) =>
        flatMap(suggestFloat(t, "y", 0, 1), (y) => async () => {
          const key = "constraints:x";
          await t.study.storage.setTrialAttr({
            id: t.trialId,
            kind: "system",
            key,
            value: 1 - x,
          })();
          return { _tag: "Right" as const, right: [x * x + y, (x + 1) ** 2 + y] };
        }),
    );
  const study = await runOrThrow(createStudy({
    sampler: nsgaIISampler({ seed: 8, populationSize: 10, mutationProb: 0.1 }),
    directions: ["minimize", "minimize"],
  }));
  await runOrThrow(optimize(study, objective, { nTrials: 80 }));
  const trials = await runOrThrow(getTrials(study));
  const isFeasible = (t: FrozenTrial) => (t.params.x as number) >= 1;
  const feasible = (from: number, to: number) => trials.slice(from, to).filter(isFeasible).length;
  assert.ok(feasible(60, 80) > feasible(0, 20) + 5, `${feasible(0, 20)} → ${feasible(60, 80)}`);
  // every elite: the feasible candidates first (all of them, or only feasible ones)
  const record = await runOrThrow(() => study.storage.getStudyById(study.studyId)());
  const byId = new Map(trials.map((t) => [t.trialId, t]));
  const parents = (g: number) =>
    (record.systemAttrs[`NSGAIISampler:parent:${g}`] as number[]).map((id) => byId.get(id)!);
  for (let g = 2; g <= 7; g++) {
    const candidates = [
      ...trials.filter((t) => t.systemAttrs["NSGAIISampler:generation"] === g - 1),
      ...parents(g - 1),
    ];
    const elite = parents(g);
    const n = Math.min(10, candidates.filter(isFeasible).length);
    assert.equal(elite.filter(isFeasible).length, n, `generation ${g}`);
  }
});

Deno.test("nsgaIIISampler() spreads three objectives over its reference points", async () => {
  const objective = (t: Trial) =>
    flatMap(suggestFloat(t, "a", 0, 1), (a) =>
      map(suggestFloat(t, "b", 0, 1), (b) => {
        const [x, y] = [a * Math.PI / 2, b * Math.PI / 2];
        return [Math.cos(x) * Math.cos(y), Math.cos(x) * Math.sin(y), Math.sin(x)];
      }));
  const study = await runOrThrow(createStudy({
    sampler: nsgaIIISampler({ seed: 9, populationSize: 12 }),
    directions: ["minimize", "minimize", "minimize"],
  }));
  await runOrThrow(optimize(study, objective, { nTrials: 60 }));
  const trials = await runOrThrow(getTrials(study));
  assert.equal(trials[59]!.systemAttrs["NSGAIIISampler:generation"], 4);
});

Deno.test("nsgaIIISampler() fails the trial when its reference points do not match the objectives", async () => {
  const study = await runOrThrow(createStudy({
    sampler: nsgaIIISampler({
      seed: 1,
      populationSize: 3,
      referencePoints: [[1, 0, 0], [0, 1, 0]],
    }),
    directions: ["minimize", "minimize"],
  }));
  const r = await optimize(study, mixed, { nTrials: 8 })();
  assert.equal(r._tag, "Left");
  assert.match(JSON.stringify(r), /nsgaIII\.options\.referencePoints/);
  const trials = await runOrThrow(getTrials(study));
  assert.equal(trials.filter((t) => t.state === "COMPLETE").length, 3);
});

Deno.test("nsgaIISampler() and nsgaIIISampler() run on SQLite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const sampler of [
        nsgaIISampler({ seed: 1, populationSize: 4 }),
        nsgaIIISampler({ seed: 1, populationSize: 4 }),
      ]
    ) {
      const storage = await runOrThrow(sqliteStorage(`${dir}/${sampler.kind}.db`));
      const study = await runOrThrow(
        createStudy({ storage, sampler, directions: ["minimize", "minimize"] }),
      );
      await runOrThrow(optimize(study, mixed, { nTrials: 12 }));
      const trials = await runOrThrow(getTrials(study));
      assert.equal(trials.filter((t) => t.state === "COMPLETE").length, 12);
      const memory = await run(sampler, 12);
      assert.deepEqual(trials.map((t) => t.params), memory.trials.map((t) => t.params));
      await runOrThrow(storage.close());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nsgaIISampler() and nsgaIIISampler() reject bad options with InvalidArgument naming the option", () => {
  const cases: Array<[Sampler, RegExp]> = [
    [nsgaIISampler({ populationSize: 1 }), /nsgaII\.options\.populationSize/],
    [nsgaIISampler({ populationSize: 2, crossover: "undx" }), /populationSize.*≥ 3/],
    [nsgaIISampler({ populationSize: 2.5 }), /populationSize/],
    [nsgaIISampler({ mutationProb: 1.5 }), /nsgaII\.options\.mutationProb/],
    [nsgaIISampler({ crossoverProb: -0.1 }), /nsgaII\.options\.crossoverProb/],
    [nsgaIISampler({ swappingProb: 2 }), /nsgaII\.options\.swappingProb/],
    [nsgaIISampler({ crossover: "pmx" as "sbx" }), /nsgaII\.options\.crossover\.name/],
    [nsgaIISampler({ crossover: { name: "sbx", eta: -1 } }), /crossover\.eta/],
    [
      nsgaIISampler({ crossover: { name: "vsbx", useChildGeneProb: 0 } }),
      /crossover\.useChildGeneProb/,
    ],
    [nsgaIISampler({ crossover: { name: "blxalpha", alpha: Number.NaN } }), /crossover\.alpha/],
    [nsgaIISampler({ mutation: "gaussian" as "polynomial" }), /nsgaII\.options\.mutation/],
    [nsgaIISampler({ mutation: { name: "polynomial", eta: -2 } }), /mutation\.eta/],
    [nsgaIISampler({ seed: 1.5 }), /seed/],
    [nsgaIIISampler({ referencePoints: [[1, 0], [1]] }), /nsgaIII\.options\.referencePoints/],
    [nsgaIIISampler({ dividingParameter: 0 }), /nsgaIII\.options\.dividingParameter/],
  ];
  for (const [sampler, field] of cases) {
    const e = expectLeft(samplerFromSnapshot(JSON.stringify(sampler)), "InvalidArgument");
    assert.match(JSON.stringify(e), field);
  }
  const ok = getOrThrow(samplerFromSnapshot(JSON.stringify(nsgaIIISampler({ seed: 1 }))));
  assert.deepEqual(ok.options, {
    seed: 1,
    populationSize: 50,
    mutationProb: null,
    mutation: null,
    crossover: { name: "uniform" },
    crossoverProb: 0.9,
    swappingProb: 0.5,
    referencePoints: null,
    dividingParameter: 3,
  });
});

Deno.test("createStudy() with bad NSGA options fails and stores nothing", async () => {
  const storage = memoryStorage();
  const r = await createStudy({
    storage,
    sampler: nsgaIISampler({ populationSize: 0 }),
    directions: ["minimize", "minimize"],
  })();
  assert.equal(r._tag, "Left");
  assert.match(JSON.stringify(r), /nsgaII\.options\.populationSize/);
  assert.deepEqual(await runOrThrow(storage.listStudies()), []);
});

Deno.test("nsgaIISampler() functions give the same with their workspace, a fresh one or none", async () => {
  const sampler = nsgaIISampler({ seed: 12, populationSize: 5, crossover: "vsbx" });
  const { study, trials } = await run(sampler, 23);
  const impl = BUILTIN_SAMPLERS.nsgaII!;
  const record = await runOrThrow(() => study.storage.getStudyById(study.studyId)());
  const used = impl.createWorkspace!();
  // the used workspace sees longer and longer histories, then a shorter one again
  for (const n of [7, 15, 23, 10]) {
    const live = {
      ...trials[n - 1]!,
      number: 100 + n,
      trialId: 100 + n,
      state: "RUNNING" as const,
      systemAttrs: {},
    };
    const ctx = {
      study: record,
      directions: study.directions,
      trials: [...trials.slice(0, n), live],
      trial: live,
    };
    const results = [used, impl.createWorkspace!(), undefined].map((w) => {
      const before = getOrThrow(impl.beforeTrial!(sampler, ctx, w));
      const ctx2 = {
        ...ctx,
        trial: { ...live, systemAttrs: { ...live.systemAttrs, ...before.trialSystemAttrs } },
        study: { ...record, systemAttrs: { ...record.systemAttrs, ...before.studySystemAttrs } },
      };
      const space = impl.inferRelativeSearchSpace!(sampler, ctx2, w);
      return {
        before,
        space,
        child: getOrThrow(impl.sampleRelative!(sampler, ctx2, space, w)).value,
      };
    });
    assert.deepEqual(results[0], results[1], `n=${n}`);
    assert.deepEqual(results[0], results[2], `n=${n}`);
  }
});

Deno.test("nsgaIISampler() functions give the same when two trials' hooks interleave on one workspace", async () => {
  const sampler = nsgaIISampler({ seed: 5, populationSize: 4 });
  const { study, trials } = await run(sampler, 21);
  const impl = BUILTIN_SAMPLERS.nsgaII!;
  const record = await runOrThrow(() => study.storage.getStudyById(study.studyId)());
  // trial A sees 9 trials (generation 2), trial B 21 (a later generation)
  const contexts = [9, 21].map((n) => {
    const live = { ...trials[0]!, number: 200 + n, trialId: 200 + n, state: "RUNNING" as const };
    return {
      study: record,
      directions: study.directions,
      trials: [...trials.slice(0, n), { ...live, systemAttrs: {} }],
      trial: { ...live, systemAttrs: {} },
    };
  });
  const after = (ctx: (typeof contexts)[number], w: unknown) => {
    const before = getOrThrow(impl.beforeTrial!(sampler, ctx, w));
    return {
      ...ctx,
      trial: { ...ctx.trial, systemAttrs: { ...before.trialSystemAttrs } },
      study: { ...record, systemAttrs: { ...record.systemAttrs, ...before.studySystemAttrs } },
    };
  };
  const childOf = (ctx: ReturnType<typeof after>, w: unknown) =>
    getOrThrow(
      impl.sampleRelative!(sampler, ctx, impl.inferRelativeSearchSpace!(sampler, ctx, w), w),
    ).value;
  const shared = impl.createWorkspace!();
  const [a, b] = [after(contexts[0]!, shared), after(contexts[1]!, shared)];
  const interleaved = [childOf(a!, shared), childOf(b!, shared)];
  const alone = contexts.map((ctx) => {
    const w = impl.createWorkspace!();
    return childOf(after(ctx, w), w);
  });
  assert.deepEqual(interleaved, alone);
  assert.notDeepEqual(interleaved[0], interleaved[1]);
});
