/**
 * Optuna's journal format, line by line: the operation codes of `JournalOperation`, the
 * integer codes of trial states and study directions, the datetimes Optuna writes
 * (`datetime.now(tz=timezone.utc).isoformat(timespec="microseconds")`), and one JSON line per
 * operation as `json.dumps(log, separators=(",", ":"))` writes it, with Python's bare `NaN`,
 * `Infinity` and `-Infinity` tokens. Pure; private to the journal storage.
 *
 * @module
 */
import type { Direction } from "../../core/study.ts";
import type { TrialState } from "../../core/trial.ts";
import { pythonFloat } from "../../core/json.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Optuna's `JournalOperation` codes (`optuna/storages/journal/_storage.py`). */
export const OP = {
  CREATE_STUDY: 0,
  DELETE_STUDY: 1,
  SET_STUDY_USER_ATTR: 2,
  SET_STUDY_SYSTEM_ATTR: 3,
  CREATE_TRIAL: 4,
  SET_TRIAL_PARAM: 5,
  SET_TRIAL_STATE_VALUES: 6,
  SET_TRIAL_INTERMEDIATE_VALUE: 7,
  SET_TRIAL_USER_ATTR: 8,
  SET_TRIAL_SYSTEM_ATTR: 9,
  /** Written only by Rustuna; Optuna skips it, and so do we. */
  DISCARD_TRIALS: 10,
} as const;

/** One decoded journal line: an object with at least `op_code`. */
export type JournalLog = Readonly<Record<string, unknown>>;

/** Optuna's `TrialState` integer codes, by index. */
const STATE_CODES: ReadonlyArray<TrialState> = ["RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"];

// -------------------------------------------------------------------------------------
// codes
// -------------------------------------------------------------------------------------

/** A trial state as Optuna's `TrialState` integer. */
export function stateCode(state: TrialState): number {
  return STATE_CODES.indexOf(state);
}

/** Optuna's `TrialState` integer as a state; `undefined` for an unknown code. */
export function stateOf(code: unknown): TrialState | undefined {
  return typeof code === "number" ? STATE_CODES[code] : undefined;
}

/** A direction as Optuna's `StudyDirection` integer (1 minimize, 2 maximize). */
export function directionCode(d: Direction): number {
  return d === "minimize" ? 1 : 2;
}

/** Optuna's `StudyDirection` integer as a direction; `undefined` for NOT_SET or unknown. */
export function directionOf(code: unknown): Direction | undefined {
  return code === 1 ? "minimize" : code === 2 ? "maximize" : undefined;
}

// -------------------------------------------------------------------------------------
// datetimes
// -------------------------------------------------------------------------------------

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/**
 * Epoch milliseconds as Optuna writes a journal datetime:
 * `2026-01-02T03:04:05.678000+00:00` (UTC, microseconds).
 */
export function formatIso(ms: number): string {
  const micros = Math.round(ms * 1000);
  const seconds = Math.floor(micros / 1e6);
  const d = new Date(seconds * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${
    pad(d.getUTCHours(), 2)
  }:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${
    pad(micros - seconds * 1e6, 6)
  }+00:00`;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a journal datetime (Python's `isoformat`, any UTC offset; no offset reads as UTC) as
 * epoch milliseconds; `undefined` when unreadable.
 */
export function parseIso(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  if (text.length === 32 && text.endsWith("+00:00")) {
    const fast = parseUtcIso(text);
    if (fast !== undefined) return fast;
  }
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac = "", zone = "Z"] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const micros = frac === "" ? 0 : Number(frac.padEnd(6, "0"));
  let offset = 0;
  if (zone !== "Z") {
    const digits = zone.replace(":", "");
    const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
    offset = (digits.startsWith("-") ? -1 : 1) * minutes * 60_000;
  }
  return base - offset + (micros === 0 ? 0 : micros / 1000);
}

const digitsAt = (s: string, from: number, n: number): number => {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
};

/** The form Optuna writes, `2026-01-02T03:04:05.678000+00:00`, without a regular expression. */
function parseUtcIso(s: string): number | undefined {
  if (s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":") {
    return undefined;
  }
  if (s[19] !== ".") return undefined;
  const base = Date.UTC(
    digitsAt(s, 0, 4),
    digitsAt(s, 5, 2) - 1,
    digitsAt(s, 8, 2),
    digitsAt(s, 11, 2),
    digitsAt(s, 14, 2),
    digitsAt(s, 17, 2),
  );
  const micros = digitsAt(s, 20, 6);
  const ms = base + (micros === 0 ? 0 : micros / 1000);
  return Number.isNaN(ms) ? undefined : ms;
}

// -------------------------------------------------------------------------------------
// lines
// -------------------------------------------------------------------------------------

const MARK = "\u0000py:";
const MARKED = /"\\u0000py:([^"\\]*)"/g;

/**
 * A number that Python wrote as a `float`, for {@link encodeLog} to write as Python does
 * (`1.0`, `1e-05`, `NaN`): objective and reported values, and the internal values of float and
 * int parameters (Python reads `1` back as an `int`).
 */
export function pyFloat(x: number): string {
  return MARK + pythonFloat(x);
}

function markNonFinite(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? pyFloat(v) : v;
}

/**
 * One journal line (without the newline) as Python's `json.dumps(log, separators=(",", ":"))`
 * writes it: non-finite numbers as the bare tokens `NaN`, `Infinity`, `-Infinity`, numbers
 * marked by {@link pyFloat} as Python floats.
 */
export function encodeLog(log: JournalLog): string {
  let text = JSON.stringify(log);
  if (text.includes("null") && hasNonFinite(log)) text = JSON.stringify(log, markNonFinite);
  return text.includes("\\u0000py:") ? text.replace(MARKED, "$1") : text;
}

function hasNonFinite(v: unknown): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (v === null || typeof v !== "object") return false;
  for (const x of Object.values(v)) if (hasNonFinite(x)) return true;
  return false;
}

/** Python's bare tokens outside strings (strings are matched whole, so their insides stay). */
const TOKENS = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;

function unmark(_key: string, v: unknown): unknown {
  if (typeof v === "string" && v.startsWith(MARK)) {
    const t = v.slice(MARK.length);
    return t === "NaN" ? NaN : t === "Infinity" ? Infinity : -Infinity;
  }
  return v;
}

/**
 * Parses JSON that Python may have written with `NaN`, `Infinity`, `-Infinity`; the error's
 * message when it is not JSON.
 */
export function parseJson(text: string): { readonly value: unknown } | string {
  try {
    return { value: JSON.parse(text) };
  } catch {
    try {
      const marked = text.replace(
        TOKENS,
        (m) => m.startsWith('"') ? m : JSON.stringify(MARK + m),
      );
      return { value: JSON.parse(marked, unmark) };
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
}

/** Parses one journal line; the reason it is not a journal operation otherwise. */
export function decodeLog(line: string): JournalLog | string {
  const parsed = parseJson(line);
  if (typeof parsed === "string") return `not JSON (${parsed})`;
  const v = parsed.value;
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "not a JSON object";
  const op = (v as JournalLog).op_code;
  if (typeof op !== "number" || !Number.isInteger(op)) return "no integer 'op_code'";
  return v as JournalLog;
}
