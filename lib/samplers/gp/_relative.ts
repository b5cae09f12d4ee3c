/**
 * One relative sample of the GP sampler (private), Optuna 5.0's `GPSampler._sample_relative_impl`
 * as named steps: the completed trials' normalised parameters and standardised values, one GP
 * per objective (and per constraint), the acquisition function the study calls for, its
 * maximiser.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import type { JsonValue } from "../../core/json.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import type { Direction } from "../../core/study.ts";
import type { Attrs, FrozenTrial } from "../../core/trial.ts";
import { paretoFront } from "../../math/hypervolume.ts";
import { randomInt, type Rng, rngFor } from "../../random/rng.ts";
import { type Acqf, logCeiAcqf, logEiAcqf } from "./_acqf.ts";
import { logCehviAcqf, logEhviAcqf } from "./_ehvi.ts";
import { fitGp, type Gp, type GpData, type KernelParams } from "./_gp.ts";
import type { GpOptions } from "./_options.ts";
import { optimizeAcqf } from "./_optim.ts";
import { warpOutputs } from "./_warp.ts";
import { type GpSpace, gpSpace, internalParams, normalizedParams } from "./_space.ts";

/** The system attribute holding a trial's fitted kernel parameters (the next fit starts there). */
export const KERNEL_PARAMS_KEY = "gp:kernel_params";

const EPS = 1e-10;

/** Columns of `rows` standardised (non-finite values clipped to the finite range first). */
export function standardize(rows: ReadonlyArray<ReadonlyArray<number>>): {
  values: Float64Array[];
  means: number[];
  stds: number[];
} {
  const m = rows[0]?.length ?? 0, n = rows.length;
  const values: Float64Array[] = [], means: number[] = [], stds: number[] = [];
  for (let j = 0; j < m; j++) {
    const col = Float64Array.from(rows, (r) => r[j]!);
    let lo = Infinity, hi = -Infinity;
    for (const v of col) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    if (lo > hi) [lo, hi] = [0, 0];
    for (let i = 0; i < n; i++) col[i] = Math.min(Math.max(col[i]!, lo), hi);
    let mean = 0;
    for (const v of col) mean += v;
    mean /= n;
    let sq = 0;
    for (const v of col) sq += (v - mean) ** 2;
    const std = Math.sqrt(sq / n);
    for (let i = 0; i < n; i++) col[i] = (col[i]! - mean) / Math.max(EPS, std);
    values.push(col);
    means.push(mean);
    stds.push(std);
  }
  return { values, means, stds };
}

/** A trial's constraint values (`constraints` list, then `constraints:<key>` by key). */
export function constraintValues(t: FrozenTrial): number[] {
  const out: number[] = [];
  const list = t.systemAttrs["constraints"];
  if (Array.isArray(list)) { for (const c of list) if (typeof c === "number") out.push(c); }
  const keys = Object.keys(t.systemAttrs).filter((k) => k.startsWith("constraints:")).sort();
  for (const k of keys) {
    const v = t.systemAttrs[k];
    if (typeof v === "number") out.push(v);
  }
  return out;
}

/** A recorded fit: kernel parameters, and the fit's final curvature when recorded. */
interface CachedFit {
  readonly params: KernelParams;
  readonly curvature?: Float64Array;
}

/**
 * A recorded row: `dim + 2` kernel parameters (inverse squared length scales, scale, noise),
 * optionally followed by the fit's `dim + 2` inverse Hessian diagonal; all positive.
 */
function parseFit(r: unknown, dim: number): CachedFit | undefined {
  if (
    !Array.isArray(r) || (r.length !== dim + 2 && r.length !== 2 * (dim + 2)) ||
    !r.every((x) => typeof x === "number" && x > 0 && Number.isFinite(x))
  ) {
    return undefined;
  }
  const params = { isl: Float64Array.from(r.slice(0, dim)), scale: r[dim], noise: r[dim + 1] };
  return r.length === dim + 2
    ? { params }
    : { params, curvature: Float64Array.from(r.slice(dim + 2)) };
}

