import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type SqliteOpen, sqliteStorage } from "../../../lib/storage/rdb/sqlite.ts";
import { LIBRARY_VERSION, SCHEMA_TABLES } from "../../../lib/storage/rdb/sqlite_schema.ts";
import { formatDatetime, parseDatetime } from "../../../lib/storage/rdb/codec.ts";
import { getOrThrow, runOrThrow } from "../../../lib/effect/mod.ts";
import { floatDistribution, intDistribution } from "../../../lib/core/distributions.ts";
import { storageConformance } from "../../_helpers/storage_conformance.ts";
import { expectLeft } from "../../_helpers/study.ts";

storageConformance("sqliteStorage()", async ({ now }) => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-sqlite-" });
  const storage = await runOrThrow(sqliteStorage(`${dir}/conformance.db`, { now }));
  return {
    storage,
    cleanup: async () => {
      await storage.close()();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

storageConformance("sqliteStorage({ writeThroughCache: false })", async ({ now }) => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-sqlite-" });
  const storage = await runOrThrow(
    sqliteStorage(`${dir}/conformance.db`, { now, writeThroughCache: false }),
  );
  return {
    storage,
    cleanup: async () => {
      await storage.close()();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

// -------------------------------------------------------------------------------------
// SQLite-specific behaviour
// -------------------------------------------------------------------------------------

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-sqlite-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function sha256(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Makes a database here, then rewrites its alembic revision with a raw connection. */
async function fileWithRevision(path: string, revision: string | undefined): Promise<void> {
  const storage = await runOrThrow(sqliteStorage(path));
  await runOrThrow(storage.createStudy({ studyName: "old", directions: ["minimize"] }));
  await runOrThrow(storage.close());
  const db = new DatabaseSync(path);
  db.exec("DELETE FROM alembic_version");
  if (revision !== undefined) {
    db.prepare("INSERT INTO alembic_version (version_num) VALUES (?)").run(revision);
  }
  db.exec("PRAGMA journal_mode = DELETE");
  db.close();
}

Deno.test("sqliteStorage() creates Optuna's tables in WAL mode and names the file in its URL", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "new.db");
    const storage = await runOrThrow(sqliteStorage(path));
    assert.equal(storage.url, `sqlite:///${path}`);
    assert.equal(storage.persistent, true);
    await runOrThrow(storage.close());
    const db = new DatabaseSync(path);
    try {
      assert.equal(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all().map((r) => r.name);
      assert.deepEqual(tables, [...SCHEMA_TABLES].sort());
      assert.deepEqual({ ...db.prepare("SELECT * FROM version_info").get() }, {
        version_info_id: 1,
        schema_version: 12,
        library_version: LIBRARY_VERSION,
      });
      assert.equal(
        db.prepare("SELECT version_num FROM alembic_version").get()?.version_num,
        "v3.2.0.a",
      );
    } finally {
      db.close();
    }
  });
});

Deno.test("sqliteStorage() on a relative path keeps the path in the URL and ':memory:' is not persistent", async () => {
  await withDir(async (dir) => {
    // relative to the working folder, without changing it (tests may share the process)
    const rel = relative(Deno.cwd(), join(dir, "rel.db"));
    assert.ok(!isAbsolute(rel));
    const storage = await runOrThrow(sqliteStorage(rel));
    assert.equal(storage.url, `sqlite:///${rel}`);
    await runOrThrow(storage.close());
    assert.ok((await Deno.stat(join(dir, "rel.db"))).isFile);
  });
  const memory = await runOrThrow(sqliteStorage(":memory:"));
  assert.equal(memory.persistent, false);
  const s = await runOrThrow(memory.createStudy({ studyName: "m", directions: ["minimize"] }));
  assert.equal((await runOrThrow(memory.createTrial(s.studyId))).number, 0);
  await runOrThrow(memory.close());
});

Deno.test("sqliteStorage() rejects bad options naming the field", async () => {
  const cases: ReadonlyArray<[string, Record<string, unknown>]> = [
    ["timeoutMs", { timeoutMs: -1 }],
    ["retries", { retries: 1.5 }],
    ["synchronous", { synchronous: "OFF" }],
    ["now", { now: 5 }],
    ["driver", { driver: "x" }],
    ["writeThroughCache", { writeThroughCache: "yes" }],
  ];
  for (const [field, options] of cases) {
    const e = expectLeft(await sqliteStorage("x.db", options as never)(), "InvalidArgument");
    assert.match(e.message, new RegExp(`'${field}'`));
  }
  expectLeft(await sqliteStorage("")(), "InvalidArgument");
});

Deno.test("a folder where the file cannot be created says 'permission denied' and creates nothing", async () => {
  await withDir(async (dir) => {
    const locked = join(dir, "locked");
    await Deno.mkdir(locked);
    await Deno.chmod(locked, 0o555);
    try {
      // root ignores permission bits: a chmod'ed folder stays writable for it
      const rootBypass = Deno.uid() === 0;
      if (!rootBypass) {
        const e = expectLeft(await sqliteStorage(join(locked, "a.db"))(), "StorageError");
        assert.match(
          e.message,
          /locked\/a\.db.*permission denied: the folder '.*locked' is not writable/,
        );
        assert.deepEqual([...Deno.readDirSync(locked)], []);
      } else {
        console.log(
          "running as root: the chmod'ed folder is writable; checking /proc and /sys instead",
        );
      }
    } finally {
      await Deno.chmod(locked, 0o755);
    }
    // folders no process may create files in, root included
    for (const folder of ["/proc", "/sys"]) {
      if (!existsSync(folder)) continue;
      const path = join(folder, "hyperion-permission-test.db");
      const e = expectLeft(await sqliteStorage(path)(), "StorageError");
      assert.match(e.message, new RegExp(`${folder}/hyperion-permission-test\\.db`));
      assert.match(
        e.message,
        new RegExp(`permission denied: the folder '${folder}' is not writable`),
      );
      assert.equal(existsSync(path), false);
    }
  });
});

Deno.test("a missing folder, a folder, a read-only file and a non-database file give StorageError naming the path", async () => {
  await withDir(async (dir) => {
    const missing = expectLeft(
      await sqliteStorage(join(dir, "no", "such", "a.db"))(),
      "StorageError",
    );
    assert.match(missing.message, /folder '.*no\/such' does not exist/);
    assert.match(missing.message, /a\.db/);

    const folder = expectLeft(await sqliteStorage(dir)(), "StorageError");
    assert.match(folder.message, /is a folder/);

    const readOnly = join(dir, "ro.db");
    const s = await runOrThrow(sqliteStorage(readOnly));
    await runOrThrow(s.close());
    await Deno.chmod(readOnly, 0o444);
    const before = await sha256(readOnly);
    const ro = expectLeft(await sqliteStorage(readOnly)(), "StorageError");
    assert.match(ro.message, /ro\.db.*permission denied: the file is read-only/);
    assert.equal(await sha256(readOnly), before);
    await Deno.chmod(readOnly, 0o644);

    const text = join(dir, "notes.db");
    await Deno.writeTextFile(text, "these are my notes, not a database\n".repeat(200));
    const notDb = expectLeft(await sqliteStorage(text)(), "StorageError");
    assert.match(notDb.message, /notes\.db.*file is not a database/);
    assert.equal(
      await Deno.readTextFile(text),
      "these are my notes, not a database\n".repeat(200),
    );
  });
});

Deno.test("a truncated database gives StorageError naming the path, never a crash", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "cut.db");
    const storage = await runOrThrow(sqliteStorage(path));
    const study = await runOrThrow(
      storage.createStudy({ studyName: "s", directions: ["minimize"] }),
    );
    for (let i = 0; i < 300; i++) {
      await runOrThrow(storage.createTrial(study.studyId, {
        state: "COMPLETE",
        values: [i],
        userAttrs: { pad: "x".repeat(200) },
      }));
    }
    await runOrThrow(storage.close());
    const size = (await Deno.stat(path)).size;
    await Deno.truncate(path, Math.floor(size / 2));
    const opened = await sqliteStorage(path)();
    if (opened._tag === "Left") {
      assert.equal(opened.left._tag, "StorageError");
      assert.match(opened.left.message, /cut\.db/);
      assert.match(opened.left.message, /malformed|not a database/);
    } else {
      const e = expectLeft(await opened.right.getAllTrials(study.studyId)(), "StorageError");
      assert.match(e.message, /cut\.db/);
      await runOrThrow(opened.right.close());
    }
  });
});

