import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  arrayDataModule,
  configureTrainer,
  createTrainer,
  fit,
  getOrThrow,
  type Model,
  type Plugin,
  registerPlugin,
  type Trainer,
  type TrainerConfig,
} from "../../lib/trainer/mod.ts";
import { writeFileAtomic } from "../../lib/fs/atomic.ts";
import { trainerOf, withTempDir } from "../fixtures/trainer_fixture.ts";

/** Counts batches; its state is the count. */
const counter: Model<number, ReadonlyArray<number>> = {
  saveName: "net",
  setup: () => 0,
  trainStep: (s) => ({ state: s + 1 }),
  onValidationEnd: (s) => ({ state: s, metrics: { count: s } }),
};
const data = arrayDataModule([1, 2, 3, 4], { batchSize: 2 });

Deno.test("keepLastCheckpoints keeps only the newest k checkpoints of the save name", async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, "unrelated.json"), "{}");
    const r = getOrThrow(
      await fit(
        trainerOf({
          totalSteps: 5,
          checkpointFrequency: 1,
          chkptRoot: dir,
          keepLastCheckpoints: 2,
        }),
        counter,
        data,
      )(),
    );
    assert.equal(r.checkpoints.length, 5, "every checkpoint was written");
    assert.deepEqual((await readdir(join(dir, "net"))).sort(), [
      "net_epoch_4_iter_8.json",
      "net_epoch_5_iter_10.json",
    ]);
    assert.deepEqual(await readdir(dir).then((n) => n.sort()), ["net", "unrelated.json"]);
    // the default keeps every checkpoint, as before
    const all = getOrThrow(
      await fit(
        trainerOf({ totalSteps: 3, checkpointFrequency: 1, chkptRoot: join(dir, "all") }),
        counter,
        data,
      )(),
    );
    assert.equal((await readdir(join(dir, "all", "net"))).length, all.checkpoints.length);
    assert.equal(all.checkpoints.length, 3);
  });
});

Deno.test("keepLastCheckpoints must be a positive integer: InvalidTrainerConfig names it", () => {
  for (const value of [0, -1, 1.5, "2", null, NaN, Infinity]) {
    const r = createTrainer({ keepLastCheckpoints: value as number });
    assert.ok(r._tag === "Left" && r.left._tag === "InvalidTrainerConfig", String(value));
    assert.match(r.left.message, /'keepLastCheckpoints': expected a positive integer/);
  }
  const ok = getOrThrow(createTrainer({ keepLastCheckpoints: 1 }));
  assert.equal(ok.config.keepLastCheckpoints, 1);
});

