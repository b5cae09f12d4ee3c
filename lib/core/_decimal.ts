/**
 * Exact decimal arithmetic for step grids: Optuna computes a distribution's last grid point
 * and its `single()` check with Python's `Decimal` on `str(x)`; these do the same on the
 * shortest decimal form of a JavaScript number, with `bigint`s.
 *
 * @module
 */

interface Dec {
  readonly m: bigint;
  readonly e: number; // value = m * 10^e
}

function toDec(x: number): Dec {
  const s = String(x);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(s);
  if (!match) return { m: 0n, e: 0 };
  const [, sign, int = "", frac = "", exp = "0"] = match;
  const m = BigInt(`${sign}${int}${frac}`);
  return { m, e: Number(exp) - frac.length };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e), e];
}

function decToNumber(m: bigint, e: number): number {
  return Number(`${m}e${e}`);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/**
 * The largest `low + k·step` not above `high`, in exact decimal arithmetic. */
export function adjustHigh(low: number, high: number, step: number): number {
  const L = toDec(low), S = toDec(step);
  const [hm, lm, e1] = align(toDec(high), L);
  const [rm, sm] = align({ m: hm - lm, e: e1 }, S);
  const k = floorDiv(rm, sm);
  const [lm2, sm2, e2] = align(L, S);
  return decToNumber(lm2 + k * sm2, e2);
}

/** `high - low < step` for the float single() check, in decimal arithmetic as Optuna does. */
export function decimalRangeBelowStep(low: number, high: number, step: number): boolean {
  const [hm, lm, e] = align(toDec(high), toDec(low));
  const [a, b] = align({ m: hm - lm, e }, toDec(step));
  return a < b;
}
