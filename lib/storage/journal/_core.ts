/**
 * The mechanics of a journal storage: its state record, the in-process queue that runs one
 * operation at a time, the incremental read (from the last byte offset; the replay is the
 * cache), damage detection, and the locked write (sync, decide, append, apply). Private to the
 * journal storage.
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../../effect/mod.ts";
import { type HyperionError, storageError } from "../../errors.ts";
import { decodeLog, encodeLog, type JournalLog } from "./_format.ts";
import type { FileSession, JournalFile } from "./_file.ts";
import { applyLog, type Replay } from "./_replay.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where a journal stops being readable: the 1-based line, its byte offset, why, and the start
 * of its text.
 */
export interface Damage {
  readonly line: number;
  readonly byteOffset: number;
  readonly reason: string;
  readonly text: string;
}

/** Everything a journal storage holds, in one visible record. */
export interface JournalState {
  readonly file: JournalFile;
  readonly now: () => number;
  readonly workerId: string;
  /** The replay (replaced only when a snapshot is loaded, before any operation runs). */
  replay: Replay;
  /** Bytes of the journal applied so far. */
  offset: number;
  /** Lines of the journal applied so far. */
  lines: number;
  /** The first damaged line, once seen (nothing after it is read). */
  damage: Damage | undefined;
  readonly onDamage: (damage: Damage) => void;
  closed: boolean;
  /** Whether to keep a snapshot beside the journal. */
  readonly snapshot: boolean;
  /** `lines` when the last snapshot was read or written. */
  snapshotLines: number;
  /** The operation running now; the next one waits for it. */
  queue: Promise<unknown>;
}

/** What a locked write decided: the lines to append and the answer once they are applied. */
export interface Decision<A> {
  readonly logs: ReadonlyArray<JournalLog>;
  readonly answer: () => A;
}

const NEWLINE = 10;
const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

/**
 * Reads what was appended since the last read and applies it. An incomplete last line is
 * left for later (another process may be writing it, as Optuna assumes) unless `locked`: then
 * nobody is writing, so it is a crash's leftover and damage.
 */
export function sync(st: JournalState, locked: boolean, session?: FileSession): void {
  if (st.damage !== undefined) return;
  let bytes: Uint8Array;
  if (session !== undefined) bytes = session.readFrom(st.offset);
  else {
    const own = st.file.open(false);
    try {
      bytes = own.readFrom(st.offset);
    } finally {
      own.close();
    }
  }
  const last = bytes.lastIndexOf(NEWLINE);
  if (last >= 0 && !applyChunk(st, bytes, last)) return;
  if (last + 1 < bytes.length && locked) {
    damaged(st, last + 1, bytes, "incomplete last line (a crash during a write?)");
  }
}

/**
 * Applies the complete lines `bytes[0..last]` (decoded at once; line by line when they are not
 * all UTF-8, to find the bad one); false when a line is damaged.
 */
function applyChunk(st: JournalState, bytes: Uint8Array, last: number): boolean {
  let block: ReadonlyArray<JournalLog | undefined> | undefined;
  let text: string;
  try {
    text = decoder.decode(bytes.subarray(0, last));
  } catch {
    return applyLines(st, bytes, last);
  }
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (i % BLOCK === 0) block = parseBlock(lines, i);
    const log = block?.[i % BLOCK] ?? decodeLog(lines[i] as string);
    const reason = typeof log === "string" ? log : applyLog(st.replay, log);
    if (reason !== undefined) {
      const start = i === 0 ? 0 : encoder.encode(lines.slice(0, i).join("\n")).length + 1;
      st.offset += start;
      st.lines += i;
      damaged(st, 0, bytes.subarray(start, start + encoder.encode(lines[i]).length), reason);
      return false;
    }
  }
  st.offset += last + 1;
  st.lines += lines.length;
  return true;
}

/** Lines parsed together (one `JSON.parse` of many lines is much faster than one per line). */
const BLOCK = 1024;

/**
 * The lines `from..from+BLOCK` parsed in one go, each a journal operation or `undefined` when
 * it is not one; `undefined` when the block holds a line that is not plain JSON (Python's
 * `NaN`, garbage): its lines are then parsed one by one.
 */
function parseBlock(
  lines: ReadonlyArray<string>,
  from: number,
): ReadonlyArray<JournalLog | undefined> | undefined {
  const block = lines.slice(from, from + BLOCK);
  // only lines that look like one object each, so that the values line up with the lines
  if (!block.every((l) => l.startsWith("{") && l.endsWith("}"))) return undefined;
  let values: unknown[];
  try {
    values = JSON.parse(`[${block.join(",")}]`);
  } catch {
    return undefined;
  }
  if (values.length !== block.length) return undefined;
  return values.map((v) =>
    typeof v === "object" && v !== null && !Array.isArray(v) &&
      Number.isInteger((v as JournalLog).op_code)
      ? v as JournalLog
      : undefined
  );
}

