/**
 * Pruning benchmark, side by side with Python Optuna 5.0 on the same work
 * (`../shared/bench/anchor_optuna.py prune`): the synthetic learning curve of the anchor,
 * 100 trials x 50 steps, 10 seeds, TPE, with no pruner, the median pruner, successive halving
 * and Hyperband (`maxResource: 50`). It prints the mean number of steps used and the median
 * best value per pruner, next to Optuna 5.0's figures recorded in
 * `../shared/reference/anchors.md` and, unless `--no-python`, a live run of the anchor script.
 *
 * Run with `deno run -A bench/prune_bench.ts` (`--no-python` skips Python, `--seeds N`,
 * `--trials N`, `--univariate` runs our TPE with `multivariate: false`, the configuration of the
 * anchor's `TPESampler(seed)`, instead of our defaults). In every run, a like-for-like check replays the parameters Optuna's
 * `RandomSampler(seed)` draws through both implementations (random draws do not depend on
 * pruning, so identical pruners give identical steps and best values). Under `deno bench` only
 * the small `Deno.bench` cases below run.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  createStudy,
  enqueueTrial,
  fromAsync,
  type FrozenTrial,
  getTrials,
  hyperbandPruner,
  left,
  medianPruner,
  nopPruner,
  optimize,
  type Pruner,
  type PrunerContext,
  randomSampler,
  report,
  right,
  runOrThrow,
  type Sampler,
  shouldPrune,
  successiveHalvingPruner,
  suggestFloat,
  suggestInt,
  tpeSampler,
  trialPruned,
} from "../mod.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const ANCHOR_DIR = join(REPO, "..", "shared", "bench");
const PYTHON = join(REPO, ".venv-optuna", "bin", "python");

/** Optuna 5.0's figures from `../shared/reference/anchors.md` (TPE, 10 seeds). */
const ANCHORS: Readonly<Record<string, { steps: number; best: number }>> = {
  none: { steps: 5000.0, best: 0.00709 },
  median: { steps: 1750.2, best: 0.00713 },
  sha: { steps: 788.0, best: 0.02504 },
  hyperband: { steps: 1596.6, best: 0.01492 },
};

/** The anchor's synthetic learning curve (noise-free). */
function curve(lr: number, layers: number, step: number): number {
  const final = (Math.log10(lr) + 2.5) ** 2 + 0.1 * (layers - 3) ** 2;
  return final + 3.0 * Math.exp(-step / (5 + 10 * lr * 100));
}

type SamplerFactory = (seed: number) => Sampler;

/** Our TPE with its defaults (multivariate), or univariate like the anchor's `TPESampler(seed)`. */
function samplerFactory(univariate: boolean): { name: string; make: SamplerFactory } {
  return univariate
    ? {
      name: "tpe (multivariate: false)",
      make: (seed) => tpeSampler({ seed, multivariate: false }),
    }
    : { name: "tpe (defaults)", make: (seed) => tpeSampler({ seed }) };
}

interface PrunerRow {
  readonly name: string;
  /** The anchor's name for the pruner (also in study names, which Hyperband hashes). */
  readonly key: string;
  readonly make: () => Pruner;
}

function pruners(steps: number): ReadonlyArray<PrunerRow> {
  return [
    { name: "none", key: "none", make: () => nopPruner() },
    { name: "median", key: "median", make: () => medianPruner() },
    { name: "sha", key: "sha", make: () => successiveHalvingPruner() },
    { name: "hyperband", key: "hyperband", make: () => hyperbandPruner({ maxResource: steps }) },
    {
      name: "hyperband-all",
      key: "hyperband",
      make: () => hyperbandPruner({ maxResource: steps, bracketSamplerTrials: false }),
    },
  ];
}

interface Result {
  readonly pruner: string;
  readonly key: string;
  readonly stepsUsedMean: number;
  readonly medianBest: number;
  readonly seconds: number;
}

/** Parameters drawn by Optuna's `RandomSampler(seed)`, per seed, in trial order. */
type Draws = ReadonlyArray<ReadonlyArray<{ readonly lr: number; readonly layers: number }>>;

async function hyperionRun(
  row: PrunerRow,
  sampler: SamplerFactory,
  seeds: number,
  nTrials: number,
  steps: number,
  draws?: Draws,
): Promise<Result> {
  let used = 0;
  const bests: number[] = [];
  const t0 = performance.now();
  for (let seed = 0; seed < seeds; seed++) {
    const study = await runOrThrow(createStudy({
      studyName: `prune-bench-${row.key}-${seed}`,
      sampler: sampler(seed),
      pruner: row.make(),
    }));
    for (const params of draws?.[seed] ?? []) await runOrThrow(enqueueTrial(study, params));
    await runOrThrow(optimize(study, (trial) =>
      fromAsync(async () => {
        const lr = await runOrThrow(suggestFloat(trial, "lr", 1e-5, 1e-1, { log: true }));
        const layers = await runOrThrow(suggestInt(trial, "layers", 1, 8));
        let v = NaN;
        for (let step = 0; step < steps; step++) {
          used++;
          v = curve(lr, layers, step);
          await runOrThrow(report(trial, v, step));
          if (await runOrThrow(shouldPrune(trial))) return left(trialPruned());
        }
        return right(v);
      }, (e) => e), { nTrials }));
    const trials = await runOrThrow(getTrials(study, { states: ["COMPLETE"] }));
    bests.push(Math.min(...trials.map((t) => (t.values as ReadonlyArray<number>)[0] as number)));
  }
  bests.sort((a, b) => a - b);
  return {
    pruner: row.name,
    key: row.key,
    stepsUsedMean: used / seeds,
    medianBest: bests[Math.floor(bests.length / 2)] as number,
    seconds: (performance.now() - t0) / 1000,
  };
}

