/**
 * The PostgreSQL storage against a real server: the shared conformance suite, the schema as
 * Python Optuna 5.0 creates it, schema revisions, connection errors, URLs, concurrency inside
 * one process, and interoperability with Python Optuna 5.0 workers on the same study.
 *
 * The server is `HYPERION_PG_URL` when set, else a throwaway cluster started with
 * `.ci/postgres.sh` on 127.0.0.1:54331 for the duration of this file. Every test gets its own
 * database. Without PostgreSQL (not installed, not installable) the tests are skipped with the
 * reason printed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import {
  createStudy,
  enqueueTrial,
  getTrials,
  optimize,
  randomSampler,
  report,
  right,
  runOrThrow,
  setStudyUserAttr,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
} from "../../../mod.ts";
import { postgresStorage } from "../../../lib/storage/rdb/postgres.ts";
import { openStorage } from "../../../lib/storage/open.ts";
import { LIBRARY_VERSION } from "../../../lib/storage/rdb/codec.ts";
import { storageConformance } from "../../_helpers/storage_conformance.ts";
import { expectLeft } from "../../_helpers/study.ts";
import { findOptunaPython } from "../../_helpers/python_optuna.ts";
import { admin, createDatabase, ensurePostgres } from "../../fixtures/postgres/server.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const FIXTURES = join(ROOT, "tests", "fixtures", "postgres");
const WORKER = join(ROOT, "tests", "fixtures", "optimize_worker.ts");

const pg = await ensurePostgres(54331);
if (!pg.ok) console.log(`%cSKIPPED the PostgreSQL tests: ${pg.reason}`, "color: yellow");
const SERVER = pg.ok ? pg.url : "";
const test = (name: string, fn: () => Promise<void>) => Deno.test({ name, ignore: !pg.ok, fn });

/** Runs `fn` with a fresh database, dropped afterwards. */
async function withDatabase(fn: (url: string) => Promise<void>): Promise<void> {
  const db = await createDatabase(SERVER);
  try {
    await fn(db.url);
  } finally {
    await db.drop();
  }
}

/** Rows of a query on a database, through a connection of its own. */
async function rows(url: string, text: string): Promise<ReadonlyArray<Record<string, unknown>>> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, fetch_types: false });
  try {
    return [...await sql.unsafe(text)] as ReadonlyArray<Record<string, unknown>>;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// -------------------------------------------------------------------------------------
// the shared suite
// -------------------------------------------------------------------------------------

if (pg.ok) {
  storageConformance("postgresStorage()", async ({ now }) => {
    const db = await createDatabase(SERVER);
    const storage = await runOrThrow(postgresStorage(db.url, { now, max: 4 }));
    return {
      storage,
      cleanup: async () => {
        await storage.close()();
        await db.drop();
      },
    };
  });
}

// -------------------------------------------------------------------------------------
// Python Optuna 5.0 (with psycopg2)
// -------------------------------------------------------------------------------------

/** Python Optuna 5.0 with psycopg2 from `.venv-optuna` (tests/_helpers/python_optuna.ts). */
async function findPython(): Promise<string | { readonly skip: string }> {
  const found = await findOptunaPython({ psycopg2: true });
  return "python" in found ? found.python : { skip: found.why };
}

const python = pg.ok ? await findPython() : { skip: "no PostgreSQL" };
if (typeof python !== "string") {
  console.log(`%cSKIPPED the Python Optuna interop tests: ${python.skip}`, "color: yellow");
}
const interop = (name: string, fn: (python: string) => Promise<void>) =>
  Deno.test({
    name,
    ignore: typeof python !== "string",
    fn: () => fn(python as string),
  });

async function runPython(
  python: string,
  script: string,
  args: ReadonlyArray<string>,
): Promise<string> {
  const out = await new Deno.Command(python, {
    args: [join(FIXTURES, script), ...args],
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONWARNINGS: "ignore" },
  }).output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(`${script} failed:\n${text.decode(out.stderr)}\n${text.decode(out.stdout)}`);
  }
  return text.decode(out.stdout);
}

