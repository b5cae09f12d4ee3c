/**
 * The messages between `fitParallel`'s main thread and its ranks' Workers, and the
 * plain-data forms of what crosses the boundary (contexts without functions, results without
 * closures). Everything here must survive a structured clone.
 *
 * @module
 */
import type { JsonValue } from "../../core/json.ts";
import type { RngState } from "../../random/rng.ts";
import type { ResolvedTrainerConfig } from "../trainer.ts";
import type { FitResult, TrainingContext } from "../types.ts";
import type { CollectiveMemory } from "./_collective.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A module export, named by the module's URL and the export's name: how a model or a data
 * module reaches a Worker (Workers receive data, not closures).
 *
 * @category model
 */
export interface ModuleExport {
  /** The module's URL (`new URL("./my_model.ts", import.meta.url)` or its string). */
  readonly url: string | URL;
  /** The export's name in that module. */
  readonly exportName: string;
}

/**
 * Training (and validation) items given as arrays: every rank builds `arrayDataModule` over
 * them and takes its shard. The arrays are copied to every Worker.
 *
 * @category model
 */
export interface ArrayDataSpec<T = unknown> {
  /** The training items. */
  readonly train: ReadonlyArray<T>;
  /**
   * The validation items.
   *
   * @default {undefined}
   */
  readonly validation?: ReadonlyArray<T>;
  /**
   * Items per batch on each rank.
   *
   * @default {32}
   */
  readonly batchSize?: number;
  /**
   * Shuffle the training items every epoch.
   *
   * @default {true}
   */
  readonly shuffle?: boolean;
}

/** The plug-in hooks a rank forwards to the main thread, by plug-in. */
export interface PluginSpec {
  readonly id: string;
  readonly hooks: ReadonlyArray<string>;
}

/** A training context with its functions taken out (the plug-ins, the generator, collectives). */
export type WireContext = Omit<TrainingContext, "plugins" | "rng" | "collective"> & {
  readonly rng: RngState;
};

/** What the main thread posts to each Worker to start its rank. */
export interface StartMessage {
  readonly kind: "start";
  readonly rank: number;
  readonly memory: CollectiveMemory;
  readonly config: Omit<ResolvedTrainerConfig, "progress"> & { readonly progress: boolean };
  readonly forwardProgress: boolean;
  readonly trainExceptions: ReadonlyArray<string>;
  readonly plugins: ReadonlyArray<PluginSpec>;
  readonly model: { readonly url: string; readonly exportName: string };
  readonly data:
    | { readonly url: string; readonly exportName: string }
    | ArrayDataSpec;
  readonly options: JsonValue | undefined;
  readonly saveName: string | undefined;
}

/** What one rank's `fit` gave, as data: a {@link FitResult} and the rank. */
export interface RankResult extends FitResult<unknown> {
  /** The rank. */
  readonly rank: number;
  /** The model's final state as its `stateDict` saves it (the state itself without one). */
  readonly state: unknown;
}

/** A rank asks the main thread to run a plug-in hook. */
export interface HookMessage {
  readonly kind: "hook";
  readonly id: number;
  readonly plugin: number;
  readonly hook: string;
  readonly args: ReadonlyArray<unknown>;
  readonly ctx: WireContext;
}

/** What a Worker posts to the main thread. */
export type RankMessage =
  | HookMessage
  | { readonly kind: "progress"; readonly line: string }
  | { readonly kind: "done"; readonly result: RankResult }
  | { readonly kind: "failed"; readonly error: unknown };

/** The main thread's answer to a {@link HookMessage}: the hook's `Either`. */
export interface ReplyMessage {
  readonly kind: "reply";
  readonly id: number;
  readonly result: { readonly _tag: "Left"; readonly left: unknown } | {
    readonly _tag: "Right";
    readonly right: unknown;
  };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * `value` if it survives a structured clone, else a copy that does: errors keep their `_tag`,
 * `name` and `message`, other objects become their JSON (functions dropped).
 */
export function cloneable(value: unknown): unknown {
  try {
    structuredClone(value);
    return value;
  } catch {
    if (typeof value === "object" && value !== null) {
      const v = value as { _tag?: unknown; name?: unknown; message?: unknown };
      if (typeof v.message === "string") {
        return {
          ...(typeof v._tag === "string" ? { _tag: v._tag } : {}),
          ...(typeof v.name === "string" ? { name: v.name } : {}),
          message: v.message,
        };
      }
    }
    try {
      return JSON.parse(JSON.stringify(value) ?? "null");
    } catch {
      return String(value);
    }
  }
}
