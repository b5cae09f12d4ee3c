/**
 * The steps of the CMA-ES sampler's relative sampling, as Optuna's `CmaEsSampler`: the
 * finished trials, the optimizer restored from the newest one that stored it (or built), the
 * update once a generation's population has finished, restarts, and the trial's sample. The
 * optimizer is stored per generation as JSON in trial system attributes. Private.
 *
 * @module
 */
import type { Direction } from "../../core/study.ts";
import type { Attrs, FrozenTrial } from "../../core/trial.ts";
import { normal, type Rng, rngFor, uniform } from "../../random/rng.ts";
import {
  askCma,
  type CmaState,
  decompose,
  defaultPopsize,
  newCma,
  shouldStop,
  type Solution,
  tellCma,
} from "./_cma.ts";
import {
  continuousFeasible,
  encodeMargin,
  newCmaWithMargin,
  repairContinuous,
  tellMargin,
} from "./_margin.ts";
import type { CmaOptions } from "./_options.ts";
import type { Decomposition, RestartState, Stored } from "./_model.ts";

export type { RestartState, Stored } from "./_model.ts";
import type { CmaWorkspace, Finished } from "./_workspace.ts";

export type { Finished } from "./_workspace.ts";
import { type SpaceTransform, transformParams } from "./_transform.ts";
import { warmStartMgd } from "./_warm_start.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Attribute values are at most this long in Optuna's RDB schema; longer JSON is chunked. */
const ATTR_MAX = 2045;

// -------------------------------------------------------------------------------------
// keys
// -------------------------------------------------------------------------------------

/** `sepcma:`, `cmawm:` or `cma:`, as Optuna. */
export function attrPrefix(o: CmaOptions): string {
  return o.useSeparableCma ? "sepcma:" : o.withMargin ? "cmawm:" : "cma:";
}

/** The trial attribute of the generation a trial was sampled in (Optuna's key). */
export function generationKey(o: CmaOptions, nRestarts: number): string {
  const p = attrPrefix(o);
  return o.restartStrategy === null
    ? `${p}generation`
    : `${p}${o.restartStrategy}:restart_${nRestarts}:generation`;
}

