/**
 * JSON values and the Python-compatible number rendering used for Optuna interop.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Any JSON value: what attributes, sampler states and snapshots are made of.
 *
 * @category model
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue };

/**
 * A value a parameter can take: numbers for float and int parameters; any of these for
 * categorical choices.
 *
 * @category model
 */
export type ParamValue = number | string | boolean | null;

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * True when `value` survives `JSON.stringify`/`JSON.parse` unchanged (finite numbers, plain
 * objects and arrays of JSON values).
 *
 * @category queries
 */
export function isJsonValue(value: unknown): value is JsonValue {
  return jsonCheck(value, new Set());
}

function jsonCheck(value: unknown, ancestors: Set<object>): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object") return false;
  if (ancestors.has(value)) return false; // a cycle
  if (!Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
  }
  ancestors.add(value);
  const ok = Object.values(value).every((v) => jsonCheck(v, ancestors));
  ancestors.delete(value);
  return ok;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const PY_TOKENS = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;
const PY_MARK = "\uE000hyperion-python-token:";

/**
 * Parses JSON written by Python's `json.dumps`, whose bare tokens `Infinity`, `-Infinity` and
 * `NaN` (outside strings) become those numbers; `nan` gives `NaN` unless `nanAs` says otherwise.
 * Throws `SyntaxError` on text that is not JSON even so, as `JSON.parse`.
 *
 * @category utils
 */
export function parsePythonJson(text: string, nanAs: null | number = NaN): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!/Infinity|NaN/.test(text)) throw e;
  }
  const marked = text.replace(PY_TOKENS, (m) => m.startsWith('"') ? m : `"${PY_MARK}${m}"`);
  return JSON.parse(marked, (_key, v) => {
    if (typeof v !== "string" || !v.startsWith(PY_MARK)) return v;
    const token = v.slice(PY_MARK.length);
    return token === "NaN" ? nanAs : token === "Infinity" ? Infinity : -Infinity;
  });
}

/**
 * Renders a number as Python's `repr(float)` does (`1.0`, `1e-05`, `1e+16`, `inf`, `nan`), so
 * JSON written here reads the same as JSON written by Python Optuna.
 *
 * @category utils
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    // Python: shortest repr digits with exponent form d.ddde[+-]XX (at least two exponent digits)
    const [mant, e] = x.toExponential().split("e") as [string, string];
    const sign = e.startsWith("-") ? "-" : "+";
    const digits = e.replace(/^[-+]/, "").padStart(2, "0");
    return `${mant}e${sign}${digits}`;
  }
  const s = String(x);
  if (s.includes("e")) {
    // JS switches to exponent form at 1e21 / 1e-7; Python at 1e16 / 1e-4 (handled above).
    return s;
  }
  return s.includes(".") ? s : `${s}.0`;
}

/**
 * Serialises a JSON value with Python's `json.dumps` spacing (`", "` and `": "`), writing
 * numbers under keys for which `asFloat` holds (and every non-integer) with {@link pythonFloat}.
 *
 * @category utils
 */
export function pythonJson(
  value: unknown,
  asFloat: (key: string) => boolean = () => false,
): string {
  const render = (v: unknown, key: string): string => {
    if (v === null || v === undefined) return "null";
    if (typeof v === "number") {
      // -0 is a float to Python (-0.0); String(-0) would lose its sign
      if (asFloat(key) || !Number.isInteger(v) || Object.is(v, -0)) return pythonFloat(v);
      return String(v);
    }
    if (typeof v === "string" || typeof v === "boolean") return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map((x) => render(x, key)).join(", ")}]`;
    if (typeof v === "object") {
      return `{${
        Object.entries(v as Record<string, unknown>)
          .map(([k, x]) => `${JSON.stringify(k)}: ${render(x, k)}`)
          .join(", ")
      }}`;
    }
    return JSON.stringify(String(v));
  };
  return render(value, "");
}
