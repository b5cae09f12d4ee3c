/**
 * The checkpoint steps of `fit`: find the checkpoint to resume from, let the plug-ins accept
 * or refuse it, restore from it, and write one (atomically, keeping only the newest
 * `keepLastCheckpoints`). Reading and validating a file is `checkpoint.ts`'s job.
 *
 * @module
 */
import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { type Either, left, right } from "../effect/mod.ts";
import type { HyperionError } from "../errors.ts";
import { corruptCheckpoint, invalidTrainerConfig } from "./errors.ts";
import { isAtomicTemp, writeFileAtomic } from "../fs/atomic.ts";
import { rngState } from "../random/rng.ts";
import {
  type Checkpoint,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkpointFileName,
  encodeCheckpoint,
  findLatestCheckpoint,
  parseCheckpointFileName,
  readCheckpoint,
} from "./checkpoint.ts";
import type { ResolvedTrainerConfig } from "./trainer.ts";
import type { Plugin, TrainingState } from "./types.ts";
import { call, failWith, pluginName, steps } from "./_handlers.ts";
import { nonJsonReason } from "./_io.ts";
import { contextOf, type LoopEnv, type LoopState, type Step } from "./_state.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The checkpoint a run resumes from, and its path. */
export interface Resumable {
  /** The checkpoint file. */
  readonly path: string;
  /** Its content. */
  readonly checkpoint: Checkpoint;
}

// -------------------------------------------------------------------------------------
// find and restore
// -------------------------------------------------------------------------------------

/** Removes the temporary files an interrupted checkpoint write of `saveName` left in `dir`. */
export async function removeStaleTemps(dir: string, saveName: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!isAtomicTemp(name)) continue;
    const target = parseCheckpointFileName(name.replace(/\.[0-9a-f-]{36}\.tmp$/, ""));
    if (target?.saveName === saveName) await unlink(join(dir, name)).catch(() => undefined);
  }
}

/**
 * The latest checkpoint of `saveName` under `chkptRoot`, read and checked (`undefined` when
 * checkpoints are off or there is none). `CorruptCheckpoint` when it cannot be read or is not
 * ours; `InvalidTrainerConfig` when it was written with another `trainUnit`.
 */
export function findResumable(
  cfg: ResolvedTrainerConfig,
  saveName: string,
): Step<Resumable | undefined> {
  return steps(function* (_) {
    const root = cfg.chkptRoot;
    if (root === undefined) return undefined;
    const path = yield* _(findLatestCheckpoint(root, saveName));
    if (path === undefined) return undefined;
    const checkpoint = yield* _(readCheckpoint(path, saveName));
    const unit = checkpoint.trainingState.trainUnit;
    if (unit !== cfg.trainUnit) {
      return yield* _(left(invalidTrainerConfig({
        field: "trainUnit",
        value: cfg.trainUnit,
        expected: `'${unit}' to resume from checkpoint '${path}'`,
      })));
    }
    return { path, checkpoint };
  });
}

/** Asks plug-in `p` whether it accepts the checkpoint; `CorruptCheckpoint` when it refuses. */
function askAccept<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  from: Resumable,
  p: Plugin,
): Step<void> {
  return steps(function* (_) {
    const h = p.acceptCheckpoint;
    if (h === undefined) return;
    const plugins = from.checkpoint.plugins;
    const saved = Object.hasOwn(plugins, p.id) ? plugins[p.id] : undefined;
    const who = pluginName(p, "acceptCheckpoint");
    const verdict = yield* _(() =>
      call<S, B, V, unknown>(env, ts, who, () => h(saved, contextOf(env, ts)))
    );
    if (verdict === true) return;
    if (typeof verdict !== "string") {
      const e = new TypeError(
        `'acceptCheckpoint' must return true or a reason, got ${typeof verdict}`,
      );
      return yield* _(failWith<S, B, V>(env, ts, e, who));
    }
    return yield* _(left(corruptCheckpoint(from.path, `plug-in '${p.id}' refuses it: ${verdict}`)));
  });
}

/**
 * Restores the run from `from` once every plug-in accepted it: the generator, the training
 * state, the model (`loadStateDict`, else the saved state as is) and each plug-in that saved
 * something.
 */
