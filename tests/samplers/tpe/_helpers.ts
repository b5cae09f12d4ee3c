/**
 * What the TPE tests share: the default draw configuration and a mixed-space study.
 *
 * @module
 */
import {
  createStudy,
  flatMap,
  type HyperionError,
  map,
  optimize,
  runOrThrow,
  type Study,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type TaskEither,
  tpeSampler,
  type TpeSamplerOptions,
  type Trial,
} from "../../../mod.ts";
import type { TpeConfig } from "../../../lib/samplers/tpe/options.ts";

/** Optuna 5.0's defaults for one draw, independent sampling, no constant liar. */
export const CONFIG: TpeConfig = {
  nEiCandidates: 24,
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
  gamma: { kind: "default" },
  weights: { kind: "default" },
  multivariate: false,
  constantLiar: false,
  multiObjectiveWeights: "uniform",
};

/** A log-float, an int and a categorical parameter with a known optimum. */
export const mixedObjective = (t: Trial): TaskEither<HyperionError, number> =>
  flatMap(
    suggestFloat(t, "lr", 1e-5, 1e-1, { log: true }),
    (lr) =>
      flatMap(suggestInt(t, "layers", 1, 8), (layers) =>
        map(suggestCategorical(t, "act", ["relu", "tanh"]), (act) =>
          (Math.log10(lr) + 2.5) ** 2 + 0.1 * (layers - 3) ** 2 +
          (act === "relu" ? 0 : 0.2))),
  );

/** A study of `n` trials of {@link mixedObjective} with a TPE sampler. */
export async function mixedRun(options: TpeSamplerOptions, n: number): Promise<Study> {
  const study = await runOrThrow(createStudy({ sampler: tpeSampler(options) }));
  await runOrThrow(optimize(study, mixedObjective, { nTrials: n }));
  return study;
}
