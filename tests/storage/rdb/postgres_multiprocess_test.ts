/**
 * Many worker processes on one PostgreSQL study: 4 `deno` processes × 250 trials, 100 of them
 * enqueued beforehand. Every number 0–999 is used exactly once, every enqueued trial is run by
 * exactly one worker, and nothing is lost.
 *
 * The server is `HYPERION_PG_URL` when set, else a throwaway cluster started with
 * `.ci/postgres.sh` on 127.0.0.1:54332 for the duration of this file (skipped with the reason
 * printed only when PostgreSQL cannot be installed).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createStudy, enqueueTrial, runOrThrow } from "../../../mod.ts";
import { postgresStorage } from "../../../lib/storage/rdb/postgres.ts";
import { createDatabase, ensurePostgres } from "../../fixtures/postgres/server.ts";

const WORKER = fileURLToPath(new URL("../../fixtures/optimize_worker.ts", import.meta.url));

const pg = await ensurePostgres(54332);
if (!pg.ok) {
  console.log(`%cSKIPPED the PostgreSQL multi-process test: ${pg.reason}`, "color: yellow");
}

interface Report {
  readonly pid: number;
  readonly nTrials: number;
  readonly numbers: ReadonlyArray<number>;
}

Deno.test({
  name:
    "4 processes × 250 trials on one PostgreSQL study use numbers 0-999 once each, run each enqueued trial once, lose nothing",
  ignore: !pg.ok,
  fn: async () => {
    const db = await createDatabase(pg.ok ? pg.url : "");
    try {
      const storage = await runOrThrow(postgresStorage(db.url));
      const study = await runOrThrow(createStudy({ storage, studyName: "shared" }));
      for (let i = 0; i < 100; i++) {
        await runOrThrow(enqueueTrial(study, { x: i / 25 - 2, n: 1 + (i % 9), c: "a" }));
      }

      // a common start a little after every process has loaded, so that they really contend
      const startAt = String(Date.now() + 2500);
      const outputs = await Promise.all(
        Array.from({ length: 4 }, () =>
          new Deno.Command(Deno.execPath(), {
            args: ["run", "-A", WORKER, db.url, "shared", "250"],
            env: { START_AT: startAt, NO_COLOR: "1" },
            stdout: "piped",
            stderr: "piped",
          }).output()),
      );
      const text = new TextDecoder();
      const reports: Report[] = outputs.map((o) => {
        assert.ok(o.success, `a worker failed:\n${text.decode(o.stderr)}`);
        assert.equal(text.decode(o.stderr).trim(), "", "a worker wrote to stderr");
        const lines = text.decode(o.stdout).trim().split("\n");
        return JSON.parse(lines[lines.length - 1] as string) as Report;
      });
      for (const r of reports) assert.equal(r.nTrials, 250);
      const ran = reports.flatMap((r) => r.numbers).sort((a, b) => a - b);
      assert.deepEqual(ran, [...Array(1000).keys()], "each number was run exactly once");

      const trials = await runOrThrow(storage.getAllTrials(study.studyId));
      assert.deepEqual(trials.map((t) => t.number), [...Array(1000).keys()]);
      assert.equal(new Set(trials.map((t) => t.trialId)).size, 1000);
      for (const t of trials) {
        assert.equal(t.state, "COMPLETE", `trial ${t.number} is ${t.state}`);
        assert.deepEqual(Object.keys(t.intermediateValues), ["0", "1", "2", "3", "4"]);
      }
      for (let i = 0; i < 100; i++) {
        assert.deepEqual(trials[i]?.params, { x: i / 25 - 2, n: 1 + (i % 9), c: "a" });
      }
      await runOrThrow(storage.close());
    } finally {
      await db.drop();
    }
  },
});