Deno.test("a file of an older Optuna revision gives SchemaMismatch with upgrade advice and stays untouched", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "old.db");
    await fileWithRevision(path, "v3.0.0.d");
    const before = await sha256(path);
    const e = expectLeft(await sqliteStorage(path)(), "SchemaMismatch");
    assert.equal((e as { found: string }).found, "v3.0.0.d");
    assert.equal((e as { expected: string }).expected, "v3.2.0.a");
    assert.match(e.message, /v3\.0\.0\.d/);
    assert.match(e.message, /optuna storage upgrade --storage sqlite:\/\/\/.*old\.db/);
    assert.equal(await sha256(path), before);
    assert.equal(existsSync(`${path}-wal`), false);
  });
});

Deno.test("a file of a newer or unknown revision gives SchemaMismatch and stays untouched", async () => {
  await withDir(async (dir) => {
    const newer = join(dir, "newer.db");
    await fileWithRevision(newer, "v6.0.0.a");
    const before = await sha256(newer);
    const e = expectLeft(await sqliteStorage(newer)(), "SchemaMismatch");
    assert.equal((e as { found: string }).found, "v6.0.0.a");
    assert.match(e.message, /newer or unknown version of Optuna/);
    assert.equal(await sha256(newer), before);

    const unstamped = join(dir, "unstamped.db");
    await fileWithRevision(unstamped, undefined);
    const e2 = expectLeft(await sqliteStorage(unstamped)(), "SchemaMismatch");
    assert.match(e2.message, /alembic_version is empty/);
  });
});

