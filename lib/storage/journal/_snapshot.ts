/**
 * Snapshots of a replayed journal, for fast loading: Optuna 5.0's file backend has none (only
 * its Redis backend saves pickled replays), so ours is a side file `<journal>.snapshot` that
 * Optuna ignores. It holds the replay of the first `offset` bytes and a hash of the bytes just
 * before `offset`; it is used only when the journal still holds those bytes (a journal that
 * was replaced, truncated or rewritten makes it stale, and it is ignored). Written atomically
 * (a unique temporary file renamed over it) by any process, so readers never see half of one.
 * Private to the journal storage.
 *
 * @module
 */
import { open, readFile, rename, rm, writeFile } from "node:fs/promises";
import type { Distribution } from "../../core/distributions.ts";
import { distributionFromJson, distributionToJson } from "../../core/distribution_json.ts";
import type { FrozenTrial } from "../../core/trial.ts";
import type { JournalState } from "./_core.ts";
import { encodeLog, parseJson } from "./_format.ts";
import { emptyReplay, put, type Replay, type ReplayStudy } from "./_replay.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The snapshot file of a journal. */
export const SNAPSHOT_SUFFIX = ".snapshot";

/** A snapshot is (re)written once this many lines were replayed beyond the last one. */
export const SNAPSHOT_EVERY = 5_000;

const FORMAT = "hyperion-journal-snapshot";
const VERSION = 1;
/** How many bytes before the offset the hash covers. */
const TAIL = 4096;

interface SnapshotFile {
  readonly format: string;
  readonly version: number;
  readonly offset: number;
  readonly lines: number;
  readonly tail: number;
  readonly nextStudyId: number;
  readonly studies: ReadonlyArray<unknown[]>;
  readonly trials: ReadonlyArray<unknown[]>;
  readonly heartbeats: ReadonlyArray<[number, number]>;
}

// -------------------------------------------------------------------------------------
// saving
// -------------------------------------------------------------------------------------

/** Writes the snapshot of what `st` has replayed (nothing when the journal is damaged). */
export async function saveSnapshot(st: JournalState): Promise<void> {
  if (st.damage !== undefined || st.offset === 0) return;
  const r = st.replay;
  const snapshot: SnapshotFile = {
    format: FORMAT,
    version: VERSION,
    offset: st.offset,
    lines: st.lines,
    tail: await tailHash(st.file.path, st.offset),
    nextStudyId: r.nextStudyId,
    studies: [...r.studies.values()].map((s) => [s.record, s.byNumber.map((t) => t.trialId)]),
    trials: r.trials.map(({ studyId, trial: t }) => [studyId, ...trialFields(t)]),
    heartbeats: [...r.heartbeats],
  };
  const path = st.file.path + SNAPSHOT_SUFFIX;
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  await writeFile(temp, encodeLog(snapshot as unknown as Record<string, unknown>));
  await rename(temp, path).catch(async (e) => {
    await rm(temp, { force: true }).catch(() => undefined);
    throw e;
  });
}

function trialFields(t: FrozenTrial): unknown[] {
  const dists: Record<string, string> = {};
  for (const [k, d] of Object.entries(t.distributions)) dists[k] = distributionToJson(d);
  return [
    t.number,
    t.state,
    t.values,
    t.params,
    dists,
    t.intermediateValues,
    t.userAttrs,
    t.systemAttrs,
    t.datetimeStart,
    t.datetimeComplete,
  ];
}

// -------------------------------------------------------------------------------------
// loading
// -------------------------------------------------------------------------------------

/**
 * Restores `st` from the journal's snapshot when there is a valid one for this journal;
 * false (nothing changed) otherwise.
 */
export async function loadSnapshot(st: JournalState): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(st.file.path + SNAPSHOT_SUFFIX, "utf8");
  } catch {
    return false;
  }
  const parsed = parseJson(text);
  if (typeof parsed === "string") return false;
  const s = parsed.value as SnapshotFile;
  if (
    typeof s !== "object" || s === null || s.format !== FORMAT || s.version !== VERSION ||
    typeof s.offset !== "number"
  ) return false;
  if (await tailHash(st.file.path, s.offset) !== s.tail) return false;
  const fresh = emptyReplay();
  try {
    restore(fresh, s);
  } catch {
    return false; // an unreadable snapshot is ignored: the journal is replayed from its start
  }
  st.replay = fresh;
  st.offset = s.offset;
  st.lines = s.lines;
  return true;
}

function restore(r: Replay, s: SnapshotFile): void {
  const dist = (json: string): Distribution => {
    let d = r.distributions.get(json);
    if (d === undefined) {
      const parsed = distributionFromJson(json);
      if (parsed._tag === "Left") throw new Error(parsed.left.message);
      d = parsed.right;
      r.distributions.set(json, d);
    }
    return d;
  };
  const studyOf = new Map<number, number>();
  for (const [record, trialIds] of s.studies as Array<[ReplayStudy["record"], number[]]>) {
    r.studies.set(record.studyId, { record, byNumber: [], waiting: new Set(), firsts: new Map() });
    for (const id of trialIds) studyOf.set(id, record.studyId);
  }
  r.nextStudyId = s.nextStudyId;
  s.trials.forEach((row, trialId) => {
    const [studyId, number, state, values, params, dists, iv, ua, sa, ds, dc] = row as [
      number,
      ...unknown[],
    ];
    const distributions: Record<string, Distribution> = {};
    for (const [k, json] of Object.entries(dists as Record<string, string>)) {
      distributions[k] = dist(json);
    }
    const trial = {
      number,
      trialId,
      state,
      values,
      params,
      distributions,
      intermediateValues: iv,
      userAttrs: ua,
      systemAttrs: sa,
      datetimeStart: ds,
      datetimeComplete: dc,
    } as FrozenTrial;
    if (studyOf.get(trialId) === studyId) {
      put(r, studyId, trial);
      const study = r.studies.get(studyId) as ReplayStudy;
      for (const [k, d] of Object.entries(distributions)) {
        const known = study.firsts.get(k);
        if (known === undefined || trial.number < known.number) {
          study.firsts.set(k, { number: trial.number, d });
        }
      }
    } else r.trials[trialId] = { studyId, trial };
  });
  for (const [id, ms] of s.heartbeats) r.heartbeats.set(id, ms);
}

/**
 * FNV-1a of the `TAIL` bytes of the journal before `offset`, which must end a line; -1 when
 * the journal is shorter or the byte before `offset` is not a newline.
 */
async function tailHash(path: string, offset: number): Promise<number> {
  const start = Math.max(0, offset - TAIL);
  const file = await open(path, "r");
  try {
    if ((await file.stat()).size < offset || offset === 0) return -1;
    const bytes = new Uint8Array(offset - start);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await file.read(bytes, at, bytes.length - at, start + at);
      if (bytesRead === 0) return -1;
      at += bytesRead;
    }
    if (bytes[bytes.length - 1] !== 10) return -1;
    let h = 0x811c9dc5;
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h;
  } finally {
    await file.close();
  }
}
