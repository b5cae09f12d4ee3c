import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runOrThrow } from "../../../lib/effect/mod.ts";
import { sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/sqlite/${name}`, import.meta.url));

interface ChildResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `n` deno processes running `script args…` together; resolves when all have exited. */
async function runTogether(
  n: number,
  script: string,
  args: ReadonlyArray<string>,
): Promise<ReadonlyArray<ChildResult>> {
  // a common start time a little after every process has loaded, so that they really contend
  const startAt = String(Date.now() + 1500);
  const children = Array.from({ length: n }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fixture(script), ...args],
      env: { START_AT: startAt, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output());
  const outputs = await Promise.all(children);
  const text = new TextDecoder();
  return outputs.map((o) => ({
    code: o.code,
    stdout: text.decode(o.stdout),
    stderr: text.decode(o.stderr),
  }));
}

function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as T;
}

Deno.test("4 processes optimizing one study get trials 0-999, each number exactly once, without errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-mp-" });
  const path = `${dir}/shared.db`;
  try {
    const results = await runTogether(4, "../optimize_worker.ts", [
      `sqlite:///${path}`,
      "shared",
      "250",
    ]);
    for (const r of results) {
      assert.equal(r.code, 0, `a worker failed:\n${r.stderr}\n${r.stdout}`);
      assert.equal(r.stderr.trim(), "", `a worker wrote to stderr:\n${r.stderr}`);
    }
    const reports = results.map((r) =>
      lastJsonLine<{ nTrials: number; numbers: number[] }>(r.stdout)
    );
    for (const report of reports) assert.equal(report.nTrials, 250);
    const seen = reports.flatMap((r) => r.numbers).sort((a, b) => a - b);
    assert.deepEqual(seen, [...Array(1000).keys()]);

    const storage = await runOrThrow(sqliteStorage(path));
    try {
      const study = await runOrThrow(storage.getStudy("shared"));
      const trials = await runOrThrow(storage.getAllTrials(study.studyId));
      assert.deepEqual(trials.map((t) => t.number), [...Array(1000).keys()]);
      assert.equal(new Set(trials.map((t) => t.trialId)).size, 1000);
      for (const t of trials) {
        assert.equal(t.state, "COMPLETE", `trial ${t.number} is ${t.state}`);
        assert.deepEqual(Object.keys(t.params), ["x", "n", "c"]);
        assert.deepEqual(Object.keys(t.intermediateValues), ["0", "1", "2", "3", "4"]);
      }
      assert.equal((await runOrThrow(storage.listStudies())).length, 1);
    } finally {
      await runOrThrow(storage.close());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("4 processes claiming enqueued trials never run the same WAITING trial twice", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-mp-" });
  const path = `${dir}/queue.db`;
  try {
    const storage = await runOrThrow(sqliteStorage(path));
    const study = await runOrThrow(
      storage.createStudy({ studyName: "queue", directions: ["minimize"] }),
    );
    for (let i = 0; i < 200; i++) {
      await runOrThrow(storage.createTrial(study.studyId, { state: "WAITING" }));
    }
    await runOrThrow(storage.close());

    const results = await runTogether(4, "claim_worker.ts", [path, "queue"]);
    for (const r of results) assert.equal(r.code, 0, `a worker failed:\n${r.stderr}\n${r.stdout}`);
    const claims = results.map((r) => lastJsonLine<{ pid: number; claimed: number[] }>(r.stdout));
    const all = claims.flatMap((c) => c.claimed).sort((a, b) => a - b);
    assert.deepEqual(all, [...Array(200).keys()]);
    for (const c of claims) {
      // each worker claims in increasing number order (lowest first)
      assert.deepEqual(c.claimed, [...c.claimed].sort((a, b) => a - b));
    }

    const check = await runOrThrow(sqliteStorage(path));
    try {
      const trials = await runOrThrow(check.getAllTrials(study.studyId));
      const owner = new Map(claims.flatMap((c) => c.claimed.map((n) => [n, c.pid] as const)));
      for (const t of trials) {
        assert.equal(t.state, "COMPLETE");
        assert.deepEqual(
          t.values,
          [owner.get(t.number)],
          `trial ${t.number} was finished by another worker`,
        );
      }
    } finally {
      await runOrThrow(check.close());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a study deleted by another process gives StudyNotFound and TrialNotFound, not stale data", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-mp-" });
  const path = `${dir}/deleted.db`;
  try {
    const storage = await runOrThrow(sqliteStorage(path));
    const study = await runOrThrow(
      storage.createStudy({ studyName: "gone", directions: ["minimize"] }),
    );
    const running = await runOrThrow(storage.createTrial(study.studyId));
    await runOrThrow(storage.createTrial(study.studyId, { state: "COMPLETE", values: [1] }));
    assert.equal((await runOrThrow(storage.getAllTrials(study.studyId))).length, 2);
    assert.equal((await runOrThrow(storage.getTrial(running.trialId))).state, "RUNNING");

    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fixture("delete_study.ts"), path, "gone"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(child.code, 0, new TextDecoder().decode(child.stderr));

    const tag = async (f: () => Promise<{ _tag: string; left?: { _tag: string } }>) => {
      const r = await f();
      return r._tag === "Left" ? r.left?._tag : "Right";
    };
    assert.equal(await tag(storage.getAllTrials(study.studyId)), "StudyNotFound");
    assert.equal(await tag(storage.getStudyById(study.studyId)), "StudyNotFound");
    assert.equal(await tag(storage.getStudy("gone")), "StudyNotFound");
    assert.equal(await tag(storage.createTrial(study.studyId)), "StudyNotFound");
    assert.equal(await tag(storage.claimWaitingTrial(study.studyId)), "StudyNotFound");
    assert.equal(
      await tag(storage.setStudyAttr({ id: study.studyId, kind: "user", key: "k", value: 1 })),
      "StudyNotFound",
    );
    assert.equal(await tag(storage.getTrial(running.trialId)), "TrialNotFound");
    assert.equal(
      await tag(storage.setTrialIntermediateValue({ trialId: running.trialId, step: 0, value: 1 })),
      "TrialNotFound",
    );
    assert.equal(
      await tag(storage.setTrialStateValues({ trialId: running.trialId, state: "FAIL" })),
      "TrialNotFound",
    );
    assert.deepEqual(await runOrThrow(storage.listStudies()), []);
    await runOrThrow(storage.close());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