/** The chunk keys of our JSON optimizer (`<prefix>json_state:<i>`). */
function stateKey(o: CmaOptions, i: number): string {
  return `${attrPrefix(o)}json_state:${i}`;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The finished trial `t` as the sampler uses it, or undefined (Optuna's `_get_trials` rule). */
function finishedOf(t: FrozenTrial, o: CmaOptions, sign: number): Finished | undefined {
  if (t.state === "COMPLETE" && t.values !== null) return { trial: t, value: sign * t.values[0]! };
  if (t.state !== "PRUNED" || !o.considerPrunedTrials) return undefined;
  const steps = Object.keys(t.intermediateValues).map(Number);
  if (steps.length === 0) return undefined;
  const v = t.intermediateValues[Math.max(...steps)];
  return v === undefined ? undefined : { trial: t, value: sign * v };
}

/**
 * Optuna's `_get_trials`: COMPLETE trials, and PRUNED ones with their last report if asked;
 * the prefix of trials that were all finished when last seen is memoised in `ws`.
 */
export function finishedTrials(
  trials: ReadonlyArray<FrozenTrial>,
  o: CmaOptions,
  direction: Direction,
  ws: CmaWorkspace,
): Finished[] {
  const sign = direction === "minimize" ? 1 : -1;
  const key = `${sign}`;
  const stale = ws.finFor !== o || ws.finCursor > trials.length ||
    ws.finPrefix.length > 0 && key !== ws.finKey ||
    (ws.finCursor > 0 && trials[ws.finCursor - 1]!.trialId !== ws.finCursorTrialId);
  if (stale) {
    ws.finCursor = 0;
    ws.finPrefix = [];
    ws.generations = new Map();
  }
  ws.finFor = o;
  ws.finKey = key;
  const tail: Finished[] = [];
  let open = false;
  for (let i = ws.finCursor; i < trials.length; i++) {
    const t = trials[i]!;
    const f = finishedOf(t, o, sign);
    if (t.state === "RUNNING" || t.state === "WAITING") open = true;
    if (!open) {
      if (f) {
        ws.finPrefix.push(f);
        indexGenerations(ws, f);
      }
      ws.finCursor = i + 1;
      ws.finCursorTrialId = t.trialId;
    } else if (f) tail.push(f);
  }
  ws.finPrefixCount = ws.finPrefix.length;
  return tail.length === 0 ? ws.finPrefix : ws.finPrefix.concat(tail);
}

/** Files `f` under each generation attribute it carries (`…generation` keys). */
function indexGenerations(ws: CmaWorkspace, f: Finished): void {
  for (const [k, v] of Object.entries(f.trial.systemAttrs)) {
    if (typeof v !== "number" || !k.endsWith("generation")) continue;
    let byGen = ws.generations.get(k);
    if (!byGen) ws.generations.set(k, byGen = new Map());
    const list = byGen.get(v);
    if (list) list.push(f);
    else byGen.set(v, [f]);
  }
}

/** JSON text of `s`; the function values of `funhist` may be ±Infinity or NaN (kept as strings). */
function stringify(s: Stored): string {
  const funhist = s.cma.funhist.map((v) => Number.isFinite(v) ? v : String(v));
  return JSON.stringify({ ...s, cma: { ...s.cma, funhist } });
}

function parse(text: string): Stored {
  const s = JSON.parse(text) as Stored;
  return { ...s, cma: { ...s.cma, funhist: s.cma.funhist.map(Number) } };
}

/** The stored optimizer of the newest finished trial that holds one. */
export function restoreStored(
  finished: ReadonlyArray<Finished>,
  o: CmaOptions,
  ws: CmaWorkspace,
): Stored | undefined {
  const first = stateKey(o, 0);
  for (let k = finished.length - 1; k >= 0; k--) {
    const attrs = finished[k]!.trial.systemAttrs;
    if (typeof attrs[first] !== "string") continue;
    let text = "";
    for (let i = 0; typeof attrs[stateKey(o, i)] === "string"; i++) text += attrs[stateKey(o, i)];
    if (text === ws.storedText && ws.stored) return ws.stored;
    try {
      return remember(ws, text);
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The JSON text that stores `s` in trial attributes. */
export function storedText(s: Stored): string {
  return stringify(s);
}

/** The optimizer stored as `text` (parsed), memoised in `ws` with its text. */
export function remember(ws: CmaWorkspace, text: string): Stored {
  const s = parse(text);
  ws.storedText = text;
  ws.stored = s;
  ws.dec = undefined;
  return s;
}

/** The eigendecomposition of the memoised optimizer `s` (or of `s`, when not memoised). */
export function decompositionOf(ws: CmaWorkspace, s: Stored): Decomposition {
  if (ws.stored !== s) return decompose(s.cma);
  ws.dec ??= decompose(s.cma);
  return ws.dec;
}

/** The attributes that store the optimizer's JSON `text`, chunked. */
export function storedAttrs(text: string, o: CmaOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i * ATTR_MAX < text.length; i++) {
    out[stateKey(o, i)] = text.slice(i * ATTR_MAX, (i + 1) * ATTR_MAX);
  }
  return out;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Optuna's `_init_optimizer` (with `randomize` for a restart's random start point). */
export function initOptimizer(
  o: CmaOptions,
  trans: SpaceTransform,
  direction: Direction,
  popsize: number | null,
  randomize: Rng | null,
): CmaState | undefined {
  const n = trans.names.length;
  let mean = trans.names.map(() => 0.5);
  let sigma = 1 / 6;
  let cov: number[] | undefined;
  if (o.sourceTrials === null) {
    if (randomize) mean = mean.map(() => uniform(randomize));
    else if (o.x0 !== null) {
      const x = transformParams(trans, o.x0);
      mean = x.map((v, i) => trans.names[i]! in o.x0! ? v : 0.5);
    }
    if (o.sigma0 !== null) sigma = o.sigma0;
  } else {
    const ws = warmStartMgd(sourceSolutions(o, trans, direction));
    if (ws === undefined) return undefined;
    ({ mean, sigma, cov } = ws);
  }
  sigma = Math.max(sigma, 1e-10);
  const base = {
    mean,
    sigma,
    lower: mean.map(() => 0),
    upper: mean.map(() => 1),
    nMaxResampling: 10 * n,
    popsize: popsize ?? undefined,
    cov,
  };
  if (o.useSeparableCma && n > 1) return newCma({ ...base, type: "sepcma" });
  if (o.withMargin) return newCmaWithMargin({ ...base, steps: marginSteps(trans) });
  return newCma({ ...base, type: "cma", lrAdapt: o.lrAdapt });
}

/** The step of each coordinate in [0, 1] for CMA-ES with margin (0: continuous). */
function marginSteps(trans: SpaceTransform): number[] {
  return trans.dists.map((d) => {
    if (d.step === null || d.log) return 0;
    if (d.low === d.high) return 1;
    return d.step / (d.high - d.low);
  });
}

/** The source trials compatible with the space, as solutions. */
function sourceSolutions(o: CmaOptions, trans: SpaceTransform, direction: Direction): Solution[] {
  const sign = direction === "minimize" ? 1 : -1;
  const states = o.considerPrunedTrials ? ["COMPLETE", "PRUNED"] : ["COMPLETE"];
  return (o.sourceTrials ?? []).flatMap((t): Solution[] => {
    const names = Object.keys(t.distributions);
    const compatible = names.length === trans.names.length &&
      trans.names.every((n) => Object.hasOwn(t.distributions, n));
    if (!states.includes(t.state) || !compatible || t.values === null) return [];
    return [[transformParams(trans, t.params), sign * t.values[0]!]];
  });
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** The solutions of the optimizer's current generation, if its population is complete. */
export function generationSolutions(
  s: Stored,
  finished: ReadonlyArray<Finished>,
  o: CmaOptions,
  trans: SpaceTransform,
  ws: CmaWorkspace,
): Solution[] | undefined {
  const key = generationKey(o, s.restart.n);
  const g = s.cma.g;
  // the finished prefix is indexed by generation; the few trials after it are scanned
  const members = [...(ws.generations.get(key)?.get(g) ?? [])];
  for (let i = ws.finPrefixCount; i < finished.length; i++) {
    if (finished[i]!.trial.systemAttrs[key] === g) members.push(finished[i]!);
  }
  if (members.length < s.cma.popsize) return undefined;
  return members.slice(0, s.cma.popsize).map(({ trial, value }): Solution => {
    const forTell = trial.systemAttrs["x_for_tell"];
    const x = s.cma.margin && Array.isArray(forTell)
      ? forTell.map(Number)
      : transformParams(trans, trial.params);
    return [x, value];
  });
}

/** The update, then a restart when the strategy says so. */
export function tellAndRestart(
  s: Stored,
  solutions: ReadonlyArray<Solution>,
  o: CmaOptions,
  trans: SpaceTransform,
  direction: Direction,
  trialNumber: number,
): Stored {
  const cma = s.cma.margin ? tellMargin(s.cma, solutions) : tellCma(s.cma, solutions);
  if (o.restartStrategy === null || !shouldStop(cma)) return { ...s, cma };
  const rng = rngFor(o.seed, trialNumber, "cma:restart");
  const restart = nextRestart(s.restart, cma, o, rng);
  const fresh = initOptimizer(o, trans, direction, restart.popsize, rng);
  return { names: s.names, cma: fresh ?? cma, restart };
}

/** IPOP: a larger population; BIPOP: alternate large and (random) small populations. */
function nextRestart(r: RestartState, cma: CmaState, o: CmaOptions, rng: Rng): RestartState {
  const n = r.n + 1;
  if (o.restartStrategy === "ipop") return { ...r, n, popsize: r.popsize * o.incPopsize };
  const nEval = r.popsize * cma.g;
  const small = r.smallNEval + (r.poptype === "small" ? nEval : 0);
  const large = r.largeNEval + (r.poptype === "large" ? nEval : 0);
  const initial = o.popsize ?? defaultPopsize(cma.n);
  if (small < large) {
    const mult = o.incPopsize ** r.nLarge;
    const popsize = Math.floor(initial * mult ** (uniform(rng) ** 2));
    return { n, popsize, poptype: "small", smallNEval: small, largeNEval: large, nLarge: r.nLarge };
  }
  const nLarge = r.nLarge + 1;
  return {
    n,
    popsize: initial * o.incPopsize ** nLarge,
    poptype: "large",
    smallNEval: small,
    largeNEval: large,
    nLarge,
  };
}

/** The trial's sample in [0, 1]ⁿ (and, with margin, the raw point to tell later). */
export function askSample(
  cma: CmaState,
  dec: Decomposition,
  seed: number,
  trialNumber: number,
): { readonly x: number[]; readonly forTell: number[] | null } {
  const rng = rngFor(seed, trialNumber, "relative");
  const draw = () => normal(rng);
  if (!cma.margin) return { x: askCma(cma, dec, draw), forTell: null };
  const plain: CmaState = {
    ...cma,
    lower: cma.lower.map(() => -Infinity),
    upper: cma.upper.map(() => Infinity),
  };
  for (let i = 0; i < cma.nMaxResampling; i++) {
    const raw = askCma({ ...plain, nMaxResampling: 1 }, dec, draw);
    if (continuousFeasible(cma, raw)) return { x: encodeMargin(cma, raw), forTell: raw };
  }
  const raw = repairContinuous(cma, askCma({ ...plain, nMaxResampling: 1 }, dec, draw));
  return { x: encodeMargin(cma, raw), forTell: raw };
}

/** The trial attributes of a sample. */
export function sampleAttrs(
  s: Stored,
  o: CmaOptions,
  forTell: number[] | null,
  stored: Record<string, string> | null,
): Attrs {
  const attrs: Record<string, Attrs[string]> = { ...(stored ?? {}) };
  attrs[generationKey(o, s.restart.n)] = s.cma.g;
  if (forTell) attrs["x_for_tell"] = forTell;
  return attrs;
}
