/**
 * The numerical crossovers of Optuna 5.0's NSGA-II (uniform, BLX-α, SBX, vSBX, UNDX, SPX) and its
 * polynomial mutation, on parameters in Optuna's transformed space (log for log domains, the
 * half-step-widened range for stepped ones). Pure functions of the parents and a {@link Draws}
 * source, drawing in the order Optuna's NumPy code draws, so recorded NumPy draws reproduce
 * Optuna's children exactly. Private to `lib/samplers/nsga/`.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A source of random numbers: uniforms on [0, 1) and standard normals. */
export interface Draws {
  /** A uniform draw on [0, 1) (NumPy's `rng.rand()`). */
  readonly uniform: () => number;
  /** A standard normal draw (NumPy's `rng.standard_normal()`). */
  readonly normal: () => number;
}

/** A crossover and its parameters, decoded (`null`: Optuna's default for that parameter). */
export type CrossoverSpec =
  | { readonly name: "uniform" }
  | { readonly name: "blxalpha"; readonly alpha: number }
  | {
    readonly name: "sbx" | "vsbx";
    readonly eta: number | null;
    readonly uniformCrossoverProb: number;
    readonly useChildGeneProb: number;
  }
  | { readonly name: "undx"; readonly sigmaXi: number; readonly sigmaEta: number | null }
  | { readonly name: "spx"; readonly epsilon: number | null };

/** What a crossover needs besides the parents. */
export interface CrossoverEnv {
  /** Per parameter: [low, high] of the transformed space. */
  readonly bounds: ReadonlyArray<readonly [number, number]>;
  /** The study has several objectives (SBX's and vSBX's default `eta`: 20, else 2). */
  readonly multiObjective: boolean;
  /** The swapping probability of the uniform crossover. */
  readonly swappingProb: number;
}

type Vec = ReadonlyArray<number>;

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** How many parents a crossover takes (UNDX and SPX: 3, the others: 2). */
export function nParents(spec: CrossoverSpec): number {
  return spec.name === "undx" || spec.name === "spx" ? 3 : 2;
}

// -------------------------------------------------------------------------------------
// crossovers
// -------------------------------------------------------------------------------------

/** One child of `parents` (rows: parents, columns: transformed parameters). */
export function crossover(
  spec: CrossoverSpec,
  parents: ReadonlyArray<Vec>,
  draws: Draws,
  env: CrossoverEnv,
): number[] {
  switch (spec.name) {
    case "uniform":
      return uniformCrossover(parents, draws, env.swappingProb);
    case "blxalpha":
      return blxAlpha(parents, draws, spec.alpha);
    case "sbx":
      return sbx(parents, draws, env, spec);
    case "vsbx":
      return vsbx(parents, draws, env, spec);
    case "undx":
      return undx(parents, draws, spec);
    case "spx":
      return spx(parents, draws, spec.epsilon);
  }
}

/** Each parameter from parent 0, or from parent 1 with probability `1 - swappingProb`. */
export function uniformCrossover(
  parents: ReadonlyArray<Vec>,
  draws: Draws,
  swap: number,
): number[] {
  const n = parents[0]!.length;
  const masks = Array.from({ length: n }, () => draws.uniform() >= swap ? 1 : 0);
  return masks.map((m, i) => parents[m]![i]!);
}

/** BLX-α: uniform in the parents' box widened by `alpha` times its width on each side. */
function blxAlpha(parents: ReadonlyArray<Vec>, draws: Draws, alpha: number): number[] {
  const n = parents[0]!.length;
  const out = new Array<number>(n);
  const lo = colMin(parents), hi = colMax(parents);
  for (let i = 0; i < n; i++) {
    const diff = alpha * (hi[i]! - lo[i]!);
    const low = lo[i]! - diff, high = hi[i]! + diff;
    out[i] = (high - low) * draws.uniform() + low;
  }
  return out;
}

/** SBX with Optuna's box-respecting spread factors (alpha1, alpha2). */
function sbx(
  parents: ReadonlyArray<Vec>,
  draws: Draws,
  env: CrossoverEnv,
  spec: { readonly eta: number | null } & SbxProbs,
): number[] {
  const eta = spec.eta ?? (env.multiObjective ? 20 : 2);
  const n = parents[0]!.length;
  const lo = colMin(parents), hi = colMax(parents);
  const us = Array.from({ length: n }, () => draws.uniform());
  const c1 = new Array<number>(n), c2 = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const diff = Math.max(hi[i]! - lo[i]!, 1e-10);
    const beta1 = 1 + 2 * (lo[i]! - env.bounds[i]![0]) / diff;
    const beta2 = 1 + 2 * (env.bounds[i]![1] - hi[i]!) / diff;
    const alpha1 = 2 - Math.pow(beta1, -(eta + 1));
    const alpha2 = 2 - Math.pow(beta2, -(eta + 1));
    const q1 = betaQ(us[i]!, alpha1, eta), q2 = betaQ(us[i]!, alpha2, eta);
    c1[i] = 0.5 * ((lo[i]! + hi[i]!) - q1 * diff);
    c2[i] = 0.5 * ((lo[i]! + hi[i]!) + q2 * diff);
  }
  return mixChildren(c1, c2, parents, draws, spec);
}

