/**
 * Studies for the dashboard tests: an SQLite file with a single-objective study (parameters,
 * intermediate values, user attributes, one RUNNING trial) and a hostile one.
 *
 * @module
 */
import {
  ask,
  categorical,
  createStudy,
  float,
  int,
  optimize,
  randomSampler,
  report,
  runOrThrow,
  setUserAttr,
  suggest,
} from "../../mod.ts";
import { gen } from "../../lib/effect/mod.ts";
import { openStorage } from "../../lib/storage/open.ts";
import type { Storage } from "../../lib/storage/storage.ts";

/** The XSS payloads the hostile study carries. */
export const XSS_NAME = "<script>alert(1)</script>";
/** An attribute value that would run code if put in the page as markup. */
export const XSS_ATTR = '<img src=x onerror="window.__xss=1;alert(2)">';

/** Fills `storage` with study `name`: `n` finished trials and one RUNNING trial. */
export async function fillStudy(storage: Storage, name: string, n: number): Promise<void> {
  const study = await runOrThrow(
    createStudy({ storage, studyName: name, sampler: randomSampler({ seed: 1 }) }),
  );
  const space = {
    x: float(-5, 5),
    layers: int(1, 4),
    act: categorical(["relu", "tanh", XSS_ATTR]),
  };
  await runOrThrow(optimize(study, (t) =>
    gen(function* (_) {
      const p = yield* _(suggest(t, space));
      yield* _(report(t, p.x * p.x + 1, 1));
      yield* _(report(t, p.x * p.x, 2));
      yield* _(setUserAttr(t, "note", XSS_ATTR));
      return p.x * p.x + p.layers;
    }), { nTrials: n }));
  await runOrThrow(ask(study));
}

/** A temporary SQLite file holding `studies` (name → trial count); `cleanup` removes it. */
export async function sqliteStudies(
  studies: Readonly<Record<string, number>>,
): Promise<{ readonly url: string; readonly path: string; readonly cleanup: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-dashboard-" });
  const path = `${dir}/study.db`;
  const storage = await runOrThrow(openStorage(`sqlite:///${path}`));
  for (const [name, n] of Object.entries(studies)) await fillStudy(storage, name, n);
  await runOrThrow(storage.close());
  return { url: `sqlite:///${path}`, path, cleanup: () => Deno.remove(dir, { recursive: true }) };
}

/** SHA-256 of a file, hex. */
export async function checksum(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
