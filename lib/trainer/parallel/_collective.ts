/**
 * The collective layer of data-parallel training: {@link Collective} operations over one
 * `SharedArrayBuffer` that every rank's Worker holds, synchronised with `Atomics`.
 *
 * **Layout.** An `Int32Array` control block (abort flag, the barrier's arrival count and
 * generation, and per rank the number of operations it started and the last one's kind, length
 * and argument) followed by a `Float64Array` data block: one slot of `chunk` elements per rank
 * and one result slot. Buffers longer than a slot go through in chunks.
 *
 * **Barrier.** A generation-counting barrier: the last rank to arrive resets the count, bumps
 * the generation and wakes the others, who wait with `Atomics.wait` in slices so that they see
 * the abort flag (set by the main thread when a rank fails) and their deadline. The last rank to
 * arrive at the first barrier of an operation checks that every rank called the same operation
 * with the same length (so a mismatch fails instead of hanging). A rank that waits longer than
 * the timeout names the ranks that have not started the operation and aborts the run.
 *
 * **All-reduce.** Per chunk: every rank copies its values into its slot; barrier; rank `r` sums
 * its segment of the chunk over the slots in rank order (0, 1, …) into the result slot;
 * barrier; every rank copies the result out. (A rank writes only its own slot before the first
 * barrier, and the result slot only between the two, so a rank still copying the previous
 * result is never overwritten.) Broadcast: the root copies into its slot; barrier; the others
 * copy from it; barrier. The sum order never depends on arrival order, so
 * the result is deterministic and the same bits on every rank.
 *
 * @module
 */
import { type Either, left, right } from "../../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../../errors.ts";
import { collectiveFailed } from "../errors.ts";
import type { Collective, FloatArray, ReduceOp } from "../types.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where things are in the control block. */
const ABORT = 0, ABORT_RANK = 1, ABORT_REASON = 2, COUNT = 3, GEN = 4, RANKS = 8, PER_RANK = 4;
/** Operation kinds, as stored in the control block. */
const OPS = ["none", "allReduce", "broadcast", "barrier"] as const;
type OpKind = (typeof OPS)[number];
/** Abort reasons, as stored in the control block. */
const REASONS = ["", "aborted", "timeout", "mismatch"] as const;
/** How long one `Atomics.wait` lasts before the flags are looked at again (ms). */
const WAIT_SLICE_MS = 50;

/** The shared memory of one run and its dimensions; what the main thread posts to each rank. */
export interface CollectiveMemory {
  /** The shared buffer. */
  readonly buffer: SharedArrayBuffer;
  /** How many ranks. */
  readonly worldSize: number;
  /** Elements per slot. */
  readonly chunk: number;
  /** How long a rank waits for the others in one operation before it fails (ms). */
  readonly timeoutMs: number;
}