/** SBX's Equation (3). */
function betaQ(u: number, alpha: number, eta: number): number {
  return u > 1 / alpha
    ? Math.pow(1 / (2 - u * alpha), 1 / (eta + 1))
    : Math.pow(u * alpha, 1 / (eta + 1));
}

/** vSBX (Ballester and Carter). */
function vsbx(
  parents: ReadonlyArray<Vec>,
  draws: Draws,
  env: CrossoverEnv,
  spec: { readonly eta: number | null } & SbxProbs,
): number[] {
  const eta = spec.eta ?? (env.multiObjective ? 20 : 2);
  const n = parents[0]!.length;
  const [x1, x2] = [parents[0]!, parents[1]!];
  const us = Array.from({ length: n }, () => draws.uniform());
  const b1 = us.map((u) => Math.pow(1 / Math.max(2 * u, 1e-10), 1 / (eta + 1)));
  const b2 = us.map((u) => Math.pow(1 / Math.max(2 * (1 - u), 1e-10), 1 / (eta + 1)));
  const u1 = draws.uniform();
  const c1 = x1.map((_, i) =>
    u1 <= 0.5
      ? 0.5 * ((1 + b1[i]!) * x1[i]! + (1 - b2[i]!) * x2[i]!)
      : 0.5 * ((1 - b1[i]!) * x1[i]! + (1 + b2[i]!) * x2[i]!)
  );
  const u2 = draws.uniform();
  const c2 = x1.map((_, i) =>
    u2 <= 0.5
      ? 0.5 * ((3 - b1[i]!) * x1[i]! - (1 - b2[i]!) * x2[i]!)
      : 0.5 * (-(1 - b1[i]!) * x1[i]! + (3 - b2[i]!) * x2[i]!)
  );
  return mixChildren(c1, c2, parents, draws, spec);
}

interface SbxProbs {
  readonly uniformCrossoverProb: number;
  readonly useChildGeneProb: number;
}

/** Optuna's one-child reduction of SBX/vSBX's two children. */
function mixChildren(
  c1: Vec,
  c2: Vec,
  parents: ReadonlyArray<Vec>,
  draws: Draws,
  p: SbxProbs,
): number[] {
  const n = c1.length;
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < n; i++) {
    const [u, v] = draws.uniform() < p.useChildGeneProb
      ? [c1[i]!, c2[i]!]
      : [parents[0]![i]!, parents[1]![i]!];
    if (draws.uniform() >= p.uniformCrossoverProb) {
      a.push(u);
      b.push(v);
    } else {
      a.push(v);
      b.push(u);
    }
  }
  return draws.uniform() < 0.5 ? a : b;
}

/** UNDX (Kita, Ono and Kobayashi). */
function undx(
  parents: ReadonlyArray<Vec>,
  draws: Draws,
  spec: { readonly sigmaXi: number; readonly sigmaEta: number | null },
): number[] {
  const [x1, x2, x3] = [parents[0]!, parents[1]!, parents[2]!];
  const n = x1.length;
  const xp = x1.map((v, i) => (v + x2[i]!) / 2);
  const d = x1.map((v, i) => v - x2[i]!);
  const sigmaEta = spec.sigmaEta ?? 0.35 / Math.sqrt(n);
  // NumPy's rng.normal(0, s², size) is s² · standard_normal(size), in that order
  const etas = Array.from({ length: n }, () => sigmaEta ** 2 * draws.normal());
  const xi = spec.sigmaXi ** 2 * draws.normal();
  const child = xp.map((v, i) => v + xi * d[i]!);
  if (n === 1) return child;
  const e12 = normalizedX1ToX2(x1, x2);
  const es = orthonormalBasisToPsl(e12);
  const v13 = x3.map((v, i) => v - x1[i]!);
  const dot13 = dot(v13, e12);
  const dist = norm(v13.map((v, i) => v - dot13 * e12[i]!));
  for (let i = 0; i < n - 1; i++) {
    for (let j = 0; j < n; j++) child[j] = child[j]! + dist * etas[i]! * es[i]![j]!;
  }
  return child;
}

function normalizedX1ToX2(x1: Vec, x2: Vec): number[] {
  const v = x2.map((x, i) => x - x1[i]!);
  const m = Math.max(norm(v), 1e-10);
  return v.map((x) => x / m);
}

