import assert from "node:assert/strict";
import {
  describeCause,
  duplicatedStudy,
  type HyperionError,
  invalidArgument,
  isHyperionError,
  matchError,
  show,
  studyNotFound,
  tagOf,
  trialNotUpdatable,
  trialPruned,
  unknownSamplerKind,
} from "../lib/errors.ts";

Deno.test("constructors build tagged errors with Deno-style messages", () => {
  assert.equal(
    invalidArgument({ field: "nTrials", value: -1, expected: "a non-negative integer" }).message,
    "Invalid 'nTrials': expected a non-negative integer, got -1",
  );
  assert.equal(studyNotFound("s").message, "Cannot find study 's' in the storage");
  assert.match(duplicatedStudy("s").message, /loadIfExists/);
  assert.equal(
    trialNotUpdatable({ trialNumber: 3, state: "COMPLETE" }).message,
    "Cannot update trial 3 as it has already finished: current state COMPLETE",
  );
  assert.match(unknownSamplerKind("x", ["random"]).message, /known kinds are 'random'/);
  assert.equal(trialPruned()._tag, "TrialPruned");
});

Deno.test("matchError dispatches on the tag and falls back to otherwise", () => {
  const e: HyperionError = studyNotFound("a");
  assert.equal(matchError(e, { StudyNotFound: (x) => x.studyName }, () => "other"), "a");
  assert.equal(
    matchError(trialPruned(), { StudyNotFound: () => "nf" }, (x) => x._tag),
    "TrialPruned",
  );
});

Deno.test("isHyperionError, tagOf and describeCause recognise errors of every shape", () => {
  assert.equal(isHyperionError(trialPruned()), true);
  assert.equal(isHyperionError({ _tag: "Mine", message: "m" }), false);
  assert.equal(tagOf({ _tag: "Mine" }), "Mine");
  assert.equal(tagOf(new TypeError("t")), "TypeError");
  assert.equal(tagOf(42), undefined);
  assert.equal(describeCause(new Error("boom")), "Error: boom");
  assert.equal(describeCause({ _tag: "Mine", message: "m" }), "Mine: m");
  assert.equal(show("x"), "'x'");
  assert.equal(show({ a: 1 }), '{"a":1}');
});
