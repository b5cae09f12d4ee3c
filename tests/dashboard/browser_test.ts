/**
 * The dashboard and the report in a real browser (Debian's Chromium, headless, driven by
 * playwright-core): pages load without console errors, the table shows the study's trials, a
 * filter works, plots render with data, a trial written by another process appears without a
 * reload, and a hostile study (name `<script>…`, attributes `<img onerror=…>`) runs nothing.
 */
import assert from "node:assert/strict";
import { runOrThrow } from "../../mod.ts";
import { serveDashboard, writeReport } from "../../lib/dashboard/mod.ts";
import { hasChromium, launchChromium, ready, waitAttr, waitText, watchedPage } from "./_browser.ts";
import { sqliteStudies, XSS_NAME } from "./_study.ts";

const ignore = !hasChromium;
if (ignore) {
  console.warn("browser tests skipped: /usr/bin/chromium is missing (apt-get install -y chromium)");
}

Deno.test({
  name: "browser: studies list, trial table, filter, plots, live update, no XSS",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  const db = await sqliteStudies({ alpha: 60, [XSS_NAME]: 8 });
  const server = await runOrThrow(serveDashboard({ storage: db.url, port: 0 }));
  const chrome = await launchChromium();
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
      assert.ok(await page.locator(".plot[data-figure='slice'] .point").count() > 0);
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
      await page.waitForSelector(".plot[data-figure='slice'] .main-svg");
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
  const chrome = await launchChromium();
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
