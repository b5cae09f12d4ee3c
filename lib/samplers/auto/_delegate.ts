/**
 * The records of the samplers the automatic sampler delegates to, and its workspace (the
 * delegates' workspaces and records, memoised). Private to `lib/samplers/auto/`.
 *
 * @module
 */
import type { FrozenTrial } from "../../core/trial.ts";
import { cmaEsSampler, type CmaEsSourceTrial } from "../cmaes/mod.ts";
import { gpSampler } from "../gp/mod.ts";
import { nsgaIIISampler, nsgaIISampler } from "../nsga/mod.ts";
import { randomSampler } from "../random.ts";
import { tpeSampler } from "../tpe/mod.ts";
import type { Sampler, SamplerContext, SamplerImpl } from "../sampler.ts";
import type { AutoOptions } from "./_options.ts";
import { type AutoChoice, autoFacts, warmStartTrials } from "./_policy.ts";

/** What the automatic sampler keeps per study (speed only): its delegates' records and workspaces. */
export interface AutoWorkspace {
  /** The delegates' workspaces, by kind (created on first use). */
  readonly workspaces: Map<string, unknown>;
  /** The delegates' records, by kind and (CMA-ES) warm-start trials. */
  readonly records: Map<string, Sampler>;
}

/** A fresh workspace. */
export function createAutoWorkspace(): AutoWorkspace {
  return { workspaces: new Map(), records: new Map() };
}

/** The workspace passed to a hook (a fresh one when none was). */
export function autoWorkspaceOf(ws: unknown): AutoWorkspace {
  return (ws as AutoWorkspace | undefined) ?? createAutoWorkspace();
}

/** The delegate's workspace in `ws` (created on first use). */
export function delegateWorkspace(impl: SamplerImpl, ws: AutoWorkspace): unknown {
  if (!ws.workspaces.has(impl.kind)) ws.workspaces.set(impl.kind, impl.createWorkspace?.());
  return ws.workspaces.get(impl.kind);
}

function sourceTrial(t: FrozenTrial): CmaEsSourceTrial {
  return { state: t.state, values: t.values, params: t.params, distributions: t.distributions };
}

/** The sampler record of `choice`, seeded with the automatic sampler's seed. */
function delegateRecord(
  choice: AutoChoice,
  o: AutoOptions,
  warmStart: ReadonlyArray<FrozenTrial>,
  conditional: boolean,
): Sampler {
  const seed = o.seed;
  switch (choice) {
    case "random":
      return randomSampler({ seed });
    case "gp":
      return gpSampler({ seed, outputWarping: true });
    case "tpe":
      // Optuna's AutoSampler runs multivariate TPE with constant liar, which samples a
      // conditional space one parameter at a time. Measured here (bench/sampler_quality.ts):
      // on conditional spaces univariate TPE against grouped TPE (120 seeds: grouped has the
      // better median, 0.0042 vs 0.0057, but stays on a worse branch twice as often, 30 % vs
      // 15 %); univariate is best on the multi-objective problems, multivariate on the
      // single-objective ones. So univariate for conditional spaces, else Optuna 5.0's default
      // (jointly for one objective, one by one for several)
      return tpeSampler({
        seed,
        multivariate: conditional ? false : undefined,
        constantLiar: true,
      });
    case "cmaEs":
      return cmaEsSampler({
        seed,
        sourceTrials: warmStart.length > 0 ? warmStart.map(sourceTrial) : null,
      });
    case "nsgaII":
      return nsgaIISampler({ seed });
    case "nsgaIII":
      return nsgaIIISampler({ seed });
  }
}

/**
 * The delegate's record, memoised in the workspace (the same object from call to call, as the
 * delegates memoise decoded options by identity). CMA-ES's record depends on its warm-start
 * trials (the first `gpBudget` COMPLETE ones), which no later trial changes; TPE's on whether
 * the space is conditional (univariate then, multivariate otherwise), which never goes back.
 */
export function delegateFor(
  choice: AutoChoice,
  o: AutoOptions,
  ctx: SamplerContext,
  ws: AutoWorkspace,
): Sampler {
  const warm = choice === "cmaEs" ? warmStartTrials(ctx.trials, o.gpBudget) : [];
  const conditional = choice === "tpe" && autoFacts(ctx.trials, ctx.directions).conditional;
  const key = `${choice}:${o.seed}:${o.gpBudget}:${conditional}:${
    warm.map((t) => t.trialId).join(",")
  }`;
  const memo = ws.records.get(key);
  if (memo !== undefined) return memo;
  const record = delegateRecord(choice, o, warm, conditional);
  if (choice === "cmaEs") {
    for (const k of ws.records.keys()) if (k.startsWith("cmaEs:")) ws.records.delete(k);
  }
  ws.records.set(key, record);
  return record;
}