async function hyperionRows(
  label: string,
  sampler: SamplerFactory,
  seeds: number,
  nTrials: number,
  draws?: Draws,
): Promise<ReadonlyArray<Result>> {
  const rows: Result[] = [];
  for (const row of pruners(50)) {
    const r = await hyperionRun(row, sampler, seeds, nTrials, 50, draws);
    rows.push(r);
    console.log(JSON.stringify({
      bench: "prune",
      impl: "hyperion",
      sampler: label,
      pruner: r.pruner,
      steps_used_mean: r.stepsUsedMean,
      median_best: Number(r.medianBest.toPrecision(4)),
      wall_s: Number(r.seconds.toFixed(2)),
    }));
  }
  return rows;
}

interface AnchorLine {
  readonly bench: string;
  readonly pruner: string;
  readonly steps_used_mean: number;
  readonly median_best: number;
}

interface PythonRun {
  readonly lines: ReadonlyArray<AnchorLine>;
  readonly draws: Draws | undefined;
}

/**
 * The anchor's loop in Python with `RandomSampler(seed)` and named studies (Hyperband hashes the
 * name); prints the figures per pruner and, once, the parameters drawn per seed.
 */
const RANDOM_SAMPLER_SCRIPT = `
import json, sys
sys.path.insert(0, sys.argv[1])
import optuna, anchor_optuna as a
optuna.logging.set_verbosity(optuna.logging.ERROR)
steps, n_trials, seeds = 50, int(sys.argv[2]), int(sys.argv[3])
draws = []
for pname, mk in [("none", lambda: optuna.pruners.NopPruner()), ("median", lambda: optuna.pruners.MedianPruner()),
                  ("sha", lambda: optuna.pruners.SuccessiveHalvingPruner()),
                  ("hyperband", lambda: optuna.pruners.HyperbandPruner(max_resource=steps))]:
    used, bests = 0, []
    for s in range(seeds):
        st = optuna.create_study(study_name=f"prune-bench-{pname}-{s}",
                                 sampler=optuna.samplers.RandomSampler(seed=s), pruner=mk())
        counter = [0]
        def obj(t):
            p = {"lr": t.suggest_float("lr", 1e-5, 1e-1, log=True), "layers": t.suggest_int("layers", 1, 8)}
            v = None
            for step in range(steps):
                counter[0] += 1
                v = a.curve(p, step)
                t.report(v, step)
                if t.should_prune():
                    raise optuna.TrialPruned()
            return v
        st.optimize(obj, n_trials=n_trials)
        used += counter[0]
        bests.append(st.best_value)
        if pname == "none":
            draws.append([t.params for t in st.trials])
    bests.sort()
    print(json.dumps({"bench": "prune", "pruner": pname, "steps_used_mean": used / seeds,
                      "median_best": bests[len(bests) // 2]}), flush=True)
print(json.dumps({"bench": "draws", "draws": draws}))
`;

