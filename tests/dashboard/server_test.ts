// deno-lint-ignore no-explicit-any
type Any = any;
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { createStudy, memoryStorage, runOrThrow } from "../../mod.ts";
import { openStorage } from "../../lib/storage/open.ts";
import { readNote, serveDashboard } from "../../lib/dashboard/mod.ts";
import { checksum, sqliteStudies } from "./_study.ts";

async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: Any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body };
}

const putJson = (body: unknown): RequestInit => ({
  method: "PUT",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

Deno.test("dashboard: read-only by default — every page and API read leaves the SQLite file byte-identical, writes are refused", async () => {
  const db = await sqliteStudies({ alpha: 30 });
  const before = await checksum(db.path);
  const server = await runOrThrow(serveDashboard({ storage: db.url, port: 0 }));
  try {
    assert.equal(server.host, "127.0.0.1");
    for (
      const path of [
        "/",
        "/assets/app.js",
        "/api/meta",
        "/api/studies",
        "/api/studies/1",
        "/api/studies/1/figures",
        "/api/studies/1/trials?sort=value:0&state=COMPLETE",
        "/api/studies/1/trials/3",
        "/api/studies/1/poll?since=x",
        "/api/studies/1/importance",
      ]
    ) {
      const r = await call(server.url + path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get("access-control-allow-origin"), null, path);
      assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    }
    const note = await call(
      `${server.url}/api/studies/1/note`,
      putJson({ version: 1, body: "hi" }),
    );
    assert.equal(note.status, 405);
    const tell = await call(`${server.url}/api/studies/1/trials/30/tell`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(tell.status, 405);
    const page = await call(`${server.url}/api/studies/1/trials?limit=10&offset=25`);
    assert.equal(page.body.total, 31);
    assert.deepEqual(page.body.rows.map((r: { number: number }) => r.number), [
      25,
      26,
      27,
      28,
      29,
      30,
    ]);
  } finally {
    await runOrThrow(server.close());
  }
  assert.equal(await checksum(db.path), before);
  await db.cleanup();
});

Deno.test("dashboard: with allowWrites, notes are saved in optuna-dashboard's format and a RUNNING trial can be told", async () => {
  const db = await sqliteStudies({ alpha: 5 });
  const server = await runOrThrow(serveDashboard({ storage: db.url, port: 0, allowWrites: true }));
  try {
    const saved = await call(
      `${server.url}/api/studies/1/note`,
      putJson({ version: 1, body: "study **note**" }),
    );
    assert.deepEqual(saved.body, { version: 1, body: "study **note**" });
    const stale = await call(
      `${server.url}/api/studies/1/note`,
      putJson({ version: 1, body: "lost" }),
    );
    assert.equal(stale.status, 409);
    const trialNote = await call(
      `${server.url}/api/studies/1/trials/2/note`,
      putJson({ version: 1, body: "trial 2" }),
    );
    assert.equal(trialNote.status, 200);
    const form = await call(`${server.url}/api/studies/1/note`, {
      method: "PUT",
      headers: { "Content-Type": "text/plain" },
      body: "{}",
    });
    assert.equal(form.status, 403);
    const foreign = await call(`${server.url}/api/studies/1/note`, {
      ...putJson({ version: 2, body: "x" }),
      headers: { "Content-Type": "application/json", Origin: "http://evil.example" },
    });
    assert.equal(foreign.status, 403);
    const told = await call(`${server.url}/api/studies/1/trials/5/tell`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ values: [0.25] }),
    });
    assert.equal(told.status, 200, JSON.stringify(told.body));
    assert.deepEqual([told.body.state, told.body.values], ["COMPLETE", [0.25]]);
    const again = await call(`${server.url}/api/studies/1/trials/5/tell`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ values: [1] }),
    });
    assert.equal(again.status, 409);
  } finally {
    await runOrThrow(server.close());
  }
  const storage = await runOrThrow(openStorage(db.url));
  const study = await runOrThrow(storage.getStudy("alpha"));
  const trials = await runOrThrow(storage.getAllTrials(study.studyId));
  assert.equal(readNote(study.systemAttrs, undefined).body, "study **note**");
  assert.equal(readNote(study.systemAttrs, trials[2]!.trialId).body, "trial 2");
  assert.equal(study.systemAttrs["dashboard:note_ver"], 1);
  assert.equal(trials[5]!.state, "COMPLETE");
  await runOrThrow(storage.close());
  await db.cleanup();
});

