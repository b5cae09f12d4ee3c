/**
 * The CLI as a program: `deno run -A lib/cli/main.ts <command> [options]` (`deno task cli`), also
 * `node lib/cli/main.ts` (Node >= 22.18) and `bun lib/cli/main.ts`.
 * Exits with the code {@link main} returns.
 *
 * @module
 */
import { commandArgs, exitProcess, isMainModule } from "../runtime/mod.ts";
import { main } from "./mod.ts";

if (isMainModule(import.meta)) exitProcess(await main(commandArgs()));
