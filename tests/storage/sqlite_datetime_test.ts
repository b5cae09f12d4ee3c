/**
 * Datetimes in a SQLite storage are naive UTC text, as SQLAlchemy stores Optuna 5.0's, whatever
 * the process's time zone: a child process in Asia/Kolkata (UTC+05:30) writes and reads them.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("../fixtures/datetime_child.ts", import.meta.url));

for (const tz of ["Asia/Kolkata", "America/St_Johns"]) {
  Deno.test(`sqliteStorage() stores and reads trial datetimes as UTC in a process whose TZ is ${tz}`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/tz.db`;
      // 2024-01-02 23:40:05.123456 UTC: the local date differs from the UTC date in both zones
      const ms = Date.UTC(2024, 0, 2, 23, 40, 5, 123) + 0.456;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CHILD, path, String(ms)],
        env: { TZ: tz },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.ok(out.success, stderr);
      const child = JSON.parse(new TextDecoder().decode(out.stdout));
      // the child really ran away from UTC
      assert.notEqual(child.offsetMinutes, 0);
      assert.equal(child.start, ms);
      assert.equal(child.complete, ms);
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        const row = db.prepare("SELECT datetime_start, datetime_complete FROM trials").get();
        assert.deepEqual({ ...row }, {
          datetime_start: "2024-01-02 23:40:05.123456",
          datetime_complete: "2024-01-02 23:40:05.123456",
        });
      } finally {
        db.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
