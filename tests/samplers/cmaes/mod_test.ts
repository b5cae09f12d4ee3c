import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cmaEsSampler,
  type CmaEsSamplerOptions,
  createStudy,
  flatMap,
  type FrozenTrial,
  getTrials,
  map,
  memoryStorage,
  optimize,
  runOrThrow,
  samplerFromSnapshot,
  type Storage,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tpeSampler,
  type Trial,
} from "../../../mod.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";
import { contains } from "../../../lib/core/distributions.ts";
import type { StudyRecord } from "../../../lib/core/study.ts";
import { cmaEsSamplerImpl } from "../../../lib/samplers/cmaes/mod.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { checkReplay } from "../../_helpers/sampler_replay.ts";

/** A mixed numeric objective: float, log float, stepped float, int, log int. */
const mixed = (t: Trial) =>
  flatMap(
    suggestFloat(t, "x", -5, 5),
    (x) =>
      flatMap(suggestFloat(t, "lr", 1e-4, 1, { log: true }), (lr) =>
        flatMap(suggestFloat(t, "d", 0, 1, { step: 0.1 }), (d) =>
          flatMap(suggestInt(t, "k", -3, 9, { step: 3 }), (k) =>
            map(suggestInt(t, "units", 1, 256, { log: true }), (u) =>
              (x - 1) ** 2 + (Math.log10(lr) + 2) ** 2 + (d - 0.3) ** 2 + (k - 3) ** 2 / 10 +
              Math.log2(u) / 8)))),
  );

async function run(
  options: CmaEsSamplerOptions,
  nTrials: number,
  objective: (t: Trial) => ReturnType<typeof mixed> = mixed,
  storage: Storage = memoryStorage(),
): Promise<ReadonlyArray<FrozenTrial>> {
  const study = await runOrThrow(createStudy({ storage, sampler: cmaEsSampler(options) }));
  await runOrThrow(optimize(study, objective, { nTrials }));
  return await runOrThrow(getTrials(study));
}

const VARIANTS: ReadonlyArray<CmaEsSamplerOptions> = [
  {},
  { useSeparableCma: true },
  { withMargin: true },
  { lrAdapt: true },
  { restartStrategy: "ipop", popsize: 4 },
  { restartStrategy: "bipop" },
  { popsize: 5, nStartupTrials: 3, considerPrunedTrials: true },
];

Deno.test("cmaEsSampler: every suggestion lies in its distribution (float, log, step, int, log int)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 1e6 }),
      fc.constantFrom(...VARIANTS),
      async (seed, variant) => {
        const trials = await run({ ...variant, seed }, 40);
        for (const t of trials) {
          for (const [name, d] of Object.entries(t.distributions)) {
            assert.ok(contains(d, t.params[name] as number), `${name}=${t.params[name]}`);
          }
        }
        // CMA-ES took over after the startup trials
        const gen = trials.filter((t) =>
          Object.keys(t.systemAttrs).some((k) => k.endsWith("generation"))
        );
        assert.ok(gen.length >= 40 - (variant.nStartupTrials ?? 1) - 1);
      },
    ),
    { numRuns: 8 },
  );
});

Deno.test("cmaEsSampler: a seed reproduces its trials; another seed does not", async () => {
  const params = (ts: ReadonlyArray<FrozenTrial>) => ts.map((t) => t.params);
  for (const variant of VARIANTS) {
    const a = await run({ ...variant, seed: 3 }, 30);
    const b = await run({ ...variant, seed: 3 }, 30);
    const c = await run({ ...variant, seed: 4 }, 30);
    assert.deepStrictEqual(params(a), params(b), JSON.stringify(variant));
    assert.notDeepStrictEqual(params(a), params(c), JSON.stringify(variant));
  }
});

Deno.test("cmaEsSampler: a study continues exactly from any snapshot or a fresh sampler", async () => {
  for (const variant of [{}, { withMargin: true }, { useSeparableCma: true }, { lrAdapt: true }]) {
    await checkReplay({
      sampler: () => cmaEsSampler({ ...variant, seed: 11, popsize: 4 }),
      objective: mixed,
      nTrials: 24,
      cuts: [[0, 5], [3, 9], [9, 9], [12, 17]],
    });
  }
});

