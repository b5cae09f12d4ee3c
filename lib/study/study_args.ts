/**
 * The arguments of `createStudy` and `loadStudy`, and the constraints function a study may
 * carry.
 *
 * @module
 */
import type { Direction } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { Storage } from "../storage/storage.ts";
import type { Sampler, SamplerKinds } from "../samplers/sampler.ts";
import type { Pruner } from "../pruners/pruner.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A study's constraints function (Optuna's samplers' `constraints_func`): the constraint values
 * of a trial that finished COMPLETE or PRUNED, feasible when all are 0 or less. It sees the
 * trial with its final state and values, and runs before the sampler's `afterTrial`; `tell`
 * stores the result as the trial's `constraints` system attribute (NaN, a non-array or a throw
 * make `tell` fail after the trial is finished, with `constraints` stored as `null`, as
 * Optuna). Every sampler reads that attribute (TPE ranks infeasible trials last), and
 * `getBestTrial`, `getBestTrials` and summaries skip infeasible trials.
 *
 * @category model
 */
export type ConstraintsFunc = (trial: FrozenTrial) => ReadonlyArray<number>;

/**
 * Arguments of {@link createStudy}.
 *
 * @category model
 */
export interface StudyArgs {
  /**
   * Where the study lives.
   *
   * @default {memoryStorage()}
   */
  readonly storage?: Storage;
  /**
   * The sampler.
   *
   * @default {autoSampler()}
   */
  readonly sampler?: Sampler;
  /**
   * The sampler kinds the study can run (`sampler`'s kind, and any given later with
   * `setStudySampler`): add a kind of your own as `{ ...BUILTIN_SAMPLERS, [mine.kind]: mine }`.
   *
   * @default {BUILTIN_SAMPLERS}
   */
  readonly samplerKinds?: SamplerKinds;
  /**
   * The pruner.
   *
   * @default {medianPruner()}
   */
  readonly pruner?: Pruner;
  /**
   * Constraints of every trial (see {@link ConstraintsFunc}), for every sampler: written to the
   * trial's `constraints` system attribute when it finishes COMPLETE or PRUNED.
   *
   * @default {undefined}
   */
  readonly constraintsFunc?: ConstraintsFunc;
  /**
   * The study's name.
   *
   * @default {"no-name-<uuid>"}
   */
  readonly studyName?: string;
  /**
   * Direction of a single objective (exclusive with `directions`).
   *
   * @default {"minimize"}
   */
  readonly direction?: Direction;
  /**
   * Directions of several objectives (exclusive with `direction`).
   *
   * @default {undefined}
   */
  readonly directions?: ReadonlyArray<Direction>;
  /**
   * Load the study when one with the same name exists (its directions win).
   *
   * @default {false}
   */
  readonly loadIfExists?: boolean;
}

/**
 * Arguments of {@link loadStudy}.
 *
 * @category model
 */
export interface LoadStudyArgs {
  /**
   * The study's name; may be omitted when the storage holds exactly one study.
   *
   * @default {undefined}
   */
  readonly studyName?: string;
  /** Where the study lives. */
  readonly storage: Storage;
  /**
   * The sampler.
   *
   * @default {autoSampler()}
   */
  readonly sampler?: Sampler;
  /**
   * The sampler kinds the study can run (`sampler`'s kind, and any given later with
   * `setStudySampler`): add a kind of your own as `{ ...BUILTIN_SAMPLERS, [mine.kind]: mine }`.
   *
   * @default {BUILTIN_SAMPLERS}
   */
  readonly samplerKinds?: SamplerKinds;
  /**
   * The pruner.
   *
   * @default {medianPruner()}
   */
  readonly pruner?: Pruner;
  /**
   * Constraints of every trial (see {@link ConstraintsFunc}), for every sampler: written to the
   * trial's `constraints` system attribute when it finishes COMPLETE or PRUNED.
   *
   * @default {undefined}
   */
  readonly constraintsFunc?: ConstraintsFunc;
}
