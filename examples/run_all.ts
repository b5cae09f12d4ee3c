/**
 * Runs every example in this folder as its own `deno run -A` process and fails when one fails.
 * CI runs it through `deno task examples` (part of `deno task ok`).
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const examples: string[] = [];
for await (const entry of Deno.readDir(here)) {
  if (
    entry.isFile && entry.name.endsWith(".ts") && entry.name !== self && !entry.name.startsWith("_")
  ) {
    examples.push(entry.name);
  }
}
examples.sort();

let passed = 0, failed = 0;
for (const name of examples) {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(here, name)],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 10 * 60 * 1000);
  const out = await child.output();
  clearTimeout(timer);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (out.success) {
    passed++;
    console.log(`example ${name} ... ok (${seconds}s)`);
  } else {
    failed++;
    const decoder = new TextDecoder();
    console.log(`example ${name} ... FAILED (${seconds}s, exit code ${out.code})`);
    console.log(decoder.decode(out.stdout).split("\n").slice(-20).join("\n"));
    console.log(decoder.decode(out.stderr).split("\n").slice(-30).join("\n"));
  }
}
console.log(`examples: ${passed} passed, ${failed} failed`);
if (failed > 0) Deno.exit(1);