/** The kernel parameters the latest earlier trial recorded (the fit's warm start). */
function cachedParams(
  trials: ReadonlyArray<FrozenTrial>,
  current: number,
  dim: number,
): { objectives: CachedFit[]; constraints: CachedFit[] } | undefined {
  for (let i = trials.length - 1; i >= 0; i--) {
    const t = trials[i]!;
    if (t.number >= current) continue;
    const v = t.systemAttrs[KERNEL_PARAMS_KEY] as
      | { objectives?: unknown; constraints?: unknown }
      | undefined;
    if (v === undefined) continue;
    const parse = (rows: unknown): CachedFit[] | undefined => {
      if (!Array.isArray(rows)) return undefined;
      const out = rows.map((r) => parseFit(r, dim));
      return out.every((f) => f !== undefined) ? out as CachedFit[] : undefined;
    };
    const objectives = parse(v.objectives), constraints = parse(v.constraints);
    if (!objectives || objectives.length === 0) return undefined;
    return { objectives, constraints: constraints ?? [] };
  }
  return undefined;
}

/** The fit to record: kernel parameters, then the final curvature when the fit ran. */
function paramsJson(gp: Gp): JsonValue {
  return [...gp.params.isl, gp.params.scale, gp.params.noise, ...(gp.curvature ?? [])];
}

/** Fits one GP per column of `ys`, each from its cached fit if any. */
function fitAll(
  base: Omit<GpData, "y">,
  ys: ReadonlyArray<Float64Array>,
  cache: ReadonlyArray<CachedFit>,
  deterministic: boolean,
): Gp[] {
  return ys.map((y, i) =>
    fitGp({ ...base, y }, deterministic, cache[i]?.params, cache[i]?.curvature)
  );
}

/** What the acquisition needs besides the objective GPs. */
interface Built {
  readonly acqf: Acqf;
  readonly warmStarts: Float64Array[];
  readonly constraintGps: Gp[];
}

/** The normalised parameters of rows `idx` of `x`. */
function rowsOf(x: Float64Array, dim: number, idx: ReadonlyArray<number>): Float64Array[] {
  return idx.map((i) => x.slice(i * dim, (i + 1) * dim));
}

/** Up to `nLocalSearch/2` Pareto-optimal points drawn without replacement (Optuna's choice). */
function paretoStarts(
  x: Float64Array,
  dim: number,
  ys: ReadonlyArray<Float64Array>,
  idx: ReadonlyArray<number>,
  rng: Rng,
): Float64Array[] {
  const points = idx.map((i) => ys.map((y) => -y[i]!));
  const front = paretoFront(points);
  const pareto = idx.filter((_, k) => front[k]);
  const pool = [...pareto], chosen: number[] = [];
  const size = Math.min(5, pool.length);
  for (let k = 0; k < size; k++) {
    const j = randomInt(rng, pool.length);
    chosen.push(pool[j]!);
    pool.splice(j, 1);
  }
  return rowsOf(x, dim, chosen);
}

