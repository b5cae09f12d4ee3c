/**
 * The module every rank's Worker runs. It waits for the main thread's start message, imports
 * the model (and data) module export, builds the rank's trainer (the main thread's
 * configuration with this rank, stand-ins for the main thread's plug-ins, progress lines
 * forwarded), runs `fit` with the shared-memory collective in its context, and posts the
 * result (`done`) or the failure (`failed`). A barrier before the model's setup makes every rank
 * find the checkpoint to resume from before any rank can write a newer one.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import { type ParentChannel, parentChannel } from "../../runtime/workers.ts";
import { arrayDataModule, type DataModule } from "../data.ts";
import { fitRank } from "../fit.ts";
import type { Model } from "../model.ts";
import { createTrainer, registerPlugin, type Trainer } from "../trainer.ts";
import type { Collective, FitResult, TrainingContext } from "../types.ts";
import { sharedCollective } from "./_collective.ts";
import {
  cloneable,
  type RankMessage,
  type RankResult,
  type ReplyMessage,
  type StartMessage,
} from "./_protocol.ts";
import { type HookCalls, hookCalls, proxyPlugins, settleCall } from "./_proxy.ts";

type AnyModel = Model<unknown, unknown, unknown>;
type AnyData = DataModule<unknown, unknown>;

/** What a module export may be: the value, or a factory of it given the rank. */
async function resolveExport(
  spec: { readonly url: string; readonly exportName: string },
  msg: StartMessage,
  field: string,
): Promise<Either<HyperionError, unknown>> {
  const bad = (expected: string, value: unknown) =>
    left(invalidArgument({ field, value, expected }));
  let module: Record<string, unknown>;
  try {
    module = await import(spec.url);
  } catch (e) {
    return bad(`a module URL that can be imported (${String(e)})`, spec.url);
  }
  const value = module[spec.exportName];
  if (value === undefined) return bad(`an export of '${spec.url}'`, spec.exportName);
  if (typeof value !== "function") return right(value);
  try {
    const init = { rank: msg.rank, worldSize: msg.memory.worldSize, options: msg.options };
    return right(await value(init));
  } catch (e) {
    return left(invalidArgument({ field, value: spec.exportName, expected: `a factory (${e})` }));
  }
}

function isModel(value: unknown): value is AnyModel {
  const m = value as AnyModel;
  return typeof m === "object" && m !== null && typeof m.saveName === "string" &&
    typeof m.setup === "function" && typeof m.trainStep === "function";
}

async function loadParts(
  msg: StartMessage,
): Promise<Either<HyperionError, { model: AnyModel; data: AnyData }>> {
  const model = await resolveExport(msg.model, msg, "model.exportName");
  if (model._tag === "Left") return model;
  if (!isModel(model.right)) {
    return left(invalidArgument({
      field: "model.exportName",
      value: msg.model.exportName,
      expected: "an export that is a Model (saveName, setup, trainStep) or a factory of one",
    }));
  }
  if (!("url" in msg.data)) {
    const { train, validation, batchSize, shuffle } = msg.data;
    const options = {
      ...(validation === undefined ? {} : { validation }),
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(shuffle === undefined ? {} : { shuffle }),
    };
    return right({ model: model.right, data: arrayDataModule(train, options) as AnyData });
  }
  const data = await resolveExport(msg.data, msg, "data.exportName");
  if (data._tag === "Left") return data;
  if (typeof (data.right as AnyData)?.trainBatches !== "function") {
    return left(invalidArgument({
      field: "data.exportName",
      value: msg.data.exportName,
      expected: "an export that is a DataModule (trainBatches) or a factory of one",
    }));
  }
  return right({ model: model.right, data: data.right as AnyData });
}

function rankTrainer(
  msg: StartMessage,
  collective: Collective,
  calls: HookCalls,
  channel: ParentChannel,
): Either<HyperionError, Trainer> {
  const progress = msg.forwardProgress
    ? (line: string) => channel.post({ kind: "progress", line } satisfies RankMessage)
    : msg.config.progress;
  const base = createTrainer({
    ...msg.config,
    rank: msg.rank,
    worldSize: msg.memory.worldSize,
    progress,
    trainExceptions: msg.trainExceptions,
  });
  if (base._tag === "Left") return base;
  let trainer = base.right;
  for (const plugin of proxyPlugins(msg.plugins, collective, calls)) {
    const next = registerPlugin(trainer, plugin);
    if (next._tag === "Left") return next;
    trainer = next.right;
  }
  return right(trainer);
}

/** The model with a barrier before its setup and its last context kept for `stateDict`. */
function rankModel(
  model: AnyModel,
  saveName: string | undefined,
  collective: Collective,
  last: { ctx: TrainingContext | undefined },
): AnyModel {
  return {
    ...model,
    ...(saveName === undefined ? {} : { saveName }),
    setup: (ctx) => {
      const synced = collective.barrier();
      return synced._tag === "Left" ? synced : model.setup(ctx);
    },
    onTrainingEnd: (state, ctx) => {
      last.ctx = ctx;
      return model.onTrainingEnd === undefined ? state : model.onTrainingEnd(state, ctx);
    },
  };
}

async function savedState(
  model: AnyModel,
  result: FitResult<unknown>,
  ctx: TrainingContext | undefined,
): Promise<unknown> {
  if (model.stateDict === undefined || ctx === undefined) return result.state;
  const out: unknown = await model.stateDict(result.state, ctx);
  const either = out as { _tag?: string; right?: unknown; left?: unknown };
  if (either?._tag === "Right") return either.right;
  if (either?._tag === "Left") throw either.left;
  return out;
}

async function runRank(
  msg: StartMessage,
  channel: ParentChannel,
  calls: HookCalls,
): Promise<RankMessage> {
  const collective = sharedCollective(msg.memory, msg.rank);
  const parts = await loadParts(msg);
  if (parts._tag === "Left") return { kind: "failed", error: parts.left };
  const trainer = rankTrainer(msg, collective, calls, channel);
  if (trainer._tag === "Left") return { kind: "failed", error: trainer.left };
  const last = { ctx: undefined as TrainingContext | undefined };
  const model = rankModel(parts.right.model, msg.saveName, collective, last);
  const fitted = await fitRank(trainer.right, model, parts.right.data, collective)();
  if (fitted._tag === "Left") return { kind: "failed", error: fitted.left };
  const { state: _state, ...rest } = fitted.right;
  const result: RankResult = {
    rank: msg.rank,
    ...rest,
    state: await savedState(parts.right.model, fitted.right, last.ctx),
  };
  return { kind: "done", result };
}

async function main(): Promise<void> {
  const channel = await parentChannel();
  const calls = hookCalls((message) => channel.post(message));
  channel.listen((data) => {
    const msg = data as StartMessage | ReplyMessage;
    if (msg.kind === "reply") return settleCall(calls, msg);
    if (msg.kind !== "start") return;
    runRank(msg, channel, calls)
      .catch((error): RankMessage => ({ kind: "failed", error }))
      .then((out) => {
        try {
          channel.post(out);
        } catch (cause) {
          const error = out.kind === "failed" ? cloneable(out.error) : cloneable(cause);
          channel.post({ kind: "failed", error } satisfies RankMessage);
        }
      });
  });
}

await main();
