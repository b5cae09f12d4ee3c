/**
 * The CMA-ES sampler's workspace: memos that make sampling cheaper, never different — the
 * intersection search space (extended incrementally; intersecting is idempotent, so trials
 * after the first unfinished one are simply seen again), the decoded options, and the last
 * optimizer read from the trials with its eigendecomposition. Private.
 *
 * @module
 */
import type { Distribution } from "../../core/distributions.ts";
import { distributionEquals } from "../../core/distributions.ts";
import type { JsonValue } from "../../core/json.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import { isPlainObject } from "../_utils.ts";
import { type NumericDistribution, type SpaceTransform, spaceTransform } from "./_transform.ts";
import type { Decomposition, Stored } from "./_model.ts";
import type { CmaOptions } from "./_options.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One study's memos. */
export interface CmaWorkspace {
  readonly tag: "cmaEsWorkspace";
  /** Trials before this index were finished when last seen. */
  cursor: number;
  /** The trial id at `cursor - 1`, to detect another history. */
  cursorTrialId: number;
  /** The intersection of the COMPLETE trials seen so far. */
  space: Map<string, Distribution> | undefined;
  /** The options record last decoded, and its decoding. */
  optionsJson: JsonValue | undefined;
  options: CmaOptions | undefined;
  /** The JSON text of the memoised optimizer. */
  storedText: string;
  stored: Stored | undefined;
  dec: Decomposition | undefined;
  /** Finished trials before index `finCursor` (all finished when seen), as `finishedTrials`. */
  finCursor: number;
  finCursorTrialId: number;
  finPrefix: Finished[];
  /** What `finPrefix` was computed for (options record and direction). */
  finFor: unknown;
  finKey: string;
  /** `finPrefix.length` when last returned (later entries are not indexed). */
  finPrefixCount: number;
  /** Generation attribute → generation → the prefix's finished trials of that generation. */
  generations: Map<string, Map<number, Finished[]>>;
  /** The last transform built, for its space and `transformStep`. */
  trans: SpaceTransform | undefined;
  transStep: boolean;
}

/** A finished trial as the sampler uses it: the trial and its value to minimise. */
export interface Finished {
  readonly trial: FrozenTrial;
  readonly value: number;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** An empty workspace. */
export function createCmaWorkspace(): CmaWorkspace {
  return {
    tag: "cmaEsWorkspace",
    cursor: 0,
    cursorTrialId: -1,
    space: undefined,
    optionsJson: undefined,
    options: undefined,
    storedText: "",
    stored: undefined,
    dec: undefined,
    finCursor: 0,
    finCursorTrialId: -1,
    finPrefix: [],
    finFor: undefined,
    finKey: "",
    finPrefixCount: 0,
    generations: new Map(),
    trans: undefined,
    transStep: false,
  };
}

/** The workspace given to a hook, or a fresh one. */
export function cmaWorkspaceOf(value: unknown): CmaWorkspace {
  return isPlainObject(value) && value.tag === "cmaEsWorkspace"
    ? value as unknown as CmaWorkspace
    : createCmaWorkspace();
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** `intersectionSearchSpace(trials)` (COMPLETE trials, names sorted), extended incrementally. */
export function intersectionOf(ws: CmaWorkspace, trials: ReadonlyArray<FrozenTrial>): SearchSpace {
  const stale = ws.cursor > trials.length ||
    (ws.cursor > 0 && trials[ws.cursor - 1]!.trialId !== ws.cursorTrialId);
  if (stale) {
    ws.cursor = 0;
    ws.space = undefined;
  }
  let firstOpen = -1;
  for (let i = ws.cursor; i < trials.length; i++) {
    const t = trials[i]!;
    if (t.state === "RUNNING" || t.state === "WAITING") {
      if (firstOpen < 0) firstOpen = i;
      continue;
    }
    if (t.state !== "COMPLETE") continue;
    if (ws.space === undefined) {
      ws.space = new Map(Object.entries(t.distributions));
      continue;
    }
    for (const [name, d] of ws.space) {
      const other = t.distributions[name];
      if (other === undefined || !distributionEquals(d, other)) ws.space.delete(name);
    }
  }
  ws.cursor = firstOpen < 0 ? trials.length : firstOpen;
  ws.cursorTrialId = ws.cursor > 0 ? trials[ws.cursor - 1]!.trialId : -1;
  const out: Record<string, Distribution> = {};
  if (ws.space === undefined) return out;
  for (const name of [...ws.space.keys()].sort()) out[name] = ws.space.get(name)!;
  return out;
}

/** `spaceTransform(space, transformStep)`, reused while the space stays the same. */
export function transformOf(
  ws: CmaWorkspace,
  space: Readonly<Record<string, NumericDistribution>>,
  transformStep: boolean,
): SpaceTransform {
  const t = ws.trans;
  const names = Object.keys(space);
  const same = t !== undefined && ws.transStep === transformStep &&
    t.names.length === names.length &&
    names.every((n, i) => t.names[i] === n && distributionEquals(t.dists[i]!, space[n]!));
  if (same) return t;
  ws.trans = spaceTransform(space, transformStep);
  ws.transStep = transformStep;
  return ws.trans;
}
