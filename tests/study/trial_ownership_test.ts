/**
 * A trial handle acts only on its own study in its own storage (memory and a real SQLite file),
 * and parameter and attribute names that are `Object.prototype` members work like any other.
 */
import assert from "node:assert/strict";
import {
  ask,
  createStudy,
  type float,
  type FrozenTrial,
  getTrials,
  loadStudy,
  memoryStorage,
  randomSampler,
  runOrThrow,
  setStudyUserAttr,
  setUserAttr,
  type Storage,
  suggest,
  suggestCategorical,
  suggestFloat,
  tell,
} from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";

type Kind = "memory" | "sqlite";

async function withStorages(
  kind: Kind,
  f: (open: (name: string) => Promise<Storage>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-ownership-" });
  const opened: Storage[] = [];
  const open = async (name: string) => {
    const s = kind === "memory"
      ? memoryStorage()
      : await runOrThrow(sqliteStorage(`${dir}/${name}`));
    opened.push(s);
    return s;
  };
  try {
    await f(open);
  } finally {
    for (const s of opened) await s.close()();
    await Deno.remove(dir, { recursive: true });
  }
}

async function stored(storage: Storage): Promise<unknown> {
  const out = [];
  for (const s of await runOrThrow(storage.listStudies())) {
    out.push({ s, trials: await runOrThrow(storage.getAllTrials(s.studyId)) });
  }
  return out;
}

for (const kind of ["memory", "sqlite"] as const) {
  Deno.test(`tell() refuses a trial of another study of the same storage, naming both [${kind}]`, async () => {
    await withStorages(kind, async (open) => {
      const storage = await open("a.db");
      const single = await runOrThrow(createStudy({ storage, studyName: "single" }));
      const multi = await runOrThrow(
        createStudy({ storage, studyName: "multi", directions: ["minimize", "maximize"] }),
      );
      const t = await runOrThrow(ask(multi));
      await runOrThrow(suggestFloat(t, "x", 0, 1));
      const before = await stored(storage);
      const r = await tell(single, t, { values: 1 })();
      assert.equal(r._tag, "Left");
      if (r._tag === "Left") {
        assert.equal(r.left._tag, "InvalidArgument");
        assert.match(r.left.message, /trial 0 of study 'multi'/);
        assert.match(r.left.message, /through study 'single'/);
      }
      assert.deepEqual(await stored(storage), before);
      const [own] = await runOrThrow(getTrials(multi));
      assert.equal((own as FrozenTrial).state, "RUNNING");
      // its own study still takes it
      const told = await runOrThrow(tell(multi, t, { values: [1, 2] }));
      assert.equal(told.state, "COMPLETE");
    });
  });

  Deno.test(`tell() refuses a handle of another storage whose trialId matches [${kind}]`, async () => {
    await withStorages(kind, async (open) => {
      const mine = await open("mine.db");
      const theirs = await open("theirs.db");
      const a = await runOrThrow(createStudy({ storage: mine, studyName: "s" }));
      const b = await runOrThrow(createStudy({ storage: theirs, studyName: "s" }));
      const ta = await runOrThrow(ask(a));
      const tb = await runOrThrow(ask(b));
      assert.equal(ta.trialId, tb.trialId, "the ids collide, as in the bug");
      const before = await stored(mine);
      const r = await tell(a, tb, { values: 1 })();
      assert.equal(r._tag === "Left" && r.left._tag, "InvalidArgument");
      if (r._tag === "Left") {
        assert.match(r.left.message, /its own study in its own storage/);
        assert.ok(r.left.message.includes(mine.url) && r.left.message.includes(theirs.url));
      }
      assert.deepEqual(await stored(mine), before);
      assert.equal((await runOrThrow(getTrials(a)))[0]?.state, "RUNNING");
      assert.equal((await runOrThrow(getTrials(b)))[0]?.state, "RUNNING");
    });
  });

  Deno.test(`a handle of the same study loaded twice is accepted [${kind}]`, async () => {
    await withStorages(kind, async (open) => {
      const storage = await open("a.db");
      const s1 = await runOrThrow(createStudy({ storage, studyName: "s" }));
      const s2 = await runOrThrow(loadStudy({ storage, studyName: "s" }));
      const t = await runOrThrow(ask(s1));
      assert.equal((await runOrThrow(tell(s2, t, { values: 3 }))).state, "COMPLETE");
    });
  });

  Deno.test(`setUserAttr() refuses a forged handle copying another trial's id [${kind}]`, async () => {
    await withStorages(kind, async (open) => {
      const storage = await open("a.db");
      const s = await runOrThrow(createStudy({ storage, studyName: "s" }));
      const t = await runOrThrow(ask(s));
      const before = await stored(storage);
      const r = await setUserAttr({ ...t }, "a", 1)();
      assert.equal(r._tag === "Left" && r.left._tag, "InvalidArgument");
      assert.deepEqual(await stored(storage), before);
    });
  });

  Deno.test(`names that are Object.prototype members store and read back like any other [${kind}]`, async () => {
    await withStorages(kind, async (open) => {
      const storage = await open("p.db");
      const study = await runOrThrow(
        createStudy({ storage, studyName: "p", sampler: randomSampler({ seed: 3 }) }),
      );
      const names = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"];
      const t = await runOrThrow(ask(study));
      const values: Record<string, number> = Object.create(null);
      for (const n of names) {
        values[n] = await runOrThrow(suggestFloat(t, n, 0, 1));
        assert.equal(await runOrThrow(suggestFloat(t, n, 0, 1)), values[n], `${n} again`);
        await runOrThrow(setUserAttr(t, n, { v: n }));
        await runOrThrow(setStudyUserAttr(study, n, n));
      }
      const cat = await runOrThrow(suggestCategorical(t, "isPrototypeOf", ["a", "b"]));
      const typed = await runOrThrow(
        suggest(
          t,
          JSON.parse(
            '{"__defineGetter__": {"_tag": "float", "low": 0, "high": 1, "options": {}}}',
          ) as { __defineGetter__: ReturnType<typeof float> },
        ),
      );
      assert.ok(Object.hasOwn(typed, "__defineGetter__"));
      await runOrThrow(tell(study, t, { values: 1 }));
      // a second study of the same storage reuses the names (first-distribution bookkeeping)
      const t2 = await runOrThrow(ask(study));
      assert.equal(typeof await runOrThrow(suggestFloat(t2, "constructor", 0, 1)), "number");
      await runOrThrow(tell(study, t2, { values: 2 }));
      const reader = kind === "memory" ? storage : await open("p.db");
      const loaded = await runOrThrow(loadStudy({ storage: reader, studyName: "p" }));
      const [first] = await runOrThrow(getTrials(loaded));
      const trial = first as FrozenTrial;
      for (const n of names) {
        assert.ok(Object.hasOwn(trial.params, n), `param ${n} is own`);
        assert.equal(trial.params[n], values[n]);
        assert.equal(trial.distributions[n]?._tag, "FloatDistribution");
        assert.ok(Object.hasOwn(trial.userAttrs, n), `user attr ${n} is own`);
        assert.deepEqual(trial.userAttrs[n], { v: n });
      }
      assert.equal(trial.params["isPrototypeOf"], cat);
      assert.equal(Object.getPrototypeOf(trial.params), Object.prototype);
      const record = await runOrThrow(reader.getStudy("p"));
      for (const n of names) assert.equal(record.userAttrs[n], n);
    });
  });
}
