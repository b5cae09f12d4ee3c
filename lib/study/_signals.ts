/**
 * Runtime-neutral handling of SIGINT / SIGTERM (SIGBREAK on Windows) for `optimize`: while at
 * least one cleanup is registered, the process's listeners are installed; the first signal runs
 * every registered cleanup, then exits with 128 + the signal number (130 for SIGINT, 143 for
 * SIGTERM); a second signal while cleaning up exits at once. With nothing registered, no
 * listener is installed and the runtime's default behaviour applies. Private to the library.
 *
 * The state lives in one record, {@link processInterrupts}, because signals are process-wide:
 * several `optimize` runs of one process share the listeners and are all cleaned up.
 *
 * @module
 */

import { type InterruptSignal, type SignalRuntime, signalRuntime } from "../runtime/mod.ts";

export type { InterruptSignal, SignalRuntime };

/** A cleanup run on the first signal (it must not throw; rejections are ignored). */
export type InterruptCleanup = (signal: InterruptSignal) => Promise<void>;

/** The process-wide registry. */
export interface InterruptRegistry {
  /** Registered cleanups (one per running `optimize` with signal handling on). */
  readonly cleanups: Set<InterruptCleanup>;
  /** Listeners installed now, by signal. */
  readonly installed: Map<InterruptSignal, () => void>;
  /** The signal being handled, if any (a second one exits at once). */
  interrupting: InterruptSignal | undefined;
}

/** The one registry of the process. */
export const processInterrupts: InterruptRegistry = {
  cleanups: new Set(),
  installed: new Map(),
  interrupting: undefined,
};

const EXIT_CODES: Readonly<Record<InterruptSignal, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGBREAK: 149,
};

/** The exit status after `signal` (128 + its number). */
export function exitCode(signal: InterruptSignal): number {
  return EXIT_CODES[signal];
}

/** The current runtime's signal functions, or `undefined` (then nothing is handled). */
export function currentRuntime(): SignalRuntime | undefined {
  return signalRuntime();
}

function signalsOf(runtime: SignalRuntime): ReadonlyArray<InterruptSignal> {
  return runtime.windows ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM"];
}

async function interrupt(
  registry: InterruptRegistry,
  runtime: SignalRuntime,
  signal: InterruptSignal,
): Promise<void> {
  if (registry.interrupting !== undefined) {
    runtime.exit(exitCode(signal)); // a second signal: at once
    return;
  }
  registry.interrupting = signal;
  await Promise.allSettled([...registry.cleanups].map((cleanup) => cleanup(signal)));
  runtime.exit(exitCode(signal));
}

/**
 * Registers `cleanup` until the returned function is called; installs the listeners on the
 * first registration and removes them with the last.
 */
export function onInterrupt(
  cleanup: InterruptCleanup,
  runtime: SignalRuntime | undefined = currentRuntime(),
  registry: InterruptRegistry = processInterrupts,
): () => void {
  if (runtime === undefined) return () => {};
  registry.cleanups.add(cleanup);
  if (registry.installed.size === 0) {
    for (const signal of signalsOf(runtime)) {
      const listener = (): void => void interrupt(registry, runtime, signal);
      if (runtime.add(signal, listener)) registry.installed.set(signal, listener);
    }
  }
  return () => {
    registry.cleanups.delete(cleanup);
    if (registry.cleanups.size > 0 || registry.interrupting !== undefined) return;
    for (const [signal, listener] of registry.installed) runtime.remove(signal, listener);
    registry.installed.clear();
  };
}
