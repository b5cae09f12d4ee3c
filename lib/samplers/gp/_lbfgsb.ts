/**
 * A bounded limited-memory quasi-Newton minimiser (private): projected L-BFGS with an active
 * set, in the role of SciPy's `fmin_l_bfgs_b` for the GP (fitting the kernel, unbounded; and
 * the gradient steps of the acquisition search, in a box). Same stopping rules as SciPy's:
 * the projected gradient's largest entry at most `pgtol`, or a relative reduction of `f` at
 * most `factr·ε`, or `maxIter` iterations. The acquisition search uses projected
 * backtracking (Armijo) steps; the kernel fit (unbounded) runs SciPy's own iteration with the
 * Moré–Thuente line search (`lineSearch: "moreThuente"`, `_dcsrch.ts`), so that from the
 * same start it takes SciPy's steps and stops where Optuna's fit stops.
 *
 * @module
 */
import { dcsrchStart, dcsrchStep, LBFGSB_SEARCH } from "./_dcsrch.ts";

/** `f(x)`, writing `∇f(x)` into `grad`. */
export type ValueAndGrad = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link minimize}. */
export interface MinimizeOptions {
  /** Lower bounds (`-Infinity`: none). @default {undefined} (unbounded) */
  readonly lower?: Float64Array | undefined;
  /** Upper bounds (`Infinity`: none). @default {undefined} (unbounded) */
  readonly upper?: Float64Array | undefined;
  /** Memory (pairs kept). @default {10} */
  readonly m?: number;
  /** Relative reduction tolerance, in units of the machine epsilon. @default {1e7} */
  readonly factr?: number;
  /** Projected-gradient tolerance. @default {1e-5} */
  readonly pgtol?: number;
  /** Iteration limit. @default {15000} */
  readonly maxIter?: number;
  /** Function evaluation limit. @default {15000} */
  readonly maxEval?: number;
  /** Line-search steps per iteration. @default {20} */
  readonly maxLineSearch?: number;
  /**
   * The line search: projected backtracking with the Armijo condition, or SciPy's Moré–Thuente
   * search (strong Wolfe conditions, as `fmin_l_bfgs_b`; unbounded problems only).
   * @default {"backtracking"}
   */
  readonly lineSearch?: "backtracking" | "moreThuente";
  /**
   * With `"moreThuente"`: the diagonal of the initial inverse Hessian (all positive), in place
   * of SciPy's `γI`, and a first step of 1 instead of `1/‖d‖` (a warm start with the curvature
   * a similar problem ended with, {@link MinimizeResult.curvature}).
   * @default {undefined}
   */
  readonly initialCurvature?: Float64Array | undefined;
}

/** The result of {@link minimize}. */
export interface MinimizeResult {
  /** The best point found. */
  readonly x: Float64Array;
  /** `f(x)`. */
  readonly f: number;
  /** Accepted iterations. */
  readonly nIter: number;
  /** False when the line search failed from steepest descent (SciPy's ABNORMAL). */
  readonly success: boolean;
  /**
   * With `"moreThuente"`: the diagonal of the final inverse Hessian approximation (undefined
   * when the memory is empty).
   */
  readonly curvature?: Float64Array;
}

const EPS = 2.220446049250313e-16;

/** `x` clipped into the box. */
function project(
  x: Float64Array,
  lo: Float64Array | undefined,
  hi: Float64Array | undefined,
): void {
  if (!lo || !hi) return;
  for (let i = 0; i < x.length; i++) x[i] = Math.min(Math.max(x[i]!, lo[i]!), hi[i]!);
}

/** The largest entry of the projected gradient `|P(x − g) − x|`. */
function projectedGradNorm(
  x: Float64Array,
  g: Float64Array,
  lo: Float64Array | undefined,
  hi: Float64Array | undefined,
): number {
  let out = 0;
  for (let i = 0; i < x.length; i++) {
    let v = x[i]! - g[i]!;
    if (lo && hi) v = Math.min(Math.max(v, lo[i]!), hi[i]!);
    out = Math.max(out, Math.abs(v - x[i]!));
  }
  return out;
}

