/**
 * Notes in optuna-dashboard's storage format, so that either tool reads the other's notes.
 *
 * optuna-dashboard (`optuna_dashboard/_note.py`) keeps every note, the study's and each
 * trial's, in the **study's** system attributes (a finished trial's attributes cannot change):
 * `dashboard:note_ver` (an integer version) and `dashboard:note_str:<i>` (the Markdown body in
 * chunks of 2045 characters) for the study's note; `dashboard:<trial_id>:note_ver` and
 * `dashboard:<trial_id>:note_str:<i>` for a trial's, keyed by the storage's trial id. A save
 * must carry the stored version plus one (optimistic concurrency); chunks left over from a
 * longer earlier note are set to `""`.
 *
 * @example Write a note and read it back
 * ```ts
 * import { noteWrites, readNote } from "./notes.ts";
 * import assert from "node:assert/strict";
 *
 * const writes = noteWrites({}, undefined, 1, "**hello**");
 * assert.deepEqual(writes, [["dashboard:note_ver", 1], ["dashboard:note_str:0", "**hello**"]]);
 * assert.deepEqual(readNote(Object.fromEntries(writes), undefined), {
 *   version: 1,
 *   body: "**hello**",
 * });
 * ```
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import type { Attrs } from "../core/trial.ts";
import type { JsonValue } from "../core/json.ts";
import { type InvalidArgument, invalidArgument } from "../core/errors.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A note: its version (0 when none was saved) and its Markdown body.
 *
 * @category model
 */
export interface Note {
  /** Incremented by every save. */
  readonly version: number;
  /** Markdown text. */
  readonly body: string;
}

/**
 * The longest chunk of a note body in one system attribute, in characters (code points, as
 * Python counts them): optuna-dashboard's `SYSTEM_ATTR_MAX_LENGTH`.
 *
 * @category model
 */
export const NOTE_CHUNK_LENGTH = 2045;

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The system-attribute key of a note's version: `dashboard:note_ver` for the study's note,
 * `dashboard:<trialId>:note_ver` for a trial's.
 *
 * @example
 * ```ts
 * import { noteVersionKey } from "./notes.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(noteVersionKey(12), "dashboard:12:note_ver");
 * ```
 *
 * @category queries
 */
export function noteVersionKey(trialId: number | undefined): string {
  return trialId === undefined ? "dashboard:note_ver" : `dashboard:${trialId}:note_ver`;
}

/**
 * The prefix of the keys holding a note's body chunks (`dashboard:note_str:` or
 * `dashboard:<trialId>:note_str:`).
 *
 * @example
 * ```ts
 * import { noteChunkPrefix } from "./notes.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(noteChunkPrefix(undefined), "dashboard:note_str:");
 * ```
 *
 * @category queries
 */
export function noteChunkPrefix(trialId: number | undefined): string {
  return trialId === undefined ? "dashboard:note_str:" : `dashboard:${trialId}:note_str:`;
}

/**
 * The note of the study (`trialId` undefined) or of a trial, read from the study's system
 * attributes; version 0 and an empty body when none was saved.
 *
 * @example
 * ```ts
 * import { readNote } from "./notes.ts";
 * import assert from "node:assert/strict";
 *
 * const attrs = { "dashboard:3:note_ver": 2, "dashboard:3:note_str:0": "ab", "dashboard:3:note_str:1": "c" };
 * assert.deepEqual(readNote(attrs, 3), { version: 2, body: "abc" });
 * assert.deepEqual(readNote(attrs, 4), { version: 0, body: "" });
 * ```
 *
 * @category queries
 */
export function readNote(systemAttrs: Attrs, trialId: number | undefined): Note {
  const version = systemAttrs[noteVersionKey(trialId)];
  if (version === undefined) return { version: 0, body: "" };
  const prefix = noteChunkPrefix(trialId);
  const count = Object.keys(systemAttrs).filter((k) => k.startsWith(prefix)).length;
  let body = "";
  for (let i = 0; i < count; i++) {
    const chunk = systemAttrs[`${prefix}${i}`];
    body += typeof chunk === "string" ? chunk : "";
  }
  return { version: Math.trunc(Number(version)) || 0, body };
}

/**
 * The trial ids that have a note in the study's system attributes.
 *
 * @example
 * ```ts
 * import { notedTrialIds } from "./notes.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(notedTrialIds({ "dashboard:7:note_ver": 1, "dashboard:note_ver": 1 }), [7]);
 * ```
 *
 * @category queries
 */
export function notedTrialIds(systemAttrs: Attrs): ReadonlyArray<number> {
  const out: number[] = [];
  for (const key of Object.keys(systemAttrs)) {
    const m = /^dashboard:(\d+):note_ver$/.exec(key);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/**
 * The system attributes to set, in order, to save `body` as version `version` of a note:
 * the version, the body's chunks, then `""` for each chunk left over from a longer note —
 * optuna-dashboard's `save_note_with_version`.
 *
 * @category queries
 */
export function noteWrites(
  systemAttrs: Attrs,
  trialId: number | undefined,
  version: number,
  body: string,
): ReadonlyArray<readonly [string, JsonValue]> {
  const prefix = noteChunkPrefix(trialId);
  const chars = Array.from(body);
  const chunks: Array<readonly [string, JsonValue]> = [];
  for (let i = 0; i * NOTE_CHUNK_LENGTH < chars.length; i++) {
    const text = chars.slice(i * NOTE_CHUNK_LENGTH, (i + 1) * NOTE_CHUNK_LENGTH).join("");
    chunks.push([`${prefix}${i}`, text]);
  }
  const stored = Object.keys(systemAttrs).filter((k) => k.startsWith(prefix)).length;
  const clear: Array<readonly [string, JsonValue]> = [];
  for (let i = chunks.length; i < stored; i++) clear.push([`${prefix}${i}`, ""]);
  return [[noteVersionKey(trialId), version], ...chunks, ...clear];
}

/**
 * Checks a note save against the stored note: `version` must be the stored version plus one
 * (optuna-dashboard answers 409 otherwise) and `body` a string.
 *
 * @example
 * ```ts
 * import { checkNoteSave } from "./notes.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkNoteSave({}, undefined, 1, "x")._tag, "Right");
 * assert.equal(checkNoteSave({ "dashboard:note_ver": 3 }, undefined, 3, "x")._tag, "Left");
 * ```
 *
 * @category queries
 */
export function checkNoteSave(
  systemAttrs: Attrs,
  trialId: number | undefined,
  version: unknown,
  body: unknown,
): Either<InvalidArgument, { readonly version: number; readonly body: string }> {
  if (typeof body !== "string") {
    return left(invalidArgument({ field: "body", value: body, expected: "a string" }));
  }
  const stored = readNote(systemAttrs, trialId).version;
  if (version !== stored + 1) {
    return left(invalidArgument({
      field: "version",
      value: version,
      expected: `${stored + 1} (the stored note's version plus one; reload to see the newer note)`,
    }));
  }
  return right({ version: stored + 1, body });
}
