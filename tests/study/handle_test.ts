/**
 * The study handle holds its mutable part in the open (`Study.runtime`), and a record that
 * merely looks like a study gets a clear `InvalidArgument` from every study function.
 */
import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  enqueueTrial,
  failStaleTrials,
  getBestTrial,
  getBestTrials,
  getTrials,
  loadStudy,
  memoryStorage,
  optimize,
  randomSampler,
  runOrThrow,
  setStudySampler,
  setStudyUserAttr,
  stopOptimize,
  type Study,
  studySampler,
  tell,
  trialSnapshot,
} from "../../mod.ts";
import type { Either } from "../../lib/effect/mod.ts";
import type { HyperionError } from "../../lib/errors.ts";
import { expectLeft } from "../_helpers/study.ts";

/** A real study and a hand-built record with its fields but no runtime. */
async function realAndForged(): Promise<{ study: Study; forged: Study }> {
  const study = await runOrThrow(createStudy({ storage: memoryStorage(), studyName: "s" }));
  const { runtime: _runtime, ...fields } = study;
  return { study, forged: fields as unknown as Study };
}

/** Every study function, run on `study` (sync ones wrapped), never expected to throw. */
function everyStudyFunction(
  study: Study,
): ReadonlyArray<[string, () => Promise<Either<HyperionError, unknown>>]> {
  const sync = (f: () => Either<HyperionError, unknown>) => () => Promise.resolve(f());
  return [
    ["getTrials", getTrials(study)],
    ["getBestTrial", getBestTrial(study)],
    ["getBestTrials", getBestTrials(study)],
    ["setStudyUserAttr", setStudyUserAttr(study, "k", 1)],
    ["enqueueTrial", enqueueTrial(study, { x: 1 })],
    ["ask", ask(study)],
    ["tell", tell(study, 0, { values: 1 })],
    ["optimize", optimize(study, () => 1, { nTrials: 1, handleSignals: false })],
    ["failStaleTrials", failStaleTrials(study, { intervalMs: 1000 })],
    ["stopOptimize", sync(() => stopOptimize(study))],
    ["setStudySampler", sync(() => setStudySampler(study, randomSampler()))],
  ];
}

Deno.test("every study function gives InvalidArgument naming 'study' for a hand-built study, and writes nothing", async () => {
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  for (const bad of ["forged", null, undefined, 42, {}, { runtime: {} }, revoked] as const) {
    const { study, forged } = await realAndForged();
    const subject = (bad === "forged" ? forged : bad) as unknown as Study;
    for (const [name, run] of everyStudyFunction(subject)) {
      let result: Either<HyperionError, unknown>;
      try {
        result = await run();
      } catch (e) {
        assert.fail(`${name} threw for ${typeof bad}: ${e}`);
      }
      const error = expectLeft(result, "InvalidArgument");
      assert.match(error.message, /'study'/, `${name}: ${error.message}`);
    }
    assert.deepEqual(await runOrThrow(getTrials(study)), [], "nothing was written");
  }
});

Deno.test("setStudySampler() never throws, even for a sampler that cannot be read", async () => {
  const { study } = await realAndForged();
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const before = studySampler(study);
  for (const sampler of [proxy, null, 3, { kind: "nope" }]) {
    const result = setStudySampler(study, sampler as never);
    assert.equal(result._tag, "Left");
  }
  assert.equal(studySampler(study), before, "a refused sampler leaves the study's sampler");
});

Deno.test("Study.runtime holds the sampler and the stop flag in the open, shared by copies of the handle", async () => {
  const { study } = await realAndForged();
  assert.equal(study.runtime.stopRequested, false);
  assert.equal(study.runtime.sampler, studySampler(study));
  const copy = { ...study };
  assert.equal(stopOptimize(copy)._tag, "Right");
  assert.equal(study.runtime.stopRequested, true, "a copy shares the runtime");
  const sampler = randomSampler({ seed: 1 });
  assert.equal(setStudySampler(study, sampler)._tag, "Right");
  assert.deepEqual(study.runtime.sampler, sampler);
  // optimize clears the flag when it starts, then runs
  const summary = await runOrThrow(optimize(study, () => 1, { nTrials: 2, handleSignals: false }));
  assert.equal(summary.nTrials, 2);
});

Deno.test("each handle has its own runtime: two loads of one study do not share a stop flag or trials", async () => {
  const storage = memoryStorage();
  const a = await runOrThrow(createStudy({ storage, studyName: "s" }));
  const b = await runOrThrow(loadStudy({ storage, studyName: "s" }));
  assert.notEqual(a.runtime, b.runtime);
  stopOptimize(a);
  assert.equal(b.runtime.stopRequested, false);
  const trial = await runOrThrow(ask(a));
  assert.equal(a.runtime.trials.has(trial), true);
  assert.equal(b.runtime.trials.has(trial), false);
  // the trial's live state is found through its own study's runtime
  assert.equal(trialSnapshot(trial)._tag, "Right");
  assert.equal(trialSnapshot({ ...trial })._tag, "Left", "a forged copy is refused");
});
