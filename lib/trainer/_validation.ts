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
import type { Metrics, ValidationContext, ValidationStepContext } from "./types.ts";
import {
  call,
  callBool,
  failWith,
  foldBatches,
  forPlugins,
  isRecord,
  pluginName,
  steps,
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
function startCycle<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  cycle: number,
): Step<LoopState<S>> {
  return steps(function* (_) {
    const start = validationContext(env, st, cycle);
    yield* _(() => forPlugins(env, st.ts, "onValidationStart", (h) => h(start)));
    const onStart = env.model.onValidationStart;
    if (onStart === undefined) return st;
    const who = "model.onValidationStart";
    const state = yield* _(() => call(env, st.ts, who, () => onStart(st.state, start)));
    return { ...st, state };
  });
}

/** One validation batch: the plug-ins transform it in turn, then the model's `validStep`. */
function validationBatch<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  cycle: number,
  batch: unknown,
  step: number,
): Step<{ st: LoopState<S>; stop: boolean }> {
  const sc: ValidationStepContext = { ...validationContext(env, st, cycle), step };
  return steps(function* (_) {
    let b = batch;
    for (const p of env.plugins) {
      const h = p.processValidationBatch;
      if (h === undefined) continue;
      const input = b;
      const who = pluginName(p, "processValidationBatch");
      b = yield* _(() => call(env, st.ts, who, () => h(input, sc)));
    }
    const validStep = env.model.validStep;
    if (validStep === undefined) return { st, stop: false };
    const v = b as V;
    const state = yield* _(() =>
      call(env, st.ts, "model.validStep", () => validStep(st.state, v, sc))
    );
    return { st: { ...st, state }, stop: false };
  });
}

/** Every validation batch of the cycle, when the data module has them. */
function validationBatches<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  cycle: number,
): Step<LoopState<S>> {
  return steps(function* (_) {
    const batches = env.data.validationBatches;
    if (batches === undefined) return st;
    const who = "data.validationBatches";
    const request = { cycle, rank: env.cfg.rank, worldSize: env.cfg.worldSize };
    const source = yield* _(() => call(env, st.ts, who, () => batches(request)));
    const folded = yield* _(() =>
      foldBatches<S, B, V, V>(
        env,
        who,
        source,
        st,
        (acc, batch, step) => validationBatch(env, acc, cycle, batch, step),
      )
    );
    return folded.st;
  });
}

/** The model's `onValidationEnd`: the next state and the cycle's metrics, both checked. */
function endCycle<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  cycle: number,
): Step<{ readonly st: LoopState<S>; readonly metrics: Metrics }> {
  return steps(function* (_) {
    const onEnd = env.model.onValidationEnd;
    if (onEnd === undefined) return { st, metrics: {} };
    const who = "model.onValidationEnd";
    const c = validationContext(env, st, cycle);
    const out = yield* _(() => call<S, B, V, unknown>(env, st.ts, who, () => onEnd(st.state, c)));
    return yield* _(checkCycleEnd(env, st, who, out));
  });
}

/** The model's `onValidationEnd` result, checked: `{ state, metrics }` of numbers. */
function checkCycleEnd<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  who: string,
  result: unknown,
): Either<HyperionError, { readonly st: LoopState<S>; readonly metrics: Metrics }> {
  const bad = (message: string): Either<HyperionError, never> =>
    failWith(env, st.ts, new TypeError(message), who);
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
export function validate<S, B, V>(
  env: LoopEnv<S, B, V>,
  st0: LoopState<S>,
): Step<LoopState<S>> {
  const cycle = st0.ts.validationCycles;
  return steps(function* (_) {
    const started = yield* _(() => startCycle(env, st0, cycle));
    const validated = yield* _(() => validationBatches(env, started, cycle));
    const ended = yield* _(() => endCycle(env, validated, cycle));
    const { metrics } = ended;
    const st = patchTs(ended.st, { lastMetrics: metrics });
    const end = validationContext(env, st, cycle);
    yield* _(() => forPlugins(env, st.ts, "onValidationEnd", (h) => h({ cycle, metrics }, end)));
    const improvedHook = env.model.haveMetricsImproved;
    const who = "model.haveMetricsImproved";
    const improved = improvedHook === undefined
      ? true
      : yield* _(() => callBool(env, st.ts, who, () => improvedHook(st.state, end)));
    const counted = patchTs(st, {
      validationCycles: cycle + 1,
      earlyStopCount: improved ? 0 : st.ts.earlyStopCount + 1,
    });
    return yield* _(() => logLine(env, counted, "validation", { cycle, metrics }));
  });
}
