/**
 * Reading the pruner fixtures generated from Python Optuna 5.0
 * (`tests/fixtures/pruners/make_fixtures.py`) and replaying them against our pruners.
 */
import assert from "node:assert/strict";
import { getOrThrow, right } from "../../lib/effect/mod.ts";
import type { HyperionError } from "../../lib/errors.ts";
import type { Direction } from "../../lib/core/study.ts";
import type { Attrs, FrozenTrial, TrialState } from "../../lib/core/trial.ts";
import type { JsonValue } from "../../lib/core/json.ts";
import type { Pruner, PrunerContext } from "../../lib/pruners/pruner.ts";
import { nopPruner } from "../../lib/pruners/nop.ts";
import { medianPruner, percentilePruner } from "../../lib/pruners/percentile.ts";
import { successiveHalvingPruner } from "../../lib/pruners/successive_halving.ts";
import { hyperbandPruner } from "../../lib/pruners/hyperband.ts";
import { thresholdPruner } from "../../lib/pruners/threshold.ts";
import { patientPruner } from "../../lib/pruners/patient.ts";
import { wilcoxonPruner } from "../../lib/pruners/wilcoxon.ts";
import { expectLeft } from "./study.ts";
import { runningTrial } from "../../lib/storage/trial_cache.ts";

/** A fixture number: finite, or the strings Python wrote for NaN and the infinities. */
export type Num = number | "NaN" | "Infinity" | "-Infinity";

/** How a pruner is built in a fixture (options in our camelCase names). */
export interface PrunerSpec {
  readonly kind: string;
  // deno-lint-ignore no-explicit-any
  readonly options?: Record<string, any>;
  readonly percentile?: number;
  readonly inner?: PrunerSpec | null;
  readonly patience?: number;
}

/** A trial as the fixtures store it. */
export interface FixtureTrial {
  readonly number: number;
  readonly state: TrialState;
  readonly values: ReadonlyArray<Num> | null;
  readonly intermediate: ReadonlyArray<readonly [number, Num]>;
  readonly systemAttrs: Record<string, JsonValue>;
  readonly datetimeStart: number | null;
  readonly datetimeComplete: number | null;
}

/** One decision case. */
export interface DecisionCase {
  readonly name: string;
  readonly pruner: PrunerSpec;
  readonly studyName: string;
  readonly directions: ReadonlyArray<Direction>;
  readonly trials: ReadonlyArray<FixtureTrial>;
  readonly live: number;
  readonly expected: {
    readonly prune: boolean;
    readonly systemAttrs: Record<string, Num>;
    readonly bracket?: number;
    readonly initialised?: boolean;
    readonly samplerTrials?: ReadonlyArray<number>;
  };
}

/** One whole-study replay. */
export interface SimulationCase {
  readonly name: string;
  readonly pruner: PrunerSpec;
  readonly studyName: string;
  readonly directions: ReadonlyArray<Direction>;
  readonly curves: ReadonlyArray<ReadonlyArray<number>>;
  readonly order: ReadonlyArray<ReadonlyArray<number>> | null;
  readonly stoppedAt: ReadonlyArray<number | null>;
  readonly systemAttrs: ReadonlyArray<Record<string, Num>>;
}

/** Decodes a fixture number. */
export function num(x: Num | JsonValue): number {
  if (x === "NaN") return NaN;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  assert.equal(typeof x, "number", `not a number: ${JSON.stringify(x)}`);
  return x as number;
}

/** Decodes numeric attribute values (rung values may be infinite). */
export function attrs(a: Record<string, JsonValue>): Attrs {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(a)) {
    out[k] = typeof v === "string" && (v === "NaN" || v === "Infinity" || v === "-Infinity")
      ? num(v)
      : v;
  }
  return out;
}

/** Reads `tests/fixtures/pruners/<name>`. */
export function loadFixture<T>(name: string): T {
  const url = new URL(`../fixtures/pruners/${name}`, import.meta.url);
  return JSON.parse(Deno.readTextFileSync(url)) as T;
}

/** The fixture's decision cases. */
export function decisionCases(name: string): ReadonlyArray<DecisionCase> {
  return loadFixture<{ cases: DecisionCase[] }>(name).cases;
}

/** The simulations of one pruner kind. */
export function simulations(kind: string): ReadonlyArray<SimulationCase> {
  return loadFixture<{ cases: SimulationCase[] }>("simulations.json").cases.filter((c) =>
    c.pruner.kind === kind
  );
}

