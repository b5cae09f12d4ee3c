/**
 * The CLI as a program: `deno run -A lib/cli/main.ts <command> [options]` (`deno task cli`).
 * Exits with the code {@link main} returns.
 *
 * @module
 */
import { main } from "./mod.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
