/**
 * Parity of the GP sampler's numerical core with Optuna 5.0 (fixtures recorded by
 * `tests/fixtures/gp/make_fixtures.py` with Optuna 5.0 and CPU torch): normalised parameters,
 * kernel matrices, the fit's loss and gradient, fitted losses, posterior mean and variance,
 * log EI, log PI and the non-dominated boxes of the multi-objective acquisition.
 */
import assert from "node:assert/strict";
import type { Distribution } from "../../../lib/core/distributions.ts";
import type { FrozenTrial } from "../../../lib/core/trial.ts";
import { logEiAcqf, logPiSumAcqf } from "../../../lib/samplers/gp/_acqf.ts";
import { nonDominatedBoxes } from "../../../lib/samplers/gp/_ehvi.ts";
import {
  fitGp,
  fitLoss,
  gpWith,
  kernelMatrix,
  pairSqd,
  posterior,
  posteriorScratch,
  toRaw,
} from "../../../lib/samplers/gp/_gp.ts";
import { gpSpace, normalizedParams } from "../../../lib/samplers/gp/_space.ts";
import { gpDataOf } from "../../_helpers/gp_fixtures.ts";

interface Fit {
  isl: number[];
  scale: number;
  noise: number;
  loss: number;
}
interface Case {
  space: Record<string, Distribution>;
  params: Array<Record<string, number | string>>;
  X: number[][];
  y: number[];
  isCategorical: boolean[];
  kernel: { isl: number[]; scale: number; noise: number };
  K: number[][];
  raw: number[];
  loss: number;
  grad: number[];
  lossDeterministic: number;
  gradDeterministic: number[];
  points: number[][];
  mean: number[];
  var: number[];
  threshold: number;
  logei: number[];
  logpi: number[];
  fits: { noisy: Fit; deterministic: Fit };
}
interface Boxes {
  loss: number[][];
  ref: number[];
  lower: number[][];
  upper: number[][];
}

const fixture: { cases: Case[]; boxes: Boxes[] } = JSON.parse(
  Deno.readTextFileSync(new URL("../../fixtures/gp/gp.json", import.meta.url)),
  (_k, v) => (v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v),
);

function close(actual: number, expected: number, tol: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
  assert.ok(err <= tol, `${what}: ${actual} vs ${expected} (relative error ${err})`);
}

function kernelOf(c: Case) {
  return { isl: Float64Array.from(c.kernel.isl), scale: c.kernel.scale, noise: c.kernel.noise };
}

Deno.test("gp parity: parameters normalise as Optuna's search space does (log, step, int, categorical)", () => {
  for (const c of fixture.cases) {
    const s = gpSpace(c.space);
    const trials = c.params.map((params) => ({ params }) as unknown as FrozenTrial);
    const x = normalizedParams(s, trials);
    c.X.flat().forEach((v, i) => close(x[i]!, v, 1e-12, `X[${i}]`));
    assert.deepEqual(Array.from(s.isCategorical, (b) => b === 1), c.isCategorical);
  }
});

Deno.test("gp parity: the Matérn-5/2 ARD kernel matrix equals Optuna's", () => {
  for (const c of fixture.cases) {
    const k = kernelMatrix(gpDataOf(c), kernelOf(c));
    c.K.flat().forEach((v, i) => close(k[i]!, v, 1e-9, `K[${i}]`));
  }
});

Deno.test("gp parity: the fit's loss (−mll − log prior) and its gradient equal Optuna's", () => {
  for (const c of fixture.cases) {
    const data = gpDataOf(c), sq = pairSqd(data), raw = Float64Array.from(c.raw);
    for (const det of [false, true]) {
      const grad = new Float64Array(raw.length);
      const loss = fitLoss(data, sq, raw, grad, det);
      close(loss, det ? c.lossDeterministic : c.loss, 1e-6, `loss (deterministic ${det})`);
      (det ? c.gradDeterministic : c.grad).forEach((g, i) =>
        close(grad[i]!, g, 1e-6, `grad[${i}] (deterministic ${det})`)
      );
    }
  }
});

Deno.test("gp parity: the fitted kernel reaches at least Optuna's objective value", () => {
  for (const c of fixture.cases) {
    const data = gpDataOf(c), sq = pairSqd(data);
    for (const det of [false, true]) {
      const theirs = det ? c.fits.deterministic : c.fits.noisy;
      const gp = fitGp(data, det);
      const grad = new Float64Array(data.dim + 2);
      const ours = fitLoss(data, sq, toRaw(gp.params), grad, det);
      // minimisation: ours may not exceed theirs by more than 1e-6 relative (gtol 1e-2 both)
      assert.ok(
        ours <= theirs.loss + 1e-6 * Math.max(1, Math.abs(theirs.loss)),
        `fitted loss (deterministic ${det}): ours ${ours}, Optuna's ${theirs.loss}`,
      );
    }
  }
});

Deno.test("gp parity: the fit takes SciPy's L-BFGS-B steps: the fitted parameters equal Optuna's", () => {
  for (const c of fixture.cases) {
    for (const det of [false, true]) {
      const theirs = det ? c.fits.deterministic : c.fits.noisy;
      const { params } = fitGp(gpDataOf(c), det);
      theirs.isl.forEach((v, i) =>
        close(params.isl[i]!, v, 1e-6, `isl[${i}] (deterministic ${det})`)
      );
      close(params.scale, theirs.scale, 1e-6, `scale (deterministic ${det})`);
      close(params.noise, theirs.noise, 1e-6, `noise (deterministic ${det})`);
    }
  }
});

Deno.test("gp parity: posterior mean and variance, log EI and log PI equal Optuna's", () => {
  for (const c of fixture.cases) {
    const gp = gpWith(gpDataOf(c), kernelOf(c))!;
    const s = posteriorScratch(gp);
    const pts = Float64Array.from(c.points.flat());
    c.points.forEach((_, r) => {
      const p = posterior(gp, pts, r * gp.dim, s);
      close(p.mean, c.mean[r]!, 1e-6, `mean[${r}]`);
      close(p.variance, c.var[r]!, 1e-6, `var[${r}]`);
    });
    const ei = logEiAcqf(gp, c.threshold).evalMany(pts, c.points.length);
    c.logei.forEach((v, r) => close(ei[r]!, v, 1e-6, `logEI[${r}]`));
    const pi = logPiSumAcqf([{ gp, threshold: 0.3 }], gp.params.isl).evalMany(pts, c.points.length);
    c.logpi.forEach((v, r) => close(pi[r]!, v, 1e-6, `logPI[${r}]`));
  }
});

function lexSorted(rows: number[][]): number[][] {
  return [...rows].sort((a, b) => {
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! - b[k]!;
    return 0;
  });
}

Deno.test("gp parity: the non-dominated box decomposition equals Optuna's", () => {
  for (const b of fixture.boxes) {
    const { lo, hi } = nonDominatedBoxes(b.loss, b.ref);
    const ours = lexSorted(lo.map((l, i) => [...l, ...hi[i]!]));
    const theirs = lexSorted(b.lower.map((l, i) => [...l, ...b.upper[i]!]));
    assert.deepEqual(ours, theirs);
  }
});
