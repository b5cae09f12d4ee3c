/**
 * Why the GP sampler has its own linear algebra: the operations of one kernel-fit evaluation
 * (a Cholesky factorisation, two triangular solves and the inverse of `L·Lᵀ`) with
 * `ml-matrix` 6.15.1 (`CholeskyDecomposition`, `solve`, `inverse`) beside the hand-written
 * ones of `lib/samplers/gp/_linalg.ts`, on kernel matrices of 50, 100 and 300 trials; prints
 * the CPU milliseconds per evaluation and checks that both agree.
 *
 *     deno run -A bench/gp_linalg.ts
 *
 * @module
 */
import process from "node:process";
import { CholeskyDecomposition, Matrix } from "ml-matrix";
import {
  choleskyInPlace,
  choleskyInverse,
  choleskySolveInPlace,
} from "../lib/samplers/gp/_linalg.ts";

/** A Matérn-like kernel matrix of `n` random points in 6 dimensions, plus noise. */
function kernel(n: number): Float64Array {
  const x = Array.from({ length: n * 6 }, (_, i) => Math.sin(i * 12.9898) * 0.5 + 0.5);
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let r = 0;
      for (let d = 0; d < 6; d++) r += (x[i * 6 + d]! - x[j * 6 + d]!) ** 2;
      const s = Math.sqrt(5 * r);
      k[i * n + j] = Math.exp(-s) * (1 + s + (5 / 3) * r) + (i === j ? 1e-2 : 0);
    }
  }
  return k;
}

function cpuMs(f: () => unknown, reps: number): number {
  f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}

console.log(`# load: ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")} (1/5/15 min)`);
for (const n of [50, 100, 300]) {
  const k = kernel(n), y = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const ours = () => {
    const l = Float64Array.from(k);
    choleskyInPlace(l, n);
    const a = Float64Array.from(y);
    choleskySolveInPlace(l, n, a);
    return [a, choleskyInverse(l, n)] as const;
  };
  const km = new Matrix(
    Array.from({ length: n }, (_, i) => Array.from(k.subarray(i * n, i * n + n))),
  );
  const theirs = () => {
    const chol = new CholeskyDecomposition(km);
    const a = chol.solve(Matrix.columnVector(Array.from(y)));
    return [a, chol.solve(Matrix.eye(n))] as const;
  };
  const [a1, inv1] = ours(), [a2, inv2] = theirs();
  let err = 0;
  for (let i = 0; i < n; i++) {
    err = Math.max(err, Math.abs(a1[i]! - a2.get(i, 0)));
    for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(inv1[i * n + j]! - inv2.get(i, j)));
  }
  const reps = n <= 100 ? 50 : 5;
  const tOurs = cpuMs(ours, reps), tTheirs = cpuMs(theirs, reps);
  console.log(JSON.stringify({
    n,
    oursMs: Number(tOurs.toFixed(2)),
    mlMatrixMs: Number(tTheirs.toFixed(2)),
    speedup: Number((tTheirs / tOurs).toFixed(1)),
    maxAbsDifference: err,
  }));
}
