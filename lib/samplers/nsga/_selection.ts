/**
 * Elite selection of Optuna 5.0's NSGA-II: constrained non-domination ranks, crowding distance
 * and the survivors of a population. Pure functions over finished trials. Private to
 * `lib/samplers/nsga/`.
 *
 * @module
 */
import type { Direction } from "../../core/study.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import { nonDominationRanks } from "../../math/hypervolume.ts";

// -------------------------------------------------------------------------------------
// constraints
// -------------------------------------------------------------------------------------

/**
 * The trial's constraint values (Optuna's `trial.constraints`): the older list under the system
 * attribute `constraints`, then every `constraints:<key>`.
 */
export function constraintValues(t: FrozenTrial): number[] {
  const out: number[] = [];
  const attrs = t.systemAttrs;
  const old = attrs["constraints"];
  if (Array.isArray(old)) { for (const v of old) out.push(typeof v === "number" ? v : NaN); }
  for (const key in attrs) {
    if (key.startsWith("constraints:")) {
      const v = attrs[key];
      out.push(typeof v === "number" ? v : NaN);
    }
  }
  return out;
}

/** True when some trial has constraint values (Optuna's `_is_constrained_optimization`). */
export function isConstrained(trials: ReadonlyArray<FrozenTrial>): boolean {
  return trials.some((t) => constraintValues(t).length > 0);
}

/** The sum of the positive constraint values. */
export function penaltyOf(t: FrozenTrial): number {
  let s = 0;
  for (const v of constraintValues(t)) if (v > 0) s += v;
  return s;
}

/** True when every constraint value is ≤ 0 (NaN counts as violated). */
export function isFeasible(t: FrozenTrial): boolean {
  return constraintValues(t).every((v) => v <= 0);
}

// -------------------------------------------------------------------------------------
// domination
// -------------------------------------------------------------------------------------

/** The trial's values as losses (maximised objectives negated). */
export function lossValues(t: FrozenTrial, directions: ReadonlyArray<Direction>): number[] {
  return directions.map((d, i) => d === "maximize" ? -t.values![i]! : t.values![i]!);
}

/** Optuna's `_dominates`: `a` is no worse anywhere and better somewhere (COMPLETE trials). */
export function dominates(
  a: FrozenTrial,
  b: FrozenTrial,
  directions: ReadonlyArray<Direction>,
): boolean {
  if (a.state !== "COMPLETE") return false;
  if (b.state !== "COMPLETE") return true;
  const la = lossValues(a, directions), lb = lossValues(b, directions);
  if (la.every((v, i) => v === lb[i])) return false;
  return la.every((v, i) => v <= lb[i]!);
}

/** Optuna's `_constrained_dominates`: feasibility first, then violation, then domination. */
export function constrainedDominates(
  a: FrozenTrial,
  b: FrozenTrial,
  directions: ReadonlyArray<Direction>,
): boolean {
  if (a.state !== "COMPLETE") return false;
  if (b.state !== "COMPLETE") return true;
  const fa = isFeasible(a), fb = isFeasible(b);
  if (fa && fb) return dominates(a, b, directions);
  if (fa) return true;
  if (fb) return false;
  return penaltyOf(a) < penaltyOf(b);
}

// -------------------------------------------------------------------------------------
// ranks
// -------------------------------------------------------------------------------------

/**
 * Optuna's `_fast_non_domination_rank` with a penalty: feasible points ranked by
 * non-domination, then infeasible ones after them, by their penalty.
 */
export function constrainedRanks(
  losses: ReadonlyArray<ReadonlyArray<number>>,
  penalty: ReadonlyArray<number> | null,
): Int32Array {
  if (penalty === null) return nonDominationRanks(losses);
  const ranks = new Int32Array(losses.length).fill(-1);
  const feas: number[] = [], infeas: number[] = [];
  penalty.forEach((p, i) => (p <= 0 ? feas : p > 0 ? infeas : []).push(i));
  const rf = nonDominationRanks(feas.map((i) => losses[i]!));
  let top = -1;
  feas.forEach((i, k) => {
    ranks[i] = rf[k]!;
    top = Math.max(top, rf[k]!);
  });
  const ri = nonDominationRanks(infeas.map((i) => [penalty[i]!]));
  infeas.forEach((i, k) => ranks[i] = top + 1 + ri[k]!);
  return ranks;
}

