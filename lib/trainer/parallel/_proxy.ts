/**
 * Inside a rank's Worker: stand-ins for the main thread's plug-ins. The plug-ins themselves
 * stay in the main thread (they hold closures, trials and storages, which cannot cross to a
 * Worker); each rank registers a stand-in with the same id and the same hooks:
 *
 * - rank 0 forwards every hook call to the main thread, which runs the real hook and answers
 *   with its `Either`; the other ranks' stand-ins do nothing;
 * - `shouldTrainingStop`: rank 0 asks the main thread, then every rank takes part in a
 *   broadcast of the answer from rank 0, so all ranks stop after the same batch;
 * - `acceptCheckpoint` (a query): every rank asks, since every rank resumes.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import type { HyperionError } from "../../errors.ts";
import { rngState } from "../../random/rng.ts";
import type { Collective, Plugin, TrainingContext } from "../types.ts";
import type { HookMessage, PluginSpec, ReplyMessage, WireContext } from "./_protocol.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The calls a rank has sent to the main thread and not yet had answered. */
export interface HookCalls {
  next: number;
  readonly pending: Map<number, (reply: ReplyMessage["result"]) => void>;
  readonly post: (message: HookMessage) => void;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** An empty call table posting through `post`. */
export function hookCalls(post: (message: HookMessage) => void): HookCalls {
  return { next: 0, pending: new Map(), post };
}

/** Settles the call a reply answers. */
export function settleCall(calls: HookCalls, reply: ReplyMessage): void {
  const resolve = calls.pending.get(reply.id);
  calls.pending.delete(reply.id);
  resolve?.(reply.result);
}

/** The stand-ins of the main thread's plug-ins, for rank `collective.rank`. */
export function proxyPlugins(
  specs: ReadonlyArray<PluginSpec>,
  collective: Collective,
  calls: HookCalls,
): ReadonlyArray<Plugin> {
  return specs.map((spec, index) => {
    const hooks: Record<string, unknown> = { id: spec.id };
    for (const hook of spec.hooks) hooks[hook] = standIn(index, hook, collective, calls);
    return hooks as unknown as Plugin;
  });
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

type Answer = Either<unknown, unknown>;

function standIn(
  plugin: number,
  hook: string,
  collective: Collective,
  calls: HookCalls,
): (...args: unknown[]) => Answer | Promise<Answer> {
  const forward = (args: unknown[]): Promise<Answer> =>
    ask(calls, plugin, hook, args.slice(0, -1), args[args.length - 1] as TrainingContext);
  if (hook === "shouldTrainingStop") {
    return async (...args) => {
      const flag = new Float64Array(1);
      if (collective.rank === 0) {
        const answer = await forward(args);
        if (answer._tag === "Left") return answer;
        flag[0] = answer.right === true ? 1 : 0;
      }
      const shared = collective.broadcast(flag, 0);
      return shared._tag === "Left" ? shared : right(flag[0] === 1);
    };
  }
  if (hook === "acceptCheckpoint") return (...args) => forward(args);
  return (...args) => collective.rank === 0 ? forward(args) : right(undefined);
}

function ask(
  calls: HookCalls,
  plugin: number,
  hook: string,
  args: ReadonlyArray<unknown>,
  ctx: TrainingContext,
): Promise<Answer> {
  const id = calls.next++;
  return new Promise((resolve) => {
    calls.pending.set(id, resolve);
    try {
      calls.post({ kind: "hook", id, plugin, hook, args, ctx: wireContext(ctx) });
    } catch (cause) {
      calls.pending.delete(id);
      resolve(left(cause as HyperionError));
    }
  });
}

/** The context without its functions; the generator as its state. */
function wireContext(ctx: TrainingContext): WireContext {
  const { plugins: _plugins, rng, collective: _collective, ...rest } = ctx;
  return { ...rest, rng: rngState(rng) };
}
