/**
 * The browser side of tests/portable/browser_test.ts: bundled with `mod.ts` for the browser, it
 * runs the seeded study in memory and leaves its trials (or the error) on `globalThis`.
 *
 * @module
 */
import { seededStudyTrials } from "./seeded_study.ts";

const g = globalThis as { hyperionResult?: { trials?: unknown; error?: string } };
try {
  g.hyperionResult = { trials: await seededStudyTrials() };
} catch (e) {
  g.hyperionResult = { error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
}