/** 1 for the coordinates held at a bound (the gradient pushes outwards). */
function activeSet(
  x: Float64Array,
  g: Float64Array,
  lo: Float64Array | undefined,
  hi: Float64Array | undefined,
): Uint8Array {
  const out = new Uint8Array(x.length);
  if (!lo || !hi) return out;
  for (let i = 0; i < x.length; i++) {
    if ((x[i]! <= lo[i]! && g[i]! > 0) || (x[i]! >= hi[i]! && g[i]! < 0)) out[i] = 1;
  }
  return out;
}

/** The L-BFGS memory: pairs (s, y) with ρ = 1/(s·y). */
interface Memory {
  readonly s: Float64Array[];
  readonly y: Float64Array[];
  readonly rho: number[];
}

/** Keeps the pair (s, y) with `1 / sy`, dropping the oldest when `m` pairs are kept. */
function remember(mem: Memory, m: number, s: Float64Array, y: Float64Array, sy: number): void {
  if (mem.s.length === m) {
    mem.s.shift();
    mem.y.shift();
    mem.rho.shift();
  }
  mem.s.push(s);
  mem.y.push(y);
  mem.rho.push(1 / sy);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * The quasi-Newton direction `−H·g` on the free coordinates (two-loop recursion), from the
 * initial inverse Hessian `diag(h0)` when given, else `γI` (`γ = sᵀy/yᵀy` of the last pair).
 */
function direction(
  mem: Memory,
  g: Float64Array,
  active: Uint8Array,
  h0?: Float64Array,
): Float64Array {
  const n = g.length, k = mem.s.length;
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = active[i] ? 0 : g[i]!;
  const alpha = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    alpha[j] = mem.rho[j]! * dot(mem.s[j]!, q);
    const y = mem.y[j]!;
    for (let i = 0; i < n; i++) q[i] = q[i]! - alpha[j]! * y[i]!;
  }
  if (h0) {
    for (let i = 0; i < n; i++) q[i] = q[i]! * h0[i]!;
  } else if (k > 0) {
    const gamma = dot(mem.s[k - 1]!, mem.y[k - 1]!) / dot(mem.y[k - 1]!, mem.y[k - 1]!);
    for (let i = 0; i < n; i++) q[i] = q[i]! * gamma;
  }
  for (let j = 0; j < k; j++) {
    const beta = mem.rho[j]! * dot(mem.y[j]!, q);
    const s = mem.s[j]!;
    for (let i = 0; i < n; i++) q[i] = q[i]! + (alpha[j]! - beta) * s[i]!;
  }
  for (let i = 0; i < n; i++) q[i] = active[i] ? 0 : -q[i]!;
  return q;
}

/** Steepest descent on the free coordinates. */
function steepest(g: Float64Array, active: Uint8Array): Float64Array {
  const d = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) d[i] = active[i] ? 0 : -g[i]!;
  return d;
}

/** One projected backtracking line search (Armijo); undefined when it finds no decrease. */
function lineSearch(
  fg: ValueAndGrad,
  x: Float64Array,
  f: number,
  g: Float64Array,
  d: Float64Array,
  step0: number,
  o: { lo: Float64Array | undefined; hi: Float64Array | undefined; maxLs: number },
): { x: Float64Array; f: number; g: Float64Array; evals: number } | undefined {
  let step = step0;
  const xn = new Float64Array(x.length), gn = new Float64Array(x.length);
  for (let ls = 0; ls < o.maxLs; ls++) {
    for (let i = 0; i < x.length; i++) xn[i] = x[i]! + step * d[i]!;
    project(xn, o.lo, o.hi);
    let decrease = 0;
    for (let i = 0; i < x.length; i++) decrease += g[i]! * (xn[i]! - x[i]!);
    if (decrease >= 0) return undefined;
    const fn = fg(xn, gn);
    if (Number.isFinite(fn) && fn <= f + 1e-4 * decrease) {
      return { x: xn, f: fn, g: gn, evals: ls + 1 };
    }
    step *= Number.isFinite(fn)
      ? Math.max(0.1, Math.min(0.5, -decrease / (2 * (fn - f - decrease))))
      : 0.1;
  }
  return undefined;
}

