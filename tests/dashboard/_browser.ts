/**
 * A headless Chromium for the dashboard's browser tests: Debian's `/usr/bin/chromium` driven
 * by `playwright-core` (no browser download), with a fresh profile per launch. Tests skip,
 * saying so, when the browser is not installed (`apt-get install -y chromium`).
 *
 * @module
 */
import { chromium } from "playwright-core";
import type { BrowserContext, ConsoleMessage, Page } from "playwright-core";
import { existsSync } from "node:fs";

/** The system browser the tests drive. */
export const CHROMIUM = Deno.env.get("HYPERION_CHROMIUM") ?? "/usr/bin/chromium";

/** True when the browser is installed. */
export const hasChromium: boolean = existsSync(CHROMIUM);

/** A launched browser (one persistent context) and its profile folder; `close` removes both. */
export interface Launched {
  readonly browser: BrowserContext;
  readonly close: () => Promise<void>;
}

/**
 * Launches headless Chromium with a fresh `--user-data-dir` (playwright passes the profile
 * folder as that flag itself, through `launchPersistentContext`).
 */
export async function launchChromium(): Promise<Launched> {
  const profile = await Deno.makeTempDir({ prefix: "hyperion-chromium-" });
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** What a page did that a test must see: console errors, page errors and dialogs. */
export interface PageWatch {
  readonly errors: string[];
  readonly dialogs: string[];
}

/**
 * A new page that records console errors, uncaught errors and dialogs (dismissed), and
 * defines `window.__xss = false` before any script runs (an injected payload sets it).
 */
export async function watchedPage(
  browser: BrowserContext,
): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage();
  const watch: PageWatch = { errors: [], dialogs: [] };
  page.on("console", (m: ConsoleMessage) => {
    if (m.type() === "error") watch.errors.push(m.text());
  });
  page.on("pageerror", (e: Error) => watch.errors.push(String(e)));
  page.on("dialog", (d) => {
    watch.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.addInitScript(() => {
    (globalThis as unknown as { __xss: unknown }).__xss = false;
  });
  return { page, watch };
}

/** Waits until the page says it has drawn its view (`<body data-ready="1">`). */
export async function ready(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForSelector("body[data-ready='1']", { timeout });
}

/**
 * Waits until the text of the first element matching `selector` matches `re` (polled from
 * here: the dashboard's CSP forbids the string evaluation `waitForFunction` would need).
 */
export async function waitText(
  page: Page,
  selector: string,
  re: RegExp,
  timeout = 15_000,
): Promise<void> {
  const end = Date.now() + timeout;
  let last: string | null = null;
  while (Date.now() < end) {
    last = await page.locator(selector).first().textContent({ timeout }).catch(() => null);
    if (last !== null && re.test(last)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`'${selector}' never matched ${re}: last text ${JSON.stringify(last)}`);
}

/** Waits until the first element matching `selector` has the attribute value. */
export async function waitAttr(
  page: Page,
  selector: string,
  attr: string,
  value: string,
): Promise<void> {
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    if ((await page.locator(selector).first().getAttribute(attr).catch(() => null)) === value) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`'${selector}' never had ${attr}=${JSON.stringify(value)}`);
}
