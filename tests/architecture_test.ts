/**
 * The layout's guard rails (ARCHITECTURE.md), measured by tools/arch_stats.ts on the source:
 * no `lib/_internal`, no import cycle, no import against the layer order, no function over 120
 * lines, no file over 500 lines (generated tables aside) and no module-level mutable state.
 */
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { measure } from "../tools/arch_stats.ts";

const report = await measure(resolve(import.meta.dirname ?? ".", ".."), { symbols: false });

Deno.test("lib/ has no central _internal folder: private files live beside their domain", () => {
  assert.equal(report.internalFolder, false);
});

Deno.test("no import cycle between the files of lib/, type-only imports included", () => {
  assert.deepEqual(report.cycles, []);
});

Deno.test("imports only go down the layers: effect, errors → math, random → core → storage → samplers, pruners → study → trainer → plugins", () => {
  assert.deepEqual(report.upwardImports, []);
});

Deno.test("no function in lib/ is over 120 lines and no file over 500", () => {
  assert.deepEqual(report.functionsOver.map((f) => `${f.file}:${f.line} ${f.name} ${f.lines}`), []);
  assert.deepEqual(report.filesOverLimit, []);
});

Deno.test("no module-level mutable state in lib/: state lives in records the caller holds", () => {
  assert.deepEqual(report.moduleState, []);
});
