import assert from "node:assert/strict";
import {
  ask,
  categorical,
  createStudy,
  float,
  getTrials,
  int,
  runOrThrow,
  suggest,
} from "../../mod.ts";
import { expectLeft } from "../_helpers/study.ts";

Deno.test("suggest() returns a record typed by the space", async () => {
  const study = await runOrThrow(createStudy());
  const trial = await runOrThrow(ask(study));
  const config = await runOrThrow(suggest(trial, {
    lr: float(1e-4, 1, { log: true }),
    units: int(8, 64, { step: 8 }),
    act: categorical(["relu", "gelu"]),
    flag: categorical([true, false]),
  }));
  const act: "relu" | "gelu" = config.act;
  const flag: boolean = config.flag;
  const units: number = config.units;
  assert.ok(config.lr >= 1e-4 && config.lr <= 1);
  assert.equal(units % 8, 0);
  assert.ok(["relu", "gelu"].includes(act) && typeof flag === "boolean");
  const [stored] = await runOrThrow(getTrials(study));
  assert.deepEqual(Object.keys(stored?.params ?? {}).sort(), ["act", "flag", "lr", "units"]);
});

Deno.test("suggest() names the bad entry of the space", async () => {
  const trial = await runOrThrow(ask(await runOrThrow(createStudy())));
  const e = expectLeft(
    await suggest(trial, { ok: float(0, 1), bad: int(5, 1) })(),
    "InvalidDistribution",
  );
  assert.match(e.message, /Cannot suggest 'bad' as 'low' must not exceed 'high'/);
  expectLeft(await suggest(trial, { weird: { _tag: "nope" } as never })(), "InvalidArgument");
});
