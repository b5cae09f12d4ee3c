/**
 * The CMA-ES update equals the `cmaes` library's to 1e-9, given the same solutions: CMA,
 * SepCMA, CMAwM (with margin), learning-rate adaptation and the warm start, over several
 * generations (fixtures recorded by tests/fixtures/cmaes/make_fixtures.py).
 */
import assert from "node:assert/strict";
import { newCma, tellCma } from "../../../lib/samplers/cmaes/_cma.ts";
import { newCmaWithMargin, tellMargin } from "../../../lib/samplers/cmaes/_margin.ts";
import type { CmaState, Solution } from "../../../lib/samplers/cmaes/_model.ts";
import { warmStartMgd } from "../../../lib/samplers/cmaes/_warm_start.ts";

interface After {
  readonly g: number;
  readonly mean: number[];
  readonly sigma: number;
  readonly C: number[];
  readonly pSigma: number[];
  readonly pc: number[];
  readonly A?: number[];
  readonly etaMean?: number;
  readonly etaSigma?: number;
  readonly Vmean?: number;
  readonly VSigma?: number;
}

interface Case {
  readonly name: string;
  readonly kind: "cma" | "sepcma" | "cmawm";
  readonly n: number;
  readonly popsize: number;
  readonly steps: number[] | null;
  readonly lrAdapt: boolean;
  readonly mean: number[];
  readonly sigma: number;
  readonly cov: number[] | null;
  readonly warmStart?: {
    readonly solutions: Array<[number[], number]>;
    readonly mean: number[];
    readonly sigma: number;
    readonly cov: number[];
  };
  readonly generations: ReadonlyArray<{ readonly solutions: Solution[]; readonly after: After }>;
}

const TOL = 1e-9;

function close(actual: ReadonlyArray<number>, expected: ReadonlyArray<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    assert.ok(
      Math.abs(a - e) <= TOL * Math.max(1, Math.abs(e)),
      `${what}[${i}]: ${a} vs ${e} (diff ${Math.abs(a - e)})`,
    );
  });
}

function initial(c: Case): CmaState {
  const base = {
    mean: c.mean,
    sigma: c.sigma,
    lower: c.mean.map(() => 0),
    upper: c.mean.map(() => 1),
    nMaxResampling: 10 * c.n,
    popsize: c.popsize,
    cov: c.cov ?? undefined,
  };
  if (c.kind === "cmawm") return newCmaWithMargin({ ...base, steps: c.steps! });
  return newCma({ ...base, type: c.kind, lrAdapt: c.lrAdapt });
}

function compare(s: CmaState, after: After, what: string): void {
  assert.equal(s.g, after.g, `${what}: generation`);
  close(s.mean, after.mean, `${what}: mean`);
  close([s.sigma], [after.sigma], `${what}: sigma`);
  close(s.C, after.C, `${what}: C`);
  close(s.pSigma, after.pSigma, `${what}: p_sigma`);
  close(s.pc, after.pc, `${what}: p_c`);
  if (after.A) close(s.margin!.A, after.A, `${what}: A`);
  if (after.etaMean !== undefined) {
    const lr = s.lr!;
    close(
      [lr.etaMean, lr.etaSigma, lr.Vmean, lr.VSigma],
      [after.etaMean, after.etaSigma!, after.Vmean!, after.VSigma!],
      `${what}: learning rates`,
    );
  }
}

async function cases(file: string): Promise<ReadonlyArray<Case>> {
  const url = new URL(`../../fixtures/cmaes/${file}.json`, import.meta.url);
  return (JSON.parse(await Deno.readTextFile(url)) as { cases: Case[] }).cases;
}

for (const file of ["cma", "sepcma", "cmawm", "lr_adapt"]) {
  Deno.test(`CMA-ES parity: ${file} updates equal the cmaes library's to 1e-9`, async () => {
    for (const c of await cases(file)) {
      let s = initial(c);
      assert.equal(s.popsize, c.popsize, `${c.name}: population size`);
      c.generations.forEach(({ solutions, after }, g) => {
        s = c.kind === "cmawm" ? tellMargin(s, solutions) : tellCma(s, solutions);
        compare(s, after, `${c.name} generation ${g + 1}`);
        // the state is JSON: a round trip changes nothing
        s = JSON.parse(JSON.stringify(s));
      });
    }
  });
}

Deno.test("CMA-ES parity: the warm start equals get_warm_start_mgd", async () => {
  for (const c of await cases("cma")) {
    if (!c.warmStart) continue;
    const ws = warmStartMgd(c.warmStart.solutions)!;
    close(ws.mean, c.warmStart.mean, "mean");
    close([ws.sigma], [c.warmStart.sigma], "sigma");
    close(ws.cov, c.warmStart.cov, "cov");
  }
});
