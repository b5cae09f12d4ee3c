/**
 * The WebAssembly SIMD sums of the candidates' posterior equal the plain loop's bit for bit
 * (the sampler's values do not depend on whether WebAssembly SIMD is present).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { block4Kernel, gramKernel, upperKernel } from "../../../lib/samplers/gp/_simd.ts";
import {
  choleskyInPlace,
  choleskyInverse,
  solveLowerBlock4InPlace,
  solveLowerInPlace,
  solveUpperTInPlace,
} from "../../../lib/samplers/gp/_linalg.ts";

/** A lower-triangular `n×n` factor with a positive diagonal and four right-hand sides. */
function problem(seed: number, n: number): { chol: Float64Array; v: Float64Array } {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const chol = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) chol[i * n + j] = u() - 0.5;
    chol[i * n + i] = 0.5 + u();
  }
  return { chol, v: Float64Array.from({ length: 4 * n }, () => u() * 2 - 1) };
}

Deno.test("gp simd: WebAssembly SIMD is available here (else the sampler takes the plain loop)", () => {
  assert.ok(block4Kernel(8) !== undefined);
  assert.ok(gramKernel(8) !== undefined);
  assert.ok(upperKernel(8) !== undefined);
});

Deno.test("gp simd: beyond 1 GiB of buffers the kernels decline (the plain loops run)", () => {
  assert.equal(gramKernel(6000), undefined);
  assert.ok(gramKernel(5000) !== undefined);
});

Deno.test("gp simd: the block solve in SIMD equals the plain solve bit for bit", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 140 }), fc.integer(), (n, seed) => {
    const { chol, v } = problem(seed, n);
    const invDiag = Float64Array.from({ length: n }, (_, i) => 1 / chol[i * n + i]!);
    const kernel = block4Kernel(n)!;
    kernel.chol.set(chol);
    kernel.invDiag.set(invDiag);
    // twice: the buffers are reused between blocks of points
    for (let rep = 0; rep < 2; rep++) {
      const rhs = rep === 0 ? v : v.map((x) => x * 3 - 1);
      kernel.v.set(rhs);
      const plain = solveLowerBlock4InPlace(chol, n, invDiag, rhs);
      const simd = solveLowerBlock4InPlace(kernel.chol, n, kernel.invDiag, kernel.v, kernel.solve);
      assert.ok(plain.every((q, p) => Object.is(q, simd[p])), `norms, n = ${n}`);
      assert.ok(rhs.every((x, k) => Object.is(x, kernel.v[k])), `solutions, n = ${n}`);
    }
  }));
});

Deno.test("gp simd: the inverse with the SIMD blocks equals the plain inverse bit for bit", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 140 }), fc.integer(), (n, seed) => {
    const { chol } = problem(seed, n);
    const plain = choleskyInverse(chol, n);
    const kernel = gramKernel(n)!;
    // twice: the buffers are reused between evaluations of a fit
    for (let rep = 0; rep < 2; rep++) {
      kernel.out.fill(NaN);
      kernel.chol.set(chol);
      const simd = choleskyInverse(kernel.chol, n, kernel.out, kernel.u, kernel);
      assert.ok(plain.every((x, k) => Object.is(x, simd[k])), `n = ${n}`);
    }
  }));
});

Deno.test("gp simd: the triangular solves in SIMD equal the plain solves bit for bit", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 140 }), fc.integer(), (n, seed) => {
    const { chol, v } = problem(seed, n);
    const kernel = upperKernel(n)!;
    kernel.chol.set(chol);
    for (let rep = 0; rep < 2; rep++) {
      const b = v.slice(rep * n, rep * n + n);
      kernel.b.set(b);
      solveLowerInPlace(chol, n, b);
      kernel.lower();
      assert.ok(b.every((x, k) => Object.is(x, kernel.b[k])), `L, n = ${n}`);
      solveUpperTInPlace(chol, n, b);
      kernel.upperT();
      assert.ok(b.every((x, k) => Object.is(x, kernel.b[k])), `Lᵀ, n = ${n}`);
    }
  }));
});

Deno.test("gp simd: the Cholesky factor with the SIMD rows equals the plain factor bit for bit", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 140 }), fc.integer(), (n, seed) => {
    const { chol: l } = problem(seed, n);
    const a = new Float64Array(n * n); // L·Lᵀ, positive definite
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += l[i * n + k]! * l[j * n + k]!;
        a[i * n + j] = a[j * n + i] = s;
      }
    }
    const plain = Float64Array.from(a);
    assert.ok(choleskyInPlace(plain, n));
    const kernel = gramKernel(n)!;
    for (let rep = 0; rep < 2; rep++) {
      kernel.chol.set(a);
      assert.ok(choleskyInPlace(kernel.chol, n, kernel.rows));
      assert.ok(plain.every((x, k) => Object.is(x, kernel.chol[k])), `n = ${n}`);
    }
  }));
});