/** Builds our pruner from a fixture spec. */
export function prunerFromSpec(spec: PrunerSpec): Pruner {
  const o = spec.options ?? {};
  switch (spec.kind) {
    case "nop":
      return nopPruner();
    case "median":
      return medianPruner(o);
    case "percentile":
      return percentilePruner(spec.percentile as number, o);
    case "successiveHalving":
      return successiveHalvingPruner(o);
    case "hyperband":
      return hyperbandPruner(o);
    case "threshold":
      return thresholdPruner(o);
    case "patient":
      return patientPruner(
        spec.inner ? prunerFromSpec(spec.inner) : null,
        spec.patience as number,
        o,
      );
    case "wilcoxon":
      return wilcoxonPruner(o);
  }
  throw new Error(`unknown pruner kind ${spec.kind}`);
}

/** Decodes a fixture trial. */
export function frozenTrial(t: FixtureTrial): FrozenTrial {
  const iv: Record<number, number> = {};
  for (const [s, v] of t.intermediate) iv[s] = num(v);
  return {
    number: t.number,
    trialId: t.number + 1,
    state: t.state,
    values: t.values === null ? null : t.values.map(num),
    params: {},
    distributions: {},
    intermediateValues: iv,
    userAttrs: {},
    systemAttrs: attrs(t.systemAttrs),
    datetimeStart: t.datetimeStart,
    datetimeComplete: t.datetimeComplete,
  };
}

/** The pruner context of a decision case. */
export function contextOf(c: DecisionCase): PrunerContext {
  const trials = c.trials.map(frozenTrial);
  return {
    studyName: c.studyName,
    directions: c.directions,
    trials,
    trial: trials[c.live] as FrozenTrial,
  };
}

/** Runs every decision case of a fixture and checks decision and written attrs. */
export function checkDecisionCases(cases: ReadonlyArray<DecisionCase>): void {
  assert.ok(cases.length > 0);
  for (const c of cases) {
    const pruner = prunerFromSpec(c.pruner);
    const decision = getOrThrow(pruner.prune(contextOf(c)));
    assert.equal(decision.prune, c.expected.prune, `${c.name}: prune`);
    assert.deepEqual(
      decision.trialSystemAttrs ?? {},
      attrs(c.expected.systemAttrs),
      `${c.name}: written system attrs`,
    );
  }
}

/** Replays a whole study, the way Optuna's `optimize` loop would drive the pruner. */
export function replay(
  sim: SimulationCase,
): { stoppedAt: Array<number | null>; systemAttrs: Attrs[] } {
  const pruner = prunerFromSpec(sim.pruner);
  const trials: FrozenTrial[] = [];
  const stoppedAt: Array<number | null> = [];
  let clock = 0;
  sim.curves.forEach((curve, i) => {
    let t: FrozenTrial = runningTrial(i, i + 1, clock++);
    trials.push(t);
    const order = sim.order?.[i] ?? curve.map((_, s) => s);
    let stopped: number | null = null;
    for (let j = 0; j < order.length; j++) {
      const s = order[j] as number;
      t = { ...t, intermediateValues: { ...t.intermediateValues, [s]: curve[s] as number } };
      trials[i] = t;
      const d = getOrThrow(pruner.prune({
        studyName: sim.studyName,
        directions: sim.directions,
        trials,
        trial: t,
      }));
      if (d.trialSystemAttrs !== undefined) {
        t = { ...t, systemAttrs: { ...t.systemAttrs, ...d.trialSystemAttrs } };
        trials[i] = t;
      }
      if (d.prune) {
        stopped = j;
        break;
      }
    }
    const last = curve[order[order.length - 1] as number] as number;
    trials[i] = {
      ...t,
      state: stopped === null ? "COMPLETE" : "PRUNED",
      values: [last],
      datetimeComplete: clock++,
    };
    stoppedAt.push(stopped);
  });
  return { stoppedAt, systemAttrs: trials.map((t) => t.systemAttrs) };
}

