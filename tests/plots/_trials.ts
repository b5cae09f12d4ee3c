/** Trial records for the plot tests. */
import type { Distribution, FrozenTrial, ParamValue } from "../../mod.ts";
import { floatDistribution, getOrThrow } from "../../mod.ts";

/** U(0, 10). */
export const U10: Distribution = getOrThrow(floatDistribution(0, 10));

/** A trial with the given fields (params on U(0, 10) unless `distributions` says otherwise). */
export function t(
  number: number,
  fields: {
    state?: FrozenTrial["state"];
    values?: number[] | null;
    params?: Record<string, ParamValue>;
    distributions?: Record<string, Distribution>;
    intermediate?: Record<number, number>;
    constraints?: number[];
    start?: number | null;
    complete?: number | null;
  } = {},
): FrozenTrial {
  const params = fields.params ?? {};
  return {
    number,
    trialId: number,
    state: fields.state ?? "COMPLETE",
    values: fields.values === undefined ? [number] : fields.values,
    params,
    distributions: fields.distributions ??
      Object.fromEntries(Object.keys(params).map((k) => [k, U10])),
    intermediateValues: fields.intermediate ?? {},
    userAttrs: {},
    systemAttrs: fields.constraints ? { constraints: fields.constraints } : {},
    datetimeStart: fields.start === undefined ? 1000 * number : fields.start,
    datetimeComplete: fields.complete === undefined ? 1000 * number + 500 : fields.complete,
  };
}

/** The Right of an Either, or a throw. */
export function ok<A>(e: { _tag: "Left"; left: unknown } | { _tag: "Right"; right: A }): A {
  if (e._tag === "Left") throw new Error(JSON.stringify(e.left));
  return e.right;
}
