/**
 * SciPy's normal-distribution special functions as Cephes computes them (`special.erf`,
 * `special.erfc`, `special.ndtr`), bit for bit: the pruners' Wilcoxon p-values must equal
 * SciPy's. They round differently from `./special.ts`'s `erf` (W. J. Cody's), which the
 * samplers' recorded draws depend on; both are kept, each where its results are pinned.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// utils: normal distribution (Cephes, as in SciPy)
// -------------------------------------------------------------------------------------

const ERFC_P = [
  2.46196981473530512524e-10,
  5.64189564831068821977e-1,
  7.46321056442269912687e0,
  4.86371970985681366614e1,
  1.96520832956077098242e2,
  5.26445194995477358631e2,
  9.34528527171957607540e2,
  1.02755188689515710272e3,
  5.57535335369399327526e2,
];
const ERFC_Q = [
  1.32281951154744992508e1,
  8.67072140885989742329e1,
  3.54937778887819891062e2,
  9.75708501743205489753e2,
  1.82390916687909736289e3,
  2.24633760818710981792e3,
  1.65666309194161350182e3,
  5.57535340817727675546e2,
];
const ERFC_R = [
  5.64189583547755073984e-1,
  1.27536670759978104416e0,
  5.01905042251180477414e0,
  6.16021097993053585195e0,
  7.40974269950448939160e0,
  2.97886665372100240670e0,
];
const ERFC_S = [
  2.26052863220117276590e0,
  9.39603524938001434673e0,
  1.20489539808096656605e1,
  1.70814450747565897222e1,
  9.60896809063285878198e0,
  3.36907645100081516050e0,
];
const ERF_T = [
  9.60497373987051638749e0,
  9.00260197203842689217e1,
  2.23200534594684319226e3,
  7.00332514112805075473e3,
  5.55923013010394962768e4,
];
const ERF_U = [
  3.35617141647503099647e1,
  5.21357949780152679795e2,
  4.59432382970980127987e3,
  2.26290000613890934246e4,
  4.92673942608635921086e4,
];
const MAXLOG = 7.09782712893383996843e2;

/** Horner evaluation with the leading coefficient first. */
function polevl(x: number, coef: ReadonlyArray<number>): number {
  let ans = coef[0] as number;
  for (let i = 1; i < coef.length; i++) ans = ans * x + (coef[i] as number);
  return ans;
}

/** As {@link polevl} with an implicit leading coefficient 1. */
function p1evl(x: number, coef: ReadonlyArray<number>): number {
  let ans = x + (coef[0] as number);
  for (let i = 1; i < coef.length; i++) ans = ans * x + (coef[i] as number);
  return ans;
}

/** SciPy's `special.erf` (Cephes). */
export function erfCephes(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erfCephes(-x);
  if (Math.abs(x) > 1) return 1 - erfcCephes(x);
  const z = x * x;
  return x * polevl(z, ERF_T) / p1evl(z, ERF_U);
}

/** SciPy's `special.erfc` (Cephes). */
export function erfcCephes(a: number): number {
  if (Number.isNaN(a)) return NaN;
  const x = Math.abs(a);
  if (x < 1) return 1 - erfCephes(a);
  let z = -a * a;
  if (z < -MAXLOG) return a < 0 ? 2 : 0;
  z = Math.exp(z);
  const p = x < 8 ? polevl(x, ERFC_P) : polevl(x, ERFC_R);
  const q = x < 8 ? p1evl(x, ERFC_Q) : p1evl(x, ERFC_S);
  let y = (z * p) / q;
  if (a < 0) y = 2 - y;
  if (y !== 0) return y;
  return a < 0 ? 2 : 0;
}

/**
 * The standard normal CDF, SciPy's `special.ndtr` (Cephes).
 *
 * @category utils
 */
export function ndtrCephes(a: number): number {
  if (Number.isNaN(a)) return NaN;
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erfCephes(x);
  const y = 0.5 * erfcCephes(z);
  return x > 0 ? 1 - y : y;
}