/**
 * The rows 1… of `Qᵀ` where `Q R` is NumPy's (LAPACK's Householder) QR of the matrix whose
 * first column is `e12` (when non-zero) and whose other columns are the unit vectors.
 */
function orthonormalBasisToPsl(e12: Vec): number[][] {
  const n = e12.length;
  const a: number[][] = Array.from(
    { length: n },
    (_, i) => Array.from({ length: n }, (_, j) => i === j ? 1 : 0),
  );
  if (e12.some((v) => v !== 0)) { for (let i = 0; i < n; i++) a[i]![0] = e12[i]!; }
  const q = householderQ(a);
  return Array.from({ length: n - 1 }, (_, r) => q.map((row) => row[r + 1]!));
}

/** The orthogonal factor `Q` of a square matrix, by LAPACK's `dgeqrf`/`dorgqr` conventions. */
export function householderQ(a0: ReadonlyArray<Vec>): number[][] {
  const n = a0.length;
  const a = a0.map((r) => [...r]);
  const vs: number[][] = [], taus: number[] = [];
  for (let k = 0; k < n; k++) {
    const alpha = a[k]![k]!;
    let xnorm = 0;
    for (let i = k + 1; i < n; i++) xnorm = Math.hypot(xnorm, a[i]![k]!);
    const v = new Array<number>(n).fill(0);
    v[k] = 1;
    if (xnorm === 0) {
      vs.push(v);
      taus.push(0);
      continue;
    }
    const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
    const tau = (beta - alpha) / beta;
    for (let i = k + 1; i < n; i++) v[i] = a[i]![k]! / (alpha - beta);
    applyReflector(a, v, tau, k);
    vs.push(v);
    taus.push(tau);
  }
  const q = Array.from(
    { length: n },
    (_, i) => Array.from({ length: n }, (_, j) => i === j ? 1 : 0),
  );
  for (let k = n - 1; k >= 0; k--) applyReflector(q, vs[k]!, taus[k]!, 0);
  return q;
}

/** `a ← (I - tau v vᵀ) a` on columns `from…`. */
function applyReflector(a: number[][], v: Vec, tau: number, from: number): void {
  if (tau === 0) return;
  const n = a.length;
  for (let j = from; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i]! * a[i]![j]!;
    s *= tau;
    for (let i = 0; i < n; i++) a[i]![j] = a[i]![j]! - s * v[i]!;
  }
}

/** SPX (Tsutsui, Goldberg and Sastry): uniform in the parents' simplex expanded by `epsilon`. */
function spx(parents: ReadonlyArray<Vec>, draws: Draws, epsilon: number | null): number[] {
  const k = parents.length, n = parents[0]!.length;
  const g = new Array<number>(n).fill(0);
  for (const p of parents) for (let i = 0; i < n; i++) g[i] = g[i]! + p[i]! / k;
  const rs = Array.from({ length: k - 1 }, (_, i) => Math.pow(draws.uniform(), 1 / (i + 1)));
  const eps = epsilon ?? Math.sqrt(n + 2);
  const xs = parents.map((p) => p.map((v, i) => g[i]! + eps * (v - g[i]!)));
  let c = new Array<number>(n).fill(0);
  for (let j = 1; j < k; j++) {
    c = c.map((cv, i) => rs[j - 1]! * (xs[j - 1]![i]! - xs[j]![i]! + cv));
  }
  return xs[k - 1]!.map((v, i) => v + c[i]!);
}

// -------------------------------------------------------------------------------------
// mutation
// -------------------------------------------------------------------------------------

/** Optuna's polynomial mutation (NSGA-II C code, rev. 1.1.6) of `x` in `[lb, ub]`, clipped. */
export function polynomialMutation(
  x: number,
  lb: number,
  ub: number,
  eta: number,
  u: number,
): number {
  const width = ub - lb;
  if (width <= 0) return Math.min(Math.max(x, lb), ub);
  const power = 1 / (eta + 1);
  let deltaQ: number;
  if (u <= 0.5) {
    const xy = 1 - (x - lb) / width;
    deltaQ = Math.pow(2 * u + (1 - 2 * u) * Math.pow(xy, eta + 1), power) - 1;
  } else {
    const xy = 1 - (ub - x) / width;
    deltaQ = 1 - Math.pow(2 * (1 - u) + 2 * (u - 0.5) * Math.pow(xy, eta + 1), power);
  }
  return Math.min(Math.max(x + deltaQ * width, lb), ub);
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

function colMin(rows: ReadonlyArray<Vec>): number[] {
  return rows[0]!.map((_, i) => Math.min(...rows.map((r) => r[i]!)));
}

function colMax(rows: ReadonlyArray<Vec>): number[] {
  return rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!)));
}

function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Vec): number {
  return Math.sqrt(dot(a, a));
}