interface Views {
  readonly ctl: Int32Array;
  readonly data: Float64Array;
  readonly mem: CollectiveMemory;
  readonly rank: number;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

function controlInts(worldSize: number): number {
  return RANKS + PER_RANK * worldSize;
}

/** Allocates the shared memory of a run of `worldSize` ranks. */
export function collectiveMemory(
  worldSize: number,
  chunk: number,
  timeoutMs: number,
): CollectiveMemory {
  const ctlBytes = Math.ceil((controlInts(worldSize) * 4) / 8) * 8;
  const buffer = new SharedArrayBuffer(ctlBytes + (worldSize + 1) * chunk * 8);
  return { buffer, worldSize, chunk, timeoutMs };
}

/**
 * The collective of one rank: the operations of {@link Collective} over `mem`. Blocking
 * (`Atomics.wait`): only for Workers.
 */
export function sharedCollective(mem: CollectiveMemory, rank: number): Collective {
  const ints = controlInts(mem.worldSize);
  const ctlBytes = Math.ceil((ints * 4) / 8) * 8;
  const v: Views = {
    ctl: new Int32Array(mem.buffer, 0, ints),
    data: new Float64Array(mem.buffer, ctlBytes, (mem.worldSize + 1) * mem.chunk),
    mem,
    rank,
  };
  return {
    rank,
    worldSize: mem.worldSize,
    allReduce: (buffer, op = "sum") => allReduce(v, buffer, op),
    broadcast: (buffer, root = 0) => broadcast(v, buffer, root),
    barrier: () => start(v, "barrier", 0, 0),
  };
}

/**
 * The collective of a single-rank run (`fit`): all-reduce and broadcast return the buffer as it
 * is (the sum and the mean over one rank), the barrier returns at once.
 */
export function localCollective(): Collective {
  return {
    rank: 0,
    worldSize: 1,
    allReduce: (buffer, op = "sum") => {
      const bad = badBuffer(buffer) ?? badOp(op);
      return bad === undefined ? right(buffer) : left(bad);
    },
    broadcast: (buffer, root = 0) => {
      const bad = badBuffer(buffer) ?? badRoot(root, 1);
      return bad === undefined ? right(buffer) : left(bad);
    },
    barrier: () => right(undefined),
  };
}

// -------------------------------------------------------------------------------------
// main-thread side
// -------------------------------------------------------------------------------------

/**
 * Sets the abort flag (naming `rank` as the cause) and wakes every waiting rank: they fail with
 * `CollectiveFailed` instead of waiting. Non-blocking: the main thread may call it.
 */
export function abortCollective(mem: CollectiveMemory, rank: number): void {
  const ctl = new Int32Array(mem.buffer, 0, controlInts(mem.worldSize));
  if (Atomics.compareExchange(ctl, ABORT, 0, 1) === 0) {
    Atomics.store(ctl, ABORT_RANK, rank);
    Atomics.store(ctl, ABORT_REASON, 1);
  }
  Atomics.notify(ctl, GEN);
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

function allReduce<T extends FloatArray>(v: Views, buf: T, op: ReduceOp): Either<HyperionError, T> {
  const bad = badBuffer(buf) ?? badOp(op);
  if (bad !== undefined) return left(bad);
  const { chunk, worldSize } = v.mem;
  const mean = op === "mean";
  const f32 = buf instanceof Float32Array;
  const result = worldSize * chunk;
  for (let offset = 0; offset === 0 || offset < buf.length; offset += chunk) {
    const n = Math.min(chunk, buf.length - offset);
    v.data.set(buf.subarray(offset, offset + n), v.rank * chunk);
    const arrived = offset === 0 ? start(v, "allReduce", buf.length, mean ? 1 : 0) : arrive(v);
    if (arrived._tag === "Left") return arrived;
    const lo = Math.floor((n * v.rank) / worldSize),
      hi = Math.floor((n * (v.rank + 1)) / worldSize);
    for (let i = lo; i < hi; i++) {
      let s = v.data[i] as number;
      for (let r = 1; r < worldSize; r++) s += v.data[r * chunk + i] as number;
      if (mean) s /= worldSize;
      v.data[result + i] = f32 ? Math.fround(s) : s;
    }
    const summed = arrive(v);
    if (summed._tag === "Left") return summed;
    buf.set(v.data.subarray(result, result + n), offset);
    if (n === 0) break;
  }
  return right(buf);
}

function broadcast<T extends FloatArray>(v: Views, buf: T, root: number): Either<HyperionError, T> {
  const bad = badBuffer(buf) ?? badRoot(root, v.mem.worldSize);
  if (bad !== undefined) return left(bad);
  const { chunk } = v.mem;
  // the root's own slot: slots are read only between an operation's two barriers
  const slot = root * chunk;
  for (let offset = 0; offset === 0 || offset < buf.length; offset += chunk) {
    const n = Math.min(chunk, buf.length - offset);
    if (v.rank === root) v.data.set(buf.subarray(offset, offset + n), slot);
    const arrived = offset === 0 ? start(v, "broadcast", buf.length, root) : arrive(v);
    if (arrived._tag === "Left") return arrived;
    if (v.rank !== root) buf.set(v.data.subarray(slot, slot + n), offset);
    const copied = arrive(v);
    if (copied._tag === "Left") return copied;
    if (n === 0) break;
  }
  return right(buf);
}

/** Records the operation this rank starts, then arrives at its first barrier (checked). */
function start(v: Views, kind: OpKind, length: number, arg: number): Either<HyperionError, void> {
  const base = RANKS + PER_RANK * v.rank;
  Atomics.add(v.ctl, base, 1);
  Atomics.store(v.ctl, base + 1, OPS.indexOf(kind));
  Atomics.store(v.ctl, base + 2, length);
  Atomics.store(v.ctl, base + 3, arg);
  return arrive(v, true);
}

/**
 * The barrier. The last rank to arrive releases the others (after checking, when `check`, that
 * every rank started the same operation); the others wait for the generation to change.
 */
function arrive(v: Views, check = false): Either<HyperionError, void> {
  const { ctl } = v;
  const aborted = abortedError(v);
  if (aborted !== undefined) return left(aborted);
  const gen = Atomics.load(ctl, GEN);
  if (Atomics.add(ctl, COUNT, 1) === v.mem.worldSize - 1) {
    const mismatch = check ? mismatchError(v) : undefined;
    Atomics.store(ctl, COUNT, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    return mismatch === undefined ? right(undefined) : left(mismatch);
  }
  return waitForGeneration(v, gen);
}

function waitForGeneration(v: Views, gen: number): Either<HyperionError, void> {
  const deadline = performance.now() + v.mem.timeoutMs;
  while (Atomics.load(v.ctl, GEN) === gen) {
    const aborted = abortedError(v);
    if (aborted !== undefined) return left(aborted);
    const remaining = deadline - performance.now();
    if (remaining <= 0) return left(timeoutError(v));
    Atomics.wait(v.ctl, GEN, gen, Math.min(WAIT_SLICE_MS, remaining));
  }
  const aborted = abortedError(v);
  return aborted === undefined ? right(undefined) : left(aborted);
}

// -------------------------------------------------------------------------------------
// failures
// -------------------------------------------------------------------------------------

function setAbort(v: Views, culprit: number, reason: (typeof REASONS)[number]): void {
  if (Atomics.compareExchange(v.ctl, ABORT, 0, 1) === 0) {
    Atomics.store(v.ctl, ABORT_RANK, culprit);
    Atomics.store(v.ctl, ABORT_REASON, REASONS.indexOf(reason));
  }
  Atomics.notify(v.ctl, GEN);
}

function abortedError(v: Views): HyperionError | undefined {
  if (Atomics.load(v.ctl, ABORT) === 0) return undefined;
  const culprit = Atomics.load(v.ctl, ABORT_RANK);
  const why = REASONS[Atomics.load(v.ctl, ABORT_REASON)] ?? "aborted";
  const detail = why === "mismatch"
    ? mismatchDetail(v, culprit)
    : why === "timeout"
    ? `rank ${culprit} did not reach ${describe(startedBy(v, v.rank))} within ${v.mem.timeoutMs} ms`
    : `the run was aborted because rank ${culprit} failed`;
  return collectiveFailed({ reason: "aborted", rank: v.rank, culprits: [culprit], detail });
}

interface Started {
  readonly seq: number;
  readonly kind: OpKind;
  readonly length: number;
  readonly arg: number;
}

function startedBy(v: Views, r: number): Started {
  const base = RANKS + PER_RANK * r;
  return {
    seq: Atomics.load(v.ctl, base),
    kind: OPS[Atomics.load(v.ctl, base + 1)] ?? "none",
    length: Atomics.load(v.ctl, base + 2),
    arg: Atomics.load(v.ctl, base + 3),
  };
}

function describe(op: Started): string {
  if (op.kind === "barrier") return `barrier()`;
  const arg = op.kind === "allReduce" ? `'${op.arg === 1 ? "mean" : "sum"}'` : `root ${op.arg}`;
  return `${op.kind}(${op.length} values, ${arg})`;
}

function mismatchDetail(v: Views, culprit: number): string {
  const mine = startedBy(v, 0), theirs = startedBy(v, culprit);
  return `rank ${culprit} called ${describe(theirs)} while rank 0 called ${describe(mine)} ` +
    `(operation #${mine.seq}); every rank must call the same operations in the same order`;
}

function mismatchError(v: Views): HyperionError | undefined {
  const mine = startedBy(v, 0);
  for (let r = 1; r < v.mem.worldSize; r++) {
    const theirs = startedBy(v, r);
    const same = theirs.kind === mine.kind && theirs.length === mine.length &&
      theirs.arg === mine.arg;
    if (same) continue;
    setAbort(v, r, "mismatch");
    return collectiveFailed({
      reason: "mismatch",
      rank: v.rank,
      culprits: [r],
      detail: mismatchDetail(v, r),
    });
  }
  return undefined;
}

function timeoutError(v: Views): HyperionError {
  const mine = startedBy(v, v.rank);
  const missing: number[] = [];
  for (let r = 0; r < v.mem.worldSize; r++) {
    if (r !== v.rank && startedBy(v, r).seq < mine.seq) missing.push(r);
  }
  const culprits = missing.length > 0 ? missing : [];
  setAbort(v, culprits[0] ?? v.rank, "timeout");
  const who = culprits.length > 0 ? `rank ${culprits.join(", rank ")}` : "the other ranks";
  return collectiveFailed({
    reason: "timeout",
    rank: v.rank,
    culprits,
    detail: `${who} did not reach ${describe(mine)} (operation #${mine.seq}) within ` +
      `${v.mem.timeoutMs} ms`,
  });
}

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

function badBuffer(buffer: unknown): HyperionError | undefined {
  if (buffer instanceof Float64Array || buffer instanceof Float32Array) return undefined;
  return invalidArgument({
    field: "buffer",
    value: buffer,
    expected: "a Float32Array or a Float64Array",
  });
}

function badOp(op: unknown): HyperionError | undefined {
  if (op === "sum" || op === "mean") return undefined;
  return invalidArgument({ field: "op", value: op, expected: "'sum' or 'mean'" });
}

function badRoot(root: unknown, worldSize: number): HyperionError | undefined {
  if (Number.isInteger(root) && (root as number) >= 0 && (root as number) < worldSize) {
    return undefined;
  }
  return invalidArgument({
    field: "root",
    value: root,
    expected: `a rank in [0, ${worldSize - 1}]`,
  });
}
