/**
 * Validation of what an objective returned (Optuna §3.3). Private to the library.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { show } from "../errors.ts";

/**
 * Checks an objective's result against the number of objectives; `Left` carries the reason
 * the trial fails, naming the trial and the value.
 */
export function checkObjectiveValues(
  raw: unknown,
  nObjectives: number,
  trialNumber: number,
): Either<string, ReadonlyArray<number>> {
  const values: ReadonlyArray<unknown> = Array.isArray(raw) ? raw : [raw];
  if (!Array.isArray(raw) && typeof raw !== "number") {
    return left(
      `Trial ${trialNumber} failed with value ${
        show(raw)
      }: the objective must return a number or an array of numbers`,
    );
  }
  if (values.length !== nObjectives) {
    return left(
      `Trial ${trialNumber} failed with value ${
        show(raw)
      }: the number of values ${values.length} does not match the number of objectives ${nObjectives}`,
    );
  }
  for (const v of values) {
    if (typeof v !== "number") {
      return left(
        `Trial ${trialNumber} failed with value ${show(raw)}: ${show(v)} is not a number`,
      );
    }
    if (Number.isNaN(v)) {
      return left(`Trial ${trialNumber} failed with value NaN: the value NaN is not acceptable`);
    }
  }
  return right(values as ReadonlyArray<number>);
}
