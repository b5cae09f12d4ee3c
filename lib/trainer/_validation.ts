/**
 * One validation cycle of `fit`: `onValidationStart` (plug-ins, then the model), every
 * validation batch (plug-ins' `processValidationBatch`, then the model's `validStep`), the
 * model's `onValidationEnd` (the cycle's metrics), the plug-ins' `onValidationEnd`, the early
 * stopping count and the `validation` log line.
 *
 * @module
 */
import { type Either, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import type { Metrics, Plugin, ValidationContext, ValidationStepContext } from "./types.ts";
import {
  call,
  callBool,
  failWith,
  foldBatches,
  foldSteps,
  forPlugins,
  isRecord,
  pluginName,
} from "./_handlers.ts";
import { logLine } from "./_log.ts";
import { contextOf, type LoopEnv, type LoopState, patchTs, type Step } from "./_state.ts";

function validationContext<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  cycle: number,
): ValidationContext {
  return { ...contextOf(env, st.ts), cycle };
}

/** The plug-ins' and the model's `onValidationStart`. */
async function startCycle<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  cycle: number,
): Step<LoopState<S>> {
  const start = validationContext(env, st, cycle);
  const plugins = await forPlugins(env, st.ts, "onValidationStart", (h) => h(start));
  if (plugins._tag === "Left") return plugins;
  const onStart = env.model.onValidationStart;
  if (onStart === undefined) return right(st);
  const r = await call(env, st.ts, "model.onValidationStart", () => onStart(st.state, start));
  return r._tag === "Left" ? r : right({ ...st, state: r.right });
}

/** One validation batch: the plug-ins transform it in turn, then the model's `validStep`. */
async function validationBatch<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  cycle: number,
  batch: unknown,
  step: number,
): Step<{ st: LoopState<S>; stop: boolean }> {
  const sc: ValidationStepContext = { ...validationContext(env, st, cycle), step };
  const b = await foldSteps<Plugin, unknown>(env.plugins, batch, (input, p) => {
    const h = p.processValidationBatch;
    return h === undefined
      ? Promise.resolve(right(input))
      : call(env, st.ts, pluginName(p, "processValidationBatch"), () => h(input, sc));
  });
  if (b._tag === "Left") return b;
  const validStep = env.model.validStep;
  if (validStep === undefined) return right({ st, stop: false });
  const r = await call(env, st.ts, "model.validStep", () => validStep(st.state, b.right as V, sc));
  return r._tag === "Left" ? r : right({ st: { ...st, state: r.right }, stop: false });
}

/** Every validation batch of the cycle, when the data module has them. */
async function validationBatches<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  cycle: number,
): Step<LoopState<S>> {
  const batches = env.data.validationBatches;
  if (batches === undefined) return right(st);
  const who = "data.validationBatches";
  const request = { cycle, rank: env.cfg.rank, worldSize: env.cfg.worldSize };
  const source = await call(env, st.ts, who, () => batches(request));
  if (source._tag === "Left") return source;
  const folded = await foldBatches<S, B, V, V>(
    env,
    who,
    source.right,
    st,
    (acc, batch, step) => validationBatch(env, acc, cycle, batch, step),
  );
  return folded._tag === "Left" ? folded : right(folded.right.st);
}

/** The model's `onValidationEnd`: the next state and the cycle's metrics, both checked. */
async function endCycle<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  cycle: number,
): Step<{ readonly st: LoopState<S>; readonly metrics: Metrics }> {
  const onEnd = env.model.onValidationEnd;
  if (onEnd === undefined) return right({ st, metrics: {} });
  const who = "model.onValidationEnd";
  const c = validationContext(env, st, cycle);
  const out = await call<S, B, V, unknown>(env, st.ts, who, () => onEnd(st.state, c));
  if (out._tag === "Left") return out;
  const bad = (message: string): Either<HyperionError, never> =>
    failWith(env, st.ts, new TypeError(message), who);
  const result = out.right;
  if (!isRecord(result) || !("state" in result) || !isRecord(result.metrics)) {
    return bad("'onValidationEnd' must return { state, metrics }");
  }
  for (const [k, v] of Object.entries(result.metrics)) {
    if (typeof v !== "number") {
      return bad(`'onValidationEnd' metric '${k}' must be a number, got ${typeof v}`);
    }
  }
  return right({
    st: { ...st, state: result.state as S },
    metrics: { ...result.metrics } as Metrics,
  });
}

/**
 * Runs validation cycle `ts.validationCycles`: start, batches, the model's metrics, the
 * plug-ins' `onValidationEnd`, `haveMetricsImproved` (absent: improved) for early stopping,
 * and the `validation` log line.
 */
export async function validate<S, B, V>(
  env: LoopEnv<S, B, V>,
  st0: LoopState<S>,
): Step<LoopState<S>> {
  const cycle = st0.ts.validationCycles;
  const started = await startCycle(env, st0, cycle);
  if (started._tag === "Left") return started;
  const validated = await validationBatches(env, started.right, cycle);
  if (validated._tag === "Left") return validated;
  const ended = await endCycle(env, validated.right, cycle);
  if (ended._tag === "Left") return ended;
  const { metrics } = ended.right;
  const st = patchTs(ended.right.st, { lastMetrics: metrics });
  const end = validationContext(env, st, cycle);
  const plugins = await forPlugins(
    env,
    st.ts,
    "onValidationEnd",
    (h) => h({ cycle, metrics }, end),
  );
  if (plugins._tag === "Left") return plugins;
  const improvedHook = env.model.haveMetricsImproved;
  const improved = improvedHook === undefined
    ? right<boolean, HyperionError>(true)
    : await callBool(env, st.ts, "model.haveMetricsImproved", () => improvedHook(st.state, end));
  if (improved._tag === "Left") return improved;
  const counted = patchTs(st, {
    validationCycles: cycle + 1,
    earlyStopCount: improved.right ? 0 : st.ts.earlyStopCount + 1,
  });
  return logLine(env, counted, "validation", { cycle, metrics });
}
