/**
 * The shared headless-Chromium launcher for browser tests (Debian's `chromium`, driven by
 * `playwright-core`): a fresh profile folder, the flags that keep Chromium off the network, and
 * one rule for a missing browser: skip with a clear message on a developer's machine, fail in
 * CI (`CI=true`), where `.ci/run` installs it.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = Deno.env.get("HYPERION_CHROMIUM") ?? "/usr/bin/chromium";

/** The flags every browser test launches Chromium with (no sandbox as root, no network). */
export const CHROMIUM_FLAGS: ReadonlyArray<string> = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** True when CI runs the tests (`CI=true`): a missing browser is then a failure. */
export function inCi(): boolean {
  return Deno.env.get("CI") === "true";
}

/**
 * Whether Chromium is here. When it is not: in CI a failure (thrown), elsewhere `false` after
 * printing why the browser tests are skipped.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const why = `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
  if (inCi()) throw new Error(`${why}: CI must run the browser tests`);
  console.log(`browser tests skipped: ${why}`);
  return false;
}

/** A launched browser (one persistent context) and its profile folder; `close` removes both. */
export interface Launched {
  readonly browser: BrowserContext;
  readonly close: () => Promise<void>;
}

/** How to launch: extra flags and the window size. */
export interface LaunchOptions {
  /**
   * Flags added to `CHROMIUM_FLAGS` (the dashboard screenshots add software WebGL for Plotly's
   * parallel-coordinates plot).
   * @default []
   */
  readonly extraArgs?: ReadonlyArray<string>;
  /**
   * The page size; playwright's own (1280×720) when absent.
   * @default undefined
   */
  readonly viewport?: { readonly width: number; readonly height: number };
}

/**
 * Launches headless Chromium with a fresh profile folder (playwright passes it as
 * `--user-data-dir` itself, through `launchPersistentContext`).
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Launched> {
  const profile = await mkdtemp(join(tmpdir(), "hyperion-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ...(options.viewport ? { viewport: { ...options.viewport } } : {}),
    args: [...CHROMIUM_FLAGS, ...(options.extraArgs ?? [])],
    timeout: 60_000,
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Runs `use` with a fresh headless Chromium context (own profile folder), closed afterwards. */
export async function withChromium<T>(use: (context: BrowserContext) => Promise<T>): Promise<T> {
  const launched = await launchChromium();
  try {
    return await use(launched.browser);
  } finally {
    await launched.close();
  }
}
