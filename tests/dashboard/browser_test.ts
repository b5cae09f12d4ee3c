/**
 * The dashboard and the report in a real browser (Debian's Chromium, headless, driven by
 * playwright-core): pages load without console errors, the table shows the study's trials, a
 * filter works, plots render with data, a trial written by another process appears without a
 * reload, and a hostile study (name `<script>…`, attributes `<img onerror=…>`) runs nothing.
 */
import assert from "node:assert/strict";
import { runOrThrow } from "../../mod.ts";
import { readNote, serveDashboard, writeReport } from "../../lib/dashboard/mod.ts";
import { openStorage } from "../../lib/storage/open.ts";
import { chromiumAvailable, launchChromium } from "../_helpers/browser.ts";
import { DASHBOARD_VIEWPORT, ready, waitAttr, waitText, watchedPage } from "./_browser.ts";
import { sqliteStudies, XSS_NAME } from "./_study.ts";

const ignore = !chromiumAvailable();

Deno.test({
  name: "browser: studies list, trial table, filter, plots, live update, no XSS",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  const db = await sqliteStudies({ alpha: 60, [XSS_NAME]: 8 });
  const server = await runOrThrow(serveDashboard({ storage: db.url, port: 0 }));
  const chrome = await launchChromium({ viewport: DASHBOARD_VIEWPORT });
  try {
    const { page, watch } = await watchedPage(chrome.browser);
    await t.step("the studies list shows both studies, the hostile name as text", async () => {
      await page.goto(server.url + "/");
      await ready(page);
      const names = await page.locator("#studies tbody a").allTextContents();
      assert.deepEqual(names, ["alpha", XSS_NAME]);
    });
    await t.step("the study page shows the trials, pages and sorts them", async () => {
      await page.goto(server.url + "/#/study/1");
      await ready(page);
      assert.equal(await page.locator("#trials tbody tr").count(), 50);
      assert.equal(await page.locator("#page-info").textContent(), "1–50 of 61 trials");
      await page.click("#page-next");
      await waitText(page, "#page-info", /^51–61 of 61 trials$/);
      await page.click("#trials th[data-key='number']");
      await waitAttr(page, "#trials tbody tr", "data-number", "60");
    });
    await t.step("a state filter keeps only that state", async () => {
      await page.selectOption("#filter-state", "RUNNING");
      await waitText(page, "#page-info", /^1–1 of 1 trials$/);
      assert.deepEqual(await page.locator("#trials tbody tr td:nth-child(2)").allTextContents(), [
        "RUNNING",
      ]);
      await page.selectOption("#filter-state", "");
      await page.selectOption("#filter-param", "x");
      await page.fill("#filter-min", "0");
      await page.press("#filter-min", "Enter");
      await waitText(page, "#page-info", /of (?!61 )[0-9]+ trials/);
      const headers = await page.locator("#trials thead th").allTextContents();
      const column = headers.findIndex((h) => h.replace(/ [▲▼]$/, "") === "x") + 1;
      const xs = await page.locator(`#trials tbody td:nth-child(${column})`).allTextContents();
      assert.ok(xs.length > 0 && xs.every((x) => Number(x) >= 0), `x values ${xs}`);
    });
    await t.step("the plots render with data", async () => {
      await page.waitForSelector(".plot[data-figure='history'] .main-svg");
      const points = await page.locator(".plot[data-figure='history'] .scatterlayer .point")
        .count();
      assert.ok(points >= 60, `history points: ${points}`);
      // the figures below the first are drawn when they scroll into view
      await page.locator(".plot[data-figure='slice']").scrollIntoViewIfNeeded();
      await page.waitForSelector(".plot[data-figure='slice'][data-drawn='1'] .point");
      assert.ok(await page.locator(".plot[data-figure='slice'] .point").count() > 0);
      await page.waitForSelector(".plot[data-figure='importance'][data-drawn='1'] .bars .point");
      const bars = await page.locator(".plot[data-figure='importance'] .bars .point").count();
      assert.equal(bars, 3, "one importance bar per parameter");
    });
    await t.step("a trial added by another process appears without a reload", async () => {
      await page.selectOption("#filter-param", "");
      await page.fill("#filter-min", "");
      await page.press("#filter-min", "Enter");
      await waitText(page, "#page-info", /of 61 trials/);
      await page.evaluate(() => (globalThis as unknown as { __marker: number }).__marker = 42);
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("./_add_trial.ts", import.meta.url).pathname, db.url, "alpha"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = await child;
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      await waitText(page, "#page-info", /of 62 trials/);
      assert.equal(
        await page.evaluate(() => (globalThis as unknown as { __marker: number }).__marker),
        42,
        "the page was reloaded",
      );
    });
    await t.step("the hostile study runs nothing", async () => {
      await page.goto(server.url + "/#/study/2");
      await ready(page);
      assert.equal(await page.locator("#study-name").textContent(), XSS_NAME);
      await page.click("#trials tbody tr:first-child");
      await page.waitForSelector("#trial-detail .user-attrs");
      assert.match(
        await page.locator("#trial-detail .user-attrs").textContent() ?? "",
        /<img src=x onerror=/,
      );
      await page.locator(".plot[data-figure='slice']").scrollIntoViewIfNeeded();
      await page.waitForSelector(".plot[data-figure='slice'][data-drawn='1'] .main-svg");
      await page.waitForTimeout(500);
      assert.equal(
        await page.evaluate(() => (globalThis as unknown as { __xss: unknown }).__xss),
        false,
      );
      assert.equal(await page.locator("img[src='x']").count(), 0);
      assert.deepEqual(watch.dialogs, []);
    });
    assert.deepEqual(watch.errors, []);
  } finally {
    await chrome.close();
    await runOrThrow(server.close());
    await db.cleanup();
  }
});