/** The SQLAlchemy URL of the same database (Python needs the psycopg2 driver). */
const sqlalchemyUrl = (url: string) => url.replace(/^postgres(ql)?:\/\//, "postgresql+psycopg2://");

/** The schema as `pg_dump --schema-only` prints it, without comments and session settings. */
async function schemaDump(url: string): Promise<string> {
  const out = await new Deno.Command("pg_dump", {
    args: ["--schema-only", "--no-owner", "--no-privileges", url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("--") && !l.startsWith("\\"))
    .join("\n");
}

interop(
  "the tables, types, sequences and indexes are exactly those Python Optuna 5.0 creates",
  async (python) => {
    await withDatabase(async (ours) => {
      await withDatabase(async (theirs) => {
        const storage = await runOrThrow(postgresStorage(ours));
        await runOrThrow(storage.close());
        await runPython(python, "optuna_write.py", [sqlalchemyUrl(theirs), "s", "0"]);
        assert.equal(await schemaDump(ours), await schemaDump(theirs));
        assert.deepEqual(await rows(ours, "SELECT * FROM alembic_version"), [{
          version_num: "v3.2.0.a",
        }]);
        assert.deepEqual(await rows(theirs, "SELECT * FROM alembic_version"), [{
          version_num: "v3.2.0.a",
        }]);
        assert.deepEqual(await rows(ours, "SELECT * FROM version_info"), [{
          version_info_id: 1,
          schema_version: 12,
          library_version: LIBRARY_VERSION,
        }]);
      });
    });
  },
);

interop(
  "a study written here reads the same in Python Optuna, which continues it",
  async (python) => {
    await withDatabase(async (url) => {
      const storage = await runOrThrow(postgresStorage(url));
      const study = await runOrThrow(createStudy({
        storage,
        studyName: "from-deno",
        direction: "minimize",
        sampler: randomSampler({ seed: 3 }),
      }));
      await runOrThrow(setStudyUserAttr(study, "owner", { team: "deno", n: [1, 2] }));
      await runOrThrow(optimize(study, (trial: Trial) => async () => {
        const x = await runOrThrow(suggestFloat(trial, "x", -5, 5));
        const n = await runOrThrow(suggestInt(trial, "n", 1, 9, { log: true }));
        const c = await runOrThrow(suggestCategorical(trial, "c", ["a", 2, null]));
        await runOrThrow(report(trial, x * 2, 0));
        await runOrThrow(report(trial, Infinity, 1));
        return right(x * x + n + (c === "a" ? 1 : 0));
      }, { nTrials: 6 }));
      await runOrThrow(
        enqueueTrial(study, { x: 1.5, n: 2, c: 2 }, { userAttrs: { why: "check" } }),
      );
      const ours = await runOrThrow(getTrials(study));
      const dumped = JSON.parse(
        await runPython(python, "optuna_dump.py", [sqlalchemyUrl(url), "from-deno"]),
      ) as {
        user_attrs: unknown;
        directions: string[];
        trials: Array<{
          number: number;
          state: string;
          values: number[] | null;
          params: Record<string, unknown>;
          intermediate_values: Record<string, unknown>;
          user_attrs: Record<string, unknown>;
          datetime_start: string | null;
        }>;
      };
      assert.deepEqual(dumped.user_attrs, { owner: { team: "deno", n: [1, 2] } });
      assert.deepEqual(dumped.directions, ["MINIMIZE"]);
      assert.equal(dumped.trials.length, 7);
      for (const [i, t] of ours.entries()) {
        const p = dumped.trials[i]!;
        assert.equal(p.number, t.number);
        assert.equal(p.state, t.state);
        assert.deepEqual(p.values, t.values);
        assert.deepEqual(p.params, t.params);
        assert.deepEqual(p.user_attrs, t.userAttrs);
        if (t.state === "COMPLETE") {
          assert.deepEqual(p.intermediate_values, { 0: t.intermediateValues[0], 1: "inf" });
        }
        assert.equal(
          p.datetime_start === null ? null : Date.parse(`${p.datetime_start}Z`),
          t.datetimeStart === null ? null : Math.floor(t.datetimeStart),
        );
      }
      // Python runs the enqueued trial and three more
      await runPython(python, "optuna_continue.py", [sqlalchemyUrl(url), "from-deno", "4"]);
      const after = await runOrThrow(getTrials(study));
      assert.deepEqual(
        after.map((t) => t.number),
        [...Array(10).keys()],
      );
      assert.deepEqual(after[6]?.params, { x: 1.5, n: 2, c: 2 });
      assert.equal(after[6]?.state, "COMPLETE");
      assert.ok(after.every((t) => t.state === "COMPLETE"));
      await runOrThrow(storage.close());
    });
  },
);

interop(
  "a study written by Python Optuna reads the same here, and continues here",
  async (python) => {
    await withDatabase(async (url) => {
      const written = JSON.parse(
        await runPython(python, "optuna_write.py", [sqlalchemyUrl(url), "from-python", "5"]),
      ) as Array<{ number: number; params: Record<string, unknown>; value: number }>;
      const storage = await runOrThrow(openStorage(url));
      const study = await runOrThrow(createStudy({
        storage,
        studyName: "from-python",
        loadIfExists: true,
        sampler: randomSampler({ seed: 1 }),
      }));
      const trials = await runOrThrow(getTrials(study));
      assert.equal(trials.length, 6); // five complete, one still WAITING
      for (const w of written) {
        const t = trials[w.number]!;
        assert.deepEqual(t.params, w.params);
        assert.deepEqual(t.values, [w.value]);
        assert.deepEqual(t.intermediateValues, { 0: w.value, 1: -Infinity });
        assert.deepEqual(t.userAttrs, { by: "python" });
      }
      assert.equal(trials[5]?.state, "WAITING");
      const summary = await runOrThrow(optimize(study, (trial: Trial) => async () => {
        const x = await runOrThrow(suggestFloat(trial, "x", -10, 10));
        const c = await runOrThrow(suggestCategorical(trial, "c", ["u", "v"]));
        return right(x + (c === "u" ? 0 : 1));
      }, { nTrials: 3 }));
      assert.equal(summary.nTrials, 3);
      const after = await runOrThrow(getTrials(study));
      assert.deepEqual(after.map((t) => [t.number, t.state]), [
        [0, "COMPLETE"],
        [1, "COMPLETE"],
        [2, "COMPLETE"],
        [3, "COMPLETE"],
        [4, "COMPLETE"],
        [5, "COMPLETE"],
        [6, "COMPLETE"],
        [7, "COMPLETE"],
      ]);
      assert.deepEqual(after[5]?.params, { x: 0.25, c: "v" });
      await runOrThrow(storage.close());
    });
  },
);

interop(
  "Python and Hyperion workers running one study at once get unique consecutive numbers",
  async (python) => {
    await withDatabase(async (url) => {
      const storage = await runOrThrow(postgresStorage(url));
      await runOrThrow(createStudy({ storage, studyName: "mixed" }));
      await runOrThrow(storage.close());
      const deno = (n: number) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", WORKER, url, "mixed", String(n)],
          stdout: "piped",
          stderr: "piped",
        }).output();
      const py = (n: number) =>
        new Deno.Command(python, {
          args: [join(FIXTURES, "optuna_continue.py"), sqlalchemyUrl(url), "mixed", String(n)],
          stdout: "piped",
          stderr: "piped",
        }).output();
      const outs = await Promise.all([deno(40), deno(40), py(40), py(40)]);
      for (const o of outs) {
        assert.ok(o.success, new TextDecoder().decode(o.stderr));
      }
      const check = await runOrThrow(openStorage(url));
      const study = await runOrThrow(check.getStudy("mixed"));
      const trials = await runOrThrow(check.getAllTrials(study.studyId));
      assert.deepEqual(trials.map((t) => t.number), [...Array(160).keys()]);
      assert.ok(trials.every((t) => t.state === "COMPLETE"));
      await runOrThrow(check.close());
    });
  },
);

// -------------------------------------------------------------------------------------
// schema revisions
// -------------------------------------------------------------------------------------

test("a database stamped with another alembic revision is a SchemaMismatch and is not modified", async () => {
  for (
    const [revision, advice] of [
      ["v3.0.0.d", /older Optuna: upgrade it with `optuna storage upgrade/],
      ["v9.9.9.z", /newer or unknown version of Optuna/],
    ] as const
  ) {
    await withDatabase(async (url) => {
      const storage = await runOrThrow(postgresStorage(url));
      await runOrThrow(storage.createStudy({ studyName: "kept", directions: ["minimize"] }));
      await runOrThrow(storage.close());
      await admin(url, [`UPDATE alembic_version SET version_num = '${revision}'`]);
      const before = await rows(url, "SELECT * FROM studies");
      const e = expectLeft(await postgresStorage(url)(), "SchemaMismatch");
      assert.match(e.message, new RegExp(revision.replace(/\./g, "\\.")));
      assert.match(e.message, advice);
      assert.match(e.message, /was not modified/);
      assert.deepEqual(await rows(url, "SELECT * FROM studies"), before);
      assert.deepEqual(await rows(url, "SELECT version_num FROM alembic_version"), [{
        version_num: revision,
      }]);
    });
  }
});

test("a database with Optuna tables but no alembic_version, or a missing table, is a SchemaMismatch", async () => {
  await withDatabase(async (url) => {
    await runOrThrow(postgresStorage(url)).then((s) => runOrThrow(s.close()));
    await admin(url, ["DROP TABLE trial_heartbeats"]);
    const e = expectLeft(await postgresStorage(url)(), "SchemaMismatch");
    assert.match(e.message, /without the tables trial_heartbeats/);
    await admin(url, ["DROP TABLE alembic_version"]);
    const f = expectLeft(await postgresStorage(url)(), "SchemaMismatch");
    assert.match(f.message, /no alembic_version table/);
  });
});

test("workers opening an empty database at the same moment create the schema once", async () => {
  await withDatabase(async (url) => {
    const opened = await Promise.all(Array.from({ length: 6 }, () => postgresStorage(url)()));
    for (const o of opened) assert.equal(o._tag, "Right", JSON.stringify(o));
    assert.deepEqual(await rows(url, "SELECT count(*)::int AS n FROM alembic_version"), [{ n: 1 }]);
    for (const o of opened) if (o._tag === "Right") await runOrThrow(o.right.close());
  });
});

// -------------------------------------------------------------------------------------
// connections and URLs
// -------------------------------------------------------------------------------------

test("connection failures are StorageErrors naming the database and host, never the password", async () => {
  const refused = expectLeft(
    await postgresStorage("postgresql://someone:hunter2-secret@127.0.0.1:1/studies")(),
    "StorageError",
  );
  assert.match(
    refused.message,
    /^Cannot connect to the PostgreSQL database 'studies' at 127\.0\.0\.1:1: /,
  );
  assert.doesNotMatch(refused.message, /hunter2/);
  assert.doesNotMatch(JSON.stringify(refused), /hunter2/);

  const missing = new URL(SERVER);
  missing.pathname = "/no_such_database_here";
  missing.password = "hunter2-secret";
  const e = expectLeft(await postgresStorage(missing.toString())(), "StorageError");
  assert.match(e.message, /'no_such_database_here'/);
  assert.match(e.message, /does not exist/);
  assert.doesNotMatch(JSON.stringify(e), /hunter2/);
});

test("openStorage() opens postgresql://, postgres:// and postgresql+psycopg2:// URLs, masking the password", async () => {
  await withDatabase(async (url) => {
    const withPassword = new URL(url);
    withPassword.password = "not-checked-by-trust";
    const variants = [
      url,
      url.replace(/^postgresql:/, "postgres:"),
      withPassword.toString().replace(/^postgresql:/, "postgresql+psycopg2:"),
    ];
    for (const v of variants) {
      const storage = await runOrThrow(openStorage(v));
      assert.equal(storage.persistent, true);
      assert.doesNotMatch(storage.url, /not-checked-by-trust/);
      await runOrThrow(storage.listStudies());
      await runOrThrow(storage.close());
    }
    const masked = await runOrThrow(openStorage(withPassword.toString()));
    assert.match(masked.url, /:\*\*\*@/);
    await runOrThrow(masked.close());
  });
});

test("bad options are InvalidArgument before any connection", async () => {
  for (
    const options of [{ max: 0 }, { retries: -1 }, { connectTimeoutMs: 1.5 }, {
      maxLifetimeMs: -4,
    }, { now: 3 }]
  ) {
    expectLeft(await postgresStorage(SERVER, options as never)(), "InvalidArgument");
  }
  expectLeft(await postgresStorage("mysql://x/y")(), "InvalidArgument");
});

test("close() ends the pool: the server sees no connection of the storage afterwards", async () => {
  await withDatabase(async (url) => {
    const storage = await runOrThrow(postgresStorage(url, { applicationName: "hyperion-close" }));
    const s = await runOrThrow(storage.createStudy({ studyName: "s", directions: ["minimize"] }));
    await Promise.all(Array.from({ length: 8 }, () => runOrThrow(storage.createTrial(s.studyId))));
    const count = async () =>
      (await rows(
        url,
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'hyperion-close'",
      ))[0]?.n;
    assert.ok(Number(await count()) >= 1);
    await runOrThrow(storage.close());
    assert.equal(await count(), 0);
    assert.match(expectLeft(await storage.listStudies()(), "StorageError").message, /closed/);
  });
});

// -------------------------------------------------------------------------------------
// concurrency inside one process
// -------------------------------------------------------------------------------------

test("several pools creating trials and claiming WAITING ones at once never share a number or a trial", async () => {
  await withDatabase(async (url) => {
    const storages = await Promise.all(
      Array.from({ length: 4 }, () => runOrThrow(postgresStorage(url, { max: 3 }))),
    );
    const s = await runOrThrow(
      storages[0]!.createStudy({ studyName: "race", directions: ["minimize"] }),
    );
    for (let i = 0; i < 40; i++) {
      await runOrThrow(storages[0]!.createTrial(s.studyId, { state: "WAITING" }));
    }
    const work = storages.flatMap((st) =>
      Array.from({ length: 15 }, async () => {
        const claimed = await runOrThrow(st.claimWaitingTrial(s.studyId));
        const created = await runOrThrow(st.createTrial(s.studyId));
        return { claimed: claimed?.number, created: created.number };
      })
    );
    const results = await Promise.all(work);
    const claimed = results.map((r) => r.claimed).filter((n) => n !== undefined) as number[];
    assert.deepEqual(claimed.sort((a, b) => a - b), [...Array(40).keys()]);
    const created = results.map((r) => r.created).sort((a, b) => a - b);
    assert.deepEqual(created, Array.from({ length: 60 }, (_, i) => 40 + i));
    for (const st of storages) await runOrThrow(st.close());
  });
});