function applyLines(st: JournalState, bytes: Uint8Array, last: number): boolean {
  let start = 0;
  while (start <= last) {
    const end = bytes.indexOf(NEWLINE, start);
    const reason = applyLine(st, bytes.subarray(start, end));
    if (reason !== undefined) {
      damaged(st, start, bytes.subarray(0, end), reason);
      return false;
    }
    st.offset += end + 1 - start;
    st.lines += 1;
    start = end + 1;
  }
  return true;
}

function applyLine(st: JournalState, raw: Uint8Array): string | undefined {
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    return "not UTF-8 text";
  }
  const log = decodeLog(text);
  return typeof log === "string" ? log : applyLog(st.replay, log);
}

function damaged(st: JournalState, start: number, bytes: Uint8Array, reason: string): void {
  const text = new TextDecoder().decode(bytes.subarray(start, start + 200));
  st.damage = { line: st.lines + 1, byteOffset: st.offset, reason, text };
  st.onDamage(st.damage);
}

/** The error of a write refused because the journal is damaged. */
export function damageError(st: JournalState, operation: string, d: Damage): HyperionError {
  return storageError(
    operation,
    `line ${d.line} of the journal ${st.file.path} (byte ${d.byteOffset}) is damaged: ${d.reason}; ` +
      `nothing was written (lines 1 to ${d.line - 1} are read; truncate the file to ` +
      `${d.byteOffset} bytes to write again)`,
  );
}

// -------------------------------------------------------------------------------------
// running operations
// -------------------------------------------------------------------------------------

/** Runs `f` after every earlier operation of this storage, as a `TaskEither`. */
export function serial<A>(
  st: JournalState,
  operation: string,
  f: () => Promise<Either<HyperionError, A>>,
): TaskEither<HyperionError, A> {
  return () => {
    const run = st.queue.then(async (): Promise<Either<HyperionError, A>> => {
      if (st.closed) return left(storageError(operation, "the storage is closed"));
      try {
        return await f();
      } catch (e) {
        return left(storageError(operation, e));
      }
    });
    st.queue = run;
    return run;
  };
}

/** A read: brings the replay up to date, then answers from it. */
export function read<A>(
  st: JournalState,
  operation: string,
  answer: () => Either<HyperionError, A>,
): TaskEither<HyperionError, A> {
  return serial(st, operation, () => {
    sync(st, false);
    return Promise.resolve(answer());
  });
}

/**
 * A write: under the file lock, brings the replay up to the end of the file, decides (nothing
 * is written on a `Left` or when the journal is damaged), appends the decided lines, applies
 * them and answers. `answerUnlocked`, when given, runs first on the replay brought up to date
 * without the lock; an answer there skips the lock (for example: no WAITING trial to claim).
 */
export function write<A>(
  st: JournalState,
  operation: string,
  decide: () => Either<HyperionError, Decision<A>>,
  answerUnlocked?: () => Either<HyperionError, A> | undefined,
): TaskEither<HyperionError, A> {
  return serial(st, operation, async () => {
    if (answerUnlocked !== undefined) {
      sync(st, false);
      const answer = answerUnlocked();
      if (answer !== undefined) return answer;
    }
    await st.file.lock.acquire();
    try {
      const session = st.file.open(true);
      try {
        sync(st, true, session);
        if (st.damage !== undefined) return left(damageError(st, operation, st.damage));
        const decided = decide();
        if (decided._tag === "Left") return decided;
        appendAndApply(st, session, decided.right.logs);
        return right(decided.right.answer());
      } finally {
        session.close();
      }
    } finally {
      await st.file.lock.release();
    }
  });
}

function appendAndApply(
  st: JournalState,
  session: FileSession,
  logs: ReadonlyArray<JournalLog>,
): void {
  if (logs.length === 0) return;
  const lines = logs.map((log) =>
    encodeLog({ op_code: log.op_code, worker_id: st.workerId, ...log })
  );
  const bytes = encoder.encode(lines.join("\n") + "\n");
  session.append(bytes);
  // applied as read back, so this process sees exactly what every other reader sees
  for (const line of lines) {
    const log = decodeLog(line);
    const reason = typeof log === "string" ? log : applyLog(st.replay, log);
    if (reason !== undefined) throw new Error(`own operation not applied: ${reason}`);
  }
  st.offset += bytes.length;
  st.lines += lines.length;
}
