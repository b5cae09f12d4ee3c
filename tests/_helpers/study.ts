import assert from "node:assert/strict";
import type { Either } from "../../lib/effect/mod.ts";
import type { HyperionError } from "../../lib/errors.ts";

/** Asserts a Left with the given tag and returns its error. */
export function expectLeft(e: Either<HyperionError, unknown>, tag: string): HyperionError {
  assert.equal(e._tag, "Left", `expected Left ${tag}, got ${JSON.stringify(e)}`);
  const err = (e as { left: HyperionError }).left;
  assert.equal(err._tag, tag, err.message);
  return err;
}
