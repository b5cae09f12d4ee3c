/**
 * `report` and `dashboard` through the CLI: the report file is written (and nothing for an
 * unknown study), the dashboard serves until stopped, on 127.0.0.1 by default, and a port in
 * use or a bad port gives the documented exit code with a message.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EXIT, main } from "../../lib/cli/mod.ts";
import { cli, dumpDb, floatJson, withTempDb } from "./_cli.ts";

async function smallStudy(url: string): Promise<void> {
  await cli(["create-study", "--storage", url, "--study-name", "s"]);
  const space = JSON.stringify({ x: floatJson(0, 1) });
  for (let i = 0; i < 3; i++) {
    await cli(["ask", "--storage", url, "--study-name", "s", "--search-space", space]);
    await cli([
      "tell",
      "--storage",
      url,
      "--study-name",
      "s",
      "--trial-number",
      String(i),
      "--values",
      String(i),
    ]);
  }
}

Deno.test(
  "report writes one HTML file and prints its path; an unknown study writes nothing",
  withTempDb(async (db) => {
    await smallStudy(db.url);
    const file = join(db.dir, "report.html");
    const r = await cli(["report", db.url, "--study", "s", "-o", file]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${file}\n`);
    assert.match(r.err, /3 trials/);
    assert.match(await Deno.readTextFile(file), /^<!DOCTYPE html>/i);
    const other = join(db.dir, "other.html");
    const missing = await cli(["report", "--storage", db.url, "--study-name", "nope", "-o", other]);
    assert.equal(missing.code, EXIT.notFound);
    assert.equal(existsSync(other), false);
    const both = await cli(["report", db.url, "--storage", "memory:", "--study", "s", "-o", other]);
    assert.equal(both.code, EXIT.usage);
  }),
);

Deno.test(
  "dashboard serves on 127.0.0.1 until stopped, read-only; a port in use exits 1",
  withTempDb(async (db) => {
    await smallStudy(db.url);
    const before = dumpDb(db.path);
    const stop = new AbortController();
    let out = "";
    let err = "";
    const running = main(["dashboard", db.url, "--port", "0"], {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      env: () => undefined,
      stop: stop.signal,
    });
    for (let i = 0; i < 200 && out === ""; i++) await new Promise((r) => setTimeout(r, 50));
    const url = out.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(err, /read-only/);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    await page.body?.cancel();
    const port = Number(new URL(url).port);
    const busy = await cli(["dashboard", db.url, "--port", String(port)]);
    assert.equal(busy.code, EXIT.error);
    assert.match(busy.err, /^error: .*port.*in use/);
    stop.abort();
    assert.equal(await running, 0);
    assert.equal(dumpDb(db.path), before);
    const badPort = await cli(["dashboard", db.url, "--port", "http"]);
    assert.equal(badPort.code, EXIT.usage);
    const missing = await cli(["dashboard", `sqlite:///${join(db.dir, "none.db")}`, "--port", "0"]);
    assert.equal(missing.code, EXIT.error);
    assert.equal(existsSync(join(db.dir, "none.db")), false);
  }),
);
