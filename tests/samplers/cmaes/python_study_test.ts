/**
 * A study begun by Python Optuna's CmaEsSampler (pickled optimizers we cannot read) is
 * continued by ours: the optimizer is rebuilt by replaying the generations recorded in the
 * trials' `cma:generation` attributes, and equals Optuna's pickled one to 1e-9.
 *
 * Needs a Python with Optuna 5.0 and `cmaes`: `$HYPERION_CMAES_PYTHON`, else the repository's
 * `.venv-optuna/bin/python` when it has `cmaes`; skipped (saying so) otherwise.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  cmaEsSampler,
  flatMap,
  getTrials,
  loadStudy,
  map,
  optimize,
  runOrThrow,
  suggestFloat,
  type Trial,
} from "../../../mod.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";
import { decodeCmaOptions } from "../../../lib/samplers/cmaes/_options.ts";
import {
  finishedTrials,
  generationSolutions,
  initOptimizer,
  tellAndRestart,
} from "../../../lib/samplers/cmaes/_steps.ts";
import { spaceTransform } from "../../../lib/samplers/cmaes/_transform.ts";
import { createCmaWorkspace } from "../../../lib/samplers/cmaes/_workspace.ts";
import type { Stored } from "../../../lib/samplers/cmaes/_model.ts";
import { getOrThrow } from "../../../lib/effect/mod.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SCRIPT = join(ROOT, "tests", "fixtures", "cmaes", "python_study.py");

async function hasCmaes(python: string): Promise<boolean> {
  if (!existsSync(python)) return false;
  const out = await new Deno.Command(python, { args: ["-c", "import optuna, cmaes"] }).output();
  return out.success;
}

async function findPython(): Promise<string | undefined> {
  const candidates = [
    Deno.env.get("HYPERION_CMAES_PYTHON"),
    join(ROOT, ".venv-optuna", "bin", "python"),
  ].filter((p): p is string => p !== undefined);
  for (const p of candidates) if (await hasCmaes(p)) return p;
  return undefined;
}

const PYTHON = await findPython();
if (!PYTHON) {
  console.log(
    "%cSKIPPED the Python CMA-ES study test: no Python with optuna and cmaes " +
      "(set HYPERION_CMAES_PYTHON)",
    "color: yellow",
  );
}

const objective = (t: Trial) =>
  flatMap(suggestFloat(t, "x0", -2, 2), (a) =>
    flatMap(suggestFloat(t, "x1", -2, 2), (b) =>
      map(
        suggestFloat(t, "x2", -2, 2),
        (c) => (a - 0.5) ** 2 + 3 * (b + a) ** 2 + 10 * (c - 1) ** 2,
      )));

Deno.test({
  name: "cmaEsSampler continues a study begun by Python's CmaEsSampler, replaying its generations",
  ignore: PYTHON === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const db = join(dir, "py.db");
      const out = await new Deno.Command(PYTHON!, { args: [SCRIPT, db, "40"] }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const py = JSON.parse(new TextDecoder().decode(out.stdout)) as {
        g: number;
        mean: number[];
        sigma: number;
        C: number[];
      };
      const storage = await runOrThrow(sqliteStorage(db));
      const sampler = cmaEsSampler({ seed: 0 });
      const study = await runOrThrow(loadStudy({ storage, studyName: "py", sampler }));
      const trials = await runOrThrow(getTrials(study));

      // the optimizer rebuilt from the trials equals Optuna's pickle at its generation
      const o = getOrThrow(decodeCmaOptions(sampler.options));
      const ws = createCmaWorkspace();
      const finished = finishedTrials(trials, o, "minimize", ws);
      const trans = spaceTransform(
        trials[0]!.distributions as Parameters<typeof spaceTransform>[0],
        true,
      );
      const cma = initOptimizer(o, trans, "minimize", null, null)!;
      let s: Stored = {
        names: trans.names,
        cma,
        restart: {
          n: 0,
          popsize: cma.popsize,
          poptype: "small",
          smallNEval: 0,
          largeNEval: 0,
          nLarge: 0,
        },
      };
      while (s.cma.g < py.g) {
        const solutions = generationSolutions(s, finished, o, trans, ws);
        assert.ok(solutions, `generation ${s.cma.g} is complete`);
        s = tellAndRestart(s, solutions, o, trans, "minimize", 0);
      }
      const close = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, what: string) =>
        a.forEach((v, i) =>
          assert.ok(Math.abs(v - b[i]!) < 1e-9, `${what}[${i}]: ${v} vs ${b[i]}`)
        );
      close(s.cma.mean, py.mean, "mean");
      close([s.cma.sigma], [py.sigma], "sigma");
      close(s.cma.C, py.C, "C");

      // and the study goes on with our sampler, generation after generation
      await runOrThrow(optimize(study, objective, { nTrials: 20 }));
      const after = await runOrThrow(getTrials(study));
      assert.equal(after.length, 60);
      const gens = after.slice(40).map((t) => t.systemAttrs["cma:generation"] as number);
      assert.ok(gens.every((g) => g >= py.g), `generations ${gens} continue from ${py.g}`);
      assert.ok(gens.at(-1)! > py.g + 1);
      assert.ok(after.slice(40).some((t) => typeof t.systemAttrs["cma:json_state:0"] === "string"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
