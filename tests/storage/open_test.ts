import assert from "node:assert/strict";
import { isAbsolute, join, relative } from "node:path";
import { runOrThrow } from "../../lib/effect/mod.ts";
import { openStorage, parseStorageUrl } from "../../lib/storage/open.ts";
import { expectLeft } from "../_helpers/study.ts";

Deno.test("parseStorageUrl() follows SQLAlchemy's sqlite:/// convention for relative and absolute paths", () => {
  assert.deepEqual(parseStorageUrl("sqlite:///study.db"), {
    _tag: "Right",
    right: { kind: "sqlite", path: "study.db" },
  });
  assert.deepEqual(parseStorageUrl("sqlite:///runs/a b.db"), {
    _tag: "Right",
    right: { kind: "sqlite", path: "runs/a b.db" },
  });
  assert.deepEqual(parseStorageUrl("sqlite:////tmp/abs.db"), {
    _tag: "Right",
    right: { kind: "sqlite", path: "/tmp/abs.db" },
  });
  assert.deepEqual(parseStorageUrl("sqlite:///:memory:"), {
    _tag: "Right",
    right: { kind: "sqlite", path: ":memory:" },
  });
  assert.deepEqual(parseStorageUrl("memory:"), { _tag: "Right", right: { kind: "memory" } });
});

Deno.test("parseStorageUrl() rejects unknown schemes and malformed SQLite URLs naming the url", () => {
  for (
    const url of [
      "redis://localhost",
      "mysql://u@h/db",
      "study.db",
      "",
      "sqlite://x.db",
      "sqlite:///",
      "sqlite:///a.db?timeout=5",
    ]
  ) {
    const e = expectLeft(parseStorageUrl(url), "InvalidArgument");
    assert.match(e.message, /^Invalid 'url'/);
  }
  assert.match(
    expectLeft(parseStorageUrl("redis://localhost"), "InvalidArgument").message,
    /scheme 'sqlite', 'postgresql', 'journal' or 'memory' \(not 'redis'\)/,
  );
  expectLeft(parseStorageUrl(42 as never), "InvalidArgument");
});

Deno.test("openStorage() opens SQLite files by absolute and relative URL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-open-" });
  try {
    const abs = await runOrThrow(openStorage(`sqlite:///${join(dir, "abs.db")}`));
    assert.equal(abs.url, `sqlite:///${join(dir, "abs.db")}`);
    assert.equal(abs.persistent, true);
    const s = await runOrThrow(abs.createStudy({ studyName: "s", directions: ["minimize"] }));
    await runOrThrow(abs.close());

    // relative to the working folder, without changing it (tests may share the process)
    const path = relative(Deno.cwd(), join(dir, "abs.db"));
    assert.ok(!isAbsolute(path));
    const rel = await runOrThrow(openStorage(`sqlite:///${path}`));
    assert.equal(rel.url, `sqlite:///${path}`);
    assert.equal((await runOrThrow(rel.getStudy("s"))).studyId, s.studyId);
    await runOrThrow(rel.close());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openStorage() passes SQLite options through and reports opening errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-open-" });
  try {
    const storage = await runOrThrow(
      openStorage(`sqlite:///${join(dir, "clock.db")}`, { sqlite: { now: () => 1_000_000 } }),
    );
    const s = await runOrThrow(storage.createStudy({ studyName: "s", directions: ["minimize"] }));
    assert.equal((await runOrThrow(storage.createTrial(s.studyId))).datetimeStart, 1_000_000);
    await runOrThrow(storage.close());
    const e = expectLeft(
      await openStorage(`sqlite:///${join(dir, "missing", "x.db")}`)(),
      "StorageError",
    );
    assert.match(e.message, /does not exist/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openStorage() opens memory:, hands postgresql: to the PostgreSQL storage, refuses unknown schemes", async () => {
  const memory = await runOrThrow(openStorage("memory:"));
  assert.equal(memory.url, "memory:");
  assert.equal(memory.persistent, false);
  expectLeft(await openStorage("redis://localhost")(), "InvalidArgument");
  // nothing listens on port 1: the PostgreSQL storage reports the refused connection
  const pg = expectLeft(await openStorage("postgresql://user@127.0.0.1:1/db")(), "StorageError");
  assert.match(pg.message, /PostgreSQL database 'db' at 127\.0\.0\.1:1/);
  const sqliteMemory = await runOrThrow(openStorage("sqlite:///:memory:"));
  assert.equal(sqliteMemory.persistent, false);
  await runOrThrow(sqliteMemory.close());
});

Deno.test("parseStorageUrl() reads journal URLs like file URLs: journal:///absolute or journal:relative", () => {
  assert.deepEqual(parseStorageUrl("journal:///nfs/runs/study.log"), {
    _tag: "Right",
    right: { kind: "journal", path: "/nfs/runs/study.log" },
  });
  assert.deepEqual(parseStorageUrl("journal:runs/study.log"), {
    _tag: "Right",
    right: { kind: "journal", path: "runs/study.log" },
  });
  for (
    const url of ["journal:", "journal://host/study.log", "journal:///a.log?x=1", "journal:a#b"]
  ) {
    const e = expectLeft(parseStorageUrl(url), "InvalidArgument");
    assert.match(e.message, /journal:\/\/\/absolute\/path\.log/);
  }
});

Deno.test("openStorage() opens a journal file by URL, with the journal options", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-open-" });
  try {
    const path = join(dir, "study.log");
    const storage = await runOrThrow(
      openStorage(`journal://${path}`, {
        journal: { lock: "open", fsync: true, heartbeatIntervalMs: 1000 },
      }),
    );
    assert.equal(storage.url, `journal://${path}`);
    assert.equal(storage.persistent, true);
    assert.equal(storage.heartbeat?.intervalMs, 1000);
    await runOrThrow(storage.createStudy({ studyName: "s", directions: ["minimize"] }));
    await runOrThrow(storage.close());
    assert.match(
      await Deno.readTextFile(path),
      /^\{"op_code":0,"worker_id":"[^"]+","study_name":"s","directions":\[1\]\}\n$/,
    );
    const bad = await openStorage(`journal://${path}`, { journal: { lock: "flock" as never } })();
    assert.equal(bad._tag === "Left" && bad.left._tag, "InvalidArgument");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