/** Minimises `fg` from `x0` (see the module's description). */
export function minimize(
  fg: ValueAndGrad,
  x0: Float64Array,
  o: MinimizeOptions = {},
): MinimizeResult {
  if (o.lineSearch === "moreThuente") return minimizeWolfe(fg, x0, o);
  const lo = o.lower, hi = o.upper, m = o.m ?? 10, maxIter = o.maxIter ?? 15000;
  const ftol = (o.factr ?? 1e7) * EPS, pgtol = o.pgtol ?? 1e-5, maxEval = o.maxEval ?? 15000;
  const ls = { lo, hi, maxLs: o.maxLineSearch ?? 20 };
  let x: Float64Array = Float64Array.from(x0);
  project(x, lo, hi);
  let g: Float64Array = new Float64Array(x.length);
  let f = fg(x, g);
  let evals = 1, nIter = 0;
  const mem: Memory = { s: [], y: [], rho: [] };
  while (nIter < maxIter && evals < maxEval) {
    if (projectedGradNorm(x, g, lo, hi) <= pgtol) break;
    const active = activeSet(x, g, lo, hi);
    let d = direction(mem, g, active);
    if (dot(d, g) >= 0) {
      mem.s.length = mem.y.length = mem.rho.length = 0;
      d = steepest(g, active);
    }
    const first = mem.s.length === 0;
    const step0 = first ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    let next = lineSearch(fg, x, f, g, d, step0, ls);
    if (!next && !first) {
      mem.s.length = mem.y.length = mem.rho.length = 0;
      d = steepest(g, active);
      next = lineSearch(fg, x, f, g, d, Math.min(1, 1 / Math.sqrt(dot(d, d))), ls);
    }
    if (!next) return { x, f, nIter, success: false };
    evals += next.evals;
    nIter++;
    const s = new Float64Array(x.length), y = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      s[i] = next.x[i]! - x[i]!;
      y[i] = next.g[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > EPS * dot(y, y)) remember(mem, m, s, y, sy);
    const reduction = (f - next.f) / Math.max(Math.abs(f), Math.abs(next.f), 1);
    x = next.x;
    g = next.g;
    f = next.f;
    if (reduction <= ftol) break;
  }
  return { x, f, nIter, success: true };
}

/** A point of a line search: `x`, `f(x)`, `∇f(x)`. */
interface Step {
  readonly x: Float64Array;
  readonly f: number;
  readonly g: Float64Array;
  readonly evals: number;
}

/**
 * SciPy's line search from `x` along `d` (`gd = ∇f·d < 0`) from step `stp`: the point where
 * the Moré–Thuente search converges (or stops with a warning at a lower value); undefined when
 * it fails (MINPACK's errors, or `maxLs` evaluations without a verdict).
 */
