/**
 * The automatic sampler in studies: the choice per phase recorded on each trial (numeric →
 * GP then CMA-ES warm-started; categorical/conditional → TPE; several objectives → GP then
 * NSGA-II with the earlier trials as its first generation; constrained → TPE after the GP
 * phase), seeds reproduce, a study continues exactly from a snapshot or a fresh sampler across
 * the switches, memory and SQLite agree, bad options are rejected naming the option, and it is
 * `createStudy`'s default.
 */
import assert from "node:assert/strict";
import {
  autoSampler,
  createStudy,
  type Direction,
  type FrozenTrial,
  getTrials,
  isRight,
  memoryStorage,
  optimize,
  runOrThrow,
  type Sampler,
  samplerFromSnapshot,
  setConstraint,
  type Storage,
  studySampler,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
} from "../../../mod.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";
import { checkReplay, checkRerun, type ReplayObjective } from "../../_helpers/sampler_replay.ts";

const numeric: ReplayObjective = (trial: Trial) => async () => {
  const x = await runOrThrow(suggestFloat(trial, "x", -3, 3));
  const y = await runOrThrow(suggestInt(trial, "y", -5, 5));
  return { _tag: "Right" as const, right: (x - 1) ** 2 + 0.3 * (y + 2) ** 2 };
};

const categorical: ReplayObjective = (trial: Trial) => async () => {
  const x = await runOrThrow(suggestFloat(trial, "x", -3, 3));
  const act = await runOrThrow(suggestCategorical(trial, "act", ["relu", "tanh"]));
  return { _tag: "Right" as const, right: x * x + (act === "tanh" ? 0 : 1) };
};

const conditional: ReplayObjective = (trial: Trial) => async () => {
  const x = await runOrThrow(suggestFloat(trial, "x", -3, 3));
  const y = x > 0 ? await runOrThrow(suggestFloat(trial, "y", 0, 1)) : 0;
  return { _tag: "Right" as const, right: x * x + y };
};

const twoObjectives: ReplayObjective = (trial: Trial) => async () => {
  const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
  const y = await runOrThrow(suggestFloat(trial, "y", 0, 1));
  return { _tag: "Right" as const, right: [x, (1 + y) * (1 - Math.sqrt(x))] };
};

const constrained: ReplayObjective = (trial: Trial) => async () => {
  const x = await runOrThrow(suggestFloat(trial, "x", -3, 3));
  const y = await runOrThrow(suggestFloat(trial, "y", -3, 3));
  await runOrThrow(setConstraint(trial, "c0", 1 - x - y));
  return { _tag: "Right" as const, right: x * x + y * y };
};

async function run(
  sampler: Sampler,
  objective: ReplayObjective,
  nTrials: number,
  options: { readonly directions?: ReadonlyArray<Direction>; readonly storage?: Storage } = {},
): Promise<FrozenTrial[]> {
  const study = await runOrThrow(createStudy({ sampler, ...options }));
  await runOrThrow(optimize(study, objective, { nTrials }));
  return [...await runOrThrow(getTrials(study))];
}

const choices = (trials: ReadonlyArray<FrozenTrial>): unknown[] =>
  trials.map((t) => t.systemAttrs["auto:sampler"]);

const phases = (...parts: Array<[string, number]>): string[] =>
  parts.flatMap(([kind, n]) => Array.from({ length: n }, () => kind));

Deno.test("autoSampler: a numeric space runs random, then GP below the budget, then CMA-ES warm-started", async () => {
  const trials = await run(autoSampler({ seed: 1, gpBudget: 12 }), numeric, 18);
  assert.deepEqual(choices(trials), phases(["random", 1], ["gp", 11], ["cmaEs", 6]));
  // the GP fitted its kernel once past its startup trials; CMA-ES recorded its optimizer
  assert.ok(trials.slice(11, 12).every((t) => t.systemAttrs["gp:kernel_params"] !== undefined));
  assert.ok(
    trials.slice(12).every((t) => Object.keys(t.systemAttrs).some((k) => k.startsWith("cma:"))),
  );
  assert.ok(
    trials.slice(0, 12).every((t) => !Object.keys(t.systemAttrs).some((k) => k.startsWith("cma:"))),
  );
});