export function restore<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  from: Resumable,
): Step<LoopState<S>> {
  return steps(function* (_) {
    for (const p of env.plugins) yield* _(() => askAccept(env, st.ts, from, p));
    const cp = from.checkpoint;
    env.rng.s.set(cp.rng.s);
    const ts = cp.trainingState;
    const load = env.model.loadStateDict;
    let state = cp.model as S;
    if (load !== undefined) {
      const c = contextOf(env, ts);
      state = yield* _(() =>
        call(env, ts, "model.loadStateDict", () => load(st.state, cp.model, c))
      );
    }
    for (const p of env.plugins) {
      const h = p.loadStateDict;
      if (h === undefined || !Object.hasOwn(cp.plugins, p.id)) continue;
      const saved = cp.plugins[p.id] as Checkpoint["model"];
      yield* _(() =>
        call(env, ts, pluginName(p, "loadStateDict"), () => h(saved, contextOf(env, ts)))
      );
    }
    return { ...st, ts, state };
  });
}

// -------------------------------------------------------------------------------------
// write
// -------------------------------------------------------------------------------------

/** The checkpoints of `saveName` in `dir`, newest first (highest epoch, then iteration). */
async function listCheckpoints(dir: string, saveName: string): Promise<ReadonlyArray<string>> {
  const found: Array<{ name: string; epoch: number; iteration: number }> = [];
  for (const name of await readdir(dir)) {
    const parsed = parseCheckpointFileName(name);
    if (parsed !== undefined && parsed.saveName === saveName) found.push({ name, ...parsed });
  }
  found.sort((a, b) => b.epoch - a.epoch || b.iteration - a.iteration);
  return found.map((f) => join(dir, f.name));
}

/** A `TrainingFailed` at `checkpoint` when `value` does not survive JSON. */
function checkJson<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  what: string,
  value: unknown,
): Either<HyperionError, unknown> {
  const reason = nonJsonReason(value);
  if (reason === undefined) return right(value);
  const message =
    `Cannot write checkpoint as the ${what} state dict is not JSON-serialisable: ${reason}`;
  return failWith(env, ts, new TypeError(message), "checkpoint");
}

/** The model's and the plug-ins' state dicts, each checked to be JSON. */
function stateDicts<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
): Step<{ readonly model: unknown; readonly plugins: Record<string, unknown> }> {
  const c = contextOf(env, st.ts);
  return steps(function* (_) {
    const stateDict = env.model.stateDict;
    const modelDict = stateDict === undefined
      ? st.state
      : yield* _(() =>
        call<S, B, V, unknown>(env, st.ts, "model.stateDict", () => stateDict(st.state, c))
      );
    const model = yield* _(checkJson(env, st.ts, "model's", modelDict));
    let plugins: Record<string, unknown> = {};
    for (const p of env.plugins) {
      const h = p.stateDict;
      if (h === undefined) continue;
      const who = pluginName(p, "stateDict");
      const value = yield* _(() => call<S, B, V, unknown>(env, st.ts, who, () => h(c)));
      yield* _(checkJson(env, st.ts, `plug-in '${p.id}'`, value));
      plugins = { ...plugins, [p.id]: value };
    }
    return { model, plugins };
  });
}

/**
 * Writes a checkpoint of the run as it stands (on the writing rank, when checkpoints are on),
 * then deletes the oldest ones beyond `keepLastCheckpoints`.
 */
export function saveCheckpoint<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
): Step<LoopState<S>> {
  return steps(function* (_) {
    const dir = env.checkpointDir;
    if (!env.writer || dir === undefined) return st;
    const dicts = yield* _(() => stateDicts(env, st));
    return yield* _(() => writeCheckpoint(env, st, dir, dicts));
  });
}

/** Writes the checkpoint file of `st` with its state dicts, then prunes the oldest ones. */
async function writeCheckpoint<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  dir: string,
  dicts: { readonly model: unknown; readonly plugins: Record<string, unknown> },
): Step<LoopState<S>> {
  const ts = st.ts;
  const doc: Checkpoint = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    saveName: env.saveName,
    trainingState: ts,
    model: dicts.model as Checkpoint["model"],
    rng: rngState(env.rng),
    plugins: dicts.plugins as Checkpoint["plugins"],
    log: st.log === undefined ? null : { file: st.log.file, bytes: st.log.bytes },
  };
  const path = join(dir, checkpointFileName(env.saveName, ts.epoch, ts.iteration));
  try {
    await writeFileAtomic(path, JSON.stringify(encodeCheckpoint(doc)));
    const keep = env.cfg.keepLastCheckpoints;
    if (keep !== undefined) {
      for (const old of (await listCheckpoints(dir, env.saveName)).slice(keep)) await unlink(old);
    }
  } catch (e) {
    return failWith(env, ts, e, "checkpoint");
  }
  return right({ ...st, written: [...st.written, path] });
}
