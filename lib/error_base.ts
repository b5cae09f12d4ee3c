/**
 * What every error of every domain shares: the {@link ErrorBase} fields, and the rendering of
 * values ({@link show}) and causes ({@link describeCause}) for Deno-style messages. A low
 * module: the domains' error modules (`trainer/errors.ts`, `plugins/optuna/errors.ts`) and
 * `errors.ts`, which unites them, import it; it imports nothing.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Fields every Hyperion error has.
 *
 * @category model
 */
export interface ErrorBase {
  /** Human-readable, Deno-style message naming the bad field and value. */
  readonly message: string;
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * The `_tag` of any tagged value (a Hyperion error or a user's own tagged error), if it has one.
 *
 * @category queries
 */
export function tagOf(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && "_tag" in value) {
    const tag = (value as { _tag: unknown })._tag;
    return typeof tag === "string" ? tag : undefined;
  }
  if (value instanceof Error) return value.name;
  return undefined;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Renders a value for an error message: strings quoted, everything else as JSON or String.
 *
 * @category utils
 */
export function show(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "number" || typeof value === "bigint" || value === undefined) {
    return String(value);
  }
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "symbol") return value.toString();
  try {
    const json = JSON.stringify(value);
    return json === undefined ? safeString(value) : json;
  } catch {
    return typeof value === "object" && value !== null && isCyclic(value)
      ? "a cyclic object"
      : safeString(value);
  }
}

/** `String(value)`, or a placeholder for objects without a usable `toString`. */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "an object";
  }
}

/** True when an object refers back to itself (directly or through its members). */
function isCyclic(value: object, ancestors: Set<object> = new Set()): boolean {
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  for (const v of Object.values(value)) {
    if (typeof v === "object" && v !== null && isCyclic(v, ancestors)) return true;
  }
  ancestors.delete(value);
  return false;
}

/**
 * A one-line description of any thrown or returned failure, for messages.
 *
 * @category utils
 */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  if (typeof cause === "object" && cause !== null && "message" in cause) {
    const tag = tagOf(cause);
    const message = String((cause as { message: unknown }).message);
    return tag ? `${tag}: ${message}` : message;
  }
  return show(cause);
}