Deno.test("autoSampler: categorical spaces run GP below the budget, then TPE; conditional spaces run TPE", async () => {
  const cat = await run(autoSampler({ seed: 2, gpBudget: 8 }), categorical, 12);
  assert.deepEqual(choices(cat), phases(["random", 1], ["gp", 7], ["tpe", 4]));
  const cond = await run(autoSampler({ seed: 2, gpBudget: 8 }), conditional, 12);
  // the space shows itself conditional once a trial with x > 0 and one with x ≤ 0 are finished
  const first = cond.findIndex((t) => t.systemAttrs["auto:sampler"] === "tpe");
  assert.ok(first > 0);
  assert.ok(choices(cond).slice(first).every((c) => c === "tpe"), JSON.stringify(choices(cond)));
  assert.ok(choices(cond).slice(1, first).every((c) => c === "gp"));
  // …the trial before the first TPE one is the first with other parameters than trial 0
  const keys = cond.slice(0, first).map((t) => Object.keys(t.params).sort().join());
  assert.equal(new Set(keys.slice(0, -1)).size, 1);
  assert.notEqual(keys.at(-1), keys[0]);
  // TPE is multivariate on the categorical space (a joint sample recorded on the trial),
  // univariate on the conditional one
  const joint = (t: FrozenTrial) =>
    Object.keys(t.systemAttrs).some((k) => k.startsWith("tpe:relative_params"));
  assert.ok(cat.slice(10).every(joint)); // past TPE's 10 startup trials
  assert.ok(!cond.some(joint));
});

Deno.test("autoSampler: two objectives run GP, then NSGA-II whose first generation is every earlier trial", async () => {
  // NSGA-II's population is 50: its generation 1 starts once 50 trials of generation 0 are in
  const trials = await run(autoSampler({ seed: 3, gpBudget: 50 }), twoObjectives, 53, {
    directions: ["minimize", "minimize"],
  });
  assert.deepEqual(choices(trials), phases(["random", 1], ["gp", 49], ["nsgaII", 3]));
  const generations = trials.map((t) => t.systemAttrs["NSGAIISampler:generation"]);
  assert.ok(generations.slice(0, 50).every((g) => g === 0), JSON.stringify(generations));
  assert.ok(generations.slice(50).every((g) => g === 1), JSON.stringify(generations));
});

Deno.test("autoSampler: three objectives run GP, then NSGA-II; four, TPE then NSGA-III", async () => {
  const four: ReplayObjective = (trial: Trial) => async () => {
    const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
    return { _tag: "Right" as const, right: [x, 1 - x, x * x, (1 - x) ** 2] };
  };
  const trials = await run(autoSampler({ seed: 4, gpBudget: 5 }), four, 8, {
    directions: ["minimize", "minimize", "minimize", "minimize"],
  });
  assert.deepEqual(choices(trials), phases(["random", 1], ["tpe", 4], ["nsgaIII", 3]));
  assert.ok(trials.slice(0, 5).every((t) => t.systemAttrs["NSGAIIISampler:generation"] === 0));
  const three: ReplayObjective = (trial: Trial) => async () => {
    const x = await runOrThrow(suggestFloat(trial, "x", 0, 1));
    return { _tag: "Right" as const, right: [x, 1 - x, x * x] };
  };
  const t3 = await run(autoSampler({ seed: 4, gpBudget: 5 }), three, 8, {
    directions: ["minimize", "minimize", "minimize"],
  });
  assert.deepEqual(choices(t3), phases(["random", 1], ["gp", 4], ["nsgaII", 3]));
  assert.ok(t3.slice(0, 5).every((t) => t.systemAttrs["NSGAIISampler:generation"] === 0));
});

Deno.test("autoSampler: a constrained study runs GP, then TPE (CMA-ES has no constraints)", async () => {
  const trials = await run(autoSampler({ seed: 5, gpBudget: 8 }), constrained, 12);
  assert.deepEqual(choices(trials), phases(["random", 1], ["gp", 7], ["tpe", 4]));
});

Deno.test("autoSampler: the same seed gives the same trials, another seed others", async () => {
  const a = await run(autoSampler({ seed: 7, gpBudget: 10 }), numeric, 14);
  const b = await run(autoSampler({ seed: 7, gpBudget: 10 }), numeric, 14);
  const c = await run(autoSampler({ seed: 8, gpBudget: 10 }), numeric, 14);
  assert.deepEqual(a.map((t) => t.params), b.map((t) => t.params));
  assert.deepEqual(choices(a), choices(b));
  assert.notDeepEqual(a.map((t) => t.params), c.map((t) => t.params));
});

