/**
 * Runtime-neutral access to a terminal on standard error, for progress bars. Private.
 *
 * @module
 */

import { type StderrSink, stderrSink } from "../runtime/mod.ts";

/** A sink for progress lines. */
export type ProgressSink = StderrSink;

/** Standard error when it is a terminal (Deno, Node or Bun), else a sink that writes nothing. */
export { stderrSink };

/**
 * A progress display on a sink. On a terminal, one line redrawn in place with `\r`, padded with
 * spaces over the previous text when the new one is shorter, and ended with a newline; elsewhere,
 * plain lines without control characters: one every tenth of the total (when known) or every
 * `plainIntervalMs` with progress, and a last one at the end.
 */
export interface Progress {
  readonly sink: ProgressSink;
  /** The number of trials expected, if known. */
  readonly total: number | undefined;
  /** At least this long between two plain lines without a tenth of progress. */
  readonly plainIntervalMs: number;
  /** Visible length of the line on the terminal now (0: nothing drawn). */
  shown: number;
  /** Whether anything was drawn on the terminal (a final newline is owed). */
  drawn: boolean;
  /** The progress count and time of the last plain line. */
  lastDone: number;
  lastAt: number;
  /** The last text, for redraws and the final plain line. */
  text: string;
  done: number;
}

/** Starts a progress display. */
export function createProgress(
  sink: ProgressSink,
  total: number | undefined,
  now: number,
  plainIntervalMs = 10_000,
): Progress {
  return {
    sink,
    total,
    plainIntervalMs,
    shown: 0,
    drawn: false,
    lastDone: 0,
    lastAt: now,
    text: "",
    done: 0,
  };
}

function drawLine(p: Progress, text: string): void {
  const pad = Math.max(0, p.shown - text.length);
  p.sink.write(`\r${text}${" ".repeat(pad)}`);
  p.shown = text.length;
  p.drawn = true;
}

/** Shows progress `done` with `text` (terminal) or `plainText` (other sinks, when due). */
export function updateProgress(
  p: Progress,
  done: number,
  text: string,
  plainText: string,
  now: number,
): void {
  p.done = done;
  if (p.sink.isTerminal) {
    p.text = text;
    drawLine(p, text);
    return;
  }
  p.text = plainText;
  const step = p.total === undefined ? Infinity : Math.max(1, Math.ceil(p.total / 10));
  const due = done - p.lastDone >= step ||
    (done > p.lastDone && now - p.lastAt >= p.plainIntervalMs);
  if (!due) return;
  p.sink.write(`${plainText}\n`);
  p.lastDone = done;
  p.lastAt = now;
}

/** Runs `write` with the terminal line cleared, then redraws it (for log lines). */
export function aroundProgress(p: Progress, write: () => void): void {
  if (!p.sink.isTerminal || p.shown === 0) return write();
  p.sink.write(`\r${" ".repeat(p.shown)}\r`);
  p.shown = 0;
  try {
    write();
  } finally {
    drawLine(p, p.text);
  }
}

/** Ends the display: a newline on a terminal, the last plain line elsewhere. */
export function finishProgress(p: Progress): void {
  if (p.sink.isTerminal) {
    if (p.drawn) p.sink.write("\n");
  } else if (p.done > p.lastDone) {
    p.sink.write(`${p.text}\n`);
    p.lastDone = p.done;
  }
  p.drawn = false;
  p.shown = 0;
}
