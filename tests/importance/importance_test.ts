import assert from "node:assert/strict";
import fc from "fast-check";
import {
  categoricalDistribution,
  createStudy,
  float,
  floatDistribution,
  type FrozenTrial,
  getOrThrow,
  getTrials,
  intDistribution,
  map,
  memoryStorage,
  optimize,
  randomSampler,
  runOrThrow,
  suggest,
} from "../../mod.ts";
import {
  evaluateImportances,
  fanovaEvaluator,
  getParamImportances,
  type ImportanceEvaluator,
  meanDecreaseImpurityEvaluator,
  pedAnovaEvaluator,
} from "../../lib/importance/mod.ts";
import type { ParamValue } from "../../lib/core/json.ts";
import type { Distribution } from "../../lib/core/distributions.ts";
import { frozenTrial } from "../_helpers/trials.ts";

const U = getOrThrow(floatDistribution(0, 1));

function trial(
  number: number,
  params: Record<string, ParamValue>,
  values: number[] | null,
  options: { state?: FrozenTrial["state"]; dists?: Record<string, Distribution> } = {},
): FrozenTrial {
  const distributions = options.dists ?? Object.fromEntries(Object.keys(params).map((k) => [k, U]));
  return frozenTrial({ number, state: options.state ?? "COMPLETE", values, params, distributions });
}

/** 5 uniform parameters, the objective depends strongly on `b` and `d` only. */
function twoMatter(n: number, seed: number): FrozenTrial[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => {
    const p = { a: next(), b: next(), c: next(), d: next(), e: next() };
    const v = 8 * (p.b - 0.4) ** 2 + 3 * Math.abs(p.d - 0.7) + 0.02 * (p.a + p.c + p.e);
    return trial(i, p, [v]);
  });
}

const EVALUATORS: ReadonlyArray<[string, ImportanceEvaluator]> = [
  ["fanova", fanovaEvaluator({ nTrees: 16 })],
  ["pedAnova", pedAnovaEvaluator()],
  ["meanDecreaseImpurity", meanDecreaseImpurityEvaluator({ nTrees: 16 })],
];

for (const [name, evaluator] of EVALUATORS) {
  Deno.test(`${name}: of 5 parameters, the 2 that matter rank first`, () => {
    for (const seed of [1, 2, 3]) {
      const out = getOrThrow(evaluateImportances(
        { trials: twoMatter(150, seed), directions: ["minimize"] },
        { evaluator },
      ));
      assert.deepEqual(Object.keys(out).slice(0, 2).sort(), ["b", "d"], JSON.stringify(out));
      const sum = Object.values(out).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9);
      const values = Object.values(out);
      assert.deepEqual(values, [...values].sort((x, y) => y - x), "sorted descending");
    }
  });

  Deno.test(`${name}: a study with no COMPLETE trial is a Left naming the study`, () => {
    const res = evaluateImportances({
      trials: [trial(0, { a: 0.5 }, null, { state: "PRUNED" })],
      directions: ["minimize"],
      studyName: "empty",
    }, { evaluator });
    assert.equal(res._tag === "Left" && res.left._tag, "NoCompletedTrials");
    assert.match(
      res._tag === "Left" ? res.left.message : "",
      /study 'empty': no trial is complete/,
    );
  });

  Deno.test(`${name}: PRUNED, FAIL and RUNNING trials are ignored`, () => {
    const trials = twoMatter(80, 5);
    const noisy = [
      ...trials,
      trial(80, { a: 0, b: 0, c: 0, d: 0, e: 0 }, [1e9], { state: "FAIL" }),
      trial(81, { a: 1, b: 1, c: 1, d: 1, e: 1 }, [-1e9], { state: "PRUNED" }),
      trial(82, { a: 1, b: 1, c: 1, d: 1, e: 1 }, null, { state: "RUNNING" }),
    ];
    const a = evaluateImportances({ trials, directions: ["minimize"] }, { evaluator });
    const b = evaluateImportances({ trials: noisy, directions: ["minimize"] }, { evaluator });
    assert.deepEqual(a, b);
  });
}

Deno.test("forest evaluators are reproducible for a seed and depend on it", () => {
  const src = { trials: twoMatter(60, 9), directions: ["minimize"] as const };
  for (const make of [fanovaEvaluator, meanDecreaseImpurityEvaluator]) {
    const a = evaluateImportances(src, { evaluator: make({ nTrees: 8, seed: 4 }) });
    const b = evaluateImportances(src, { evaluator: make({ nTrees: 8, seed: 4 }) });
    const c = evaluateImportances(src, { evaluator: make({ nTrees: 8, seed: 5 }) });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  }
});

