/**
 * Heartbeats and stale-trial recovery: the retry callback's Optuna system attributes, the
 * wiring inside `optimize` (heartbeats while a trial runs, none after it ends whatever
 * happens; stale trials failed at the start of every trial and handed to the callback), and,
 * with real processes, a worker killed with SIGKILL mid-trial whose trial another worker
 * re-runs — on SQLite (a temp file) and on PostgreSQL (`HYPERION_PG_URL`, else a throwaway
 * cluster on 127.0.0.1:54333 started with `.ci/postgres.sh`; skipped with the reason printed
 * only when PostgreSQL cannot be installed).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  createStudy,
  type FailedTrialCallback,
  failStaleTrials,
  type FrozenTrial,
  getOrThrow,
  getTrials,
  left,
  memoryStorage,
  optimize,
  randomSampler,
  retriedTrialNumber,
  retryFailedTrialCallback,
  retryHistory,
  right,
  runOrThrow,
  type Storage,
  succeed,
  suggestFloat,
  type Trial,
} from "../../mod.ts";
import { floatDistribution, intDistribution } from "../../lib/core/distributions.ts";
import { openStorage } from "../../lib/storage/open.ts";
import { expectLeft } from "../_helpers/study.ts";
import { createDatabase, ensurePostgres } from "../fixtures/postgres/server.ts";

const WORKER = fileURLToPath(new URL("../fixtures/heartbeat/worker.ts", import.meta.url));
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

/** A storage whose heartbeat writes are counted. */
function counting(storage: Storage): { storage: Storage; beats: () => number } {
  let beats = 0;
  return {
    storage: {
      ...storage,
      recordHeartbeat: (trialId) => () => {
        beats++;
        return storage.recordHeartbeat(trialId)();
      },
    },
    beats: () => beats,
  };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

// -------------------------------------------------------------------------------------
// the retry callback
// -------------------------------------------------------------------------------------

Deno.test("retryFailedTrialCallback() enqueues a copy with Optuna's failed_trial and retry_history", async () => {
  const study = await runOrThrow(createStudy());
  const x = getOrThrow(floatDistribution(0, 1));
  const n = getOrThrow(intDistribution(1, 5));
  const failed = await runOrThrow(study.storage.createTrial(study.studyId, {
    state: "FAIL",
    params: { x: 0.5, n: 3 },
    distributions: { x, n },
    intermediateValues: { 0: 1, 1: 0.5 },
    userAttrs: { owner: "a" },
    systemAttrs: { fixed_params: { x: 0.5 } },
  }));
  assert.equal(retriedTrialNumber(failed), undefined);
  assert.deepEqual(retryHistory(failed), []);
  await runOrThrow(retryFailedTrialCallback()(study, failed));
  const retry = (await runOrThrow(getTrials(study)))[1] as FrozenTrial;
  assert.equal(retry.state, "WAITING");
  assert.deepEqual(retry.params, { x: 0.5, n: 3 });
  assert.deepEqual(retry.distributions, { x, n });
  assert.deepEqual(retry.userAttrs, { owner: "a" });
  assert.deepEqual(retry.intermediateValues, {});
  assert.deepEqual(retry.systemAttrs, {
    failed_trial: 0,
    fixed_params: { x: 0.5 },
    retry_history: [0],
  });

  // a retry of the retry keeps the original number and extends the history
  await runOrThrow(
    retryFailedTrialCallback({ inheritIntermediateValues: true })(study, {
      ...retry,
      state: "FAIL",
      intermediateValues: { 0: 2 },
    }),
  );
  const second = (await runOrThrow(getTrials(study)))[2] as FrozenTrial;
  assert.equal(retriedTrialNumber(second), 0);
  assert.deepEqual(retryHistory(second), [0, 1]);
  assert.deepEqual(second.intermediateValues, { 0: 2 });
});

Deno.test("retryFailedTrialCallback({ maxRetry }) stops once the history would exceed it", async () => {
  const study = await runOrThrow(createStudy());
  const first = await runOrThrow(study.storage.createTrial(study.studyId, { state: "FAIL" }));
  const retry = retryFailedTrialCallback({ maxRetry: 1 });
  await runOrThrow(retry(study, first));
  const again = (await runOrThrow(getTrials(study)))[1] as FrozenTrial;
  await runOrThrow(retry(study, { ...again, state: "FAIL" }));
  assert.equal((await runOrThrow(getTrials(study))).length, 2);
  await runOrThrow(retryFailedTrialCallback({ maxRetry: 0 })(study, first));
  assert.equal((await runOrThrow(getTrials(study))).length, 2);
  expectLeft(
    await retryFailedTrialCallback({ maxRetry: -1 })(study, first)(),
    "InvalidArgument",
  );
});

// -------------------------------------------------------------------------------------
// optimize
// -------------------------------------------------------------------------------------

Deno.test("optimize() records heartbeats while a trial runs and none once it has ended", async () => {
  const { storage, beats } = counting(memoryStorage());
  const study = await runOrThrow(createStudy({ storage, sampler: randomSampler({ seed: 1 }) }));
  const summary = await runOrThrow(optimize(study, (trial: Trial) => async () => {
    // wait for three heartbeats of this trial (the first is written when it starts)
    const start = beats();
    while (beats() - start < 2) await sleep(5);
    return right(await runOrThrow(suggestFloat(trial, "x", 0, 1)));
  }, { nTrials: 2, heartbeat: { intervalMs: 20 } }));
  assert.equal(summary.counts.COMPLETE, 2);
  const after = beats();
  assert.ok(after >= 6, `${after} heartbeats`);
  await sleep(100);
  assert.equal(beats(), after, "a heartbeat timer outlived its trial");
});

Deno.test("optimize() stops the heartbeat when the objective throws or fails", async () => {
  const { storage, beats } = counting(memoryStorage());
  const study = await runOrThrow(createStudy({ storage }));
  const thrown = await optimize(study, () => () => {
    throw new Error("boom");
  }, { nTrials: 3, heartbeat: { intervalMs: 10 } })();
  assert.equal(thrown._tag, "Left");
  const failed = await runOrThrow(optimize(study, () => () => Promise.resolve(left("nope")), {
    nTrials: 2,
    catch: [],
    heartbeat: { intervalMs: 10 },
  })).catch((e) => e);
  assert.ok(failed instanceof Error);
  const after = beats();
  assert.ok(after >= 2);
  await sleep(60);
  assert.equal(beats(), after, "a heartbeat timer outlived its trial");
  assert.ok((await runOrThrow(getTrials(study))).every((t) => t.state === "FAIL"));
});

Deno.test("optimize() fails stale trials first, hands them to the callback, and re-runs retries", async () => {
  const clock = { now: T0 };
  const storage = memoryStorage({ now: () => clock.now });
  const study = await runOrThrow(createStudy({ storage, sampler: randomSampler({ seed: 2 }) }));
  const x = getOrThrow(floatDistribution(0, 1));
  // a trial whose worker died 10 s ago, after its last heartbeat
  const dead = await runOrThrow(storage.createTrial(study.studyId));
  await runOrThrow(
    storage.setTrialParam({ trialId: dead.trialId, name: "x", internal: 0.75, distribution: x }),
  );
  await runOrThrow(storage.recordHeartbeat(dead.trialId));
  // a running trial without heartbeats (someone's ask/tell) is left alone
  const silent = await runOrThrow(storage.createTrial(study.studyId));
  clock.now += 10_000;
  const handed: FrozenTrial[] = [];
  const retry = retryFailedTrialCallback();
  const callback: FailedTrialCallback = (s, t) => {
    handed.push(t);
    return retry(s, t);
  };
  const seen: number[] = [];
  const summary = await runOrThrow(optimize(study, (trial: Trial) => async () => {
    const value = await runOrThrow(suggestFloat(trial, "x", 0, 1));
    seen.push(value);
    return right(value);
  }, { nTrials: 2, heartbeat: { intervalMs: 1000, failedTrialCallback: callback } }));
  assert.equal(summary.counts.COMPLETE, 2);
  assert.deepEqual(handed.map((t) => [t.number, t.state]), [[dead.number, "FAIL"]]);
  assert.equal(seen[0], 0.75, "the retry ran first, with the dead trial's parameters");
  const trials = await runOrThrow(getTrials(study));
  assert.deepEqual(trials.map((t) => t.state), ["FAIL", "RUNNING", "COMPLETE", "COMPLETE"]);
  assert.equal(trials[1]?.trialId, silent.trialId);
  assert.equal(retriedTrialNumber(trials[2] as FrozenTrial), dead.number);
  assert.deepEqual(retryHistory(trials[2] as FrozenTrial), [dead.number]);
});

Deno.test("failStaleTrials() honours gracePeriodMs (default twice intervalMs) and stops on a callback's Left", async () => {
  const clock = { now: T0 };
  const storage = memoryStorage({ now: () => clock.now });
  const study = await runOrThrow(createStudy({ storage }));
  const t = await runOrThrow(storage.createTrial(study.studyId));
  await runOrThrow(storage.recordHeartbeat(t.trialId));
  clock.now += 1500;
  assert.deepEqual(await runOrThrow(failStaleTrials(study, { intervalMs: 1000 })), []);
  const e = await failStaleTrials(study, {
    intervalMs: 1000,
    gracePeriodMs: 1000,
    failedTrialCallback: () => () => Promise.resolve(left({ _tag: "StorageError" } as never)),
  })();
  assert.equal(e._tag === "Left" && e.left._tag, "StorageError");
  assert.equal((await runOrThrow(getTrials(study)))[0]?.state, "FAIL");
});

Deno.test("optimize() rejects bad heartbeat options with InvalidArgument naming the field", async () => {
  const study = await runOrThrow(createStudy());
  for (
    const [heartbeat, field] of [
      [{ intervalMs: 0 }, "heartbeat.intervalMs"],
      [{ intervalMs: NaN }, "heartbeat.intervalMs"],
      [{ intervalMs: 10, gracePeriodMs: -1 }, "heartbeat.gracePeriodMs"],
      [{ intervalMs: 10, failedTrialCallback: 3 }, "heartbeat.failedTrialCallback"],
      [5, "heartbeat"],
    ] as const
  ) {
    const e = expectLeft(
      await optimize(study, () => succeed(1), { nTrials: 1, heartbeat: heartbeat as never })(),
      "InvalidArgument",
    );
    assert.match(e.message, new RegExp(`'${field.replace(".", "\\.")}'`));
  }
  assert.equal((await runOrThrow(getTrials(study))).length, 0);
});

Deno.test("sqliteStorage({ heartbeatIntervalMs }) turns heartbeats on for every optimize run, as Optuna's RDBStorage does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clock = { now: T0 };
    const handed: number[] = [];
    const callback: FailedTrialCallback = (_s, t) => {
      handed.push(t.number);
      return () => Promise.resolve(right(undefined));
    };
    const opened = await runOrThrow(openStorage(`sqlite:///${dir}/hb.db`, {
      sqlite: { heartbeatIntervalMs: 1000, failedTrialCallback: callback, now: () => clock.now },
    }));
    assert.equal(opened.heartbeat?.intervalMs, 1000);
    assert.equal(opened.heartbeat?.gracePeriodMs, undefined, "the default stays 2 × interval");
    const { storage, beats } = counting(opened);
    const study = await runOrThrow(createStudy({ storage, studyName: "hb" }));
    const dead = await runOrThrow(storage.createTrial(study.studyId));
    await runOrThrow(storage.recordHeartbeat(dead.trialId));
    clock.now += 1999; // within the default grace period of 2000 ms
    await runOrThrow(optimize(study, () => succeed(1), { nTrials: 1 }));
    assert.deepEqual(handed, []);
    clock.now += 2; // now past it
    await runOrThrow(optimize(study, () => succeed(2), { nTrials: 1 }));
    assert.deepEqual(handed, [dead.number]);
    assert.ok(beats() >= 3, `${beats()} heartbeats: one per trial run plus the dead one's`);
    const states = (await runOrThrow(getTrials(study))).map((t) => t.state);
    assert.deepEqual(states, ["FAIL", "COMPLETE", "COMPLETE"]);
    // optimize's own option takes precedence over the storage's: a trial silent for 5 s is
    // stale for the storage's 2 s grace period but not for the run's 100 s
    const quiet = await runOrThrow(storage.createTrial(study.studyId));
    await runOrThrow(storage.recordHeartbeat(quiet.trialId));
    clock.now += 5000;
    await runOrThrow(optimize(study, () => succeed(3), {
      nTrials: 1,
      heartbeat: { intervalMs: 50_000, gracePeriodMs: 100_000 },
    }));
    assert.deepEqual(handed, [dead.number]);
    assert.equal((await runOrThrow(storage.getTrial(quiet.trialId))).state, "RUNNING");
    await runOrThrow(optimize(study, () => succeed(4), { nTrials: 1 }));
    assert.deepEqual(handed, [dead.number, quiet.number]);
    await runOrThrow(storage.close());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sqliteStorage() and postgresStorage() reject bad heartbeat options with InvalidArgument naming the field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [options, field] of [
        [{ heartbeatIntervalMs: 0 }, "heartbeatIntervalMs"],
        [{ heartbeatIntervalMs: "60" }, "heartbeatIntervalMs"],
        [{ heartbeatIntervalMs: 10, gracePeriodMs: Infinity }, "gracePeriodMs"],
        [{ heartbeatIntervalMs: 10, failedTrialCallback: "retry" }, "failedTrialCallback"],
        [{ gracePeriodMs: 1000 }, "gracePeriodMs"],
        [{ failedTrialCallback: retryFailedTrialCallback() }, "failedTrialCallback"],
      ] as const
    ) {
      for (
        const url of [`sqlite:///${dir}/bad.db`, "postgresql://nobody@127.0.0.1:1/none"]
      ) {
        const e = expectLeft(
          await openStorage(url, { sqlite: options as never, postgres: options as never })(),
          "InvalidArgument",
        );
        assert.match(e.message, new RegExp(`^Invalid '${field}'`), `${url}: ${e.message}`);
      }
    }
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(left, [], "no database file was created for bad options");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// -------------------------------------------------------------------------------------
// real processes: a worker killed with SIGKILL
// -------------------------------------------------------------------------------------

interface Ran {
  readonly pid: number;
  readonly ran: ReadonlyArray<{ number: number; retryOf: number | undefined; history: number[] }>;
}

/** Starts a worker that hangs in its first trial; resolves with that trial once it runs. */
async function hangingWorker(url: string, studyName: string): Promise<{
  readonly number: number;
  readonly x: number;
  readonly kill: () => Promise<void>;
}> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WORKER, url, studyName, "hang"],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let match: RegExpExecArray | null = null;
  while (match === null) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error(`the hanging worker ended early:\n${text}\n${await stderr}`);
    }
    text += value;
    match = /RUNNING (\d+) ([0-9.e-]+)/.exec(text);
  }
  return {
    number: Number(match[1]),
    x: Number(match[2]),
    kill: async () => {
      child.kill("SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL");
      while (!(await reader.read()).done) { /* drain */ }
      await stderr;
    },
  };
}

