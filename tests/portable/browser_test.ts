/**
 * The core in a browser: `mod.ts` bundled for the browser (`deno bundle --platform browser`)
 * runs the seeded study with memory storage in headless Chromium and gets Deno's trials.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromiumAvailable, withChromium } from "../_helpers/browser.ts";
import { bitDifferences, differences } from "./compare.ts";
import { seededStudyTrials } from "./seeded_study.ts";

const here = resolve(import.meta.dirname ?? ".");

async function bundleForBrowser(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hyperion-bundle-"));
  try {
    const out = join(dir, "entry.js");
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--platform", "browser", "-o", out, join(here, "browser_entry.ts")],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(result.success, new TextDecoder().decode(result.stderr));
    return await readFile(out, "utf8");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

Deno.test({
  name:
    "mod.ts bundled for the browser runs the seeded study in headless Chromium with Deno's trials",
  ignore: !chromiumAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const code = await bundleForBrowser();
    assert.ok(!/from\s*["']node:/.test(code), "the bundle imports no node: built-in");
    const result = await withChromium(async (context) => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto("about:blank");
      await page.addScriptTag({ content: code, type: "module" });
      await page.waitForFunction(() => "hyperionResult" in globalThis, undefined, {
        timeout: 60_000,
      });
      const value = await page.evaluate(() =>
        JSON.stringify((globalThis as { hyperionResult?: unknown }).hyperionResult)
      );
      const agent = await page.evaluate(() => navigator.userAgent);
      assert.deepEqual(errors, []);
      return { ...JSON.parse(value) as { trials?: unknown; error?: string }, agent };
    });
    assert.equal(result.error, undefined, result.error);
    assert.match(result.agent, /Chrome/);
    const deno = await seededStudyTrials();
    const browser = result.trials as typeof deno;
    assert.equal(browser.length, 30);
    assert.deepEqual(differences(browser, deno), []);
    console.log(`browser vs Deno: ${bitDifferences(browser, deno)} floats differ in the last bits`);
  },
});
