/**
 * Regenerates the dashboard screenshots of the README (`docs/dashboard-*.png`): builds two
 * demo studies in a temporary SQLite file (a single-objective sweep with learning curves, a
 * note and user attributes; a two-objective study), serves the dashboard and photographs it
 * with headless Chromium (software WebGL on, for the parallel-coordinates plot).
 *
 *     deno run -A tools/dashboard_screenshots.ts
 *
 * @module
 */
import {
  categorical,
  createStudy,
  float,
  int,
  map,
  optimize,
  report,
  runOrThrow,
  setUserAttr,
  suggest,
  tpeSampler,
} from "../mod.ts";
import { gen } from "../lib/effect/mod.ts";
import { openStorage } from "../lib/storage/open.ts";
import { noteWrites, serveDashboard } from "../lib/dashboard/mod.ts";
import { launchChromium } from "../tests/_helpers/browser.ts";
import { DASHBOARD_VIEWPORT, ready, watchedPage } from "../tests/dashboard/_browser.ts";

const dir = await Deno.makeTempDir({ prefix: "hyperion-screenshots-" });
const url = `sqlite:///${dir}/demo.db`;
const storage = await runOrThrow(openStorage(url));
const study = await runOrThrow(
  createStudy({ storage, studyName: "resnet-lr-sweep", sampler: tpeSampler({ seed: 7 }) }),
);
const space = {
  lr: float(1e-4, 1, { log: true }),
  momentum: float(0.5, 0.99),
  layers: int(1, 6),
  optimizer: categorical(["sgd", "adam", "rmsprop"]),
};
await runOrThrow(optimize(study, (t) =>
  gen(function* (_) {
    const p = yield* _(suggest(t, space));
    const base = (Math.log10(p.lr) + 2.5) ** 2 + (p.momentum - 0.9) ** 2 * 4 +
      (p.optimizer === "adam" ? 0 : 0.4) + 0.05 * p.layers;
    for (let s = 1; s <= 10; s++) yield* _(report(t, base + 2 / s, s));
    yield* _(setUserAttr(t, "gpu", `cuda:${t.number % 2}`));
    return base;
  }), { nTrials: 80 }));
const note =
  "Baseline sweep on CIFAR-10, 10 epochs per trial.\nAdam wins; next: narrow lr to [1e-3, 1e-2].";
for (const [key, value] of noteWrites({}, undefined, 1, note)) {
  await runOrThrow(storage.setStudyAttr({ id: study.studyId, kind: "system", key, value }));
}
await runOrThrow(
  storage.setStudyAttr({ id: study.studyId, kind: "user", key: "dataset", value: "cifar10" }),
);
const mo = await runOrThrow(createStudy({
  storage,
  studyName: "accuracy-vs-latency",
  directions: ["maximize", "minimize"],
  sampler: tpeSampler({ seed: 3 }),
}));
await runOrThrow(
  optimize(mo, (t) =>
    map(suggest(t, { width: int(16, 256), depth: int(1, 12) }), (p) => [
      1 - 1 / Math.sqrt(p.width * p.depth),
      (p.width * p.depth) / 100 + ((p.width * 7 + p.depth * 13) % 10) / 10,
    ]), { nTrials: 60 }),
);
await runOrThrow(storage.close());

const server = await runOrThrow(serveDashboard({ storage: url, port: 0 }));
const chrome = await launchChromium({
  viewport: DASHBOARD_VIEWPORT,
  extraArgs: ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
});
try {
  const { page, watch } = await watchedPage(chrome.browser);
  await page.setViewportSize({ width: 1440, height: 900 });
  const drawAll = async () => {
    for (const div of await page.locator(".plot").all()) await div.scrollIntoViewIfNeeded();
    await page.waitForTimeout(3000);
  };
  await page.goto(server.url + "/");
  await ready(page);
  await page.locator("#studies-card").screenshot({ path: "docs/dashboard-studies.png" });
  await page.goto(server.url + "/#/study/1");
  await ready(page);
  await page.click("#trials tbody tr:nth-child(4)");
  await page.waitForSelector("#trial-detail [data-drawn='1']");
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: "docs/dashboard-study.png" });
  await page.waitForSelector(".plot[data-figure='importance'][data-drawn='1']");
  await page.locator("#importance-card").screenshot({ path: "docs/dashboard-importance.png" });
  await drawAll();
  await page.locator("#plots-card").screenshot({ path: "docs/dashboard-plots.png" });
  await page.goto(server.url + "/#/study/2");
  await ready(page);
  await drawAll();
  await page.locator("#plots-card").screenshot({ path: "docs/dashboard-pareto.png" });
  if (watch.errors.length > 0 || watch.dialogs.length > 0) console.error(watch);
} finally {
  await chrome.close();
  await runOrThrow(server.close());
  await Deno.remove(dir, { recursive: true });
}
console.log("wrote docs/dashboard-{studies,study,importance,plots,pareto}.png");
