/**
 * The CLI as users run it: the real program (`deno run -A lib/cli/main.ts`) in a child process,
 * its stdout, stderr and exit codes as a shell script sees them; names and URLs full of shell
 * syntax are stored literally and run nothing; and a study made with `create-study`, `ask` and
 * `tell` reads the same in Python Optuna 5.0 (`.venv-optuna/bin/python` at the repository root;
 * that test is skipped, saying so, when it is missing).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cliProcess, floatJson, ROOT, tempDb, withTempDb } from "./_cli.ts";
import { findOptunaPython } from "../_helpers/python_optuna.ts";

const found = await findOptunaPython();
const PYTHON = "python" in found ? found.python : "";

Deno.test(
  "a script's round: create-study, ask, tell, best-trial; exit codes and streams",
  withTempDb(async (db) => {
    const env = { HYPERION_STORAGE: db.url };
    const created = await cliProcess([
      "create-study",
      "--study-name",
      "run",
      "--direction",
      "maximize",
    ], { env });
    assert.deepEqual([created.code, created.out], [0, "run\n"]);
    const space = JSON.stringify({ lr: floatJson(0.001, 0.1) });
    for (let i = 0; i < 3; i++) {
      const asked = await cliProcess([
        "ask",
        "--study-name",
        "run",
        "--search-space",
        space,
        "-f",
        "json",
      ], { env });
      assert.equal(asked.code, 0, asked.err);
      const { number, params } = JSON.parse(asked.out);
      assert.equal(number, i);
      const told = await cliProcess(
        [
          "tell",
          "--study-name",
          "run",
          "--trial-number",
          String(number),
          "--values",
          String(params.lr * 10),
        ],
        { env },
      );
      assert.deepEqual([told.code, told.out, told.err], [0, "", ""]);
    }
    const best = await cliProcess(
      ["best-trial", "--study-name", "run", "-f", "value", "--flatten"],
      { env },
    );
    assert.equal(best.code, 0);
    assert.match(best.out, /^\d+ [\d.e-]+ \d{4}-/);
    const missing = await cliProcess(["trials", "--study-name", "nope"], { env });
    assert.deepEqual(missing, {
      code: 3,
      out: "",
      err: "error: Cannot find study 'nope' in the storage\n",
    });
    const usage = await cliProcess(["trials", "--study-name", "run", "--colour"], { env });
    assert.equal(usage.code, 2);
    assert.match(usage.err, /^error: unknown option '--colour'/);
    const help = await cliProcess(["tell", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /--skip-if-finished/);
  }),
);

Deno.test(
  "names and storage paths with shell syntax are stored literally and run nothing",
  withTempDb(async (db) => {
    const evil = [
      "$(touch pwned1)",
      "`touch pwned2`",
      "a; touch pwned3",
      "x && touch pwned4 | cat",
    ];
    const path = join(db.dir, "$(touch pwned5) dir; ls");
    await Deno.mkdir(path);
    const url = `sqlite:///${join(path, "s $(id).db")}`;
    for (const name of evil) {
      const r = await cliProcess(["create-study", "--storage", url, "--study-name", name], {
        cwd: db.dir,
      });
      assert.deepEqual([r.code, r.out], [0, `${name}\n`], r.err);
    }
    const names = await cliProcess(["study-names", "--storage", url, "-f", "json"], {
      cwd: db.dir,
    });
    assert.deepEqual(JSON.parse(names.out).map((n: { name: string }) => n.name), evil);
    const entries = [...Deno.readDirSync(db.dir)].map((e) => e.name).sort();
    assert.deepEqual(entries, ["$(touch pwned5) dir; ls"]);
    assert.ok(!existsSync(join(ROOT, "pwned1")) && !existsSync(join(ROOT, "pwned5")));
  }),
);

Deno.test({
  name: "a study made by create-study, ask and tell reads the same in Python Optuna, and back",
  ignore: PYTHON === "",
  fn: async () => {
    const db = await tempDb();
    try {
      const s = ["--storage", db.url, "--study-name", "shared"];
      await cliProcess(["create-study", ...s, "--directions", "minimize", "maximize"]);
      const space = JSON.stringify({
        x: floatJson(-5, 5),
        n: { name: "IntDistribution", attributes: { low: 1, high: 9, log: false, step: 2 } },
        act: { name: "CategoricalDistribution", attributes: { choices: ["relu", "tanh", null] } },
      });
      for (let i = 0; i < 4; i++) {
        const asked = await cliProcess([
          "ask",
          ...s,
          "--search-space",
          space,
          "--sampler",
          "TPESampler",
          "--sampler-kwargs",
          '{"seed": 7, "n_startup_trials": 2}',
        ]);
        assert.equal(asked.code, 0, asked.err);
        const args = i === 3 ? ["--state", "fail"] : ["--values", String(i), String(-i / 2)];
        assert.equal(
          (await cliProcess(["tell", ...s, "--trial-number", String(i), ...args])).code,
          0,
        );
      }
      await cliProcess(["enqueue", ...s, "--params", '{"x": 1.5, "n": 3, "act": "tanh"}']);
      const ours = JSON.parse((await cliProcess(["trials", ...s, "-f", "json"])).out);
      const script = `
import json, optuna
study = optuna.load_study(study_name="shared", storage="sqlite:///${db.path}")
print(json.dumps([[t.number, t.state.name, t.values, t.params] for t in study.get_trials()]))
t = study.ask()
x = t.suggest_float("x", -5, 5)
study.tell(t, [x, 0.0])
`;
      const py = await new Deno.Command(PYTHON, {
        args: ["-c", script],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder();
      assert.ok(py.success, text.decode(py.stderr));
      const theirs = JSON.parse(text.decode(py.stdout));
      assert.deepEqual(
        theirs,
        ours.map((t: { number: number; state: string; values: number[]; params: unknown }) => [
          t.number,
          t.state,
          t.state === "COMPLETE" ? t.values : null,
          t.params,
        ]),
      );
      // Python's trial 4 ran the enqueued parameters; the CLI reads its result
      const after = JSON.parse((await cliProcess(["trials", ...s, "-f", "json"])).out);
      assert.equal(after.length, 5);
      assert.deepEqual([after[4].state, after[4].params.x, after[4].values], ["COMPLETE", 1.5, [
        1.5,
        0,
      ]]);
      const check = await cliProcess(["storage", "check", "--storage", db.url]);
      assert.equal(check.code, 0, check.out);
    } finally {
      await db.close();
    }
  },
});

if ("why" in found) console.log(`skipped: the Python Optuna interop test: ${found.why}`);

Deno.test(
  "dashboard as a process: prints its URL, serves, and exits 0 on Ctrl-C (SIGINT)",
  withTempDb(async (db) => {
    await cliProcess(["create-study", "--storage", db.url, "--study-name", "s"]);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "lib", "cli", "main.ts"), "dashboard", db.url, "--port", "0"],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const url = out.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    await page.body?.cancel();
    child.kill("SIGINT");
    const status = await child.status;
    await reader.cancel();
    await child.stderr.cancel();
    assert.equal(status.code, 0);
  }),
);
