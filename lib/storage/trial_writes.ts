/**
 * The decisions of the trial writes, shared by every backend (memory, SQLite, PostgreSQL):
 * given the stored head of the trial (its study, number and state; `undefined` when missing)
 * and the call's arguments, either the error to report or the write to make, as data. The
 * order of the checks lives here only; each backend applies the write its own way (a record
 * in memory, statements from the dialect table in a database). Pure; private to the library.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, trialNotFound } from "../errors.ts";
import { checkCompatible, type Distribution } from "../core/distributions.ts";
import type { JsonValue } from "../core/json.ts";
import { checkTransition, checkUpdatable, isFinished, type TrialState } from "../core/trial.ts";
import { checkAttrWrite, checkIntermediate, checkParam, checkValues } from "./rules.ts";
import type { AttrKind, SetAttrArgs, SetTrialParamArgs, SetTrialStateArgs } from "./storage.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a decision needs to know about a stored trial.
 *
 * @category model
 */
export interface TrialHead {
  readonly studyId: number;
  readonly number: number;
  readonly state: TrialState;
}

/**
 * Store a parameter (kept when the name is already set, as Optuna does).
 *
 * @category model
 */
export interface ParamWrite {
  readonly trialId: number;
  readonly name: string;
  readonly internal: number;
  readonly distribution: Distribution;
}

/**
 * Store (or replace) the value reported at a step.
 *
 * @category model
 */
export interface IntermediateWrite {
  readonly trialId: number;
  readonly step: number;
  readonly value: number;
}

/**
 * Move a trial to a state; `values` (when given) replace the stored objective values; the
 * start / completion time is set to now when `start` / `complete`.
 *
 * @category model
 */
export interface StateWrite {
  readonly trialId: number;
  readonly state: TrialState;
  readonly values: ReadonlyArray<number> | undefined;
  readonly start: boolean;
  readonly complete: boolean;
}

/**
 * Store (or replace) a trial attribute.
 *
 * @category model
 */
export interface AttrWrite {
  readonly trialId: number;
  readonly kind: AttrKind;
  readonly key: string;
  readonly value: JsonValue;
}

/**
 * Where the first distribution stored for a parameter name in a study is looked up.
 *
 * @category model
 */
export type FirstDistribution = (studyId: number, name: string) => Distribution | undefined;

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * `f` applied to a `Right`'s value; a `Left` passes through.
 *
 * @category combinators
 */
export function mapRight<E, A, B>(ea: Either<E, A>, f: (a: A) => B): Either<E, B> {
  return ea._tag === "Left" ? ea : right(f(ea.right));
}

/**
 * `f` applied to a `Right`'s value, its result returned; a `Left` passes through.
 *
 * @category combinators
 */
export function chainRight<E, A, B>(ea: Either<E, A>, f: (a: A) => Either<E, B>): Either<E, B> {
  return ea._tag === "Left" ? ea : f(ea.right);
}

// -------------------------------------------------------------------------------------
// decisions
// -------------------------------------------------------------------------------------

/**
 * The trial's head, or `TrialNotFound` naming the id.
 *
 * @category decisions
 */
export function found(
  trialId: unknown,
  head: TrialHead | undefined,
): Either<HyperionError, TrialHead> {
  return head === undefined ? left(trialNotFound(trialId as number, "id")) : right(head);
}

/**
 * `setTrialParam`: the trial exists, the parameter is valid, the trial is updatable, the
 * distribution is compatible with the study's first one of that name.
 *
 * @category decisions
 */
export function decideParam(
  head: TrialHead | undefined,
  args: SetTrialParamArgs,
  first: FirstDistribution,
): Either<HyperionError, ParamWrite> {
  // plain early returns, no closure: this runs on every suggest
  const t = found(args?.trialId, head);
  if (t._tag === "Left") return t;
  const d = checkParam(args.name, args.internal, args.distribution);
  if (d._tag === "Left") return d;
  if (isFinished(t.right.state)) {
    const refused = checkUpdatable(t.right, `set parameter '${args.name}' of`);
    if (refused._tag === "Left") return refused;
  }
  const write = {
    trialId: args.trialId,
    name: args.name,
    internal: args.internal,
    distribution: d.right,
  };
  const stored = first(t.right.studyId, args.name);
  if (stored === undefined) return right(write);
  const compatible = checkCompatible(stored, d.right, args.name);
  return compatible._tag === "Left" ? compatible : right(write);
}

/**
 * `setTrialIntermediateValue`: the trial exists and is updatable, the step and value are valid.
 *
 * @category decisions
 */
export function decideIntermediate(
  head: TrialHead | undefined,
  args: { readonly trialId: number; readonly step: number; readonly value: number },
): Either<HyperionError, IntermediateWrite> {
  return chainRight(
    found(args?.trialId, head),
    (t) =>
      chainRight(
        checkUpdatable(t, "report to"),
        () =>
          mapRight(checkIntermediate(args.step, args.value), () => ({
            trialId: args.trialId,
            step: args.step,
            value: args.value,
          })),
      ),
  );
}

/**
 * `setTrialStateValues`: the trial exists, the transition is allowed (`undefined`: a claim of
 * a trial that is no longer WAITING, nothing to write), the values are valid.
 *
 * @category decisions
 */
export function decideState(
  head: TrialHead | undefined,
  args: SetTrialStateArgs,
): Either<HyperionError, StateWrite | undefined> {
  const write = (values: ReadonlyArray<number> | undefined): StateWrite => ({
    trialId: args.trialId,
    state: args.state,
    values,
    start: args.state === "RUNNING",
    complete: isFinished(args.state),
  });
  return chainRight(
    found(args?.trialId, head),
    (t) =>
      chainRight(
        checkTransition(t, args.state, args.values),
        (allowed) =>
          !allowed
            ? right(undefined)
            : args.values === undefined || args.values === null
            ? right(write(undefined))
            : mapRight(checkValues(args.values), write),
      ),
  );
}

/**
 * `setTrialAttr`: the trial exists, the key and value are valid, the trial is updatable.
 *
 * @category decisions
 */
export function decideTrialAttr(
  head: TrialHead | undefined,
  args: SetAttrArgs,
): Either<HyperionError, AttrWrite> {
  return chainRight(
    found(args?.id, head),
    (t) =>
      chainRight(
        checkAttrWrite(args),
        () =>
          mapRight(checkUpdatable(t, `set attribute '${args.key}' of`), () => ({
            trialId: args.id,
            kind: args.kind === "user" ? "user" as const : "system" as const,
            key: args.key,
            value: args.value,
          })),
      ),
  );
}

/**
 * `recordHeartbeat`: the trial exists; only a RUNNING trial's heartbeat is stored (`false`:
 * nothing to write).
 *
 * @category decisions
 */
export function decideHeartbeat(
  trialId: unknown,
  head: TrialHead | undefined,
): Either<HyperionError, boolean> {
  return head === undefined
    ? left(trialNotFound(trialId as number, "id"))
    : right(head.state === "RUNNING");
}
