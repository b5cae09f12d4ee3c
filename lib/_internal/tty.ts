/**
 * Runtime-neutral access to a terminal on standard error, for progress bars. Private.
 *
 * @module
 */

/** A sink for progress lines. */
export interface ProgressSink {
  readonly isTerminal: boolean;
  readonly write: (text: string) => void;
}

interface DenoLike {
  readonly stderr?: {
    readonly isTerminal?: () => boolean;
    readonly writeSync?: (p: Uint8Array) => number;
  };
}

/** Standard error when it is a terminal (Deno or Node), else a sink that writes nothing. */
export function stderrSink(): ProgressSink {
  const g = globalThis as {
    Deno?: DenoLike;
    process?: { stderr?: { isTTY?: boolean; write?: (s: string) => void } };
  };
  const encoder = new TextEncoder();
  const deno = g.Deno?.stderr;
  if (deno?.isTerminal && deno.writeSync) {
    const write = deno.writeSync.bind(deno);
    return { isTerminal: deno.isTerminal(), write: (text) => void write(encoder.encode(text)) };
  }
  const node = g.process?.stderr;
  if (node?.write) {
    const write = node.write.bind(node);
    return { isTerminal: node.isTTY === true, write: (text) => void write(text) };
  }
  return { isTerminal: false, write: () => {} };
}
