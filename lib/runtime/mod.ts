/**
 * The runtime adapter: the one place in `lib/` that touches `Deno.*` or Node's `process`.
 * Everything else asks it for the runtime's name, the process id, an environment variable,
 * standard output and error (is it a terminal? write a line; a reader that went away drops the
 * rest), the command-line arguments, whether a module is the program, and the process's signal
 * and exit functions.
 * It detects Deno, Node and Bun (which both expose Node's `process`) through `globalThis`, so
 * the library imports no `node:process` and runs in a browser too, where these functions
 * answer "nothing here". Private to the library.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The JavaScript runtime the code runs on.
 *
 * @category model
 */
export type RuntimeName = "deno" | "bun" | "node" | "browser" | "unknown";

/**
 * Standard output or error as a sink for lines.
 *
 * @category model
 */
export interface OutputSink {
  /** True when the stream is a terminal (progress lines are then redrawn in place). */
  readonly isTerminal: boolean;
  /**
   * Writes text as it is (no newline added), all of it; when the reader went away (`| head`)
   * the rest is dropped, not an error.
   */
  readonly write: (text: string) => void;
}

/**
 * Standard error as a sink for progress and log lines.
 *
 * @category model
 */
export type StderrSink = OutputSink;

/**
 * A signal the study runtime handles.
 *
 * @category model
 */
export type InterruptSignal = "SIGINT" | "SIGTERM" | "SIGBREAK";

/**
 * The runtime's signal and exit functions.
 *
 * @category model
 */
export interface SignalRuntime {
  /** Installs a listener; false when the runtime does not support the signal here. */
  readonly add: (signal: InterruptSignal, listener: () => void) => boolean;
  /** Removes a listener installed with `add`. */
  readonly remove: (signal: InterruptSignal, listener: () => void) => void;
  /** Ends the process with an exit status. */
  readonly exit: (code: number) => void;
  /** True on Windows (SIGBREAK instead of SIGTERM). */
  readonly windows: boolean;
}

interface DenoFile {
  readonly isTerminal?: () => boolean;
  readonly writeSync?: (p: Uint8Array) => number;
}

interface NodeStream {
  readonly isTTY?: boolean;
  readonly write?: (s: string) => unknown;
  readonly on?: (event: string, listener: (e: unknown) => void) => unknown;
  readonly listenerCount?: (event: string) => number;
}

interface DenoGlobal {
  readonly pid?: number;
  readonly args?: ReadonlyArray<string>;
  readonly errors?: { readonly BrokenPipe?: new () => Error };
  readonly stdout?: DenoFile;
  readonly version?: { readonly deno?: string };
  readonly env?: { readonly get?: (name: string) => string | undefined };
  readonly stderr?: DenoFile;
  readonly addSignalListener?: (signal: string, listener: () => void) => void;
  readonly removeSignalListener?: (signal: string, listener: () => void) => void;
  readonly exit?: (code: number) => never;
  readonly build?: { readonly os?: string };
}

interface NodeProcess {
  readonly pid?: number;
  readonly versions?: { readonly node?: string; readonly bun?: string };
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly argv?: ReadonlyArray<string>;
  readonly stdout?: NodeStream;
  readonly stderr?: NodeStream;
  readonly on?: (event: string, listener: () => void) => unknown;
  readonly off?: (event: string, listener: () => void) => unknown;
  readonly exit?: (code: number) => never;
  readonly platform?: string;
}

interface Globals {
  readonly Deno?: DenoGlobal;
  readonly process?: NodeProcess;
  readonly Bun?: unknown;
  readonly document?: unknown;
}

