/**
 * The numerics pruners need, written to give the same floating-point results as the NumPy and
 * SciPy routines Optuna 5.0 calls: NumPy's pairwise summation, `nanmin`/`nanmax`,
 * `nanpercentile` (linear method), SciPy's normal CDF (`special.ndtr`) and the Wilcoxon
 * signed-rank test p-value (`stats.wilcoxon` with `zero_method="zsplit"`, `method="auto"`), and
 * zlib's CRC-32 (Python's `binascii.crc32`). Private: not exported from `mod.ts`.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The alternative hypothesis of a one-sided test on the differences `d`.
 *
 * @category model
 */
export type Alternative = "less" | "greater";

// -------------------------------------------------------------------------------------
// utils: NumPy
// -------------------------------------------------------------------------------------

/**
 * Sum with NumPy's pairwise algorithm (`np.sum` of a contiguous float64 array): blocks of up to
 * 128 values are summed with eight interleaved accumulators, longer ranges are split in two.
 *
 * @category utils
 */
export function pairwiseSum(values: ReadonlyArray<number>, from = 0, to = values.length): number {
  const n = to - from;
  if (n < 8) {
    let res = 0;
    for (let i = from; i < to; i++) res += values[i] as number;
    return res;
  }
  if (n <= 128) {
    const r = values.slice(from, from + 8) as number[];
    let i = 8;
    const whole = n - (n % 8);
    for (; i < whole; i += 8) {
      for (let j = 0; j < 8; j++) r[j] = (r[j] as number) + (values[from + i + j] as number);
    }
    let res = (((r[0] as number) + (r[1] as number)) + ((r[2] as number) + (r[3] as number))) +
      (((r[4] as number) + (r[5] as number)) + ((r[6] as number) + (r[7] as number)));
    for (; i < n; i++) res += values[from + i] as number;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(values, from, from + n2) + pairwiseSum(values, from + n2, to);
}

/**
 * `np.nanmin`: the smallest non-NaN value, NaN when there is none.
 *
 * @category utils
 */
export function nanMin(values: ReadonlyArray<number>): number {
  let out = NaN;
  for (const v of values) if (!Number.isNaN(v) && !(v >= out)) out = v;
  return out;
}

/**
 * `np.nanmax`: the largest non-NaN value, NaN when there is none.
 *
 * @category utils
 */
export function nanMax(values: ReadonlyArray<number>): number {
  let out = NaN;
  for (const v of values) if (!Number.isNaN(v) && !(v <= out)) out = v;
  return out;
}

/**
 * `np.nanpercentile(values, q)` with the default linear method, including NumPy's handling of
 * infinities (an interpolation that touches an infinity can give NaN) and of the top index.
 *
 * @category utils
 */
export function nanPercentile(values: ReadonlyArray<number>, q: number): number {
  const arr = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const n = arr.length;
  if (n === 0) return NaN;
  const vi = (n - 1) * (q / 100);
  let prev = Math.floor(vi);
  let next = prev + 1;
  if (vi >= n - 1) {
    prev = -1;
    next = -1;
  } else if (vi < 0) {
    prev = 0;
    next = 0;
  }
  const a = arr[prev < 0 ? n + prev : prev] as number;
  const b = arr[next < 0 ? n + next : next] as number;
  const gamma = vi - prev;
  return lerp(a, b, gamma);
}

function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

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

function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf(-x);
  if (Math.abs(x) > 1) return 1 - erfc(x);
  const z = x * x;
  return x * polevl(z, ERF_T) / p1evl(z, ERF_U);
}

function erfc(a: number): number {
  if (Number.isNaN(a)) return NaN;
  const x = Math.abs(a);
  if (x < 1) return 1 - erf(a);
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
export function ndtr(a: number): number {
  if (Number.isNaN(a)) return NaN;
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}

// -------------------------------------------------------------------------------------
// utils: Wilcoxon signed-rank test (SciPy's `stats.wilcoxon`, zero_method="zsplit")
// -------------------------------------------------------------------------------------

interface Ranked {
  /** Average ranks of |d|, in input order. */
  readonly ranks: ReadonlyArray<number>;
  /** Sizes of the groups of equal |d| (every group, singletons included). */
  readonly groups: ReadonlyArray<number>;
}

function rankAbs(d: ReadonlyArray<number>): Ranked {
  const n = d.length;
  const abs = d.map(Math.abs);
  const order = abs.map((_, i) => i).sort((i, j) =>
    (abs[i] as number) - (abs[j] as number) || i - j
  );
  const ranks = new Array<number>(n).fill(0);
  const groups: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && abs[order[j] as number] === abs[order[i] as number]) j++;
    const count = j - i;
    const rank = (i + 1) + (count - 1) / 2;
    for (let k = i; k < j; k++) ranks[order[k] as number] = rank;
    groups.push(count);
    i = j;
  }
  return { ranks, groups };
}

/** SciPy's `_wilcoxon_statistic` r_plus with zero_method="zsplit". */
function rPlusZsplit(d: ReadonlyArray<number>, ranks: ReadonlyArray<number>): number {
  const pos = d.map((x, i) => x > 0 ? ranks[i] as number : 0);
  const zero = d.map((x, i) => x === 0 ? ranks[i] as number : 0);
  return pairwiseSum(pos) + pairwiseSum(zero) / 2;
}

