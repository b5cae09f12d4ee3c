/**
 * Plotly, read from the `plotly.js-dist-min` npm package itself (never a CDN: the machines
 * that run the dashboard may be offline). The package's main file is located with
 * `import.meta.resolve` (Deno, Node.js and Bun resolve it to the installed file) and read with
 * `node:fs`; on Deno, a text import of the same specifier is the fallback (it also makes Deno
 * fetch the package into its cache).
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Either, left, right } from "../effect/mod.ts";
import { type StorageError, storageError } from "../storage/errors.ts";

/** The version of Plotly the dashboard ships (the import map pins it). */
export const PLOTLY_VERSION = "4.1.2";

async function viaResolve(): Promise<string | undefined> {
  try {
    const url = import.meta.resolve("plotly.js-dist-min");
    if (!url.startsWith("file:")) return undefined;
    return await readFile(fileURLToPath(url), "utf8");
  } catch {
    return undefined;
  }
}

async function viaTextImport(): Promise<string | undefined> {
  try {
    const m = await import("plotly.js-dist-min", { with: { type: "text" } });
    return typeof m.default === "string" ? m.default : undefined;
  } catch {
    return undefined;
  }
}

/** The source of `plotly.min.js`; `StorageError` naming the package when it cannot be read. */
export async function loadPlotly(): Promise<Either<StorageError, string>> {
  const text = (await viaResolve()) ?? (await viaTextImport());
  if (text !== undefined && text.length > 100_000) return right(text);
  return left(storageError(
    `read Plotly from the npm package 'plotly.js-dist-min@${PLOTLY_VERSION}'`,
    new Error("the package is not installed (run `deno install` or `npm install`)"),
  ));
}
