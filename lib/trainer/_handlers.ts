/**
 * Calling the model's, the plug-ins' and the data module's handlers as {@link Step}s: whatever
 * a handler returns (a value, an `Either`, a promise, a throw) becomes an `Either`, and a
 * failure becomes the error `fit` returns — unchanged when its tag is in `trainExceptions`,
 * else `TrainingFailed` naming where training was and which handler failed. Also the
 * sequencing helpers the steps are written with.
 *
 * @module
 */
import {
  type Adapter,
  type Either,
  gen,
  left,
  right,
  type Step as GenStep,
} from "../effect/mod.ts";
import { type HyperionError, tagOf } from "../errors.ts";
import { trainingFailed } from "./errors.ts";
import type { Batches } from "./data.ts";
import type { HookResult, Plugin, TrainingContext, TrainingState } from "./types.ts";
import { contextOf, type LoopEnv, type LoopState, type Step } from "./_state.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The lifecycle hooks plug-ins and the model share, with the same context. */
export type LifecycleHook =
  | "onTrainingStart"
  | "onTrainingEpochStart"
  | "onTrainingEpochEnd"
  | "onTrainingEnd";

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** Whether `value` is a plain record (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How a plug-in's handler is named in errors: `plug-in '<id>'.<hook>`. */
export function pluginName(p: Plugin, hook: string): string {
  return `plug-in '${p.id}'.${hook}`;
}

/**
 * The error `fit` returns for `cause`, raised in `who` while training was at `ts`: `cause`
 * itself when its tag is one of the trainer's `trainExceptions`, else `TrainingFailed`.
 */
export function failure<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  cause: unknown,
  who: string,
): HyperionError {
  const tag = tagOf(cause);
  if (tag !== undefined && env.trainExceptions.includes(tag)) return cause as HyperionError;
  return trainingFailed(cause, `epoch ${ts.epoch}, iteration ${ts.iteration} in ${who}`);
}

/** {@link failure} as a `Left`. */
export function failWith<S, B, V, A = never>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  cause: unknown,
  who: string,
): Either<HyperionError, A> {
  return left(failure(env, ts, cause, who));
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

function isEitherLike(
  value: unknown,
): value is { _tag: "Left"; left: unknown } | { _tag: "Right"; right: unknown } {
  return isRecord(value) &&
    ((value._tag === "Left" && "left" in value) || (value._tag === "Right" && "right" in value));
}

/** Runs a handler and settles whatever it returns or throws into an `Either`. */
async function settle<A>(run: () => HookResult<A>): Promise<Either<unknown, A>> {
  try {
    const out: unknown = await run();
    if (isEitherLike(out)) return out._tag === "Left" ? left(out.left) : right(out.right as A);
    return right(out as A);
  } catch (cause) {
    return left(cause);
  }
}

/** Calls the handler `who` while training is at `ts`. */
export async function call<S, B, V, A>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  who: string,
  f: () => HookResult<A>,
): Step<A> {
  const r = await settle(f);
  return r._tag === "Right" ? right(r.right) : failWith(env, ts, r.left, who);
}

/**
 * Runs a {@link gen} body at once, as a {@link Step}: the loop's steps are promises, so a body
 * awaits one with `yield* _(() => step)`; the first failure ends the body.
 */
export function steps<R>(
  body: (_: Adapter) => Generator<GenStep<HyperionError, unknown>, R, unknown>,
): Step<R> {
  return gen(body)();
}

/** Calls a handler that must return a boolean. */
export function callBool<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  who: string,
  f: () => HookResult<boolean>,
): Step<boolean> {
  return steps(function* (_) {
    const r = yield* _(() => call<S, B, V, unknown>(env, ts, who, f));
    if (typeof r === "boolean") return r;
    const e = new TypeError(`'${who}' must return a boolean, got ${typeof r}`);
    return yield* _(failWith<S, B, V>(env, ts, e, who));
  });
}

/** The plug-in hooks that return nothing (all but the batch transforms and the queries). */
export type PluginHook = Exclude<
  keyof Plugin,
  "id" | "processTrainingBatch" | "processValidationBatch" | "shouldTrainingStop" | "stateDict"
>;