Deno.test("dashboard: an in-process memory storage is served live, and never written without allowWrites", async () => {
  const storage = memoryStorage();
  const study = await runOrThrow(createStudy({ storage, studyName: "live" }));
  const server = await runOrThrow(serveDashboard({ storage, port: 0 }));
  try {
    const v0 = (await call(`${server.url}/api/studies/${study.studyId}`)).body.version;
    await runOrThrow(storage.createTrial(study.studyId));
    const poll = await call(`${server.url}/api/studies/${study.studyId}/poll?since=${v0}`);
    assert.equal(poll.body.changed, true);
    assert.equal((await call(`${server.url}/api/studies`)).body[0].nTrials, 1);
  } finally {
    await runOrThrow(server.close());
  }
  // the storage the caller passed stays open and usable
  assert.equal((await runOrThrow(storage.getAllTrials(study.studyId))).length, 1);
});

Deno.test("dashboard: requests naming another host are refused (DNS rebinding)", async () => {
  const server = await runOrThrow(serveDashboard({ storage: memoryStorage(), port: 0 }));
  try {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: "127.0.0.1",
        port: server.port,
        path: "/api/studies",
        headers: { Host: "evil.example" },
      }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 421);
  } finally {
    await runOrThrow(server.close());
  }
});

Deno.test("dashboard bad input: unknown study, missing file, malformed URL, bad port, port in use", async () => {
  const server = await runOrThrow(serveDashboard({ storage: memoryStorage(), port: 0 }));
  try {
    const unknown = await call(`${server.url}/api/studies/99`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, "StudyNotFound");
    assert.equal((await call(`${server.url}/api/nothing`)).status, 404);
    const busy = await serveDashboard({ storage: memoryStorage(), port: server.port })();
    assert.equal(busy._tag === "Left" && busy.left._tag, "ServeFailed");
    assert.match(
      busy._tag === "Left" ? busy.left.message : "",
      new RegExp(`port ${server.port}: the port is already in use`),
    );
  } finally {
    await runOrThrow(server.close());
  }
  const dir = await Deno.makeTempDir();
  const missing = await serveDashboard({ storage: `sqlite:///${dir}/nope.db`, port: 0 })();
  assert.equal(missing._tag === "Left" && missing.left._tag, "StorageError");
  assert.match(missing._tag === "Left" ? missing.left.message : "", /nope\.db.*must exist/);
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  await Deno.writeTextFile(`${dir}/junk.db`, "not a database at all, just text");
  const junk = await serveDashboard({ storage: `sqlite:///${dir}/junk.db`, port: 0 })();
  assert.equal(junk._tag === "Left" && junk.left._tag, "StorageError");
  assert.equal(await Deno.readTextFile(`${dir}/junk.db`), "not a database at all, just text");
  const malformed = await serveDashboard({ storage: "mysql://x", port: 0 })();
  assert.match(malformed._tag === "Left" ? malformed.left.message : "", /Invalid 'url'.*'mysql'/);
  const port = await serveDashboard({ storage: memoryStorage(), port: 70000 })();
  assert.match(
    port._tag === "Left" ? port.left.message : "",
    /Invalid 'port': expected an integer from 0 to 65535, got 70000/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("dashboard: a port taken by another program is a ServeFailed naming it", async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
  const port = (blocker.address() as { port: number }).port;
  const r = await serveDashboard({ storage: memoryStorage(), port })();
  blocker.close();
  assert.equal(r._tag === "Left" && r.left._tag, "ServeFailed");
  assert.equal(r._tag === "Left" && r.left._tag === "ServeFailed" && r.left.code, "EADDRINUSE");
});