Deno.test({
  name: "browser: the report of a hostile study shows its trials and plots and runs nothing",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const db = await sqliteStudies({ [XSS_NAME]: 12 });
  const out = `${await Deno.makeTempDir()}/report.html`;
  const info = await runOrThrow(writeReport(db.url, XSS_NAME, out));
  assert.equal(info.trials, 13);
  const html = await Deno.readTextFile(out);
  assert.ok(!html.includes("<script>alert(1)"), "the name is escaped in the file");
  const chrome = await launchChromium({ viewport: DASHBOARD_VIEWPORT });
  try {
    const { page, watch } = await watchedPage(chrome.browser);
    const requests: string[] = [];
    page.on("request", (r) => {
      if (!/^(file|data|blob):/.test(r.url())) requests.push(r.url());
    });
    await page.goto("file://" + out);
    await ready(page);
    assert.equal(await page.locator("#study-name").textContent(), XSS_NAME);
    assert.equal(await page.locator("#trials tbody tr").count(), 13);
    await page.selectOption("#filter-state", "COMPLETE");
    await waitText(page, "#page-info", /^1–12 of 12 trials$/);
    await page.click("#trials tbody tr:first-child");
    await page.waitForSelector("#trial-detail .user-attrs");
    await page.waitForSelector(".plot[data-figure='history'] .point");
    await page.waitForTimeout(500);
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { __xss: unknown }).__xss),
      false,
    );
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.errors, []);
    assert.deepEqual(requests, [], "the report loads nothing from the network");
  } finally {
    await chrome.close();
    await db.cleanup();
  }
});

Deno.test({
  name:
    "browser: with writes allowed, a note saved and a RUNNING trial told from the page reach the storage",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const db = await sqliteStudies({ alpha: 4 });
  const server = await runOrThrow(serveDashboard({ storage: db.url, port: 0, allowWrites: true }));
  const chrome = await launchChromium({ viewport: DASHBOARD_VIEWPORT });
  try {
    const { page, watch } = await watchedPage(chrome.browser);
    await page.goto(server.url + "/#/study/1");
    await ready(page);
    assert.equal(await page.locator("#mode").textContent(), "writes enabled");
    await page.locator(".card textarea.note-edit").first().fill("from the <b>browser</b>");
    await page.locator(".card button", { hasText: "Save note" }).first().click();
    await waitText(page, ".card pre.note", /from the <b>browser<\/b>/);
    await page.click("#trials tbody tr[data-number='4']");
    await page.waitForSelector("#trial-detail .tell");
    await page.fill("#trial-detail .tell-values", "0.125");
    await page.click("#trial-detail .tell button");
    await waitText(page, "#trial-detail h2", /Trial 4 — COMPLETE/);
    assert.deepEqual(watch.errors, []);
  } finally {
    await chrome.close();
    await runOrThrow(server.close());
  }
  const storage = await runOrThrow(openStorage(db.url));
  const study = await runOrThrow(storage.getStudy("alpha"));
  assert.equal(readNote(study.systemAttrs, undefined).body, "from the <b>browser</b>");
  const trials = await runOrThrow(storage.getAllTrials(study.studyId));
  assert.deepEqual([trials[4]!.state, trials[4]!.values], ["COMPLETE", [0.125]]);
  await runOrThrow(storage.close());
  await db.cleanup();
});
