/**
 * Checks that a seeded sampler's suggestions depend only on (seed, options, trial number,
 * history): a study continued from any older snapshot of its sampler, or from a fresh sampler
 * with the same seed, gives the same later trials, bit for bit, as the uninterrupted run.
 */
import assert from "node:assert/strict";
import {
  copyStudy,
  createStudy,
  type Direction,
  enqueueTrial,
  type FrozenTrial,
  getOrThrow,
  getTrials,
  type HyperionError,
  memoryStorage,
  optimize,
  type ParamValue,
  runOrThrow,
  type Sampler,
  samplerFromSnapshot,
  type Storage,
  studySampler,
  type TaskEither,
  type Trial,
} from "../../mod.ts";

/** An objective as `optimize` takes it. */
export type ReplayObjective = (
  trial: Trial,
) => TaskEither<HyperionError, number | ReadonlyArray<number>>;

/** What {@link checkReplay} runs. */
export interface ReplayCase {
  /** Builds the sampler (same seed every call). */
  readonly sampler: () => Sampler;
  /** The objective. */
  readonly objective: ReplayObjective;
  /** Number of trials of the uninterrupted run. */
  readonly nTrials: number;
  /** (snapshot after trial j, study cut after trial k) pairs with j ≤ k; j = 0: before any. */
  readonly cuts: ReadonlyArray<readonly [number, number]>;
  /** The study's directions. */
  readonly directions?: ReadonlyArray<Direction>;
  /** Trials enqueued before the run (fixed parameters). */
  readonly enqueue?: ReadonlyArray<Readonly<Record<string, ParamValue>>>;
}

/** The parts of a trial that a sampler decides. */
function drawn(t: FrozenTrial): unknown {
  const { number, params, distributions, state } = t;
  return { number, params, distributions, state, gridId: t.systemAttrs["grid_id"] };
}

async function continueFrom(
  copy: Storage,
  sampler: Sampler,
  c: ReplayCase,
  k: number,
): Promise<ReadonlyArray<FrozenTrial>> {
  const storage = memoryStorage();
  await runOrThrow(copyStudy({ fromStorage: copy, fromStudyName: "s", toStorage: storage }));
  const study = await runOrThrow(
    createStudy({ storage, studyName: "s", loadIfExists: true, sampler }),
  );
  await runOrThrow(optimize(study, c.objective, { nTrials: c.nTrials - k }));
  return await runOrThrow(getTrials(study));
}

/**
 * Runs `c.nTrials` trials uninterrupted, recording the sampler after each and copying the
 * study after each cut; then, for every cut (j, k), continues the copy taken after trial k
 * with the snapshot taken after trial j (and with a fresh sampler) and asserts that trials
 * k… equal the uninterrupted ones. Returns the uninterrupted trials.
 */
export async function checkReplay(c: ReplayCase): Promise<ReadonlyArray<FrozenTrial>> {
  const storage = memoryStorage();
  const directions = c.directions ?? ["minimize"];
  const study = await runOrThrow(
    createStudy({ storage, studyName: "s", sampler: c.sampler(), directions }),
  );
  for (const params of c.enqueue ?? []) await runOrThrow(enqueueTrial(study, params));
  const snapshots: string[] = [JSON.stringify(studySampler(study))];
  const copies = new Map<number, Storage>();
  const cutsAt = new Set(c.cuts.map(([, k]) => k));
  for (let i = 1; i <= c.nTrials; i++) {
    await runOrThrow(optimize(study, c.objective, { nTrials: 1 }));
    snapshots.push(JSON.stringify(studySampler(study)));
    if (cutsAt.has(i)) {
      const copy = memoryStorage();
      await runOrThrow(copyStudy({ fromStorage: storage, fromStudyName: "s", toStorage: copy }));
      copies.set(i, copy);
    }
  }
  const straight = await runOrThrow(getTrials(study));
  assert.equal(straight.length, c.nTrials);
  for (const [j, k] of c.cuts) {
    assert.ok(j <= k, `cut (${j}, ${k})`);
    const copy = copies.get(k)!;
    const samplers: Array<[string, Sampler]> = [
      [`snapshot after trial ${j}`, getOrThrow(samplerFromSnapshot(snapshots[j]!))],
      ["fresh sampler", c.sampler()],
    ];
    for (const [what, sampler] of samplers) {
      const resumed = await continueFrom(copy, sampler, c, k);
      assert.deepStrictEqual(
        resumed.slice(k).map(drawn),
        straight.slice(k).map(drawn),
        `continued after trial ${k} from the ${what}`,
      );
    }
  }
  return straight;
}

/** What {@link checkRerun} runs. */
export interface RerunCase {
  /** Builds the sampler (same seed every call). */
  readonly sampler: () => Sampler;
  /** The objective. */
  readonly objective: ReplayObjective;
  /** Number of trials of the uninterrupted run. */
  readonly nTrials: number;
  /** The trial re-run. */
  readonly rerun: number;
  /** Sets of parameter names kept fixed in the re-run (each checked separately). */
  readonly fixed: ReadonlyArray<ReadonlyArray<string>>;
  /** The study's directions. */
  readonly directions?: ReadonlyArray<Direction>;
}

/**
 * Runs `c.nTrials` trials; then, for each set of fixed names, rebuilds the study as it was
 * before trial `c.rerun`, enqueues the original values of those names (a WAITING trial with
 * `fixed_params` at the same number, as `resumeStudy` makes) and asserts that the re-run draws
 * every other parameter exactly as the original trial did.
 */
export async function checkRerun(c: RerunCase): Promise<void> {
  const storage = memoryStorage();
  const directions = c.directions ?? ["minimize"];
  const study = await runOrThrow(
    createStudy({ storage, studyName: "s", sampler: c.sampler(), directions }),
  );
  await runOrThrow(optimize(study, c.objective, { nTrials: c.rerun }));
  const before = memoryStorage();
  await runOrThrow(copyStudy({ fromStorage: storage, fromStudyName: "s", toStorage: before }));
  await runOrThrow(optimize(study, c.objective, { nTrials: c.nTrials - c.rerun }));
  const original = (await runOrThrow(getTrials(study)))[c.rerun]!;
  for (const names of c.fixed) {
    const drawnNames = Object.keys(original.params).filter((n) => !names.includes(n));
    assert.ok(drawnNames.length > 0 && names.length > 0, `fixed ${names} leaves something drawn`);
    const again = memoryStorage();
    await runOrThrow(copyStudy({ fromStorage: before, fromStudyName: "s", toStorage: again }));
    const rebuilt = await runOrThrow(
      createStudy({ storage: again, studyName: "s", loadIfExists: true, sampler: c.sampler() }),
    );
    const fixed = Object.fromEntries(names.map((n) => [n, original.params[n]!]));
    await runOrThrow(enqueueTrial(rebuilt, fixed));
    await runOrThrow(optimize(rebuilt, c.objective, { nTrials: 1 }));
    const rerun = (await runOrThrow(getTrials(rebuilt)))[c.rerun]!;
    assert.equal(rerun.number, original.number);
    assert.deepStrictEqual(rerun.params, original.params, `re-run with ${names} fixed`);
  }
}
