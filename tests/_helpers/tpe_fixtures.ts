import assert from "node:assert/strict";
/** Readers for the TPE parity fixtures (tests/fixtures/tpe, made by make_fixtures.py). */
import {
  categoricalDistribution,
  type Distribution,
  floatDistribution,
  getOrThrow,
  intDistribution,
  type ParamValue,
} from "../../mod.ts";
import type { FrozenTrial, TrialState } from "../../lib/core/trial.ts";

/** A distribution as the fixtures write it. */
export type DistJson =
  | { type: "float"; low: number; high: number; log?: boolean; step?: number | null }
  | { type: "int"; low: number; high: number; log?: boolean; step?: number }
  | { type: "categorical"; choices: ParamValue[] };

/** Builds a distribution from its fixture form. */
export function distFromJson(d: DistJson): Distribution {
  if (d.type === "float") {
    return getOrThrow(floatDistribution(d.low, d.high, {
      log: d.log ?? false,
      ...(d.step != null ? { step: d.step } : {}),
    }));
  }
  if (d.type === "int") {
    return getOrThrow(intDistribution(d.low, d.high, { log: d.log ?? false, step: d.step ?? 1 }));
  }
  return getOrThrow(categoricalDistribution(d.choices));
}

/** Decodes the fixture's number encoding ("NaN", "Infinity", "-Infinity" strings). */
export function num(x: number | string): number {
  if (x === "NaN") return NaN;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  return x as number;
}

/** Reads a fixture file of this folder. */
export function readFixture<T>(name: string): T {
  return JSON.parse(
    Deno.readTextFileSync(new URL(`../fixtures/tpe/${name}`, import.meta.url)),
  ) as T;
}

/** A trial as the history fixtures write it. */
export interface TrialJson {
  params: Record<string, ParamValue>;
  state: TrialState;
  values?: number[];
  intermediate?: Record<string, number | string>;
  systemAttrs?: Record<string, unknown>;
}

/** Builds frozen trials (numbered in order) from a fixture history. */
export function trialsFromJson(
  trials: ReadonlyArray<TrialJson>,
  space: Record<string, DistJson>,
): FrozenTrial[] {
  return trials.map((t, number) => {
    const distributions: Record<string, Distribution> = {};
    for (const k of Object.keys(t.params)) distributions[k] = distFromJson(space[k]!);
    const intermediateValues: Record<number, number> = {};
    for (const [k, v] of Object.entries(t.intermediate ?? {})) {
      intermediateValues[Number(k)] = num(v);
    }
    return {
      number,
      trialId: number,
      state: t.state,
      values: t.state === "COMPLETE" ? t.values ?? null : null,
      params: t.params,
      distributions,
      intermediateValues,
      userAttrs: {},
      systemAttrs: (t.systemAttrs ?? {}) as FrozenTrial["systemAttrs"],
      datetimeStart: 0,
      datetimeComplete: t.state === "RUNNING" ? null : 0,
    };
  });
}

/** The parity fixtures' tolerance: relative to the expected value, absolute below 1. */
const TOL = 1e-9;

/** `actual` equals Optuna's `expected` to `TOL` (NaN and infinities exactly). */
export function close(actual: number, expected: number, what: string): void {
  if (Number.isNaN(expected)) {
    return assert.ok(Number.isNaN(actual), `${what}: ${actual} is not NaN`);
  }
  if (!Number.isFinite(expected)) return assert.equal(actual, expected, what);
  const err = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
  assert.ok(err <= TOL, `${what}: ${actual} vs ${expected} (error ${err})`);
}