Deno.test("fANOVA and MDI need a target for multi-objective studies; PED-ANOVA does not", () => {
  const trials = twoMatter(40, 3).map((t) => ({
    ...t,
    values: [t.values![0]!, t.params.a as number],
  }));
  const src = { trials, directions: ["minimize", "minimize"] as const };
  for (const evaluator of [fanovaEvaluator(), meanDecreaseImpurityEvaluator()]) {
    const res = evaluateImportances(src, { evaluator });
    assert.equal(res._tag === "Left" && res.left._tag, "InvalidArgument");
    assert.match(res._tag === "Left" ? res.left.message : "", /Invalid 'target'.*2 objectives/);
    const ok = getOrThrow(evaluateImportances(src, { evaluator, target: (t) => t.values![1]! }));
    assert.equal(Object.keys(ok)[0], "a");
  }
  assert.equal(evaluateImportances(src, { evaluator: pedAnovaEvaluator() })._tag, "Right");
});

Deno.test("a target picks the value explained", () => {
  const trials = twoMatter(100, 4).map((t) => ({
    ...t,
    userAttrs: { loss: t.params.c as number },
  }));
  const out = getOrThrow(evaluateImportances({ trials, directions: ["minimize"] }, {
    evaluator: fanovaEvaluator({ nTrees: 8 }),
    target: (t) => t.userAttrs.loss as number,
  }));
  assert.equal(Object.keys(out)[0], "c");
});

Deno.test("parameters absent from some trials: the intersection search space is used", () => {
  const trials = twoMatter(60, 6).map((t) =>
    t.number % 2
      ? t
      : { ...t, params: { ...t.params, extra: 1 }, distributions: { ...t.distributions, extra: U } }
  );
  for (const [, evaluator] of EVALUATORS.slice(0, 1).concat(EVALUATORS.slice(2))) {
    const out = getOrThrow(
      evaluateImportances({ trials, directions: ["minimize"] }, { evaluator }),
    );
    assert.deepEqual(Object.keys(out).sort(), ["a", "b", "c", "d", "e"]);
  }
  // requested explicitly: only the trials having it count
  const one = getOrThrow(evaluateImportances({ trials, directions: ["minimize"] }, {
    evaluator: fanovaEvaluator({ nTrees: 4 }),
    params: ["extra", "b"],
  }));
  assert.deepEqual(Object.keys(one), ["b", "extra"]);
});

Deno.test("unknown or dynamic params are a Left naming 'params'", () => {
  const trials = twoMatter(20, 1);
  for (const [, evaluator] of EVALUATORS) {
    const res = evaluateImportances({ trials, directions: ["minimize"] }, {
      evaluator,
      params: ["zz"],
    });
    assert.equal(res._tag === "Left" && res.left._tag, "InvalidArgument", evaluator.kind);
    assert.match(res._tag === "Left" ? res.left.message : "", /'params'/);
  }
  const wide = getOrThrow(floatDistribution(0, 2));
  const dynamic = trials.map((t) =>
    t.number === 3 ? { ...t, distributions: { ...t.distributions, a: wide } } : t
  );
  const res = evaluateImportances({ trials: dynamic, directions: ["minimize"] }, {
    evaluator: fanovaEvaluator(),
    params: ["a"],
  });
  assert.match(res._tag === "Left" ? res.left.message : "", /'a' has several distributions/);
});

Deno.test("single-valued distributions get 0 (fANOVA), and a space of singles is all equal", () => {
  const single = getOrThrow(intDistribution(3, 3));
  const trials = twoMatter(60, 2).map((t) => ({
    ...t,
    params: { ...t.params, k: 3 },
    distributions: { ...t.distributions, k: single },
  }));
  const raw = getOrThrow(evaluateImportances({ trials, directions: ["minimize"] }, {
    evaluator: fanovaEvaluator({ nTrees: 8 }),
    normalize: false,
  }));
  assert.equal(raw.k, 0);
  const onlySingle = trials.map((t) => ({ ...t, params: { k: 3 }, distributions: { k: single } }));
  const eq = getOrThrow(evaluateImportances({ trials: onlySingle, directions: ["minimize"] }, {
    evaluator: fanovaEvaluator(),
  }));
  assert.deepEqual(eq, { k: 1 });
});