Deno.test("cmaEsSampler: memory and SQLite storages give the same trials (optimizer state chunked)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const wide = (t: Trial) => {
      let acc: ReturnType<typeof mixed> = () =>
        Promise.resolve({ _tag: "Right", right: 0 }) as never;
      for (let i = 0; i < 10; i++) {
        const prev = acc;
        acc = flatMap(
          prev,
          (s) => map(suggestFloat(t, `x${i}`, -2, 2), (x) => s + (i + 1) * x * x),
        );
      }
      return acc;
    };
    const mem = await run({ seed: 5 }, 40, wide);
    const sql = await run({ seed: 5 }, 40, wide, await runOrThrow(sqliteStorage(`${dir}/c.db`)));
    assert.deepStrictEqual(sql.map((t) => t.params), mem.map((t) => t.params));
    assert.deepStrictEqual(sql.map((t) => t.systemAttrs), mem.map((t) => t.systemAttrs));
    const chunks = mem.flatMap((t) => Object.keys(t.systemAttrs)).filter((k) =>
      k === "cma:json_state:1"
    );
    assert.ok(chunks.length > 0, "a 10-dimensional optimizer spans several attribute chunks");
    for (const t of mem) {
      for (const v of Object.values(t.systemAttrs)) {
        if (typeof v === "string") assert.ok(v.length <= 2045);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cmaEsSampler: categorical parameters are sampled independently; numeric ones by CMA-ES", async () => {
  const objective = (t: Trial) =>
    flatMap(
      suggestCategorical(t, "opt", ["adam", "sgd"] as const),
      (o) =>
        flatMap(suggestFloat(t, "x", -1, 1), (x) =>
          map(suggestFloat(t, "y", -1, 1), (y) => x * x + y * y + (o === "sgd" ? 1 : 0))),
    );
  const trials = await run({ seed: 2 }, 30, objective);
  assert.deepStrictEqual(new Set(trials.map((t) => t.params.opt)), new Set(["adam", "sgd"]));
  assert.equal(trials[0]!.systemAttrs["cma:generation"], undefined);
  assert.equal(trials[1]!.systemAttrs["cma:generation"], 0);
  const last = trials.at(-1)!.systemAttrs["cma:generation"] as number;
  assert.ok(last >= 3, `generation ${last} after 30 trials of popsize 6`);
});

Deno.test("cmaEsSampler: restart strategies restart with a new population size", async () => {
  const flat = (t: Trial) =>
    flatMap(
      suggestFloat(t, "x", -1, 1),
      (x) => map(suggestFloat(t, "y", -1, 1), (y) => 0 * (x + y)),
    );
  for (const strategy of ["ipop", "bipop"] as const) {
    const trials = await run({ seed: 1, restartStrategy: strategy, popsize: 4 }, 160, flat);
    const key = `cma:${strategy}:restart_1:generation`;
    const first = trials.findIndex((t) => t.systemAttrs[key] !== undefined);
    assert.ok(first > 0, `${strategy}: restarted after the function values stalled`);
    const raw = Object.entries(trials[first]!.systemAttrs)
      .filter(([k]) => k.startsWith("cma:json_state:")).map(([, v]) => v).join("");
    const stored = JSON.parse(raw) as {
      restart: { n: number; popsize: number };
      cma: { g: number };
    };
    assert.equal(stored.restart.n, 1);
    assert.equal(stored.cma.g, 0);
    if (strategy === "ipop") assert.equal(stored.restart.popsize, 8);
    else assert.ok(stored.restart.popsize >= 4);
  }
});

Deno.test("cmaEsSampler: without stored optimizers (a study begun by Python) the generations are replayed", async () => {
  const trials = await run({ seed: 9, popsize: 4 }, 30);
  const strip = (t: FrozenTrial): FrozenTrial => ({
    ...t,
    systemAttrs: Object.fromEntries(
      Object.entries(t.systemAttrs).filter(([k]) => !k.startsWith("cma:json_state:")),
    ),
  });
  const sampler = cmaEsSampler({ seed: 9, popsize: 4 });
  const next: FrozenTrial = {
    ...trials[29]!,
    number: 30,
    state: "RUNNING",
    values: null,
    params: {},
    systemAttrs: {},
  };
  const ctx = (ts: ReadonlyArray<FrozenTrial>) => ({
    study: {} as StudyRecord,
    directions: ["minimize"] as const,
    trials: [...ts, next],
    trial: next,
  });
  const space = cmaEsSamplerImpl.inferRelativeSearchSpace!(sampler, ctx(trials));
  const full = cmaEsSamplerImpl.sampleRelative!(sampler, ctx(trials), space);
  const replayed = cmaEsSamplerImpl.sampleRelative!(sampler, ctx(trials.map(strip)), space);
  assert.ok(full._tag === "Right" && replayed._tag === "Right");
  for (const [name, v] of Object.entries(full.right.value)) {
    assert.ok(Math.abs(replayed.right.value[name]! - v) < 1e-9, name);
  }
});

Deno.test("cmaEsSampler: bad options are InvalidArgument naming the option, and create no study", async () => {
  const bad: ReadonlyArray<[CmaEsSamplerOptions, string]> = [
    [{ popsize: 1 }, "popsize"],
    [{ popsize: 2.5 }, "popsize"],
    [{ nStartupTrials: -1 }, "nStartupTrials"],
    [{ sigma0: 0 }, "sigma0"],
    [{ x0: { x: "a" as unknown as number } }, "x0"],
    [{ restartStrategy: "lpop" as "ipop" }, "restartStrategy"],
    [{ incPopsize: 0 }, "incPopsize"],
    [{ lrAdapt: true, withMargin: true }, "lrAdapt"],
    [{ useSeparableCma: true, withMargin: true }, "withMargin"],
    [{ sourceTrials: [], sigma0: 0.1 }, "sourceTrials"],
    [{ sourceTrials: [{ state: "COMPLETE" } as never] }, "sourceTrials[0]"],
    [{ independentSampler: { kind: "grid", options: {}, state: {} } }, "independentSampler"],
    [{ withMargin: "yes" as unknown as boolean }, "withMargin"],
    [{ seed: 1.5 }, "seed"],
  ];
  for (const [options, field] of bad) {
    const err = expectLeft(
      samplerFromSnapshot(JSON.stringify(cmaEsSampler(options))),
      "InvalidArgument",
    );
    assert.ok(
      err.message.includes(`'cmaEs.options.${field}'`) || err.message.includes(`'${field}'`),
      err.message,
    );
    const storage = memoryStorage();
    const created = await createStudy({
      storage,
      studyName: "s",
      sampler: cmaEsSampler(options),
    })();
    expectLeft(created, "InvalidArgument");
    const again = await createStudy({ storage, studyName: "s", loadIfExists: false })();
    assert.equal(again._tag, "Right", "the failed createStudy stored nothing");
  }
});

