/**
 * The Moré–Thuente line search of MINPACK-2 (`dcsrch` and `dcstep`, private), the one SciPy's
 * L-BFGS-B runs (`ftol` 1e-3, `gtol` 0.9, `xtol` 0.1): a step satisfying the sufficient
 * decrease `f(stp) ≤ f(0) + ftol·stp·f'(0)` and the curvature condition
 * `|f'(stp)| ≤ gtol·|f'(0)|`, found by safeguarded cubic and quadratic interpolation in an
 * interval that brackets a minimiser once it is known.
 *
 * @module
 */

/** What the search asks next: evaluate at `stp` (`fg`), or its verdict. */
export type SearchTask = "fg" | "convergence" | "warning" | "error";

/** The search's working state (MINPACK's `isave`/`dsave`), one record per line search. */
export interface SearchState {
  brackt: boolean;
  stage: 1 | 2;
  finit: number;
  ginit: number;
  gtest: number;
  width: number;
  width1: number;
  stx: number;
  fx: number;
  gx: number;
  sty: number;
  fy: number;
  gy: number;
  stmin: number;
  stmax: number;
}

/** Tolerances and step bounds of {@link dcsrchStart}. */
export interface SearchOptions {
  readonly ftol: number;
  readonly gtol: number;
  readonly xtol: number;
  readonly stpmin: number;
  readonly stpmax: number;
}

/** SciPy's L-BFGS-B settings (`stpmax` set per search). */
export const LBFGSB_SEARCH: Omit<SearchOptions, "stpmax"> = {
  ftol: 1e-3,
  gtol: 0.9,
  xtol: 0.1,
  stpmin: 0,
};

const XTRAPL = 1.1, XTRAPU = 4;

/**
 * Starts a search at step `stp > 0` from `f = f(0)` and the directional derivative `g < 0`;
 * undefined when the arguments are invalid (MINPACK's `ERROR` tasks).
 */
export function dcsrchStart(
  stp: number,
  f: number,
  g: number,
  o: SearchOptions,
): SearchState | undefined {
  if (stp < o.stpmin || stp > o.stpmax || g >= 0 || o.stpmax < o.stpmin) return undefined;
  const width = o.stpmax - o.stpmin;
  return {
    brackt: false,
    stage: 1,
    finit: f,
    ginit: g,
    gtest: o.ftol * g,
    width,
    width1: width / 0.5,
    stx: 0,
    fx: f,
    gx: g,
    sty: 0,
    fy: f,
    gy: g,
    stmin: 0,
    stmax: stp + XTRAPU * stp,
  };
}

/** The verdict at `stp` (value `f`, derivative `g`), or `"fg"` to go on. */
function verdict(s: SearchState, stp: number, f: number, g: number, o: SearchOptions): SearchTask {
  const ftest = s.finit + stp * s.gtest;
  if (s.stage === 1 && f <= ftest && g >= 0) s.stage = 2;
  let task: SearchTask = "fg";
  if (s.brackt && (stp <= s.stmin || stp >= s.stmax)) task = "warning";
  if (s.brackt && s.stmax - s.stmin <= o.xtol * s.stmax) task = "warning";
  if (stp === o.stpmax && f <= ftest && g <= s.gtest) task = "warning";
  if (stp === o.stpmin && (f > ftest || g >= s.gtest)) task = "warning";
  if (f <= ftest && Math.abs(g) <= o.gtol * -s.ginit) task = "convergence";
  return task;
}

/**
 * One step of the search: given `f` and `g` at `stp`, the verdict, or `"fg"` with the next
 * step to evaluate.
 */
export function dcsrchStep(
  s: SearchState,
  stp: number,
  f: number,
  g: number,
  o: SearchOptions,
): { task: SearchTask; stp: number } {
  const task = verdict(s, stp, f, g, o);
  if (task !== "fg") return { task, stp };
  const ftest = s.finit + stp * s.gtest;
  let next: number;
  if (s.stage === 1 && f <= s.fx && f > ftest) {
    // the modified function ψ(stp) = f(stp) − f(0) − ftol·stp·f'(0)
    const gt = s.gtest;
    const m = {
      stx: s.stx,
      fx: s.fx - s.stx * gt,
      dx: s.gx - gt,
      sty: s.sty,
      fy: s.fy - s.sty * gt,
    };
    const r = dcstep(
      { ...m, dy: s.gy - gt },
      stp,
      f - stp * gt,
      g - gt,
      s.brackt,
      s.stmin,
      s.stmax,
    );
    Object.assign(s, {
      stx: r.stx,
      sty: r.sty,
      brackt: r.brackt,
      fx: r.fx + r.stx * gt,
      fy: r.fy + r.sty * gt,
      gx: r.dx + gt,
      gy: r.dy + gt,
    });
    next = r.stp;
  } else {
    const r = dcstep(
      { stx: s.stx, fx: s.fx, dx: s.gx, sty: s.sty, fy: s.fy, dy: s.gy },
      stp,
      f,
      g,
      s.brackt,
      s.stmin,
      s.stmax,
    );
    Object.assign(s, {
      stx: r.stx,
      fx: r.fx,
      gx: r.dx,
      sty: r.sty,
      fy: r.fy,
      gy: r.dy,
      brackt: r.brackt,
    });
    next = r.stp;
  }
  return { task: "fg", stp: safeguard(s, next, o) };
}

