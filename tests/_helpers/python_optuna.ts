/**
 * Python Optuna 5.0 for the interop tests, from `.venv-optuna/` at the repository root: the one
 * place that finds it and, when it is missing or incomplete, sets it up from the machine's
 * wheel store. Test files run in parallel processes, so the check and the set-up happen under
 * an exclusive lock on `.venv-optuna.lock` (flock): a second file waits for the first to finish
 * building instead of finding a half-made venv and skipping. `.ci/run` builds the venv before
 * the tests, so there the lock is only taken to look.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The venv the interop tests use. */
export const VENV = join(ROOT, ".venv-optuna");
/** Its Python. */
export const VENV_PYTHON = join(VENV, "bin", "python");
const LOCK = join(ROOT, ".venv-optuna.lock");
const WHEEL_STORES = ["/opt/pypi/files", "/opt/pypi-more/files"];

/** What the interop test needs besides Optuna 5.0 itself. */
export interface PythonNeeds {
  /** psycopg2 (the PostgreSQL interop tests). */
  readonly psycopg2?: boolean;
}

/** The Python to use, or why the interop tests are skipped. */
export type PythonFound = { readonly python: string } | { readonly why: string };

async function run(cmd: string, args: ReadonlyArray<string>): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(cmd, { args: [...args], stdout: "null", stderr: "piped" })
      .output();
    if (out.success) return undefined;
    return `'${cmd} ${args.join(" ")}' failed: ${new TextDecoder().decode(out.stderr).trim()}`;
  } catch (e) {
    return `cannot run '${cmd}': ${(e as Error).message}`;
  }
}

/** What the venv's Python prints for `code` (`-c`), trimmed; undefined when it is missing or fails. */
export async function pythonSays(code: string): Promise<string | undefined> {
  if (!existsSync(VENV_PYTHON)) return undefined;
  try {
    const out = await new Deno.Command(VENV_PYTHON, {
      args: ["-c", code],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

function storesWith(prefix: string): string[] {
  return WHEEL_STORES.filter((s) =>
    existsSync(s) && readdirSync(s).some((f) => f.startsWith(prefix))
  );
}

async function pipInstall(what: string, wheelPrefix: string): Promise<string | undefined> {
  const stores = storesWith(wheelPrefix);
  if (stores.length === 0) return `no ${wheelPrefix}* wheel in ${WHEEL_STORES.join(" or ")}`;
  const links = WHEEL_STORES.filter(existsSync).flatMap((s) => ["--find-links", s]);
  return await run(VENV_PYTHON, ["-m", "pip", "install", "-q", "--no-index", ...links, what]);
}

async function ensure(needs: PythonNeeds): Promise<PythonFound> {
  let version = await pythonSays("import optuna; print(optuna.__version__)");
  if (version === undefined) {
    if (!existsSync(VENV_PYTHON)) {
      const failed = await run("python3", ["-m", "venv", VENV]);
      if (failed !== undefined) return { why: failed };
    }
    const failed = await pipInstall("optuna==5.0.0", "optuna-5.0.0-");
    version = await pythonSays("import optuna; print(optuna.__version__)");
    if (version === undefined) return { why: failed ?? `${VENV_PYTHON} cannot import optuna` };
  }
  if (version !== "5.0.0") return { why: `${VENV_PYTHON} has Optuna ${version}, not 5.0.0` };
  if (needs.psycopg2 && (await pythonSays("import psycopg2")) === undefined) {
    const failed = await pipInstall("psycopg2-binary", "psycopg2_binary-");
    if ((await pythonSays("import psycopg2")) === undefined) {
      return { why: `no psycopg2 in ${VENV_PYTHON}: ${failed ?? "it cannot be imported"}` };
    }
  }
  return { python: VENV_PYTHON };
}

/**
 * Python Optuna 5.0 (with what `needs` asks for), set up when missing, under the venv lock.
 * Never throws: a machine without Python or wheels gets `{ why }`, which the caller prints.
 */
export async function findOptunaPython(needs: PythonNeeds = {}): Promise<PythonFound> {
  const lock = await Deno.open(LOCK, { create: true, write: true });
  try {
    await lock.lock(true);
    return await ensure(needs);
  } catch (e) {
    return { why: `cannot set up ${VENV}: ${(e as Error).message}` };
  } finally {
    lock.close(); // releases the lock
  }
}