/** Optuna's `_rank_population`: the trials grouped by rank, each group in input order. */
export function rankPopulation(
  population: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  constrained: boolean,
): FrozenTrial[][] {
  if (population.length === 0) return [];
  const losses = population.map((t) => lossValues(t, directions));
  const penalty = constrained ? population.map(penaltyOf) : null;
  const ranks = constrainedRanks(losses, penalty);
  let max = -1;
  for (const r of ranks) max = Math.max(max, r);
  const out: FrozenTrial[][] = Array.from({ length: max + 1 }, () => []);
  population.forEach((t, i) => {
    if (ranks[i]! >= 0) out[ranks[i]!]!.push(t);
  });
  return out;
}

// -------------------------------------------------------------------------------------
// crowding distance
// -------------------------------------------------------------------------------------

/**
 * Optuna's `_calc_crowding_distance`: per trial number, the sum over objectives of the gap
 * between its neighbours divided by the finite range. Sorts `population` in place per
 * objective (stably), as Optuna does; the final order matters to the tie-breaks that follow.
 */
export function crowdingDistance(population: FrozenTrial[]): Map<number, number> {
  const dist = new Map<number, number>();
  if (population.length === 0) return dist;
  for (const t of population) dist.set(t.number, 0);
  const m = population[0]!.values!.length;
  for (let i = 0; i < m; i++) {
    population.sort((a, b) => cmp(a.values![i]!, b.values![i]!));
    if (population[0]!.values![i] === population[population.length - 1]!.values![i]) continue;
    const vs = [-Infinity, ...population.map((t) => t.values![i]!), Infinity];
    const vMin = vs.find((x) => x !== -Infinity)!;
    const vMax = vs.findLast((x) => x !== Infinity)!;
    let width = vMax - vMin;
    if (!(width > 0)) width = 1;
    for (let j = 0; j < population.length; j++) {
      const gap = vs[j] === vs[j + 2] ? 0 : vs[j + 2]! - vs[j]!;
      const n = population[j]!.number;
      dist.set(n, dist.get(n)! + gap / width);
    }
  }
  return dist;
}

/** Python's `<` order on floats for sorting (NaN kept in place as Python's sort would not be). */
function cmp(a: number, b: number): number {
  return a < b ? -1 : b < a ? 1 : 0;
}

/** Optuna's `_crowding_distance_sort`: by crowding distance, largest first (in place). */
export function crowdingDistanceSort(population: FrozenTrial[]): void {
  const d = crowdingDistance(population);
  population.sort((a, b) => cmp(d.get(a.number)!, d.get(b.number)!));
  population.reverse();
}

// -------------------------------------------------------------------------------------
// elite selection
// -------------------------------------------------------------------------------------

/**
 * NSGA-II's survivors: whole fronts while they fit, then the least crowded of the front that
 * does not fit. `lastFront` chooses among that front for NSGA-III.
 */
export function selectElite(
  population: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  populationSize: number,
  lastFront: (elite: ReadonlyArray<FrozenTrial>, front: FrozenTrial[], n: number) => FrozenTrial[] =
    nsga2LastFront,
): FrozenTrial[] {
  const fronts = rankPopulation(population, directions, isConstrained(population));
  const elite: FrozenTrial[] = [];
  for (const front of fronts) {
    if (elite.length + front.length < populationSize) elite.push(...front);
    else {
      elite.push(...lastFront(elite, front, populationSize - elite.length));
      break;
    }
  }
  return elite;
}

function nsga2LastFront(
  _elite: ReadonlyArray<FrozenTrial>,
  front: FrozenTrial[],
  n: number,
): FrozenTrial[] {
  crowdingDistanceSort(front);
  return front.slice(0, n);
}