function globals(): Globals {
  return globalThis as Globals;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The runtime this code runs on: Deno (checked first, as Deno also defines `process` for npm
 * packages), Bun, Node, a browser (a `document` and none of the others), or unknown.
 *
 * @category queries
 */
export function runtimeName(): RuntimeName {
  const g = globals();
  if (typeof g.Deno?.version?.deno === "string") return "deno";
  if (g.Bun !== undefined || typeof g.process?.versions?.bun === "string") return "bun";
  if (typeof g.process?.versions?.node === "string") return "node";
  if (g.document !== undefined) return "browser";
  return "unknown";
}

/**
 * The id of this process, or `undefined` where there is none (a browser).
 *
 * @category queries
 */
export function processId(): number | undefined {
  const g = globals();
  return g.Deno?.pid ?? g.process?.pid;
}

/**
 * The environment variable `name`, or `undefined` when it is unset or cannot be read (Deno
 * without `--allow-env`, a browser).
 *
 * @category queries
 */
export function envVar(name: string): string | undefined {
  const g = globals();
  try {
    if (g.Deno?.env?.get) return g.Deno.env.get(name);
    return g.process?.env?.[name];
  } catch {
    return undefined; // Deno without --allow-env
  }
}

/**
 * Standard error as a sink (Deno, Node or Bun); a sink that writes nothing where there is no
 * standard error (a browser).
 *
 * @category queries
 */
export function stderrSink(): StderrSink {
  const g = globals();
  return outputSink(g.Deno?.stderr, g.process?.stderr);
}

/**
 * Standard output as a sink (Deno, Node or Bun); a sink that writes nothing where there is no
 * standard output (a browser).
 *
 * @category queries
 */
export function stdoutSink(): OutputSink {
  const g = globals();
  return outputSink(g.Deno?.stdout, g.process?.stdout);
}

/**
 * True when `e` says the reader of a pipe went away (Deno's `BrokenPipe`, Node's `EPIPE`).
 *
 * @category queries
 */
export function isBrokenPipe(e: unknown): boolean {
  const BrokenPipe = globals().Deno?.errors?.BrokenPipe;
  if (BrokenPipe !== undefined && e instanceof BrokenPipe) return true;
  return (e as { code?: unknown } | null)?.code === "EPIPE";
}

/**
 * The program's command-line arguments (after the script's path); none in a browser.
 *
 * @category queries
 */
export function commandArgs(): ReadonlyArray<string> {
  const g = globals();
  return g.Deno?.args ?? g.process?.argv?.slice(2) ?? [];
}

/**
 * True when the module of `meta` is the program that was run (`import.meta.main` on Deno and
 * Bun; on Node, which lacks it before 24.2, its file is the script `process.argv[1]` names).
 *
 * @category queries
 */
export function isMainModule(
  meta: { readonly main?: boolean; readonly filename?: string },
): boolean {
  if (typeof meta.main === "boolean") return meta.main;
  const script = globals().process?.argv?.[1];
  return meta.filename !== undefined && script !== undefined && meta.filename === script;
}

/**
 * Ends the process with the exit status `code` (nothing happens where there is no process).
 *
 * @category queries
 */
export function exitProcess(code: number): void {
  signalRuntime()?.exit(code);
}

function outputSink(deno: DenoFile | undefined, node: NodeStream | undefined): OutputSink {
  if (deno?.isTerminal && deno.writeSync) {
    const encoder = new TextEncoder();
    const writeSync = deno.writeSync.bind(deno);
    return {
      isTerminal: deno.isTerminal(),
      write: (text) => {
        let bytes = encoder.encode(text);
        try {
          while (bytes.length > 0) bytes = bytes.subarray(writeSync(bytes));
        } catch (e) {
          if (!isBrokenPipe(e)) throw e;
        }
      },
    };
  }
  if (node?.write) {
    // Node reports a closed pipe as an 'error' event, fatal unless listened to: the rest is dropped
    if (node.on && node.listenerCount?.("error") === 0) {
      node.on.call(node, "error", (e) => {
        if (!isBrokenPipe(e)) throw e;
      });
    }
    const write = node.write.bind(node);
    return { isTerminal: node.isTTY === true, write: (text) => void write(text) };
  }
  return { isTerminal: false, write: () => {} };
}

/**
 * The runtime's signal and exit functions, or `undefined` where there are none (a browser):
 * then nothing is handled.
 *
 * @category queries
 */
export function signalRuntime(): SignalRuntime | undefined {
  const g = globals();
  return denoSignals(g.Deno) ?? nodeSignals(g.process);
}

function denoSignals(deno: DenoGlobal | undefined): SignalRuntime | undefined {
  if (!deno?.addSignalListener || !deno.removeSignalListener || !deno.exit) return undefined;
  const { addSignalListener, removeSignalListener, exit } = deno;
  return {
    add: (signal, listener) => {
      try {
        addSignalListener(signal, listener);
        return true;
      } catch {
        return false; // unsupported here (SIGTERM on Windows, SIGBREAK elsewhere)
      }
    },
    remove: (signal, listener) => {
      try {
        removeSignalListener(signal, listener);
      } catch { /* was not installed */ }
    },
    exit: (code) => exit(code),
    windows: deno.build?.os === "windows",
  };
}

function nodeSignals(node: NodeProcess | undefined): SignalRuntime | undefined {
  if (!node?.on || !node.off || !node.exit) return undefined;
  const { on, off, exit } = node;
  return {
    add: (signal, listener) => {
      try {
        on.call(node, signal, listener);
        return true;
      } catch {
        return false;
      }
    },
    remove: (signal, listener) => void off.call(node, signal, listener),
    exit: (code) => exit.call(node, code),
    windows: node.platform === "win32",
  };
}
