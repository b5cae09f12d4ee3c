/**
 * Threads, for the runtime adapter: starting a module Worker and, inside one, talking to the
 * thread that started it. Deno, Bun and browsers have the web `Worker` (`new Worker(url,
 * { type: "module" })`, `self.postMessage`); Node has `node:worker_threads` (`Worker`,
 * `parentPort`), imported lazily so that nothing else of the library depends on it. Node's
 * Workers also report their end (`exit`); web Workers do not, so a Worker that ends silently is
 * noticed by whoever waits for it (the collective layer's timeout). Private to the library.
 *
 * @module
 */
import { runtimeName } from "./mod.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a started Worker reports.
 *
 * @category model
 */
export interface WorkerEvents {
  /** A message the Worker posted. */
  readonly message: (data: unknown) => void;
  /** An uncaught error in the Worker (it is ended). */
  readonly error: (error: unknown) => void;
  /** The Worker ended with this exit code (Node only). */
  readonly exit: (code: number) => void;
}

/**
 * A started Worker.
 *
 * @category model
 */
export interface WorkerHandle {
  /** Posts a message (structured clone; `SharedArrayBuffer`s are shared). */
  readonly post: (message: unknown) => void;
  /** Ends the Worker at once. */
  readonly terminate: () => Promise<void>;
}

/**
 * Inside a Worker: the channel to the thread that started it.
 *
 * @category model
 */
export interface ParentChannel {
  /** Posts a message to the parent. */
  readonly post: (message: unknown) => void;
  /** Receives the parent's messages. */
  readonly listen: (receive: (data: unknown) => void) => void;
  /** Stops listening, so that the Worker's event loop may end. */
  readonly close: () => void;
}

interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
}

type WebWorkerConstructor = new (url: URL | string, options: { type: "module" }) => WebWorker;

interface NodeWorker {
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
  on(event: string, listener: (value: unknown) => void): void;
}

interface NodeWorkerThreads {
  readonly Worker: new (url: URL) => NodeWorker;
  readonly parentPort: {
    postMessage(message: unknown): void;
    on(event: "message", listener: (value: unknown) => void): void;
    close(): void;
  } | null;
}

interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  close(): void;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Starts the module at `url` in a Worker and routes its events to `events`. Uses the web
 * `Worker` where the runtime has one (Deno, Bun), else `node:worker_threads` (Node).
 *
 * @category constructors
 */
export async function spawnWorker(url: URL, events: WorkerEvents): Promise<WorkerHandle> {
  const WebWorkerClass = (globalThis as { Worker?: WebWorkerConstructor }).Worker;
  if (runtimeName() !== "node" && typeof WebWorkerClass === "function") {
    const worker = new WebWorkerClass(url, { type: "module" });
    worker.addEventListener("message", (e) => events.message((e as MessageEvent).data));
    // Bun reports a Worker's end (Deno does not)
    worker.addEventListener("close", (e) => events.exit((e as { code?: number }).code ?? 0));
    worker.addEventListener("messageerror", () => events.error(new Error("unreadable message")));
    worker.addEventListener("error", (e) => {
      e.preventDefault(); // the failure is the rank's, reported by the caller, not the process's
      const ev = e as ErrorEvent;
      events.error(ev.error ?? new Error(ev.message));
    });
    return {
      post: (message) => worker.postMessage(message),
      terminate: () => Promise.resolve(worker.terminate()),
    };
  }
  const threads = await nodeThreads();
  const worker = new threads.Worker(url);
  worker.on("message", events.message);
  worker.on("error", events.error);
  worker.on("exit", (code) => events.exit(code as number));
  return {
    post: (message) => worker.postMessage(message),
    terminate: async () => void (await worker.terminate()),
  };
}

/**
 * Inside a Worker: the channel to its parent (`parentPort` on Node, `self` elsewhere).
 *
 * @category constructors
 */
export async function parentChannel(): Promise<ParentChannel> {
  if (runtimeName() === "node") {
    const port = (await nodeThreads()).parentPort;
    if (port !== null) {
      return {
        post: (message) => port.postMessage(message),
        listen: (receive) => port.on("message", receive),
        close: () => port.close(),
      };
    }
  }
  const scope = globalThis as unknown as WorkerScope;
  return {
    post: (message) => scope.postMessage(message),
    listen: (receive) => scope.addEventListener("message", (e) => receive(e.data)),
    close: () => scope.close(),
  };
}

function nodeThreads(): Promise<NodeWorkerThreads> {
  return import("node:worker_threads") as unknown as Promise<NodeWorkerThreads>;
}
