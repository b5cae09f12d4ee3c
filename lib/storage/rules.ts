/**
 * Rules shared by every storage backend: validation of names, attribute values, trial
 * templates and states. Private to the library.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, invalidStudyArgs, show } from "../errors.ts";
import {
  checkDistribution,
  contains,
  type Distribution,
  toInternal,
} from "../core/distributions.ts";
import type { JsonValue, ParamValue } from "../core/json.ts";
import type { Direction } from "../core/study.ts";
import {
  type Attrs,
  isFinished,
  TRIAL_STATES,
  type TrialState,
  type TrialTemplate,
} from "../core/trial.ts";

/** A template with every field filled in and checked. */
export interface NormalisedTemplate {
  readonly state: TrialState;
  readonly values: ReadonlyArray<number> | null;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly internalParams: Readonly<Record<string, number>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
  readonly intermediateValues: Readonly<Record<number, number>>;
  readonly userAttrs: Attrs;
  readonly systemAttrs: Attrs;
  readonly datetimeStart: number | null;
  readonly datetimeComplete: number | null;
}

/** Checks a study name: a non-empty string of at most 512 characters. */
export function checkStudyName(name: unknown): Either<HyperionError, string> {
  if (typeof name !== "string" || name.length === 0 || name.length > 512) {
    return left(invalidStudyArgs(
      "studyName",
      `Invalid 'studyName': expected a non-empty string of at most 512 characters, got ${
        show(name)
      }`,
    ));
  }
  return right(name);
}

/** Checks a list of directions. */
export function checkDirections(
  directions: unknown,
): Either<HyperionError, ReadonlyArray<Direction>> {
  if (!Array.isArray(directions) || directions.length === 0) {
    return left(invalidStudyArgs(
      "directions",
      `Invalid 'directions': expected a non-empty array of 'minimize' or 'maximize', got ${
        show(directions)
      }`,
    ));
  }
  for (const d of directions) {
    if (d !== "minimize" && d !== "maximize") {
      return left(invalidStudyArgs(
        "directions",
        `Invalid 'directions': expected 'minimize' or 'maximize', got ${show(d)}`,
      ));
    }
  }
  return right(directions as ReadonlyArray<Direction>);
}

/** Checks an attribute write: the kind (`user` or `system`), the key and the JSON value. */
export function checkAttrWrite(
  args: { readonly kind: unknown; readonly key: unknown; readonly value: unknown },
): Either<HyperionError, void> {
  if (args.kind !== "user" && args.kind !== "system") {
    return left(
      invalidArgument({ field: "kind", value: args.kind, expected: "'user' or 'system'" }),
    );
  }
  return checkAttr(args.key, args.value, args.kind === "system" && allowsNonFinite(args.key));
}

/**
 * True for the system attributes whose numbers may be NaN or infinite, as Optuna's are:
 * `fixed_params` holds enqueued parameter values (`enqueueTrial(study, { x: NaN })`), which
 * and `constraints` holds constraint values (infinite ones allowed), which Python's
 * `json.dumps` writes with its `NaN`/`Infinity` tokens.
 */
export function allowsNonFinite(key: unknown): boolean {
  return key === "fixed_params" || key === "constraints";
}

/** Checks an attribute key and JSON value. */
export function checkAttr(
  key: unknown,
  value: unknown,
  nonFinite = false,
): Either<HyperionError, void> {
  if (typeof key !== "string" || key.length === 0 || key.length > 512) {
    return left(invalidArgument({
      field: "key",
      value: key,
      expected: "a non-empty string of at most 512 characters",
    }));
  }
  const problem = jsonProblem(value, key, nonFinite);
  if (problem !== undefined) {
    return left(invalidArgument({
      field: `attribute '${key}'`,
      value,
      expected: "a JSON value (finite numbers, strings, booleans, null, arrays, plain objects)",
      got: problem,
    }));
  }
  return right(undefined);
}

/**
 * What makes `value` not JSON, naming where (`a.b[2]`), or `undefined` when it is JSON: a
 * cycle, a non-finite number, a class instance, a function, `undefined`, a symbol, a bigint.
 */
export function jsonProblem(
  value: unknown,
  path: string,
  nonFinite = false,
): string | undefined {
  return problemAt(value, path, new Set(), nonFinite);
}