Deno.test("a database holding other tables gets Optuna's tables beside them", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "mixed.db");
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
    db.prepare("INSERT INTO notes (text) VALUES (?)").run("keep me");
    db.close();
    const storage = await runOrThrow(sqliteStorage(path));
    await runOrThrow(storage.createStudy({ studyName: "s", directions: ["minimize"] }));
    await runOrThrow(storage.close());
    const check = new DatabaseSync(path);
    assert.equal(check.prepare("SELECT text FROM notes").get()?.text, "keep me");
    check.close();
  });
});

/** The node:sqlite driver with `beforeRun(sql)` called before every statement's `run` (to inject faults). */
function hookedDriver(beforeRun: (sql: string) => void): SqliteOpen {
  return (path) => {
    const db = new DatabaseSync(path);
    return {
      exec: (sql) => db.exec(sql),
      close: () => db.close(),
      prepare: (sql) => {
        const s = db.prepare(sql);
        return {
          get: (...p) => s.get(...p),
          all: (...p) => s.all(...p),
          run: (...p) => {
            beforeRun(sql);
            return s.run(...p);
          },
        };
      },
    };
  };
}

Deno.test("a write that fails midway leaves nothing behind (injected driver fault)", async () => {
  await withDir(async (dir) => {
    let failOn: RegExp | undefined;
    const faulty = hookedDriver((sql) => {
      if (failOn?.test(sql)) throw new Error("disk I/O error");
    });
    const storage = await runOrThrow(sqliteStorage(join(dir, "faulty.db"), { driver: faulty }));
    const study = await runOrThrow(
      storage.createStudy({ studyName: "s", directions: ["minimize"] }),
    );
    const d = getOrThrow(floatDistribution(0, 1));
    failOn = /INSERT INTO trial_user_attributes/;
    const e = expectLeft(
      await storage.createTrial(study.studyId, {
        state: "COMPLETE",
        values: [1],
        params: { x: 0.5 },
        distributions: { x: d },
        userAttrs: { k: 1 },
      })(),
      "StorageError",
    );
    assert.match(e.message, /create the trial in '.*faulty\.db': disk I\/O error/);
    failOn = undefined;
    assert.deepEqual(await runOrThrow(storage.getAllTrials(study.studyId)), []);
    // the parameter of the failed template did not become the study's first distribution
    const t = await runOrThrow(storage.createTrial(study.studyId));
    assert.equal(t.number, 0);
    await runOrThrow(
      storage.setTrialParam({
        trialId: t.trialId,
        name: "x",
        internal: 3,
        distribution: getOrThrow(intDistribution(0, 5)),
      }),
    );
    await runOrThrow(storage.close());
  });
});