/** Replays every simulation of a kind and compares with Optuna's run. */
export function checkSimulations(kind: string): number {
  const sims = simulations(kind);
  assert.ok(sims.length > 0, `no simulations for ${kind}`);
  for (const sim of sims) {
    const got = replay(sim);
    assert.deepEqual(got.stoppedAt, sim.stoppedAt, `${sim.name}: where trials stopped`);
    assert.deepEqual(got.systemAttrs, sim.systemAttrs.map(attrs), `${sim.name}: system attrs`);
  }
  return sims.length;
}

/** A hand-built trial: `curve[i]` reported at step `i` (holes with `undefined`). */
export function handTrial(
  number: number,
  curve: ReadonlyArray<number | undefined>,
  options: {
    state?: TrialState;
    value?: number;
    systemAttrs?: Attrs;
    datetimeComplete?: number | null;
  } = {},
): FrozenTrial {
  const state = options.state ?? "COMPLETE";
  const iv: Record<number, number> = {};
  curve.forEach((v, i) => {
    if (v !== undefined) iv[i] = v;
  });
  const finished = state === "COMPLETE" || state === "PRUNED" || state === "FAIL";
  const lastValue = [...curve].reverse().find((v) => v !== undefined) ?? 0;
  return {
    number,
    trialId: number + 1,
    state,
    values: state === "COMPLETE" ? [options.value ?? lastValue] : null,
    params: {},
    distributions: {},
    intermediateValues: iv,
    userAttrs: {},
    systemAttrs: options.systemAttrs ?? {},
    datetimeStart: 0,
    datetimeComplete: options.datetimeComplete !== undefined
      ? options.datetimeComplete
      : finished
      ? number
      : null,
  };
}

/** A context over hand-built trials; the live trial is the last one. */
export function handContext(
  trials: ReadonlyArray<FrozenTrial>,
  direction: Direction | ReadonlyArray<Direction> = "minimize",
  studyName = "study",
): PrunerContext {
  return {
    studyName,
    directions: typeof direction === "string" ? [direction] : direction,
    trials,
    trial: trials[trials.length - 1] as FrozenTrial,
  };
}

/** The decision's `prune` flag, failing on a Left. */
export function prunes(pruner: Pruner, ctx: PrunerContext): boolean {
  return getOrThrow(pruner.prune(ctx)).prune;
}

/** A context whose only trial is a RUNNING trial 0 with `curve` reported (see {@link handTrial}). */
export function liveContext(
  curve: ReadonlyArray<number | undefined>,
  direction: Direction | ReadonlyArray<Direction> = "minimize",
): PrunerContext {
  return handContext([handTrial(0, curve, { state: "RUNNING" })], direction);
}

/** The cases generated at random (named `random…`). */
export function randomCases(cases: ReadonlyArray<DecisionCase>): ReadonlyArray<DecisionCase> {
  return cases.filter((c) => c.name.startsWith("random"));
}

/** Checks every hand-built case (not named `random…`) in a test step of its own name. */
export async function checkHandBuiltCases(
  t: Deno.TestContext,
  cases: ReadonlyArray<DecisionCase>,
): Promise<void> {
  for (const c of cases.filter((c) => !c.name.startsWith("random"))) {
    await t.step(c.name, () => checkDecisionCases([c]));
  }
}

/**
 * Asserts that `cases` holds at least `atLeast` cases and, for each of `witnesses`, some case
 * satisfying it; then checks every case with {@link checkDecisionCases}.
 */
export function checkCaseSet(
  cases: ReadonlyArray<DecisionCase>,
  atLeast: number,
  ...witnesses: ReadonlyArray<(c: DecisionCase) => boolean>
): void {
  assert.ok(cases.length >= atLeast);
  for (const witness of witnesses) assert.ok(cases.some(witness));
  checkDecisionCases(cases);
}

/** A witness for {@link checkCaseSet}: the case expects a prune. */
export const prunesCase = (c: DecisionCase): boolean => c.expected.prune;

/**
 * Asserts that `pruner` rejected its options: `validate` returns `InvalidArgument` naming
 * `field` (`message` labels that assertion) and `prune` on `ctx` returns `InvalidArgument`
 * too. Returns the validation error.
 */
export function expectInvalidPruner(
  pruner: Pruner,
  field: string,
  ctx: PrunerContext,
  message?: string,
): HyperionError {
  const err = expectLeft(pruner.validate?.() ?? right(undefined), "InvalidArgument");
  assert.equal((err as { field: string }).field, field, message);
  expectLeft(pruner.prune(ctx), "InvalidArgument");
  return err;
}
