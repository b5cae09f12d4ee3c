/**
 * How long a 10,000-trial study's dashboard page takes to become interactive (the trial table
 * and the optimisation-history plot drawn, timed inside the page from navigation start), in
 * headless Chromium, over an SQLite file, the dashboard in its own process. Prints the times
 * of a few loads (target: under 2 s) and the machine's load; not a timed assertion.
 *
 *     deno run -A bench/dashboard_load.ts [--trials 10000] [--runs 3]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { categorical, createStudy, float, int, runOrThrow } from "../mod.ts";
import { openStorage } from "../lib/storage/open.ts";
import { serveDashboard } from "../lib/dashboard/mod.ts";
import { launchChromium } from "../tests/_helpers/browser.ts";
import { DASHBOARD_VIEWPORT, ready, watchedPage } from "../tests/dashboard/_browser.ts";
import { randomSampler } from "../mod.ts";
import { ask, suggest, tell } from "../mod.ts";

if (Deno.args[0] === "--serve") {
  const server = await runOrThrow(serveDashboard({ storage: Deno.args[1]!, port: 0 }));
  console.log(server.url);
  await new Promise(() => {});
}

const { values } = parseArgs({
  args: Deno.args,
  options: { trials: { type: "string", default: "10000" }, runs: { type: "string", default: "3" } },
});
const nTrials = Number(values.trials);
const runs = Number(values.runs);

const dir = await Deno.makeTempDir({ prefix: "hyperion-dashboard-bench-" });
const url = `sqlite:///${dir}/bench.db`;
const storage = await runOrThrow(openStorage(url));
const study = await runOrThrow(
  createStudy({ storage, studyName: "bench", sampler: randomSampler({ seed: 0 }) }),
);
const space = {
  x: float(-5, 5),
  y: float(1e-4, 1, { log: true }),
  n: int(1, 8),
  act: categorical(["relu", "tanh", "gelu"]),
};
const t0 = performance.now();
for (let i = 0; i < nTrials; i++) {
  const trial = await runOrThrow(ask(study));
  const p = await runOrThrow(suggest(trial, space));
  await runOrThrow(tell(study, trial, { values: (p.x - 1) ** 2 + Math.log10(p.y) ** 2 + p.n }));
}
await runOrThrow(storage.close());
console.log(`built ${nTrials} trials in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// the dashboard runs in its own process, as `hyperion dashboard` would
const serverProcess = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", new URL(import.meta.url).pathname, "--serve", url],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = serverProcess.stdout.pipeThrough(new TextDecoderStream()).getReader();
let serverUrl = "";
while (!serverUrl.includes("\n")) serverUrl += (await reader.read()).value ?? "";
serverUrl = serverUrl.trim();
const chrome = await launchChromium({ viewport: DASHBOARD_VIEWPORT });
const times: number[] = [];
try {
  for (let r = 0; r < runs; r++) {
    const { page, watch } = await watchedPage(chrome.browser);
    const start = performance.now();
    await page.goto(`${serverUrl}/#/study/1`);
    await ready(page, 120_000);
    await page.waitForSelector("body[data-interactive-ms]", { timeout: 120_000 });
    const wall = performance.now() - start;
    const inPage = Number(await page.locator("body").getAttribute("data-interactive-ms"));
    times.push(inPage);
    const rows = await page.locator("#trials tbody tr").count();
    const points = await page.locator(".plot[data-figure='history'] .scatterlayer .point").count();
    console.log(
      `load ${r + 1}${r === 0 ? " (cold server)" : ""}: table and history plot drawn ${
        (inPage / 1000).toFixed(2)
      } s after navigation start (seen by the driver after ${(wall / 1000).toFixed(2)} s); ` +
        `${rows} rows, ${points} plotted points, ${watch.errors.length} console errors`,
    );
    await page.close();
  }
} finally {
  await chrome.close();
  serverProcess.kill("SIGTERM");
  await serverProcess.status;
  await Deno.remove(dir, { recursive: true });
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `dashboard_load: ${nTrials} trials, median ${
    (sorted[Math.floor(sorted.length / 2)]! / 1000).toFixed(2)
  } s (target < 2 s), load avg ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
);
