/**
 * The JSON records of the CMA-ES optimizers (the state stored in trial attributes) and the
 * decomposition shared by their updates. Private to the CMA-ES sampler.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The optimizer's state, all JSON (numbers, arrays, records). */
export interface CmaState {
  /** `cma` (full covariance, optionally with margin) or `sepcma` (diagonal). */
  readonly type: "cma" | "sepcma";
  readonly n: number;
  readonly popsize: number;
  readonly mu: number;
  readonly muEff: number;
  readonly cc: number;
  readonly c1: number;
  readonly cmu: number;
  readonly cSigma: number;
  readonly dSigma: number;
  readonly cm: number;
  readonly chiN: number;
  readonly weights: ReadonlyArray<number>;
  readonly pSigma: ReadonlyArray<number>;
  readonly pc: ReadonlyArray<number>;
  readonly mean: ReadonlyArray<number>;
  readonly sigma: number;
  /** Row-major n×n covariance (`cma`), or its diagonal (`sepcma`). */
  readonly C: ReadonlyArray<number>;
  readonly lower: ReadonlyArray<number>;
  readonly upper: ReadonlyArray<number>;
  readonly nMaxResampling: number;
  /** The generation (number of updates). */
  readonly g: number;
  readonly tolx: number;
  readonly funhistTerm: number;
  readonly funhist: ReadonlyArray<number>;
  /** Learning-rate adaptation state (`lr_adapt`), or null. */
  readonly lr: LrState | null;
  /** CMA-ES with margin state, or null. */
  readonly margin: MarginState | null;
}

/** A solution: its point (transformed space) and its value (to minimise). */
export type Solution = readonly [ReadonlyArray<number>, number];

/** B, D and the recomposed C of `CMA._eigen_decomposition` (diagonal: D = √C). */
export interface Decomposition {
  readonly B: Float64Array | null;
  readonly D: Float64Array;
  readonly C: Float64Array;
}

/** The moving averages and learning rates of the adaptation. */
export interface LrState {
  readonly Emean: ReadonlyArray<number>;
  readonly ESigma: ReadonlyArray<number>;
  readonly Vmean: number;
  readonly VSigma: number;
  readonly etaMean: number;
  readonly etaSigma: number;
}

/** The margin correction's state. */
export interface MarginState {
  /** Indices of the discrete coordinates (step > 0). */
  readonly discrete: ReadonlyArray<number>;
  /** Indices of the continuous coordinates. */
  readonly continuous: ReadonlyArray<number>;
  /** Lowest grid value, number of grid values and grid step of each discrete coordinate. */
  readonly low: ReadonlyArray<number>;
  readonly size: ReadonlyArray<number>;
  readonly step: ReadonlyArray<number>;
  readonly margin: number;
  /** The scale of every coordinate (1 for continuous ones). */
  readonly A: ReadonlyArray<number>;
}

/** Restart bookkeeping (IPOP/BIPOP). */
export interface RestartState {
  readonly n: number;
  readonly popsize: number;
  readonly poptype: "small" | "large";
  readonly smallNEval: number;
  readonly largeNEval: number;
  readonly nLarge: number;
}

/** What is stored per generation: the optimizer, its parameters and the restarts. */
export interface Stored {
  readonly names: ReadonlyArray<string>;
  readonly cma: CmaState;
  readonly restart: RestartState;
}