Deno.test("a locked database is waited for, retried, and reported as StorageError when it stays locked", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "locked.db");
    const storage = await runOrThrow(sqliteStorage(path, { timeoutMs: 20, retries: 0 }));
    const study = await runOrThrow(
      storage.createStudy({ studyName: "s", directions: ["minimize"] }),
    );
    const other = new DatabaseSync(path);
    other.exec("BEGIN IMMEDIATE");
    const e = expectLeft(await storage.createTrial(study.studyId)(), "StorageError");
    assert.match(e.message, /database is locked/);
    assert.match(e.message, /locked\.db/);
    // reads are not blocked by a writer in WAL mode
    assert.deepEqual(await runOrThrow(storage.getAllTrials(study.studyId)), []);
    other.exec("COMMIT");
    assert.equal((await runOrThrow(storage.createTrial(study.studyId))).number, 0);
    other.close();
    await runOrThrow(storage.close());

    // transient lock errors are retried
    let failures = 2;
    const flaky = hookedDriver((sql) => {
      if (sql === "BEGIN IMMEDIATE" && failures > 0) {
        failures--;
        throw new Error("database is locked");
      }
    });
    const retrying = await runOrThrow(sqliteStorage(path, { driver: flaky, retries: 3 }));
    assert.equal((await runOrThrow(retrying.createTrial(study.studyId))).number, 1);
    assert.equal(failures, 0);
    await runOrThrow(retrying.close());
  });
});

Deno.test("two connections to one file see each other's writes at once", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "two.db");
    const a = await runOrThrow(sqliteStorage(path));
    const b = await runOrThrow(sqliteStorage(path));
    const d = getOrThrow(floatDistribution(0, 1));
    const study = await runOrThrow(b.createStudy({ studyName: "s", directions: ["minimize"] }));
    const t = await runOrThrow(b.createTrial(study.studyId));
    assert.deepEqual((await runOrThrow(b.getTrial(t.trialId))).params, {});
    assert.equal(await runOrThrow(b.claimWaitingTrial(study.studyId)), undefined);
    assert.deepEqual((await runOrThrow(b.getStudyById(study.studyId))).userAttrs, {});
    assert.equal((await runOrThrow(b.getAllTrials(study.studyId))).length, 1);

    await runOrThrow(
      a.setTrialParam({ trialId: t.trialId, name: "x", internal: 0.25, distribution: d }),
    );
    await runOrThrow(a.setTrialIntermediateValue({ trialId: t.trialId, step: 0, value: 7 }));
    await runOrThrow(a.setStudyAttr({ id: study.studyId, kind: "user", key: "k", value: "v" }));
    const waiting = await runOrThrow(a.createTrial(study.studyId, { state: "WAITING" }));

    const seen = await runOrThrow(b.getTrial(t.trialId));
    assert.deepEqual(seen.params, { x: 0.25 });
    assert.deepEqual(seen.intermediateValues, { 0: 7 });
    assert.deepEqual((await runOrThrow(b.getStudyById(study.studyId))).userAttrs, { k: "v" });
    assert.deepEqual((await runOrThrow(b.getAllTrials(study.studyId))).map((x) => x.state), [
      "RUNNING",
      "WAITING",
    ]);
    assert.equal((await runOrThrow(b.claimWaitingTrial(study.studyId)))?.trialId, waiting.trialId);

    // a finishes b's trial; b can no longer write to it
    await runOrThrow(a.setTrialStateValues({ trialId: t.trialId, state: "FAIL" }));
    expectLeft(
      await b.setTrialAttr({ id: t.trialId, kind: "user", key: "late", value: 1 })(),
      "TrialNotUpdatable",
    );
    assert.equal((await runOrThrow(b.getTrial(t.trialId))).state, "FAIL");
    // b renames the study; a finds it under the new name only
    await runOrThrow(b.renameStudy({ studyId: study.studyId, studyName: "renamed" }));
    expectLeft(await a.getStudy("s")(), "StudyNotFound");
    assert.equal((await runOrThrow(a.getStudy("renamed"))).studyId, study.studyId);
    await runOrThrow(a.close());
    await runOrThrow(b.close());
  });
});

