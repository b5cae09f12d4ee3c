/**
 * The main thread's side of the plug-in stand-ins: runs the real plug-in hook a rank asked for
 * and answers with its `Either`. The hook receives the rank's context rebuilt around the main
 * thread's plug-ins, a copy of the rank's generator, and collectives that refuse to run (the
 * main thread is no rank).
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { notSupported } from "../../errors.ts";
import { rngFromState } from "../../random/rng.ts";
import type { Collective, Plugin, TrainingContext } from "../types.ts";
import { cloneable, type HookMessage, type ReplyMessage } from "./_protocol.ts";

/** The collectives of the main thread: every operation is a `Left` `NotSupported`. */
function hostCollective(worldSize: number): Collective {
  const refuse = (op: string) =>
    left(notSupported(op, "plug-ins run in the main thread, which is not one of the ranks"));
  return {
    rank: -1,
    worldSize,
    allReduce: () => refuse("allReduce"),
    broadcast: () => refuse("broadcast"),
    barrier: () => refuse("barrier"),
  };
}

function isEither(value: unknown): value is Either<unknown, unknown> {
  const v = value as { _tag?: unknown } | null;
  return typeof v === "object" && v !== null &&
    ((v._tag === "Left" && "left" in v) || (v._tag === "Right" && "right" in v));
}

/** Runs the hook `msg` names on the main thread's plug-ins and builds the reply. */
export async function serveHook(
  plugins: ReadonlyArray<Plugin>,
  worldSize: number,
  msg: HookMessage,
): Promise<ReplyMessage> {
  const answer = (result: ReplyMessage["result"]): ReplyMessage => ({
    kind: "reply",
    id: msg.id,
    result,
  });
  const plugin = plugins[msg.plugin] as unknown as Record<string, unknown> | undefined;
  const hook = plugin?.[msg.hook];
  if (typeof hook !== "function") {
    return answer(left(new TypeError(`no hook '${msg.hook}' on plug-in #${msg.plugin}`)));
  }
  const ctx: TrainingContext = {
    ...msg.ctx,
    plugins,
    rng: rngFromState(msg.ctx.rng),
    collective: hostCollective(worldSize),
  };
  try {
    const out: unknown = await hook.call(plugin, ...msg.args, ctx);
    const either = isEither(out) ? out : right(out);
    return answer(
      either._tag === "Left" ? left(cloneable(either.left)) : right(cloneable(either.right)),
    );
  } catch (cause) {
    return answer(left(cloneable(cause)));
  }
}
