/**
 * Parity with Python Optuna 5.0 on recorded studies (`tests/fixtures/importance/`): studies
 * written with our SQLite storage, importances computed by Optuna on the same file. PED-ANOVA
 * (deterministic) must match Optuna's values; the forest evaluators (fANOVA, mean decrease
 * impurity), whose forests draw from different random streams, must rank the parameters as
 * Optuna does: Spearman ≥ 0.9 between the means over seeds 0–4, or — where the parameters of
 * little importance are tied within Optuna's own seed-to-seed noise — at least as high as
 * Optuna's seed 0 against its seed 1; and the most important parameter must be the same.
 */
import assert from "node:assert/strict";
import { compare, loadStudies } from "../fixtures/importance/compare.ts";

const rows = compare(await loadStudies());

Deno.test("PED-ANOVA equals Optuna 5.0 on every recorded study (with and without target)", () => {
  const ped = rows.filter((r) => r.evaluator.startsWith("pedAnova"));
  assert.equal(ped.length, 6);
  for (const r of ped) {
    assert.deepEqual(Object.keys(r.ours).sort(), Object.keys(r.optuna).sort(), r.study);
    for (const [k, v] of Object.entries(r.optuna)) {
      assert.ok(
        Math.abs((r.ours[k] as number) - v) < 1e-9,
        `${r.study} ${k}: ${r.ours[k]} vs ${v}`,
      );
    }
  }
});

for (const evaluator of ["fanova", "meanDecreaseImpurity"]) {
  Deno.test(`${evaluator} ranks parameters as Optuna 5.0 on every recorded study`, () => {
    const mine = rows.filter((r) => r.evaluator === evaluator);
    assert.equal(mine.length, 5);
    for (const r of mine) {
      const floor = Math.min(0.9, r.optunaSelf ?? 0.9);
      assert.ok(r.spearman >= floor, `${r.study}: Spearman ${r.spearman} < ${floor}`);
      const top = (x: Readonly<Record<string, number>>) =>
        Object.entries(x).sort((a, b) => b[1] - a[1])[0]?.[0];
      assert.equal(top(r.ours), top(r.optuna), `${r.study}: most important parameter`);
    }
    const rhos = mine.map((r) => r.spearman);
    assert.ok(rhos.reduce((a, b) => a + b) / rhos.length >= 0.9, `mean Spearman ${rhos}`);
  });
}