Deno.test("categorical parameters are one-hot encoded and can matter", () => {
  const cat = getOrThrow(categoricalDistribution(["x", "y", "z"]));
  const rand = twoMatter(90, 11); // independent uniform draws
  const trials = Array.from({ length: 90 }, (_, i) => {
    const c = ["x", "y", "z"][i % 3] as string;
    const u = rand[i]!.params.a as number, noise = rand[i]!.params.c as number;
    const v = (c === "y" ? 5 : c === "z" ? 2 : 0) + 0.01 * noise;
    return trial(i, { c, u }, [v], { dists: { c: cat, u: U } });
  });
  for (const [, evaluator] of EVALUATORS) {
    const out = getOrThrow(
      evaluateImportances({ trials, directions: ["minimize"] }, { evaluator }),
    );
    assert.equal(Object.keys(out)[0], "c", `${evaluator.kind}: ${JSON.stringify(out)}`);
  }
});

Deno.test("bad evaluator options are Lefts naming the field", () => {
  const src = { trials: twoMatter(10, 1), directions: ["minimize"] as const };
  const cases: Array<[ImportanceEvaluator, RegExp]> = [
    [fanovaEvaluator({ nTrees: 0 }), /evaluator\.nTrees/],
    [meanDecreaseImpurityEvaluator({ seed: 0.5 }), /evaluator\.seed/],
    [pedAnovaEvaluator({ targetQuantile: 0.5, regionQuantile: 0.4 }), /evaluator\.targetQuantile/],
    [pedAnovaEvaluator({ regionQuantile: 2 }), /evaluator\.regionQuantile/],
  ];
  for (const [evaluator, re] of cases) {
    const res = evaluateImportances(src, { evaluator });
    assert.match(res._tag === "Left" ? res.left.message : "right", re);
  }
});

Deno.test("normalize: false keeps the raw values; all-zero importances normalise to equal", () => {
  const trials = Array.from(
    { length: 10 },
    (_, i) => trial(i, { a: i / 10, b: (9 - i) / 10 }, [1]),
  );
  const eq = getOrThrow(evaluateImportances({ trials, directions: ["minimize"] }, {
    evaluator: meanDecreaseImpurityEvaluator(),
  }));
  assert.deepEqual(eq, { b: 0.5, a: 0.5 });
  const src = { trials: twoMatter(50, 1), directions: ["minimize"] as const };
  const evaluator = pedAnovaEvaluator();
  const raw = getOrThrow(evaluateImportances(src, { evaluator, normalize: false }));
  const norm = getOrThrow(evaluateImportances(src, { evaluator }));
  const sum = Object.values(raw).reduce((x, y) => x + y, 0);
  assert.ok(Math.abs(sum - 1) > 1e-3, `raw values are not normalised: ${sum}`);
  for (const [k, v] of Object.entries(norm)) {
    assert.ok(Math.abs((raw[k] as number) / sum - v) < 1e-12);
  }
});

Deno.test("property: normalised importances are non-negative, sum to 1 and are sorted", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 5, max: 40 }), (seed, n) => {
      for (const [, evaluator] of EVALUATORS) {
        const ev = evaluator.kind === "pedAnova" ? evaluator : { ...evaluator, nTrees: 4 };
        const out = getOrThrow(
          evaluateImportances({ trials: twoMatter(n, seed), directions: ["maximize"] }, {
            evaluator: ev,
          }),
        );
        const v = Object.values(out);
        assert.ok(v.every((x) => x >= 0));
        assert.ok(Math.abs(v.reduce((a, b) => a + b, 0) - 1) < 1e-9);
        assert.deepEqual(v, [...v].sort((a, b) => b - a));
      }
    }),
    { numRuns: 15 },
  );
});

Deno.test("getParamImportances reads a study from its storage and leaves it unchanged", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(createStudy({ storage, sampler: randomSampler({ seed: 1 }) }));
  await runOrThrow(
    optimize(
      study,
      (t) => map(suggest(t, { x: float(-3, 3), y: float(-3, 3) }), ({ x, y }) => x * x + 0.01 * y),
      {
        nTrials: 30,
      },
    ),
  );
  const before = await runOrThrow(getTrials(study));
  for (const [, evaluator] of EVALUATORS) {
    const out = await runOrThrow(getParamImportances(study, { evaluator }));
    assert.equal(Object.keys(out)[0], "x");
  }
  assert.deepEqual(await runOrThrow(getTrials(study)), before);
  const empty = await runOrThrow(createStudy({ storage, studyName: "empty" }));
  const res = await getParamImportances(empty)();
  assert.equal(res._tag === "Left" && res.left._tag, "NoCompletedTrials");
  assert.match(res._tag === "Left" ? res.left.message : "", /study 'empty'/);
});
