/**
 * The CLI's commands run in-process through `main` on temporary SQLite files: what each prints,
 * its exit code, and what the storage holds afterwards; bad input gives a message on stderr, the
 * documented exit code, and leaves the stored data exactly as it was.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import YAML from "yaml";
import { EXIT } from "../../lib/cli/mod.ts";
import { cli, dumpDb, floatJson, tempDb, withTempDb } from "./_cli.ts";

const SPACE = JSON.stringify({
  x: floatJson(-1, 1),
  c: { name: "CategoricalDistribution", attributes: { choices: ["a", "b"] } },
});

/** A study `s` with trials 0..n-1 told the values given (null: left RUNNING). */
async function studyWith(url: string, values: ReadonlyArray<number | null>, name = "s") {
  assert.equal((await cli(["create-study", "--storage", url, "--study-name", name])).code, 0);
  for (const [i, v] of values.entries()) {
    const asked = await cli([
      "ask",
      "--storage",
      url,
      "--study-name",
      name,
      "--search-space",
      SPACE,
      "--sampler",
      "RandomSampler",
      "--sampler-kwargs",
      '{"seed": 3}',
    ]);
    assert.equal(asked.code, 0, asked.err);
    assert.equal(JSON.parse(asked.out).number, i);
    if (v !== null) {
      const told = await cli(
        [
          "tell",
          "--storage",
          url,
          "--study-name",
          name,
          "--trial-number",
          String(i),
          "--values",
          String(v),
        ],
      );
      assert.equal(told.code, 0, told.err);
    }
  }
}

Deno.test(
  "create-study prints the name; a second time exits 4 unless --skip-if-exists",
  withTempDb(async (db) => {
    const first = await cli(["create-study", "--storage", db.url, "--study-name", "s"]);
    assert.deepEqual(first, { code: 0, out: "s\n", err: "" });
    const again = await cli(["create-study", "--storage", db.url, "--study-name", "s"]);
    assert.equal(again.code, EXIT.conflict);
    assert.match(again.err, /^error: Cannot create study 's' .*--skip-if-exists/);
    assert.equal(again.out, "");
    const skip = await cli([
      "create-study",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "--skip-if-exists",
    ]);
    assert.equal(skip.code, 0);
    const mo = await cli(
      [
        "create-study",
        "--storage",
        db.url,
        "--study",
        "mo",
        "--directions",
        "minimize",
        "maximize",
      ],
    );
    assert.equal(mo.code, 0);
    const listed = JSON.parse((await cli(["studies", "--storage", db.url, "-f", "json"])).out);
    assert.deepEqual(
      listed.map((s: { name: string; direction: string[] }) => [s.name, s.direction]),
      [
        ["s", ["MINIMIZE"]],
        ["mo", ["MINIMIZE", "MAXIMIZE"]],
      ],
    );
    const names = await cli(["study-names", "--storage", db.url]);
    assert.equal(names.out, "s\nmo\n");
    const attr = await cli([
      "study",
      "set-user-attr",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "-k",
      "owner",
      "--value",
      "ana",
    ]);
    assert.equal(attr.code, 0, attr.err);
    const withAttrs = JSON.parse((await cli(["studies", "--storage", db.url, "-f", "json"])).out);
    assert.deepEqual(withAttrs.map((s: { user_attrs: unknown }) => s.user_attrs), [
      { owner: "ana" },
      {},
    ]);
    const noKey = await cli([
      "study",
      "set-user-attr",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "--value",
      "x",
    ]);
    assert.equal(noKey.code, EXIT.usage);
  }),
);