Deno.test("createTrainer(), configureTrainer() and registerPlugin() never throw on null, undefined, a Symbol or a wrong type", () => {
  const bad: unknown[] = [null, Symbol("cfg"), 42, "config", [1], true];
  for (const value of bad) {
    const r = createTrainer(value as TrainerConfig);
    assert.ok(r._tag === "Left" && r.left._tag === "InvalidTrainerConfig", String(value));
    assert.match(
      r.left.message,
      /^Invalid trainer config 'config': expected a configuration object/,
    );
  }
  assert.equal(createTrainer(undefined)._tag, "Right");
  const trainer = getOrThrow(createTrainer());
  for (const value of bad) {
    const patched = configureTrainer(trainer, value as TrainerConfig);
    assert.ok(patched._tag === "Left", String(value));
    assert.match(patched.left.message, /'patch'/);
    const asTrainer = configureTrainer(value as Trainer, {});
    assert.ok(asTrainer._tag === "Left" && /'trainer'/.test(asTrainer.left.message));
    const plugin = registerPlugin(trainer, value as Plugin);
    assert.ok(plugin._tag === "Left" && /'plugin/.test(plugin.left.message), String(value));
    const onBad = registerPlugin(value as Trainer, { id: "x" });
    assert.ok(onBad._tag === "Left" && /'trainer'/.test(onBad.left.message));
  }
  const fields: Array<[string, unknown]> = [
    ["chkptRoot", null],
    ["logPath", null],
    ["chkptRoot", Symbol("x")],
    ["logPath", 7],
    ["seed", Symbol("x")],
    ["progress", Symbol("x")],
    ["trainUnit", Symbol("x")],
    ["totalSteps", Symbol("x")],
    ["rank", Symbol("x")],
  ];
  for (const [field, value] of fields) {
    const r = createTrainer({ [field]: value } as TrainerConfig);
    assert.ok(r._tag === "Left", `${field}: ${String(value)}`);
    assert.ok(r.left.message.includes(`'${field}'`), r.left.message);
    assert.ok(r.left.message.includes(String(value)), r.left.message);
  }
});

Deno.test("a plug-in's acceptCheckpoint can refuse a checkpoint: fit fails with CorruptCheckpoint and writes nothing", async () => {
  await withTempDir(async (dir) => {
    const config = { totalSteps: 2, checkpointFrequency: 1, chkptRoot: dir };
    const owner = (name: string): Plugin => ({
      id: "owner",
      stateDict: () => ({ owner: name }),
      acceptCheckpoint: (saved) =>
        (saved as { owner?: string } | undefined)?.owner === name ? true : `it is not ${name}'s`,
    });
    getOrThrow(await fit(trainerOf(config, [owner("a")]), counter, data)());
    const before = (await readdir(join(dir, "net"))).sort();
    const longer = { ...config, totalSteps: 4 };
    const refused = await fit(trainerOf(longer, [owner("b")]), counter, data)();
    assert.ok(refused._tag === "Left" && refused.left._tag === "CorruptCheckpoint");
    assert.match(refused.left.message, /net_epoch_2_iter_4\.json/);
    assert.match(refused.left.message, /plug-in 'owner' refuses it: it is not b's/);
    assert.deepEqual((await readdir(join(dir, "net"))).sort(), before, "nothing was written");
    const accepted = getOrThrow(await fit(trainerOf(longer, [owner("a")]), counter, data)());
    assert.match(accepted.resumedFrom ?? "", /net_epoch_2_iter_4\.json$/);
    assert.equal(accepted.state, 8);
    // a hook that answers neither true nor a reason is a TrainingFailed naming it
    const odd: Plugin = { id: "odd", acceptCheckpoint: () => false as unknown as true };
    const e = await fit(trainerOf(longer, [odd]), counter, data)();
    assert.ok(e._tag === "Left" && e.left._tag === "TrainingFailed", JSON.stringify(e));
    assert.match(e.left.message, /acceptCheckpoint/);
  });
});

Deno.test("writeFileAtomic() goes through FileHandle.writeFile and leaves the old file whole when a write dies half-way", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "state.json");
    await writeFileAtomic(path, "old contents");
    const handle = await Deno.open(path);
    handle.close();
    const { open } = await import("node:fs/promises");
    const fh = await open(path, "r");
    const proto = Object.getPrototypeOf(fh) as { writeFile: (data: string) => Promise<void> };
    await fh.close();
    const original = proto.writeFile;
    let calls = 0;
    proto.writeFile = async function (this: unknown, text: string) {
      calls++;
      await original.call(this, text.slice(0, text.length / 2));
      throw new Error("power cut");
    };
    try {
      await assert.rejects(() => writeFileAtomic(path, "new contents, twice as long"), /power cut/);
    } finally {
      proto.writeFile = original;
    }
    assert.equal(calls, 1);
    assert.equal(await readFile(path, "utf8"), "old contents");
    assert.deepEqual(await readdir(dir), ["state.json"], "the temporary file was removed");
  });
});

Deno.test("fit() ignores and removes the *.tmp files an interrupted checkpoint write left", async () => {
  await withTempDir(async (dir) => {
    const config = { totalSteps: 2, checkpointFrequency: 1, chkptRoot: dir };
    getOrThrow(await fit(trainerOf(config), counter, data)());
    const half = `net_epoch_3_iter_6.json.${crypto.randomUUID()}.tmp`;
    await writeFile(join(dir, "net", half), '{"format": "hyperion-checkp');
    const other = `other_epoch_1_iter_1.json.${crypto.randomUUID()}.tmp`;
    await writeFile(join(dir, "net", other), "");
    const resumed = getOrThrow(
      await fit(trainerOf({ ...config, totalSteps: 3 }), counter, data)(),
    );
    assert.match(resumed.resumedFrom ?? "", /net_epoch_2_iter_4\.json$/);
    assert.equal(resumed.state, 6);
    const names = await readdir(join(dir, "net"));
    assert.ok(!names.includes(half), names.join(", "));
    assert.ok(names.includes(other), "another save name's file is left alone");
  });
});