Deno.test("autoSampler: a study continues exactly from any snapshot or a fresh sampler across the GP → CMA-ES switch", async () => {
  await checkReplay({
    sampler: () => autoSampler({ seed: 11, gpBudget: 8 }),
    objective: numeric,
    nTrials: 13,
    cuts: [[0, 1], [3, 7], [8, 8], [9, 11]],
  });
});

Deno.test("autoSampler: a study continues exactly across the GP → NSGA-II and GP → TPE switches", async () => {
  await checkReplay({
    sampler: () => autoSampler({ seed: 12, gpBudget: 6 }),
    objective: twoObjectives,
    directions: ["minimize", "minimize"],
    nTrials: 10,
    cuts: [[2, 5], [6, 7]],
  });
  await checkReplay({
    sampler: () => autoSampler({ seed: 13, gpBudget: 6 }),
    objective: categorical,
    nTrials: 9,
    cuts: [[0, 5], [6, 6]],
  });
});

Deno.test("autoSampler: a re-run with some parameters fixed draws the others as the original (GP and CMA-ES phases)", async () => {
  // trial 11 is modelled by the GP (budget 14), trial 9 by CMA-ES (budget 8)
  for (const [rerun, gpBudget] of [[11, 14], [9, 8]] as const) {
    await checkRerun({
      sampler: () => autoSampler({ seed: 14, gpBudget }),
      objective: numeric,
      nTrials: 13,
      rerun,
      fixed: [["x"], ["y"]],
    });
  }
});

Deno.test("autoSampler: memory and SQLite storages give the same trials and choices", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const storage = await runOrThrow(sqliteStorage(`${dir}/auto.db`));
    const onSqlite = await run(autoSampler({ seed: 9, gpBudget: 7 }), numeric, 10, { storage });
    await runOrThrow(storage.close());
    const inMemory = await run(autoSampler({ seed: 9, gpBudget: 7 }), numeric, 10, {
      storage: memoryStorage(),
    });
    assert.deepEqual(onSqlite.map((t) => t.params), inMemory.map((t) => t.params));
    assert.deepEqual(choices(onSqlite), choices(inMemory));
    assert.deepEqual(choices(onSqlite), phases(["random", 1], ["gp", 6], ["cmaEs", 3]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("autoSampler: bad options are an InvalidArgument naming the option, and no study is created", async () => {
  const cases: Array<[unknown, string]> = [
    [{ gpBudget: -1 }, "auto.options.gpBudget"],
    [{ gpBudget: 2.5 }, "auto.options.gpBudget"],
    [{ gpBudget: "250" }, "auto.options.gpBudget"],
    [{ seed: 0.5 }, "seed"],
    [{ seed: "x" }, "seed"],
    [7, "auto.options"],
  ];
  for (const [options, field] of cases) {
    const sampler = autoSampler(options as never);
    const r = samplerFromSnapshot(JSON.stringify(sampler));
    assert.ok(r._tag === "Left" && r.left._tag === "InvalidArgument", JSON.stringify(options));
    assert.equal(r.left.field, field);
    const storage = memoryStorage();
    const created = await createStudy({ storage, sampler })();
    assert.equal(created._tag, "Left");
    assert.deepEqual(await runOrThrow(storage.listStudies()), []);
  }
  const ok = samplerFromSnapshot(JSON.stringify(autoSampler({ seed: 1 })));
  assert.ok(isRight(ok));
  assert.deepEqual(ok.right, { kind: "auto", options: { seed: 1, gpBudget: 250 }, state: {} });
});

Deno.test("createStudy: the automatic sampler is the default, seeded from entropy and recorded", async () => {
  const study = await runOrThrow(createStudy());
  const sampler = studySampler(study);
  assert.equal(sampler.kind, "auto");
  const o = sampler.options as { seed: unknown; gpBudget: unknown };
  assert.ok(Number.isSafeInteger(o.seed));
  assert.equal(o.gpBudget, 250);
  await runOrThrow(optimize(study, numeric, { nTrials: 3 }));
  assert.deepEqual(choices(await runOrThrow(getTrials(study))), ["random", "gp", "gp"]);
});
