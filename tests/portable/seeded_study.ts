/**
 * The seeded study every runtime must run identically (Deno, Node, Bun and a browser): TPE with
 * a fixed seed over float, log-float, int and categorical parameters, a median pruner fed by
 * reports, on the storage it is given (memory by default). Its serialised trials (everything
 * but the clock's datetimes) are compared across runtimes. Imports only `mod.ts`, so it bundles
 * for the browser.
 *
 * @module
 */
import {
  categorical,
  createStudy,
  float,
  type FrozenTrial,
  getTrials,
  int,
  medianPruner,
  optimize,
  report,
  runOrThrow,
  type Storage,
  suggest,
  tpeSampler,
} from "../../mod.ts";

/** A trial without its datetimes (which differ from run to run). */
export type SerialTrial = Omit<FrozenTrial, "datetimeStart" | "datetimeComplete" | "trialId">;

const space = {
  x: float(-10, 10),
  lr: float(1e-5, 1e-1, { log: true }),
  layers: int(1, 4),
  activation: categorical(["relu", "tanh", "gelu"]),
};

/** Runs the seeded study (30 trials) and returns its trials, serialisable as JSON. */
export async function seededStudyTrials(storage?: Storage): Promise<SerialTrial[]> {
  const study = await runOrThrow(createStudy({
    studyName: "portable",
    direction: "minimize",
    sampler: tpeSampler({ seed: 7, nStartupTrials: 8 }),
    pruner: medianPruner({ nStartupTrials: 4 }),
    ...(storage === undefined ? {} : { storage }),
  }));
  await runOrThrow(optimize(study, (trial) => async () => {
    const p = await runOrThrow(suggest(trial, space));
    const act = p.activation === "relu" ? 0 : p.activation === "tanh" ? 0.5 : 1;
    let loss = (p.x - 3) ** 2 + Math.abs(Math.log10(p.lr) + 3) + p.layers * 0.1 + act;
    for (let step = 0; step < 3; step++) {
      loss *= 0.9;
      await runOrThrow(report(trial, loss, step));
    }
    return { _tag: "Right", right: loss };
  }, { nTrials: 30 }));
  const trials = await runOrThrow(getTrials(study));
  return trials.map(({ datetimeStart: _s, datetimeComplete: _c, trialId: _id, ...rest }) => rest);
}
