/**
 * `importance` through the CLI: on a study of 5 parameters of which 2 matter, every evaluator
 * ranks those 2 first; the outputs parse; no completed trial exits 5; bad options exit 2.
 */
import assert from "node:assert/strict";
import {
  createStudy,
  float,
  map,
  optimize,
  randomSampler,
  runOrThrow,
  suggest,
} from "../../mod.ts";
import { openStorage } from "../../lib/storage/open.ts";
import { EXIT } from "../../lib/cli/mod.ts";
import { cli, withTempDb } from "./_cli.ts";

/** 60 random trials of (a, b, c, d, e) where only a and b matter (a most). */
async function knownStudy(url: string, directions: ReadonlyArray<"minimize" | "maximize">) {
  const storage = await runOrThrow(openStorage(url));
  const study = await runOrThrow(
    createStudy({ storage, studyName: "s", directions, sampler: randomSampler({ seed: 5 }) }),
  );
  const space = {
    a: float(-1, 1),
    b: float(-1, 1),
    c: float(-1, 1),
    d: float(-1, 1),
    e: float(-1, 1),
  };
  await runOrThrow(optimize(
    study,
    (trial) =>
      map(suggest(trial, space), ({ a, b, c, d, e }) => {
        const f = 10 * a * a + 3 * b * b + 1e-4 * (c + d + e);
        return directions.length === 1 ? f : [f, -f];
      }),
    { nTrials: 60 },
  ));
  await runOrThrow(storage.close());
}

Deno.test(
  "importance ranks the two parameters that matter first, for every evaluator",
  withTempDb(async (db) => {
    await knownStudy(db.url, ["minimize"]);
    for (const evaluator of ["ped-anova", "fanova", "mdi", "FanovaImportanceEvaluator"]) {
      const r = await cli([
        "importance",
        "--storage",
        db.url,
        "--study-name",
        "s",
        "--evaluator",
        evaluator,
        "-f",
        "json",
      ]);
      assert.equal(r.code, 0, r.err);
      const found = JSON.parse(r.out) as Record<string, number>;
      assert.deepEqual(Object.keys(found).slice(0, 2).sort(), ["a", "b"], `${evaluator}: ${r.out}`);
      const sum = Object.values(found).reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `${evaluator} sums to ${sum}`);
    }
    const table = await cli([
      "importance",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "--params",
      "c",
      "a",
    ]);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /\| param \| +importance \|\n\+-+\+-+\+\n\| a +\|/);
    assert.doesNotMatch(table.out, /\| b /);
    const seeded = async () =>
      (await cli([
        "importance",
        "--storage",
        db.url,
        "--study",
        "s",
        "--evaluator",
        "fanova",
        "--seed",
        "3",
        "-f",
        "json",
      ])).out;
    assert.equal(await seeded(), await seeded());
  }),
);

Deno.test(
  "importance: several objectives need --target for fanova; none complete exits 5; bad options exit 2",
  withTempDb(async (db) => {
    await knownStudy(db.url, ["minimize", "maximize"]);
    const s = ["importance", "--storage", db.url, "--study-name", "s"];
    const noTarget = await cli([...s, "--evaluator", "fanova"]);
    assert.equal(noTarget.code, EXIT.usage);
    assert.match(noTarget.err, /target/);
    const withTarget = await cli([...s, "--evaluator", "fanova", "--target", "1", "-f", "json"]);
    assert.equal(withTarget.code, 0, withTarget.err);
    assert.deepEqual(Object.keys(JSON.parse(withTarget.out)).slice(0, 2).sort(), ["a", "b"]);
    for (
      const bad of [["--evaluator", "shap"], ["--target", "2"], [
        "--evaluator",
        "ped-anova",
        "--seed",
        "1",
      ], ["--seed", "x", "--evaluator", "mdi"]]
    ) {
      const r = await cli([...s, ...bad]);
      assert.equal(r.code, EXIT.usage, `${bad.join(" ")}: ${r.err}`);
    }
    await cli(["create-study", "--storage", db.url, "--study-name", "empty"]);
    const empty = await cli(["importance", "--storage", db.url, "--study-name", "empty"]);
    assert.equal(empty.code, EXIT.noData);
    assert.match(empty.err, /no trial is complete/);
  }),
);
