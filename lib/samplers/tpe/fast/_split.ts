/**
 * The split of the last list of trials, memoised (private): an independent sampler splits the
 * same trials once per parameter, and the multi-objective split (non-dominated fronts and
 * hypervolume subset selection) is the costly part of a draw. The memo lives in a
 * {@link SplitMemo} record owned by the sampler's workspace.
 *
 * @module
 */
import type { Direction } from "../../../core/study.ts";
import type { FrozenTrial } from "../../../core/trial.ts";
import type { Alloc } from "../../../math/alloc.ts";
import { type HsspMemo, splitMask, type TrialClasses } from "../split.ts";
import { sharedPrefix, type TrialLists } from "./_trial_lists.ts";

/** The last split (speed only: results never depend on it). */
export interface SplitMemo {
  readonly lists: TrialLists;
  /**
   * The last hypervolume subset selection (the fronts often stay the same between trials), and
   * the last order of 2-D losses (the next trial's extend them).
   */
  readonly hssp: HsspMemo;
  last:
    | {
      readonly list: ReadonlyArray<FrozenTrial>;
      readonly directions: string;
      readonly nBelow: number;
      readonly mask: Uint8Array;
    }
    | undefined;
}

/** A fresh memo sharing `lists`. */
export function createSplitMemo(lists: TrialLists): SplitMemo {
  return { lists, hssp: { last: undefined, order: { last: undefined } }, last: undefined };
}

/**
 * {@link splitMask} of `trials`, reused when the previous call had the same trials (the same
 * objects: finished trials never change), directions and `nBelow`. Several objectives only;
 * the mask returned must not be modified.
 */
export function splitMaskMemo(
  mem: SplitMemo,
  trials: ReadonlyArray<FrozenTrial>,
  directions: ReadonlyArray<Direction>,
  nBelow: number,
  classes: TrialClasses,
  alloc: Alloc,
): Uint8Array {
  if (directions.length <= 1) return splitMask(trials, directions, nBelow, classes, alloc);
  const key = directions.join();
  const last = mem.last;
  if (
    last && last.nBelow === nBelow && last.directions === key &&
    last.list.length === trials.length &&
    sharedPrefix(mem.lists, trials, last.list) === trials.length
  ) return last.mask;
  const mask = splitMask(trials, directions, nBelow, classes, alloc, mem.hssp);
  mem.last = { list: trials, directions: key, nBelow, mask };
  return mask;
}