function wolfeSearch(
  fg: ValueAndGrad,
  x: Float64Array,
  f: number,
  d: Float64Array,
  gd: number,
  stp: number,
  maxLs: number,
): Step | undefined {
  const o = { ...LBFGSB_SEARCH, stpmax: BIG_STEP };
  const state = dcsrchStart(stp, f, gd, o);
  if (!state) return undefined;
  const xn = new Float64Array(x.length), gn = new Float64Array(x.length);
  for (let evals = 1; evals <= maxLs; evals++) {
    for (let i = 0; i < x.length; i++) xn[i] = stp * d[i]! + x[i]!;
    const fn = fg(xn, gn);
    if (!Number.isFinite(fn)) {
      // outside the domain (not positive definite): back off towards the best step so far
      stp = state.stx + 0.1 * (stp - state.stx);
      continue;
    }
    const r = dcsrchStep(state, stp, fn, dot(gn, d), o);
    if (r.task === "convergence" || (r.task === "warning" && fn <= f)) {
      return { x: xn, f: fn, g: gn, evals };
    }
    if (r.task !== "fg" || !Number.isFinite(r.stp)) return undefined;
    stp = r.stp;
  }
  return undefined;
}

/** SciPy's largest step of an unbounded search. */
const BIG_STEP = 1e10;

/**
 * Unbounded L-BFGS as SciPy's L-BFGS-B runs it: the first step `1/‖d‖` then 1, Moré–Thuente
 * line searches, the memory dropped and the iteration restarted when a search fails, the
 * update skipped when `sᵀy ≤ ε·(−gᵀs)`.
 */
function minimizeWolfe(fg: ValueAndGrad, x0: Float64Array, o: MinimizeOptions): MinimizeResult {
  const m = o.m ?? 10, maxIter = o.maxIter ?? 15000, maxEval = o.maxEval ?? 15000;
  const ftol = (o.factr ?? 1e7) * EPS, pgtol = o.pgtol ?? 1e-5, maxLs = o.maxLineSearch ?? 20;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(x.length);
  let f = fg(x, g);
  let evals = 1, nIter = 0;
  const mem: Memory = { s: [], y: [], rho: [] };
  const free = new Uint8Array(x.length);
  const reset = () => (mem.s.length = mem.y.length = mem.rho.length = 0);
  const h0 = o.initialCurvature;
  if (!Number.isFinite(f)) return { x, f, nIter, success: false };
  if (projectedGradNorm(x, g, undefined, undefined) <= pgtol) {
    return { x, f, nIter, success: true, ...curvatureOf(mem, free, h0) };
  }
  while (nIter < maxIter && evals < maxEval) {
    const d = direction(mem, g, free, h0);
    const gd = dot(g, d);
    const stp = nIter === 0 && !h0 ? Math.min(1 / Math.sqrt(dot(d, d)), BIG_STEP) : 1;
    const next = gd < 0 ? wolfeSearch(fg, x, f, d, gd, stp, maxLs) : undefined;
    if (!next) {
      if (mem.s.length === 0) return { x, f, nIter, success: false };
      reset();
      continue;
    }
    evals += next.evals;
    nIter++;
    const s = new Float64Array(x.length), y = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      s[i] = next.x[i]! - x[i]!;
      y[i] = next.g[i]! - g[i]!;
    }
    const fold = f, descent = -dot(g, s);
    [x, g, f] = [next.x, next.g, next.f];
    if (projectedGradNorm(x, g, undefined, undefined) <= pgtol) break;
    if (fold - f <= ftol * Math.max(Math.abs(fold), Math.abs(f), 1)) break;
    const sy = dot(s, y);
    if (sy <= EPS * descent) continue;
    remember(mem, m, s, y, sy);
  }
  return { x, f, nIter, success: true, ...curvatureOf(mem, free, h0) };
}

/** The diagonal of the inverse Hessian approximation `H` (`H·eᵢ` for each unit vector `eᵢ`). */
function curvatureOf(
  mem: Memory,
  free: Uint8Array,
  h0: Float64Array | undefined,
): { curvature?: Float64Array } {
  if (mem.s.length === 0) return h0 ? { curvature: h0 } : {};
  const n = free.length, e = new Float64Array(n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    e.fill(0);
    e[i] = 1;
    out[i] = -direction(mem, e, free, h0)[i]!;
  }
  return out.every((v) => v > 0 && Number.isFinite(v)) ? { curvature: out } : {};
}
