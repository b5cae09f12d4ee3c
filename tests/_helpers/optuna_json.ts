/**
 * Our trials in the JSON shape of `tests/fixtures/optuna_json.py` (Python Optuna's view), for the
 * interop tests that compare the two: non-finite floats as "NaN", "Infinity" and "-Infinity",
 * datetimes as integer microseconds since the epoch, distributions as `distribution_to_json`.
 *
 * @module
 */
import type { FrozenTrial } from "../../lib/core/trial.ts";
import { distributionToJson } from "../../lib/core/distribution_json.ts";

/** A float as Python's dump writes it. */
export type Num = number | "NaN" | "Infinity" | "-Infinity";

const num = (x: number): Num =>
  Number.isNaN(x) ? "NaN" : x === Infinity ? "Infinity" : x === -Infinity ? "-Infinity" : x;

const micros = (ms: number | null): number | null => ms === null ? null : Math.round(ms * 1000);

/** A trial as `trial_json` writes it; distributions as their JSON text, or `parsed`. */
export interface TrialJson<D> {
  readonly number: number;
  readonly state: string;
  readonly values: ReadonlyArray<Num> | null;
  readonly params: Record<string, unknown>;
  readonly distributions: Record<string, D>;
  readonly intermediate_values: Record<string, Num>;
  readonly user_attrs: unknown;
  readonly system_attrs: unknown;
  readonly datetime_start: number | null;
  readonly datetime_complete: number | null;
}

/** `t` as Python's `trial_json(t, parsed_distributions=parsed)` writes it. */
export function trialJson(t: FrozenTrial, parsed: true): TrialJson<unknown>;
/** `t` with its distributions as `distribution_to_json` text. */
export function trialJson(t: FrozenTrial, parsed: false): TrialJson<string>;
export function trialJson(t: FrozenTrial, parsed: boolean): TrialJson<unknown> {
  return {
    number: t.number,
    state: t.state,
    values: t.values === null ? null : t.values.map(num),
    params: { ...t.params },
    distributions: Object.fromEntries(
      Object.entries(t.distributions).map((
        [k, d],
      ) => [k, parsed ? JSON.parse(distributionToJson(d)) : distributionToJson(d)]),
    ),
    intermediate_values: Object.fromEntries(
      Object.entries(t.intermediateValues).map(([k, v]) => [k, num(v)]),
    ),
    user_attrs: t.userAttrs,
    system_attrs: t.systemAttrs,
    datetime_start: micros(t.datetimeStart),
    datetime_complete: micros(t.datetimeComplete),
  };
}
