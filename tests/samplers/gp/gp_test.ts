/**
 * The GP sampler's behaviour: suggestions lie in their distributions (float, log, stepped,
 * int, log int, categorical), seeds reproduce, a study continues exactly from any snapshot or
 * a fresh sampler (the kernel fit's warm start is read from the trials), memory and SQLite
 * storages give the same trials, bad options are rejected naming the option, constrained and
 * multi-objective studies run and improve on random search.
 */
import assert from "node:assert/strict";
import {
  createStudy,
  type Direction,
  type FrozenTrial,
  getTrials,
  gpSampler,
  isRight,
  memoryStorage,
  optimize,
  randomSampler,
  runOrThrow,
  type Sampler,
  samplerFromSnapshot,
  type Storage,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  tpeSampler,
  type Trial,
} from "../../../mod.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";
import { contains, toInternal } from "../../../lib/core/distributions.ts";
import { getOrThrow } from "../../../mod.ts";
import { checkReplay } from "../../_helpers/sampler_replay.ts";
import { decodeGpOptions } from "../../../lib/samplers/gp/_options.ts";
import { sampleGp } from "../../../lib/samplers/gp/_relative.ts";

async function mixedLoss(trial: Trial): Promise<number> {
  const x = await runOrThrow(suggestFloat(trial, "x", -3, 3));
  const lr = await runOrThrow(suggestFloat(trial, "lr", 1e-4, 1e-1, { log: true }));
  const d = await runOrThrow(suggestFloat(trial, "d", 0, 1, { step: 0.1 }));
  const n = await runOrThrow(suggestInt(trial, "n", 1, 9, { step: 2 }));
  const w = await runOrThrow(suggestInt(trial, "w", 1, 256, { log: true }));
  const act = await runOrThrow(suggestCategorical(trial, "act", ["relu", "tanh", "gelu"]));
  return (x - 1) ** 2 + (Math.log10(lr) + 2) ** 2 + (d - 0.3) ** 2 + 0.1 * (n - 5) ** 2 +
    0.01 * (Math.log2(w) - 4) ** 2 + (act === "tanh" ? 0 : 0.5);
}

const objective = (trial: Trial) => async () => ({
  _tag: "Right" as const,
  right: await mixedLoss(trial),
});

async function run(sampler: Sampler, nTrials: number, storage?: Storage): Promise<FrozenTrial[]> {
  const study = await runOrThrow(createStudy({ sampler, ...(storage ? { storage } : {}) }));
  await runOrThrow(optimize(study, objective, { nTrials }));
  return [...await runOrThrow(getTrials(study))];
}

Deno.test("gpSampler: every suggestion lies in its distribution (float, log, step, int, log int, categorical)", async () => {
  const trials = await run(gpSampler({ seed: 3, nStartupTrials: 4 }), 16);
  for (const t of trials) {
    assert.equal(t.state, "COMPLETE");
    for (const [name, d] of Object.entries(t.distributions)) {
      const internal = getOrThrow(toInternal(d, t.params[name]));
      assert.ok(contains(d, internal), `${name} = ${t.params[name]} in ${JSON.stringify(d)}`);
    }
  }
  // the GP proposed the later trials and recorded its kernel fit on them: the kernel
  // parameters, then the fit's final inverse Hessian diagonal (the next fit's warm start)
  assert.ok(trials.slice(4).every((t) => t.systemAttrs["gp:kernel_params"] !== undefined));
  const dim = Object.keys(trials[4]!.distributions).length;
  for (const t of trials.slice(4)) {
    const [row] = (t.systemAttrs["gp:kernel_params"] as { objectives: number[][] }).objectives;
    assert.equal(row!.length, 2 * (dim + 2));
    assert.ok(row!.every((v) => v > 0 && Number.isFinite(v)));
  }
  assert.ok(trials.slice(0, 4).every((t) => t.systemAttrs["gp:kernel_params"] === undefined));
});