/** SciPy's `_get_wilcoxon_distr(n)`: the exact null pmf of r_plus, r = 0 … n(n+1)/2. */
function wilcoxonPmf(n: number): ReadonlyArray<number> {
  let c: number[] = [1];
  for (let k = 1; k <= n; k++) {
    const prev = c;
    c = new Array<number>((k * (k + 1)) / 2 + 1).fill(0);
    const m = prev.length;
    for (let i = 0; i < m; i++) c[i] = (prev[i] as number) * 0.5;
    for (let i = 0; i < m; i++) {
      const at = c.length - m + i;
      c[at] = (c[at] as number) + (prev[i] as number) * 0.5;
    }
  }
  return c;
}

function exactPValue(n: number, rPlus: number, alternative: Alternative): number {
  const pmf = wilcoxonPmf(n);
  const mean = n * (n + 1) / 4;
  // SciPy sums whichever tail lies below the mean and complements the other one.
  const rawSf = (k: number): number => pairwiseSum(pmf, Math.min(k, pmf.length), pmf.length);
  const rawCdf = (k: number): number => pairwiseSum(pmf, 0, Math.min(k + 1, pmf.length));
  if (alternative === "less") {
    const k = Math.ceil(rPlus);
    return k <= mean ? rawCdf(k) : 1 - rawSf(k + 1);
  }
  const k = Math.floor(rPlus);
  return k <= mean ? rawSf(k) : 1 - rawCdf(k - 1);
}

function permutationPValue(
  d: ReadonlyArray<number>,
  ranks: ReadonlyArray<number>,
  observed: number,
  alternative: Alternative,
): number {
  const n = d.length;
  const zeroHalf = pairwiseSum(d.map((x, i) => x === 0 ? ranks[i] as number : 0)) / 2;
  const nonzero: number[] = [];
  for (let i = 0; i < n; i++) if (d[i] !== 0) nonzero.push(ranks[i] as number);
  const gamma = Math.abs(Number.EPSILON * 100 * observed);
  const total = 2 ** n;
  // Every sign pattern of the n observations; zeros keep their half rank either way, so the
  // 2^(n - zeros) patterns of the non-zero ones each appear 2^zeros times.
  const repeat = 2 ** (n - nonzero.length);
  let count = 0;
  const m = nonzero.length;
  for (let mask = 0; mask < 2 ** m; mask++) {
    let s = 0;
    for (let i = 0; i < m; i++) if (mask & (1 << i)) s += nonzero[i] as number;
    const stat = s + zeroHalf;
    const hit = alternative === "greater" ? stat >= observed - gamma : stat <= observed + gamma;
    if (hit) count += repeat;
  }
  return count / total;
}

/**
 * The one-sided p-value of the Wilcoxon signed-rank test on the paired differences `d`, as
 * `scipy.stats.wilcoxon(d, alternative=..., zero_method="zsplit").pvalue` (SciPy 1.17,
 * `method="auto"`): the exact null distribution when n ≤ 50 and there are neither ties nor
 * zeros; an exact enumeration of all 2^n sign flips (SciPy's permutation test) when n ≤ 13 with
 * ties or zeros; otherwise the normal approximation with the tie correction and no continuity
 * correction. `d` must hold finite numbers; an empty `d` gives NaN.
 *
 * @category utils
 */
export function wilcoxonSignedRankPValue(
  d: ReadonlyArray<number>,
  alternative: Alternative,
): number {
  const n = d.length;
  if (n === 0) return NaN;
  const { ranks, groups } = rankAbs(d);
  const rPlus = rPlusZsplit(d, ranks);
  const hasTies = groups.some((g) => g > 1);
  const nZero = d.filter((x) => x === 0).length;
  let method: "exact" | "permutation" | "asymptotic";
  if (n > 50) method = "asymptotic";
  else if (!(hasTies || nZero > 0)) method = "exact";
  else if (n <= 13) method = "permutation";
  else method = "asymptotic";
  if (method === "exact") return exactPValue(n, rPlus, alternative);
  if (method === "permutation") return permutationPValue(d, ranks, rPlus, alternative);
  const mn = n * (n + 1) * 0.25;
  let se = n * (n + 1) * (2 * n + 1);
  const tieCorrect = pairwiseSum(groups.map((t) => t ** 3 - t));
  se = Math.sqrt((se - tieCorrect / 2) / 24);
  const z = (rPlus - mn) / se;
  return alternative === "greater" ? ndtr(-z) : ndtr(z);
}

// -------------------------------------------------------------------------------------
// utils: CRC-32
// -------------------------------------------------------------------------------------

const CRC_TABLE: ReadonlyArray<number> = (() => {
  const table = new Array<number>(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

const UTF8 = new TextEncoder();

/**
 * CRC-32 (zlib, IEEE polynomial) of a string's UTF-8 bytes, as Python's
 * `binascii.crc32(s.encode())`: an unsigned 32-bit integer.
 *
 * @category utils
 */
export function crc32(text: string): number {
  return crc32Finish(crc32Start(text));
}

/**
 * The running CRC-32 register after `text`'s UTF-8 bytes (continue with
 * {@link crc32ContinueAscii}, finish with {@link crc32Finish}).
 *
 * @category utils
 */
export function crc32Start(text: string): number {
  let c = 0xffffffff;
  for (const byte of UTF8.encode(text)) {
    c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  }
  return c;
}

/**
 * Continues a running CRC-32 register with ASCII text (one byte per character).
 *
 * @category utils
 */
export function crc32ContinueAscii(register: number, ascii: string): number {
  let c = register;
  for (let i = 0; i < ascii.length; i++) {
    c = (CRC_TABLE[(c ^ ascii.charCodeAt(i)) & 0xff] as number) ^ (c >>> 8);
  }
  return c;
}

/**
 * The CRC-32 value of a running register.
 *
 * @category utils
 */
export function crc32Finish(register: number): number {
  return (register ^ 0xffffffff) >>> 0;
}
