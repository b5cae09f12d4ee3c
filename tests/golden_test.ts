/**
 * The golden file: every seeded scenario of `fixtures/golden/scenarios.ts` (every sampler,
 * every pruner, the mixed search space, enqueued, failed and pruned trials) rerun on the memory
 * storage and on an SQLite file must give exactly the trials recorded in
 * `fixtures/golden/studies.json`, and both storages must agree. A failure names the scenario,
 * the trial and the field. Regenerating the file (`deno run -A
 * tests/fixtures/golden/make_golden.ts`) is allowed only for an intended change of results,
 * said in the commit message.
 */

import assert from "node:assert/strict";
import {
  GOLDEN_FORMAT,
  GOLDEN_PATH,
  type GoldenFile,
  type GoldenJson,
  type GoldenScenario,
  scenarioDifference,
} from "./fixtures/golden/format.ts";
import { runScenario, SCENARIOS } from "./fixtures/golden/scenarios.ts";

const golden: GoldenFile = JSON.parse(await Deno.readTextFile(GOLDEN_PATH));

Deno.test("the golden file records exactly the scenarios that scenarios.ts defines", () => {
  assert.equal(golden.format, GOLDEN_FORMAT);
  assert.deepEqual(Object.keys(golden.scenarios), SCENARIOS.map((s) => s.name));
});

for (const scenario of SCENARIOS) {
  Deno.test(`golden: '${scenario.name}' gives the recorded trials on memory and on SQLite`, async () => {
    const expected = golden.scenarios[scenario.name];
    assert.ok(expected, `scenario ${scenario.name} is missing from studies.json: regenerate`);
    const dir = await Deno.makeTempDir({ prefix: "hyperion-golden-" });
    try {
      const views = [
        ...await runScenario(scenario, "memory", dir),
        ...await runScenario(scenario, "sqlite", dir),
      ];
      assert.deepEqual(views.map((v) => v.view), ["memory", "SQLite", "SQLite reopened"]);
      for (const { view, record } of views) assertSame(scenario.name, expected, record, view);
      const [memory, ...others] = views;
      for (const other of others) {
        assert.deepEqual(other.record, memory!.record, `memory and ${other.view} differ`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("the golden comparison names the scenario, the trial and the field that differ", () => {
  const expected = golden.scenarios["tpe-multivariate"]!;
  const trials = expected.trials.map((t) => structuredClone(t) as { [key: string]: GoldenJson });
  const twelfth = trials[12]!;
  twelfth.params = { ...(twelfth.params as { [key: string]: GoldenJson }), x: 0.25 };
  const actual: GoldenScenario = { ...expected, trials };
  assert.match(
    scenarioDifference("tpe-multivariate", expected, actual) ?? "",
    /^scenario tpe-multivariate, trial 12, field params\.x: expected -?[0-9.e-]+, got 0\.25$/,
  );
  assert.equal(scenarioDifference("tpe-multivariate", expected, expected), undefined);
  const shorter: GoldenScenario = { ...expected, trials: trials.slice(0, 3) };
  assert.match(scenarioDifference("x", expected, shorter) ?? "", /expected 22 trials, got 3/);
});

function assertSame(
  name: string,
  expected: GoldenScenario,
  actual: GoldenScenario,
  view: string,
): void {
  const diff = scenarioDifference(name, expected, actual);
  if (diff !== undefined) {
    assert.fail(`${view} differs from studies.json: ${diff}`);
  }
  // the readable difference is a convenience; the deep equality is the check
  assert.deepEqual(actual.study, expected.study);
  assert.deepEqual(actual.trials, expected.trials);
}
