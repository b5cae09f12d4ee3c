/**
 * The running losses, the JSON-lines log and the progress line of `fit`. Losses are summed in
 * three windows (since the last `train` line, the last validation cycle, the epoch start); each
 * log line takes the means of its own window and empties it, with or without a log file, so
 * that a checkpoint holds the same sums either way.
 *
 * @module
 */
import { appendFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stderrSink } from "../runtime/mod.ts";
import { type Either, left, right } from "../effect/mod.ts";
import { describeCause, type HyperionError } from "../errors.ts";
import { invalidTrainerConfig } from "./errors.ts";
import type { CheckpointLog } from "./checkpoint.ts";
import type { LossWindows, RunningLoss, TrainingState } from "./types.ts";
import { failWith, isRecord } from "./_handlers.ts";
import { stringifyJson } from "./_io.ts";
import type { LogFile, LoopEnv, LoopState, ProgressSink, Step } from "./_state.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The kinds of log line. */
export type LogEvent = "train" | "validation" | "epoch" | "end";

// -------------------------------------------------------------------------------------
// losses
// -------------------------------------------------------------------------------------

function meanLosses(losses: Readonly<Record<string, RunningLoss>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(losses)) out[k] = v.sum / v.count;
  return out;
}

/** Adds one training step's `losses` (checked: a record of numbers) to every window. */
export function addLosses<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  losses: unknown,
): Either<HyperionError, TrainingState> {
  if (losses === undefined) return right(ts);
  const who = "model.trainStep";
  if (!isRecord(losses)) {
    return failWith(env, ts, new TypeError(`'trainStep' losses must be a record of numbers`), who);
  }
  const entries = Object.entries(losses);
  for (const [k, v] of entries) {
    if (typeof v !== "number") {
      const e = new TypeError(`'trainStep' loss '${k}' must be a number, got ${typeof v}`);
      return failWith(env, ts, e, who);
    }
  }
  const add = (window: Readonly<Record<string, RunningLoss>>) => {
    const next: Record<string, RunningLoss> = { ...window };
    for (const [k, v] of entries) {
      const prev = next[k] ?? { sum: 0, count: 0 };
      next[k] = { sum: prev.sum + (v as number), count: prev.count + 1 };
    }
    return next;
  };
  const w = ts.runningLosses;
  return right({
    ...ts,
    runningLosses: { train: add(w.train), validation: add(w.validation), epoch: add(w.epoch) },
  });
}

/** The means of `window`'s losses, and the training state with that window emptied. */
function takeLosses(
  ts: TrainingState,
  window: keyof LossWindows,
): { readonly means: Record<string, number>; readonly ts: TrainingState } {
  return {
    means: meanLosses(ts.runningLosses[window]),
    ts: { ...ts, runningLosses: { ...ts.runningLosses, [window]: {} } },
  };
}

// -------------------------------------------------------------------------------------
// log
// -------------------------------------------------------------------------------------

/**
 * Opens the log `<logPath>/<saveName>.jsonl` on the writing rank: cut back to the position
 * `saved` (the resumed checkpoint's) when it names the same file, else emptied. `undefined`
 * when no log is written; `InvalidTrainerConfig` on `logPath` when it cannot be written.
 */
export async function openLog<S, B, V>(
  env: LoopEnv<S, B, V>,
  saved: CheckpointLog | null | undefined,
): Step<LogFile | undefined> {
  const logPath = env.cfg.logPath;
  if (logPath === undefined || !env.writer) return right(undefined);
  const file = `${env.saveName}.jsonl`;
  const path = join(logPath, file);
  try {
    if (saved !== undefined && saved !== null && saved.file === file) {
      const size = await stat(path).then((s) => s.size, () => 0);
      if (size > saved.bytes) await truncate(path, saved.bytes);
      return right({ path, file, bytes: Math.min(size, saved.bytes) });
    }
    await writeFile(path, "");
    return right({ path, file, bytes: 0 });
  } catch (e) {
    return left(invalidTrainerConfig({
      field: "logPath",
      value: logPath,
      expected: `a folder where '${file}' can be written (${describeCause(e)})`,
    }));
  }
}

/**
 * Writes one log line: `{ event, cycle?, epoch, iteration, losses, ...extra }` (no `losses` on
 * `end`). The event's loss window is taken and emptied even when no log is written.
 */
export async function logLine<S, B, V>(
  env: LoopEnv<S, B, V>,
  st: LoopState<S>,
  event: LogEvent,
  extra: Record<string, unknown> = {},
): Step<LoopState<S>> {
  const taken = event === "end" ? undefined : takeLosses(st.ts, event);
  const ts = taken?.ts ?? st.ts;
  const record = {
    event,
    ...("cycle" in extra ? { cycle: extra.cycle } : {}),
    epoch: st.ts.epoch,
    iteration: st.ts.iteration,
    ...(taken === undefined ? {} : { losses: taken.means }),
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "cycle")),
  };
  const log = st.log;
  if (log === undefined) return right({ ...st, ts });
  const line = `${stringifyJson(record)}\n`;
  try {
    await appendFile(log.path, line);
  } catch (e) {
    return failWith(env, ts, e, "the log");
  }
  const bytes = log.bytes + new TextEncoder().encode(line).length;
  return right({ ...st, ts, log: { ...log, bytes } });
}

// -------------------------------------------------------------------------------------
// progress
// -------------------------------------------------------------------------------------

/** Where progress lines go: a function, standard error when it is a terminal, or nowhere. */
export function progressSink(
  setting: boolean | ((line: string) => void),
): ProgressSink | undefined {
  if (typeof setting === "function") return (line) => setting(line);
  if (setting !== true) return undefined;
  const stderr = stderrSink();
  if (!stderr.isTerminal) return undefined;
  const shown = { at: -Infinity };
  return (line, final) => {
    const now = performance.now();
    if (!final && now - shown.at < 100) return;
    shown.at = now;
    stderr.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
  };
}

function formatNumber(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}

/** Shows the progress line: save name, epoch, iteration, validation-window losses, metrics. */
export function showProgress<S, B, V>(
  env: LoopEnv<S, B, V>,
  ts: TrainingState,
  final: boolean,
): void {
  if (env.progress === undefined) return;
  const { totalSteps, trainUnit } = env.cfg;
  const finite = Number.isFinite(totalSteps);
  const parts = [
    env.saveName,
    `epoch ${ts.epoch}${trainUnit === "epoch" && finite ? `/${totalSteps}` : ""}`,
    `iter ${ts.iteration}${trainUnit === "iteration" && finite ? `/${totalSteps}` : ""}`,
  ];
  for (const [k, v] of Object.entries(meanLosses(ts.runningLosses.validation))) {
    parts.push(`${k} ${formatNumber(v)}`);
  }
  for (const [k, v] of Object.entries(ts.lastMetrics)) parts.push(`val ${k} ${formatNumber(v)}`);
  env.progress(parts.join(" · "), final);
}
