/**
 * Page helpers for the dashboard's browser tests (the browser itself comes from
 * `tests/_helpers/browser.ts`: `chromiumAvailable`, `launchChromium`, `DASHBOARD_VIEWPORT`).
 *
 * @module
 */
import type { BrowserContext, ConsoleMessage, Page } from "playwright-core";

/** The window size the dashboard tests, screenshots and load benchmark use. */
export const DASHBOARD_VIEWPORT = { width: 1400, height: 1000 } as const;

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