Deno.test("gpSampler: the same seed gives the same trials, another seed others", async () => {
  const a = await run(gpSampler({ seed: 5, nStartupTrials: 3 }), 8);
  const b = await run(gpSampler({ seed: 5, nStartupTrials: 3 }), 8);
  const c = await run(gpSampler({ seed: 6, nStartupTrials: 3 }), 8);
  assert.deepEqual(a.map((t) => t.params), b.map((t) => t.params));
  assert.notDeepEqual(a.slice(3).map((t) => t.params), c.slice(3).map((t) => t.params));
});

Deno.test("gpSampler: a study continues exactly from any snapshot or a fresh sampler", async () => {
  await checkReplay({
    sampler: () => gpSampler({ seed: 11, nStartupTrials: 3 }),
    objective,
    nTrials: 7,
    cuts: [[0, 2], [3, 4], [5, 5]],
  });
});

Deno.test("gpSampler: memory and SQLite storages give the same trials", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const storage = await runOrThrow(sqliteStorage(`${dir}/gp.db`));
    const onSqlite = await run(gpSampler({ seed: 9, nStartupTrials: 3 }), 6, storage);
    await runOrThrow(storage.close());
    const inMemory = await run(gpSampler({ seed: 9, nStartupTrials: 3 }), 6, memoryStorage());
    assert.deepEqual(onSqlite.map((t) => t.params), inMemory.map((t) => t.params));
    assert.deepEqual(
      onSqlite.map((t) => t.systemAttrs["gp:kernel_params"] ?? null),
      inMemory.map((t) => t.systemAttrs["gp:kernel_params"] ?? null),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gpSampler: bad options are an InvalidArgument naming the option, and no study is created", async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ nStartupTrials: -1 }, "gp.options.nStartupTrials"],
    [{ nStartupTrials: 1.5 }, "gp.options.nStartupTrials"],
    [{ deterministicObjective: "yes" }, "gp.options.deterministicObjective"],
    [{ outputWarping: "yes" }, "gp.options.outputWarping"],
    [{ seed: 0.5 }, "seed"],
    [
      { independentSampler: { kind: "grid", options: {}, state: {} } },
      "gp.options.independentSampler",
    ],
    [{ independentSampler: randomSampler({ seed: "x" as unknown as number }) }, "seed"],
  ];
  for (const [options, field] of cases) {
    const sampler = gpSampler(options as never);
    const r = samplerFromSnapshot(JSON.stringify(sampler));
    assert.ok(r._tag === "Left" && r.left._tag === "InvalidArgument", JSON.stringify(options));
    assert.ok(r.left.field.endsWith(field), `${r.left.field} names ${field}`);
    const storage = memoryStorage();
    const created = await createStudy({ storage, sampler })();
    assert.equal(created._tag, "Left");
    assert.deepEqual(await runOrThrow(storage.listStudies()), []);
  }
  assert.ok(isRight(samplerFromSnapshot(JSON.stringify(gpSampler({ seed: 1 })))));
  const tpeInner = gpSampler({ seed: 1, independentSampler: tpeSampler({ seed: 2 }) });
  assert.ok(isRight(samplerFromSnapshot(JSON.stringify(tpeInner))));
});

async function constrainedRun(sampler: Sampler): Promise<FrozenTrial[]> {
  const study = await runOrThrow(createStudy({ sampler }));
  await runOrThrow(optimize(study, (trial) => async () => {
    const x = await runOrThrow(suggestFloat(trial, "x", -5, 5));
    const y = await runOrThrow(suggestFloat(trial, "y", -5, 5));
    await runOrThrow(trial.study.storage.setTrialAttr({
      id: trial.trialId,
      kind: "system",
      key: "constraints",
      value: [1 - x - y], // feasible when x + y ≥ 1
    }));
    return { _tag: "Right" as const, right: x * x + y * y };
  }, { nTrials: 25 }));
  return [...await runOrThrow(getTrials(study))];
}

