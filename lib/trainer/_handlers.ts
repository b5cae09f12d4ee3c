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

/** A handler's result as an `Either`: an `Either` as it is, anything else as a `Right`. */
function settled<A>(out: unknown): Either<unknown, A> {
  if (isEitherLike(out)) return out._tag === "Left" ? left(out.left) : right(out.right as A);
  return right(out as A);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/**
 * Runs a handler and settles whatever it returns or throws into an `Either`: at once when the
 * handler returns synchronously (the per-batch case), else a promise of it.
 */
function settle<A>(run: () => HookResult<A>): Either<unknown, A> | Promise<Either<unknown, A>> {
  try {
    const out: unknown = run();
    if (!isThenable(out)) return settled<A>(out);
    return Promise.resolve(out).then(settled<A>, (cause) => left(cause));
  } catch (cause) {
    return left(cause);
  }
}

/**
 * Calls the handler `who` while training is at `ts`: an `Either` at once when the handler
 * returns synchronously, else a promise of it. The hot path's form of {@link call}.
 */
export function callNow<S, B, V, A>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  who: string,
  f: () => HookResult<A>,
): Either<HyperionError, A> | Step<A> {
  const r = settle(f);
  const onFailure = (s: Either<unknown, A>): Either<HyperionError, A> =>
    s._tag === "Right" ? s : failWith(env, ts, s.left, who);
  return r instanceof Promise ? r.then(onFailure) : onFailure(r);
}

/** Calls the handler `who` while training is at `ts`. */
export function call<S, B, V, A>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  who: string,
  f: () => HookResult<A>,
): Step<A> {
  const r = callNow(env, ts, who, f);
  return r instanceof Promise ? r : Promise.resolve(r);
}

/**
 * Runs a {@link gen} body at once, as a {@link Step}: the loop's steps are promises, so a body
 * awaits one with `yield* _(() => step)`; the first failure ends the body. For the per-epoch and
 * per-run steps; the per-batch ones are plain async functions (a generator per batch is costly).
 */
export function steps<R>(
  body: (_: Adapter) => Generator<GenStep<HyperionError, unknown>, R, unknown>,
): Step<R> {
  return gen(body)();
}

/** Calls a handler that must return a boolean. */
export async function callBool<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  who: string,
  f: () => HookResult<boolean>,
): Step<boolean> {
  const r = await callNow<S, B, V, unknown>(env, ts, who, f);
  if (r._tag === "Left" || typeof r.right === "boolean") return r as Either<HyperionError, boolean>;
  const e = new TypeError(`'${who}' must return a boolean, got ${typeof r.right}`);
  return failWith(env, ts, e, who);
}

/** The plug-in hooks that return nothing (all but the batch transforms and the queries). */
export type PluginHook = Exclude<
  keyof Plugin,
  "id" | "processTrainingBatch" | "processValidationBatch" | "shouldTrainingStop" | "stateDict"
>;

/** Calls every plug-in's `hook`, in order, through `invoke` (which passes the arguments). */
export async function forPlugins<S, B, V, K extends PluginHook>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  hook: K,
  invoke: (h: NonNullable<Plugin[K]>) => HookResult<unknown>,
): Step<void> {
  for (const p of env.plugins) {
    const h = p[hook];
    if (h === undefined) continue;
    const r = await callNow(
      env,
      ts,
      pluginName(p, hook),
      () => invoke(h as NonNullable<Plugin[K]>),
    );
    if (r._tag === "Left") return r;
  }
  return right(undefined);
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
export async function foldBatches<S, B, V, T>(
  env: LoopEnv<S, B, V>,
  who: string,
  source: Batches<T>,
  st: LoopState<S>,
  each: (st: LoopState<S>, item: T, index: number) => Step<{ st: LoopState<S>; stop: boolean }>,
): Step<Folded<S>> {
  const opened = batchIterator<S, B, V, T>(env, st.ts, who, source);
  if (opened._tag === "Left") return opened;
  const it = opened.right;
  let acc = st;
  for (let count = 0;; count++) {
    const next = await settle(() => it.next());
    if (next._tag === "Left") return failWith(env, acc.ts, next.left, who);
    if (next.right.done) return right({ st: acc, count });
    const r = await each(acc, next.right.value, count);
    if (r._tag === "Left") return r;
    acc = r.right.st;
    if (r.right.stop) {
      await settle(() => it.return?.());
      return right({ st: acc, count: count + 1 });
    }
  }
}