Deno.test(
  "ask, tell and the listings agree with what is stored",
  withTempDb(async (db) => {
    await studyWith(db.url, [0.5, -2, null]);
    const trials = JSON.parse(
      (await cli(["trials", "--storage", db.url, "--study-name", "s", "-f", "json"])).out,
    );
    assert.deepEqual(
      trials.map((t: { value: number | null; state: string }) => [t.value, t.state]),
      [
        [0.5, "COMPLETE"],
        [-2, "COMPLETE"],
        [null, "RUNNING"],
      ],
    );
    assert.deepEqual(Object.keys(trials[0].params), ["c", "x"]);
    assert.match(trials[0].datetime_start, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(trials[0].duration, /^0:00:\d\d(\.\d{6})?$/);
    const best = await cli([
      "best-trial",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "-f",
      "yaml",
      "--flatten",
    ]);
    assert.equal(YAML.parse(best.out).number, 1);
    assert.equal(YAML.parse(best.out).value, -2);
    const table = await cli(["trials", "--storage", db.url, "--study-name", "s", "--flatten"]);
    assert.match(table.out, /^\+-+\+/);
    assert.match(table.out, /\| number \| +value \| datetime_start/);
    const bests = JSON.parse(
      (await cli(["best-trials", "--storage", db.url, "--study-name", "s", "-f", "json"])).out,
    );
    assert.deepEqual(bests.map((t: { number: number }) => t.number), [1]);
  }),
);

Deno.test("a seeded sampler by Optuna's class name asks the same parameters again", async () => {
  const a = await tempDb();
  const b = await tempDb();
  try {
    await studyWith(a.url, [1, 2]);
    await studyWith(b.url, [1, 2]);
    const read = async (url: string) =>
      (await cli(["trials", "--storage", url, "--study-name", "s", "-f", "json"])).out;
    const params = (text: string) => JSON.parse(text).map((t: { params: unknown }) => t.params);
    assert.deepEqual(params(await read(a.url)), params(await read(b.url)));
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test(
  "tell: a finished trial exits 4, or 0 with --skip-if-finished; pruned and fail states",
  withTempDb(async (db) => {
    await studyWith(db.url, [1, null, null]);
    const base = ["tell", "--storage", db.url, "--study-name", "s", "--trial-number"];
    const again = await cli([...base, "0", "--values", "3"]);
    assert.equal(again.code, EXIT.conflict);
    assert.match(again.err, /^error: .*trial 0/i);
    const skipped = await cli([...base, "0", "--values", "3", "--skip-if-finished"]);
    assert.equal(skipped.code, 0);
    assert.match(skipped.err, /already finished/);
    assert.equal((await cli([...base, "1", "--state", "pruned"])).code, 0);
    assert.equal((await cli([...base, "2", "--state", "fail"])).code, 0);
    const missing = await cli([...base, "7", "--values", "1"]);
    assert.equal(missing.code, EXIT.notFound);
    const trials = JSON.parse(
      (await cli(["trials", "--storage", db.url, "--study-name", "s", "-f", "json"])).out,
    );
    assert.deepEqual(trials.map((t: { value: number; state: string }) => [t.value, t.state]), [
      [1, "COMPLETE"],
      [null, "PRUNED"],
      [null, "FAIL"],
    ]);
  }),
);

Deno.test(
  "enqueue: the next ask runs the enqueued parameters",
  withTempDb(async (db) => {
    await studyWith(db.url, []);
    const enq = await cli([
      "enqueue",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "--params",
      '{"x": 0.25, "c": "b"}',
      "--user-attrs",
      '{"why": "baseline"}',
    ]);
    assert.equal(enq.code, 0, enq.err);
    const asked = await cli([
      "ask",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "--search-space",
      SPACE,
    ]);
    assert.deepEqual(JSON.parse(asked.out), { number: 0, params: { c: "b", x: 0.25 } });
  }),
);

Deno.test(
  "delete-study and copy-study (same file, another file)",
  withTempDb(async (db) => {
    await studyWith(db.url, [1, 2]);
    const copied = await cli([
      "copy-study",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "--to-study-name",
      "t",
    ]);
    assert.equal(copied.code, 0, copied.err);
    const other = `sqlite:///${join(db.dir, "other.db")}`;
    assert.equal(
      (await cli(["copy-study", "--storage", db.url, "--study-name", "s", "--to-storage", other]))
        .code,
      0,
    );
    const onto = await cli(["copy-study", "--storage", db.url, "--study-name", "s"]);
    assert.equal(onto.code, EXIT.usage);
    assert.equal((await cli(["delete-study", "--storage", db.url, "--study-name", "s"])).code, 0);
    assert.equal((await cli(["study-names", "--storage", db.url])).out, "t\n");
    const values = JSON.parse(
      (await cli(["trials", "--storage", other, "--study-name", "s", "-f", "json"])).out,
    )
      .map((t: { value: number }) => t.value);
    assert.deepEqual(values, [1, 2]);
    const gone = await cli(["delete-study", "--storage", db.url, "--study-name", "s"]);
    assert.equal(gone.code, EXIT.notFound);
  }),
);

Deno.test(
  "export: CSV and JSON lines with trials_dataframe's columns; absent parameters are empty",
  withTempDb(async (db) => {
    await studyWith(db.url, [1]);
    // a trial that has only 'x'
    const only = JSON.stringify({ x: floatJson(-1, 1) });
    await cli(["ask", "--storage", db.url, "--study-name", "s", "--search-space", only]);
    await cli([
      "tell",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "--trial-number",
      "1",
      "--values",
      "2",
    ]);
    const csv = await cli(["export", "--storage", db.url, "--study-name", "s"]);
    assert.equal(csv.code, 0);
    const lines = csv.out.trimEnd().split("\n");
    assert.equal(
      lines[0],
      // the trial asked without --sampler records the default autoSampler's choice
      "number,value,datetime_start,datetime_complete,duration,params_c,params_x,system_attrs_auto:sampler,state",
    );
    assert.equal(lines.length, 3);
    assert.equal(lines[2]!.split(",")[5], "");
    assert.match(csv.err, /parameter 'c' is absent from 1 of 2 trials/);
    const out = join(db.dir, "trials.jsonl");
    const jl = await cli([
      "export",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "-f",
      "jsonl",
      "-o",
      out,
    ]);
    assert.equal(jl.code, 0);
    assert.equal(jl.out, "");
    const rows = (await Deno.readTextFile(out)).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(rows[1].params_c, null);
    assert.equal(rows[1].value, 2);
    assert.equal(typeof rows[0].duration, "number");
    assert.match(rows[0].datetime_start, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    const nowhere = join(db.dir, "no", "such", "dir", "t.csv");
    const unwritable = await cli([
      "export",
      "--storage",
      db.url,
      "--study-name",
      "s",
      "-o",
      nowhere,
    ]);
    assert.equal(unwritable.code, EXIT.error);
    assert.match(unwritable.err, /^error: Cannot write/m);
    assert.equal(existsSync(join(db.dir, "no")), false);
  }),
);

Deno.test(
  "storage: --storage, else HYPERION_STORAGE, else exit 2",
  withTempDb(async (db) => {
    await studyWith(db.url, []);
    assert.equal((await cli(["study-names"], { HYPERION_STORAGE: db.url })).out, "s\n");
    const none = await cli(["study-names"]);
    assert.equal(none.code, EXIT.usage);
    assert.match(
      none.err,
      /^error: Invalid '--storage': expected a storage URL .*HYPERION_STORAGE/,
    );
  }),
);

Deno.test(
  "bad input: malformed URL, missing file, not a database, unknown study; nothing created",
  withTempDb(async (db) => {
    const bad = await cli(["studies", "--storage", "sqlite://x.db"]);
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.err, /^error: Invalid 'url'.*three slashes/);
    const missing = await cli(["trials", "--storage", db.url, "--study-name", "s"]);
    assert.equal(missing.code, EXIT.error);
    assert.match(missing.err, /does not exist/);
    assert.equal(existsSync(db.path), false, "a read command created the file");
    await Deno.writeTextFile(db.path, "not a database at all, just text ".repeat(100));
    const junk = await cli(["studies", "--storage", db.url]);
    assert.equal(junk.code, EXIT.error);
    assert.match(junk.err, /^error: Cannot open/);
    await Deno.remove(db.path);
    await studyWith(db.url, [1]);
    const unknown = await cli(["trials", "--storage", db.url, "--study-name", "nope"]);
    assert.deepEqual(unknown, {
      code: EXIT.notFound,
      out: "",
      err: "error: Cannot find study 'nope' in the storage\n",
    });
  }),
);

Deno.test(
  "bad input to ask, tell and enqueue exits 2 and writes nothing",
  withTempDb(async (db) => {
    await studyWith(db.url, [1, null]);
    const before = dumpDb(db.path);
    const s = ["--storage", db.url, "--study-name", "s"];
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [["ask", ...s, "--search-space", "{x: 1"], /Invalid '--search-space': expected JSON/],
      [["ask", ...s, "--search-space", "[1]"], /expected a JSON object/],
      [["ask", ...s, "--search-space", '{"x": {"name": "Nope"}}'], /--search-space\.x/],
      [["ask", ...s, "--search-space", JSON.stringify({ x: floatJson(2, 1) })], /x/],
      [["ask", ...s, "--search-space", JSON.stringify({ c: floatJson(0, 1) })], /'c'.*kind/],
      [["ask", ...s, "--sampler", "CmaEsSampler"], /Invalid '--sampler'.*TPESampler/],
      [["ask", ...s, "--sampler-kwargs", '{"seed": 1}'], /without --sampler/],
      [
        ["ask", ...s, "--sampler", "RandomSampler", "--sampler-kwargs", "seed=1"],
        /--sampler-kwargs/,
      ],
      [["tell", ...s, "--trial-number", "one", "--values", "1"], /--trial-number/],
      [["tell", ...s, "--trial-number", "1", "--values", "abc"], /--values/],
      [["tell", ...s], /--trial-number/],
      [["tell", ...s, "--trial-number", "1", "--state", "done"], /--state/],
      [["enqueue", ...s], /--params/],
      [["enqueue", ...s, "--params", "{"], /--params/],
      [["enqueue", ...s, "--params", '{"x": [1]}'], /x/],
      [["create-study", "--storage", db.url, "--direction", "up"], /direction/],
      [["trials", "--storage", db.url], /--study-name/],
      [["studies", "--storage", db.url, "-f", "xml"], /format/],
      [["no-such-command"], /unknown command/],
      [["studies", "--no-such-option"], /unknown option/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, EXIT.usage, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, message, args.join(" "));
      assert.match(r.err, /^error: /, args.join(" "));
      assert.equal(r.out, "", args.join(" "));
    }
    assert.equal(dumpDb(db.path), before);
  }),
);

Deno.test(
  "best-trial and best-trials without a completed trial exit 5; best-trial of several objectives exits 2",
  withTempDb(async (db) => {
    await studyWith(db.url, [null]);
    for (const cmd of ["best-trial", "best-trials"]) {
      const r = await cli([cmd, "--storage", db.url, "--study-name", "s"]);
      assert.equal(r.code, EXIT.noData, cmd);
      assert.match(r.err, /no trial is complete/);
    }
    await cli([
      "create-study",
      "--storage",
      db.url,
      "--study-name",
      "mo",
      "--directions",
      "minimize",
      "maximize",
    ]);
    const mo = await cli(["best-trial", "--storage", db.url, "--study-name", "mo"]);
    assert.equal(mo.code, EXIT.usage);
    assert.match(mo.err, /best-trials/);
  }),
);

Deno.test("every command answers --help with its options, exit 0", async () => {
  const commands = [
    "studies",
    "study-names",
    "create-study",
    "delete-study",
    "copy-study",
    "trials",
    "best-trial",
    "best-trials",
    "ask",
    "tell",
    "enqueue",
    "export",
    "importance",
    "storage check",
    "study set-user-attr",
    "report",
    "dashboard",
  ];
  for (const command of commands) {
    const r = await cli([...command.split(" "), "--help"]);
    assert.equal(r.code, 0, command);
    assert.match(r.out, new RegExp(`^Usage: hyperion ${command} `), command);
    assert.match(r.out, /--storage <url>/, command);
  }
  const top = await cli(["--help"]);
  for (const command of commands) assert.match(top.out, new RegExp(command.split(" ")[0]!));
  assert.match(top.out, /Exit codes: 0 ok/);
  const bare = await cli([]);
  assert.equal(bare.code, EXIT.usage);
  assert.match(bare.err, /Usage: hyperion/);
});

Deno.test(
  "storage check: a sound file passes; orphan rows and a bad revision fail with exit 1",
  withTempDb(async (db) => {
    await studyWith(db.url, [1, null]);
    const good = await cli(["storage", "check", "--storage", db.url, "-f", "json"]);
    assert.equal(good.code, 0, good.out);
    const findings = JSON.parse(good.out) as Array<{ check: string; status: string }>;
    assert.ok(findings.every((f) => f.status !== "error"));
    assert.equal(findings.find((f) => f.check === "running trials")?.status, "warning");
    const before = dumpDb(db.path);
    assert.equal(dumpDb(db.path), before, "check wrote to the file");
    const raw = new DatabaseSync(db.path);
    raw.exec("PRAGMA foreign_keys = OFF");
    raw.exec(
      "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (999, 'ghost', 0, '{}')",
    );
    raw.exec("UPDATE alembic_version SET version_num = 'v9.9.9'");
    raw.close();
    const bad = await cli(["storage", "check", "--storage", db.url]);
    assert.equal(bad.code, EXIT.error);
    assert.match(bad.out, /orphan rows +\| error +\| 1 in trial_params/);
    assert.match(bad.out, /alembic revision +\| error +\| v9\.9\.9/);
    const memory = await cli(["storage", "check", "--storage", "memory:"]);
    assert.equal(memory.code, EXIT.usage);
  }),
);
