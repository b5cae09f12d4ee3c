/**
 * Halton points (private), as scipy's `qmc.Halton`: coordinate `j` of point `k` is the radical
 * inverse of `k` in the `j`-th prime base, its digits summed in scipy's order (unscrambled, the
 * same doubles as scipy's). Scrambled, each digit position of each base is mapped through a
 * random permutation of the digits (Owen's randomised Halton, scipy's structure: as many
 * permutations per base as digits matter in a double); the permutations are drawn from our
 * generator, so scrambled points differ from scipy's for the same seed.
 *
 * @module
 */
import { randomInt, type Rng } from "../../random/rng.ts";

/** The first `d` primes (scipy's `n_primes`). */
export function firstPrimes(d: number): number[] {
  const out: number[] = [];
  for (let c = 2; out.length < d; c++) {
    let prime = true;
    for (const p of out) {
      if (p * p > c) break;
      if (c % p === 0) {
        prime = false;
        break;
      }
    }
    if (prime) out.push(c);
  }
  return out;
}

/** How many digit permutations scipy draws for `base`: those with `base^-k > 2^-54`. */
export function permutationCount(base: number): number {
  return Math.ceil(54 / Math.log2(base)) - 1;
}

/**
 * The digit permutations of every base, dimension after dimension, each a Fisher–Yates shuffle
 * of `0…base-1` (scipy's `_van_der_corput_permutations`, with our generator).
 */
export function haltonPermutations(bases: ReadonlyArray<number>, rng: Rng): number[][][] {
  return bases.map((base) =>
    Array.from({ length: permutationCount(base) }, () => {
      const perm = Array.from({ length: base }, (_, i) => i);
      for (let i = base - 1; i > 0; i--) {
        const j = randomInt(rng, i + 1);
        [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      }
      return perm;
    })
  );
}

/** The radical inverse of `k` in `base` (scipy's `_cy_van_der_corput`). */
export function vanDerCorput(k: number, base: number): number {
  let q = k, b2r = 1 / base, x = 0;
  while (q > 0) {
    const r = q % base;
    x += r * b2r;
    b2r /= base;
    q = Math.floor(q / base);
  }
  return x;
}

/** The scrambled radical inverse (scipy's `_cy_van_der_corput_scrambled`). */
export function vanDerCorputScrambled(
  k: number,
  base: number,
  perms: ReadonlyArray<ReadonlyArray<number>>,
): number {
  let q = k, b2r = 1 / base, x = 0;
  for (const perm of perms) {
    const r = perm[q % base]!;
    x += r * b2r;
    b2r /= base;
    q = Math.floor(q / base);
  }
  return x;
}

/** Point `k` of the Halton sequence in the given bases (scrambled when `perms` is given). */
export function haltonPoint(
  bases: ReadonlyArray<number>,
  perms: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>> | undefined,
  k: number,
): number[] {
  return bases.map((b, j) => perms ? vanDerCorputScrambled(k, b, perms[j]!) : vanDerCorput(k, b));
}
