/**
 * The pruner interface. A pruner is a pure decision over the study's trials and the live
 * trial: prune now or not, plus the trial system attributes to record (rung values for
 * successive halving). It does no I/O.
 *
 * @module
 */
import type { Either } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { JsonValue } from "../core/json.ts";
import type { Direction } from "../core/study.ts";
import type { Attrs, FrozenTrial } from "../core/trial.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a pruner sees.
 *
 * @category model
 */
export interface PrunerContext {
  /** The study's name (Hyperband hashes it to assign brackets). */
  readonly studyName: string;
  /** The study's directions (pruning supports one). */
  readonly directions: ReadonlyArray<Direction>;
  /** The study's trials ordered by number, the live trial included. */
  readonly trials: ReadonlyArray<FrozenTrial>;
  /** The live trial, with its intermediate values and system attributes as stored. */
  readonly trial: FrozenTrial;
}

/**
 * A pruner's decision.
 *
 * @category model
 */
export interface PruneDecision {
  /** Stop the trial now. */
  readonly prune: boolean;
  /** System attributes to record on the trial (for example `completed_rung_0`). */
  readonly trialSystemAttrs?: Attrs;
}

/**
 * A pruner: a kind, its options (JSON, for display and snapshots) and its pure functions.
 *
 * @category model
 */
export interface Pruner {
  /** `"nop"`, `"median"`, `"percentile"`, `"successiveHalving"`, `"hyperband"`, … */
  readonly kind: string;
  /** The options it was built with. */
  readonly options: JsonValue;
  /** Decides whether the live trial should stop. */
  readonly prune: (ctx: PrunerContext) => Either<HyperionError, PruneDecision>;
  /**
   * The trials the sampler should see for the live trial (Hyperband: only the trial's
   * bracket). Absent: every trial.
   */
  readonly samplerTrials?: (ctx: PrunerContext) => ReadonlyArray<FrozenTrial>;
  /**
   * Checks the options the pruner was built with; `createStudy` calls it so that invalid
   * options fail up front (`Left(InvalidArgument)` naming the option and value). The built-in
   * constructors never throw: for invalid options they return a pruner whose `validate` and
   * `prune` both return that error. Absent: always valid.
   */
  readonly validate?: () => Either<HyperionError, void>;
}
