/**
 * Search-space queries over trial histories: the intersection search space used by
 * relative (multivariate) samplers, and the group decomposition of TPE's `group` option.
 *
 * @module
 */
import { type Distribution, distributionEquals } from "./distributions.ts";
import type { FrozenTrial } from "./trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Parameter name → distribution, sorted by name.
 *
 * @category model
 */
export type SearchSpace = Readonly<Record<string, Distribution>>;

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The parameters present, with an identical distribution, in every finished trial (COMPLETE,
 * plus PRUNED when `includePruned`), sorted by name, as Optuna's `IntersectionSearchSpace`.
 *
 * @category queries
 */
export function intersectionSearchSpace(
  trials: ReadonlyArray<FrozenTrial>,
  options: {
    /**
     * Count PRUNED trials too.
     *
     * @default {false}
     */
    readonly includePruned?: boolean;
  } = {},
): SearchSpace {
  const includePruned = options.includePruned ?? false;
  let space: Map<string, Distribution> | undefined;
  for (const t of trials) {
    if (!(t.state === "COMPLETE" || (includePruned && t.state === "PRUNED"))) continue;
    if (space === undefined) {
      space = new Map(Object.entries(t.distributions));
      continue;
    }
    for (const [name, d] of space) {
      const other = t.distributions[name];
      if (other === undefined || !distributionEquals(d, other)) space.delete(name);
    }
  }
  const out: Record<string, Distribution> = {};
  if (space === undefined) return out;
  for (const name of [...space.keys()].sort()) out[name] = space.get(name) as Distribution;
  return out;
}

/**
 * Optuna's group-decomposed search space: a partition of parameter names in which names that
 * always appear together share a group. Each finished trial's name set S splits every group G
 * into G∩S and G∖S and appends the names of S not yet seen as a new group.
 *
 * @category queries
 */
export function groupDecomposedSearchSpace(
  trials: ReadonlyArray<FrozenTrial>,
  options: {
    /**
     * Count PRUNED trials too.
     *
     * @default {false}
     */
    readonly includePruned?: boolean;
  } = {},
): ReadonlyArray<SearchSpace> {
  const includePruned = options.includePruned ?? false;
  let groups: Array<Map<string, Distribution>> = [];
  for (const t of trials) {
    if (!(t.state === "COMPLETE" || (includePruned && t.state === "PRUNED"))) continue;
    const names = new Set(Object.keys(t.distributions));
    const next: Array<Map<string, Distribution>> = [];
    const seen = new Set<string>();
    for (const g of groups) {
      const inS = new Map<string, Distribution>();
      const outS = new Map<string, Distribution>();
      for (const [n, d] of g) {
        seen.add(n);
        (names.has(n) ? inS : outS).set(n, d);
      }
      if (inS.size) next.push(inS);
      if (outS.size) next.push(outS);
    }
    const fresh = new Map<string, Distribution>();
    for (const n of names) {
      if (!seen.has(n)) fresh.set(n, t.distributions[n] as Distribution);
    }
    if (fresh.size) next.push(fresh);
    groups = next;
  }
  return groups.map((g) => {
    const out: Record<string, Distribution> = {};
    for (const n of [...g.keys()].sort()) out[n] = g.get(n) as Distribution;
    return out;
  });
}