Deno.test("heartbeats and datetimes are stored as naive-UTC text with microseconds", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "time.db");
    let clock = Date.UTC(2026, 10, 28, 9, 30, 15, 250) + 0.5;
    const storage = await runOrThrow(sqliteStorage(path, { now: () => clock }));
    const study = await runOrThrow(
      storage.createStudy({ studyName: "s", directions: ["minimize"] }),
    );
    const t = await runOrThrow(storage.createTrial(study.studyId));
    await runOrThrow(storage.recordHeartbeat(t.trialId));
    clock += 1000;
    await runOrThrow(
      storage.setTrialStateValues({ trialId: t.trialId, state: "COMPLETE", values: [1] }),
    );
    await runOrThrow(storage.close());
    const db = new DatabaseSync(path);
    try {
      assert.deepEqual({
        ...db.prepare("SELECT datetime_start, datetime_complete, state FROM trials").get(),
      }, {
        datetime_start: "2026-11-28 09:30:15.250500",
        datetime_complete: "2026-11-28 09:30:16.250500",
        state: "COMPLETE",
      });
      assert.equal(
        db.prepare("SELECT heartbeat FROM trial_heartbeats").get()?.heartbeat,
        "2026-11-28 09:30:15.250500",
      );
      assert.deepEqual(
        { ...db.prepare("SELECT value, value_type FROM trial_values").get() },
        { value: 1, value_type: "FINITE" },
      );
    } finally {
      db.close();
    }
  });
});

Deno.test("heartbeats written by Python (CURRENT_TIMESTAMP, no fraction) are understood", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "beat.db");
    let clock = Date.UTC(2026, 0, 1, 0, 0, 0);
    const storage = await runOrThrow(sqliteStorage(path, { now: () => clock }));
    const study = await runOrThrow(
      storage.createStudy({ studyName: "s", directions: ["minimize"] }),
    );
    const t = await runOrThrow(storage.createTrial(study.studyId));
    const db = new DatabaseSync(path);
    db.prepare("INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ?)").run(
      t.trialId,
      "2026-01-01 00:00:00",
    );
    db.close();
    clock += 10_000;
    assert.deepEqual(
      await runOrThrow(storage.failStaleTrials({ studyId: study.studyId, gracePeriodMs: 20_000 })),
      [],
    );
    clock += 20_000;
    const failed = await runOrThrow(
      storage.failStaleTrials({ studyId: study.studyId, gracePeriodMs: 20_000 }),
    );
    assert.deepEqual(failed.map((x) => x.number), [0]);
    await runOrThrow(storage.close());
  });
});