/** Builds the acquisition function for the study's case (Optuna's four branches). */
function buildAcqf(
  s: GpSpace,
  base: Omit<GpData, "y">,
  ys: Float64Array[],
  gps: Gp[],
  completed: ReadonlyArray<FrozenTrial>,
  cache: ReadonlyArray<CachedFit>,
  o: GpOptions,
  rng: Rng,
): Either<HyperionError, Built> {
  const all = completed.map((_, i) => i);
  const cons = completed.map(constraintValues);
  if (!cons.some((c) => c.length > 0)) {
    if (gps.length === 1) {
      let best = 0;
      for (let i = 1; i < ys[0]!.length; i++) if (ys[0]![i]! > ys[0]![best]!) best = i;
      return right({
        acqf: logEiAcqf(gps[0]!, ys[0]![best]!),
        warmStarts: rowsOf(base.x, s.dim, [best]),
        constraintGps: [],
      });
    }
    return right({
      acqf: logEhviAcqf(gps, ys, rng),
      warmStarts: paretoStarts(base.x, s.dim, ys, all, rng),
      constraintGps: [],
    });
  }
  if (cons.some((c) => c.length !== cons[0]!.length)) {
    return left(invalidArgument({
      field: "constraints",
      value: cons.map((c) => c.length),
      expected: "the same number of constraint values in every completed trial",
    }));
  }
  const feasible = cons.map((c) => c.every((v) => v <= 0));
  const st = standardize(cons.map((c) => c.map((v) => -v)));
  const constraintGps = fitAll(base, st.values, cache, o.deterministicObjective);
  const constraints = constraintGps.map((gp, k) => ({
    gp,
    threshold: -st.means[k]! / Math.max(EPS, st.stds[k]!),
  }));
  const feasibleIdx = all.filter((i) => feasible[i]);
  if (gps.length === 1) {
    let best = -1;
    for (const i of feasibleIdx) if (best < 0 || ys[0]![i]! > ys[0]![best]!) best = i;
    const f0 = best < 0 ? -Infinity : ys[0]![best]!;
    return right({
      acqf: logCeiAcqf(gps[0]!, f0, constraints),
      warmStarts: best < 0 ? [] : rowsOf(base.x, s.dim, [best]),
      constraintGps,
    });
  }
  const yFeasible = feasibleIdx.length === 0
    ? undefined
    : ys.map((y) => Float64Array.from(feasibleIdx, (i) => y[i]!));
  return right({
    acqf: logCehviAcqf(gps, yFeasible, constraints, rng),
    warmStarts: feasibleIdx.length === 0 ? [] : paretoStarts(base.x, s.dim, ys, feasibleIdx, rng),
    constraintGps,
  });
}

/**
 * The GP's joint sample of `space` for trial `trial` (internal values), or `{}` before
 * `nStartupTrials` completed trials; with the fitted kernel parameters to record on the trial.
 */
export function sampleGp(
  o: GpOptions,
  trials: ReadonlyArray<FrozenTrial>,
  trial: FrozenTrial,
  directions: ReadonlyArray<Direction>,
  space: SearchSpace,
): Either<HyperionError, { value: Record<string, number>; attrs?: Attrs }> {
  const completed = trials.filter((t) => t.state === "COMPLETE" && t.number !== trial.number);
  if (Object.keys(space).length === 0 || completed.length < o.nStartupTrials) {
    return right({ value: {} });
  }
  const s = gpSpace(space);
  const base = {
    x: normalizedParams(s, completed),
    n: completed.length,
    dim: s.dim,
    isCategorical: s.isCategorical,
  };
  const sign = directions.map((d) => (d === "minimize" ? -1 : 1));
  const standardized = standardize(completed.map((t) => sign.map((g, j) => g * t.values![j]!)));
  // warped: one objective, no constraints (with constraints, the best values are often
  // infeasible, and the warp would spread those instead of the values near the best feasible)
  const warp = o.outputWarping && sign.length === 1 &&
    !completed.some((t) => constraintValues(t).length > 0);
  const ys = warp ? standardized.values.map(warpOutputs) : standardized.values;
  const cache = cachedParams(trials, trial.number, s.dim);
  const gps = fitAll(base, ys, cache?.objectives ?? [], o.deterministicObjective);
  const rng = rngFor(o.seed, trial.number, "relative");
  const built = buildAcqf(s, base, ys, gps, completed, cache?.constraints ?? [], o, rng);
  if (built._tag === "Left") return built;
  const best = optimizeAcqf(built.right.acqf, s, built.right.warmStarts, rng);
  const attrs: Attrs = {
    [KERNEL_PARAMS_KEY]: {
      objectives: gps.map(paramsJson),
      constraints: built.right.constraintGps.map(paramsJson),
    },
  };
  return right({ value: internalParams(s, best.x), attrs });
}