async function python(args: ReadonlyArray<string>): Promise<PythonRun | string> {
  try {
    const out = await new Deno.Command(PYTHON, {
      args: [...args],
      cwd: ANCHOR_DIR,
      stderr: "piped",
    })
      .output();
    if (!out.success) return `python failed: ${new TextDecoder().decode(out.stderr).trim()}`;
    const parsed = new TextDecoder().decode(out.stdout).trim().split("\n")
      .map((l) => JSON.parse(l) as AnchorLine & { readonly draws?: Draws });
    return {
      lines: parsed.filter((l) => l.bench === "prune"),
      draws: parsed.find((l) => l.bench === "draws")?.draws,
    };
  } catch (e) {
    return `python not available at ${PYTHON}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function fmt(x: number | undefined, digits: number): string {
  return x === undefined ? "-" : x.toFixed(digits);
}

function pair(steps: number | undefined, best: number | undefined): string {
  return `${fmt(steps, 1)} / ${best === undefined ? "-" : best.toPrecision(4)}`;
}

function liveLine(run: PythonRun | string, key: string): AnchorLine | undefined {
  return typeof run === "string" ? undefined : run.lines.find((l) => l.pruner === key);
}

if (import.meta.main) {
  const args = parseArgs({
    args: Deno.args,
    options: {
      "no-python": { type: "boolean" },
      univariate: { type: "boolean" },
      seeds: { type: "string" },
      trials: { type: "string" },
    },
  });
  const seeds = Number(args.values.seeds ?? 10);
  const nTrials = Number(args.values.trials ?? 100);
  const sampler = samplerFactory(args.values.univariate === true);
  const ours = await hyperionRows(sampler.name, sampler.make, seeds, nTrials);
  let liveTpe: PythonRun | string = "skipped (--no-python)";
  let liveRandom: PythonRun | string = "skipped (--no-python)";
  if (!args.values["no-python"]) {
    liveTpe = await python(["anchor_optuna.py", "prune"]);
    liveRandom = await python([
      "-c",
      RANDOM_SAMPLER_SCRIPT,
      ANCHOR_DIR,
      String(nTrials),
      String(seeds),
    ]);
  }

  console.log(`\n${seeds} seeds x ${nTrials} trials x 50 steps: steps used (mean) / median best`);
  console.log(
    `pruner        | hyperion, ${sampler.name} | Optuna 5.0 TPE (anchors.md) | Optuna 5.0 TPE (live)`,
  );
  for (const r of ours) {
    const a = ANCHORS[r.key];
    const l = liveLine(liveTpe, r.key);
    console.log(
      `${r.pruner.padEnd(13)} | ${pair(r.stepsUsedMean, r.medianBest)} | ` +
        `${pair(a?.steps, a?.best)} | ${pair(l?.steps_used_mean, l?.median_best)}`,
    );
  }
  if (typeof liveTpe === "string") console.log(`Optuna 5.0 TPE live run: ${liveTpe}`);

  if (typeof liveRandom === "string") {
    console.log(`like-for-like run: ${liveRandom}`);
  } else if (liveRandom.draws !== undefined) {
    console.log("\nlike for like: Optuna RandomSampler(seed) draws replayed through Hyperion");
    const draws = liveRandom.draws;
    const fixed = (seed: number) => randomSampler({ seed });
    const replayed = await hyperionRows("optuna-random-draws", fixed, seeds, nTrials, draws);
    console.log("pruner        | hyperion          | Optuna 5.0        | identical");
    for (const r of replayed) {
      const o = liveLine(liveRandom, r.key);
      const same = o !== undefined && o.steps_used_mean === r.stepsUsedMean &&
        o.median_best === r.medianBest;
      console.log(
        `${r.pruner.padEnd(13)} | ${pair(r.stepsUsedMean, r.medianBest)} | ` +
          `${pair(o?.steps_used_mean, o?.median_best)} | ${same ? "yes" : "no"}`,
      );
    }
  }

  const median = ours.find((r) => r.pruner === "median");
  const ref = { steps: ANCHORS["median"]?.steps, best: ANCHORS["median"]?.best };
  if (median !== undefined && ref.steps !== undefined && ref.best !== undefined) {
    const ok = median.stepsUsedMean <= ref.steps && median.medianBest <= ref.best;
    console.log(
      `\ntarget (median pruner: no more steps than Optuna 5.0 TPE for a best value no worse): ` +
        `${ok ? "met" : "NOT met"} (${pair(median.stepsUsedMean, median.medianBest)} vs ` +
        `${pair(ref.steps, ref.best)})`,
    );
  }
}

// -------------------------------------------------------------------------------------
// deno bench: the cost of one pruning decision over a 100-trial, 50-step history
// -------------------------------------------------------------------------------------

function history(): PrunerContext {
  const trials: FrozenTrial[] = [];
  for (let n = 0; n < 100; n++) {
    const lr = 10 ** (-5 + 4 * ((n * 37) % 100) / 100);
    const iv: Record<number, number> = {};
    for (let s = 0; s < 50; s++) iv[s] = curve(lr, 1 + (n % 8), s);
    trials.push({
      number: n,
      trialId: n + 1,
      state: n === 99 ? "RUNNING" : "COMPLETE",
      values: n === 99 ? null : [iv[49] as number],
      params: {},
      distributions: {},
      intermediateValues: iv,
      userAttrs: {},
      systemAttrs: { completed_rung_0: iv[1] as number, completed_rung_1: iv[4] as number },
      datetimeStart: n,
      datetimeComplete: n === 99 ? null : n,
    });
  }
  return { studyName: "bench", directions: ["minimize"], trials, trial: trials[99] as FrozenTrial };
}

const CTX = history();
const MEDIAN = medianPruner();
const SHA = successiveHalvingPruner();
const HYPERBAND = hyperbandPruner({ maxResource: 50 });

Deno.bench("medianPruner().prune over 100 trials x 50 steps", () => {
  MEDIAN.prune(CTX);
});

Deno.bench("successiveHalvingPruner().prune over 100 trials x 50 steps", () => {
  SHA.prune(CTX);
});

Deno.bench("hyperbandPruner().prune over 100 trials x 50 steps", () => {
  HYPERBAND.prune(CTX);
});

Deno.bench("hyperbandPruner().samplerTrials over 100 trials", () => {
  HYPERBAND.samplerTrials?.(CTX);
});