Deno.test("values and attributes written by Python with NaN and Infinity tokens are read", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "tokens.db");
    const storage = await runOrThrow(sqliteStorage(path));
    const study = await runOrThrow(
      storage.createStudy({ studyName: "s", directions: ["minimize"] }),
    );
    const t = await runOrThrow(storage.createTrial(study.studyId));
    await runOrThrow(storage.close());
    const db = new DatabaseSync(path);
    db.prepare(`INSERT INTO trial_user_attributes (trial_id, "key", value_json) VALUES (?, ?, ?)`)
      .run(t.trialId, "weird", '{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN stays"}');
    db.close();
    const again = await runOrThrow(sqliteStorage(path));
    assert.deepEqual((await runOrThrow(again.getTrial(t.trialId))).userAttrs, {
      weird: { a: null, b: [null, null], c: "NaN stays" },
    });
    await runOrThrow(again.close());
  });
});

Deno.test("datetimes round-trip to the microsecond and carry into the next second", () => {
  const base = Date.UTC(2026, 11, 31, 23, 59, 59);
  assert.equal(formatDatetime(base), "2026-12-31 23:59:59.000000");
  assert.equal(formatDatetime(base + 123.456), "2026-12-31 23:59:59.123456");
  assert.equal(formatDatetime(base + 999.9996), "2027-01-01 00:00:00.000000");
  assert.equal(parseDatetime("2026-12-31 23:59:59.123456"), base + 123.456);
  assert.equal(parseDatetime("2026-12-31 23:59:59"), base);
  assert.equal(parseDatetime("2026-12-31T23:59:59.5"), base + 500);
  assert.equal(parseDatetime(null), null);
  assert.equal(parseDatetime("yesterday"), null);
  for (const ms of [base, base + 0.001, base + 250.5, Date.UTC(1999, 0, 1) + 0.123]) {
    assert.equal(formatDatetime(parseDatetime(formatDatetime(ms)) as number), formatDatetime(ms));
  }
});

Deno.test("a study deleted and created again elsewhere under the same id and name is read afresh", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "again.db");
    const a = await runOrThrow(sqliteStorage(path, { now: () => 1_000_000 }));
    const b = await runOrThrow(sqliteStorage(path, { now: () => 2_000_000 }));
    const first = await runOrThrow(a.createStudy({ studyName: "s", directions: ["minimize"] }));
    const d = getOrThrow(floatDistribution(0, 1));
    for (const v of [1, 2, 3]) {
      await runOrThrow(a.createTrial(first.studyId, {
        state: "COMPLETE",
        values: [v],
        params: { x: 0.5 },
        distributions: { x: d },
      }));
    }
    assert.deepEqual((await runOrThrow(a.getAllTrials(first.studyId))).map((t) => t.values), [[1], [
      2,
    ], [3]]);

    await runOrThrow(b.deleteStudy(first.studyId));
    const second = await runOrThrow(b.createStudy({ studyName: "s", directions: ["minimize"] }));
    assert.equal(second.studyId, first.studyId); // SQLite reuses the largest id
    const int = getOrThrow(intDistribution(0, 9));
    for (const v of [7, 8]) {
      await runOrThrow(b.createTrial(second.studyId, {
        state: "COMPLETE",
        values: [v],
        params: { x: 4 },
        distributions: { x: int },
      }));
    }

    const seen = await runOrThrow(a.getAllTrials(second.studyId));
    assert.deepEqual(seen.map((t) => [t.number, t.values, t.params]), [[0, [7], { x: 4 }], [
      1,
      [8],
      { x: 4 },
    ]]);
    // the old study's float 'x' no longer constrains the new study
    const t = await runOrThrow(a.createTrial(second.studyId));
    await runOrThrow(
      a.setTrialParam({ trialId: t.trialId, name: "x", internal: 3, distribution: int }),
    );
    await runOrThrow(a.close());
    await runOrThrow(b.close());
  });
});