/** Calls every plug-in's `hook`, in order, through `invoke` (which passes the arguments). */
export function forPlugins<S, B, V, K extends PluginHook>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  hook: K,
  invoke: (h: NonNullable<Plugin[K]>) => HookResult<unknown>,
): Step<void> {
  return steps(function* (_) {
    for (const p of env.plugins) {
      const h = p[hook];
      if (h === undefined) continue;
      const f = () => invoke(h as NonNullable<Plugin[K]>);
      yield* _(() => call(env, ts, pluginName(p, hook), f));
    }
  });
}

/** Calls every plug-in's `hook` with `c`, in order. */
export function pluginHooks<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  hook: LifecycleHook | "setup",
  c: TrainingContext,
): Step<void> {
  return forPlugins(env, ts, hook, (h) => h(c));
}

/** Calls the model's `hook` with `c`; its result is the next model state. */
export function modelHook<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  hook: LifecycleHook,
  c: TrainingContext,
): Step<LoopState<S>> {
  return steps(function* (_) {
    const h = env.model[hook];
    if (h === undefined) return st;
    const state = yield* _(() => call(env, st.ts, `model.${hook}`, () => h(st.state, c)));
    return { ...st, state };
  });
}

/** Every plug-in's `hook`, then the model's, with one context. */
export function lifecycle<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  hook: LifecycleHook,
): Step<LoopState<S>> {
  return steps(function* (_) {
    const c = contextOf(env, st.ts);
    yield* _(() => pluginHooks(env, st.ts, hook, c));
    return yield* _(() => modelHook(env, st, hook, c));
  });
}

// -------------------------------------------------------------------------------------
// batches
// -------------------------------------------------------------------------------------

interface BatchIterator<T> {
  next(): IteratorResult<T> | PromiseLike<IteratorResult<T>>;
  return?(): unknown;
}

function openIterator<T>(source: unknown): BatchIterator<T> | undefined {
  if (source === null || source === undefined) return undefined;
  const s = source as Partial<AsyncIterable<T> & Iterable<T>>;
  if (typeof s[Symbol.asyncIterator] === "function") {
    return (s as AsyncIterable<T>)[Symbol.asyncIterator]();
  }
  if (typeof s[Symbol.iterator] === "function") return (s as Iterable<T>)[Symbol.iterator]();
  return undefined;
}

/** The iterator over `source`, from the data module's handler `who`. */
function batchIterator<S, B, V, T>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  who: string,
  source: Batches<T>,
): Either<HyperionError, BatchIterator<T>> {
  let iterator: BatchIterator<T> | undefined;
  try {
    iterator = openIterator<T>(source);
  } catch (e) {
    return failWith(env, ts, e, who);
  }
  if (iterator !== undefined) return right(iterator);
  const e = new TypeError(`'${who}' must return an Iterable or an AsyncIterable`);
  return failWith(env, ts, e, who);
}

/** What {@link foldBatches} returns: the state after the last batch and the batches seen. */
export interface Folded<S> {
  /** The loop state after the last batch. */
  readonly st: LoopState<S>;
  /** How many batches were handed to `each`. */
  readonly count: number;
}

/**
 * Hands the batches of `source` (from the data module's handler `who`) to `each` in order,
 * threading the loop state; `each` says whether to stop early (the iterator is then closed).
 * A failure of `each` ends the fold at once, the iterator left as it is.
 */
export function foldBatches<S, B, V, T>(
  env: LoopEnv<S, B, V>,
  who: string,
  source: Batches<T>,
  st: LoopState<S>,
  each: (st: LoopState<S>, item: T, index: number) => Step<{ st: LoopState<S>; stop: boolean }>,
): Step<Folded<S>> {
  return steps(function* (_) {
    const it = yield* _(batchIterator<S, B, V, T>(env, st.ts, who, source));
    let acc = st;
    for (let count = 0;; count++) {
      const next = yield* _(async () => {
        const r = await settle(() => it.next());
        return r._tag === "Right" ? right(r.right) : failWith(env, acc.ts, r.left, who);
      });
      if (next.done) return { st: acc, count };
      const r = yield* _(() => each(acc, next.value, count));
      acc = r.st;
      if (r.stop) {
        yield* _(async () => right(await settle(() => it.return?.())));
        return { st: acc, count: count + 1 };
      }
    }
  });
}
