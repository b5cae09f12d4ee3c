/**
 * Calling the model's, the plug-ins' and the data module's handlers as {@link Step}s: whatever
 * a handler returns (a value, an `Either`, a promise, a throw) becomes an `Either`, and a
 * failure becomes the error `fit` returns — unchanged when its tag is in `trainExceptions`,
 * else `TrainingFailed` naming where training was and which handler failed. Also the
 * sequencing helpers the steps are written with.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
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

/** Calls a handler that must return a boolean. */
export async function callBool<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  who: string,
  f: () => HookResult<boolean>,
): Step<boolean> {
  const r = await call<S, B, V, unknown>(env, ts, who, f);
  if (r._tag === "Left" || typeof r.right === "boolean") return r as Either<HyperionError, boolean>;
  return failWith(
    env,
    ts,
    new TypeError(`'${who}' must return a boolean, got ${typeof r.right}`),
    who,
  );
}

/** Applies `f` to `items` in order, threading `init` through, up to the first failure. */
export async function foldSteps<T, X>(
  items: Iterable<T>,
  init: X,
  f: (acc: X, item: T) => Step<X>,
): Step<X> {
  let acc = init;
  for (const item of items) {
    const r = await f(acc, item);
    if (r._tag === "Left") return r;
    acc = r.right;
  }
  return right(acc);
}

/** Runs `steps` in order over the loop state, up to the first failure. */
export function pipeSteps<S>(
  st: LoopState<S>,
  ...steps: ReadonlyArray<(st: LoopState<S>) => Step<LoopState<S>>>
): Step<LoopState<S>> {
  return foldSteps(steps, st, (acc, step) => step(acc));
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
  return foldSteps<Plugin, void>(env.plugins, undefined, async (_, p) => {
    const h = p[hook];
    if (h === undefined) return right(undefined);
    const r = await call(env, ts, pluginName(p, hook), () => invoke(h as NonNullable<Plugin[K]>));
    return r._tag === "Left" ? r : right(undefined);
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
export async function modelHook<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  hook: LifecycleHook,
  c: TrainingContext,
): Step<LoopState<S>> {
  const h = env.model[hook];
  if (h === undefined) return right(st);
  const r = await call(env, st.ts, `model.${hook}`, () => h(st.state, c));
  return r._tag === "Left" ? r : right({ ...st, state: r.right });
}

/** Every plug-in's `hook`, then the model's, with one context. */
export async function lifecycle<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  hook: LifecycleHook,
): Step<LoopState<S>> {
  const c = contextOf(env, st.ts);
  const plugins = await pluginHooks(env, st.ts, hook, c);
  return plugins._tag === "Left" ? plugins : modelHook(env, st, hook, c);
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
  let iterator: BatchIterator<T> | undefined;
  try {
    iterator = openIterator<T>(source);
  } catch (e) {
    return failWith(env, st.ts, e, who);
  }
  if (iterator === undefined) {
    return failWith(
      env,
      st.ts,
      new TypeError(`'${who}' must return an Iterable or an AsyncIterable`),
      who,
    );
  }
  const it = iterator;
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
