/**
 * Runs an inline Python script of a benchmark with its configuration: the script is written to a
 * temporary directory beside `cfg.json` (its first argument), and the last line it prints is read
 * as JSON. A missing or failing Python gives `undefined` (the caller leaves Optuna's column out),
 * with the reason on stderr.
 *
 * @module
 */

/** `script` run by `python` on `cfg`; its last printed line parsed, or undefined. */
export async function runPythonScript<T>(
  python: string,
  script: string,
  cfg: unknown,
): Promise<T | undefined> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/cfg.json`, JSON.stringify(cfg));
    await Deno.writeTextFile(`${dir}/run.py`, script);
    const out = await new Deno.Command(python, {
      args: [`${dir}/run.py`, `${dir}/cfg.json`],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) {
      console.error(`Python run failed (${python}); skipping the Optuna column`);
      return undefined;
    }
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  } catch (e) {
    console.error(`Cannot run Python at ${python}: ${(e as Error).message}`);
    return undefined;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