function problemAt(
  value: unknown,
  path: string,
  ancestors: Set<object>,
  nonFinite: boolean,
): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") {
    return nonFinite || Number.isFinite(value) ? undefined : `${show(value)} at '${path}'`;
  }
  if (typeof value !== "object") return `${show(value)} at '${path}'`;
  if (ancestors.has(value)) return `a cyclic object ('${path}' refers back to its parent)`;
  if (!Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return `an instance of ${show(proto?.constructor?.name ?? "a class")} at '${path}'`;
    }
  }
  ancestors.add(value);
  for (const [k, v] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`;
    const inner = problemAt(v, at, ancestors, nonFinite);
    if (inner !== undefined) return inner;
  }
  ancestors.delete(value);
  return undefined;
}

/**
 * Checks a parameter write: a non-empty name, a valid distribution (see `checkDistribution`)
 * and an internal value that is a number (for categoricals, the index of a choice). Returns the
 * validated distribution.
 */
export function checkParam(
  name: unknown,
  internal: unknown,
  distribution: unknown,
): Either<HyperionError, Distribution> {
  if (typeof name !== "string" || name.length === 0) {
    return left(invalidArgument({ field: "name", value: name, expected: "a non-empty string" }));
  }
  const d = checkDistribution(distribution, name);
  if (d._tag === "Left") return d;
  const isIndex = (x: unknown, n: number) =>
    Number.isInteger(x) && (x as number) >= 0 && (x as number) < n;
  if (
    typeof internal !== "number" || Number.isNaN(internal) ||
    (d.right._tag === "CategoricalDistribution" && !isIndex(internal, d.right.choices.length))
  ) {
    return left(invalidArgument({
      field: `params.${name}`,
      value: internal,
      expected: d.right._tag === "CategoricalDistribution"
        ? `the index of a choice (0 to ${d.right.choices.length - 1})`
        : "a number (the internal representation)",
    }));
  }
  return right(d.right);
}

/** Checks the `states` filter of a trial query. */
export function checkStates(
  states: unknown,
): Either<HyperionError, ReadonlyArray<TrialState> | undefined> {
  if (states === undefined) return right(undefined);
  const expected = "an array of 'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL' or 'WAITING'";
  if (!Array.isArray(states)) {
    return left(invalidArgument({ field: "states", value: states, expected }));
  }
  for (const state of states) {
    if (!TRIAL_STATES.includes(state)) {
      return left(invalidArgument({ field: "states", value: state, expected }));
    }
  }
  return right(states as ReadonlyArray<TrialState>);
}

/** Checks the options of a trial query (`undefined` or an object with valid `states`). */
export function checkTrialQuery(
  options: unknown,
): Either<HyperionError, ReadonlyArray<TrialState> | undefined> {
  if (options === undefined) return right(undefined);
  if (typeof options !== "object" || options === null) {
    return left(invalidArgument({
      field: "options",
      value: options,
      expected: "an object such as { states: ['COMPLETE'] }",
    }));
  }
  return checkStates((options as { states?: unknown }).states);
}

/** Checks a storage id (a study or trial id): an integer. */
export function checkId(field: string, id: unknown): Either<HyperionError, number> {
  return typeof id === "number" && Number.isSafeInteger(id)
    ? right(id)
    : left(invalidArgument({ field, value: id, expected: "an integer id" }));
}

/** Sets an own property, also for keys such as `__proto__` that assignment would not own. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** Checks a step and an intermediate value. */
export function checkIntermediate(step: unknown, value: unknown): Either<HyperionError, void> {
  if (typeof step !== "number" || !Number.isSafeInteger(step) || step < 0) {
    return left(
      invalidArgument({ field: "step", value: step, expected: "a non-negative integer" }),
    );
  }
  if (typeof value !== "number") {
    return left(invalidArgument({ field: "value", value, expected: "a number" }));
  }
  return right(undefined);
}

/** Checks objective values (finite or infinite numbers, no NaN). */
export function checkValues(values: unknown): Either<HyperionError, ReadonlyArray<number>> {
  if (!Array.isArray(values) || values.length === 0) {
    return left(
      invalidArgument({ field: "values", value: values, expected: "a non-empty array of numbers" }),
    );
  }
  for (const v of values) {
    if (typeof v !== "number" || Number.isNaN(v)) {
      return left(
        invalidArgument({ field: "values", value: values, expected: "numbers other than NaN" }),
      );
    }
  }
  return right(values as ReadonlyArray<number>);
}

/** Fills in and validates a trial template (Optuna's `_validate` rules). */
export function normaliseTemplate(
  template: TrialTemplate | undefined,
  now: number,
): Either<HyperionError, NormalisedTemplate> {
  const t: TrialTemplate = template === undefined ? { state: "RUNNING" } : template;
  if (typeof t !== "object" || t === null) {
    return left(invalidArgument({ field: "template", value: t, expected: "a trial template" }));
  }
  if (!TRIAL_STATES.includes(t.state)) {
    return left(invalidArgument({
      field: "state",
      value: t.state,
      expected: "one of 'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'",
    }));
  }
  const finished = isFinished(t.state);
  const values = t.values ?? null;
  if (values !== null) {
    const checked = checkValues(values);
    if (checked._tag === "Left") return checked;
  }
  if (t.state === "COMPLETE" && values === null) {
    return left(
      invalidArgument({ field: "values", value: null, expected: "values for a COMPLETE trial" }),
    );
  }
  if (t.state === "FAIL" && values !== null) {
    return left(
      invalidArgument({ field: "values", value: values, expected: "no values for a FAIL trial" }),
    );
  }
  const params = t.params ?? {};
  const distributions = t.distributions ?? {};
  const paramNames = Object.keys(params).sort();
  const distNames = Object.keys(distributions).sort();
  if (paramNames.join("\u0000") !== distNames.join("\u0000")) {
    return left(invalidArgument({
      field: "distributions",
      value: distNames,
      expected: `the same names as 'params' (${show(paramNames)})`,
    }));
  }
  const internalParams: Record<string, number> = {};
  const checkedDistributions: Record<string, Distribution> = {};
  // the template's own order: samplers that read a search space in key order depend on it
  for (const name of Object.keys(params)) {
    const checkedD = checkDistribution(distributions[name], name);
    if (checkedD._tag === "Left") return checkedD;
    const d = checkedD.right;
    setOwn(checkedDistributions, name, d);
    const internal = toInternal(d, params[name], name);
    if (internal._tag === "Left") return internal;
    if (!contains(d, internal.right)) {
      return left(invalidArgument({
        field: `params.${name}`,
        value: params[name],
        expected: "a value contained in its distribution",
      }));
    }
    setOwn(internalParams, name, internal.right);
  }
  const intermediateValues = t.intermediateValues ?? {};
  for (const [step, value] of Object.entries(intermediateValues)) {
    const checked = checkIntermediate(Number(step), value);
    if (checked._tag === "Left") return checked;
  }
  for (
    const [kind, attrs] of [["userAttrs", t.userAttrs ?? {}], [
      "systemAttrs",
      t.systemAttrs ?? {},
    ]] as const
  ) {
    for (const [key, value] of Object.entries(attrs)) {
      const problem = jsonProblem(value, key, kind === "systemAttrs" && allowsNonFinite(key));
      if (problem !== undefined) {
        return left(invalidArgument({
          field: `${kind}.${key}`,
          value,
          expected: "a JSON value",
          got: problem,
        }));
      }
    }
  }
  const datetimeStart = t.datetimeStart !== undefined
    ? t.datetimeStart
    : t.state === "WAITING"
    ? null
    : now;
  const datetimeComplete = t.datetimeComplete !== undefined
    ? t.datetimeComplete
    : finished
    ? (datetimeStart ?? now)
    : null;
  return right({
    state: t.state,
    values,
    params,
    internalParams,
    distributions: checkedDistributions,
    intermediateValues,
    userAttrs: t.userAttrs ?? {},
    systemAttrs: t.systemAttrs ?? {},
    datetimeStart,
    datetimeComplete: finished ? datetimeComplete : null,
  });
}

/** Copies a JSON value deeply (attribute maps must not alias the caller's objects). */
export function cloneJson<T extends JsonValue>(value: T): T {
  // primitives and empty records (most attributes, every new trial's maps) without a clone
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value) ? value.length === 0 : isEmptyRecord(value)) {
    return (Array.isArray(value) ? [] : {}) as T;
  }
  return structuredClone(value);
}

/** True when a (JSON) record has no key. */
function isEmptyRecord(value: object): boolean {
  for (const _ in value) return false;
  return true;
}

/** Why a stale-trial grace period is invalid (not a number), if it is. */
export function invalidGracePeriod(gracePeriodMs: unknown): HyperionError | undefined {
  return typeof gracePeriodMs !== "number" || Number.isNaN(gracePeriodMs)
    ? invalidArgument({
      field: "gracePeriodMs",
      value: gracePeriodMs,
      expected: "a number of milliseconds",
    })
    : undefined;
}