Deno.test("gpSampler: a constrained study finds a good feasible point and mostly samples feasible ones", async () => {
  const trials = await constrainedRun(gpSampler({ seed: 2, nStartupTrials: 8 }));
  const feasible = (t: FrozenTrial) => (t.systemAttrs["constraints"] as number[])[0]! <= 0;
  const gpTrials = trials.slice(8);
  const best = Math.min(...trials.filter(feasible).map((t) => t.values![0]!));
  // the constrained optimum is 0.5 at x = y = 0.5
  assert.ok(best < 0.6, `best feasible ${best}`);
  assert.ok(gpTrials.filter(feasible).length >= gpTrials.length / 2);
});

function zdt1(x: number[]): [number, number] {
  const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (x.length - 1);
  return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
}

async function zdtRun(sampler: Sampler): Promise<number> {
  const directions: Direction[] = ["minimize", "minimize"];
  const study = await runOrThrow(createStudy({ sampler, directions }));
  await runOrThrow(optimize(study, (trial) => async () => {
    const x: number[] = [];
    for (let i = 0; i < 3; i++) x.push(await runOrThrow(suggestFloat(trial, `x${i}`, 0, 1)));
    return { _tag: "Right" as const, right: zdt1(x) };
  }, { nTrials: 24 }));
  const pts = (await runOrThrow(getTrials(study))).map((t) => t.values!);
  // hypervolume against (1.1, 11) of the 2-d front
  const front = pts.filter((p) =>
    !pts.some((q) => q[0]! <= p[0]! && q[1]! <= p[1]! && (q[0]! < p[0]! || q[1]! < p[1]!))
  )
    .sort((a, b) => a[0]! - b[0]!);
  let hv = 0, prevY = 11;
  for (const p of front) {
    hv += (1.1 - p[0]!) * (prevY - p[1]!);
    prevY = p[1]!;
  }
  return hv;
}

Deno.test("gpSampler: a multi-objective study (ZDT1) reaches a larger hypervolume than random search", async () => {
  const gp = await zdtRun(gpSampler({ seed: 4, nStartupTrials: 8 }));
  const rnd = await zdtRun(randomSampler({ seed: 4 }));
  assert.ok(gp > rnd, `GP ${gp} vs random ${rnd}`);
});

Deno.test("gpSampler: parameters outside the intersection space come from the independent sampler", async () => {
  const run = async (sampler: Sampler) => {
    const study = await runOrThrow(createStudy({ sampler }));
    await runOrThrow(optimize(study, (trial) => async () => {
      const x = await runOrThrow(suggestFloat(trial, "x", -2, 2));
      // conditional: only for positive x
      const extra = x > 0 ? await runOrThrow(suggestInt(trial, "extra", 1, 5)) : 0;
      return { _tag: "Right" as const, right: x * x + extra };
    }, { nTrials: 12 }));
    return [...await runOrThrow(getTrials(study))];
  };
  const withTpe = gpSampler({
    seed: 1,
    nStartupTrials: 4,
    deterministicObjective: true,
    independentSampler: tpeSampler({ seed: 1, nStartupTrials: 2 }),
  });
  const trials = await run(withTpe);
  assert.ok(trials.every((t) => t.state === "COMPLETE"));
  for (const t of trials) {
    if ("extra" in t.params) assert.ok([1, 2, 3, 4, 5].includes(t.params.extra as number));
  }
  // the GP models x only (extra is not in every completed trial); it still converges on x
  assert.ok(trials.slice(4).every((t) => t.systemAttrs["gp:kernel_params"] !== undefined));
  assert.ok(Math.min(...trials.map((t) => Math.abs(t.params.x as number))) < 0.2);
  // the same seeds reproduce the run, independent draws included
  assert.deepEqual((await run(withTpe)).map((t) => t.params), trials.map((t) => t.params));
});

