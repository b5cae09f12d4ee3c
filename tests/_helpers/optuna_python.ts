/**
 * Python Optuna 5.0 for interop tests: `.venv-optuna/bin/python` at the repository root (CI's
 * `.ci/run` sets it up). `optunaTest` registers a test that is ignored, with the reason printed
 * once, when it is missing; `runPython` runs a script with arguments and returns its stdout.
 */
import assert from "node:assert/strict";
import { pythonSays, VENV_PYTHON as PYTHON } from "./python_optuna.ts";

const version = await pythonSays("import optuna; print(optuna.__version__)");
let told = false;

/** Registers a test that needs Python Optuna 5.0; ignored (saying why) when it is missing. */
export function optunaTest(name: string, fn: () => Promise<void>): void {
  const ignore = version !== "5.0.0";
  if (ignore && !told) {
    told = true;
    console.log(
      `%cSKIPPED Python Optuna interop tests: ${PYTHON} ${
        version === undefined ? "is missing or cannot import optuna" : `has Optuna ${version}`
      }`,
      "color: yellow",
    );
  }
  Deno.test({ name, ignore, fn });
}

/** Runs a Python script (`-c`) with arguments; fails the test with its stderr when it fails. */
export async function runPython(script: string, args: ReadonlyArray<string> = []): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", script, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONWARNINGS: "ignore" },
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `python failed:\n${stderr}`);
  return new TextDecoder().decode(out.stdout);
}