Deno.test("cmaEsSampler: warm start from source trials (JSON records of another study)", async () => {
  const source = await run({ seed: 1 }, 40);
  const json = JSON.parse(JSON.stringify(source));
  const trials = await run({ seed: 2, sourceTrials: json }, 20);
  assert.equal(trials.length, 20);
  const again = await run({ seed: 2, sourceTrials: json }, 20);
  assert.deepStrictEqual(again.map((t) => t.params), trials.map((t) => t.params));
  const cold = await run({ seed: 2 }, 20);
  assert.notDeepStrictEqual(
    cold[1]!.params,
    trials[1]!.params,
    "the warm start moved the first sample",
  );
  const best = source.reduce((a, b) => a.values![0]! <= b.values![0]! ? a : b);
  const dist = (t: FrozenTrial) => Math.abs((t.params.x as number) - (best.params.x as number));
  assert.ok(dist(trials[1]!) < 2.5, "the first CMA-ES sample lies near the source's best");
});

Deno.test("cmaEsSampler: multiple objectives are refused", async () => {
  const study = await runOrThrow(
    createStudy({ sampler: cmaEsSampler({ seed: 1 }), directions: ["minimize", "maximize"] }),
  );
  const r = await optimize(study, (t) => map(suggestFloat(t, "x", 0, 1), (x) => [x, x]), {
    nTrials: 3,
  })();
  assert.equal(r._tag, "Left");
});

Deno.test("cmaEsSampler: the workspace never changes a sample, with trials finishing out of order", async () => {
  const trials = await run({ seed: 21, popsize: 4 }, 60);
  const sampler = cmaEsSampler({ seed: 21, popsize: 4 });
  const lag = trials.map((t) => (t.number * 7919) % 5);
  const ws = cmaEsSamplerImpl.createWorkspace!();
  for (let k = 2; k < trials.length; k++) {
    // at time k, trial j < k has finished when j + lag(j) < k; the others are still running
    const history = trials.slice(0, k).map((t): FrozenTrial =>
      t.number + lag[t.number]! < k ? t : { ...t, state: "RUNNING", values: null }
    );
    const next: FrozenTrial = {
      ...trials[k]!,
      state: "RUNNING",
      values: null,
      params: {},
      systemAttrs: {},
    };
    const ctx = {
      study: {} as StudyRecord,
      directions: ["minimize"] as const,
      trials: [...history, next],
      trial: next,
    };
    const fresh = cmaEsSamplerImpl.createWorkspace!();
    const space = cmaEsSamplerImpl.inferRelativeSearchSpace!(sampler, ctx, ws);
    assert.deepStrictEqual(space, cmaEsSamplerImpl.inferRelativeSearchSpace!(sampler, ctx, fresh));
    const a = cmaEsSamplerImpl.sampleRelative!(sampler, ctx, space, ws);
    const b = cmaEsSamplerImpl.sampleRelative!(sampler, ctx, space, fresh);
    assert.deepStrictEqual(a, b, `trial ${k}`);
  }
});

Deno.test("cmaEsSampler: x0 and sigma0 set the first distribution; a TPE independent sampler draws categoricals", async () => {
  const objective = (t: Trial) =>
    flatMap(
      suggestCategorical(t, "opt", ["adam", "sgd"] as const),
      (o) =>
        flatMap(suggestFloat(t, "x", -10, 10), (x) =>
          map(suggestFloat(t, "lr", 1e-5, 1, { log: true }), (lr) =>
            x * x + lr + (o === "sgd" ? 1 : 0))),
    );
  const trials = await run(
    {
      seed: 4,
      x0: { x: 7, lr: 1e-3 },
      sigma0: 1e-4,
      independentSampler: tpeSampler({ seed: 4, nStartupTrials: 2 }),
    },
    12,
    objective,
  );
  for (const t of trials.slice(1, 7)) {
    assert.ok(Math.abs((t.params.x as number) - 7) < 0.05, `x=${t.params.x}`);
    assert.ok(Math.abs(Math.log((t.params.lr as number) / 1e-3)) < 0.05, `lr=${t.params.lr}`);
  }
  assert.ok(trials.every((t) => t.params.opt === "adam" || t.params.opt === "sgd"));
});
