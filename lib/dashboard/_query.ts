/**
 * The trial table's rows and query (filter by state and parameter, sort, page): one pure,
 * self-contained function, {@link queryTrials}, that the server runs for the dashboard and that
 * the HTML report ships to the browser as its source text (it references nothing outside
 * itself, so `queryTrials.toString()` runs there as it runs here).
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type InvalidArgument, invalidArgument } from "../core/errors.ts";
import type { JsonValue } from "../core/json.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A number as JSON carries it: finite numbers as they are, NaN and ±Infinity as text. */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";

/** One row of the trial table, as JSON. */
export interface TrialRow {
  /** Trial number. */
  readonly number: number;
  /** Storage-wide trial id (notes and `tell` name it). */
  readonly trialId: number;
  /** State. */
  readonly state: string;
  /** Objective values, or null. */
  readonly values: ReadonlyArray<JsonNumber> | null;
  /** Parameters (external values). */
  readonly params: Readonly<Record<string, string | number | boolean | null>>;
  /** User attributes. */
  readonly userAttrs: Readonly<Record<string, JsonValue>>;
  /** Start, epoch ms. */
  readonly start: number | null;
  /** Completion, epoch ms. */
  readonly complete: number | null;
  /** Number of reported intermediate values. */
  readonly steps: number;
}

/** What the table asks for. */
export interface TrialQuery {
  /** Only these states (empty: all). */
  readonly states: ReadonlyArray<string>;
  /** Only trials that have this parameter (and match `min`/`max`/`equals`). */
  readonly param: string | undefined;
  /** The parameter is at least this. */
  readonly min: number | undefined;
  /** The parameter is at most this. */
  readonly max: number | undefined;
  /** The parameter's text equals this (categoricals). */
  readonly equals: string | undefined;
  /** `number`, `state`, `duration`, `value:<i>`, `param:<name>` or `attr:<key>`. */
  readonly sort: string;
  /** Descending order. */
  readonly desc: boolean;
  /** First row of the page. */
  readonly offset: number;
  /** Rows per page. */
  readonly limit: number;
}

/** A page of rows and the number of rows that matched. */
export interface TrialPage {
  /** Rows that matched the filter. */
  readonly total: number;
  /** The page. */
  readonly rows: ReadonlyArray<TrialRow>;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * Filters, sorts and pages the rows. Self-contained: it is shipped to the browser as text.
 * Missing values (a parameter a trial lacks, a FAIL trial's value) sort last either way; ties
 * keep number order.
 */
export function queryTrials(rows: ReadonlyArray<TrialRow>, q: TrialQuery): TrialPage {
  const asNumber = (v: unknown): number | undefined => {
    if (typeof v === "number") return Number.isNaN(v) ? undefined : v;
    if (v === "Infinity") return Infinity;
    if (v === "-Infinity") return -Infinity;
    if (typeof v === "boolean") return v ? 1 : 0;
    return undefined;
  };
  const keep = (r: TrialRow): boolean => {
    if (q.states.length > 0 && q.states.indexOf(r.state) < 0) return false;
    if (q.param === undefined || q.param === "") return true;
    if (!Object.prototype.hasOwnProperty.call(r.params, q.param)) return false;
    const v = r.params[q.param];
    if (q.equals !== undefined && String(v) !== q.equals) return false;
    const n = asNumber(v);
    if (q.min !== undefined && (n === undefined || n < q.min)) return false;
    if (q.max !== undefined && (n === undefined || n > q.max)) return false;
    return true;
  };
  const keyOf = (r: TrialRow): number | string | undefined => {
    const s = q.sort;
    if (s === "state") return r.state;
    if (s === "duration") {
      return r.start !== null && r.complete !== null ? r.complete - r.start : undefined;
    }
    if (s.indexOf("value:") === 0) return asNumber(r.values?.[Number(s.slice(6))]);
    if (s.indexOf("param:") === 0) {
      const v = r.params[s.slice(6)];
      return typeof v === "string" ? v : asNumber(v);
    }
    if (s.indexOf("attr:") === 0) {
      const v = r.userAttrs[s.slice(5)];
      return typeof v === "string" ? v : asNumber(v);
    }
    return r.number;
  };
  const kept = rows.filter(keep).map((r) => ({ r, k: keyOf(r) }));
  const sign = q.desc ? -1 : 1;
  kept.sort((a, b) => {
    if (a.k === undefined || b.k === undefined) {
      return a.k === b.k ? a.r.number - b.r.number : a.k === undefined ? 1 : -1;
    }
    if (a.k === b.k) return a.r.number - b.r.number;
    if (typeof a.k === typeof b.k) return (a.k < b.k ? -1 : 1) * sign;
    return (typeof a.k === "number" ? -1 : 1) * sign;
  });
  const page = kept.slice(q.offset, q.offset + q.limit).map((x) => x.r);
  return { total: kept.length, rows: page };
}

/**
 * Reads a {@link TrialQuery} from URL parameters (`state` repeated, `param`, `min`, `max`,
 * `equals`, `sort`, `desc`, `offset`, `limit`); `InvalidArgument` naming the parameter for a
 * value that is not a number or out of range.
 */
export function parseTrialQuery(params: URLSearchParams): Either<InvalidArgument, TrialQuery> {
  const num = (name: string, fallback: number | undefined, min: number, max: number) => {
    const raw = params.get(name);
    if (raw === null || raw === "") return right(fallback);
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      return left(invalidArgument({
        field: name,
        value: raw,
        expected: `a number between ${min} and ${max}`,
      }));
    }
    return right(n);
  };
  const offset = num("offset", 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = num("limit", 50, 1, 1000);
  const min = num("min", undefined, -Infinity, Infinity);
  const max = num("max", undefined, -Infinity, Infinity);
  for (const e of [offset, limit, min, max]) if (e._tag === "Left") return e;
  const get = (e: Either<InvalidArgument, number | undefined>) =>
    e._tag === "Right" ? e.right : undefined;
  return right({
    states: params.getAll("state").filter((s) => s !== ""),
    param: params.get("param") ?? undefined,
    min: get(min),
    max: get(max),
    equals: params.get("equals") ?? undefined,
    sort: params.get("sort") ?? "number",
    desc: params.get("desc") === "1",
    offset: Math.trunc(get(offset) ?? 0),
    limit: Math.trunc(get(limit) ?? 50),
  });
}