Deno.test("gpSampler: a recorded fit without curvature (earlier rows) or with a bad one still samples", async () => {
  const sampler = gpSampler({ seed: 4, nStartupTrials: 4 });
  const trials = await run(sampler, 8);
  const o = getOrThrow(decodeGpOptions(sampler));
  const last = trials[7]!;
  const row = (last.systemAttrs["gp:kernel_params"] as { objectives: number[][] }).objectives[0]!;
  const dim = row.length / 2 - 2;
  const next: FrozenTrial = {
    ...last,
    number: 8,
    trialId: last.trialId + 1,
    state: "RUNNING",
    values: null,
    params: {},
    distributions: {},
    systemAttrs: {},
  };
  const sample = (objectives?: number[][]) => {
    // only the last trial records a fit (none records one: the fit starts from the defaults)
    const attrs = objectives ? { "gp:kernel_params": { objectives, constraints: [] } } : {};
    const earlier = trials.slice(0, 7).map((t) => ({ ...t, systemAttrs: {} }));
    const edited = { ...last, systemAttrs: attrs };
    const r = sampleGp(o, [...earlier, edited], next, ["minimize"], last.distributions);
    assert.ok(isRight(r));
    assert.deepEqual(Object.keys(r.right.value).sort(), Object.keys(last.distributions).sort());
    const rows = (r.right.attrs!["gp:kernel_params"] as { objectives: number[][] }).objectives;
    assert.equal(rows[0]!.length, 2 * (dim + 2));
    return r.right.value;
  };
  const cold = sample(), full = sample([row]), paramsOnly = sample([row.slice(0, dim + 2)]);
  // each start is used: the fits end at slightly different points, and so do the samples
  assert.notDeepEqual(paramsOnly, cold);
  assert.notDeepEqual(full, paramsOnly);
  // a row that is not positive is ignored: the fit starts from the defaults
  assert.deepEqual(sample([row.map((v, i) => (i === dim + 3 ? -v : v))]), cold);
});

Deno.test("gpSampler: outputWarping is off by default and in records written before the option", () => {
  const record = gpSampler({ seed: 3 });
  const options = record.options as Record<string, unknown>;
  assert.equal(options.outputWarping, false);
  const { outputWarping: _, ...older } = options;
  const decoded = samplerFromSnapshot(JSON.stringify({ ...record, options: older }));
  assert.ok(decoded._tag === "Right");
  assert.equal((decoded.right.options as Record<string, unknown>).outputWarping, false);
});

Deno.test("gpSampler: with outputWarping, a long tail of bad values does not keep it from the optimum", async () => {
  // a bowl whose values span six orders of magnitude: the warp spreads the values near the best
  const run = async (outputWarping: boolean) => {
    const study = await runOrThrow(
      createStudy({ sampler: gpSampler({ seed: 5, outputWarping, nStartupTrials: 5 }) }),
    );
    await runOrThrow(optimize(study, async (trial) => {
      const x = await runOrThrow(suggestFloat(trial, "x", -10, 10));
      const y = await runOrThrow(suggestFloat(trial, "y", -10, 10));
      return { _tag: "Right" as const, right: Math.exp(Math.abs(x - 1) + Math.abs(y + 2)) - 1 };
    }, { nTrials: 25 }));
    return [...await runOrThrow(getTrials(study))];
  };
  const warped = await run(true), plain = await run(false);
  // the first trials are the independent sampler's: the same in both
  assert.deepEqual(warped.slice(0, 5).map((t) => t.params), plain.slice(0, 5).map((t) => t.params));
  assert.notDeepEqual(warped.slice(5).map((t) => t.params), plain.slice(5).map((t) => t.params));
  assert.ok(Math.min(...warped.map((t) => t.values![0]!)) < 0.5);
});

Deno.test("gpSampler: outputWarping leaves constrained studies as Optuna's GP runs them", async () => {
  const run = async (outputWarping: boolean) => {
    const study = await runOrThrow(createStudy({
      sampler: gpSampler({ seed: 7, outputWarping, nStartupTrials: 4 }),
      constraintsFunc: (t) => [(t.params.x as number) + (t.params.y as number) - 1],
    }));
    await runOrThrow(optimize(study, async (trial) => {
      const x = await runOrThrow(suggestFloat(trial, "x", -3, 3));
      const y = await runOrThrow(suggestFloat(trial, "y", -3, 3));
      return { _tag: "Right" as const, right: Math.exp((x - 2) ** 2 + y * y) };
    }, { nTrials: 10 }));
    return (await runOrThrow(getTrials(study))).map((t) => t.params);
  };
  assert.deepEqual(await run(true), await run(false));
});