async function workingWorker(url: string, studyName: string): Promise<Ran> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WORKER, url, studyName, "work"],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder();
  assert.ok(out.success, `the working worker failed:\n${text.decode(out.stderr)}`);
  const lines = text.decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as Ran;
}

/** The scenario on one storage URL: kill a worker mid-trial; another re-runs its trial. */
async function killedWorkerIsRetried(url: string): Promise<void> {
  const storage = await runOrThrow(openStorage(url));
  await runOrThrow(createStudy({ storage, studyName: "hb" }));
  const victim = await hangingWorker(url, "hb");
  await victim.kill();
  const survivor = await workingWorker(url, "hb");

  const study = await runOrThrow(storage.getStudy("hb"));
  const trials = await runOrThrow(storage.getAllTrials(study.studyId));
  const dead = trials[victim.number] as FrozenTrial;
  assert.equal(dead.state, "FAIL", "the killed worker's trial was failed");
  assert.deepEqual(dead.params, { x: victim.x });
  const retries = trials.filter((t) => retriedTrialNumber(t) === victim.number);
  assert.equal(retries.length, 1, "exactly one retry was enqueued");
  const retry = retries[0] as FrozenTrial;
  assert.equal(retry.state, "COMPLETE");
  assert.deepEqual(retry.params, { x: victim.x });
  assert.deepEqual(retry.values, [victim.x]);
  assert.deepEqual(retryHistory(retry), [victim.number]);
  assert.ok(
    survivor.ran.some((r) => r.number === retry.number && r.retryOf === victim.number),
    `the surviving worker ran the retry: ${JSON.stringify(survivor.ran)}`,
  );
  assert.ok(trials.every((t) => t.state === "COMPLETE" || t.trialId === dead.trialId));
  await runOrThrow(storage.close());
}

Deno.test("SQLite: a worker killed with SIGKILL mid-trial has its trial failed and re-run by another", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-heartbeat-" });
  try {
    await killedWorkerIsRetried(`sqlite:///${dir}/hb.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const pg = await ensurePostgres(54333);
if (!pg.ok) console.log(`%cSKIPPED the PostgreSQL heartbeat test: ${pg.reason}`, "color: yellow");

Deno.test({
  name:
    "PostgreSQL: a worker killed with SIGKILL mid-trial has its trial failed and re-run by another",
  ignore: !pg.ok,
  fn: async () => {
    const db = await createDatabase(pg.ok ? pg.url : "");
    try {
      await killedWorkerIsRetried(db.url);
    } finally {
      await db.drop();
    }
  },
});
