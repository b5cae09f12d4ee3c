/**
 * The portable test subset: one script that Deno, Node (>= 22.18, which strips types) and Bun run
 * as it is, over every entry point, SQLite, the trainer with checkpoints and the tuning
 * plug-in. It uses only `node:` built-ins and the entry points' files (no test framework, no npm
 * package) and ends with the plain line `portable: N passed, M failed`; it exits 1 when a
 * check fails.
 *
 * Run: `node tests/portable/portable.ts`, `bun tests/portable/portable.ts`,
 * `deno run -A tests/portable/portable.ts`. With `--trials <file>` it also writes the seeded
 * study's trials as JSON (tests/portable/cross_runtime_test.ts compares them across runtimes).
 * On Node and Bun the CLI check needs its npm packages (commander, yaml) in `node_modules`:
 * `.ci/run` installs them into `.tools/npm` and links `./node_modules` to them.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ask, createStudy, getTrials, optimize, runOrThrow, suggestFloat } from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { openStorage, parseStorageUrl } from "../../lib/storage/open.ts";
import { postgresStorage } from "../../lib/storage/rdb/postgres.ts";
import {
  arrayDataModule,
  createTrainer,
  fit,
  fitParallel,
  getOrThrow,
  type Model,
  registerPlugin,
} from "../../lib/trainer/mod.ts";
import { regression, regressionPoints } from "../fixtures/parallel_models.ts";
import { optunaPlugin, resumeStudy } from "../../lib/plugins/optuna/mod.ts";
import { runtimeName } from "../../lib/runtime/mod.ts";
import { journalFileBackend, journalStorage } from "../../lib/storage/journal/mod.ts";
import { main } from "../../lib/cli/mod.ts";
import { seededStudyTrials } from "./seeded_study.ts";

type Check = readonly [name: string, run: () => Promise<void> | void];

async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "hyperion-portable-"));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function argValue(flag: string): string | undefined {
  const args = (globalThis as { process?: { argv?: string[] } }).process?.argv ?? [];
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

const line: Model<{ w: number }, ReadonlyArray<[number, number]>> = {
  saveName: "line",
  setup: () => ({ w: 0 }),
  trainStep: (s, batch) => {
    const grad = batch.reduce((g, [x, y]) => g + 2 * x * (s.w * x - y), 0) / batch.length;
    return { state: { w: s.w - 0.1 * grad }, losses: { grad: Math.abs(grad) } };
  },
  onValidationEnd: (s) => ({ state: s, metrics: { error: Math.abs(s.w - 2) } }),
};

const checks: ReadonlyArray<Check> = [
  ["the runtime adapter names this runtime", () => {
    const expected = argValue("--runtime");
    if (expected !== undefined) assert.equal(runtimeName(), expected);
    else assert.notEqual(runtimeName(), "unknown");
  }],
  ["@hyperion/tune: a seeded TPE study in memory (trials written with --trials)", async () => {
    const trials = await seededStudyTrials();
    assert.equal(trials.length, 30);
    const out = argValue("--trials");
    if (out !== undefined) await writeFile(out, JSON.stringify(trials, null, 1));
  }],
  ["@hyperion/tune: bad input is a Left naming the field, not a throw", async () => {
    const study = await runOrThrow(createStudy({}));
    const trial = await runOrThrow(ask(study));
    const result = await suggestFloat(trial, "lr", 1, 0)();
    assert.ok(result._tag === "Left" && result.left._tag === "InvalidDistribution");
    assert.match(result.left.message, /'low' must not exceed 'high'/);
    const [stored] = await runOrThrow(getTrials(study));
    assert.deepEqual(stored?.params, {}, "nothing was stored");
  }],
  [
    "@hyperion/tune/sqlite: the seeded study on an SQLite file equals the one in memory",
    async () => {
      await withTempDir(async (dir) => {
        const storage = await runOrThrow(sqliteStorage(join(dir, "s.db")));
        const onDisk = await seededStudyTrials(storage);
        await runOrThrow(storage.close());
        assert.deepEqual(onDisk, await seededStudyTrials());
      });
    },
  ],
  [
    "@hyperion/tune/journal: two storages on one journal file (node:fs, file locks) share trials",
    async () => {
      await withTempDir(async (dir) => {
        const path = join(dir, "study.log");
        const a = await runOrThrow(journalStorage(journalFileBackend(path)));
        const b = await runOrThrow(journalStorage(journalFileBackend(path, { lock: "open" })));
        const study = await runOrThrow(a.createStudy({ studyName: "j", directions: ["minimize"] }));
        const first = await runOrThrow(a.createTrial(study.studyId));
        const second = await runOrThrow(b.createTrial(study.studyId));
        const done = { state: "COMPLETE" } as const;
        await runOrThrow(b.setTrialStateValues({ ...done, trialId: first.trialId, values: [1.5] }));
        await runOrThrow(
          a.setTrialStateValues({ ...done, trialId: second.trialId, values: [0.5] }),
        );
        await runOrThrow(a.close());
        await runOrThrow(b.close());
        const reader = await runOrThrow(openStorage(`journal:///${path}`));
        const trials = await runOrThrow(reader.getAllTrials(study.studyId));
        assert.deepEqual(trials.map((t) => [t.number, t.state, t.values]), [
          [0, "COMPLETE", [1.5]],
          [1, "COMPLETE", [0.5]],
        ]);
        await runOrThrow(reader.close());
        assert.deepEqual((await readdir(dir)).sort(), ["study.log"], "the locks were released");
      });
    },
  ],
  ["@hyperion/tune/cli: main(['studies', ...]) in-process on an SQLite file", async () => {
    await withTempDir(async (dir) => {
      const storage = `sqlite:///${join(dir, "cli.db")}`;
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
      const create = ["create-study", "--storage", storage, "--study-name", "cli"];
      assert.equal(await main([...create, "--direction", "maximize"], io), 0, err.join(""));
      assert.equal(
        await main(["studies", "--storage", storage, "-f", "json"], io),
        0,
        err.join(""),
      );
      const studies = JSON.parse(out.at(-1) ?? "[]") as Array<Record<string, unknown>>;
      assert.deepEqual(studies.map((s) => [s.name, s.direction, s.n_trials]), [
        ["cli", ["MAXIMIZE"], 0],
      ]);
      assert.equal(await main(["studies", "--storage", `sqlite:///${join(dir, "no.db")}`], io), 1);
      assert.match(err.join(""), /^error: .*does not exist/m);
      // the program (lib/cli/main.ts) in a child process of this runtime: arguments, stdout, exit
      const program = join(import.meta.dirname ?? ".", "..", "..", "lib", "cli", "main.ts");
      const pre = runtimeName() === "deno" ? ["run", "-A"] : [];
      const child = spawnSync(process.execPath, [
        ...pre,
        program,
        "study-names",
        "--storage",
        storage,
      ], {
        encoding: "utf8",
      });
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout.trim(), "cli");
      const missing = spawnSync(
        process.execPath,
        [...pre, program, "trials", "--storage", storage],
        {
          encoding: "utf8",
        },
      );
      assert.equal(missing.status, 2, missing.stderr);
    });
  }],
  ["@hyperion/tune/storage: memory:, sqlite:/// and unknown-scheme URLs", async () => {
    await withTempDir(async (dir) => {
      const memory = await runOrThrow(openStorage("memory:"));
      assert.equal(memory.persistent, false);
      const file = await runOrThrow(openStorage(`sqlite:///${join(dir, "u.db")}`));
      assert.equal(file.persistent, true);
      await runOrThrow(file.close());
      const unknown = await openStorage("redis://localhost")();
      assert.ok(unknown._tag === "Left" && unknown.left._tag === "InvalidArgument");
      const parsed = parseStorageUrl("sqlite:////tmp/x.db");
      assert.ok(parsed._tag === "Right" && parsed.right.kind === "sqlite");
    });
  }],
  [
    "@hyperion/tune/postgres: a malformed URL is a Left, a closed port a Left (no crash)",
    async () => {
      const bad = await postgresStorage("mysql://x")();
      assert.ok(bad._tag === "Left" && bad.left._tag === "InvalidArgument");
      const closed = await postgresStorage("postgresql://u:p@127.0.0.1:9/db", {
        connectTimeoutMs: 2000,
        retries: 0,
      })();
      assert.ok(closed._tag === "Left" && closed.left._tag === "StorageError");
      assert.ok(!closed.left.message.includes(":p@"), "the password stays out of the message");
    },
  ],
  ["@hyperion/tune/trainer: fit checkpoints, a crash, and an exact resume", async () => {
    await withTempDir(async (chkptRoot) => {
      const points: Array<[number, number]> = [[0.5, 1], [1, 2], [1.5, 3], [2, 4]];
      const data = arrayDataModule(points, { batchSize: 2 });
      const config = { totalSteps: 10, validationFrequency: 1, checkpointFrequency: 1, chkptRoot };
      const crash = {
        id: "crash",
        onTrainingEpochStart: ({ epoch }: { epoch: number }) => {
          if (epoch === 4) throw new Error("power cut");
        },
      };
      const trainer = getOrThrow(registerPlugin(getOrThrow(createTrainer(config)), crash));
      const failed = await fit(trainer, line, data)();
      assert.ok(failed._tag === "Left" && failed.left._tag === "TrainingFailed");
      const resumed = await runOrThrow(fit(getOrThrow(createTrainer(config)), line, data));
      assert.match(resumed.resumedFrom ?? "", /line_epoch_3_iter_6\.json$/);
      assert.equal(resumed.training.epoch, 10);
      assert.ok((resumed.metrics.error ?? 1) < 1e-3);
      assert.ok((await readdir(join(chkptRoot, "line"))).length > 0);
    });
  }],
  [
    "@hyperion/tune/trainer: fitParallel's 2 ranks (Workers) match one rank; a failing rank is named",
    async () => {
      const { train, validation } = regressionPoints();
      const config = { totalSteps: 3, validationFrequency: 1, seed: 2 };
      const single = await runOrThrow(fit(
        getOrThrow(createTrainer(config)),
        regression({ rank: 0, worldSize: 1, options: undefined }),
        arrayDataModule(train, { batchSize: 16, validation }),
      ));
      const model = {
        url: new URL("../fixtures/parallel_models.ts", import.meta.url),
        exportName: "regression",
      };
      const data = { train, validation, batchSize: 8 };
      const run = await runOrThrow(
        fitParallel(getOrThrow(createTrainer(config)), model, data, { worldSize: 2 }),
      );
      const w = (run.state as { w: number[] }).w;
      w.forEach((wi, i) => assert.ok(Math.abs(wi - (single.state.w[i] as number)) <= 1e-12));
      assert.deepEqual(run.ranks[1]?.state, run.state);
      const failed = await fitParallel(getOrThrow(createTrainer(config)), model, data, {
        worldSize: 2,
        options: { throwAt: [1, 2] },
      })();
      assert.ok(failed._tag === "Left" && failed.left._tag === "RankFailed");
      assert.match(failed.left.message, /^Rank 1 of 2 failed/);
    },
  ],
  [
    "@hyperion/tune/plugins/optuna: the plug-in tunes a training run on SQLite; resumeStudy",
    async () => {
      await withTempDir(async (dir) => {
        const url = `sqlite:///${join(dir, "study.db")}`;
        const study = await runOrThrow(
          resumeStudy({ storage: url, studyName: "toy", loadIfExists: true }),
        );
        const toy = (rate: number): Model<number, number> => ({
          saveName: "toy",
          setup: () => 1,
          trainStep: (loss) => ({ state: loss * (1 - rate) }),
          onValidationEnd: (loss) => ({ state: loss, metrics: { loss } }),
        });
        const summary = await runOrThrow(optimize(study, (trial) => async () => {
          const plugin = optunaPlugin(trial, "loss");
          const rate = await runOrThrow(suggestFloat(trial, "rate", 0.01, 0.5));
          const trainer = getOrThrow(plugin.configureTrainer(
            getOrThrow(createTrainer({ totalSteps: 5, validationFrequency: 1, chkptRoot: dir })),
          ));
          const data = { trainBatches: ({ start }: { start: number }) => [0, 0].slice(start) };
          const result = await fit(trainer, plugin.configureModel(toy(rate)), data)();
          return result._tag === "Left" ? result : { _tag: "Right", right: result.right.state };
        }, { nTrials: 6 }));
        assert.equal(summary.counts.COMPLETE + summary.counts.PRUNED, 6);
        await runOrThrow(study.storage.close());
        const again = await runOrThrow(
          resumeStudy({ storage: url, studyName: "toy", loadIfExists: true }),
        );
        assert.equal((await runOrThrow(getTrials(again))).length, 6);
        await runOrThrow(again.storage.close());
        assert.ok(
          (await readdir(dir)).some((name) => name.includes("backup")),
          "a backup was made",
        );
      });
    },
  ],
];

let passed = 0;
let failed = 0;
for (const [name, run] of checks) {
  try {
    await run();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}\n  ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}
console.log(`runtime: ${runtimeName()}`);
console.log(`portable: ${passed} passed, ${failed} failed`);
if (failed > 0) (globalThis as { process?: { exitCode?: number } }).process!.exitCode = 1;