/** Bisection when the interval shrinks too slowly, the new interval, the step clipped. */
function safeguard(s: SearchState, stp: number, o: SearchOptions): number {
  if (s.brackt) {
    if (Math.abs(s.sty - s.stx) >= 0.66 * s.width1) stp = s.stx + 0.5 * (s.sty - s.stx);
    s.width1 = s.width;
    s.width = Math.abs(s.sty - s.stx);
    s.stmin = Math.min(s.stx, s.sty);
    s.stmax = Math.max(s.stx, s.sty);
  } else {
    s.stmin = stp + XTRAPL * (stp - s.stx);
    s.stmax = stp + XTRAPU * (stp - s.stx);
  }
  stp = Math.min(Math.max(stp, o.stpmin), o.stpmax);
  if (
    (s.brackt && (stp <= s.stmin || stp >= s.stmax)) ||
    (s.brackt && s.stmax - s.stmin <= o.xtol * s.stmax)
  ) {
    stp = s.stx;
  }
  return stp;
}

/** The interval ends of {@link dcstep}: the best step `stx` and the other end `sty`. */
interface Ends {
  readonly stx: number;
  readonly fx: number;
  readonly dx: number;
  readonly sty: number;
  readonly fy: number;
  readonly dy: number;
}

/** MINPACK-2's `dcstep`: the safeguarded trial step and the updated interval. */
export function dcstep(
  e: Ends,
  stp: number,
  fp: number,
  dp: number,
  brackt: boolean,
  stpmin: number,
  stpmax: number,
): Ends & { stp: number; brackt: boolean } {
  const { stx, fx, dx, sty, fy, dy } = e;
  const sgnd = Math.sign(dp) * Math.sign(dx);
  let stpf: number;
  if (fp > fx) {
    // higher value: the minimum is bracketed
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta, q = gamma - dx + gamma + dp;
    const stpc = stx + (p / q) * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) <= Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    brackt = true;
  } else if (sgnd < 0) {
    // derivatives of opposite signs: bracketed
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta, q = gamma - dp + gamma + dx;
    const stpc = stp + (p / q) * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    stpf = decreasingSlope(e, stp, fp, dp, brackt, stpmin, stpmax);
  } else if (brackt) {
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dy / s) * (dp / s));
    if (stp > sty) gamma = -gamma;
    const p = gamma - dp + theta, q = gamma - dp + gamma + dy;
    stpf = stp + (p / q) * (sty - stp);
  } else {
    stpf = stp > stx ? stpmax : stpmin;
  }
  const ends = fp > fx
    ? { stx, fx, dx, sty: stp, fy: fp, dy: dp }
    : sgnd < 0
    ? { stx: stp, fx: fp, dx: dp, sty: stx, fy: fx, dy: dx }
    : { stx: stp, fx: fp, dx: dp, sty, fy, dy };
  return { ...ends, stp: stpf, brackt };
}

/** `dcstep`'s third case: lower value, derivatives of the same sign, slope decreasing. */
function decreasingSlope(
  e: Ends,
  stp: number,
  fp: number,
  dp: number,
  brackt: boolean,
  stpmin: number,
  stpmax: number,
): number {
  const { stx, fx, dx, sty } = e;
  const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
  const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
  let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
  if (stp > stx) gamma = -gamma;
  const p = gamma - dp + theta, q = gamma + (dx - dp) + gamma;
  const r = p / q;
  const stpc = r < 0 && gamma !== 0 ? stp + r * (stx - stp) : stp > stx ? stpmax : stpmin;
  const stpq = stp + (dp / (dp - dx)) * (stx - stp);
  if (brackt) {
    const stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
    return stp > stx
      ? Math.min(stp + 0.66 * (sty - stp), stpf)
      : Math.max(stp + 0.66 * (sty - stp), stpf);
  }
  const stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
  return Math.min(Math.max(stpf, stpmin), stpmax);
}
